//! A scan of the raw vault file and its WAL: no secret, issuer, account name, note, group,
//! icon hint or passphrase is ever stored in plain text.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use jeton_core::otp::OtpParams;
use jeton_core::vault::{Extras, KdfParams, Vault};
use jeton_core::{Account, Secret};

const SECRET: &[u8] = b"RAW-SECRET-BYTES-0042";
const ISSUER: &str = "Cegep-Unique-Issuer-Marker";
const NAME: &str = "student-2412345@unique-name.example";
const RENAMED: &str = "renamed-account-marker";
const NOTE: &str = "note-marker-recovery-codes";
const GROUP: &str = "group-marker-school";
const ICON: &str = "icon-marker.example.org";
const PASSPHRASE: &str = "passphrase-marker-horse";

fn files(path: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    ["", "-wal", "-shm", "-journal"]
        .iter()
        .map(|suffix| PathBuf::from(format!("{}{suffix}", path.display())))
        .filter(|p| p.exists())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn assert_nothing_in_plain_text(path: &Path, expect_wal: bool) {
    let files = files(path);
    let base32 = Secret::from_slice(SECRET).to_base32();
    let needles: Vec<(&str, Vec<u8>)> = vec![
        ("secret bytes", SECRET.to_vec()),
        ("secret base32", base32.as_bytes().to_vec()),
        ("issuer", ISSUER.as_bytes().to_vec()),
        ("issuer, lower case", ISSUER.to_lowercase().into_bytes()),
        ("account name", NAME.as_bytes().to_vec()),
        ("old account name", RENAMED.as_bytes().to_vec()),
        ("note", NOTE.as_bytes().to_vec()),
        ("group", GROUP.as_bytes().to_vec()),
        ("icon hint", ICON.as_bytes().to_vec()),
        ("passphrase", PASSPHRASE.as_bytes().to_vec()),
    ];
    for (file, bytes) in &files {
        for (what, needle) in &needles {
            assert!(
                !contains(bytes, needle),
                "{what} found in plain text in {}",
                file.display()
            );
        }
    }
    // Positive control: the scan does read the files (the schema is plain SQL text).
    assert!(
        files
            .iter()
            .any(|(_, b)| contains(b, b"CREATE TABLE accounts")),
        "the scan saw no SQLite content"
    );
    let wal = files
        .iter()
        .find(|(p, _)| p.to_string_lossy().ends_with("-wal"));
    if expect_wal {
        let (_, bytes) = wal.expect("the WAL exists while the vault is open");
        assert!(bytes.len() > 4096, "the WAL holds the recent writes");
    }
}

#[test]
fn no_identifying_text_in_the_file_or_its_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.jeton");
    let mut vault =
        Vault::create_with_kdf(&path, PASSPHRASE, KdfParams::INSECURE_FAST_FOR_TESTS).unwrap();
    let id = vault
        .add_with(
            Account {
                issuer: Some(ISSUER.into()),
                name: RENAMED.into(),
                secret: Secret::from_slice(SECRET),
                params: OtpParams::totp(),
            },
            Extras {
                favourite: true,
                groups: vec![GROUP.into()],
                note: NOTE.into(),
                icon: Some(ICON.into()),
            },
        )
        .unwrap();
    vault.rename(id, Some(ISSUER.into()), NAME.into()).unwrap();
    for i in 0..20 {
        vault
            .add(Account {
                issuer: Some(format!("{ISSUER}-{i}")),
                name: format!("{NAME}-{i}"),
                secret: Secret::from_slice(SECRET),
                params: OtpParams::hotp(0),
            })
            .unwrap();
    }
    // While open: the recent writes sit in the WAL.
    assert_nothing_in_plain_text(&path, true);
    drop(vault);
    // After close (checkpointed into the main file).
    assert_nothing_in_plain_text(&path, false);
    let mut vault = Vault::open(&path).unwrap();
    vault.unlock_with_passphrase(PASSPHRASE).unwrap();
    assert_eq!(
        vault.get(id).unwrap().account.name,
        NAME,
        "the data is really there"
    );
}

/// The vault key as wrapped under the passphrase slot: read straight from the `meta` table with
/// SQLite. In a header holding one passphrase slot, the slot comes last and ends with the
/// wrapped key: a 24-byte XChaCha20 nonce, the 32-byte key and the 16-byte Poly1305 tag.
fn wrapped_key_of_only_slot(path: &Path) -> Vec<u8> {
    let conn =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let header: Vec<u8> = conn
        .query_row("SELECT value FROM meta WHERE name = 'header'", [], |r| {
            r.get(0)
        })
        .unwrap();
    header[header.len() - 72..].to_vec()
}

#[test]
fn a_changed_passphrase_leaves_no_old_slot_in_the_file_or_its_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.jeton");
    let vault = Vault::create_with_kdf(&path, "old passphrase", KdfParams::INSECURE_FAST_FOR_TESTS)
        .unwrap();
    drop(vault);
    let old_slot = wrapped_key_of_only_slot(&path);
    // Positive control: the scan finds the slot where it is.
    assert!(files(&path).iter().any(|(_, b)| contains(b, &old_slot)));

    let mut vault = Vault::open(&path).unwrap();
    vault.unlock_with_passphrase("old passphrase").unwrap();
    vault
        .change_passphrase_with_kdf("new passphrase", KdfParams::INSECURE_FAST_FOR_TESTS)
        .unwrap();
    // Still open (as when the app is killed right after): neither the file nor the WAL holds
    // the key wrapped under the old passphrase.
    for (file, bytes) in files(&path) {
        assert!(
            !contains(&bytes, &old_slot),
            "the old passphrase slot is still in {}",
            file.display()
        );
    }
    assert_ne!(wrapped_key_of_only_slot(&path), old_slot);
    drop(vault);
    let mut vault = Vault::open(&path).unwrap();
    assert!(vault.unlock_with_passphrase("old passphrase").is_err());
    vault.unlock_with_passphrase("new passphrase").unwrap();
}
