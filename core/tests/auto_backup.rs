//! Automatic backups as a user meets them: a backup after each change of accounts in the chosen
//! folder, the last N kept, each an ordinary Jeton backup that opens with the vault's passphrase
//! and whose drill passes; a folder that cannot be written never loses or blocks a change.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use jeton_core::Account;
use jeton_core::backup::{self, BackupError, auto::AutoBackup, auto::AutoBackupError};
use jeton_core::vault::{KdfParams, Vault, VaultError};

const FAST: KdfParams = KdfParams::INSECURE_FAST_FOR_TESTS;
const PASSPHRASE: &str = "correct horse battery";

fn account(n: usize) -> Account {
    // A distinct secret per account.
    let secret = data_encoding::BASE32_NOPAD.encode(format!("secret-of-account-{n:04}").as_bytes());
    jeton_core::uri::parse(&format!(
        "otpauth://totp/Service{n}:user{n}@example.org?secret={secret}&issuer=Service{n}"
    ))
    .unwrap()
}

fn choice(folder: &Path, keep: usize) -> AutoBackup {
    AutoBackup::new(folder.to_str().unwrap(), keep).unwrap()
}

/// Every file in `folder`, sorted by name.
fn files(folder: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    found.sort();
    found
}

fn new_vault(dir: &Path) -> Vault {
    Vault::create_with_kdf(dir.join("vault.jeton"), PASSPHRASE, FAST).unwrap()
}

#[test]
fn after_n_plus_2_changes_exactly_n_backups_each_opening_with_the_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("sauvegardes");
    std::fs::create_dir(&folder).unwrap();
    let n = 3;
    let mut vault = new_vault(dir.path());
    vault
        .set_auto_backup(choice(&folder, n), PASSPHRASE)
        .unwrap();
    // Turning them on writes the first backup, of the empty vault.
    assert_eq!(files(&folder).len(), 1);
    assert!(matches!(vault.last_auto_backup(), Some(Ok(_))));

    // What the vault should hold after each change: kept by the test, not read from the vault.
    let mut states: Vec<Vec<Account>> = Vec::new();
    let mut expected = Vec::new();
    for i in 0..n + 2 {
        expected.push(account(i));
        vault.add(account(i)).unwrap();
        states.push(expected.clone());
        let written = vault.last_auto_backup().unwrap().as_ref().unwrap();
        assert!(written.path.starts_with(&folder));
    }
    let kept = files(&folder);
    assert_eq!(kept.len(), n, "{kept:?}");
    // The newest N, oldest first: the states after the last N changes.
    for (file, state) in kept.iter().zip(&states[states.len() - n..]) {
        let bytes = std::fs::read(file).unwrap();
        let report = backup::drill(&bytes, PASSPHRASE, state).unwrap();
        assert!(report.passed(), "{}: {report:?}", file.display());
        assert_eq!(report.matched, state.len());
        assert_eq!(
            backup::open(&bytes, "not the passphrase").unwrap_err(),
            BackupError::WrongPassphrase
        );
        if cfg!(unix) {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(file).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", file.display());
        }
    }
    // The newest matches the vault as it is.
    let newest = std::fs::read(kept.last().unwrap()).unwrap();
    let report = jeton_core::transfer::drill(&newest, PASSPHRASE, &vault).unwrap();
    assert!(report.passed(), "{report:?}");
}

#[test]
fn only_changes_to_what_a_backup_holds_write_one() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("b");
    std::fs::create_dir(&folder).unwrap();
    let mut vault = new_vault(dir.path());
    let id = vault.add(account(1)).unwrap();
    vault
        .set_auto_backup(choice(&folder, 10), PASSPHRASE)
        .unwrap();
    assert_eq!(files(&folder).len(), 1);
    // Taking a code records when, which no backup holds: no new backup.
    vault.mark_used(id, 1_800_000_000).unwrap();
    assert_eq!(files(&folder).len(), 1);
    vault
        .rename(id, Some("Omnivox".into()), "2412345".into())
        .unwrap();
    assert_eq!(files(&folder).len(), 2);
    vault.remove(id).unwrap();
    assert_eq!(files(&folder).len(), 3);
    let newest = std::fs::read(files(&folder).last().unwrap()).unwrap();
    assert!(backup::drill(&newest, PASSPHRASE, &[]).unwrap().passed());
}

