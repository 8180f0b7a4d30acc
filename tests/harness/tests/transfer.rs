//! `jeton import`, `jeton export` and `jeton drill`, run as the real binary: fixtures from other
//! apps in, every export format out and back in, Google QR codes read back by `zbarimg`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const VAULT_PW: &str = "vault pass";

fn fixtures() -> Option<PathBuf> {
    let found = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .skip(3)
        .map(|d| d.join("shared/fixtures/other-apps-exports"))
        .find(|d| d.join("README.md").is_file());
    if found.is_none() {
        eprintln!("SKIP: ../shared/fixtures/other-apps-exports is absent");
    }
    found
}

fn jeton(vault: &Path, args: &[&str], file_password: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_jeton"));
    command
        .args(args)
        .env("JETON_VAULT", vault)
        .env("JETON_PASSPHRASE", VAULT_PW)
        .env_remove("JETON_FILE_PASSWORD");
    if let Some(password) = file_password {
        command.env("JETON_FILE_PASSWORD", password);
    }
    command.output().unwrap()
}

fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn fails(output: &Output, needle: &str) {
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(needle), "{needle:?} not in {stderr:?}");
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// The vault's accounts as an otpauth list (sorted), through the plaintext export.
fn vault_as_list(vault: &Path, dir: &Path) -> Vec<String> {
    let out = dir.join("list.txt");
    ok(&jeton(
        vault,
        &[
            "export",
            "--format",
            "otpauth",
            "--plaintext",
            out.to_str().unwrap(),
        ],
        None,
    ));
    let mut lines: Vec<String> = std::fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    std::fs::remove_file(out).unwrap();
    lines.sort();
    lines
}

#[test]
fn imports_every_real_export_and_skips_duplicates() {
    let Some(fixtures) = fixtures() else { return };
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v.jeton");
    let run = |file: &str, password: Option<&str>| {
        let path = fixtures.join(file);
        ok(&jeton(
            &vault,
            &["import", path.to_str().unwrap()],
            password,
        ))
    };
    assert_eq!(
        first_line(&run("aegis_encrypted.json", Some("test"))),
        "Aegis: 7 added, 0 skipped as duplicate, 0 refused"
    );
    assert_eq!(
        first_line(&run("plain.txt", None)),
        "otpauth list: 0 added, 7 skipped as duplicate, 0 refused"
    );
    assert_eq!(
        first_line(&run("2fas_authenticator_encrypted_v4.2fas", Some("test"))),
        "2FAS: 0 added, 5 skipped as duplicate, 0 refused"
    );
    assert_eq!(
        first_line(&run("ente_auth.txt", None)),
        "otpauth list: 0 added, 7 skipped as duplicate, 0 refused"
    );
    // Bitwarden's steam:// entry has no label, so it is another account than Boeing (Sophia).
    assert_eq!(
        first_line(&run("bitwarden.json", None)),
        "Bitwarden: 1 added, 3 skipped as duplicate, 0 refused"
    );
    assert_eq!(
        first_line(&run("proton_authenticator.json", None)),
        "Proton Authenticator: 0 added, 3 skipped as duplicate, 0 refused"
    );
    assert_eq!(vault_as_list(&vault, dir.path()).len(), 8);
}

#[test]
fn wrong_password_and_damaged_files_change_nothing() {
    let Some(fixtures) = fixtures() else { return };
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v.jeton");
    let aegis = fixtures.join("aegis_encrypted.json");
    fails(
        &jeton(&vault, &["import", aegis.to_str().unwrap()], Some("nope")),
        "does not open",
    );
    assert!(!vault.exists(), "a failed first import creates no vault");
    ok(&jeton(
        &vault,
        &["import", fixtures.join("plain.txt").to_str().unwrap()],
        None,
    ));
    let before = vault_as_list(&vault, dir.path());
    let cut = dir.path().join("cut.2fas");
    let data = std::fs::read(fixtures.join("2fas_authenticator_plain_v4.2fas")).unwrap();
    std::fs::write(&cut, &data[..data.len() / 2]).unwrap();
    fails(
        &jeton(&vault, &["import", cut.to_str().unwrap()], None),
        "damaged or incomplete",
    );
    fails(
        &jeton(
            &vault,
            &[
                "import",
                "--format",
                "aegis",
                fixtures.join("plain.txt").to_str().unwrap(),
            ],
            None,
        ),
        "Aegis export is damaged",
    );
    assert_eq!(vault_as_list(&vault, dir.path()), before);
}

