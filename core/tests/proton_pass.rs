//! Proton Pass exports: the real file from Aegis's unmerged Proton Pass importer (branch commit
//! 34550fff of beemdevelopment/Aegis, `app/src/test/resources/.../proton_pass.zip`), read from
//! `../shared/fixtures/other-apps-exports/proton_pass.zip` (or `$JETON_FIXTURES`). The shared
//! folder's README lists the file but does not hold it, so these tests skip there (and in CI);
//! the unit tests beside the reader run on zips they build.
//!
//! What the file really holds, read with Info-ZIP's `unzip -v` and `unzip -p … | python3 -m
//! json.tool`: a folder entry `Proton Pass/` and `Proton Pass/data.json` (deflated, 2,534 bytes,
//! CRC-32 4634cbfe): `"encrypted": false`, version 1.20.1, one vault "Services" with three items:
//! - a login named "Mason", note "aaa", email example@example.com, not pinned, whose `totpUri`
//!   is `otpauth://totp/Deno:Mason?issuer=Deno&secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&algorithm=SHA1&digits=6&period=30`;
//! - a login named "https://1example.com" whose `totpUri` is empty (a password, not an account);
//! - an alias "1.example.com" (no content).
//!
//! So one account, the README's Deno row, written out by hand below. Aegis's test expects the
//! same (its README vectors, looked up by secret).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::{assert_codes_match_oathtool, assert_matches, readme};
use jeton_core::import::{self, Format, ImportError, Imported};

const NAME: &str = "proton_pass.zip";
const FORMAT: Format = Format::ProtonPass;

fn load() -> Option<Vec<u8>> {
    let dir = common::fixtures()?;
    let path = dir.join(NAME);
    if !path.is_file() {
        eprintln!(
            "SKIP: {NAME} is not in {} (the shared folder lacks it)",
            dir.display()
        );
        return None;
    }
    Some(std::fs::read(&path).unwrap_or_else(|e| panic!("{NAME}: {e}")))
}

fn read(data: &[u8]) -> Imported {
    import::read(data, None, None).unwrap_or_else(|e| panic!("{NAME}: {e}"))
}

/// 20 points inside the file.
fn points(len: usize) -> impl Iterator<Item = usize> {
    (1..=20).map(move |k| len * k / 21)
}

#[test]
fn the_account_field_by_field_and_codes_against_oathtool() {
    let Some(data) = load() else { return };
    assert_eq!(
        import::detect(&data),
        Some(FORMAT),
        "detected from contents"
    );
    assert!(!import::needs_password(&data, FORMAT));
    let imported = read(&data);
    assert_eq!(imported.format, FORMAT);
    assert!(imported.refused.is_empty(), "{:?}", imported.refused);
    assert_eq!(
        imported.entries.len(),
        1,
        "the login without a TOTP and the alias are passed over"
    );
    let entry = &imported.entries[0];
    // The fixtures README's Deno row, which the sample's `totpUri` holds.
    assert_matches(&entry.account, &readme("Deno"), NAME);
    assert_eq!(entry.note.as_deref(), Some("aaa"), "the item's note");
    assert_eq!(
        entry.groups,
        vec!["Services".to_owned()],
        "the vault's name"
    );
    assert!(!entry.favourite, "not pinned");
    assert_eq!(assert_codes_match_oathtool(&entry.account), 3);
    // Forced, the same.
    let forced = import::read(&data, Some(FORMAT), None).unwrap();
    assert_eq!(forced.entries, imported.entries);
}

/// Cut at 20 points, the file is refused whole as a damaged Proton Pass export: the archive's
/// directory is at its end.
#[test]
fn a_cut_file_is_refused_whole() {
    let Some(data) = load() else { return };
    for cut in points(data.len()) {
        let cut_data = &data[..cut];
        let result = catch_unwind(|| import::read(cut_data, Some(FORMAT), None))
            .unwrap_or_else(|_| panic!("cut at {cut}: panicked"));
        assert!(
            matches!(&result, Err(ImportError::Malformed { format: FORMAT, .. })),
            "cut at {cut}: {result:?}"
        );
        // Once the first local header's name is in, still recognised (and so named).
        if cut >= 30 + "Proton Pass/".len() + 30 + "Proton Pass/data.json".len() {
            assert_eq!(import::detect(cut_data), Some(FORMAT), "cut at {cut}");
        }
    }
}

/// Every byte of the file altered (one bit, then all eight): never a panic; the file is refused
/// whole, or reads exactly the same account. The deflated `data.json` is covered by the
/// inflater and its CRC-32; bytes nothing checks (timestamps, attributes, the local headers the
/// `zip` crate reads past) change nothing read.
#[test]
fn an_altered_byte_is_refused_whole_or_changes_nothing() {
    let Some(data) = load() else { return };
    let original = read(&data).entries;
    let mut unchanged = Vec::new();
    let mut refused = 0;
    for at in 0..data.len() {
        for mask in [0x01, 0xff] {
            let mut altered = data.clone();
            altered[at] ^= mask;
            let result = catch_unwind(AssertUnwindSafe(|| {
                import::read(&altered, Some(FORMAT), None)
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
                    | ImportError::Unsupported { format: FORMAT, .. },
                ) => refused += 1,
                Err(other) => panic!("altered at {at} ^ {mask:#x}: {other:?}"),
            }
        }
    }
    // The deflated data.json (bytes 157..735 of this file, as Python's zipfile places it: after
    // the second local header's name and extra field, before the data descriptor) is always
    // covered.
    assert!(
        unchanged.iter().all(|at| !(157..735).contains(at)),
        "an altered byte of the deflated data was read: {unchanged:?}"
    );
    eprintln!(
        "{refused} of {} alterations refused whole, {} changed nothing read (unprotected zip metadata)",
        2 * data.len(),
        unchanged.len()
    );
}

/// Forced as another format, or another zip read as this one: a typed error, no panic.
#[test]
fn other_files_are_not_read_as_this_format() {
    let Some(data) = load() else { return };
    assert!(import::read(&data, Some(Format::AuthenticatorPlus), Some("x")).is_err());
    assert!(import::read(&data, Some(Format::OtpauthList), None).is_err());
    let dir = common::fixtures().unwrap();
    if let Ok(authplus) = std::fs::read(dir.join("authenticator_plus.zip")) {
        assert_eq!(import::detect(&authplus), Some(Format::AuthenticatorPlus));
        assert!(matches!(
            import::read(&authplus, Some(FORMAT), None),
            Err(ImportError::Malformed { format: FORMAT, detail }) if detail.contains("no Proton Pass/data.json")
        ));
    }
}