/// Makes `folder` unwritable; false if this process can write it anyway (root without a
/// filesystem that honours the immutable flag).
#[cfg(unix)]
fn make_read_only(folder: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o555)).unwrap();
    let probe = folder.join("probe");
    if std::fs::write(&probe, b"x").is_err() {
        return true;
    }
    std::fs::remove_file(&probe).unwrap();
    // Root ignores permissions; the immutable attribute binds root too.
    let immutable = std::process::Command::new("chattr")
        .arg("+i")
        .arg(folder)
        .status()
        .is_ok_and(|s| s.success());
    immutable && std::fs::write(&probe, b"x").is_err()
}

#[cfg(unix)]
fn make_writable(folder: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::process::Command::new("chattr")
        .arg("-i")
        .arg(folder)
        .status();
    std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[cfg(unix)]
#[test]
fn a_read_only_folder_is_reported_and_the_change_still_commits() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("lecture-seule");
    std::fs::create_dir(&folder).unwrap();
    let mut vault = new_vault(dir.path());
    vault
        .set_auto_backup(choice(&folder, 5), PASSPHRASE)
        .unwrap();
    assert_eq!(files(&folder).len(), 1);
    if !make_read_only(&folder) {
        make_writable(&folder);
        eprintln!("skipped: this process can write a read-only folder");
        return;
    }
    let id = vault.add(account(7)).unwrap();
    let failure = vault
        .last_auto_backup()
        .unwrap()
        .as_ref()
        .unwrap_err()
        .clone();
    make_writable(&folder);
    assert!(
        matches!(failure, AutoBackupError::Write { .. }),
        "{failure:?}"
    );
    assert!(
        failure.to_string().contains("the change is saved"),
        "{failure}"
    );
    assert_eq!(files(&folder).len(), 1, "no partial file left behind");
    // The change is committed: a fresh handle sees it.
    drop(vault);
    let mut vault = Vault::open(dir.path().join("vault.jeton")).unwrap();
    vault.unlock_with_passphrase(PASSPHRASE).unwrap();
    assert_eq!(vault.get(id).unwrap().account, account(7));
    // Once the folder is writable again, the next change is backed up, with both accounts.
    vault.add(account(8)).unwrap();
    assert!(matches!(vault.last_auto_backup(), Some(Ok(_))));
    let newest = std::fs::read(files(&folder).last().unwrap()).unwrap();
    let report = backup::drill(&newest, PASSPHRASE, &[account(7), account(8)]).unwrap();
    assert!(report.passed(), "{report:?}");
}

#[test]
fn a_missing_folder_is_reported_and_the_change_still_commits() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("cle-usb");
    std::fs::create_dir(&folder).unwrap();
    let mut vault = new_vault(dir.path());
    vault
        .set_auto_backup(choice(&folder, 5), PASSPHRASE)
        .unwrap();
    std::fs::remove_dir_all(&folder).unwrap();
    let id = vault.add(account(1)).unwrap();
    assert_eq!(
        vault.last_auto_backup().unwrap().as_ref().unwrap_err(),
        &AutoBackupError::FolderMissing(folder.to_str().unwrap().to_owned())
    );
    assert!(vault.get(id).is_ok());
    assert!(
        !folder.exists(),
        "the folder is not recreated behind the user's back"
    );
}

