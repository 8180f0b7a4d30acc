//! Real files written by more apps (Authenticator Pro, andOTP, FreeOTP, FreeOTP+, Authy, Duo,
//! Steam, Battle.net, Bitwarden CSV, older 2FAS schemas, and the private databases of Google and
//! Microsoft Authenticator), from Aegis's test suite in `../shared/fixtures/other-apps-exports/`.
//! Every account is checked field by field against the README's table (or against what the app
//! really stores, where it keeps less), codes against `oathtool`, and every file is cut short and
//! altered byte by byte. Skips when the folder is absent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::{Row, SEVEN, assert_codes_match_oathtool, assert_matches, readme};
use jeton_core::import::{self, Format, ImportError, Imported};
use jeton_core::otp::{Algorithm, Kind};

fn load(name: &str) -> Option<Vec<u8>> {
    let dir = common::fixtures()?;
    Some(std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}")))
}

/// A README row as an app that keeps only TOTP with the usual parameters stores it.
fn as_plain_totp(issuer: &str) -> Row {
    Row {
        kind: Kind::Totp,
        algorithm: Algorithm::Sha1,
        digits: 6,
        period_or_counter: 30,
        ..readme(issuer)
    }
}

/// A README row with its parameters as the app stores them but HOTP kept as HOTP, SHA-1, 6 digits.
fn as_plain_hotp(issuer: &str) -> Row {
    Row {
        algorithm: Algorithm::Sha1,
        digits: 6,
        ..readme(issuer)
    }
}

/// Reads a fixture (detected, not forced), checks that it holds exactly `rows`, in order, every
/// field equal, codes equal to oathtool's for at least two accounts; then damages it.
fn check(name: &str, format: Format, rows: &[Row], cuts_detectable: bool) -> Option<Imported> {
    let data = load(name)?;
    assert_eq!(import::detect(&data), Some(format), "{name}: detected");
    assert!(!import::needs_password(&data, format), "{name}");
    let imported = import::read(&data, None, None).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(imported.format, format);
    assert!(
        imported.refused.is_empty(),
        "{name}: refused {:?}",
        imported.refused
    );
    assert_eq!(imported.entries.len(), rows.len(), "{name}: accounts");
    let mut compared = 0;
    for (entry, row) in imported.entries.iter().zip(rows) {
        assert_matches(&entry.account, row, name);
        if assert_codes_match_oathtool(&entry.account) > 0 {
            compared += 1;
        }
    }
    let totp_or_hotp = rows.iter().filter(|r| r.kind != Kind::Steam).count();
    assert!(
        compared >= totp_or_hotp.min(2),
        "{name}: {compared} accounts compared with oathtool"
    );
    assert_damage_is_refused(name, &data, format, rows.len(), cuts_detectable);
    Some(imported)
}

/// 20 points inside the file.
fn points(len: usize) -> impl Iterator<Item = usize> {
    (1..=20).map(move |k| len * k / 21)
}

/// The file cut at 20 points is refused whole with a typed error of its format (when the format
/// can tell: a CSV or text list cut at a line end is a shorter valid file); one bit flipped at 20
/// points never panics and never silently loses an account: every account of the file is
/// either read or refused by name, or the whole file is refused.
fn assert_damage_is_refused(
    name: &str,
    data: &[u8],
    format: Format,
    accounts: usize,
    cuts_detectable: bool,
) {
    for cut in points(data.len()) {
        let result = catch_unwind(|| import::read(&data[..cut], Some(format), None))
            .unwrap_or_else(|_| panic!("{name} cut at {cut}: panicked"));
        if cuts_detectable {
            assert!(
                matches!(&result, Err(ImportError::Malformed { format: f, .. }) if *f == format),
                "{name} cut at {cut}: {result:?}"
            );
        }
    }
    for at in points(data.len()) {
        let mut altered = data.to_vec();
        altered[at] ^= 0x01;
        let result = catch_unwind(AssertUnwindSafe(|| {
            import::read(&altered, Some(format), None)
        }))
        .unwrap_or_else(|_| panic!("{name} altered at {at}: panicked"));
        if let Ok(imported) = result {
            assert_eq!(
                imported.entries.len() + imported.refused.len(),
                accounts,
                "{name} altered at {at}: an account went missing without a word"
            );
        }
    }
}

