//! `jeton vault ...` end to end, through the real binary, with the default KDF parameters.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

const JETON: &str = env!("CARGO_BIN_EXE_jeton");
const RFC_URI: &str = "otpauth://totp/Omnivox:2412345?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Omnivox&digits=8";
const HOTP_URI: &str =
    "otpauth://hotp/Bank:me?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Bank&counter=0";

fn jeton(vault: &Path, passphrase: &str, args: &[&str]) -> Output {
    Command::new(JETON)
        .arg("vault")
        .args(args)
        .arg("--vault")
        .arg(vault)
        .env("JETON_PASSPHRASE", passphrase)
        .env_remove("JETON_NEW_PASSPHRASE")
        .env_remove("JETON_VAULT")
        .output()
        .unwrap()
}

fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn fails(output: Output) -> String {
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn a_vault_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("sub/dir/v.jeton");
    let pass = "correct horse";

    assert!(ok(jeton(&vault, pass, &["init"])).starts_with("created "));
    assert!(fails(jeton(&vault, pass, &["init"])).contains("already exists"));
    assert!(ok(jeton(&vault, pass, &["add", RFC_URI])).starts_with("added Omnivox (2412345)"));
    ok(jeton(&vault, pass, &["add", HOTP_URI]));
    assert!(fails(jeton(&vault, pass, &["add", "otpauth://totp/x"])).contains("secret"));

    let list = ok(jeton(&vault, pass, &["list"]));
    assert!(list.contains("Omnivox (2412345)\ttotp\t"), "{list}");
    assert!(list.contains("Bank (me)\thotp\t"), "{list}");
    assert!(!list.contains("GEZDGNBV"), "list never shows secrets");

    // RFC 6238 Appendix B, SHA-1, T = 59 s, 8 digits.
    let codes = ok(jeton(&vault, pass, &["codes", "--at", "59"]));
    assert!(codes.contains("Omnivox (2412345)\t94287082\t1s"), "{codes}");
    assert!(codes.contains("Bank (me)\t(counter-based"), "{codes}");
    assert_eq!(
        ok(jeton(&vault, pass, &["code", "omnivox", "--at", "59"])),
        "94287082\n"
    );
    // RFC 4226 Appendix D: counts 0 and 1; the counter survives between runs.
    assert_eq!(ok(jeton(&vault, pass, &["code", "bank"])), "755224\n");
    assert_eq!(ok(jeton(&vault, pass, &["code", "Bank (me)"])), "287082\n");

    assert!(fails(jeton(&vault, pass, &["code", "nobody"])).contains("no account matches"));
    assert!(fails(jeton(&vault, pass, &["code", "m"])).contains("matches 2 accounts"));

    ok(jeton(
        &vault,
        pass,
        &["rename", "omnivox", "--name", "2499999"],
    ));
    assert!(ok(jeton(&vault, pass, &["list"])).contains("Omnivox (2499999)"));
    assert!(ok(jeton(&vault, pass, &["remove", "bank", "--yes"])).starts_with("removed Bank (me)"));
    assert!(!ok(jeton(&vault, pass, &["list"])).contains("Bank"));

    let wrong = fails(jeton(&vault, "wrong", &["list"]));
    assert_eq!(wrong, "jeton: wrong passphrase\n");

    let passwd = Command::new(JETON)
        .args(["vault", "passwd", "--vault"])
        .arg(&vault)
        .env("JETON_PASSPHRASE", pass)
        .env("JETON_NEW_PASSPHRASE", "battery staple")
        .output()
        .unwrap();
    assert_eq!(ok(passwd), "passphrase changed\n");
    assert_eq!(
        fails(jeton(&vault, pass, &["list"])),
        "jeton: wrong passphrase\n"
    );
    assert!(ok(jeton(&vault, "battery staple", &["list"])).contains("Omnivox (2499999)"));
}

/// `remove` deletes only what is named exactly (an id, or a label, issuer or name in any case)
/// and only once confirmed; an ambiguous name lists the candidates and deletes nothing.
#[test]
fn remove_takes_an_exact_unique_name_and_a_yes() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v.jeton");
    let pass = "correct horse";
    ok(jeton(&vault, pass, &["init"]));
    let secret = "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    for label in ["Airbnb:Elijah", "Bank:me", "Bank:you"] {
        let (issuer, _) = label.split_once(':').unwrap();
        ok(jeton(
            &vault,
            pass,
            &[
                "add",
                &format!("otpauth://totp/{label}?{secret}&issuer={issuer}"),
            ],
        ));
    }
    let ids = |name: &str| -> Vec<String> {
        ok(jeton(&vault, pass, &["list"]))
            .lines()
            .filter(|l| l.starts_with(name))
            .map(|l| l.rsplit('\t').next().unwrap().to_owned())
            .collect()
    };
    let count = || ok(jeton(&vault, pass, &["list"])).lines().count();

    // A part of a name is not a name: "b" once deleted "Airbnb (Elijah)".
    let part = fails(jeton(&vault, pass, &["remove", "b", "--yes"]));
    assert!(part.contains("no account matches \"b\""), "{part}");
    // Two accounts at Bank: both listed with their ids, neither removed.
    let both = fails(jeton(&vault, pass, &["remove", "bank", "--yes"]));
    assert!(both.contains("matches 2 accounts"), "{both}");
    for id in ids("Bank") {
        assert!(both.contains(&id), "{both} lacks {id}");
    }
    assert_eq!(count(), 3);
    // No terminal to ask on (the test's stdin is not one), and no --yes: nothing removed.
    let unasked = fails(jeton(&vault, pass, &["remove", "Bank (me)"]));
    assert!(unasked.contains("--yes"), "{unasked}");
    assert_eq!(count(), 3);

    assert!(
        ok(jeton(&vault, pass, &["remove", "BANK (ME)", "--yes"])).starts_with("removed Bank (me)")
    );
    let airbnb = ids("Airbnb").remove(0);
    assert!(
        ok(jeton(&vault, pass, &["remove", &airbnb, "--yes"]))
            .starts_with("removed Airbnb (Elijah)")
    );
    assert_eq!(
        ok(jeton(&vault, pass, &["list"]))
            .lines()
            .collect::<Vec<_>>()
            .len(),
        1
    );
    assert!(ok(jeton(&vault, pass, &["list"])).starts_with("Bank (you)"));
}

