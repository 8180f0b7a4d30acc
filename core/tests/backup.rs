//! Jeton backups: a file written by libsodium from the documented format opens (independent
//! truth, see `tests/vectors/jeton_backup.py`); wrong passphrases, altered headers, truncation
//! and crafted costs are typed errors; the drill tells exactly what differs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jeton_core::backup::{self, BackupError, KdfParams};
use jeton_core::import::{Entry, Format, detect};
use jeton_core::otp::{Algorithm, Kind};
use jeton_core::{Account, uri};
use serde_json::{Value, json};

const LIBSODIUM_FILE: &str = include_str!("vectors/jeton_backup.json");
const LIBSODIUM_PASSPHRASE: &str = "correct horse battery staple";

#[test]
fn opens_a_backup_written_by_libsodium() {
    assert_eq!(detect(LIBSODIUM_FILE.as_bytes()), Some(Format::JetonBackup));
    let backup = backup::open(LIBSODIUM_FILE.as_bytes(), LIBSODIUM_PASSPHRASE).unwrap();
    assert_eq!(backup.created, 1_795_000_000);
    let e = &backup.entries;
    assert_eq!(e.len(), 3);
    assert_eq!(e[0].account.issuer.as_deref(), Some("Deno"));
    assert_eq!(
        e[0].account.secret.to_base32().as_str(),
        "4SJHB4GSD43FZBAI7C2HLRJGPQ"
    );
    assert_eq!(e[0].groups, vec!["Cégep".to_owned()]);
    assert_eq!(e[0].note.as_deref(), Some("from libsodium"));
    assert!(e[0].favourite);
    assert_eq!(e[1].account.params.kind, Kind::Hotp);
    assert_eq!(e[1].account.params.algorithm, Algorithm::Sha512);
    assert_eq!(
        (e[1].account.params.digits, e[1].account.params.counter),
        (8, 10300)
    );
    assert_eq!(e[2].account.issuer, None);
    assert_eq!(e[2].account.params.kind, Kind::Steam);
    assert!(!e[2].favourite && e[2].note.is_none() && e[2].groups.is_empty());
}

fn sample() -> Vec<Entry> {
    [
        "otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ",
        "otpauth://hotp/WWE:Mason?secret=5VAML3X35THCEBVRLV24CGBKOY&algorithm=SHA512&digits=8&counter=10300",
        "otpauth://steam/Boeing:Sophia?secret=JRZCL47CMXVOQMNPZR2F7J4RGI",
    ]
    .iter()
    .map(|u| Entry::new(uri::parse(u).unwrap()))
    .collect()
}

fn sealed() -> (Vec<u8>, Value) {
    let file =
        backup::seal_with(&sample(), "pass word", KdfParams::INSECURE_FAST_FOR_TESTS).unwrap();
    let value = serde_json::from_slice(&file).unwrap();
    (file, value)
}

fn open_value(value: &Value) -> Result<backup::Backup, BackupError> {
    backup::open(&serde_json::to_vec(value).unwrap(), "pass word")
}

#[test]
fn seal_writes_what_the_header_says() {
    let file = backup::seal(&sample(), "pass word").unwrap();
    let value: Value = serde_json::from_slice(&file).unwrap();
    assert_eq!(value["jeton_backup"], 1);
    assert_eq!(value["header"]["kdf"]["algorithm"], "argon2id");
    assert_eq!(value["header"]["kdf"]["memory_kib"], 65536);
    assert_eq!(value["header"]["kdf"]["iterations"], 3);
    assert_eq!(value["header"]["cipher"]["algorithm"], "xchacha20poly1305");
    let text = String::from_utf8(file.clone()).unwrap();
    assert!(
        !text.contains("4SJHB4GSD43FZBAI7C2HLRJGPQ"),
        "no plaintext secret in the file"
    );
    assert!(!text.contains("Deno"), "no plaintext label in the file");
    assert_eq!(backup::open(&file, "pass word").unwrap().entries, sample());
    // Two seals of the same accounts differ (fresh salt and nonce).
    assert_ne!(
        backup::seal_with(&sample(), "pass word", KdfParams::INSECURE_FAST_FOR_TESTS).unwrap(),
        sealed().0
    );
}

#[test]
fn wrong_or_empty_passphrase() {
    let (file, _) = sealed();
    for wrong in ["Pass word", "pass word ", "", "pass", "passwor"] {
        assert_eq!(
            backup::open(&file, wrong).unwrap_err(),
            BackupError::WrongPassphrase,
            "{wrong:?}"
        );
    }
    assert_eq!(
        backup::seal(&sample(), "").unwrap_err(),
        BackupError::EmptyPassphrase
    );
    // A new backup passphrase meets the vault's floor (security.md: every entry point),
    // counted in characters, not bytes.
    for (short, chars) in [("a", 1), ("passwor", 7), ("éééé", 4)] {
        assert_eq!(
            backup::seal_with(&sample(), short, KdfParams::INSECURE_FAST_FOR_TESTS).unwrap_err(),
            BackupError::PassphraseTooShort { chars, min: 8 },
            "{short:?}"
        );
    }
    let eight = backup::seal_with(&sample(), "éééééééé", KdfParams::INSECURE_FAST_FOR_TESTS);
    assert_eq!(
        backup::open(&eight.unwrap(), "éééééééé").unwrap().entries,
        sample()
    );
}

