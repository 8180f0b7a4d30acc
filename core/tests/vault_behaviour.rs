//! The vault's behaviour across sessions: accounts, codes against the RFC vectors, key slots,
//! typed errors. Cheap KDF parameters except where the default parameters are what is tested.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::time::Instant;

use jeton_core::backup::auto::AutoBackup;
use jeton_core::otp::{Algorithm, OtpParams};
use jeton_core::vault::{
    CurrentCode, Extras, KdfParams, KeyWrapError, KeyWrapper, SoftwareKeyWrapper, Vault, VaultError,
};
use jeton_core::{Account, Kind, Secret, uri};

const FAST: KdfParams = KdfParams::INSECURE_FAST_FOR_TESTS;
const RFC_SECRET: &[u8] = b"12345678901234567890";

fn temp() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.jeton");
    (dir, path)
}

fn totp(issuer: &str, name: &str) -> Account {
    Account {
        issuer: Some(issuer.into()),
        name: name.into(),
        secret: Secret::from_slice(RFC_SECRET),
        params: OtpParams {
            digits: 8,
            ..OtpParams::totp()
        },
    }
}

fn reopen(path: &PathBuf, passphrase: &str) -> Vault {
    let mut vault = Vault::open(path).unwrap();
    assert!(vault.is_locked());
    vault.unlock_with_passphrase(passphrase).unwrap();
    vault
}

#[test]
fn accounts_and_codes_survive_reopening() {
    let (_dir, path) = temp();
    let mut vault = Vault::create_with_kdf(&path, "password", FAST).unwrap();
    let a = vault.add(totp("Omnivox", "2412345")).unwrap();
    let extras = Extras {
        favourite: true,
        groups: vec!["École".into(), "Work".into()],
        note: "paper codes in the drawer".into(),
        icon: Some("github.com".into()),
    };
    let b = vault
        .add_with(
            Account {
                issuer: None,
                name: "marie@example.org".into(),
                secret: Secret::from_slice(b"12345678901234567890123456789012"),
                params: OtpParams {
                    algorithm: Algorithm::Sha256,
                    digits: 8,
                    ..OtpParams::totp()
                },
            },
            extras.clone(),
        )
        .unwrap();
    drop(vault);

    let vault = reopen(&path, "password");
    assert!(vault.damaged().is_empty());
    let list = vault.list().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].id, a);
    assert_eq!(list[0].label(), "Omnivox (2412345)");
    assert_eq!(list[1].id, b);
    assert_eq!(list[1].extras, extras);
    assert!(list[1].created_at > 1_700_000_000);
    // RFC 6238 Appendix B: T = 59 s, 8 digits, SHA-1 and SHA-256 seeds.
    let codes = vault.codes_at(59).unwrap();
    assert_eq!(codes[0].id, a);
    match &codes[0].current {
        CurrentCode::Ready(code) => {
            assert_eq!(code.digits, "94287082");
            assert_eq!(code.seconds_left, Some(1));
        }
        other => panic!("{other:?}"),
    }
    match &codes[1].current {
        CurrentCode::Ready(code) => assert_eq!(code.digits, "46119246"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        vault.get(a).unwrap().account.secret.expose(),
        RFC_SECRET,
        "the secret comes back exactly"
    );
}

#[test]
fn hotp_counter_is_committed_and_never_reused() {
    let (_dir, path) = temp();
    let mut vault = Vault::create_with_kdf(&path, "password", FAST).unwrap();
    let id = vault
        .add(Account {
            issuer: Some("Bank".into()),
            name: "me".into(),
            secret: Secret::from_slice(RFC_SECRET),
            params: OtpParams::hotp(0),
        })
        .unwrap();
    assert_eq!(
        vault.codes_at(59).unwrap()[0].current,
        CurrentCode::CounterBased
    );
    // RFC 4226 Appendix D, counts 0..=9.
    let expected = [
        "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
        "520489",
    ];
    for (i, want) in expected.iter().enumerate().take(4) {
        assert_eq!(&vault.next_hotp(id).unwrap().digits, want, "count {i}");
    }
    drop(vault);
    // A new session (as after a crash or restart) continues where the last one stopped.
    let mut vault = reopen(&path, "password");
    assert_eq!(vault.list().unwrap()[0].counter, 4);
    for want in &expected[4..] {
        assert_eq!(&vault.next_hotp(id).unwrap().digits, want);
    }
    assert!(vault.get(id).unwrap().last_used_at.is_some());
}

