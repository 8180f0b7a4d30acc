//! Tampering and corruption: every flipped byte, swapped row or field, rolled-back record or
//! header is detected and named, and no code is ever made from altered bytes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use jeton_core::otp::OtpParams;
use jeton_core::vault::{
    AccountId, CurrentCode, Damage, Field, KdfParams, SoftwareKeyWrapper, Vault, VaultError,
};
use jeton_core::{Account, Secret};
use rusqlite::{Connection, params};
use sha2::{Digest, Sha256};

const FAST: KdfParams = KdfParams::INSECURE_FAST_FOR_TESTS;
const PASS: &str = "password";
/// RFC 6238 Appendix B, SHA-1, 8 digits, T = 59 s.
const RFC_CODE_AT_59: &str = "94287082";

struct Fixture {
    _dir: tempfile::TempDir,
    path: PathBuf,
    a: AccountId,
    b: AccountId,
    c: AccountId,
}

fn rfc_account(issuer: &str, name: &str) -> Account {
    Account {
        issuer: Some(issuer.into()),
        name: name.into(),
        secret: Secret::from_slice(b"12345678901234567890"),
        params: OtpParams {
            digits: 8,
            ..OtpParams::totp()
        },
    }
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.jeton");
    let mut vault = Vault::create_with_kdf(&path, PASS, FAST).unwrap();
    let a = vault.add(rfc_account("Alpha", "a@example.org")).unwrap();
    let b = vault.add(rfc_account("Beta", "b@example.org")).unwrap();
    let c = vault.add(rfc_account("Gamma", "c@example.org")).unwrap();
    drop(vault);
    Fixture {
        _dir: dir,
        path,
        a,
        b,
        c,
    }
}

fn db(path: &Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "synchronous", "OFF").unwrap();
    conn
}

fn unlock(path: &Path) -> Result<Vault, VaultError> {
    let mut vault = Vault::open(path)?;
    vault.unlock_with_passphrase(PASS)?;
    Ok(vault)
}

fn column(conn: &Connection, id: AccountId, column: &str) -> Vec<u8> {
    conn.query_row(
        &format!("SELECT {column} FROM accounts WHERE id = ?1"),
        [id.as_bytes().as_slice()],
        |r| r.get(0),
    )
    .unwrap()
}

fn set_column(conn: &Connection, id: AccountId, column: &str, value: &[u8]) {
    let n = conn
        .execute(
            &format!("UPDATE accounts SET {column} = ?1 WHERE id = ?2"),
            params![value, id.as_bytes().as_slice()],
        )
        .unwrap();
    assert_eq!(n, 1);
}

fn meta(conn: &Connection, name: &str) -> Vec<u8> {
    conn.query_row("SELECT value FROM meta WHERE name = ?1", [name], |r| {
        r.get(0)
    })
    .unwrap()
}

fn set_meta(conn: &Connection, name: &str, value: &[u8]) {
    conn.execute(
        "UPDATE meta SET value = ?1 WHERE name = ?2",
        params![value, name],
    )
    .unwrap();
}

/// The accounts the vault shows codes for, each checked against the RFC code.
fn shown_codes(vault: &Vault) -> Vec<AccountId> {
    vault
        .codes_at(59)
        .unwrap()
        .into_iter()
        .map(|code| {
            match &code.current {
                CurrentCode::Ready(c) => assert_eq!(c.digits, RFC_CODE_AT_59, "a wrong code"),
                other => panic!("{other:?}"),
            }
            code.id
        })
        .collect()
}

#[test]
fn every_flipped_byte_of_a_record_is_detected() {
    let f = fixture();
    let conn = db(&f.path);
    let mut flips = 0;
    for field in Field::ALL {
        let original = column(&conn, f.b, field.column());
        for i in 0..original.len() {
            let mut bad = original.clone();
            bad[i] ^= 0xff;
            set_column(&conn, f.b, field.column(), &bad);
            let vault = unlock(&f.path).unwrap();
            assert_eq!(
                vault.damaged(),
                [Damage::Field {
                    account: f.b,
                    field
                }],
                "{field:?} byte {i}"
            );
            assert_eq!(shown_codes(&vault), [f.a, f.c], "{field:?} byte {i}");
            flips += 1;
        }
        set_column(&conn, f.b, field.column(), &original);
    }
    assert!(flips > 300, "{flips}");
    let vault = unlock(&f.path).unwrap();
    assert!(vault.damaged().is_empty());
    assert_eq!(shown_codes(&vault), [f.a, f.b, f.c]);
}

