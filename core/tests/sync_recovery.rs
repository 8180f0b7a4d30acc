//! Joining a sync with its recovery passphrase alone (a lost phone), over a real folder store.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use jeton_core::sync::{self, BlobStore, FolderStore, SyncError, recovery};
use jeton_core::vault::{KdfParams, Vault, VaultError};

const CHEAP: KdfParams = KdfParams::INSECURE_FAST_FOR_TESTS;
// RFC 6238 Appendix B's SHA-1 secret: 94287082 at t = 59 with 8 digits.
const RFC: &str =
    "otpauth://totp/ACME:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=ACME&digits=8";
const OMNIVOX: &str = "otpauth://totp/Omnivox:2412345?secret=JBSWY3DPEHPK3PXP";

fn vault(dir: &Path, name: &str) -> Vault {
    Vault::create_with_kdf(dir.join(format!("{name}.jeton")), "password", CHEAP).unwrap()
}

/// A folder store in a new folder, as a cloud drive's folder would be.
fn drive(dir: &Path) -> (std::path::PathBuf, FolderStore) {
    let root = dir.join("drive");
    std::fs::create_dir(&root).unwrap();
    let store = FolderStore::new(&root).unwrap();
    (root, store)
}

fn recovery_files(root: &Path) -> Vec<String> {
    FolderStore::new(root)
        .unwrap()
        .list("jeton-sync/v1/recovery")
        .unwrap()
}

/// A phone that syncs two accounts and has set a recovery passphrase.
fn lost_phone(dir: &Path, store: &FolderStore, passphrase: &str) -> Vault {
    let mut phone = vault(dir, "phone");
    phone.add(jeton_core::uri::parse(RFC).unwrap()).unwrap();
    phone.add(jeton_core::uri::parse(OMNIVOX).unwrap()).unwrap();
    sync::init(&mut phone, store).unwrap();
    sync::sync(&mut phone, store).unwrap();
    recovery::set_passphrase_with(&sync::key(&phone).unwrap(), store, passphrase, CHEAP).unwrap();
    phone
}

#[test]
fn a_new_phone_joins_with_the_passphrase_alone_and_gets_every_account() {
    let dir = tempfile::tempdir().unwrap();
    let (_, store) = drive(dir.path());
    let phone = lost_phone(dir.path(), &store, "four random words here");
    drop(phone); // lost

    let mut new = vault(dir.path(), "new");
    recovery::join_with_passphrase(&mut new, &store, "four random words here").unwrap();
    let report = sync::sync(&mut new, &store).unwrap();
    assert_eq!(report.added, 2);
    let acme = new
        .list()
        .unwrap()
        .into_iter()
        .find(|e| e.issuer.as_deref() == Some("ACME"))
        .unwrap();
    let account = new.get(acme.id).unwrap().account;
    assert_eq!(account.code_at(59).unwrap().digits, "94287082");
}

#[test]
fn a_wrong_short_or_missing_passphrase_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let (_, store) = drive(dir.path());
    let mut other = vault(dir.path(), "other");
    assert!(matches!(
        recovery::join_with_passphrase(&mut other, &store, "anything at all"),
        Err(SyncError::NoRecovery)
    ));

    let phone = lost_phone(dir.path(), &store, "four random words here");
    assert!(matches!(
        recovery::set_passphrase_with(&sync::key(&phone).unwrap(), &store, "short", CHEAP),
        Err(SyncError::Vault(VaultError::PassphraseTooShort {
            chars: 5,
            ..
        }))
    ));
    assert!(matches!(
        recovery::join_with_passphrase(&mut other, &store, "four random words HERE"),
        Err(SyncError::WrongRecoveryPassphrase)
    ));
    assert!(
        !sync::is_set_up(&other).unwrap(),
        "a failed join changes nothing"
    );
    recovery::join_with_passphrase(&mut other, &store, "four random words here").unwrap();
}

