//! Moving accounts between devices through the real `jeton` binary: sync over a folder,
//! pairing, recovery and `move`, against the README's and ADR 0006's promises.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

const JETON: &str = env!("CARGO_BIN_EXE_jeton");
const PASSPHRASE: &str = "correct horse battery";
const OMNIVOX: &str = "otpauth://totp/Omnivox:2412345?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Omnivox&digits=8";
const CLARA: &str = "otpauth://totp/Clara:2412345?secret=JBSWY3DPEHPK3PXP&issuer=Clara";

fn jeton_in(cwd: &Path, vault: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(JETON);
    command
        .current_dir(cwd)
        .args(args)
        .arg("--vault")
        .arg(vault)
        .env("JETON_PASSPHRASE", PASSPHRASE)
        .env("JETON_NEW_PASSPHRASE", PASSPHRASE)
        .env_remove("JETON_VAULT")
        .env_remove("JETON_SYNC_STORE")
        .env_remove("JETON_SYNC_PASSWORD")
        .env_remove("JETON_PAIR_CODE");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

fn jeton(vault: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    jeton_in(vault.parent().unwrap(), vault, args, env)
}

fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn labels(vault: &Path) -> Vec<String> {
    let mut labels: Vec<String> = ok(jeton(vault, &["vault", "list"], &[]))
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_owned())
        .collect();
    labels.sort();
    labels
}

fn pairing_code(shown: &str) -> String {
    shown
        .lines()
        .find_map(|l| l.strip_prefix("pairing code: "))
        .unwrap()
        .to_owned()
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        out.push(path.clone());
        if path.is_dir() {
            walk(&path, out);
        }
    }
}

