//! A Google Authenticator export of two QR codes, scanned through the FFI in any order and
//! imported by a `MigrationScans`: the shells only ever hold opaque parts, never the codes' text,
//! and a failed import keeps them for the retry.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use jeton_ffi::{JetonError, MigrationScans, ScannedContent, Vault, scan_image};

#[test]
fn a_two_code_export_is_collected_across_scans_and_imported_at_once() {
    // Twelve accounts: Jeton writes ten a code, so the export is two codes (the writer is tested
    // against Google's own protobuf library in core/tests/google.rs).
    let parts = migration_parts(12);
    assert_eq!(parts.len(), 2);
    assert!(!format!("{:?}", parts[0]).contains("otpauth-migration"));

    let dir = tempfile::tempdir().unwrap();
    let vault = new_vault(&dir);
    let scans = MigrationScans::new();
    // The second code first, then the second again: one of two, and a repeat changes nothing.
    let progress = scans.add(Arc::clone(&parts[1])).unwrap();
    assert_eq!(
        (progress.scanned, progress.total, progress.complete),
        (1, 2, false)
    );
    assert!(scans.add(Arc::clone(&parts[1])).unwrap().repeated);
    let early = scans.import_into(Arc::clone(&vault).accounts());
    assert!(
        matches!(early, Err(JetonError::InvalidFile(ref m)) if m.contains('1')),
        "{early:?}"
    );
    assert!(Arc::clone(&vault).accounts().list().unwrap().is_empty());

    let progress = scans.add(Arc::clone(&parts[0])).unwrap();
    assert!(progress.complete);
    let summary = scans.import_into(Arc::clone(&vault).accounts()).unwrap();
    assert_eq!(summary.added.len(), 12, "{summary:?}");
    assert_eq!(summary.added[0], "Issuer0 (user0)");
    assert_eq!(Arc::clone(&vault).accounts().list().unwrap().len(), 12);
}

const PASSPHRASE: &str = "correct horse";

fn new_vault(dir: &tempfile::TempDir) -> Arc<Vault> {
    let cheap = jeton_ffi::KdfParameters {
        memory_kib: 8,
        iterations: 1,
        parallelism: 1,
    };
    let path = dir.path().join("v.jeton").display().to_string();
    Vault::create_with_kdf(path, PASSPHRASE.into(), cheap).unwrap()
}

/// The codes of a Google Authenticator export of `n` accounts, each scanned through the FFI.
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
            assert_eq!(codes.len(), 1);
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