/// Reads an encrypted fixture with its password (detected when `detected`, else forced): it needs
/// a password, refuses none and a wrong one with the typed errors, holds exactly `rows`, every
/// field equal, codes equal to oathtool's. Then, with the right password, every cut is refused
/// whole and every flipped bit is refused whole or loses no account without a word.
fn check_encrypted(
    name: &str,
    format: Format,
    password: &str,
    rows: &[Row],
    detected: bool,
) -> Option<Imported> {
    let data = load(name)?;
    let forced = (!detected).then_some(format);
    if detected {
        assert_eq!(import::detect(&data), Some(format), "{name}: detected");
    }
    assert!(import::needs_password(&data, format), "{name}");
    assert_eq!(
        import::read(&data, forced, None),
        Err(ImportError::PasswordRequired(format)),
        "{name}: no password"
    );
    assert_eq!(
        import::read(&data, forced, Some("wrong password")),
        Err(ImportError::WrongPassword(format)),
        "{name}: wrong password"
    );
    let imported =
        import::read(&data, forced, Some(password)).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(imported.format, format);
    assert!(
        imported.refused.is_empty(),
        "{name}: refused {:?}",
        imported.refused
    );
    assert_eq!(imported.entries.len(), rows.len(), "{name}: accounts");
    let mut compared = 0;
    for (entry, row) in imported.entries.iter().zip(rows) {
        assert_matches(&entry.account, row, name);
        if assert_codes_match_oathtool(&entry.account) > 0 {
            compared += 1;
        }
    }
    assert!(
        compared >= rows.len().min(2),
        "{name}: {compared} accounts compared with oathtool"
    );
    for cut in points(data.len()) {
        let result = catch_unwind(|| import::read(&data[..cut], Some(format), Some(password)))
            .unwrap_or_else(|_| panic!("{name} cut at {cut}: panicked"));
        assert!(result.is_err(), "{name} cut at {cut}: read {result:?}");
    }
    for at in points(data.len()) {
        let mut altered = data.clone();
        altered[at] ^= 0x01;
        let result = catch_unwind(AssertUnwindSafe(|| {
            import::read(&altered, Some(format), Some(password))
        }))
        .unwrap_or_else(|_| panic!("{name} altered at {at}: panicked"));
        if let Ok(read) = result {
            assert_eq!(
                read.entries.len() + read.refused.len(),
                rows.len(),
                "{name} altered at {at}: an account went missing without a word"
            );
        }
    }
    Some(imported)
}

fn rows(issuers: &[&str]) -> Vec<Row> {
    issuers.iter().map(|i| readme(i)).collect()
}

#[test]
fn authenticator_pro_json() {
    check(
        "stratum_plain.json",
        Format::AuthenticatorPro,
        &rows(&SEVEN),
        true,
    );
}

#[test]
fn authenticator_pro_internal_database() {
    check(
        "stratum_internal.db",
        Format::AuthenticatorPro,
        &rows(&SEVEN),
        true,
    );
}

/// Current (Argon2id + AES-GCM) and legacy (PBKDF2 + AES-CBC) encrypted backups hold the same
/// seven accounts as the plain one.
#[test]
fn authenticator_pro_encrypted_and_legacy() {
    for name in ["stratum_encrypted.bin", "stratum_encrypted_legacy.bin"] {
        check_encrypted(name, Format::AuthenticatorPro, "test", &rows(&SEVEN), true);
    }
}

/// The real backup read, written again as an andOTP plain backup, and read back: the same
/// entries (accounts and tags).
#[test]
fn andotp_plain() {
    let Some(imported) = check("andotp_plain.json", Format::AndOtp, &rows(&SEVEN), true) else {
        return;
    };
    let written = import::andotp::write(&imported.entries).unwrap();
    let back = import::read(written.as_bytes(), None, None).unwrap();
    assert_eq!(back.format, Format::AndOtp);
    assert!(back.refused.is_empty());
    assert_eq!(back.entries, imported.entries);
}

