//! Lists of `otpauth://` URIs, one a line, as Ente Auth, Bitwarden-style tools and many others
//! export them. Lines holding `otpauth-migration://` codes are assembled as Google batches.
//!
//! Ente Auth adds a `codeDisplay` parameter (JSON) to each URI: its `pinned` becomes the
//! favourite flag, its `tags` the groups and its `note` the note. Ente's export holds the codes
//! in its trash too (`trashed`): those are refused by name, not brought back to life.

use serde::Deserialize;

use super::google::MigrationScans;
use super::{Entry, ImportError, Read, fields};
use crate::uri;

/// Reads a list: blank lines and lines starting with `#` are skipped; every other line must be
/// an `otpauth://` or `otpauth-migration://` URI, or it is refused with its line number.
pub fn read(text: &str) -> Result<Read, ImportError> {
    let mut entries = Vec::new();
    let mut refused = Vec::new();
    let mut migration = MigrationScans::new();
    let mut saw_migration = false;
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let position = number + 1;
        if line
            .get(..18)
            .is_some_and(|p| p.eq_ignore_ascii_case("otpauth-migration:"))
        {
            // A damaged migration code fails the whole file: it holds an unknown number of
            // accounts, so nothing could be refused by name.
            migration.add(line)?;
            saw_migration = true;
            continue;
        }
        let entry = uri::parse(line)
            .map_err(|error| (label_of(line), error.to_string()))
            .and_then(|account| {
                let mut entry = Entry::new(account);
                let Some(display) = ente_code_display(line) else {
                    return Ok(entry);
                };
                if display.trashed {
                    return Err((
                        entry.account.display_label(),
                        "it is in Ente Auth's trash (restore it there to import it)".into(),
                    ));
                }
                entry.favourite = display.pinned;
                entry.groups = display.tags;
                entry.note = super::non_empty(Some(&display.note));
                Ok(entry)
            });
        let (mut read, mut refusals) = fields::sort_out([(position, entry)]);
        entries.append(&mut read);
        refused.append(&mut refusals);
    }
    if saw_migration {
        let imported = migration.finish()?;
        entries.extend(imported.entries);
        refused.extend(imported.refused);
    }
    Ok((entries, refused))
}

#[derive(Debug, Default, Deserialize)]
struct CodeDisplay {
    #[serde(default)]
    pinned: bool,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    trashed: bool,
    #[serde(default)]
    note: String,
}

/// Ente's `codeDisplay` parameter, when present and readable.
fn ente_code_display(line: &str) -> Option<CodeDisplay> {
    let url = url::Url::parse(line).ok()?;
    let (_, value) = url
        .query_pairs()
        .find(|(k, _)| k.eq_ignore_ascii_case("codeDisplay"))?;
    serde_json::from_str(&value).ok()
}

/// The label of a URI that could not be parsed, for the refusal: the decoded path, or the
/// line's first characters. Never the query, which holds the secret.
fn label_of(line: &str) -> String {
    let without_query = line.split('?').next().unwrap_or_default();
    let path = without_query
        .split_once("//")
        .and_then(|(_, rest)| rest.split_once('/'))
        .map(|(_, label)| label);
    match path {
        Some(label) if !label.is_empty() => percent_encoding::percent_decode_str(label)
            .decode_utf8_lossy()
            .into_owned(),
        _ => without_query.chars().take(40).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_bad_lines_by_number_without_leaking_secrets() {
        let text = "\n# comment\notpauth://totp/A:a?secret=JBSWY3DPEHPK3PXP\nnot a uri\notpauth://totp/B:b?secret=JBSW1&issuer=B\n";
        let (entries, refused) = read(text).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(refused.len(), 2);
        assert_eq!(refused[0].position, 4);
        assert_eq!(refused[0].label, "not a uri");
        assert_eq!(refused[1].position, 5);
        assert_eq!(refused[1].label, "B:b");
        assert!(!refused[1].to_string().contains("JBSW1"));
    }

    #[test]
    fn ente_pinned_and_tags() {
        let line = "otpauth://totp/A:a?secret=JBSWY3DPEHPK3PXP&codeDisplay=%7B%22pinned%22%3Atrue%2C%22tags%22%3A%5B%22work%22%5D%7D";
        let (entries, _) = read(line).unwrap();
        assert!(entries[0].favourite);
        assert_eq!(entries[0].groups, vec!["work".to_owned()]);
    }

    #[test]
    fn a_damaged_migration_line_fails_the_file() {
        let text =
            "otpauth://totp/A:a?secret=JBSWY3DPEHPK3PXP\notpauth-migration://offline?data=!!";
        assert!(matches!(read(text), Err(ImportError::Google(_))));
    }
}
