//! What a shell is told when a call fails: the `JetonError` variant its doc promises.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use jeton_ffi::{JetonError, KdfParameters, Vault};

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