#[test]
fn every_header_field_is_authenticated() {
    let (_, original) = sealed();
    let edits: Vec<(&str, Value)> = vec![
        ("/header/created", json!(1)),
        ("/header/kdf/memory_kib", json!(128)),
        ("/header/kdf/iterations", json!(2)),
        ("/header/kdf/salt", json!("AAECAwQFBgcICQoLDA0ODw==")),
        (
            "/header/cipher/nonce",
            json!("ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7"),
        ),
    ];
    for (pointer, new) in edits {
        let mut value = original.clone();
        *value.pointer_mut(pointer).unwrap() = new;
        assert_eq!(
            open_value(&value).unwrap_err(),
            BackupError::WrongPassphrase,
            "{pointer}"
        );
    }
    let mut value = original.clone();
    value["header"]["comment"] = json!("added");
    assert!(matches!(open_value(&value), Err(BackupError::Malformed(_))));
    let mut value = original.clone();
    value["header"]["kdf"]["algorithm"] = json!("pbkdf2");
    assert!(matches!(
        open_value(&value),
        Err(BackupError::UnsupportedParameters(_))
    ));
    let mut value = original.clone();
    value["header"]["cipher"]["algorithm"] = json!("aes-256-gcm");
    assert!(matches!(
        open_value(&value),
        Err(BackupError::UnsupportedParameters(_))
    ));
    let mut value = original;
    value["jeton_backup"] = json!(2);
    assert_eq!(
        open_value(&value).unwrap_err(),
        BackupError::UnsupportedVersion(2)
    );
}

#[test]
fn altered_ciphertext_and_crafted_costs() {
    let (_, original) = sealed();
    let mut value = original.clone();
    let ct = value["ciphertext"].as_str().unwrap().to_owned();
    let first = if ct.starts_with('A') { "B" } else { "A" };
    let flipped = format!("{first}{}", ct.get(1..).unwrap());
    value["ciphertext"] = json!(flipped);
    assert_eq!(
        open_value(&value).unwrap_err(),
        BackupError::WrongPassphrase
    );
    // A crafted file asking for 4 TiB of memory is refused before any work.
    let mut value = original;
    value["header"]["kdf"]["memory_kib"] = json!(u32::MAX);
    let started = std::time::Instant::now();
    assert!(matches!(
        open_value(&value),
        Err(BackupError::UnsupportedParameters(_))
    ));
    assert!(started.elapsed().as_millis() < 1000);
}

#[test]
fn truncated_or_foreign_files() {
    let (file, _) = sealed();
    for cut in (1..30).map(|k| file.len() * k / 30) {
        let error = backup::open(&file[..cut], "pass word").unwrap_err();
        assert!(
            matches!(error, BackupError::Malformed(_) | BackupError::NotABackup),
            "cut at {cut}: {error:?}"
        );
    }
    assert_eq!(
        backup::open(br#"{"header":{},"db":{}}"#, "pass word").unwrap_err(),
        BackupError::NotABackup
    );
    assert!(matches!(
        backup::open(b"not json", "pass word"),
        Err(BackupError::Malformed(_))
    ));
}

#[test]
fn drill_reports_exactly_what_differs() {
    let (file, _) = sealed();
    let accounts: Vec<Account> = sample().into_iter().map(|e| e.account).collect();
    let report = backup::drill(&file, "pass word", &accounts).unwrap();
    assert!(report.passed());
    assert_eq!((report.in_backup, report.matched), (3, 3));

    let mut vault = accounts.clone();
    vault.remove(2); // Boeing: in the backup, no longer in the vault
    vault[0].params.digits = 8; // Deno: changed since
    vault.push(uri::parse("otpauth://totp/New:one?secret=JBSWY3DPEHPK3PXP").unwrap());
    let report = backup::drill(&file, "pass word", &vault).unwrap();
    assert!(!report.passed());
    assert_eq!(report.matched, 1);
    assert_eq!(report.changed, ["Deno (Mason)"]);
    assert_eq!(report.missing, ["New (one)"]);
    assert_eq!(report.unexpected, ["Boeing (Sophia)"]);
    assert_eq!(
        backup::drill(&file, "nope", &accounts).unwrap_err(),
        BackupError::WrongPassphrase
    );
}
