//! Imports into a vault (one transaction, with a summary), backups of a vault, restores into a
//! new or existing vault with duplicate detection, and drills against the vault.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use jeton_core::backup::{self, KdfParams};
use jeton_core::import::{self, Entry};
use jeton_core::transfer::{self, TransferError};
use jeton_core::uri;
use jeton_core::vault::{self, Vault, VaultError};

const FAST: vault::KdfParams = vault::KdfParams::INSECURE_FAST_FOR_TESTS;

fn new_vault(dir: &tempfile::TempDir, name: &str) -> Vault {
    Vault::create_with_kdf(dir.path().join(name), "vault pw", FAST).unwrap()
}

fn list(lines: &[&str]) -> import::Imported {
    import::read(lines.join("\n").as_bytes(), None, None).unwrap()
}

const DENO: &str = "otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&issuer=Deno";
const WWE: &str = "otpauth://hotp/WWE:Mason?secret=5VAML3X35THCEBVRLV24CGBKOY&algorithm=SHA512&digits=8&counter=10300";
/// Same issuer and name as DENO, another secret: another account.
const DENO_OTHER_SECRET: &str = "otpauth://totp/Deno:Mason?secret=JBSWY3DPEHPK3PXP&issuer=Deno";
/// Same secret and name as DENO, another issuer: another account.
const DENO_OTHER_ISSUER: &str =
    "otpauth://totp/Dino:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&issuer=Dino";

#[test]
fn import_summary_and_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = new_vault(&dir, "v.jeton");
    let summary = transfer::import_into(
        &mut vault,
        list(&[DENO, WWE, DENO, "otpauth://totp/Bad:x?secret=0"]),
    )
    .unwrap();
    assert_eq!(summary.added, ["Deno (Mason)", "WWE (Mason)"]);
    assert_eq!(
        summary.duplicates,
        ["Deno (Mason)"],
        "the second DENO line of the same file"
    );
    assert_eq!(summary.refused.len(), 1);
    assert_eq!(summary.refused[0].position, 4);
    assert_eq!(
        summary.to_string(),
        "2 added, 1 skipped as duplicate, 1 refused"
    );

    // Again, with two look-alikes that are different accounts.
    let summary = transfer::import_into(
        &mut vault,
        list(&[WWE, DENO_OTHER_SECRET, DENO, DENO_OTHER_ISSUER]),
    )
    .unwrap();
    assert_eq!(summary.added, ["Deno (Mason)", "Dino (Mason)"]);
    assert_eq!(summary.duplicates, ["WWE (Mason)", "Deno (Mason)"]);
    let stored = transfer::vault_entries(&vault).unwrap();
    assert_eq!(stored.len(), 4);
    let expected: Vec<_> = [DENO, WWE, DENO_OTHER_SECRET, DENO_OTHER_ISSUER]
        .iter()
        .map(|u| uri::parse(u).unwrap())
        .collect();
    assert_eq!(
        stored.into_iter().map(|e| e.account).collect::<Vec<_>>(),
        expected
    );
}

#[test]
fn real_aegis_export_into_a_vault_keeps_groups_and_codes() {
    let Some(dir) = common::fixtures() else {
        return;
    };
    let data = std::fs::read(dir.join("aegis_plain_grouped_v2.json")).unwrap();
    let imported = import::read(&data, None, None).unwrap();
    let original = imported.entries.clone();
    let tmp = tempfile::tempdir().unwrap();
    let mut vault = new_vault(&tmp, "v.jeton");
    let summary = transfer::import_into(&mut vault, imported).unwrap();
    assert_eq!(summary.added.len(), 7);
    drop(vault);
    let mut vault = Vault::open(tmp.path().join("v.jeton")).unwrap();
    vault.unlock_with_passphrase("vault pw").unwrap();
    let stored = transfer::vault_entries(&vault).unwrap();
    assert_eq!(stored, original);
    for entry in &stored {
        common::assert_codes_match_oathtool(&entry.account);
    }
    let again =
        transfer::import_into(&mut vault, import::read(&data, None, None).unwrap()).unwrap();
    assert_eq!((again.added.len(), again.duplicates.len()), (0, 7));
}

