//! Bitwarden unencrypted JSON exports: the `login.totp` field of each item.
//!
//! That field holds an `otpauth://` URI, `steam://SECRET`, or a bare base32 secret. When it
//! names no issuer, the item's name is used; the login's username becomes the account name when
//! the URI has none. The item's folder becomes its group, `notes` its note, `favorite` its flag.
//! Items without a `totp` are passwords, not authenticator accounts, and are passed over.

use serde::Deserialize;

use super::{Entry, Format, ImportError, Read, account_from_totp_field, fields, label, non_empty};

const FORMAT: Format = Format::Bitwarden;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct File {
    encrypted: bool,
    #[serde(default)]
    folders: Option<Vec<Folder>>,
    #[serde(default)]
    items: Option<Vec<Item>>,
}

#[derive(Deserialize)]
struct Folder {
    id: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Item {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    notes: Option<String>,
    #[serde(default)]
    favorite: bool,
    #[serde(default)]
    folder_id: Option<String>,
    #[serde(default)]
    login: Option<Login>,
}

#[derive(Deserialize)]
struct Login {
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    totp: Option<String>,
}

impl Drop for Login {
    fn drop(&mut self) {
        if let Some(totp) = &mut self.totp {
            zeroize::Zeroize::zeroize(totp);
        }
    }
}

/// Reads a Bitwarden JSON export.
pub fn read(data: &[u8]) -> Result<Read, ImportError> {
    let file: File = serde_json::from_slice(data).map_err(|e| ImportError::malformed(FORMAT, e))?;
    if file.encrypted {
        return Err(ImportError::unsupported(
            FORMAT,
            "it is an encrypted export: export again from Bitwarden as unencrypted JSON",
        ));
    }
    let folders = file.folders.unwrap_or_default();
    let mut items = Vec::new();
    for (index, item) in file.items.unwrap_or_default().into_iter().enumerate() {
        let Some(login) = item.login else { continue };
        let Some(totp) = login.totp.as_deref().filter(|t| !t.trim().is_empty()) else {
            continue;
        };
        let username = login.username.as_deref().unwrap_or_default();
        let entry = account_from_totp_field(totp, item.name.as_deref())
            .map(|mut account| {
                if account.name.is_empty() {
                    account.name = non_empty(Some(username)).unwrap_or_default();
                }
                let group = item
                    .folder_id
                    .as_deref()
                    .and_then(|id| folders.iter().find(|f| f.id == id))
                    .map(|f| f.name.clone());
                Entry {
                    account,
                    groups: group.into_iter().collect(),
                    note: non_empty(item.notes.as_deref()),
                    favourite: item.favorite,
                }
            })
            .map_err(|reason| (label(item.name.as_deref(), username), reason));
        items.push((index + 1, entry));
    }
    Ok(fields::sort_out(items))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypted_exports_are_refused_by_name() {
        let file = br#"{"encrypted":true,"passwordProtected":true,"data":"..."}"#;
        assert!(matches!(read(file), Err(ImportError::Unsupported { .. })));
    }

    #[test]
    fn folders_notes_and_passwords_without_totp() {
        let file = br#"{"encrypted":false,"folders":[{"id":"f","name":"School"}],"items":[
            {"name":"Mail","login":{"username":"me","password":"x","totp":null}},
            {"name":"Omnivox","folderId":"f","notes":"n","favorite":true,"login":{"username":"2412345","totp":"JBSWY3DPEHPK3PXP"}},
            {"name":"Broken","login":{"totp":"otpauth://totp/x?secret=1"}}
        ]}"#;
        let (entries, refused) = read(file).unwrap();
        assert_eq!(entries.len(), 1);
        let entry = &entries[0];
        assert_eq!(entry.account.issuer.as_deref(), Some("Omnivox"));
        assert_eq!(entry.account.name, "2412345");
        assert_eq!(entry.groups, vec!["School".to_owned()]);
        assert_eq!(entry.note.as_deref(), Some("n"));
        assert!(entry.favourite);
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].position, 3);
    }
}