/// The current format (PBKDF2 header) is recognised by its contents; the old one carries no mark
/// and is read with `--format andotp`. The old backup holds the six TOTP and HOTP accounts, its
/// labels written `Issuer - Issuer:name` with no issuer field.
#[test]
fn andotp_encrypted_new_and_old() {
    let new = check_encrypted(
        "andotp_encrypted.bin",
        Format::AndOtp,
        "test",
        &rows(&SEVEN),
        true,
    );
    let old = check_encrypted(
        "andotp_encrypted_old.bin",
        Format::AndOtp,
        "test",
        &rows(&SEVEN[..6]),
        false,
    );
    if let (Some(new), Some(old)) = (new, old) {
        assert_eq!(new.entries[..6], old.entries[..]);
    }
}

const FREEOTP_PLUS_ORDER: [&str; 6] = ["WWE", "Air Canada", "Issuu", "Airbnb", "SPDX", "Deno"];

/// FreeOTP keeps the counter before its next use; the README's counters are the next ones.
#[test]
fn freeotp_plus_export_and_store() {
    check(
        "freeotp_plus.json",
        Format::FreeOtp,
        &rows(&FREEOTP_PLUS_ORDER),
        true,
    );
    check(
        "freeotp_plus_internal.xml",
        Format::FreeOtp,
        &rows(&FREEOTP_PLUS_ORDER),
        true,
    );
}

#[test]
fn freeotp_store() {
    check(
        "freeotp.xml",
        Format::FreeOtp,
        &rows(&["WWE", "Issuu", "Airbnb", "Deno"]),
        true,
    );
}

/// FreeOTP 2 backups (four Android versions, master key by PBKDF2-SHA1 or -SHA512) hold the six
/// TOTP and HOTP accounts, in the order of the map's key entries (a hash order, listed here from
/// the files by hand), with the next HOTP counter itself (not the one before use, as FreeOTP 1
/// keeps it). `freeotp_v2_null_algo.xml` holds Deno alone with no algorithm, digits nor period
/// (read as SHA-1, 6, 30 s, which are Deno's).
#[test]
fn freeotp_v2_backups() {
    let files: [(&str, [&str; 6]); 4] = [
        (
            "freeotp_v2_api23.xml",
            ["Airbnb", "WWE", "SPDX", "Air Canada", "Deno", "Issuu"],
        ),
        (
            "freeotp_v2_api25.xml",
            ["Air Canada", "Issuu", "Airbnb", "WWE", "SPDX", "Deno"],
        ),
        (
            "freeotp_v2_api27.xml",
            ["Deno", "Issuu", "SPDX", "Air Canada", "WWE", "Airbnb"],
        ),
        (
            "freeotp_v2_api34.xml",
            ["SPDX", "WWE", "Issuu", "Airbnb", "Air Canada", "Deno"],
        ),
    ];
    for (name, order) in files {
        check_encrypted(name, Format::FreeOtp, "test", &rows(&order), true);
    }
    check_encrypted(
        "freeotp_v2_null_algo.xml",
        Format::FreeOtp,
        "test",
        &rows(&["Deno"]),
        true,
    );
}

/// A CSV cut at a line end is a shorter valid file, so cuts are only checked for panics.
#[test]
fn bitwarden_csv() {
    let steam = Row {
        issuer: "Test 4",
        name: "",
        ..readme("Boeing")
    };
    let mut expected = rows(&["Deno", "SPDX", "Airbnb"]);
    expected.push(steam);
    check("bitwarden.csv", Format::BitwardenCsv, &expected, false);
}

/// Authy keeps digits but no algorithm nor period: its accounts are SHA-1, 30 s.
#[test]
fn authy_plain() {
    let authy = |issuer: &str| Row {
        digits: readme(issuer).digits,
        ..as_plain_totp(issuer)
    };
    check(
        "authy_plain.xml",
        Format::Authy,
        &[authy("Deno"), authy("SPDX"), authy("Airbnb")],
        true,
    );
}

/// The encrypted store holds the same three accounts as the plain one.
#[test]
fn authy_encrypted() {
    let authy = |issuer: &str| Row {
        digits: readme(issuer).digits,
        ..as_plain_totp(issuer)
    };
    check_encrypted(
        "authy_encrypted.xml",
        Format::Authy,
        "testtest",
        &[authy("Deno"), authy("SPDX"), authy("Airbnb")],
        true,
    );
}