#[test]
fn the_setting_is_kept_in_the_vault_and_other_files_are_never_touched() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("b");
    std::fs::create_dir(&folder).unwrap();
    let others = [
        "notes.txt",
        "jeton-backup-manual.json",
        "jeton-backup-19990101-000000-000.json.bak",
    ];
    for name in others {
        std::fs::write(folder.join(name), b"mine").unwrap();
    }
    let mut vault = new_vault(dir.path());
    vault
        .set_auto_backup(choice(&folder, 2), PASSPHRASE)
        .unwrap();
    drop(vault);
    let mut vault = Vault::open(dir.path().join("vault.jeton")).unwrap();
    vault.unlock_with_passphrase(PASSPHRASE).unwrap();
    assert_eq!(vault.auto_backup().unwrap(), Some(choice(&folder, 2)));
    for i in 0..4 {
        vault.add(account(i)).unwrap();
    }
    let names: Vec<String> = files(&folder)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), others.len() + 2, "{names:?}");
    for name in others {
        assert_eq!(std::fs::read(folder.join(name)).unwrap(), b"mine");
    }
    // Off: nothing more is written, and what was written stays.
    vault.turn_off_auto_backup().unwrap();
    assert_eq!(vault.auto_backup().unwrap(), None);
    vault.add(account(9)).unwrap();
    assert!(vault.last_auto_backup().is_none());
    assert_eq!(files(&folder).len(), others.len() + 2);
}

#[test]
fn backups_follow_a_passphrase_change_and_refuse_a_wrong_one() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("b");
    std::fs::create_dir(&folder).unwrap();
    let mut vault = new_vault(dir.path());
    vault.add(account(1)).unwrap();
    assert!(matches!(
        vault.set_auto_backup(choice(&folder, 5), "not the passphrase"),
        Err(VaultError::WrongPassphrase)
    ));
    assert_eq!(vault.auto_backup().unwrap(), None);
    assert!(files(&folder).is_empty());

    vault
        .set_auto_backup(choice(&folder, 5), PASSPHRASE)
        .unwrap();
    vault
        .change_passphrase_with_kdf("a brand new passphrase", FAST)
        .unwrap();
    let kept = files(&folder);
    assert_eq!(kept.len(), 2, "a backup right after the change");
    let before = std::fs::read(&kept[0]).unwrap();
    let after = std::fs::read(&kept[1]).unwrap();
    assert!(
        backup::drill(&before, PASSPHRASE, &[account(1)])
            .unwrap()
            .passed()
    );
    assert!(
        backup::drill(&after, "a brand new passphrase", &[account(1)])
            .unwrap()
            .passed()
    );
    assert_eq!(
        backup::open(&after, PASSPHRASE).unwrap_err(),
        BackupError::WrongPassphrase
    );
}

#[test]
fn changes_a_sync_brings_are_backed_up_too() {
    use jeton_core::sync::{self, FolderStore};
    let dir = tempfile::tempdir().unwrap();
    let store_dir = dir.path().join("store");
    let folder = dir.path().join("b");
    std::fs::create_dir(&store_dir).unwrap();
    std::fs::create_dir(&folder).unwrap();
    let store = FolderStore::new(&store_dir).unwrap();
    let mut phone = new_vault(dir.path());
    let mut tablet =
        Vault::create_with_kdf(dir.path().join("tablet.jeton"), PASSPHRASE, FAST).unwrap();
    sync::init(&mut phone, &store).unwrap();
    sync::sync(&mut phone, &store).unwrap();
    sync::join(&mut tablet, &store, &sync::key(&phone).unwrap()).unwrap();
    phone
        .set_auto_backup(choice(&folder, 5), PASSPHRASE)
        .unwrap();
    assert_eq!(files(&folder).len(), 1);

    tablet.add(account(3)).unwrap();
    sync::sync(&mut tablet, &store).unwrap();
    // A sync that brings an account writes a backup holding it.
    let report = sync::sync(&mut phone, &store).unwrap();
    assert_eq!(report.added, 1);
    assert_eq!(files(&folder).len(), 2);
    let newest = std::fs::read(files(&folder).last().unwrap()).unwrap();
    assert!(
        backup::drill(&newest, PASSPHRASE, &[account(3)])
            .unwrap()
            .passed()
    );
    // One that brings nothing new writes none.
    sync::sync(&mut phone, &store).unwrap();
    assert_eq!(files(&folder).len(), 2);
}