#[test]
fn next_hotp_refuses_time_based_accounts() {
    let (_dir, path) = temp();
    let mut vault = Vault::create_with_kdf(&path, "password", FAST).unwrap();
    let id = vault.add(totp("A", "a")).unwrap();
    assert!(matches!(
        vault.next_hotp(id),
        Err(VaultError::NotCounterBased(x)) if x == id
    ));
}

#[test]
fn edits_are_persisted() {
    let (_dir, path) = temp();
    let mut vault = Vault::create_with_kdf(&path, "password", FAST).unwrap();
    let a = vault.add(totp("Alpha", "a@x")).unwrap();
    let b = vault.add(totp("Beta", "b@x")).unwrap();
    let c = vault.add(totp("Gamma", "c@x")).unwrap();
    vault
        .rename(b, Some("Bêta Corp".into()), "bee".into())
        .unwrap();
    vault.reorder(&[c, a]).unwrap();
    vault.remove(a).unwrap();
    let steam = uri::parse("otpauth://totp/Steam:me?secret=JBSWY3DPEHPK3PXP&issuer=Steam").unwrap();
    vault.update(c, steam).unwrap();
    vault
        .set_extras(
            b,
            Extras {
                favourite: true,
                ..Extras::default()
            },
        )
        .unwrap();
    vault.mark_used(b, 1_800_000_000).unwrap();
    drop(vault);

    let vault = reopen(&path, "password");
    let list = vault.list().unwrap();
    let ids: Vec<_> = list.iter().map(|e| e.id).collect();
    assert_eq!(ids, [c, b]);
    assert_eq!(list[1].issuer.as_deref(), Some("Bêta Corp"));
    assert_eq!(list[1].name, "bee");
    assert!(list[1].extras.favourite);
    assert_eq!(list[1].last_used_at, Some(1_800_000_000));
    assert_eq!(vault.search("bêta").unwrap()[0].id, b);
    assert_eq!(vault.search("STEAM").unwrap()[0].id, c);
    assert!(
        vault.search("c@x").unwrap().is_empty(),
        "update replaced the name"
    );
    assert!(vault.search("alpha").unwrap().is_empty());
    // Words from the issuer and the name together, in any order and case (the README's
    // "words found in one account only"); a word in neither matches nothing.
    let ids = |q: &str| {
        vault
            .search(q)
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(ids("corp bee"), [b]);
    assert_eq!(ids("BEE  bêta"), [b]);
    assert!(ids("corp steam").is_empty());
    assert_eq!(ids("").len(), 2);
    assert!(matches!(vault.get(a), Err(VaultError::NoSuchAccount(x)) if x == a));
}

#[test]
fn wrong_passphrase_is_named() {
    let (_dir, path) = temp();
    drop(Vault::create_with_kdf(&path, "right passphrase", FAST).unwrap());
    let mut vault = Vault::open(&path).unwrap();
    assert!(matches!(
        vault.unlock_with_passphrase("wrong"),
        Err(VaultError::WrongPassphrase)
    ));
    assert!(vault.is_locked());
    assert!(matches!(vault.list(), Err(VaultError::Locked)));
    vault.unlock_with_passphrase("right passphrase").unwrap();
}

#[test]
fn locked_vault_refuses_everything() {
    let (_dir, path) = temp();
    let mut vault = Vault::create_with_kdf(&path, "password", FAST).unwrap();
    let id = vault.add(totp("A", "a")).unwrap();
    vault.lock();
    assert!(matches!(vault.list(), Err(VaultError::Locked)));
    assert!(matches!(vault.codes_at(0), Err(VaultError::Locked)));
    assert!(matches!(vault.add(totp("B", "b")), Err(VaultError::Locked)));
    assert!(matches!(vault.next_hotp(id), Err(VaultError::Locked)));
    assert!(matches!(
        vault.change_passphrase("long enough"),
        Err(VaultError::Locked)
    ));
    vault.unlock_with_passphrase("password").unwrap();
    assert_eq!(vault.list().unwrap().len(), 1);
}

#[test]
fn not_a_vault_missing_existing_and_newer() {
    let (dir, path) = temp();
    assert!(matches!(Vault::open(&path), Err(VaultError::NotFound(_))));

    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "hello, this is not a database at all").unwrap();
    assert!(matches!(Vault::open(&text), Err(VaultError::NotAVault(_))));

    let other_db = dir.path().join("other.sqlite");
    rusqlite::Connection::open(&other_db)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    assert!(matches!(
        Vault::open(&other_db),
        Err(VaultError::NotAVault(_))
    ));
    // Opening someone else's database must not change it.
    let tables: i64 = rusqlite::Connection::open(&other_db)
        .unwrap()
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
        .unwrap();
    assert_eq!(tables, 1);
    // Even one that declares a schema version.
    let versioned = dir.path().join("versioned.sqlite");
    let conn = rusqlite::Connection::open(&versioned).unwrap();
    conn.execute_batch("CREATE TABLE t (x); PRAGMA user_version = 5;")
        .unwrap();
    drop(conn);
    assert!(matches!(
        Vault::open(&versioned),
        Err(VaultError::NotAVault(_))
    ));
    let mode: String = rusqlite::Connection::open(&versioned)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "delete", "the journal mode was left alone");

    drop(Vault::create_with_kdf(&path, "password", FAST).unwrap());
    assert!(matches!(
        Vault::create_with_kdf(&path, "password", FAST),
        Err(VaultError::AlreadyExists(_))
    ));
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 7)
        .unwrap();
    match Vault::open(&path) {
        Err(VaultError::NewerVersion { found, supported }) => {
            assert_eq!((found, supported), (7, 1));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn platform_slot_opens_and_passphrase_remains() {
    let (_dir, path) = temp();
    let keystore = SoftwareKeyWrapper::generate().unwrap();
    let mut vault = Vault::create_with_kdf(&path, "password", FAST).unwrap();
    let id = vault.add(totp("A", "a")).unwrap();
    vault.add_platform_slot(&keystore).unwrap();
    assert_eq!(vault.platform_slots(), 1);
    drop(vault);

    let mut vault = Vault::open(&path).unwrap();
    vault.unlock_with(&keystore).unwrap();
    assert_eq!(vault.list().unwrap()[0].id, id);

    // Biometrics re-enrolled: the keystore key is gone; the passphrase still opens.
    let replaced = SoftwareKeyWrapper::generate().unwrap();
    let mut vault = Vault::open(&path).unwrap();
    assert!(matches!(
        vault.unlock_with(&replaced),
        Err(VaultError::KeystoreKeyGone)
    ));
    vault.unlock_with_passphrase("password").unwrap();
    vault.remove_platform_slots().unwrap();
    vault.add_platform_slot(&replaced).unwrap();
    drop(vault);
    let mut vault = Vault::open(&path).unwrap();
    vault.unlock_with(&replaced).unwrap();
    assert_eq!(vault.list().unwrap()[0].id, id);
}

struct Failing(KeyWrapError);

impl KeyWrapper for Failing {
    fn wrap(&self, _: &[u8]) -> Result<Vec<u8>, KeyWrapError> {
        Err(self.0.clone())
    }
    fn unwrap(&self, _: &[u8]) -> Result<Vec<u8>, KeyWrapError> {
        Err(self.0.clone())
    }
}

/// A keystore that answers with 32 bytes that are not the vault key.
struct Liar;

impl KeyWrapper for Liar {
    fn wrap(&self, key: &[u8]) -> Result<Vec<u8>, KeyWrapError> {
        Ok(key.to_vec())
    }
    fn unwrap(&self, _: &[u8]) -> Result<Vec<u8>, KeyWrapError> {
        Ok(vec![0x55; 32])
    }
}

#[test]
fn keystore_failures_are_told_apart() {
    let (_dir, path) = temp();
    let mut vault = Vault::create_with_kdf(&path, "password", FAST).unwrap();
    // No platform slot yet.
    let keystore = SoftwareKeyWrapper::generate().unwrap();
    vault.lock();
    assert!(matches!(
        vault.unlock_with(&keystore),
        Err(VaultError::KeystoreKeyGone)
    ));
    vault.unlock_with_passphrase("password").unwrap();
    assert!(matches!(
        vault.add_platform_slot(&Failing(KeyWrapError::Failed("busy".into()))),
        Err(VaultError::Keystore(why)) if why == "busy"
    ));
    vault.add_platform_slot(&Liar).unwrap();
    vault.lock();
    assert!(matches!(
        vault.unlock_with(&Failing(KeyWrapError::Failed("user cancelled".into()))),
        Err(VaultError::Keystore(why)) if why == "user cancelled"
    ));
    assert!(matches!(
        vault.unlock_with(&Failing(KeyWrapError::KeyGone)),
        Err(VaultError::KeystoreKeyGone)
    ));
    // A key that fails the canary is never used.
    assert!(matches!(
        vault.unlock_with(&Liar),
        Err(VaultError::KeystoreKeyGone)
    ));
    assert!(vault.is_locked());
}

#[test]
fn changing_the_passphrase_rewraps_the_key_only() {
    let (_dir, path) = temp();
    let mut vault = Vault::create_with_kdf(&path, "old passphrase", FAST).unwrap();
    vault.add(totp("A", "a")).unwrap();
    let rows = |path: &PathBuf| -> Vec<Vec<u8>> {
        let conn = rusqlite::Connection::open(path).unwrap();
        let mut stmt = conn
            .prepare("SELECT CAST(otp || issuer || name || note || groups || icon || details AS BLOB) FROM accounts")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let before = rows(&path);
    let stronger = KdfParams {
        iterations: 2,
        ..FAST
    };
    vault
        .change_passphrase_with_kdf("new passphrase", stronger)
        .unwrap();
    assert_eq!(rows(&path), before, "no account was re-encrypted");
    drop(vault);
    let mut vault = Vault::open(&path).unwrap();
    assert_eq!(vault.passphrase_kdf(), Some(stronger));
    assert!(matches!(
        vault.unlock_with_passphrase("old passphrase"),
        Err(VaultError::WrongPassphrase)
    ));
    vault.unlock_with_passphrase("new passphrase").unwrap();
    assert_eq!(vault.list().unwrap().len(), 1);
}

#[test]
fn default_kdf_parameters_create_and_unlock() {
    let (_dir, path) = temp();
    let mut vault = Vault::create(&path, "correct horse battery staple").unwrap();
    vault.add(totp("A", "a")).unwrap();
    drop(vault);
    let mut vault = Vault::open(&path).unwrap();
    assert_eq!(vault.passphrase_kdf(), Some(KdfParams::DEFAULT));
    let started = Instant::now();
    vault
        .unlock_with_passphrase("correct horse battery staple")
        .unwrap();
    eprintln!("unlock with default parameters: {:?}", started.elapsed());
    assert!(matches!(
        Vault::open(&path)
            .unwrap()
            .unlock_with_passphrase("Correct horse battery staple"),
        Err(VaultError::WrongPassphrase)
    ));
}

#[test]
fn invalid_accounts_are_refused_before_writing() {
    let (_dir, path) = temp();
    let mut vault = Vault::create_with_kdf(&path, "password", FAST).unwrap();
    let mut bad = totp("A", "a");
    bad.params.digits = 0;
    assert!(matches!(vault.add(bad), Err(VaultError::InvalidAccount(_))));
    let mut empty = totp("A", "a");
    empty.secret = Secret::new(Vec::new());
    assert!(matches!(
        vault.add(empty),
        Err(VaultError::InvalidAccount(_))
    ));
    assert!(vault.list().unwrap().is_empty());
    assert_eq!(
        vault
            .list()
            .unwrap()
            .iter()
            .filter(|e| e.kind == Kind::Hotp)
            .count(),
        0
    );
}

#[test]
fn nothing_secret_in_debug_or_errors() {
    let (_dir, path) = temp();
    let mut vault = Vault::create_with_kdf(&path, "hunter2-passphrase", FAST).unwrap();
    let note = "recovery codes: 7391-XQ2P 5520-KD8M";
    let id = vault
        .add_with(
            totp("Omnivox", "2412345"),
            Extras {
                note: note.into(),
                ..Extras::default()
            },
        )
        .unwrap();
    let keystore = SoftwareKeyWrapper::generate().unwrap();
    vault.add_platform_slot(&keystore).unwrap();
    let mut imported = jeton_core::import::Entry::new(totp("Omnivox", "2412345"));
    imported.note = Some(note.into());
    let shown = format!(
        "{vault:?} {:?} {:?} {keystore:?} {imported:?}",
        vault.get(id).unwrap(),
        vault.list().unwrap()
    );
    assert!(!shown.contains("7391"), "the note is shown: {shown}");
    assert!(shown.contains("2412345"), "the Debug output was captured");
    let base32 = Secret::from_slice(RFC_SECRET).to_base32();
    assert!(!shown.contains(base32.as_str()));
    assert!(!shown.contains("12345678901234567890"));
    assert!(!shown.contains("hunter2"));
    let mut locked = Vault::open(&path).unwrap();
    let error = locked
        .unlock_with_passphrase("hunter3-passphrase")
        .unwrap_err();
    assert!(!format!("{error} {error:?}").contains("hunter"));
}

#[test]
fn a_handle_opened_earlier_sees_a_passphrase_changed_elsewhere() {
    let (_dir, path) = temp();
    let mut first = Vault::create_with_kdf(&path, "old passphrase", FAST).unwrap();
    first.add(totp("A", "a")).unwrap();
    first.lock();
    let mut second = Vault::open(&path).unwrap();
    second.unlock_with_passphrase("old passphrase").unwrap();
    second
        .change_passphrase_with_kdf("new passphrase", FAST)
        .unwrap();
    drop(second);
    assert!(matches!(
        first.unlock_with_passphrase("old passphrase"),
        Err(VaultError::WrongPassphrase)
    ));
    first.unlock_with_passphrase("new passphrase").unwrap();
    assert_eq!(first.list().unwrap().len(), 1);
}

#[test]
fn a_write_over_changes_made_elsewhere_is_refused_not_lost() {
    let (_dir, path) = temp();
    let mut first = Vault::create_with_kdf(&path, "password", FAST).unwrap();
    first.add(totp("A", "a")).unwrap();
    let mut second = reopen(&path, "password");
    let b = second.add(totp("B", "b")).unwrap();
    assert!(matches!(
        first.add(totp("C", "c")),
        Err(VaultError::ChangedElsewhere)
    ));
    first.lock();
    first.unlock_with_passphrase("password").unwrap();
    assert!(first.list().unwrap().iter().any(|e| e.id == b));
    first.add(totp("C", "c")).unwrap();
    drop(first);
    drop(second);
    let vault = reopen(&path, "password");
    assert!(vault.damaged().is_empty());
    assert_eq!(vault.list().unwrap().len(), 3);
}

#[test]
fn clock_correction_is_kept_with_the_vault_and_applied() {
    use jeton_core::clock::ClockOffset;

    let (_dir, path) = temp();
    let mut vault = Vault::create_with_kdf(&path, "password", FAST).unwrap();
    vault.add(totp("RFC", "6238")).unwrap();
    // A phone whose clock is 2 minutes slow: its own clock reads 1111110989 when the true time
    // is 1111111109, where RFC 6238 Appendix B gives 07081804.
    let device_now = 1_111_111_109 - 120;
    let uncorrected = vault.device_codes_at(device_now).unwrap();
    let CurrentCode::Ready(code) = &uncorrected[0].current else {
        panic!("no code")
    };
    assert_ne!(code.digits, "07081804");
    assert_eq!(vault.clock_offset().unwrap(), None);

    vault
        .set_clock_offset(ClockOffset::from_seconds(120))
        .unwrap();
    drop(vault);
    let vault = reopen(&path, "password");
    assert_eq!(
        vault.clock_offset().unwrap(),
        Some(ClockOffset::from_seconds(120))
    );
    let corrected = vault.device_codes_at(device_now).unwrap();
    let CurrentCode::Ready(code) = &corrected[0].current else {
        panic!("no code")
    };
    assert_eq!(code.digits, "07081804");
    drop(vault);

    // Format 2 keeps the correction inside the sealed index, covered by its generation and
    // the header MAC (a replayed or damaged value is refused with the index: see
    // tests/vault_files.rs); a `clock` row where format 1 kept it is ignored.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "INSERT INTO meta (name, value) VALUES ('clock', zeroblob(40))",
        [],
    )
    .unwrap();
    drop(conn);
    let vault = reopen(&path, "password");
    assert_eq!(
        vault.clock_offset().unwrap(),
        Some(ClockOffset::from_seconds(120))
    );
    assert!(vault.damaged().is_empty());
    assert_eq!(vault.list().unwrap().len(), 1);
}

/// New vaults and passphrase changes need at least 8 characters (counted as characters, so
/// `é` is one); unlocking never checks the length, so an older vault with a short passphrase
/// still opens.
#[test]
fn short_passphrases_are_refused_for_new_vaults_and_changes() {
    let (_dir, path) = temp();
    let too_short = |r: Result<(), VaultError>| match r {
        Err(e @ VaultError::PassphraseTooShort { .. }) => {
            assert!(e.to_string().contains("at least 8 characters"), "{e}");
        }
        other => panic!("{other:?}"),
    };
    for short in ["", "x", "1234567", "éééé ée"] {
        too_short(Vault::create_with_kdf(&path, short, FAST).map(drop));
        assert!(!path.exists(), "nothing was created");
    }
    too_short(Vault::create(&path, "seven..").map(drop));
    let mut vault = Vault::create_with_kdf(&path, "éééééééé", FAST).unwrap();
    for short in ["", "1234567"] {
        too_short(vault.change_passphrase_with_kdf(short, FAST));
        too_short(vault.change_passphrase(short));
    }
    vault.change_passphrase_with_kdf("12345678", FAST).unwrap();
    drop(vault);
    let mut vault = Vault::open(&path).unwrap();
    vault.unlock_with_passphrase("12345678").unwrap();
}

#[test]
fn a_failed_create_leaves_no_file_behind() {
    let (_dir, path) = temp();
    // A directory where SQLite must put the WAL: the file opens, the first write fails.
    let wal = PathBuf::from(format!("{}-wal", path.display()));
    std::fs::create_dir(&wal).unwrap();
    let error = Vault::create_with_kdf(&path, "pass phrase", FAST).err();
    assert!(
        matches!(error, Some(VaultError::Storage(_))),
        "creation failed: {error:?}"
    );
    assert!(!path.exists(), "the half-made vault was removed");
    assert!(wal.is_dir(), "what was there before is left alone");
    std::fs::remove_dir(&wal).unwrap();
    // The next try is not refused as AlreadyExists.
    Vault::create_with_kdf(&path, "pass phrase", FAST).unwrap();
}

#[test]
fn an_unlock_in_two_halves_opens_the_slots_away_from_the_vault() {
    let (_dir, path) = temp();
    let keystore = SoftwareKeyWrapper::generate().unwrap();
    let mut vault = Vault::create_with_kdf(&path, "password", FAST).unwrap();
    let id = vault.add(totp("A", "a")).unwrap();
    // Wrapping happens without the vault: the request owns what it needs.
    let slot = vault
        .platform_slot_request()
        .unwrap()
        .wrap(&keystore)
        .unwrap();
    vault.add_wrapped_slot(slot).unwrap();
    drop(vault);

    let mut vault = Vault::open(&path).unwrap();
    let unlocker = vault.unlocker().unwrap();
    let by_passphrase = unlocker.with_passphrase("password").unwrap();
    let by_keystore = unlocker.with_wrapper(&keystore).unwrap();
    assert!(matches!(
        unlocker.with_passphrase("nope"),
        Err(VaultError::WrongPassphrase)
    ));
    assert!(!format!("{by_passphrase:?}").contains(|c: char| c.is_ascii_digit()));
    vault.unlock_with_key(by_keystore).unwrap();
    assert_eq!(vault.list().unwrap()[0].id, id);
    vault.lock();
    vault.unlock_with_key(by_passphrase).unwrap();
    assert_eq!(vault.get(id).unwrap().account, totp("A", "a"));
}

#[test]
fn a_key_or_slot_from_another_vault_or_moment_is_refused() {
    let (_dir, path) = temp();
    let (_other_dir, other_path) = temp();
    let mut vault = Vault::create_with_kdf(&path, "password", FAST).unwrap();
    let mut other = Vault::create_with_kdf(&other_path, "password", FAST).unwrap();
    let foreign_key = other
        .unlocker()
        .unwrap()
        .with_passphrase("password")
        .unwrap();
    vault.lock();
    assert!(matches!(
        vault.unlock_with_key(foreign_key),
        Err(VaultError::ChangedElsewhere)
    ));
    assert!(vault.is_locked());

    // A slot wrapped for another vault, or before this one was locked, is not added.
    let keystore = SoftwareKeyWrapper::generate().unwrap();
    let foreign_slot = other
        .platform_slot_request()
        .unwrap()
        .wrap(&keystore)
        .unwrap();
    vault.unlock_with_passphrase("password").unwrap();
    assert!(matches!(
        vault.add_wrapped_slot(foreign_slot),
        Err(VaultError::ChangedElsewhere)
    ));
    let slot = vault
        .platform_slot_request()
        .unwrap()
        .wrap(&keystore)
        .unwrap();
    vault.lock();
    assert!(matches!(
        vault.add_wrapped_slot(slot),
        Err(VaultError::ChangedElsewhere)
    ));
    vault.unlock_with_passphrase("password").unwrap();
    assert_eq!(vault.platform_slots(), 0);

    // A passphrase changed between the halves: the vault key is the same, so the unlock holds.
    let unlocker = Vault::open(&path).unwrap().unlocker().unwrap();
    let key = unlocker.with_passphrase("password").unwrap();
    vault
        .change_passphrase_with_kdf("new password", FAST)
        .unwrap();
    let mut fresh = Vault::open(&path).unwrap();
    fresh.unlock_with_key(key).unwrap();
}

#[test]
fn halves_of_a_passphrase_change_or_backup_setting_refuse_a_vault_that_moved_meanwhile() {
    let (dir, path) = temp();
    let (_other_dir, other_path) = temp();
    let mut vault = Vault::create_with_kdf(&path, "password", FAST).unwrap();
    let other = Vault::create_with_kdf(&other_path, "password", FAST).unwrap();

    // Derived for another vault, or before this one was locked: refused, nothing changed.
    let foreign = other.passphrase_change().unwrap();
    let foreign = foreign.derive("new password", FAST).unwrap();
    assert!(matches!(
        vault.apply_passphrase_change(foreign),
        Err(VaultError::ChangedElsewhere)
    ));
    let change = vault.passphrase_change().unwrap();
    let new = change.derive("new password", FAST).unwrap();
    vault.lock();
    assert!(matches!(
        vault.apply_passphrase_change(new),
        Err(VaultError::ChangedElsewhere)
    ));
    vault.unlock_with_passphrase("password").unwrap();
    // The floor is checked in the slow half too.
    let short = vault.passphrase_change().unwrap().derive("short", FAST);
    assert!(matches!(short, Err(VaultError::PassphraseTooShort { .. })));

    // An automatic backup setting prepared with the old passphrase, then the passphrase
    // changed: the prepared key would open no backup, so it is refused.
    let choice = || AutoBackup::new(dir.path().join("b").display().to_string(), 2).unwrap();
    let wrong = vault
        .auto_backup_request()
        .unwrap()
        .prepare(choice(), "nope");
    assert!(matches!(wrong, Err(VaultError::WrongPassphrase)));
    let prepared = vault
        .auto_backup_request()
        .unwrap()
        .prepare(choice(), "password")
        .unwrap();
    vault
        .change_passphrase_with_kdf("new password", FAST)
        .unwrap();
    assert!(matches!(
        vault.apply_auto_backup(prepared),
        Err(VaultError::ChangedElsewhere)
    ));
    assert_eq!(vault.auto_backup().unwrap(), None);

    // Automatic backups turned on between the halves of a passphrase change: refused, since
    // the new slot would leave them keyed to the old passphrase.
    let new = vault
        .passphrase_change()
        .unwrap()
        .derive("third password", FAST)
        .unwrap();
    vault.set_auto_backup(choice(), "new password").unwrap();
    assert!(matches!(
        vault.apply_passphrase_change(new),
        Err(VaultError::ChangedElsewhere)
    ));
    drop(vault);
    reopen(&path, "new password");
    drop(other);
}
