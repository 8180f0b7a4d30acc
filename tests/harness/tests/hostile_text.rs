//! Issuers and names that would rewrite a terminal (`ESC]0;…BEL` retitles it), forge an output
//! line (CR/LF) or reorder what is shown (U+202E): refused at every door into an account, and
//! never printed raw by `vault list`, the import summary or `scan`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

const JETON: &str = env!("CARGO_BIN_EXE_jeton");
const PASS: &str = "correct horse";
const SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

/// The hostile names, each with the character Jeton must name in its refusal.
const HOSTILE: [(&str, &str); 3] = [
    ("\u{1b}]0;pwned\u{7}", "U+001B"),
    ("me\r\nadded: Bank (forged)", "U+000D"),
    ("moc.\u{202e}elgoog", "U+202E"),
];

fn jeton(vault: &Path, args: &[&str]) -> Output {
    Command::new(JETON)
        .args(args)
        .env("JETON_VAULT", vault)
        .env("JETON_PASSPHRASE", PASS)
        .env_remove("JETON_NEW_PASSPHRASE")
        .output()
        .unwrap()
}

/// No control character but the line ends and tabs the output is made of, and no
/// text-direction character.
fn assert_clean(what: &str, bytes: &[u8]) {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    for c in text.chars() {
        let allowed = c == '\n' || c == '\t';
        let bidi = matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert!(
            allowed || !(c.is_control() || bidi),
            "{what} printed U+{:04X} raw: {text:?}",
            c as u32
        );
    }
}

fn percent(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

fn hostile_uri(name: &str) -> String {
    format!(
        "otpauth://totp/Bank:{}?secret={SECRET}&issuer=Bank",
        percent(name)
    )
}

#[test]
fn vault_add_and_rename_refuse_hostile_names_and_list_stays_clean() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v.jeton");
    assert!(jeton(&vault, &["vault", "init"]).status.success());
    let good = format!("otpauth://totp/Bank:me?secret={SECRET}&issuer=Bank");
    assert!(jeton(&vault, &["vault", "add", &good]).status.success());
    for (name, named) in HOSTILE {
        let add = jeton(&vault, &["vault", "add", &hostile_uri(name)]);
        assert_eq!(add.status.code(), Some(2));
        assert!(add.stdout.is_empty());
        assert!(
            String::from_utf8_lossy(&add.stderr).contains(named),
            "{add:?}"
        );
        assert_clean("vault add", &add.stderr);
        let rename = jeton(&vault, &["vault", "rename", "Bank (me)", "--name", name]);
        assert_eq!(rename.status.code(), Some(2), "{rename:?}");
        assert_clean("vault rename", &rename.stderr);
        let issuer = jeton(&vault, &["vault", "rename", "Bank (me)", "--issuer", name]);
        assert_eq!(issuer.status.code(), Some(2), "{issuer:?}");
    }
    let list = jeton(&vault, &["vault", "list"]);
    assert!(list.status.success());
    assert_clean("vault list", &list.stdout);
    assert_eq!(String::from_utf8(list.stdout).unwrap().lines().count(), 1);
}