#[test]
fn google_migration_uris_on_the_command_line() {
    let vectors = include_str!("../../../core/tests/vectors/google_migration.txt");
    let uri = |name: &str| {
        vectors
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
            .unwrap()
            .to_owned()
    };
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v.jeton");
    fails(
        &jeton(&vault, &["import", &uri("BATCH0"), &uri("BATCH2")], None),
        "2 of 3 codes scanned: scan the missing code(s) 2",
    );
    let all = ok(&jeton(
        &vault,
        &["import", &uri("BATCH1"), &uri("BATCH0"), &uri("BATCH2")],
        None,
    ));
    assert_eq!(
        first_line(&all),
        "Google Authenticator: 3 added, 0 skipped as duplicate, 0 refused"
    );
    // The README's contract: the usable accounts are added, the refused ones listed on stdout,
    // and the exit status is 2 with one line on stderr saying so.
    let before = vault_as_list(&vault, dir.path()).len();
    let single = jeton(&vault, &["import", &uri("SINGLE")], None);
    assert_eq!(single.status.code(), Some(2));
    let stdout = String::from_utf8(single.stdout).unwrap();
    assert!(
        stdout.contains("refused: #6 Md5Corp (old): it uses MD5"),
        "{stdout}"
    );
    let added = stdout.lines().filter(|l| l.starts_with("added: ")).count();
    assert!(added > 0, "{stdout}");
    assert_eq!(vault_as_list(&vault, dir.path()).len(), before + added);
    assert_eq!(
        String::from_utf8(single.stderr).unwrap(),
        "jeton: 1 entry was refused (listed above); the other accounts were imported\n"
    );
}

#[test]
fn every_export_format_round_trips_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let vault = d.join("v.jeton");
    let accounts = [
        "otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ&issuer=Deno",
        "otpauth://totp/SPDX:James?secret=5OM4WOOGPLQEF6UGN3CPEOOLWU&issuer=SPDX&algorithm=SHA256&digits=7&period=20",
        "otpauth://hotp/WWE:Mason?secret=5VAML3X35THCEBVRLV24CGBKOY&issuer=WWE&algorithm=SHA512&digits=8&counter=10300",
        "otpauth://steam/Boeing:Sophia?secret=JRZCL47CMXVOQMNPZR2F7J4RGI&issuer=Boeing",
    ];
    ok(&jeton(
        &vault,
        &["import", accounts[0], accounts[1], accounts[2], accounts[3]],
        None,
    ));
    let original = vault_as_list(&vault, d);

    // Plaintext needs the flag, and warns.
    let out = d.join("x.json");
    fails(
        &jeton(
            &vault,
            &["export", "--format", "aegis", out.to_str().unwrap()],
            None,
        ),
        "--plaintext",
    );
    assert!(!out.exists());
    let exported = jeton(
        &vault,
        &[
            "export",
            "--format",
            "aegis",
            "--plaintext",
            out.to_str().unwrap(),
        ],
        None,
    );
    ok(&exported);
    assert!(
        String::from_utf8_lossy(&exported.stderr)
            .contains("warning: writing 4 account secret(s) in plaintext")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&out).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let other = d.join("aegis.jeton");
    ok(&jeton(&other, &["import", out.to_str().unwrap()], None));
    assert_eq!(vault_as_list(&other, d), original);

    // andOTP plain JSON, read back (by the reader tested on files andOTP wrote): the same accounts.
    let andotp = d.join("andotp.json");
    ok(&jeton(
        &vault,
        &[
            "export",
            "--format",
            "andotp",
            "--plaintext",
            andotp.to_str().unwrap(),
        ],
        None,
    ));
    let other = d.join("andotp.jeton");
    ok(&jeton(&other, &["import", andotp.to_str().unwrap()], None));
    assert_eq!(vault_as_list(&other, d), original);

    // Jeton backup: encrypted, no warning, restores into a new vault, drills against the vault.
    let backup = d.join("backup.jeton");
    let sealed = jeton(
        &vault,
        &["export", "--format", "jeton", backup.to_str().unwrap()],
        Some("backup pass"),
    );
    ok(&sealed);
    assert!(sealed.stderr.is_empty());
    assert!(
        !std::fs::read_to_string(&backup)
            .unwrap()
            .contains("4SJHB4GSD43FZBAI7C2HLRJGPQ")
    );
    let drilled = ok(&jeton(
        &vault,
        &["drill", backup.to_str().unwrap()],
        Some("backup pass"),
    ));
    assert!(drilled.starts_with("drill passed"), "{drilled}");
    fails(
        &jeton(&vault, &["drill", backup.to_str().unwrap()], Some("wrong")),
        "passphrase does not open",
    );
    let restored = d.join("restored.jeton");
    ok(&jeton(
        &restored,
        &["import", backup.to_str().unwrap()],
        Some("backup pass"),
    ));
    assert_eq!(vault_as_list(&restored, d), original);
    ok(&jeton(
        &restored,
        &["import", accounts[0].replace("Mason", "Noah").as_str()],
        None,
    ));
    fails(
        &jeton(
            &restored,
            &["drill", backup.to_str().unwrap()],
            Some("backup pass"),
        ),
        "missing from the backup: Deno (Noah)",
    );

    // Google QR codes: PNGs that zbarimg reads; Steam and 7-digit accounts are named, not lost.
    let qr = d.join("qr");
    let drawn = jeton(
        &vault,
        &[
            "export",
            "--format",
            "google-qr",
            "--plaintext",
            qr.to_str().unwrap(),
        ],
        None,
    );
    let stdout = ok(&drawn);
    let stderr = String::from_utf8_lossy(&drawn.stderr);
    assert!(stderr.contains("not exported: #2 SPDX (James)"), "{stderr}");
    assert!(
        stderr.contains("not exported: #4 Boeing (Sophia)"),
        "{stderr}"
    );
    let png = stdout.lines().next().unwrap();
    let decoded = Command::new("zbarimg")
        .args(["--quiet", "--raw", png])
        .output()
        .unwrap();
    assert!(decoded.status.success(), "zbarimg could not read {png}");
    let uri = String::from_utf8(decoded.stdout).unwrap();
    let google = d.join("google.jeton");
    ok(&jeton(&google, &["import", uri.trim()], None));
    let carried: Vec<String> = original
        .iter()
        .filter(|l| l.contains("Deno") || l.contains("WWE"))
        .cloned()
        .collect();
    assert_eq!(vault_as_list(&google, d), carried);
}

