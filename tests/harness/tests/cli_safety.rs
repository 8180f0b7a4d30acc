//! The `jeton` command against the README's promises, through the real binary: nothing lost,
//! no secret left on disk, codes right, and the documented exit statuses.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

const JETON: &str = env!("CARGO_BIN_EXE_jeton");
const PASS: &str = "correct horse";
const RFC_URI: &str =
    "otpauth://totp/Omnivox:2412345?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Omnivox";

fn jeton(vault: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(JETON);
    command
        .args(args)
        .arg("--vault")
        .arg(vault)
        .env("JETON_PASSPHRASE", PASS)
        .env_remove("JETON_FILE_PASSWORD")
        .env_remove("JETON_NEW_PASSPHRASE")
        .env_remove("JETON_VAULT");
    command
}

fn show(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn ok(output: Output) -> String {
    assert!(output.status.success(), "{}", show(&output));
    String::from_utf8(output.stdout).unwrap()
}

fn new_vault(dir: &Path) -> std::path::PathBuf {
    let vault = dir.join("v.jeton");
    ok(jeton(&vault, &["vault", "init"]).output().unwrap());
    ok(jeton(&vault, &["vault", "add", RFC_URI]).output().unwrap());
    vault
}

/// Imports `n` distinct TOTP accounts (`Issuer0`...) into `vault`, creating it.
fn import_accounts(vault: &Path, n: u8) {
    let mut args = vec!["import".to_owned()];
    for i in 0..n {
        let letter = char::from(b'A' + i % 26);
        let second = char::from(b'A' + i / 26);
        args.push(format!(
            "otpauth://totp/Issuer{i}:user{i}@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQO{letter}{second}&issuer=Issuer{i}"
        ));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ok(jeton(vault, &args).output().unwrap());
}

/// docs/security.md: "New passphrases have at least 8 characters (every entry point)". The
/// passphrase of a Jeton backup written by `jeton export --format jeton` is a new passphrase
/// that guards every secret of the vault in a file meant to be copied around (and guessed at
/// offline); `sync recovery` applies the vault's floor for the same reason. A one-character
/// backup passphrase must be refused like a one-character vault passphrase, and no file made.
#[test]
fn export_refuses_a_backup_passphrase_below_the_floor() {
    let dir = tempfile::tempdir().unwrap();
    let vault = new_vault(dir.path());
    let out = dir.path().join("backup.json");
    let output = jeton(
        &vault,
        &["export", "--format", "jeton", out.to_str().unwrap()],
    )
    .env("JETON_FILE_PASSWORD", "a")
    .output()
    .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", show(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("at least 8 characters"),
        "{}",
        show(&output)
    );
    assert!(!out.exists(), "a backup sealed with \"a\" was written");
}

/// Two `jeton vault add` run at the same time (two scripts, two terminals) are two valid
/// commands on a vault that ADR 0001 says several handles may share: every account is added.
/// (Before, one could fail with "changed by another program; unlock it again" and exit 2.)
#[test]
fn concurrent_adds_from_two_processes_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v.jeton");
    ok(jeton(&vault, &["vault", "init"]).output().unwrap());
    let mut failures = Vec::new();
    let mut added = 0;
    for round in 0..8 {
        let children: Vec<_> = (0..3)
            .map(|k| {
                let uri = format!(
                    "otpauth://totp/R{round}K{k}:u?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=R{round}K{k}"
                );
                jeton(&vault, &["vault", "add", &uri])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let output = child.wait_with_output().unwrap();
            if output.status.success() {
                added += 1;
            } else {
                failures.push(show(&output));
            }
        }
    }
    let listed = ok(jeton(&vault, &["vault", "list"]).output().unwrap())
        .lines()
        .count();
    assert!(
        failures.is_empty(),
        "{} of 24 adds failed ({added} succeeded, {listed} listed); first: {}",
        failures.len(),
        failures[0]
    );
    assert_eq!(listed, 24);
}

/// A vault that cannot be written (a copy on a read-only drive, a file made 0400) "stays
/// readable" (ADR 0001): `vault codes` and `vault code NAME` both give the time-based code, the
/// RFC 6238 value `oathtool --totp -N @59` gives; recording its last use is only a warning.
#[cfg(unix)]
#[test]
fn a_totp_code_is_shown_from_a_read_only_vault() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let vault = new_vault(dir.path());
    let expected = Command::new("oathtool")
        .args([
            "--totp",
            "-b",
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            "-N",
            "@59",
        ])
        .output()
        .unwrap();
    let expected = String::from_utf8(expected.stdout).unwrap();
    assert_eq!(expected.trim().len(), 6);

    let root = String::from_utf8(Command::new("id").arg("-u").output().unwrap().stdout)
        .unwrap()
        .trim()
        == "0";
    std::fs::set_permissions(&vault, std::fs::Permissions::from_mode(0o400)).unwrap();
    let run = |args: &[&str]| {
        let mut command = if root {
            // root writes through any mode: run as `nobody`, owner of the folder and the file.
            for path in [dir.path(), vault.as_path()] {
                std::os::unix::fs::chown(path, Some(65534), Some(65534)).unwrap();
            }
            std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups", JETON]);
            c
        } else {
            Command::new(JETON)
        };
        command
            .args(args)
            .arg("--vault")
            .arg(&vault)
            .env("JETON_PASSPHRASE", PASS)
            .env_remove("JETON_VAULT")
            .output()
            .unwrap()
    };
    let codes = ok(run(&["vault", "codes", "--at", "59"]));
    assert!(
        codes.contains(&format!("Omnivox (2412345)\t{}\t", expected.trim())),
        "{codes}"
    );
    let code = run(&["vault", "code", "omnivox", "--at", "59"]);
    assert!(
        code.status.success(),
        "`vault code` failed: {}",
        show(&code)
    );
    assert_eq!(String::from_utf8(code.stdout).unwrap(), expected);
}

