//! Bitwarden CSV exports: the `login_totp` column of each row (an `otpauth://` URI,
//! `steam://SECRET` or a bare base32 secret), read as the JSON export reads `login.totp`: the
//! row's `name` stands in for a missing issuer, `login_username` for a missing account name,
//! `folder` becomes the group, `notes` the note, `favorite` (`1`) the flag. Rows without a
//! TOTP are passwords and are passed over. An organization's export has no `folder` and
//! `favorite` columns but a first `collections` one (names joined by commas, as Bitwarden's
//! own importer splits them): its collections become the groups.

use zeroize::Zeroizing;

use super::{Entry, Format, ImportError, Read, account_from_totp_field, fields, label, non_empty};

const FORMAT: Format = Format::BitwardenCsv;
/// Whether the text starts with the header Bitwarden writes: a personal vault's
/// (`folder,favorite,type,name,…`) or an organization's (`collections,type,name,…`), either with
/// a `login_totp` column.
pub(crate) fn is_export(text: &str) -> bool {
    let header = text.lines().next().unwrap_or_default();
    let columns: Vec<&str> = header.split(',').collect();
    let starts = matches!(
        columns.as_slice(),
        ["folder", "favorite", "type", "name", ..] | ["collections", "type", "name", ..]
    );
    starts && columns.contains(&"login_totp")
}

/// Reads a Bitwarden CSV export.
pub fn read(data: &[u8]) -> Result<Read, ImportError> {
    let text = super::utf8(data, FORMAT)?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let bad = |e: csv::Error| ImportError::malformed(FORMAT, e);
    let headers = reader.headers().map_err(bad)?.clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| ImportError::malformed(FORMAT, format!("the {name} column is missing")))
    };
    let (totp, name, username, notes) = (
        column("login_totp")?,
        column("name")?,
        column("login_username")?,
        column("notes")?,
    );
    let optional = |name: &str| headers.iter().position(|h| h == name);
    let (folder, collections, favorite) = match optional("collections") {
        Some(collections) => (None, Some(collections), None),
        None => (Some(column("folder")?), None, Some(column("favorite")?)),
    };
    let mut items = Vec::new();
    for (index, record) in reader.records().enumerate() {
        let record = record.map_err(bad)?;
        let field = |i: usize| record.get(i).unwrap_or_default();
        let field_at = |i: Option<usize>| i.map(field).unwrap_or_default();
        let secret = Zeroizing::new(field(totp).to_owned());
        if secret.trim().is_empty() {
            continue;
        }
        let entry = account_from_totp_field(&secret, Some(field(name)))
            .map(|mut account| {
                if account.name.is_empty() {
                    account.name = non_empty(Some(field(username))).unwrap_or_default();
                }
                let groups = match collections {
                    Some(i) => field(i)
                        .split(',')
                        .filter_map(|c| non_empty(Some(c)))
                        .collect(),
                    None => non_empty(Some(field_at(folder))).into_iter().collect(),
                };
                Entry {
                    groups,
                    note: non_empty(Some(field(notes))),
                    favourite: field_at(favorite).trim() == "1",
                    ..Entry::new(account)
                }
            })
            .map_err(|reason| (label(Some(field(name)), field(username)), reason));
        items.push((index + 1, entry));
    }
    Ok(fields::sort_out(items))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_notes_folders_and_passwords() {
        let file = "folder,favorite,type,name,notes,fields,login_uri,login_username,login_password,login_totp\n\
            School,1,login,Omnivox,\"two\nlines, with comma\",,,2412345,pw,JBSWY3DPEHPK3PXP\n\
            ,,login,Mail,,,,me,pw,\n\
            ,,login,Bad,,,,x,pw,otpauth://totp/x?secret=1\n";
        let (entries, refused) = read(file.as_bytes()).unwrap();
        assert_eq!(entries.len(), 1);
        let entry = &entries[0];
        assert_eq!(entry.account.issuer.as_deref(), Some("Omnivox"));
        assert_eq!(entry.account.name, "2412345");
        assert_eq!(entry.groups, vec!["School".to_owned()]);
        assert_eq!(entry.note.as_deref(), Some("two\nlines, with comma"));
        assert!(entry.favourite);
        assert_eq!(refused[0].position, 3);
        assert!(matches!(
            read(b"folder,name\n\"unterminated"),
            Err(ImportError::Malformed { .. })
        ));
    }
}