#[test]
fn every_flipped_byte_of_the_header_and_index_is_detected() {
    let f = fixture();
    let conn = db(&f.path);
    for (name, expected) in [
        ("header", Damage::Header),
        ("header_sum", Damage::Header),
        ("header_mac", Damage::Header),
        ("index", Damage::AccountIndex),
    ] {
        let original = meta(&conn, name);
        for i in 0..original.len() {
            let mut bad = original.clone();
            bad[i] ^= 0xff;
            set_meta(&conn, name, &bad);
            match unlock(&f.path) {
                Err(VaultError::Damaged(damage)) => assert_eq!(damage, expected, "{name} {i}"),
                other => panic!("{name} byte {i}: {other:?}"),
            }
        }
        set_meta(&conn, name, &original);
    }
    assert!(unlock(&f.path).unwrap().damaged().is_empty());
}

/// The passphrase slot's iteration count, found by walking the header layout.
fn slot_iterations_offset(header: &[u8]) -> usize {
    let canary_len = u32::from_be_bytes(header[26..30].try_into().unwrap()) as usize;
    let first_slot = 30 + canary_len + 1;
    assert_eq!(header[first_slot], 1, "first slot is the passphrase slot");
    first_slot + 1 + 4
}

#[test]
fn a_kdf_downgrade_with_a_recomputed_checksum_is_detected() {
    let f = fixture();
    let keystore = SoftwareKeyWrapper::generate().unwrap();
    let mut vault = unlock(&f.path).unwrap();
    vault
        .change_passphrase_with_kdf(
            PASS,
            KdfParams {
                iterations: 3,
                ..FAST
            },
        )
        .unwrap();
    vault.add_platform_slot(&keystore).unwrap();
    drop(vault);

    let conn = db(&f.path);
    let mut header = meta(&conn, "header");
    let at = slot_iterations_offset(&header);
    assert_eq!(header[at..at + 4], 3u32.to_be_bytes());
    header[at..at + 4].copy_from_slice(&1u32.to_be_bytes());
    set_meta(&conn, "header", &header);
    set_meta(&conn, "header_sum", &Sha256::digest(&header));

    // The slot's seal is bound to its parameters: the lowered cost opens nothing.
    let mut vault = Vault::open(&f.path).unwrap();
    assert_eq!(
        vault.passphrase_kdf().map(|k| k.iterations),
        Some(1),
        "the edit is what is read"
    );
    assert!(matches!(
        vault.unlock_with_passphrase(PASS),
        Err(VaultError::WrongPassphrase)
    ));
    // Through another slot, the header MAC names the tampering.
    assert!(matches!(
        vault.unlock_with(&keystore),
        Err(VaultError::Damaged(Damage::Header))
    ));
}

#[test]
fn a_huge_kdf_cost_in_the_header_is_refused_before_deriving() {
    let f = fixture();
    let conn = db(&f.path);
    let mut header = meta(&conn, "header");
    let memory = slot_iterations_offset(&header) - 4;
    header[memory..memory + 4].copy_from_slice(&u32::MAX.to_be_bytes());
    set_meta(&conn, "header", &header);
    set_meta(&conn, "header_sum", &Sha256::digest(&header));
    assert!(matches!(
        Vault::open(&f.path),
        Err(VaultError::Damaged(Damage::Header))
    ));
}