/// A vault file cut short (a copy interrupted, a full disk during a file transfer) is reported
/// as damage in Jeton's words (the typed `Damaged` error, with "restore it from a backup"), not
/// as SQLite's "database disk image is malformed"; and nothing is written to it.
#[test]
fn a_truncated_vault_is_reported_as_damaged_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let vault = new_vault(dir.path());
    for n in 2..5 {
        ok(jeton(
            &vault,
            &[
                "vault",
                "add",
                &format!(
                    "otpauth://totp/I{n}:u?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=I{n}"
                ),
            ],
        )
        .output()
        .unwrap());
    }
    let bytes = std::fs::read(&vault).unwrap();
    assert!(bytes.len() > 8192, "{}", bytes.len());
    let cut = dir.path().join("cut.jeton");
    std::fs::write(&cut, &bytes[..8192]).unwrap();
    let output = jeton(&cut, &["vault", "list"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", show(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("malformed"), "SQLite's words: {stderr}");
    assert!(stderr.contains("corrupted"), "{stderr}");
    assert_eq!(std::fs::read(&cut).unwrap(), &bytes[..8192]);
}

/// A vault can hold a clock correction (the clock check of the README's journey, stored by
/// `Vault::set_clock_offset`, e.g. by an app sharing the file). `vault codes` and `vault code
/// NAME` both apply it: the code is `oathtool`'s at the corrected time.
#[test]
fn vault_code_applies_the_stored_clock_correction_like_vault_codes() {
    use jeton_core::clock::ClockOffset;
    use jeton_core::vault::Vault;
    let dir = tempfile::tempdir().unwrap();
    let vault = new_vault(dir.path());
    {
        let mut v = Vault::open(&vault).unwrap();
        v.unlock_with_passphrase(PASS).unwrap();
        v.set_clock_offset(ClockOffset::from_seconds(3600)).unwrap();
    }
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs()
    };
    for _ in 0..5 {
        let before = now();
        let codes = ok(jeton(&vault, &["vault", "codes"]).output().unwrap());
        let code = ok(jeton(&vault, &["vault", "code", "omnivox"])
            .output()
            .unwrap());
        let after = now();
        if before / 30 != after / 30 {
            continue; // a 30-second step passed between the two: try again
        }
        let truth = Command::new("oathtool")
            .args(["--totp", "-b", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "-N"])
            .arg(format!("@{}", before + 3600))
            .output()
            .unwrap();
        let truth = String::from_utf8(truth.stdout).unwrap();
        assert!(
            codes.contains(&format!("\t{}\t", truth.trim())),
            "`vault codes`: {codes}"
        );
        assert_eq!(code, truth, "`vault code` ignores the stored correction");
        return;
    }
    panic!("the clock kept crossing a 30-second step");
}