/// An export never lands on the open vault (not even with `--force`), never replaces an existing
/// file without `--force`, and with it leaves a file only its owner can read.
#[test]
fn export_refuses_the_vault_and_existing_files() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("vault.jeton");
    ok(&jeton(
        &vault,
        &[
            "import",
            "otpauth://totp/Acme:ann?secret=JBSWY3DPEHPK3PXP&issuer=Acme",
        ],
        None,
    ));
    let before = vault_as_list(&vault, dir.path());
    assert_eq!(before.len(), 1);
    let vault_arg = vault.to_str().unwrap();
    for extra in [None, Some("--force")] {
        let mut args = vec!["export", "--format", "otpauth", "--plaintext", vault_arg];
        args.extend(extra);
        fails(&jeton(&vault, &args, None), "is the vault itself");
    }
    assert_eq!(
        vault_as_list(&vault, dir.path()),
        before,
        "the vault still opens"
    );

    let existing = dir.path().join("old.txt");
    std::fs::write(&existing, "keep me\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&existing, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let existing_arg = existing.to_str().unwrap();
    let export = ["export", "--format", "otpauth", "--plaintext", existing_arg];
    fails(&jeton(&vault, &export, None), "already exists");
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "keep me\n");
    let mut forced = export.to_vec();
    forced.push("--force");
    ok(&jeton(&vault, &forced, None));
    let written = std::fs::read_to_string(&existing).unwrap();
    assert_eq!(
        written.lines().map(str::to_owned).collect::<Vec<_>>(),
        before
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&existing).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "a replaced file is private too");
    }

    // Google QR codes: an existing PNG of the set refuses the whole set.
    let qr = dir.path().join("qr");
    std::fs::create_dir(&qr).unwrap();
    std::fs::write(qr.join("google-1-of-1.png"), "not a png").unwrap();
    let qr_arg = qr.to_str().unwrap();
    let export = ["export", "--format", "google-qr", "--plaintext", qr_arg];
    fails(&jeton(&vault, &export, None), "already exists");
    assert_eq!(
        std::fs::read_to_string(qr.join("google-1-of-1.png")).unwrap(),
        "not a png"
    );
    let mut forced = export.to_vec();
    forced.push("--force");
    ok(&jeton(&vault, &forced, None));
    assert!(
        std::fs::read(qr.join("google-1-of-1.png"))
            .unwrap()
            .starts_with(b"\x89PNG")
    );
}
