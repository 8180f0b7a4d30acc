//! Proton Pass exports (the password manager, not Proton Authenticator: that is [`super::proton`]):
//! a zip archive whose entry `Proton Pass/data.json` holds the vaults and their items.
//!
//! `data.json` is `{"encrypted": false, "userId", "version", "vaults": {<id>: {"name",
//! "items": [{"data": {"type", "metadata": {"name", "note"}, "content": {"itemEmail",
//! "itemUsername", "totpUri", …}}, "pinned", …}]}}}`. Each `login` item whose `totpUri` is not
//! empty is an account: the URI gives the issuer and name; when it names no issuer, the item's
//! name is used, and when it names no account, the login's email, else its username. The item's
//! note becomes the entry's note, its vault's name its group, `pinned` its favourite flag.
//! Other items (logins without a TOTP, aliases, notes, cards) are passwords and such, not
//! authenticator accounts, and are passed over; an item's position in refusals counts every
//! item of the file, vault after vault in the file's order. Items in the trash (`state` 2) are
//! read like the others, as Aegis's importer does: dropping them would lose a TOTP silently.
//!
//! Not read: a TOTP kept in an item's custom field (`extraFields` of type `totp`) is refused by
//! the field's name (the login's own TOTP, if any, is still read); no file with one was
//! available to test against. TOTPs in the sections of custom items are not looked at. An
//! encrypted export (`"encrypted": true`, or the PGP-armoured file Proton Pass writes when asked
//! to encrypt) is refused as unsupported, asking for an unencrypted export.

use std::fmt;
use std::io::Cursor;

use serde::Deserialize;
use serde::de::{MapAccess, Visitor};
use zip::ZipArchive;
use zip::result::ZipError;

use super::{
    Entry, Format, ImportError, Read, account_from_totp_field, fields, fields::contains, non_empty,
    zipped,
};

const FORMAT: Format = Format::ProtonPass;
/// The entry of the archive that holds the vaults.
pub const ENTRY_NAME: &str = "Proton Pass/data.json";
/// How a zip archive starts (a local file header).
const LOCAL_HEADER: &[u8] = b"PK\x03\x04";
/// How a PGP-armoured message starts (Proton Pass's encrypted export).
const PGP_ARMOUR: &[u8] = b"-----BEGIN PGP MESSAGE-----";
/// The largest `data.json` read (declared or inflated). A password manager's export holds
/// passwords, notes and URLs besides the TOTPs: 64 MiB is 20,000 items of 3 KiB with room to
/// spare. More is refused before or while inflating it, as a crafted file (a zip bomb).
pub const MAX_DATA_BYTES: u64 = 64 << 20;

/// Whether the bytes look like a Proton Pass export: a zip archive that names
/// `Proton Pass/data.json` (its first local header does, so a file cut short is still
/// recognised).
pub(crate) fn looks_like_export(data: &[u8]) -> bool {
    data.starts_with(LOCAL_HEADER) && contains(data, ENTRY_NAME.as_bytes())
}

#[derive(Deserialize)]
struct File {
    encrypted: bool,
    #[serde(default)]
    vaults: Vaults,
}

/// The vaults in the file's order (a JSON object read entry by entry, not into a sorted map).
#[derive(Default)]
struct Vaults(Vec<Vault>);

impl<'de> Deserialize<'de> for Vaults {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct InOrder;
        impl<'de> Visitor<'de> for InOrder {
            type Value = Vaults;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of vaults")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Vaults, M::Error> {
                let mut vaults = Vec::new();
                while let Some((_, vault)) = map.next_entry::<serde::de::IgnoredAny, Vault>()? {
                    vaults.push(vault);
                }
                Ok(Vaults(vaults))
            }
        }
        deserializer.deserialize_map(InOrder)
    }
}

#[derive(Deserialize)]
struct Vault {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    items: Vec<Item>,
}

