//! Google Authenticator migration codes written by Google's protobuf library (PyPI `protobuf`,
//! an encoder independent of Jeton's; see `tests/vectors/google_migration.py`), read back and
//! checked against the accounts that script put in them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{assert_codes_match_oathtool, assert_matches, readme};
use jeton_core::import::{self, Format, GoogleError, ImportError, MigrationScans};
use jeton_core::otp::{Algorithm, Kind};

const SINGLE: &str = "otpauth-migration://offline?data=CiUKEOSScPDSHzZchAj4tHXFJnwSBU1hc29uGgREZW5vIAEoATACCicKEMOcxF7S6ZvozC%2BhS2VO3WcSC0lzc3V1OkphbWVzIAEoATABOAEKJwoQ7UDF7vvsziIGsV11wRgqdhIFTWFzb24aA1dXRSADKAIwATi8UAooChD5FmTI12iFOu3eWpNsFrqIEgZFbGlqYWgaBkFpcmJuYiADKAIwAgodCgpIZWxsbyHerb7vEgVwbGFpbhoIRGVmYXVsdHMKIAoKSGVsbG8h3q2%2B7xIDb2xkGgdNZDVDb3JwIAQoATACEAEYASj0tK%2BK%2B%2F%2F%2F%2F%2F8B";
const BATCH: [&str; 3] = [
    "otpauth-migration://offline?data=Ci4KEFUqlLmf7tB5tHLNRNUv5kISCEJlbmphbWluGgpBaXIgQ2FuYWRhIAIoATACEAEYAyj5%2F%2F%2F%2F%2F%2F%2F%2F%2F%2F8B",
    "otpauth-migration://offline?data=CiUKEOuZyznGeuBC%2BoZuxPI5y7USBUphbWVzGgRTUERYIAIoATACEAEYAyABKPn%2F%2F%2F%2F%2F%2F%2F%2F%2F%2FwE%3D",
    "otpauth-migration://offline?data=CigKEExyJfPiZeroMa%2FMdF%2BnkTISBlNvcGhpYRoGQm9laW5nIAIoATACEAEYAyACKPn%2F%2F%2F%2F%2F%2F%2F%2F%2F%2FwE%3D",
];
/// Base64 with `+` and `/`, percent-encoded as Google writes it.
const PLUS: &str = "otpauth-migration://offline?data=Ch4KCvvvn775%2B%2B%2Bf%2F%2F8SBHBsdXMaBFBsdXMgASgBMAIQARgBKCo%3D";
/// The same payload with `+`, `/` and `=` left raw.
const PLUS_RAW: &str =
    "otpauth-migration://offline?data=Ch4KCvvvn775+++f//8SBHBsdXMaBFBsdXMgASgBMAIQARgBKCo=";

#[test]
fn single_code_every_enum_value() {
    let imported = import::read(SINGLE.as_bytes(), None, None).unwrap();
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
    let p = scans.add(BATCH[2]).unwrap();
    assert_eq!((p.batch_id, p.index, p.scanned, p.total), (-7, 3, 1, 3));
    assert_eq!(p.to_string(), "1 of 3 codes scanned");
    assert!(!scans.is_complete());
    let p = scans.add(BATCH[0]).unwrap();
    assert_eq!(p.to_string(), "2 of 3 codes scanned");
    let again = scans.add(BATCH[0]).unwrap();
    assert!(again.repeated);
    assert_eq!(again.to_string(), "2 of 3 codes scanned");
    let p = scans.add(BATCH[1]).unwrap();
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
    scans.add(BATCH[1]).unwrap();
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
    let file = format!("{}\n{}\n", BATCH[0], BATCH[2]);
    assert!(matches!(
        import::read(file.as_bytes(), None, None),
        Err(ImportError::Google(GoogleError::Incomplete {
            scanned: 2,
            total: 3,
            ..
        }))
    ));
    let whole = format!("{}\n{}\n\n{}\n", BATCH[2], BATCH[0], BATCH[1]);
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
    let encoded = import::read(PLUS.as_bytes(), None, None).unwrap();
    let raw = import::read(PLUS_RAW.as_bytes(), None, None).unwrap();
    assert_eq!(encoded, raw);
    let account = &encoded.entries[0].account;
    assert_eq!(account.secret.to_base32().as_str(), "7PXZ7PXZ7PXZ7777");
    assert_eq!(
        (account.issuer.as_deref(), account.name.as_str()),
        (Some("Plus"), "plus")
    );
    // A form decoder upstream may have turned each `+` into a space: read back as `+`.
    let spaced = PLUS_RAW.replace('+', " ");
    assert_eq!(
        import::read(spaced.as_bytes(), Some(Format::GoogleMigration), None).unwrap(),
        encoded
    );
}

#[test]
fn damaged_codes_are_typed_errors() {
    for cut in [40, SINGLE.len() / 2, SINGLE.len() - 3] {
        let result = import::read(&SINGLE.as_bytes()[..cut], None, None);
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
        percent_encoding::percent_decode_str(SINGLE.split_once("data=").unwrap().1)
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
