//! The vault file itself: created exclusively and 0600 from the first instant whatever the
//! umask, and its clock correction covered by the index's integrity.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use jeton_core::ClockOffset;
use jeton_core::vault::{Damage, KdfParams, Vault, VaultError};

const FAST: KdfParams = KdfParams::INSECURE_FAST_FOR_TESTS;

fn meta(path: &Path, name: &str) -> Vec<u8> {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("SELECT value FROM meta WHERE name = ?1", [name], |r| {
        r.get(0)
    })
    .unwrap()
}

fn set_meta(path: &Path, name: &str, value: &[u8]) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute(
        "UPDATE meta SET value = ?2 WHERE name = ?1",
        rusqlite::params![name, value],
    )
    .unwrap();
}

#[cfg(unix)]
#[test]
fn vault_files_are_0600_under_umask_022() {
    use std::os::unix::fs::PermissionsExt;
    // The umask is process-wide; this test binary holds only tests that create files with an
    // explicit mode, so setting it here affects nothing else.
    // SAFETY: umask only swaps an integer in the process; it cannot fail.
    let old = unsafe { libc::umask(0o022) };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.jeton");
    let mut vault = Vault::create_with_kdf(&path, "password", FAST).unwrap();
    vault
        .add(jeton_core::uri::parse("otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP").unwrap())
        .unwrap();
    let mut checked = 0;
    for suffix in ["", "-wal", "-shm"] {
        let mut name = path.clone().into_os_string();
        name.push(suffix);
        if let Ok(meta) = std::fs::metadata(&name) {
            assert_eq!(
                meta.permissions().mode() & 0o777,
                0o600,
                "{}",
                Path::new(&name).display()
            );
            checked += 1;
        }
    }
    // SAFETY: as above.
    unsafe { libc::umask(old) };
    assert!(checked >= 2, "the vault and its WAL exist while it is open");
}

#[test]
fn creation_is_exclusive_and_leaves_another_file_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.jeton");
    std::fs::write(&path, b"someone else's file").unwrap();
    let wal = dir.path().join("vault.jeton-wal");
    std::fs::write(&wal, b"not ours either").unwrap();
    assert!(matches!(
        Vault::create_with_kdf(&path, "password", FAST),
        Err(VaultError::AlreadyExists(_))
    ));
    assert_eq!(std::fs::read(&path).unwrap(), b"someone else's file");
    assert_eq!(std::fs::read(&wal).unwrap(), b"not ours either");
    // A folder that does not exist is a clear error, and leaves nothing behind.
    let missing = dir.path().join("no/such/folder/vault.jeton");
    assert!(matches!(
        Vault::create_with_kdf(&missing, "password", FAST),
        Err(VaultError::Create { .. })
    ));
}

#[test]
fn kdf_costs_below_the_floor_are_refused_outside_test_builds() {
    // This build has the `test-params` feature (the cheap costs are allowed); what it cannot
    // lift is the ceiling, and costs Argon2 cannot run are refused before any file is made.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.jeton");
    let zero = KdfParams {
        memory_kib: 0,
        iterations: 0,
        parallelism: 0,
    };
    assert!(matches!(
        Vault::create_with_kdf(&path, "password", zero),
        Err(VaultError::Kdf(_))
    ));
    let bomb = KdfParams {
        memory_kib: u32::MAX,
        ..KdfParams::DEFAULT
    };
    assert!(matches!(
        Vault::create_with_kdf(&path, "password", bomb),
        Err(VaultError::Kdf(_))
    ));
    assert!(!path.exists());
    assert!(KdfParams::OWASP_MINIMUM.check_chosen().is_ok());
}

#[test]
fn a_replayed_older_clock_correction_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.jeton");
    let mut vault = Vault::create_with_kdf(&path, "password", FAST).unwrap();
    vault
        .set_clock_offset(ClockOffset::from_seconds(-300))
        .unwrap();
    let old_index = meta(&path, "index");
    vault
        .set_clock_offset(ClockOffset::from_seconds(0))
        .unwrap();
    drop(vault);

    // The older correction lives in the older index: putting it back alone breaks the MAC
    // over the generation, exactly as an older index would.
    set_meta(&path, "index", &old_index);
    let mut vault = Vault::open(&path).unwrap();
    assert!(matches!(
        vault.unlock_with_passphrase("password"),
        Err(VaultError::Damaged(Damage::Header))
    ));
}

#[test]
fn a_format_1_clock_row_put_back_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.jeton");
    let mut vault = Vault::create_with_kdf(&path, "password", FAST).unwrap();
    vault
        .set_clock_offset(ClockOffset::from_seconds(7))
        .unwrap();
    drop(vault);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "INSERT INTO meta (name, value) VALUES ('clock', x'00112233')",
        [],
    )
    .unwrap();
    drop(conn);
    let mut vault = Vault::open(&path).unwrap();
    vault.unlock_with_passphrase("password").unwrap();
    assert!(vault.damaged().is_empty());
    assert_eq!(
        vault.clock_offset().unwrap(),
        Some(ClockOffset::from_seconds(7))
    );
}
