//! Google Authenticator migration codes written by Google's protobuf library (PyPI `protobuf`,
//! an encoder independent of Jeton's; see `tests/vectors/google_migration.py`), read back and
//! checked against the accounts that script put in them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{assert_codes_match_oathtool, assert_matches, readme};
use jeton_core::import::{self, Format, GoogleError, ImportError, MigrationScans};
use jeton_core::otp::{Algorithm, Kind};

/// The script's output: one `NAME uri` a line.
const VECTORS: &str = include_str!("vectors/google_migration.txt");

fn vector(name: &str) -> &'static str {
    VECTORS
        .lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .unwrap()
}

/// Five accounts Jeton reads and one MD5 account it refuses, batch of one.
fn single() -> &'static str {
    vector("SINGLE")
}

/// Three codes of one batch with a negative id.
fn batch(index: usize) -> &'static str {
    vector(&format!("BATCH{index}"))
}

#[test]
fn single_code_every_enum_value() {
    let imported = import::read(single().as_bytes(), None, None).unwrap();
    assert_eq!(imported.format, Format::GoogleMigration);
    let e = &imported.entries;
    assert_eq!(e.len(), 5);
    // Google has no period and no 7-digit codes, so only these README rows fit as they are.
    assert_matches(&e[0].account, &readme("Deno"), "SINGLE");
    // Issuer from the name prefix when the issuer field is empty.
    assert_matches(&e[1].account, &readme("Issuu"), "SINGLE");
    assert_matches(&e[2].account, &readme("WWE"), "SINGLE");
    assert_eq!(e[3].account.issuer.as_deref(), Some("Airbnb"));
    assert_eq!(e[3].account.params.algorithm, Algorithm::Sha512);
    assert_eq!(e[3].account.params.digits, 8);
    assert_eq!(e[3].account.params.period, 30, "Google codes are 30 s");
    // Unspecified enums: SHA1, 6 digits, TOTP.
    let d = &e[4].account;
    assert_eq!(
        (d.issuer.as_deref(), d.name.as_str()),
        (Some("Defaults"), "plain")
    );
    assert_eq!(d.secret.to_base32().as_str(), "JBSWY3DPEHPK3PXP");
    assert_eq!(d.params, jeton_core::OtpParams::totp());
    for entry in e {
        assert!(assert_codes_match_oathtool(&entry.account) > 0);
    }
    // MD5 is refused by name, at its position.
    assert_eq!(imported.refused.len(), 1);
    assert_eq!(imported.refused[0].position, 6);
    assert_eq!(imported.refused[0].label, "Md5Corp (old)");
    assert!(imported.refused[0].reason.contains("MD5"));
}

#[test]
fn batch_assembled_in_any_order_with_negative_id() {
    let mut scans = MigrationScans::new();
    let p = scans.add(batch(2)).unwrap();
    assert_eq!((p.batch_id, p.index, p.scanned, p.total), (-7, 3, 1, 3));
    assert_eq!(p.to_string(), "1 of 3 codes scanned");
    assert!(!scans.is_complete());
    let p = scans.add(batch(0)).unwrap();
    assert_eq!(p.to_string(), "2 of 3 codes scanned");
    let again = scans.add(batch(0)).unwrap();
    assert!(again.repeated);
    assert_eq!(again.to_string(), "2 of 3 codes scanned");
    let p = scans.add(batch(1)).unwrap();
    assert!(p.is_complete());
    let imported = scans.finish().unwrap();
    let issuers: Vec<_> = imported
        .entries
        .iter()
        .map(|e| e.account.issuer.clone().unwrap())
        .collect();
    assert_eq!(
        issuers,
        ["Air Canada", "SPDX", "Boeing"],
        "in code order, not scan order"
    );
    for entry in &imported.entries {
        let a = &entry.account;
        assert_eq!(a.params.algorithm, Algorithm::Sha256);
        assert_eq!(a.params.kind, Kind::Totp);
        assert_eq!(
            a.secret.to_base32().as_str(),
            readme(a.issuer.as_deref().unwrap()).secret
        );
    }
}

