//! `jeton backup auto ...` end to end, through the real binary: turned on, a backup after each
//! change (the last N kept) that `jeton drill` proves with the vault's passphrase, a folder gone
//! missing as a warning that loses nothing, and off.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const JETON: &str = env!("CARGO_BIN_EXE_jeton");
const PASS: &str = "correct horse";

fn uri(n: usize) -> String {
    format!(
        "otpauth://totp/Service{n}:user{n}?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ{}&issuer=Service{n}",
        ["A", "B", "C", "D", "E"][n]
    )
}

fn jeton(vault: &Path, passphrase: &str, args: &[&str]) -> Output {
    Command::new(JETON)
        .args(args)
        .arg("--vault")
        .arg(vault)
        .env("JETON_PASSPHRASE", passphrase)
        .env("JETON_FILE_PASSWORD", passphrase)
        .env_remove("JETON_NEW_PASSPHRASE")
        .env_remove("JETON_VAULT")
        .output()
        .unwrap()
}

fn ok(output: Output) -> (String, String) {
    assert!(
        output.status.success(),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn backups(folder: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    found.sort();
    found
}

#[test]
fn automatic_backups_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v.jeton");
    let folder = dir.path().join("nuage/sauvegardes");
    ok(jeton(&vault, PASS, &["vault", "init"]));
    let (status, _) = ok(jeton(&vault, PASS, &["backup", "auto"]));
    assert!(status.starts_with("automatic backups: off"), "{status}");

    // A wrong passphrase turns nothing on: backups would not open with the real one.
    let refused = jeton(
        &vault,
        "not the passphrase",
        &["backup", "auto", folder.to_str().unwrap()],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("wrong passphrase"));

    let (on, _) = ok(jeton(
        &vault,
        PASS,
        &["backup", "auto", folder.to_str().unwrap(), "--keep", "2"],
    ));
    assert!(on.contains("(the last 2 kept)"), "{on}");
    assert!(on.contains("first backup: "), "{on}");
    assert_eq!(backups(&folder).len(), 1);

    for n in 0..3 {
        ok(jeton(&vault, PASS, &["vault", "add", &uri(n)]));
    }
    let kept = backups(&folder);
    assert_eq!(kept.len(), 2, "{kept:?}");
    let (status, _) = ok(jeton(&vault, PASS, &["backup", "auto"]));
    assert!(status.contains("automatic backups: on"), "{status}");
    assert!(status.contains("kept: the last 2"), "{status}");
    assert!(status.contains("there now: 2"), "{status}");
    assert!(
        status.contains(&format!("newest: {}", kept[1].display())),
        "{status}"
    );
    // The newest holds the vault's three accounts and opens with the vault's passphrase.
    let (drill, _) = ok(jeton(&vault, PASS, &["drill", kept[1].to_str().unwrap()]));
    assert!(drill.contains("drill passed"), "{drill}");
    assert!(drill.contains("3 account(s)"), "{drill}");

    // Another number, same folder.
    ok(jeton(&vault, PASS, &["backup", "auto", "--keep", "3"]));
    ok(jeton(&vault, PASS, &["vault", "add", &uri(3)]));
    assert_eq!(backups(&folder).len(), 3);

    // The folder's drive goes away: the change is saved, the failure is a warning.
    let moved = dir.path().join("ailleurs");
    std::fs::rename(&folder, &moved).unwrap();
    let (added, warning) = ok(jeton(&vault, PASS, &["vault", "add", &uri(4)]));
    assert!(added.starts_with("added Service4"), "{added}");
    assert!(
        warning.contains("jeton: warning: the backup folder"),
        "{warning}"
    );
    assert!(warning.contains("the change is saved"), "{warning}");
    let (list, _) = ok(jeton(&vault, PASS, &["vault", "list"]));
    assert_eq!(list.lines().count(), 5, "{list}");
    assert!(!folder.exists(), "the missing folder is not recreated");

    let (off, _) = ok(jeton(&vault, PASS, &["backup", "auto", "--off"]));
    assert!(off.starts_with("automatic backups off"), "{off}");
    let (status, _) = ok(jeton(&vault, PASS, &["backup", "auto"]));
    assert!(status.starts_with("automatic backups: off"), "{status}");
    std::fs::rename(&moved, &folder).unwrap();
    let (_, quiet) = ok(jeton(
        &vault,
        PASS,
        &["vault", "remove", "Service0", "--yes"],
    ));
    assert!(quiet.is_empty(), "{quiet}");
    assert_eq!(backups(&folder).len(), 3, "off: nothing more written");
}
