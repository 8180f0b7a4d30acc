//! Proton Authenticator JSON exports: `entries[].content.uri` with an optional `note`.

use serde::Deserialize;

use super::{Entry, Format, ImportError, Read, account_from_totp_field, fields, label, non_empty};

const FORMAT: Format = Format::Proton;
/// The newest export version this reader knows.
pub const MAX_VERSION: u64 = 1;

#[derive(Deserialize)]
struct File {
    version: u64,
    entries: Vec<RawEntry>,
}

#[derive(Deserialize)]
struct RawEntry {
    content: Content,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
struct Content {
    uri: String,
    #[serde(default)]
    name: Option<String>,
}

impl Drop for Content {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.uri);
    }
}

/// Reads a Proton Authenticator export.
pub fn read(data: &[u8]) -> Result<Read, ImportError> {
    let file: File = serde_json::from_slice(data).map_err(|e| ImportError::malformed(FORMAT, e))?;
    if file.version == 0 || file.version > MAX_VERSION {
        return Err(ImportError::unsupported(
            FORMAT,
            format!(
                "export version {} (Jeton reads version {MAX_VERSION})",
                file.version
            ),
        ));
    }
    Ok(fields::sort_out(file.entries.into_iter().enumerate().map(
        |(index, raw)| {
            let name = raw.content.name.as_deref().unwrap_or_default();
            let entry = account_from_totp_field(&raw.content.uri, None)
                .map(|mut account| {
                    if account.name.is_empty() {
                        account.name = non_empty(Some(name)).unwrap_or_default();
                    }
                    Entry {
                        note: non_empty(raw.note.as_deref()),
                        ..Entry::new(account)
                    }
                })
                .map_err(|reason| (label(None, name), reason));
            (index + 1, entry)
        },
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_refusals_and_versions() {
        let file = br#"{"version":1,"entries":[
            {"content":{"uri":"otpauth://totp/A:a?secret=JBSWY3DPEHPK3PXP","name":"a"},"note":"keep"},
            {"content":{"uri":"otpauth://totp/B:b","name":"b"},"note":null}
        ]}"#;
        let (entries, refused) = read(file).unwrap();
        assert_eq!(entries[0].note.as_deref(), Some("keep"));
        assert_eq!(refused[0].label, "b");
        assert!(matches!(
            read(br#"{"version":2,"entries":[]}"#),
            Err(ImportError::Unsupported { .. })
        ));
        assert!(matches!(
            read(br#"{"version":1}"#),
            Err(ImportError::Malformed { .. })
        ));
    }
}