#[test]
fn incomplete_batch_says_what_is_missing_and_imports_nothing() {
    let mut scans = MigrationScans::new();
    scans.add(batch(1)).unwrap();
    let error = scans.finish().unwrap_err();
    assert_eq!(
        error,
        GoogleError::Incomplete {
            scanned: 1,
            total: 3,
            missing: vec![1, 3]
        }
    );
    assert_eq!(
        error.to_string(),
        "1 of 3 codes scanned: scan the missing code(s) 1, 3 of this Google Authenticator export"
    );
    // The same through a file holding two of the three codes.
    let file = format!("{}\n{}\n", batch(0), batch(2));
    assert!(matches!(
        import::read(file.as_bytes(), None, None),
        Err(ImportError::Google(GoogleError::Incomplete {
            scanned: 2,
            total: 3,
            ..
        }))
    ));
    let whole = format!("{}\n{}\n\n{}\n", batch(2), batch(0), batch(1));
    assert_eq!(
        import::read(whole.as_bytes(), None, None)
            .unwrap()
            .entries
            .len(),
        3
    );
    assert_eq!(
        MigrationScans::new().finish().unwrap_err(),
        GoogleError::Nothing
    );
}

#[test]
fn plus_is_base64_not_a_space() {
    let encoded = import::read(vector("PLUS").as_bytes(), None, None).unwrap();
    let raw = import::read(vector("PLUS_RAW").as_bytes(), None, None).unwrap();
    assert_eq!(encoded, raw);
    let account = &encoded.entries[0].account;
    assert_eq!(account.secret.to_base32().as_str(), "7PXZ7PXZ7PXZ7777");
    assert_eq!(
        (account.issuer.as_deref(), account.name.as_str()),
        (Some("Plus"), "plus")
    );
    // A form decoder upstream may have turned each `+` into a space: read back as `+`.
    let spaced = vector("PLUS_RAW").replace('+', " ");
    assert_eq!(
        import::read(spaced.as_bytes(), Some(Format::GoogleMigration), None).unwrap(),
        encoded
    );
}

#[test]
fn damaged_codes_are_typed_errors() {
    for cut in [40, single().len() / 2, single().len() - 3] {
        let result = import::read(&single().as_bytes()[..cut], None, None);
        assert!(
            matches!(result, Err(ImportError::Google(_))),
            "cut at {cut}: {result:?}"
        );
    }
    let mut scans = MigrationScans::new();
    // Hand-written from the spec: version 1 (field 2, varint) and nothing else.
    assert_eq!(
        scans
            .add("otpauth-migration://offline?data=EAE%3D")
            .unwrap_err(),
        GoogleError::InvalidPayload("it holds no accounts".into())
    );
    // Cut at an account boundary: the first account (field 1, 0x0a, length 0x25 = 37 bytes) alone.
    let data = data_encoding::BASE64.decode(
        percent_encoding::percent_decode_str(single().split_once("data=").unwrap().1)
            .decode_utf8()
            .unwrap()
            .as_bytes(),
    );
    let data = data.unwrap();
    assert_eq!(&data[..2], [0x0a, 0x25]);
    let cut = format!(
        "otpauth-migration://offline?data={}",
        data_encoding::BASE64.encode(&data[..2 + 0x25])
    );
    assert_eq!(
        scans.add(&cut).unwrap_err(),
        GoogleError::InvalidPayload("it has no version field, so it was cut short".into())
    );
    assert!(
        scans
            .add("otpauth-migration://offline?data=CiUKE%ZZ")
            .is_err()
    );
}