#[test]
fn swapped_fields_and_rows_are_detected() {
    let f = fixture();
    let conn = db(&f.path);
    // The name ciphertexts of two accounts, exchanged.
    let name_a = column(&conn, f.a, "name");
    let name_b = column(&conn, f.b, "name");
    set_column(&conn, f.a, "name", &name_b);
    set_column(&conn, f.b, "name", &name_a);
    let vault = unlock(&f.path).unwrap();
    let mut damaged = vault.damaged().to_vec();
    damaged.sort_by_key(|d| format!("{d:?}"));
    let mut expected = vec![
        Damage::Field {
            account: f.a,
            field: Field::Name,
        },
        Damage::Field {
            account: f.b,
            field: Field::Name,
        },
    ];
    expected.sort_by_key(|d| format!("{d:?}"));
    assert_eq!(damaged, expected);
    assert_eq!(shown_codes(&vault), [f.c]);
    set_column(&conn, f.a, "name", &name_a);
    set_column(&conn, f.b, "name", &name_b);

    // Within one row: the issuer ciphertext put in place of the name.
    let issuer_b = column(&conn, f.b, "issuer");
    set_column(&conn, f.b, "name", &issuer_b);
    let vault = unlock(&f.path).unwrap();
    assert_eq!(
        vault.damaged(),
        [Damage::Field {
            account: f.b,
            field: Field::Name
        }]
    );
    set_column(&conn, f.b, "name", &name_b);

    // Whole rows exchanged (their ids swapped).
    conn.execute_batch("BEGIN").unwrap();
    let swap = |from: AccountId, to: &[u8]| {
        conn.execute(
            "UPDATE accounts SET id = ?1 WHERE id = ?2",
            params![to, from.as_bytes().as_slice()],
        )
        .unwrap();
    };
    swap(f.a, b"temporary-id-xxx");
    swap(f.b, f.a.as_bytes());
    conn.execute(
        "UPDATE accounts SET id = ?1 WHERE id = ?2",
        params![f.b.as_bytes().as_slice(), b"temporary-id-xxx".as_slice()],
    )
    .unwrap();
    conn.execute_batch("COMMIT").unwrap();
    let vault = unlock(&f.path).unwrap();
    assert_eq!(vault.damaged().len(), 2, "{:?}", vault.damaged());
    assert_eq!(shown_codes(&vault), [f.c]);
}

#[test]
fn a_record_rolled_back_to_an_older_ciphertext_is_detected() {
    let f = fixture();
    let mut vault = unlock(&f.path).unwrap();
    let hotp = vault
        .add(Account {
            issuer: Some("Bank".into()),
            name: "me".into(),
            secret: Secret::from_slice(b"12345678901234567890"),
            params: OtpParams::hotp(0),
        })
        .unwrap();
    assert_eq!(vault.next_hotp(hotp).unwrap().digits, "755224");
    drop(vault);

    let conn = db(&f.path);
    let columns = "revision, otp, issuer, name, note, groups, icon, details";
    let snapshot = |id: AccountId| -> Vec<rusqlite::types::Value> {
        conn.query_row(
            &format!("SELECT {columns} FROM accounts WHERE id = ?1"),
            [id.as_bytes().as_slice()],
            |r| (0..8).map(|i| r.get(i)).collect(),
        )
        .unwrap()
    };
    let restore = |id: AccountId, row: &[rusqlite::types::Value]| {
        let mut values = row.to_vec();
        values.push(rusqlite::types::Value::Blob(id.as_bytes().to_vec()));
        conn.execute(
            "UPDATE accounts SET revision = ?1, otp = ?2, issuer = ?3, name = ?4, note = ?5,
             groups = ?6, icon = ?7, details = ?8 WHERE id = ?9",
            rusqlite::params_from_iter(values),
        )
        .unwrap();
    };
    let old_hotp = snapshot(hotp);
    let old_b = snapshot(f.b);

    let mut vault = unlock(&f.path).unwrap();
    assert_eq!(vault.next_hotp(hotp).unwrap().digits, "287082");
    vault
        .rename(f.b, Some("Beta".into()), "renamed".into())
        .unwrap();
    drop(vault);

    // The HOTP record rolled back whole (counter 1 again): refused, so 287082 is never shown twice.
    restore(hotp, &old_hotp);
    let vault = unlock(&f.path).unwrap();
    assert_eq!(vault.damaged(), [Damage::StaleAccount { account: hotp }]);
    assert!(vault.codes_at(59).unwrap().iter().all(|c| c.id != hotp));

    // One field rolled back under the current revision: its seal no longer opens.
    let old_name = match &old_b[3] {
        rusqlite::types::Value::Blob(b) => b.clone(),
        other => panic!("{other:?}"),
    };
    set_column(&conn, f.b, "name", &old_name);
    let vault = unlock(&f.path).unwrap();
    assert!(vault.damaged().contains(&Damage::Field {
        account: f.b,
        field: Field::Name
    }));
    assert_eq!(shown_codes(&vault), [f.a, f.c]);
}