#[test]
fn setting_it_again_replaces_it_and_removing_it_leaves_pairing_only() {
    let dir = tempfile::tempdir().unwrap();
    let (root, store) = drive(dir.path());
    let phone = lost_phone(dir.path(), &store, "the first passphrase");
    recovery::set_passphrase_with(
        &sync::key(&phone).unwrap(),
        &store,
        "the second passphrase",
        CHEAP,
    )
    .unwrap();
    assert_eq!(recovery_files(&root).len(), 1);

    let mut a = vault(dir.path(), "a");
    assert!(matches!(
        recovery::join_with_passphrase(&mut a, &store, "the first passphrase"),
        Err(SyncError::WrongRecoveryPassphrase)
    ));
    recovery::join_with_passphrase(&mut a, &store, "the second passphrase").unwrap();

    recovery::remove_passphrase(&store).unwrap();
    assert!(!recovery::has_passphrase(&store).unwrap());
    let mut b = vault(dir.path(), "b");
    assert!(matches!(
        recovery::join_with_passphrase(&mut b, &store, "the second passphrase"),
        Err(SyncError::NoRecovery)
    ));
}

#[test]
fn the_store_never_holds_the_sync_key_in_the_clear_and_an_altered_file_does_not_open() {
    let dir = tempfile::tempdir().unwrap();
    let (root, store) = drive(dir.path());
    let phone = lost_phone(dir.path(), &store, "four random words here");
    let key = sync::key(&phone).unwrap();
    let name = recovery_files(&root).pop().unwrap();
    let path = root.join(&name);
    let file = std::fs::read(&path).unwrap();
    assert!(
        !file.windows(32).any(|w| w == key.expose()),
        "the sync key is in the clear"
    );

    // One bit flipped in the sealed key: the passphrase no longer opens it.
    let mut altered = file.clone();
    let last = altered.len() - 1;
    altered[last] ^= 1;
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, &altered).unwrap();
    let mut new = vault(dir.path(), "new");
    assert!(matches!(
        recovery::join_with_passphrase(&mut new, &store, "four random words here"),
        Err(SyncError::WrongRecoveryPassphrase)
    ));
}

/// What other programs leave in the recovery folder, sorted before the real file: a Mac's
/// AppleDouble companion (`._<name>`, written by Finder on USB sticks, SMB shares and WebDAV
/// volumes) and a Syncthing download in progress (`.syncthing.<name>.tmp`).
fn foreign_beside(name: &str) -> [String; 2] {
    let (folder, file) = name.rsplit_once('/').unwrap();
    [
        format!("{folder}/._{file}"),
        format!("{folder}/.syncthing.{file}.tmp"),
    ]
}

/// AppleDouble's magic and header, as Finder writes it.
const APPLE_DOUBLE: &[u8] = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ";

#[test]
fn other_programs_files_in_the_recovery_folder_are_not_recovery_files() {
    let dir = tempfile::tempdir().unwrap();
    let (root, store) = drive(dir.path());
    let phone = lost_phone(dir.path(), &store, "four random words here");
    drop(phone);
    let real = recovery_files(&root).pop().unwrap();
    for foreign in foreign_beside(&real) {
        std::fs::write(root.join(&foreign), APPLE_DOUBLE).unwrap();
    }
    assert_eq!(recovery_files(&root).len(), 3, "the store lists them");
    // A damaged file of Jeton's name, sorted first, hides nothing either.
    let damaged = "jeton-sync/v1/recovery/00000000000000000000000000000000.key";
    std::fs::write(root.join(damaged), b"not a recovery file").unwrap();

    // The lost phone's owner gets in, not "tampered with".
    let mut new = vault(dir.path(), "new");
    recovery::join_with_passphrase(&mut new, &store, "four random words here").unwrap();
    assert_eq!(sync::sync(&mut new, &store).unwrap().added, 2);

    // Alone, the damaged file is reported as such.
    std::fs::remove_file(root.join(&real)).unwrap();
    assert!(matches!(
        recovery::open(&store, "four random words here"),
        Err(SyncError::Tampered(_))
    ));

    // Removing the passphrase removes Jeton's files; what is left is no passphrase.
    recovery::remove_passphrase(&store).unwrap();
    assert!(!root.join(damaged).exists());
    assert!(!recovery::has_passphrase(&store).unwrap());
    assert!(matches!(
        recovery::open(&store, "four random words here"),
        Err(SyncError::NoRecovery)
    ));
}