/// The passphrase floor is the vault's, so `init`, `passwd` and an `import` that creates the
/// vault all refuse a short passphrase with the same words, and create nothing.
#[test]
fn short_passphrases_are_refused_by_every_command_that_sets_one() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v.jeton");
    for short in ["", "1234567"] {
        let error = fails(jeton(&vault, short, &["init"]));
        assert!(error.contains("at least 8 characters"), "{error}");
        assert!(!vault.exists());
        let import = Command::new(JETON)
            .args(["import", RFC_URI, "--vault"])
            .arg(&vault)
            .env("JETON_PASSPHRASE", short)
            .output()
            .unwrap();
        assert!(fails(import).contains("at least 8 characters"));
        assert!(!vault.exists());
    }
    ok(jeton(&vault, "12345678", &["init"]));
    let passwd = Command::new(JETON)
        .args(["vault", "passwd", "--vault"])
        .arg(&vault)
        .env("JETON_PASSPHRASE", "12345678")
        .env("JETON_NEW_PASSPHRASE", "short")
        .output()
        .unwrap();
    assert!(fails(passwd).contains("at least 8 characters"));
    ok(jeton(&vault, "12345678", &["list"]));
}

#[test]
fn clear_errors_for_missing_and_foreign_files() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("none.jeton");
    assert!(fails(jeton(&missing, "x", &["list"])).contains("there is no vault at"));
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a vault, just some words in a text file").unwrap();
    assert!(fails(jeton(&text, "x", &["list"])).contains("is not a Jeton vault"));
}

#[test]
fn the_default_vault_lives_in_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(JETON)
        .args(["vault", "init"])
        .env("XDG_DATA_HOME", dir.path())
        .env("HOME", dir.path())
        .env("JETON_PASSPHRASE", "password")
        .env_remove("JETON_VAULT")
        .output()
        .unwrap();
    ok(output);
    let expected = if cfg!(target_os = "macos") {
        dir.path()
            .join("Library/Application Support/jeton/vault.jeton")
    } else {
        dir.path().join("jeton/vault.jeton")
    };
    assert!(expected.exists(), "{}", expected.display());
}

/// A PNG of `text`'s QR code drawn by `qrencode` (a peer, not Jeton's drawing code).
fn qrencode_png(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    let status = Command::new("qrencode")
        .args(["-s", "6", "-o"])
        .arg(&path)
        .arg(text)
        .status()
        .expect("qrencode is needed (scripts/setup installs it)");
    assert!(status.success());
    path
}

#[test]
fn add_from_a_screenshot_of_the_qr_code() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v.jeton");
    let pass = "correct horse";
    ok(jeton(&vault, pass, &["init"]));

    let png = qrencode_png(dir.path(), "omnivox.png", RFC_URI);
    let added = ok(jeton(
        &vault,
        pass,
        &["add", "--scan", png.to_str().unwrap()],
    ));
    assert!(added.starts_with("added Omnivox (2412345)"), "{added}");
    // RFC 6238 Appendix B, SHA-1, T = 59 s, 8 digits.
    let codes = ok(jeton(&vault, pass, &["codes", "--at", "59"]));
    assert!(codes.contains("Omnivox (2412345)\t94287082\t1s"), "{codes}");

    let text = qrencode_png(dir.path(), "text.png", "https://example.com/");
    let why = fails(jeton(
        &vault,
        pass,
        &["add", "--scan", text.to_str().unwrap()],
    ));
    assert!(why.contains("not an authenticator code"), "{why}");
    let export = qrencode_png(
        dir.path(),
        "export.png",
        "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU",
    );
    let why = fails(jeton(
        &vault,
        pass,
        &["add", "--scan", export.to_str().unwrap()],
    ));
    assert!(why.contains("jeton import"), "{why}");
    let why = fails(jeton(&vault, pass, &["add", "--scan", "/nonexistent.png"]));
    assert!(why.contains("cannot read"), "{why}");
    assert_eq!(ok(jeton(&vault, pass, &["list"])).lines().count(), 1);
}