/// `jeton move show --png-dir DIR` run twice into one folder (the user shows the codes again
/// after removing some accounts, or the ten minutes ran out) refuses to write over the first
/// series: a mix of two series' `move-N.png` would not scan as one (`move scan DIR/*.png`).
/// Into an empty folder, the new series scans.
#[test]
fn a_second_move_show_never_mixes_its_codes_with_another_series() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("old.jeton");
    import_accounts(&vault, 30);
    let out = dir.path().join("qr");
    std::fs::create_dir(&out).unwrap();
    let o = out.to_str().unwrap();
    let first = ok(jeton(&vault, &["move", "show", "--png-dir", o])
        .output()
        .unwrap());
    assert!(first.contains("30 accounts in"), "{first}");
    for i in 0..27 {
        ok(
            jeton(&vault, &["vault", "remove", &format!("Issuer{i}"), "--yes"])
                .output()
                .unwrap(),
        );
    }
    let second = jeton(&vault, &["move", "show", "--png-dir", o])
        .output()
        .unwrap();
    // Refused: the folder holds the first series, and a mix of two series would not scan.
    assert_eq!(second.status.code(), Some(2), "{}", show(&second));
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("choose an empty folder"),
        "{}",
        show(&second)
    );
    let fresh = dir.path().join("qr2");
    std::fs::create_dir(&fresh).unwrap();
    let o = fresh.to_str().unwrap();
    let out = fresh.clone();
    let second = ok(jeton(&vault, &["move", "show", "--png-dir", o])
        .output()
        .unwrap());
    let code = second
        .lines()
        .find_map(|l| l.split("code: ").nth(1))
        .unwrap()
        .to_owned();
    let mut pngs: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path().to_str().unwrap().to_owned())
        .collect();
    pngs.sort();
    let new = dir.path().join("new.jeton");
    let mut scan = vec!["move", "scan", "--code", &code];
    scan.extend(pngs.iter().map(String::as_str));
    let scanned = jeton(&new, &scan).output().unwrap();
    assert!(
        scanned.status.success(),
        "{} PNGs in {o} after the second `move show` ({second}): {}",
        pngs.len(),
        show(&scanned)
    );
}

/// On a terminal, `jeton export --format jeton OUT` asks for the new backup passphrase twice and
/// refuses when the two differ, as `vault init` and `vault passwd` do: a typo would make a
/// backup nobody can open. Run under a real pseudo-terminal (`script`), typing two lines.
#[test]
fn a_backup_passphrase_typed_on_a_terminal_is_asked_twice() {
    let dir = tempfile::tempdir().unwrap();
    let vault = new_vault(dir.path());
    let out = dir.path().join("backup.json");
    let command = format!(
        "{JETON} export --format jeton --vault {} {}",
        vault.display(),
        out.display()
    );
    let mut child = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("JETON_PASSPHRASE", PASS)
        .env_remove("JETON_FILE_PASSWORD")
        .env_remove("JETON_VAULT")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(b"my backup passphrase\nmy backup passphrasf\n")
            .unwrap();
    }
    let output = child.wait_with_output().unwrap();
    assert!(
        !out.exists(),
        "sealed with the first line typed, never confirmed: {}",
        show(&output)
    );
    assert_ne!(output.status.code(), Some(0), "{}", show(&output));
}