/// `uri`'s payload with `batch_size` and `batch_index` overridden: protobuf lets a later
/// occurrence of a scalar field replace an earlier one, so appending the two fields (hand-encoded
/// from the protobuf spec: tag 3 and tag 4, varint) to Google's own bytes sets them.
fn with_batch(uri: &str, size: u32, index: u32) -> String {
    fn varint(mut value: u32, out: &mut Vec<u8>) {
        while value >= 0x80 {
            out.push((value as u8 & 0x7f) | 0x80);
            value >>= 7;
        }
        out.push(value as u8);
    }
    let data = percent_encoding::percent_decode_str(uri.split_once("data=").unwrap().1)
        .decode_utf8()
        .unwrap();
    let mut bytes = data_encoding::BASE64.decode(data.as_bytes()).unwrap();
    bytes.push(0x18);
    varint(size, &mut bytes);
    bytes.push(0x20);
    varint(index, &mut bytes);
    format!(
        "otpauth-migration://offline?data={}",
        percent_encoding::utf8_percent_encode(
            &data_encoding::BASE64.encode(&bytes),
            percent_encoding::NON_ALPHANUMERIC
        )
    )
}

#[test]
fn a_huge_batch_size_is_refused_not_allocated() {
    // Two billion codes: before the bound, finishing this batch listed ~2e9 missing numbers.
    let crafted = with_batch(single(), 2_000_000_000, 0);
    let mut scans = MigrationScans::new();
    assert!(matches!(
        scans.add(&crafted),
        Err(GoogleError::InconsistentBatch(_))
    ));
    assert_eq!(scans.finish().unwrap_err(), GoogleError::Nothing);
    assert!(matches!(
        import::read(crafted.as_bytes(), None, None),
        Err(ImportError::Google(GoogleError::InconsistentBatch(_)))
    ));
    assert!(matches!(
        MigrationScans::new().add(&with_batch(single(), 65, 0)),
        Err(GoogleError::InconsistentBatch(_))
    ));
}

#[test]
fn a_large_incomplete_batch_lists_the_first_missing_codes_and_a_count() {
    let mut scans = MigrationScans::new();
    let progress = scans.add(&with_batch(single(), 64, 1)).unwrap();
    assert_eq!(
        (progress.index, progress.scanned, progress.total),
        (2, 1, 64)
    );
    let error = scans.finish().unwrap_err();
    let mut first: Vec<u32> = vec![1];
    first.extend(3..=21);
    assert_eq!(
        error,
        GoogleError::Incomplete {
            scanned: 1,
            total: 64,
            missing: first
        }
    );
    assert_eq!(
        error.to_string(),
        "1 of 64 codes scanned: scan the missing code(s) 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, \
         14, 15, 16, 17, 18, 19, 20, 21 and 43 more of this Google Authenticator export"
    );
}

/// More accounts than one batch may hold are written as several batches, and read back whole.
#[test]
fn an_export_beyond_one_batch_reads_back() {
    let count = jeton_core::export::GOOGLE_ACCOUNTS_PER_CODE
        * usize::try_from(import::MAX_BATCH_CODES).unwrap()
        + 1;
    let accounts: Vec<jeton_core::Account> = (0..count)
        .map(|i| jeton_core::Account {
            issuer: Some("Acme".into()),
            name: format!("user{i}"),
            secret: jeton_core::Secret::from_slice(b"12345678901234567890"),
            params: jeton_core::otp::OtpParams::totp(),
        })
        .collect();
    let codes = jeton_core::export::google_migration_with_batch_id(&accounts, i32::MAX);
    assert_eq!(codes.uris.len(), 65);
    let mut scans = MigrationScans::new();
    for uri in codes.uris.iter().rev() {
        scans.add(uri).unwrap();
    }
    let names: Vec<String> = scans
        .finish()
        .unwrap()
        .entries
        .into_iter()
        .map(|e| e.account.name)
        .collect();
    let mut expected: Vec<String> = (0..count).map(|i| format!("user{i}")).collect();
    // Batches come back in the order their first code was scanned (here the last batch first).
    expected.rotate_left(640);
    assert_eq!(names, expected);
}
