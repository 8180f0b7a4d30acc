//! What a shell is told when a call fails: the `JetonError` variant its doc promises, and
//! nothing lost for the retry.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use jeton_ffi::{JetonError, KdfParameters, MigrationScans, ScannedContent, Vault, scan_image};

const PASSPHRASE: &str = "correct horse battery";

fn cheap() -> KdfParameters {
    KdfParameters {
        memory_kib: 8,
        iterations: 1,
        parallelism: 1,
    }
}

fn new_vault(dir: &tempfile::TempDir) -> Arc<Vault> {
    Vault::create_with_kdf(
        dir.path().join("v.jeton").display().to_string(),
        PASSPHRASE.into(),
        cheap(),
    )
    .unwrap()
}

/// `export_backup` with a passphrase below the 8-character floor is a bad argument the user can
/// fix (`InvalidParameters`, as the same refusal for a vault passphrase is), not
/// `InvalidFile`, which documents "a file to import cannot be read ... Nothing was imported".
#[test]
fn a_too_short_backup_passphrase_is_invalid_parameters_not_invalid_file() {
    let dir = tempfile::tempdir().unwrap();
    let vault = new_vault(&dir);
    let accounts = Arc::clone(&vault).accounts();
    accounts
        .add_uri("otpauth://totp/Omnivox:2412345?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ".into())
        .unwrap();
    let result = accounts.export_backup("abc".into());
    assert!(
        matches!(result, Err(JetonError::InvalidParameters(_))),
        "a 3-character backup passphrase gave {result:?}"
    );
    // The vault's own floor, for comparison, is InvalidParameters:
    let vault_short = Arc::clone(&vault).keys().change_passphrase("abc".into());
    assert!(
        matches!(vault_short, Err(JetonError::InvalidParameters(_))),
        "{vault_short:?}"
    );
}

fn migration_parts(n: usize) -> Vec<Arc<jeton_ffi::MigrationPart>> {
    let accounts: Vec<jeton_core::Account> = (0..n)
        .map(|i| {
            jeton_core::uri::parse(&format!(
                "otpauth://totp/Issuer{i}:user{i}?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Issuer{i}"
            ))
            .unwrap()
        })
        .collect();
    let export = jeton_core::export::google_migration(&accounts).unwrap();
    export
        .uris
        .iter()
        .map(|uri| {
            let png = jeton_core::draw::png(uri, 4).unwrap();
            let mut codes = scan_image(png.to_vec()).unwrap();
            match codes.remove(0).content {
                ScannedContent::Migration { part } => part,
                _ => panic!("an export's code was not seen as one"),
            }
        })
        .collect()
}

/// `import_into` on a locked vault fails with `Locked` ("unlock it"), so the shell unlocks
/// and retries; the scanned codes are still there, and the retry imports every account (no
/// scanning the whole export again).
#[test]
fn a_migration_import_refused_because_the_vault_is_locked_keeps_the_scans() {
    let dir = tempfile::tempdir().unwrap();
    let vault = new_vault(&dir);
    let scans = MigrationScans::new();
    for part in migration_parts(12) {
        scans.add(part).unwrap();
    }
    vault.lock().unwrap();
    let locked = scans.import_into(Arc::clone(&vault).accounts());
    assert!(matches!(locked, Err(JetonError::Locked(_))), "{locked:?}");

    vault.unlock_with_passphrase(PASSPHRASE.into()).unwrap();
    let retry = scans.import_into(Arc::clone(&vault).accounts());
    assert!(
        matches!(&retry, Ok(summary) if summary.added.len() == 12),
        "after unlocking, the retry gave {retry:?}"
    );
    assert_eq!(Arc::clone(&vault).accounts().list().unwrap().len(), 12);
}