#[test]
fn deleted_and_foreign_rows_are_detected() {
    let f = fixture();
    let conn = db(&f.path);
    conn.execute(
        "DELETE FROM accounts WHERE id = ?1",
        [f.c.as_bytes().as_slice()],
    )
    .unwrap();
    let stranger = [0x42u8; 16];
    conn.execute(
        "INSERT INTO accounts SELECT ?1, revision, otp, issuer, name, note, groups, icon, details
         FROM accounts WHERE id = ?2",
        params![stranger.as_slice(), f.a.as_bytes().as_slice()],
    )
    .unwrap();
    let vault = unlock(&f.path).unwrap();
    let damaged = vault.damaged();
    assert!(damaged.contains(&Damage::MissingAccount { account: f.c }));
    assert!(damaged.contains(&Damage::UnknownAccount {
        account: AccountId::from_bytes(stranger)
    }));
    assert_eq!(damaged.len(), 2);
    assert_eq!(shown_codes(&vault), [f.a, f.b]);
}

#[test]
fn an_old_header_put_back_after_a_passphrase_change_is_detected() {
    let f = fixture();
    let conn = db(&f.path);
    let old: Vec<_> = ["header", "header_sum", "header_mac"]
        .iter()
        .map(|n| (*n, meta(&conn, n)))
        .collect();
    let mut vault = unlock(&f.path).unwrap();
    vault
        .change_passphrase_with_kdf("new passphrase", FAST)
        .unwrap();
    drop(vault);
    for (name, value) in &old {
        set_meta(&conn, name, value);
    }
    // The old passphrase opens the old slot, but the header no longer matches the vault's
    // generation.
    assert!(matches!(
        unlock(&f.path),
        Err(VaultError::Damaged(Damage::Header))
    ));
}

#[test]
fn a_damaged_record_is_kept_untouched_by_later_writes() {
    let f = fixture();
    let conn = db(&f.path);
    let mut bad = column(&conn, f.b, "otp");
    bad[30] ^= 1;
    set_column(&conn, f.b, "otp", &bad);
    let mut vault = unlock(&f.path).unwrap();
    vault.add(rfc_account("Delta", "d")).unwrap();
    vault.remove(f.a).unwrap();
    drop(vault);
    assert_eq!(
        column(&conn, f.b, "otp"),
        bad,
        "nothing lost: the row is still there"
    );
    let vault = unlock(&f.path).unwrap();
    assert_eq!(
        vault.damaged(),
        [Damage::Field {
            account: f.b,
            field: Field::Otp
        }]
    );
}

#[test]
fn a_header_in_a_newer_format_is_named_as_such() {
    let f = fixture();
    let conn = db(&f.path);
    let mut header = meta(&conn, "header");
    assert_eq!(&header[..10], b"JETONVLT\x00\x02");
    header[9] = 3;
    set_meta(&conn, "header", &header);
    set_meta(&conn, "header_sum", &Sha256::digest(&header));
    match Vault::open(&f.path) {
        Err(VaultError::NewerVersion { found, supported }) => {
            assert_eq!((found, supported), (3, 2));
        }
        other => panic!("{other:?}"),
    }
}

/// Argon2 memory is bounded at 1 GiB: a header asking for more (but under the old 4 GiB bound)
/// is refused when the vault is opened, before anything is derived.
#[test]
fn argon2_memory_above_one_gib_is_refused_before_deriving() {
    let f = fixture();
    let conn = db(&f.path);
    let original = meta(&conn, "header");
    let memory = slot_iterations_offset(&original) - 4;
    for (kib, refused) in [(2u32 << 20, true), ((1 << 20) + 1, true), (1 << 20, false)] {
        let mut header = original.clone();
        header[memory..memory + 4].copy_from_slice(&kib.to_be_bytes());
        set_meta(&conn, "header", &header);
        set_meta(&conn, "header_sum", &Sha256::digest(&header));
        // Only opened, never unlocked: the 1 GiB case must not be derived here.
        let opened = Vault::open(&f.path);
        assert_eq!(
            matches!(opened, Err(VaultError::Damaged(Damage::Header))),
            refused,
            "{kib} KiB"
        );
    }
}

/// The code only ever writes one passphrase slot; a header with two (each costing a full
/// Argon2 run on unlock) is refused.
#[test]
fn a_second_passphrase_slot_is_refused() {
    let f = fixture();
    let conn = db(&f.path);
    let mut header = meta(&conn, "header");
    let first_slot = slot_iterations_offset(&header) - 4 - 1;
    assert_eq!(header[first_slot - 1], 1, "one slot");
    let slot = header[first_slot..].to_vec();
    header[first_slot - 1] = 2;
    header.extend_from_slice(&slot);
    set_meta(&conn, "header", &header);
    set_meta(&conn, "header_sum", &Sha256::digest(&header));
    assert!(matches!(
        Vault::open(&f.path),
        Err(VaultError::Damaged(Damage::Header))
    ));
}