#[derive(Deserialize)]
struct Item {
    data: ItemData,
    #[serde(default)]
    pinned: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ItemData {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    metadata: Metadata,
    #[serde(default)]
    content: Content,
    #[serde(default)]
    extra_fields: Vec<ExtraField>,
}

#[derive(Deserialize, Default)]
struct Metadata {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Content {
    #[serde(default)]
    item_email: Option<String>,
    #[serde(default)]
    item_username: Option<String>,
    #[serde(default)]
    totp_uri: Option<String>,
}

impl Drop for Content {
    fn drop(&mut self) {
        if let Some(uri) = &mut self.totp_uri {
            zeroize::Zeroize::zeroize(uri);
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ExtraField {
    #[serde(default, rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    field_name: Option<String>,
}

/// Reads a Proton Pass export (an unencrypted zip).
pub fn read(data: &[u8]) -> Result<Read, ImportError> {
    if data.starts_with(PGP_ARMOUR) {
        return Err(encrypted());
    }
    let text = data_json(data)?;
    let file: File =
        serde_json::from_slice(&text).map_err(|e| ImportError::malformed(FORMAT, e))?;
    if file.encrypted {
        return Err(encrypted());
    }
    let items = file
        .vaults
        .0
        .iter()
        .flat_map(|vault| vault.items.iter().map(move |item| (vault, item)))
        .enumerate()
        .flat_map(|(index, (vault, item))| {
            account(vault, item)
                .into_iter()
                .chain(custom_totps(item))
                .map(move |result| (index + 1, result))
        });
    Ok(fields::sort_out(items))
}

/// A refusal for each TOTP the item keeps in a custom field (any item type may have them).
fn custom_totps(item: &Item) -> impl Iterator<Item = Result<Entry, (String, String)>> + '_ {
    let item_name = item.data.metadata.name.as_deref();
    item.data
        .extra_fields
        .iter()
        .filter(|f| f.kind.as_deref() == Some("totp"))
        .map(move |field| {
            Err((
                super::label(item_name, ""),
                format!(
                    "a TOTP in the custom field \u{201c}{}\u{201d}, which Jeton does not read: add that account to Jeton by hand",
                    field.field_name.as_deref().unwrap_or_default()
                ),
            ))
        })
}

/// The entry a login's own TOTP is, or why it is refused; `None` for an item that is no
/// account (not a login, or a login without a TOTP).
fn account(vault: &Vault, item: &Item) -> Option<Result<Entry, (String, String)>> {
    let data = &item.data;
    let item_name = data.metadata.name.as_deref();
    if data.kind != "login" {
        return None;
    }
    let content = &data.content;
    let uri = content
        .totp_uri
        .as_deref()
        .filter(|u| !u.trim().is_empty())?;
    let login = non_empty(content.item_email.as_deref())
        .or_else(|| non_empty(content.item_username.as_deref()));
    Some(match account_from_totp_field(uri, item_name) {
        Ok(mut account) => {
            if account.name.is_empty() {
                account.name = login.unwrap_or_default();
            }
            Ok(Entry {
                groups: non_empty(vault.name.as_deref()).into_iter().collect(),
                note: non_empty(data.metadata.note.as_deref()),
                favourite: item.pinned,
                ..Entry::new(account)
            })
        }
        Err(reason) => Err((
            super::label(item_name, login.as_deref().unwrap_or_default()),
            reason,
        )),
    })
}

/// The inflated `data.json`, bounded by [`MAX_DATA_BYTES`].
fn data_json(data: &[u8]) -> Result<zeroize::Zeroizing<Vec<u8>>, ImportError> {
    let mut archive = ZipArchive::new(Cursor::new(data)).map_err(damaged)?;
    let index = archive.index_for_name(ENTRY_NAME).ok_or_else(|| {
        ImportError::malformed(FORMAT, format!("the archive holds no {ENTRY_NAME}"))
    })?;
    let (encrypted, declared) = archive
        .by_index_raw(index)
        .map(|f| (f.encrypted(), f.size()))
        .map_err(damaged)?;
    if encrypted {
        return Err(ImportError::unsupported(
            FORMAT,
            format!("{ENTRY_NAME} is encrypted inside the zip, which Proton Pass does not do"),
        ));
    }
    if declared > MAX_DATA_BYTES {
        return Err(too_large(declared));
    }
    let file = archive.by_index(index).map_err(|e| match e {
        ZipError::UnsupportedArchive(what) => ImportError::unsupported(
            FORMAT,
            format!("{what} (Jeton reads entries stored or deflated)"),
        ),
        other => damaged(other),
    })?;
    let failed = || {
        ImportError::malformed(
            FORMAT,
            format!("{ENTRY_NAME} does not inflate or does not match its CRC-32"),
        )
    };
    zipped::read_bounded(file, declared, MAX_DATA_BYTES, failed, too_large)
}

fn encrypted() -> ImportError {
    ImportError::unsupported(
        FORMAT,
        "it is an encrypted (PGP) export: export again from Proton Pass without encryption (a zip holding data.json), import it, then delete it",
    )
}

fn too_large(len: u64) -> ImportError {
    zipped::too_large(FORMAT, ENTRY_NAME, len, MAX_DATA_BYTES)
}

fn damaged(error: ZipError) -> ImportError {
    zipped::damaged(FORMAT, error)
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use zip::write::SimpleFileOptions;
    use zip::{CompressionMethod, ZipWriter};

    use super::*;

    /// A zip holding `entries`, deflated.
    fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
        for (name, bytes) in entries {
            writer.start_file(*name, options).unwrap();
            writer.write_all(bytes).unwrap();
        }
        writer.finish().unwrap().into_inner()
    }

    fn export(json: &str) -> Vec<u8> {
        zip(&[("Proton Pass/", b""), (ENTRY_NAME, json.as_bytes())])
    }

    /// An item in the sample's shape (`content` of a login).
    fn login(name: &str, note: &str, email: &str, username: &str, totp: &str) -> String {
        format!(
            r#"{{"itemId":"a==","data":{{"metadata":{{"name":"{name}","note":"{note}","itemUuid":"b"}},
            "extraFields":[],"type":"login","content":{{"itemEmail":"{email}","password":"pass",
            "urls":["https://example.com"],"totpUri":"{totp}","passkeys":[],"itemUsername":"{username}"}},
            "lastRevision":1}},"state":1,"aliasEmail":null,"pinned":false}}"#
        )
    }

    const ALIAS: &str = r#"{"itemId":"1","data":{"metadata":{"name":"1.example.com","note":"","itemUuid":"1"},"extraFields":[],"type":"alias","content":{}},"aliasEmail":"r@example.com","pinned":false}"#;

    fn file(vaults: &[(&str, Vec<String>)]) -> String {
        let vaults: Vec<String> = vaults
            .iter()
            .enumerate()
            .map(|(i, (name, items))| {
                format!(
                    r#""v{i}==":{{"name":"{name}","description":"","display":{{"color":6,"icon":14}},"items":[{}]}}"#,
                    items.join(",")
                )
            })
            .collect();
        format!(
            r#"{{"encrypted":false,"userId":"AABBCCDD==","vaults":{{{}}},"version":"1.20.1"}}"#,
            vaults.join(",")
        )
    }

    const DENO: &str = "otpauth://totp/Deno:Mason?issuer=Deno&secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&algorithm=SHA1&digits=6&period=30";

    #[test]
    fn logins_with_a_totp_become_accounts_others_are_passed_over() {
        let json = file(&[
            (
                "Services",
                vec![
                    login("Mason item", "aaa", "m@example.com", "", DENO),
                    login("No TOTP", "", "x@example.com", "", ""),
                    ALIAS.to_owned(),
                ],
            ),
            // Named after the first so that a sorted map would put it first.
            (
                "Accounts",
                vec![
                    login("Bare", "", "", "user1", "JBSWY3DPEHPK3PXP"),
                    login(
                        "Mail",
                        "",
                        "me@example.com",
                        "me",
                        "otpauth://totp/?secret=JBSWY3DPEHPK3PXP",
                    ),
                ],
            ),
        ]);
        let data = export(&json);
        assert!(looks_like_export(&data));
        assert_eq!(super::super::detect(&data), Some(FORMAT));
        // An Authenticator Plus zip is still told apart.
        let authplus = zip(&[("Accounts.txt", DENO.as_bytes())]);
        assert_eq!(
            super::super::detect(&authplus),
            Some(Format::AuthenticatorPlus)
        );
        let (entries, refused) = read(&data).unwrap();
        assert!(refused.is_empty(), "{refused:?}");
        assert_eq!(entries.len(), 3);
        let deno = &entries[0];
        assert_eq!(deno.account.issuer.as_deref(), Some("Deno"));
        assert_eq!(deno.account.name, "Mason");
        assert_eq!(
            deno.account.secret.to_base32().as_str(),
            "4SJHB4GSD43FZBAI7C2HLRJGPQ"
        );
        assert_eq!(deno.note.as_deref(), Some("aaa"));
        assert_eq!(deno.groups, vec!["Services".to_owned()]);
        assert!(!deno.favourite);
        // A bare secret: the item's name as issuer, the username (no email) as name.
        assert_eq!(entries[1].account.issuer.as_deref(), Some("Bare"));
        assert_eq!(entries[1].account.name, "user1");
        assert_eq!(entries[1].groups, vec!["Accounts".to_owned()]);
        assert_eq!(entries[1].note, None);
        // A URI without a label: the email wins over the username.
        assert_eq!(entries[2].account.issuer.as_deref(), Some("Mail"));
        assert_eq!(entries[2].account.name, "me@example.com");
    }

    #[test]
    fn a_bad_totp_is_refused_with_its_position_and_why() {
        let json = file(&[
            ("A", vec![ALIAS.to_owned(), login("Ok", "", "", "", DENO)]),
            (
                "B",
                vec![login(
                    "Broken",
                    "",
                    "b@example.com",
                    "",
                    "otpauth://totp/x?secret=1",
                )],
            ),
        ]);
        let (entries, refused) = read(&export(&json)).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(refused.len(), 1);
        assert_eq!(
            refused[0].position, 3,
            "every item counts, vault after vault"
        );
        assert_eq!(refused[0].label, "Broken (b@example.com)");
        assert!(!refused[0].reason.is_empty());
        // Refused by `admit` too: a control character in the label.
        let json = file(&[(
            "A",
            vec![login(
                "Ctl",
                "",
                "",
                "",
                "otpauth://totp/a%07b?secret=JBSWY3DPEHPK3PXP",
            )],
        )]);
        let (entries, refused) = read(&export(&json)).unwrap();
        assert_eq!((entries.len(), refused.len()), (0, 1), "{refused:?}");
    }

    #[test]
    fn a_totp_in_a_custom_field_is_refused_by_name() {
        let item = r#"{"data":{"metadata":{"name":"Card"},"type":"note","content":{},
            "extraFields":[{"fieldName":"2FA","type":"totp","data":{"totpUri":"JBSWY3DPEHPK3PXP"}}]}}"#;
        // A login with its own TOTP and one in a custom field: the first is read, the second
        // refused, both at the item's position.
        let both = login("Both", "", "", "", DENO).replace(
            r#""extraFields":[]"#,
            r#""extraFields":[{"fieldName":"Backup","type":"totp","data":{"totpUri":"JBSWY3DPEHPK3PXP"}},{"fieldName":"PIN","type":"hidden","data":{"content":"1"}}]"#,
        );
        let (entries, refused) =
            read(&export(&file(&[("A", vec![item.to_owned(), both])]))).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].account.issuer.as_deref(), Some("Deno"));
        assert_eq!(refused.len(), 2, "{refused:?}");
        assert_eq!(
            (refused[0].position, refused[0].label.as_str()),
            (1, "Card")
        );
        assert!(
            refused[0]
                .reason
                .contains("custom field \u{201c}2FA\u{201d}")
        );
        assert_eq!(
            (refused[1].position, refused[1].label.as_str()),
            (2, "Both")
        );
        assert!(refused[1].reason.contains("\u{201c}Backup\u{201d}"));
    }

    #[test]
    fn pinned_items_are_favourites() {
        let item = login("P", "", "", "", DENO).replace(r#""pinned":false"#, r#""pinned":true"#);
        let (entries, _) = read(&export(&file(&[("A", vec![item])]))).unwrap();
        assert!(entries[0].favourite);
    }

    #[test]
    fn encrypted_exports_are_unsupported_with_what_to_do() {
        let encrypted = r#"{"encrypted":true,"vaults":{}}"#;
        for data in [
            export(encrypted),
            b"-----BEGIN PGP MESSAGE-----\n\nwcBMA...".to_vec(),
        ] {
            assert!(matches!(
                read(&data),
                Err(ImportError::Unsupported { format: FORMAT, detail }) if detail.contains("without encryption")
            ));
        }
    }

    #[test]
    fn damaged_archives_and_json_are_malformed() {
        let missing = zip(&[("data.json", file(&[]).as_bytes())]);
        assert!(!looks_like_export(&missing));
        assert!(matches!(
            read(&missing),
            Err(ImportError::Malformed { detail, .. }) if detail.contains("no Proton Pass/data.json")
        ));
        assert!(matches!(
            read(&export("{\"encrypted\":false,")),
            Err(ImportError::Malformed { .. })
        ));
        assert!(matches!(
            read(&export("{\"vaults\":{}}")),
            Err(ImportError::Malformed { .. })
        ));
        assert!(matches!(
            read(b"PK\x03\x04"),
            Err(ImportError::Malformed { .. })
        ));
        // An empty export holds nothing, and that is no error.
        assert_eq!(read(&export(&file(&[]))).unwrap().0.len(), 0);
    }

    #[test]
    fn a_data_json_bigger_than_the_limit_is_refused() {
        let mut big = file(&[]).into_bytes();
        big.resize(usize::try_from(MAX_DATA_BYTES).unwrap() + 1, b' ');
        let data = export(std::str::from_utf8(&big).unwrap());
        assert!(data.len() < 200_000, "a small file: {}", data.len());
        assert!(matches!(
            read(&data),
            Err(ImportError::Malformed { detail, .. }) if detail.contains("more than Jeton reads")
        ));
    }

    /// A stored (not deflated) zip too, the way other zip writers may leave a small file.
    #[test]
    fn a_stored_entry_is_read() {
        let mut writer = ZipWriter::new(Cursor::new(Vec::new()));
        let options = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
        writer.start_file(ENTRY_NAME, options).unwrap();
        writer
            .write_all(file(&[("A", vec![login("I", "", "", "", DENO)])]).as_bytes())
            .unwrap();
        let data = writer.finish().unwrap().into_inner();
        assert_eq!(read(&data).unwrap().0.len(), 1);
    }
}
