//! Helpers shared by the import/export behaviour tests: where the real exports of other apps
//! are, the accounts they hold (from their README), and `oathtool` as an independent oracle.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use jeton_core::Account;
use jeton_core::otp::{Algorithm, Kind};

/// `../shared/fixtures/other-apps-exports` beside the repository (or `$JETON_FIXTURES`). The
/// folder is searched for in the ancestors of the workspace root, so that git worktrees nested
/// one level deeper find it too. `None` (with a message) when absent: the caller skips.
pub fn fixtures() -> Option<PathBuf> {
    let found = match std::env::var_os("JETON_FIXTURES") {
        Some(dir) => Some(PathBuf::from(dir)).filter(|dir| dir.join("README.md").is_file()),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()?
            .ancestors()
            .skip(1)
            .map(|dir| dir.join("shared/fixtures/other-apps-exports"))
            .find(|dir| dir.join("README.md").is_file()),
    };
    if found.is_none() {
        eprintln!(
            "SKIP: ../shared/fixtures/other-apps-exports is absent (set JETON_FIXTURES to run the tests against real exports)"
        );
    }
    found
}

/// One row of the fixtures README's table.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub issuer: &'static str,
    pub name: &'static str,
    pub kind: Kind,
    pub secret: &'static str,
    pub algorithm: Algorithm,
    pub digits: u8,
    /// Period (TOTP, Steam) or counter (HOTP).
    pub period_or_counter: u64,
}

const fn row(
    issuer: &'static str,
    name: &'static str,
    kind: Kind,
    secret: &'static str,
    algorithm: Algorithm,
    digits: u8,
    period_or_counter: u64,
) -> Row {
    Row {
        issuer,
        name,
        kind,
        secret,
        algorithm,
        digits,
        period_or_counter,
    }
}

use Algorithm::{Sha1, Sha256, Sha512};
use Kind::{Hotp, Steam, Totp};

/// The README's table, copied by hand from
/// `../shared/fixtures/other-apps-exports/README.md`.
pub const README: [Row; 8] = [
    row(
        "Deno",
        "Mason",
        Totp,
        "4SJHB4GSD43FZBAI7C2HLRJGPQ",
        Sha1,
        6,
        30,
    ),
    row(
        "SPDX",
        "James",
        Totp,
        "5OM4WOOGPLQEF6UGN3CPEOOLWU",
        Sha256,
        7,
        20,
    ),
    row(
        "Airbnb",
        "Elijah",
        Totp,
        "7ELGJSGXNCCTV3O6LKJWYFV2RA",
        Sha512,
        8,
        50,
    ),
    row(
        "Issuu",
        "James",
        Hotp,
        "YOOMIXWS5GN6RTBPUFFWKTW5M4",
        Sha1,
        6,
        1,
    ),
    row(
        "Air Canada",
        "Benjamin",
        Hotp,
        "KUVJJOM753IHTNDSZVCNKL7GII",
        Sha256,
        7,
        50,
    ),
    row(
        "WWE",
        "Mason",
        Hotp,
        "5VAML3X35THCEBVRLV24CGBKOY",
        Sha512,
        8,
        10300,
    ),
    row(
        "Boeing",
        "Sophia",
        Steam,
        "JRZCL47CMXVOQMNPZR2F7J4RGI",
        Sha1,
        5,
        30,
    ),
    row(
        "Battle.net",
        "US-2211-2050-3346",
        Totp,
        "BMGRXPGFARQQF4GMT25JATL2VYLAHDBI",
        Sha1,
        8,
        30,
    ),
];

/// The seven accounts most of the fixtures hold (every README row but Battle.net), by issuer,
/// in the files' order.
pub const SEVEN: [&str; 7] = [
    "Deno",
    "SPDX",
    "Airbnb",
    "Issuu",
    "Air Canada",
    "WWE",
    "Boeing",
];

/// The README row with this issuer.
pub fn readme(issuer: &str) -> Row {
    README
        .iter()
        .copied()
        .find(|r| r.issuer == issuer)
        .unwrap_or_else(|| panic!("{issuer} is not in the README table"))
}

/// Asserts every field of an account against a README row.
pub fn assert_matches(account: &Account, row: &Row, context: &str) {
    assert_eq!(
        account.issuer.as_deref(),
        Some(row.issuer),
        "{context}: issuer"
    );
    assert_eq!(account.name, row.name, "{context}: {} name", row.issuer);
    assert_params(account, row, context);
}

/// Asserts everything but the label.
pub fn assert_params(account: &Account, row: &Row, context: &str) {
    let what = format!("{context}: {}", row.issuer);
    assert_eq!(
        account.secret.to_base32().as_str(),
        row.secret,
        "{what} secret"
    );
    assert_eq!(account.params.kind, row.kind, "{what} kind");
    assert_eq!(account.params.algorithm, row.algorithm, "{what} algorithm");
    assert_eq!(account.params.digits, row.digits, "{what} digits");
    assert_eq!(account.params.t0, 0, "{what} t0");
    match row.kind {
        Hotp => assert_eq!(
            account.params.counter, row.period_or_counter,
            "{what} counter"
        ),
        Totp | Steam => {
            assert_eq!(
                u64::from(account.params.period),
                row.period_or_counter,
                "{what} period"
            )
        }
    }
}

/// The code `oathtool` computes for the account at `unix` (TOTP), or at its counter (HOTP,
/// computed as a TOTP with 1-second steps at T = counter, because oathtool's HOTP mode is
/// SHA-1 only). `None` for Steam, which oathtool does not know.
pub fn oathtool(account: &Account, unix: u64) -> Option<String> {
    let p = &account.params;
    let mode = match p.algorithm {
        Sha1 => "sha1",
        Sha256 => "sha256",
        Sha512 => "sha512",
    };
    let (step, now) = match p.kind {
        Steam => return None,
        Totp => (p.period, unix),
        Hotp => (1, p.counter),
    };
    let output = Command::new("oathtool")
        .arg(format!("--totp={mode}"))
        .arg(format!("--digits={}", p.digits))
        .arg(format!("--time-step-size={step}s"))
        .arg(format!("--now=@{now}"))
        .arg("--base32")
        .arg(account.secret.to_base32().as_str())
        .output()
        .expect("oathtool is installed (scripts/setup installs it)");
    assert!(
        output.status.success(),
        "oathtool failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Checks the account's codes against oathtool at a few instants; returns how many were compared.
pub fn assert_codes_match_oathtool(account: &Account) -> usize {
    let mut compared = 0;
    for unix in [59, 1_111_111_109, 2_000_000_000] {
        let Some(expected) = oathtool(account, unix) else {
            return compared;
        };
        let ours = account.code_at(unix).expect("code");
        assert_eq!(
            ours.digits,
            expected,
            "{} at {unix}",
            account.display_label()
        );
        compared += 1;
        if account.params.kind == Hotp {
            break;
        }
    }
    compared
}
