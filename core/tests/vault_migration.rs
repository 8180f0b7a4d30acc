//! A real format-1 vault (tests/data/vault-v1.jeton, written by the code before format 2; see
//! tests/data/README.md) opens, unlocks and is migrated to the current format on unlock.
//! Expected codes come from outside the code under test: RFC 6238 (Omnivox, T = 59 s) and
//! `oathtool --hotp -c 5 JBSWY3DPEHPK3PXP` (Deno).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use jeton_core::ClockOffset;
use jeton_core::vault::{CurrentCode, FORMAT, Vault, VaultError};

const PASSPHRASE: &str = "fixture passphrase v1";

fn fixture_copy(dir: &Path) -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/vault-v1.jeton");
    let path = dir.join("vault.jeton");
    std::fs::copy(source, &path).unwrap();
    path
}

fn header_format(path: &Path) -> u16 {
    let conn = rusqlite::Connection::open(path).unwrap();
    let header: Vec<u8> = conn
        .query_row("SELECT value FROM meta WHERE name = 'header'", [], |r| {
            r.get(0)
        })
        .unwrap();
    u16::from_be_bytes([header[8], header[9]])
}

fn has_clock_row(path: &Path) -> bool {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("SELECT count(*) FROM meta WHERE name = 'clock'", [], |r| {
        r.get::<_, i64>(0)
    })
    .unwrap()
        > 0
}

#[test]
fn a_version_1_vault_is_migrated_on_unlock_with_everything_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture_copy(dir.path());
    assert_eq!(header_format(&path), 1);
    assert!(has_clock_row(&path));

    let mut vault = Vault::open(&path).unwrap();
    assert!(matches!(
        vault.unlock_with_passphrase("wrong"),
        Err(VaultError::WrongPassphrase)
    ));
    // A failed unlock changes nothing.
    assert_eq!(header_format(&path), 1);
    vault.unlock_with_passphrase(PASSPHRASE).unwrap();
    assert!(vault.damaged().is_empty());
    assert_eq!(FORMAT, 2);
    assert_eq!(header_format(&path), FORMAT);
    // The clock correction moved into the index.
    assert!(!has_clock_row(&path));
    assert_eq!(
        vault.clock_offset().unwrap(),
        Some(ClockOffset::from_seconds(-120))
    );

    let labels: Vec<String> = vault.list().unwrap().iter().map(|e| e.label()).collect();
    assert_eq!(labels, ["Omnivox (2412345)", "Deno (mason@example.com)"]);
    let codes = vault.codes_at(59).unwrap();
    assert!(matches!(&codes[0].current, CurrentCode::Ready(code) if code.digits == "287082"));
    let hotp = vault.list().unwrap()[1].id;
    drop(vault);

    // Reopened in the new format: same passphrase, same accounts, the HOTP counter where it was.
    let mut vault = Vault::open(&path).unwrap();
    vault.unlock_with_passphrase(PASSPHRASE).unwrap();
    assert!(vault.damaged().is_empty());
    assert_eq!(vault.list().unwrap().len(), 2);
    assert_eq!(vault.next_hotp(hotp).unwrap().digits, "768897");
    assert_eq!(
        vault.clock_offset().unwrap(),
        Some(ClockOffset::from_seconds(-120))
    );
}

#[test]
fn a_version_1_vault_with_damage_is_read_but_not_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = fixture_copy(dir.path());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute("UPDATE meta SET value = x'00' WHERE name = 'clock'", [])
            .unwrap();
    }
    let mut vault = Vault::open(&path).unwrap();
    vault.unlock_with_passphrase(PASSPHRASE).unwrap();
    assert_eq!(vault.damaged().len(), 1);
    assert_eq!(vault.list().unwrap().len(), 2);
    // Left in format 1 for a later repair, and still writable as format 1.
    assert_eq!(header_format(&path), 1);
    vault
        .set_clock_offset(ClockOffset::from_seconds(5))
        .unwrap();
    let id = vault.list().unwrap()[0].id;
    vault.mark_used(id, 100).unwrap();
    drop(vault);
    let mut vault = Vault::open(&path).unwrap();
    vault.unlock_with_passphrase(PASSPHRASE).unwrap();
    // Now intact: migrated.
    assert!(vault.damaged().is_empty());
    assert_eq!(header_format(&path), FORMAT);
    assert_eq!(
        vault.clock_offset().unwrap(),
        Some(ClockOffset::from_seconds(5))
    );
}