#[test]
fn the_import_summary_never_prints_a_hostile_label_raw() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v.jeton");
    let mut entries = vec![serde_json::json!({
        "type": "totp", "name": "me", "issuer": "Bank", "info": {"secret": SECRET}
    })];
    for (name, _) in HOSTILE {
        entries.push(serde_json::json!({
            "type": "totp", "name": name, "issuer": "Bank", "info": {"secret": SECRET}
        }));
    }
    let aegis = serde_json::json!({
        "version": 1,
        "header": {"slots": null, "params": null},
        "db": {"version": 2, "entries": entries}
    });
    let file = dir.path().join("aegis.json");
    std::fs::write(&file, aegis.to_string()).unwrap();
    let import = jeton(&vault, &["import", file.to_str().unwrap()]);
    assert_eq!(import.status.code(), Some(2), "refusals make the status 2");
    assert_clean("import (stdout)", &import.stdout);
    assert_clean("import (stderr)", &import.stderr);
    let summary = String::from_utf8(import.stdout).unwrap();
    assert!(summary.contains("added: Bank (me)"), "{summary}");
    assert_eq!(summary.matches("refused: ").count(), 3, "{summary}");
    for (_, named) in HOSTILE {
        assert!(summary.contains(named), "{summary} lacks {named}");
    }
    let list = jeton(&vault, &["vault", "list"]);
    assert_clean("vault list", &list.stdout);
    assert_eq!(String::from_utf8(list.stdout).unwrap().lines().count(), 1);

    // The same names in an otpauth list: refused by the URI parser, shown escaped.
    let uris: Vec<String> = HOSTILE.iter().map(|(n, _)| hostile_uri(n)).collect();
    let list_file = dir.path().join("list.txt");
    std::fs::write(&list_file, uris.join("\n")).unwrap();
    let import = jeton(&vault, &["import", list_file.to_str().unwrap()]);
    assert_clean("import of a list", &import.stdout);
    assert_eq!(
        String::from_utf8(import.stdout)
            .unwrap()
            .matches("refused: ")
            .count(),
        3
    );
}

#[test]
fn scan_prints_a_hostile_payload_escaped_on_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("unused.jeton");
    for (i, (name, _)) in HOSTILE.iter().enumerate() {
        // The raw text in the QR code, not percent-encoded: what a hostile web page would show.
        let payload = format!("otpauth://totp/Bank:{name}?secret={SECRET}");
        let png = dir.path().join(format!("{i}.png"));
        let drawn = jeton(&vault, &["qr", &payload, "--png", png.to_str().unwrap()]);
        assert!(drawn.status.success(), "{drawn:?}");
        for extra in [&[][..], &["--json"][..]] {
            let mut args = vec!["scan", png.to_str().unwrap()];
            args.extend_from_slice(extra);
            let scan = jeton(&vault, &args);
            assert!(scan.status.success(), "{scan:?}");
            assert_clean("scan", &scan.stdout);
            assert_eq!(String::from_utf8(scan.stdout).unwrap().lines().count(), 1);
        }
    }
}

/// `import`, `drill` and `vault add --scan` read at most 64 MiB before refusing, like `scan`.
#[test]
fn endless_files_are_refused_after_64_mib() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v.jeton");
    assert!(jeton(&vault, &["vault", "init"]).status.success());
    for args in [
        &["import", "/dev/zero"][..],
        &["drill", "/dev/zero"][..],
        &["vault", "add", "--scan", "/dev/zero"][..],
    ] {
        let run = jeton(&vault, args);
        assert_eq!(run.status.code(), Some(2), "{args:?}: {run:?}");
        assert!(
            String::from_utf8_lossy(&run.stderr).contains("larger than 64 MiB"),
            "{args:?}: {run:?}"
        );
    }
}

/// The README's exit-status contract for "no QR code": `scan` found nothing (1, like grep);
/// `vault add --scan` was given an image that cannot be used (2). Neither prints on stdout.
#[test]
fn no_qr_code_is_1_for_scan_and_2_for_vault_add() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v.jeton");
    assert!(jeton(&vault, &["vault", "init"]).status.success());
    let blank = dir.path().join("blank.png");
    image::GrayImage::from_pixel(64, 64, image::Luma([255]))
        .save(&blank)
        .unwrap();
    for (args, status) in [
        (&["scan", blank.to_str().unwrap()][..], 1),
        (&["vault", "add", "--scan", blank.to_str().unwrap()][..], 2),
    ] {
        let run = jeton(&vault, args);
        assert_eq!(run.status.code(), Some(status), "{args:?}");
        assert!(run.stdout.is_empty());
        let stderr = String::from_utf8(run.stderr).unwrap();
        assert!(stderr.contains("no QR code found"), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    }
}