/// When the vault cannot be written (another process holds the write lock), the import fails as
/// a whole and the vault is exactly as before.
#[test]
fn import_is_all_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.jeton");
    let mut vault = new_vault(&dir, "v.jeton");
    transfer::import_into(&mut vault, list(&[DENO])).unwrap();
    let blocker = rusqlite::Connection::open(&path).unwrap();
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    let result = transfer::import_into(
        &mut vault,
        list(&[WWE, DENO_OTHER_SECRET, DENO_OTHER_ISSUER]),
    );
    assert!(
        matches!(result, Err(TransferError::Vault(VaultError::Storage(_)))),
        "{result:?}"
    );
    blocker.execute_batch("ROLLBACK").unwrap();
    drop(blocker);
    assert_eq!(vault.list().unwrap().len(), 1, "in memory");
    drop(vault);
    let mut vault = Vault::open(&path).unwrap();
    vault.unlock_with_passphrase("vault pw").unwrap();
    assert_eq!(vault.list().unwrap().len(), 1, "on disk");
    assert!(vault.damaged().is_empty());
}

#[test]
fn backup_restore_and_drill() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = new_vault(&dir, "v.jeton");
    let mut imported = list(&[DENO, WWE]);
    imported.entries[0].groups = vec!["School".into()];
    imported.entries[0].note = Some("recovery codes in the drawer".into());
    imported.entries[1].favourite = true;
    transfer::import_into(&mut vault, imported).unwrap();
    let file =
        transfer::backup_with(&vault, "backup pw", KdfParams::INSECURE_FAST_FOR_TESTS).unwrap();

    let report = transfer::drill(&file, "backup pw", &vault).unwrap();
    assert!(report.passed(), "{report:?}");
    assert!(matches!(
        transfer::drill(&file, "nope", &vault),
        Err(TransferError::Backup(backup::BackupError::WrongPassphrase))
    ));

    // Into a new vault: everything, extras included.
    let path = dir.path().join("restored.jeton");
    let (restored, summary) =
        transfer::restore_new(&path, "new vault pw", FAST, &file, "backup pw").unwrap();
    assert_eq!(summary.added.len(), 2);
    assert_eq!(
        transfer::vault_entries(&restored).unwrap(),
        transfer::vault_entries(&vault).unwrap()
    );

    // A wrong backup passphrase creates no vault.
    let path2 = dir.path().join("never.jeton");
    assert!(transfer::restore_new(&path2, "new vault pw", FAST, &file, "wrong").is_err());
    assert!(!path2.exists());

    // Into the existing vault after a change: only what is missing comes back.
    let deno = vault.list().unwrap()[0].id;
    vault.remove(deno).unwrap();
    assert!(
        !transfer::drill(&file, "backup pw", &vault)
            .unwrap()
            .passed()
    );
    let summary = transfer::restore(&mut vault, &file, "backup pw").unwrap();
    assert_eq!((summary.added.len(), summary.duplicates.len()), (1, 1));
    assert!(
        transfer::drill(&file, "backup pw", &vault)
            .unwrap()
            .passed()
    );
    let restored_deno = transfer::vault_entries(&vault)
        .unwrap()
        .into_iter()
        .find(|e| e.account.issuer.as_deref() == Some("Deno"))
        .unwrap();
    assert_eq!(restored_deno.groups, ["School"]);
    assert_eq!(
        restored_deno.note.as_deref(),
        Some("recovery codes in the drawer")
    );
}

#[test]
fn entries_from_the_vault_export_like_the_originals() {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = new_vault(&dir, "v.jeton");
    let entries: Vec<Entry> = [DENO, WWE]
        .iter()
        .map(|u| Entry::new(uri::parse(u).unwrap()))
        .collect();
    transfer::import_into(&mut vault, list(&[DENO, WWE])).unwrap();
    let from_vault = transfer::vault_entries(&vault).unwrap();
    assert_eq!(from_vault, entries);
    let json = jeton_core::export::aegis_json(&from_vault).unwrap();
    assert_eq!(
        import::read(json.as_bytes(), None, None).unwrap().entries,
        entries
    );
}
