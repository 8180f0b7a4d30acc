//! Authenticator Plus backups: the real file from Aegis's test suite
//! (`../shared/fixtures/other-apps-exports/authenticator_plus.zip`, password `testtesttest`).
//!
//! What the file really holds was read with Info-ZIP's `unzip -P testtesttest`: one entry,
//! `Accounts.txt` (ZipCrypto, deflated, 783 bytes, CRC-32 e950f295), whose text is byte for
//! byte the fixtures' `plain.txt`: seven `otpauth://` URIs, the README's rows Deno, SPDX, Airbnb,
//! Issuu, Air Canada, WWE and Boeing (Steam), every parameter as in the table; no Battle.net.
//! Every account is checked field by field against the README table (copied by hand in
//! `common`), codes against `oathtool`. Skips when the folder is absent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::{Row, assert_codes_match_oathtool, assert_matches, readme};
use jeton_core::import::{self, Format, ImportError, Imported};
use jeton_core::otp::Kind;

const NAME: &str = "authenticator_plus.zip";
const PASSWORD: &str = "testtesttest";
const FORMAT: Format = Format::AuthenticatorPlus;

fn load(name: &str) -> Option<Vec<u8>> {
    let dir = common::fixtures()?;
    Some(std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}")))
}

/// The accounts the file holds, in its order (see the module documentation).
fn rows() -> Vec<Row> {
    common::SEVEN.into_iter().map(readme).collect()
}

fn read_right(data: &[u8]) -> Imported {
    import::read(data, None, Some(PASSWORD)).unwrap_or_else(|e| panic!("{NAME}: {e}"))
}

/// 20 points inside the file.
fn points(len: usize) -> impl Iterator<Item = usize> {
    (1..=20).map(move |k| len * k / 21)
}

#[test]
fn every_account_field_by_field_and_codes_against_oathtool() {
    let Some(data) = load(NAME) else { return };
    assert_eq!(
        import::detect(&data),
        Some(FORMAT),
        "detected from contents"
    );
    assert!(import::needs_password(&data, FORMAT));
    let imported = read_right(&data);
    assert_eq!(imported.format, FORMAT);
    assert!(imported.refused.is_empty(), "{:?}", imported.refused);
    let rows = rows();
    assert_eq!(imported.entries.len(), rows.len(), "accounts");
    let mut compared = 0;
    for (entry, row) in imported.entries.iter().zip(&rows) {
        assert_matches(&entry.account, row, NAME);
        assert!(!entry.favourite && entry.groups.is_empty() && entry.note.is_none());
        if assert_codes_match_oathtool(&entry.account) > 0 {
            compared += 1;
        }
    }
    let not_steam = rows.iter().filter(|r| r.kind != Kind::Steam).count();
    assert_eq!(
        compared, not_steam,
        "every TOTP and HOTP account against oathtool"
    );
    // The same accounts as the plain list the entry is equal to.
    if let Some(plain) = load("plain.txt") {
        let list = import::read(&plain, Some(Format::OtpauthList), None).unwrap();
        assert_eq!(imported.entries, list.entries);
    }
}

#[test]
fn no_password_or_a_wrong_one_is_a_typed_error() {
    let Some(data) = load(NAME) else { return };
    for forced in [None, Some(FORMAT)] {
        assert_eq!(
            import::read(&data, forced, None),
            Err(ImportError::PasswordRequired(FORMAT))
        );
        assert_eq!(
            import::read(&data, forced, Some("")),
            Err(ImportError::WrongPassword(FORMAT))
        );
        assert_eq!(
            import::read(&data, forced, Some("testtesttesT")),
            Err(ImportError::WrongPassword(FORMAT))
        );
    }
}

/// ZipCrypto checks a password by one byte, so about 1 wrong password in 256 passes that check;
/// the inflated text's CRC-32 (or the inflater) must then refuse it. 2,000 wrong passwords pass
/// the check byte several times over, and every one is refused.
#[test]
fn wrong_passwords_that_pass_the_check_byte_are_refused_too() {
    let Some(data) = load(NAME) else { return };
    for i in 0..2_000 {
        let password = format!("wrong-{i}");
        assert_eq!(
            import::read(&data, Some(FORMAT), Some(&password)),
            Err(ImportError::WrongPassword(FORMAT)),
            "{password}"
        );
    }
}

/// Cut at 20 points (with the right password), the file is refused whole as a damaged
/// Authenticator Plus backup: the archive's directory is at its end.
#[test]
fn a_cut_file_is_refused_whole() {
    let Some(data) = load(NAME) else { return };
    for cut in points(data.len()) {
        let cut_data = &data[..cut];
        let result = catch_unwind(|| import::read(cut_data, Some(FORMAT), Some(PASSWORD)))
            .unwrap_or_else(|_| panic!("cut at {cut}: panicked"));
        assert!(
            matches!(&result, Err(ImportError::Malformed { format: FORMAT, .. })),
            "cut at {cut}: {result:?}"
        );
        if cut >= 42 {
            // Still recognised, so the error names the format.
            assert_eq!(import::detect(cut_data), Some(FORMAT), "cut at {cut}");
        }
    }
}

/// Every byte of the file altered (one bit, then all eight): never a panic; the file is refused
/// whole, or reads exactly the same accounts. ZipCrypto has no tag: what protects the accounts
/// is the entry's CRC-32 over the inflated text, and the zip headers' own consistency checks.
/// Bytes that neither covers (timestamps, attributes, extra fields) change nothing read.
#[test]
fn an_altered_byte_is_refused_whole_or_changes_nothing() {
    let Some(data) = load(NAME) else { return };
    let original = read_right(&data).entries;
    let mut unchanged = Vec::new();
    for at in 0..data.len() {
        for mask in [0x01, 0xff] {
            let mut altered = data.clone();
            altered[at] ^= mask;
            let result = catch_unwind(AssertUnwindSafe(|| {
                import::read(&altered, Some(FORMAT), Some(PASSWORD))
            }))
            .unwrap_or_else(|_| panic!("altered at {at}: panicked"));
            match result {
                Ok(read) => {
                    assert_eq!(read.entries, original, "altered at {at} ^ {mask:#x}");
                    assert!(read.refused.is_empty());
                    unchanged.push(at);
                }
                Err(
                    ImportError::Malformed { format: FORMAT, .. }
                    | ImportError::WrongPassword(FORMAT)
                    | ImportError::Unsupported { format: FORMAT, .. },
                ) => {}
                Err(other) => panic!("altered at {at} ^ {mask:#x}: {other:?}"),
            }
        }
    }
    // The encrypted data (bytes 70..465 of this file: after the local header's name and extra
    // field, before the data descriptor) is always covered.
    assert!(
        unchanged.iter().all(|at| !(70..465).contains(at)),
        "an altered byte of the encrypted data was read: {unchanged:?}"
    );
    eprintln!(
        "{} of {} alterations changed nothing read (unprotected metadata)",
        unchanged.len(),
        2 * data.len()
    );
}

/// Forced as another format, or another zip read as this one: a typed error, no panic.
#[test]
fn other_files_are_not_read_as_this_format() {
    let Some(data) = load(NAME) else { return };
    assert!(import::read(&data, Some(Format::OtpauthList), None).is_err());
    if let Some(plain) = load("plain.txt") {
        assert_eq!(import::detect(&plain), Some(Format::OtpauthList));
        assert!(matches!(
            import::read(&plain, Some(FORMAT), Some(PASSWORD)),
            Err(ImportError::Malformed { format: FORMAT, .. })
        ));
    }
}