/// TOTP Authenticator keeps Deno, SPDX and Airbnb with their digits and periods but no
/// algorithm (its codes are SHA-1), and the account names in lower case (`mason`).
fn totp_authenticator_rows() -> [Row; 3] {
    let row = |issuer: &str, name: &'static str| Row {
        name,
        algorithm: Algorithm::Sha1,
        ..readme(issuer)
    };
    [
        row("Deno", "mason"),
        row("SPDX", "james"),
        row("Airbnb", "elijah"),
    ]
}

#[test]
fn totp_authenticator_backup_and_store() {
    let backup = check_encrypted(
        "totp_authenticator.bin",
        Format::TotpAuthenticator,
        "Testtest1",
        &totp_authenticator_rows(),
        true,
    );
    let store = check(
        "totp_authenticator_internal.xml",
        Format::TotpAuthenticator,
        &totp_authenticator_rows(),
        true,
    );
    if let (Some(backup), Some(store)) = (backup, store) {
        assert_eq!(backup.entries, store.entries);
    }
}

#[test]
fn battle_net() {
    check(
        "battle_net_authenticator.xml",
        Format::BattleNet,
        &rows(&["Battle.net"]),
        true,
    );
}

/// Duo keeps no issuer and no parameters; its HOTP account says counter 3.
#[test]
fn duo() {
    let mason = Row {
        issuer: "",
        ..readme("Deno")
    };
    let james = Row {
        issuer: "",
        period_or_counter: 3,
        ..readme("Issuu")
    };
    let Some(data) = load("duo.json") else { return };
    assert_eq!(import::detect(&data), Some(Format::Duo));
    let imported = import::read(&data, None, None).unwrap();
    assert!(imported.refused.is_empty());
    assert_eq!(imported.entries.len(), 2);
    for (entry, row) in imported.entries.iter().zip([mason, james]) {
        assert_eq!(entry.account.issuer, None);
        assert_eq!(entry.account.name, row.name);
        common::assert_params(&entry.account, &row, "duo.json");
        assert!(assert_codes_match_oathtool(&entry.account) > 0);
    }
    assert_damage_is_refused("duo.json", &data, Format::Duo, 2, true);
}

#[test]
fn steam_new_and_old() {
    let sophia = Row {
        issuer: "Steam",
        ..readme("Boeing")
    };
    check("steam.json", Format::Steam, &[sophia], true);
    check("steam_old.json", Format::Steam, &[sophia], true);
}

/// Google's database keeps type and counter but no algorithm, digits nor period.
#[test]
fn google_authenticator_database() {
    let mut expected: Vec<Row> = ["Deno", "SPDX", "Airbnb"]
        .iter()
        .map(|i| as_plain_totp(i))
        .collect();
    expected.extend(
        ["Issuu", "Air Canada", "WWE"]
            .iter()
            .map(|i| as_plain_hotp(i)),
    );
    check(
        "google_authenticator.sqlite",
        Format::GoogleDb,
        &expected,
        true,
    );
}

/// Microsoft Authenticator keeps only TOTP with the usual parameters.
#[test]
fn microsoft_authenticator_database() {
    let expected: Vec<Row> = SEVEN.iter().map(|i| as_plain_totp(i)).collect();
    check(
        "microsoft_authenticator.sqlite",
        Format::MicrosoftDb,
        &expected,
        true,
    );
}

/// 2FAS schema 1 keeps no parameters (every account reads as SHA-1, 6 digits, 30 s TOTP);
/// schema 2 keeps digits, algorithm and period but no type (HOTP accounts read as TOTP).
#[test]
fn twofas_older_schemas() {
    let schema1: Vec<Row> = SEVEN[..6].iter().map(|i| as_plain_totp(i)).collect();
    check("2fas_authenticator.json", Format::TwoFas, &schema1, true);
    let as_totp = |issuer: &str| Row {
        kind: Kind::Totp,
        period_or_counter: 30,
        ..readme(issuer)
    };
    let schema2 = [
        readme("Deno"),
        readme("Airbnb"),
        as_totp("Issuu"),
        as_totp("WWE"),
    ];
    let plain = check(
        "2fas_authenticator_plain.2fas",
        Format::TwoFas,
        &schema2,
        true,
    );
    let Some(data) = load("2fas_authenticator_encrypted.2fas") else {
        return;
    };
    assert!(import::needs_password(&data, Format::TwoFas));
    let sealed = import::read(&data, None, Some("test")).unwrap();
    assert_eq!(sealed.entries, plain.unwrap().entries);
}