/// README: "`code NAME` and `rename NAME` take an id, an exact label, issuer or name (any case),
/// or words found in one account only" (`--help`: "words of its issuer or name"). With two
/// Omnivox accounts, "omnivox 2412345" names one of them by its words (the issuer's and the
/// name's). The code expected is RFC 6238's at T = 59 (oathtool -N @59).
#[test]
fn code_takes_words_of_the_issuer_and_the_name() {
    let dir = tempfile::tempdir().unwrap();
    let vault = new_vault(dir.path());
    ok(jeton(
        &vault,
        &[
            "vault",
            "add",
            "otpauth://totp/Omnivox:2499999?secret=JBSWY3DPEHPK3PXP&issuer=Omnivox",
        ],
    )
    .output()
    .unwrap());
    let truth = Command::new("oathtool")
        .args([
            "--totp",
            "-b",
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            "-N",
            "@59",
        ])
        .output()
        .unwrap();
    let output = jeton(&vault, &["vault", "code", "omnivox 2412345", "--at", "59"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", show(&output));
    assert_eq!(output.stdout, truth.stdout);
}

/// `jeton qr URI --png OUT` writes a picture of the account's secret: like `jeton export`, it
/// never replaces a file without `--force` (not even the vault, by a slip of tab completion),
/// and writes it readable by its owner only (0600).
#[cfg(unix)]
#[test]
fn qr_never_replaces_an_existing_file_and_keeps_the_secret_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let vault = new_vault(dir.path());
    let before = std::fs::read(&vault).unwrap();
    let over_vault = Command::new(JETON)
        .args(["qr", RFC_URI, "--png"])
        .arg(&vault)
        .output()
        .unwrap();
    let after = std::fs::read(&vault).unwrap();
    let list = jeton(&vault, &["vault", "list"]).output().unwrap();
    assert!(
        after == before && list.status.success(),
        "`jeton qr --png VAULT` ({}) left a vault that no longer opens: {}",
        show(&over_vault),
        show(&list)
    );
    assert_eq!(over_vault.status.code(), Some(2), "{}", show(&over_vault));
    assert!(
        String::from_utf8_lossy(&over_vault.stderr).contains("already exists"),
        "{}",
        show(&over_vault)
    );
    let png = dir.path().join("code.png");
    ok(Command::new(JETON)
        .args(["qr", RFC_URI, "--png"])
        .arg(&png)
        .output()
        .unwrap());
    let mode = std::fs::metadata(&png).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "a QR code of a secret readable by others");
    // --force replaces it, with the code zbarimg reads (a peer decoder), still private.
    std::fs::write(&png, b"old").unwrap();
    ok(Command::new(JETON)
        .args(["qr", RFC_URI, "--force", "--png"])
        .arg(&png)
        .output()
        .unwrap());
    let read = Command::new("zbarimg")
        .args(["--quiet", "--raw"])
        .arg(&png)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&read.stdout).trim(), RFC_URI);
    let mode = std::fs::metadata(&png).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    // Not even --force replaces a vault, under whatever name.
    let copy = dir.path().join("copy-of-the-vault.png");
    std::fs::copy(&vault, &copy).unwrap();
    let copied = std::fs::read(&copy).unwrap();
    let forced = Command::new(JETON)
        .args(["qr", RFC_URI, "--force", "--png"])
        .arg(&copy)
        .output()
        .unwrap();
    assert_eq!(forced.status.code(), Some(2), "{}", show(&forced));
    assert_eq!(std::fs::read(&copy).unwrap(), copied);
}

/// Unmounts a tmpfs when the test ends, even when it fails.
struct Mounted(std::path::PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// `jeton export --format google-qr --plaintext DIR` on a disk that fills up after a few PNGs (a
/// real 48 KiB tmpfs saying ENOSPC) fails with status 1 and leaves no PNG behind: each would be
/// a plaintext QR code of ten accounts' secrets, and a retry would be refused over them. The
/// same full disk makes `jeton qr --png` fail with status 1, leaving nothing.
#[test]
fn a_google_qr_export_that_fails_leaves_no_plaintext_codes_behind() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v.jeton");
    import_accounts(&vault, 60);
    let small = dir.path().join("small");
    std::fs::create_dir(&small).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=48k", "tmpfs"])
        .arg(&small)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        eprintln!("skipped: mounting a small tmpfs needs root");
        return;
    }
    let _unmount = Mounted(small.clone());
    let out = small.join("codes");
    let output = jeton(
        &vault,
        &[
            "export",
            "--format",
            "google-qr",
            "--plaintext",
            out.to_str().unwrap(),
        ],
    )
    .output()
    .unwrap();
    assert!(!output.status.success(), "{}", show(&output));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("No space left"),
        "{}",
        show(&output)
    );
    let left: Vec<_> = std::fs::read_dir(&out)
        .map(|entries| entries.map(|e| e.unwrap().file_name()).collect())
        .unwrap_or_default();
    assert!(
        left.is_empty(),
        "a failed export left plaintext QR codes of secrets: {left:?}"
    );
    // The README's status table: 1 when the command could not write its output (2 is for
    // input that cannot be used), for a QR code's file as for any output.
    assert_eq!(output.status.code(), Some(1), "{}", show(&output));
    let filler = small.join("filler");
    std::fs::write(&filler, vec![0u8; 40 * 1024]).ok();
    let png = small.join("code.png");
    let qr = Command::new(JETON)
        .args(["qr", RFC_URI, "--module-px", "40", "--png"])
        .arg(&png)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&qr.stderr).contains("No space left"),
        "{}",
        show(&qr)
    );
    assert_eq!(qr.status.code(), Some(1), "{}", show(&qr));
    assert!(!png.exists(), "a cut QR code was left behind");
}