/// README: "the address is remembered beside the vault (`VAULT.sync-store`)" so that a plain
/// `jeton sync` works. A folder given as a relative path is remembered (and put in `pair show`'s
/// invitation) made absolute, so `jeton sync` from any other working directory finds it.
#[test]
fn a_relative_store_folder_is_remembered_so_sync_works_from_another_directory() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    let a = home.join("a.jeton");
    ok(jeton_in(&home, &a, &["vault", "init"], &[]));
    ok(jeton_in(&home, &a, &["vault", "add", OMNIVOX], &[]));
    ok(jeton_in(
        &home,
        &a,
        &["sync", "init", "--store", "Drive/jeton"],
        &[],
    ));
    assert!(home.join("Drive/jeton/jeton-sync").is_dir());

    // Same vault, same store, run from another directory.
    let out = jeton_in(&elsewhere, &a, &["sync"], &[]);
    assert!(
        out.status.success(),
        "plain `jeton sync` from another directory fails: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// URL schemes are case-insensitive (RFC 3986 §3.1): `HTTP://user:password@host/dav` is a WebDAV
/// address, never a local folder whose name would hold the password.
#[test]
fn an_uppercase_webdav_address_is_not_made_into_a_local_folder_holding_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.jeton");
    ok(jeton(&a, &["vault", "init"], &[]));
    ok(jeton(&a, &["vault", "add", OMNIVOX], &[]));
    let out = jeton(
        &a,
        &[
            "sync",
            "init",
            "--store",
            "HTTP://alice:s3cretPW@127.0.0.1:9/jeton",
        ],
        &[],
    );
    let mut files = Vec::new();
    walk(dir.path(), &mut files);
    let leaked: Vec<_> = files
        .iter()
        .filter(|p| p.to_string_lossy().contains("s3cretPW"))
        .collect();
    assert!(
        leaked.is_empty(),
        "the WebDAV password is written to disk as folder names: {leaked:?}; stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    // No server listens on port 9: the set-up cannot have succeeded.
    assert_eq!(
        out.status.code(),
        Some(2),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// A phone that already has accounts pairs with a sync: it keeps its own accounts, gets the
/// others', and the same account on both (same secret) becomes one.
#[test]
fn pairing_a_vault_that_already_has_accounts_keeps_them_all_once() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let a = dir.path().join("a.jeton");
    let b = dir.path().join("b.jeton");
    ok(jeton(&a, &["vault", "init"], &[]));
    ok(jeton(&a, &["vault", "add", OMNIVOX], &[]));
    ok(jeton(
        &a,
        &["sync", "init", "--store", store.to_str().unwrap()],
        &[],
    ));
    ok(jeton(&b, &["vault", "init"], &[]));
    ok(jeton(&b, &["vault", "add", OMNIVOX], &[]));
    ok(jeton(&b, &["vault", "add", CLARA], &[]));
    let png = dir.path().join("pair.png");
    let code = pairing_code(&ok(jeton(
        &a,
        &["pair", "show", "--png", png.to_str().unwrap()],
        &[],
    )));
    ok(jeton(
        &b,
        &["pair", "scan", png.to_str().unwrap(), "--code", &code],
        &[],
    ));
    ok(jeton(&a, &["sync"], &[]));
    assert_eq!(labels(&b), ["Clara (2412345)", "Omnivox (2412345)"]);
    assert_eq!(labels(&a), ["Clara (2412345)", "Omnivox (2412345)"]);
}

/// `sync leave`, then `jeton sync`: says sync is not set up and how to fix it (status 2).
#[test]
fn sync_after_leave_says_it_is_not_set_up() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let a = dir.path().join("a.jeton");
    ok(jeton(&a, &["vault", "init"], &[]));
    ok(jeton(&a, &["vault", "add", OMNIVOX], &[]));
    ok(jeton(
        &a,
        &["sync", "init", "--store", store.to_str().unwrap()],
        &[],
    ));
    ok(jeton(&a, &["sync", "leave"], &[]));
    let out = jeton(&a, &["sync"], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not set up"), "{err}");
    let out = jeton(&a, &["sync", "--store", store.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(labels(&a), ["Omnivox (2412345)"]);
}

/// `sync recovery --store` naming another sync's store is refused (status 2), and that store's
/// own recovery passphrase still works: setting one replaces the old files, so it must first
/// check that the store holds this vault's sync.
#[test]
fn sync_recovery_on_a_store_of_another_sync_is_refused_and_destroys_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let personal = dir.path().join("personal");
    let work = dir.path().join("work");
    let p = dir.path().join("p.jeton");
    let w = dir.path().join("w.jeton");
    ok(jeton(&p, &["vault", "init"], &[]));
    ok(jeton(&p, &["vault", "add", OMNIVOX], &[]));
    ok(jeton(
        &p,
        &["sync", "init", "--store", personal.to_str().unwrap()],
        &[],
    ));
    ok(jeton(&w, &["vault", "init"], &[]));
    ok(jeton(&w, &["vault", "add", CLARA], &[]));
    ok(jeton(
        &w,
        &["sync", "init", "--store", work.to_str().unwrap()],
        &[],
    ));
    let work_pass = [("JETON_RECOVERY_PASSPHRASE", "work words four five")];
    ok(jeton(&w, &["sync", "recovery"], &work_pass));

    // The personal vault, pointed at the work store by mistake.
    let other = [("JETON_RECOVERY_PASSPHRASE", "personal words six seven")];
    let out = jeton(
        &p,
        &["sync", "recovery", "--store", work.to_str().unwrap()],
        &other,
    );
    // The work sync's own recovery passphrase must still let a lost work phone in.
    let lost = dir.path().join("lost.jeton");
    let join = jeton(
        &lost,
        &["sync", "join", "--store", work.to_str().unwrap()],
        &work_pass,
    );
    assert!(
        join.status.success(),
        "recovery on another sync's store: status {:?} stdout {:?}; then the work sync's own \
         passphrase no longer joins: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&join.stderr)
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// ADR 0006: "a deletion beats only older edits": an account deleted on A and renamed on B,
/// B syncing after A, stays on both.
#[test]
fn an_account_deleted_on_one_phone_and_renamed_on_the_other_after_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("my drive é");
    let a = dir.path().join("a.jeton");
    let b = dir.path().join("b.jeton");
    ok(jeton(&a, &["vault", "init"], &[]));
    ok(jeton(&a, &["vault", "add", OMNIVOX], &[]));
    ok(jeton(&a, &["vault", "add", CLARA], &[]));
    ok(jeton(
        &a,
        &["sync", "init", "--store", store.to_str().unwrap()],
        &[],
    ));
    let png = dir.path().join("pair.png");
    let code = pairing_code(&ok(jeton(
        &a,
        &["pair", "show", "--png", png.to_str().unwrap()],
        &[],
    )));
    ok(jeton(
        &b,
        &["pair", "scan", png.to_str().unwrap(), "--code", &code],
        &[],
    ));
    ok(jeton(
        &a,
        &["vault", "remove", "Clara (2412345)", "--yes"],
        &[],
    ));
    ok(jeton(&a, &["sync"], &[]));
    std::thread::sleep(std::time::Duration::from_millis(20));
    ok(jeton(
        &b,
        &["vault", "rename", "Clara", "--issuer", "Clara Cégep"],
        &[],
    ));
    ok(jeton(&b, &["sync"], &[]));
    ok(jeton(&a, &["sync"], &[]));
    assert_eq!(labels(&a).len(), 2, "{:?}", labels(&a));
    assert_eq!(labels(&a), labels(&b));
}

/// `move scan` with the same image twice and the whole series: repeats ignored, all imported.
#[test]
fn move_scan_with_an_image_given_twice_imports_once() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.jeton");
    let new = dir.path().join("new.jeton");
    ok(jeton(&old, &["vault", "init"], &[]));
    ok(jeton(&old, &["vault", "add", OMNIVOX], &[]));
    ok(jeton(&old, &["vault", "add", CLARA], &[]));
    let frames = dir.path().join("frames");
    std::fs::create_dir(&frames).unwrap();
    let shown = ok(jeton(
        &old,
        &["move", "show", "--png-dir", frames.to_str().unwrap()],
        &[],
    ));
    let code = shown
        .lines()
        .find_map(|l| l.split_once("; code: ").map(|(_, c)| c.to_owned()))
        .unwrap();
    let one = frames.join("move-1.png");
    let one = one.to_str().unwrap();
    let out = ok(jeton(
        &new,
        &["move", "scan", one, one, "--code", &code],
        &[],
    ));
    assert!(out.contains("2 added"), "{out}");
    assert_eq!(labels(&new), labels(&old));
}

/// The documented path to a new phone: `move` first (it "carries what an otpauth URI carries;
/// notes and groups travel with sync"), then pair the new phone to sync. The new phone's copy
/// (no note) is diffed against an empty state on join, sent as a brand-new upsert stamped now,
/// and replaces the note on every device. Known and not fixed yet (the fifteenth session's
/// note; ADR 0006, "What real storage does"): a device's first sync should merge what it
/// received before diffing its own accounts.
#[test]
#[ignore = "known defect: a joining device's existing copy wins over newer synced edits"]
fn pairing_after_a_move_does_not_erase_the_note_on_the_old_phone() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let old = dir.path().join("old.jeton");
    let new = dir.path().join("new.jeton");
    let aegis = dir.path().join("aegis.json");
    std::fs::write(
        &aegis,
        serde_json::json!({
            "version": 1,
            "header": {"slots": null, "params": null},
            "db": {"version": 2, "entries": [{
                "type": "totp", "name": "2412345", "issuer": "Omnivox",
                "note": "backup codes in the red drawer",
                "info": {"secret": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "digits": 8}
            }]}
        })
        .to_string(),
    )
    .unwrap();
    ok(jeton(&old, &["vault", "init"], &[]));
    ok(jeton(&old, &["import", aegis.to_str().unwrap()], &[]));
    let before = dir.path().join("before.json");
    ok(jeton(
        &old,
        &[
            "export",
            "--format",
            "aegis",
            "--plaintext",
            before.to_str().unwrap(),
        ],
        &[],
    ));
    assert!(
        std::fs::read_to_string(&before)
            .unwrap()
            .contains("backup codes in the red drawer")
    );

    // Move to the new phone with no storage.
    let frames = dir.path().join("frames");
    std::fs::create_dir(&frames).unwrap();
    let shown = ok(jeton(
        &old,
        &["move", "show", "--png-dir", frames.to_str().unwrap()],
        &[],
    ));
    let code = shown
        .lines()
        .find_map(|l| l.split_once("; code: ").map(|(_, c)| c.to_owned()))
        .unwrap();
    let one = frames.join("move-1.png");
    ok(jeton(
        &new,
        &["move", "scan", one.to_str().unwrap(), "--code", &code],
        &[],
    ));

    // Later: sync, the new phone paired.
    ok(jeton(
        &old,
        &["sync", "init", "--store", store.to_str().unwrap()],
        &[],
    ));
    let png = dir.path().join("pair.png");
    let code = pairing_code(&ok(jeton(
        &old,
        &["pair", "show", "--png", png.to_str().unwrap()],
        &[],
    )));
    let joined = ok(jeton(
        &new,
        &["pair", "scan", png.to_str().unwrap(), "--code", &code],
        &[],
    ));
    let synced = ok(jeton(&old, &["sync"], &[]));

    let out = dir.path().join("old-export.json");
    ok(jeton(
        &old,
        &[
            "export",
            "--format",
            "aegis",
            "--plaintext",
            out.to_str().unwrap(),
        ],
        &[],
    ));
    let exported = std::fs::read_to_string(&out).unwrap();
    assert!(
        exported.contains("backup codes in the red drawer"),
        "the old phone lost its note; new phone: {joined}; old phone: {synced}"
    );
    assert_eq!(labels(&old), ["Omnivox (2412345)"]);
}

fn oathtool_hotp(counter: u64) -> String {
    // RFC 4226 Appendix D secret "12345678901234567890".
    let out = Command::new("oathtool")
        .args([
            "--hotp",
            "-c",
            &counter.to_string(),
            "3132333435363738393031323334353637383930",
        ])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// An HOTP account moved to the new phone, codes used on the old one, then the new phone
/// paired: no code is ever shown twice (README: "an HOTP counter never goes back").
#[test]
fn hotp_codes_used_before_pairing_are_never_shown_again() {
    const HOTP: &str =
        "otpauth://hotp/Bank:me?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Bank&counter=0";
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let old = dir.path().join("old.jeton");
    let new = dir.path().join("new.jeton");
    ok(jeton(&old, &["vault", "init"], &[]));
    ok(jeton(&old, &["vault", "add", HOTP], &[]));
    let frames = dir.path().join("frames");
    std::fs::create_dir(&frames).unwrap();
    let shown = ok(jeton(
        &old,
        &["move", "show", "--png-dir", frames.to_str().unwrap()],
        &[],
    ));
    let code = shown
        .lines()
        .find_map(|l| l.split_once("; code: ").map(|(_, c)| c.to_owned()))
        .unwrap();
    let one = frames.join("move-1.png");
    ok(jeton(
        &new,
        &["move", "scan", one.to_str().unwrap(), "--code", &code],
        &[],
    ));
    for c in 0..3 {
        assert_eq!(
            ok(jeton(&old, &["vault", "code", "Bank"], &[])).trim(),
            oathtool_hotp(c)
        );
    }
    ok(jeton(
        &old,
        &["sync", "init", "--store", store.to_str().unwrap()],
        &[],
    ));
    let png = dir.path().join("pair.png");
    let code = pairing_code(&ok(jeton(
        &old,
        &["pair", "show", "--png", png.to_str().unwrap()],
        &[],
    )));
    ok(jeton(
        &new,
        &["pair", "scan", png.to_str().unwrap(), "--code", &code],
        &[],
    ));
    ok(jeton(&old, &["sync"], &[]));
    assert_eq!(
        ok(jeton(&new, &["vault", "code", "Bank"], &[])).trim(),
        oathtool_hotp(3)
    );
    ok(jeton(&new, &["sync"], &[]));
    ok(jeton(&old, &["sync"], &[]));
    assert_eq!(
        ok(jeton(&old, &["vault", "code", "Bank"], &[])).trim(),
        oathtool_hotp(4)
    );
}

/// README: "Two commands that change one vault at the same time both land: one that finds the
/// vault changed since it unlocked it reads it again and makes its change on what is there now."
/// That holds for `jeton sync` run while `jeton vault add` saves.
#[test]
fn a_sync_and_a_vault_add_at_the_same_time_both_land() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let a = dir.path().join("a.jeton");
    ok(jeton(&a, &["vault", "init"], &[]));
    let list: String = (0..3000)
        .map(|i| {
            let secret = data_encoding_base32(format!("secret-{i:06}-xxxx").as_bytes());
            format!("otpauth://totp/Site{i}:user{i}?secret={secret}&issuer=Site{i}\n")
        })
        .collect();
    let file = dir.path().join("list.txt");
    std::fs::write(&file, list).unwrap();
    ok(jeton(&a, &["import", file.to_str().unwrap()], &[]));
    ok(jeton(
        &a,
        &["sync", "init", "--store", store.to_str().unwrap()],
        &[],
    ));

    let mut failures = Vec::new();
    let rounds = 30u32;
    for i in 0..rounds {
        let mut sync = Command::new(JETON);
        sync.args(["sync", "--vault", a.to_str().unwrap()])
            .env("JETON_PASSPHRASE", PASSPHRASE)
            .env_remove("JETON_VAULT")
            .env_remove("JETON_SYNC_STORE")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let child = sync.spawn().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(u64::from(i % 10) * 10));
        let secret = data_encoding_base32(format!("added-{i:04}").as_bytes());
        ok(jeton(
            &a,
            &[
                "vault",
                "add",
                &format!("otpauth://totp/Added{i}:me?secret={secret}"),
            ],
            &[],
        ));
        let out = child.wait_with_output().unwrap();
        if !out.status.success() {
            failures.push(String::from_utf8_lossy(&out.stderr).into_owned());
        }
    }
    assert_eq!(labels(&a).len(), 3000 + rounds as usize);
    assert!(
        failures.is_empty(),
        "{} of {rounds} syncs failed: {:?}",
        failures.len(),
        failures.first()
    );
}

fn data_encoding_base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            out.push(ALPHABET[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}
