//! Ente Auth's encrypted export: files written by libsodium (PyPI `pynacl`) from Ente's
//! published format (independent truth, see `tests/vectors/ente_encrypted.py`), one as Ente
//! writes it today (`TAG_MESSAGE`) and one as it did before 2024 (`TAG_FINAL`). Each opens with
//! its password and holds exactly the accounts the script put in it, codes equal to oathtool's;
//! no, wrong and changed passwords are typed errors; every cut and flipped bit is refused whole.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::{Row, assert_codes_match_oathtool, assert_matches};
use jeton_core::import::{self, Format, ImportError};
use jeton_core::otp::{Algorithm, Kind};

const CURRENT: &str = include_str!("vectors/ente_encrypted.json");
const BEFORE_2024: &str = include_str!("vectors/ente_encrypted_final.json");
const PASSWORD: &str = "Mot de passe d'Ente é";

/// The accounts `ente_encrypted.py` encrypted, in its order.
const ROWS: [Row; 4] = [
    Row {
        issuer: "Deno",
        name: "Mason",
        kind: Kind::Totp,
        secret: "4SJHB4GSD43FZBAI7C2HLRJGPQ",
        algorithm: Algorithm::Sha1,
        digits: 6,
        period_or_counter: 30,
    },
    Row {
        issuer: "SPDX",
        name: "James",
        kind: Kind::Totp,
        secret: "5OM4WOOGPLQEF6UGN3CPEOOLWU",
        algorithm: Algorithm::Sha256,
        digits: 7,
        period_or_counter: 20,
    },
    Row {
        issuer: "WWE",
        name: "Mason",
        kind: Kind::Hotp,
        secret: "5VAML3X35THCEBVRLV24CGBKOY",
        algorithm: Algorithm::Sha512,
        digits: 8,
        period_or_counter: 10300,
    },
    Row {
        issuer: "Airbnb",
        name: "Elijah",
        kind: Kind::Totp,
        secret: "7ELGJSGXNCCTV3O6LKJWYFV2RA",
        algorithm: Algorithm::Sha512,
        digits: 8,
        period_or_counter: 50,
    },
];

fn check(name: &str, data: &[u8]) {
    assert_eq!(import::detect(data), Some(Format::Ente), "{name}: detected");
    assert!(import::needs_password(data, Format::Ente), "{name}");
    assert_eq!(
        import::read(data, None, None),
        Err(ImportError::PasswordRequired(Format::Ente)),
        "{name}: no password"
    );
    for wrong in ["wrong password", "Mot de passe d'Ente e", ""] {
        assert_eq!(
            import::read(data, None, Some(wrong)),
            Err(ImportError::WrongPassword(Format::Ente)),
            "{name}: {wrong:?}"
        );
    }
    let imported =
        import::read(data, None, Some(PASSWORD)).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(imported.format, Format::Ente);
    assert!(
        imported.refused.is_empty(),
        "{name}: {:?}",
        imported.refused
    );
    assert_eq!(imported.entries.len(), ROWS.len(), "{name}: accounts");
    for (entry, row) in imported.entries.iter().zip(&ROWS) {
        assert_matches(&entry.account, row, name);
        assert!(
            assert_codes_match_oathtool(&entry.account) > 0,
            "{name}: oathtool"
        );
    }
    // Ente's codeDisplay: Deno is pinned and tagged, the others are not.
    assert!(imported.entries[0].favourite);
    assert_eq!(imported.entries[0].groups, vec!["Cégep".to_owned()]);
    assert!(
        imported.entries[1..]
            .iter()
            .all(|e| !e.favourite && e.groups.is_empty())
    );

    for k in 1..=20 {
        let cut = data.len() * k / 21;
        let result =
            catch_unwind(|| import::read(&data[..cut], Some(Format::Ente), Some(PASSWORD)))
                .unwrap_or_else(|_| panic!("{name} cut at {cut}: panicked"));
        assert!(
            matches!(
                &result,
                Err(ImportError::Malformed {
                    format: Format::Ente,
                    ..
                })
            ),
            "{name} cut at {cut}: {result:?}"
        );
    }
    // One bit flipped at 20 points, and in every byte of the encrypted data and the header:
    // never read, whatever was changed (the JSON, the costs, the salt, the nonce, the data).
    let text = std::str::from_utf8(data).unwrap();
    let data_start = text.find("\"encryptedData\": \"").unwrap() + 18;
    let points = (1..=20)
        .map(|k| data.len() * k / 21)
        .chain(data_start..data.len() - 2);
    for at in points {
        let mut altered = data.to_vec();
        altered[at] ^= 0x01;
        let result = catch_unwind(AssertUnwindSafe(|| {
            import::read(&altered, Some(Format::Ente), Some(PASSWORD))
        }))
        .unwrap_or_else(|_| panic!("{name} altered at {at}: panicked"));
        assert!(result.is_err(), "{name} altered at {at}: read");
    }
}

#[test]
fn opens_the_export_as_ente_writes_it_today() {
    check("ente_encrypted.json", CURRENT.as_bytes());
}

#[test]
fn opens_the_export_as_ente_wrote_it_before_2024() {
    check("ente_encrypted_final.json", BEFORE_2024.as_bytes());
}

/// The costs come from the file: above Jeton's ceiling, the file is refused at once, before a
/// password is even needed (the real file's costs, rewritten).
#[test]
fn crafted_costs_are_refused_before_any_work() {
    let value: serde_json::Value = serde_json::from_str(CURRENT).unwrap();
    for (mem, ops) in [(1u64 << 31, 2u64), (8 << 20, 1000), (u64::MAX, u64::MAX)] {
        let mut bomb = value.clone();
        bomb["kdfParams"]["memLimit"] = mem.into();
        bomb["kdfParams"]["opsLimit"] = ops.into();
        let bytes = serde_json::to_vec(&bomb).unwrap();
        for password in [None, Some(PASSWORD)] {
            let started = std::time::Instant::now();
            let result = import::read(&bytes, None, password);
            assert!(
                matches!(&result, Err(ImportError::Unsupported { format: Format::Ente, detail }) if detail.contains("above the maximum")),
                "{mem} {ops}: {result:?}"
            );
            assert!(started.elapsed().as_millis() < 200, "{mem} {ops}: slow");
        }
    }
    // Costs changed within the ceiling derive another key: the password no longer opens it.
    let mut cheaper = value.clone();
    cheaper["kdfParams"]["opsLimit"] = 1.into();
    assert_eq!(
        import::read(&serde_json::to_vec(&cheaper).unwrap(), None, Some(PASSWORD)),
        Err(ImportError::WrongPassword(Format::Ente))
    );
}

/// `--format ente` also reads Ente's plain export (an otpauth list).
#[test]
fn the_plain_export_reads_with_the_same_format() {
    let plain = b"otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&issuer=Deno\n";
    assert!(!import::needs_password(plain, Format::Ente));
    let imported = import::read(plain, Some(Format::Ente), None).unwrap();
    assert_eq!(imported.format, Format::Ente);
    assert_matches(&imported.entries[0].account, &ROWS[0], "plain");
}
