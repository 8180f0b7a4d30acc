//! `jeton sync` and `jeton pair` end to end, through the real binary: two phones (two vaults)
//! syncing over a folder and over a real Apache WebDAV server, pairing by a QR code drawn by
//! one and scanned by the other, a store that goes back in time, recovery and `move`, against
//! the README's and ADR 0006's promises.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../../core/tests/support/apache.rs"]
mod apache;

use std::path::Path;
use std::process::{Command, Output};

const JETON: &str = env!("CARGO_BIN_EXE_jeton");
const PASSPHRASE: &str = "correct horse battery";
const OMNIVOX: &str = "otpauth://totp/Omnivox:2412345?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Omnivox&digits=8";
const CLARA: &str = "otpauth://totp/Clara:2412345?secret=JBSWY3DPEHPK3PXP&issuer=Clara";

fn command(vault: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(JETON);
    command
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
    command
}

fn jeton(vault: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    command(vault, args, env).output().unwrap()
}

/// [`jeton`] run from the folder `cwd`.
fn jeton_in(cwd: &Path, vault: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    command(vault, args, env).current_dir(cwd).output().unwrap()
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
    assert_eq!(
        output.status.code(),
        Some(2),
        "stdout: {}",
        String::from_utf8_lossy(&output.stdout)
    );
    String::from_utf8(output.stderr).unwrap()
}

fn labels(vault: &Path) -> Vec<String> {
    let mut labels: Vec<String> = ok(jeton(vault, &["vault", "list"], &[]))
        .lines()
        .map(|l| l.split('\t').next().unwrap().to_owned())
        .collect();
    labels.sort();
    labels
}

/// The pairing code printed by `pair show`.
fn pairing_code(shown: &str) -> String {
    shown
        .lines()
        .find_map(|l| l.strip_prefix("pairing code: "))
        .unwrap()
        .to_owned()
}

/// Phone A sets up sync on `store`, shows a pairing QR code; phone B scans it and gets every
/// account; then edits on either side reach the other, deletions included.
fn two_phones(store: &str, env: &[(&str, &str)]) {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.jeton");
    let b = dir.path().join("b.jeton");
    ok(jeton(&a, &["vault", "init"], &[]));
    ok(jeton(&a, &["vault", "add", OMNIVOX], &[]));
    let out = ok(jeton(&a, &["sync", "init", "--store", store], env));
    assert!(out.contains("sent"), "{out}");

    let png = dir.path().join("pair.png");
    let shown = ok(jeton(
        &a,
        &["pair", "show", "--png", png.to_str().unwrap()],
        &[],
    ));
    let code = pairing_code(&shown);
    // A wrong code is refused and creates nothing.
    let wrong = fails(jeton(
        &b,
        &[
            "pair",
            "scan",
            png.to_str().unwrap(),
            "--code",
            "AAAAA-AAAAA",
        ],
        env,
    ));
    assert!(wrong.contains("does not match"), "{wrong}");
    assert!(!b.exists());
    ok(jeton(
        &b,
        &["pair", "scan", png.to_str().unwrap(), "--code", &code],
        env,
    ));
    assert_eq!(labels(&b), ["Omnivox (2412345)"]);
    // The account works on phone B: RFC 6238's published code at T = 59 s (SHA-1, 8 digits).
    assert_eq!(
        ok(jeton(&b, &["vault", "code", "Omnivox", "--at", "59"], &[])).trim(),
        "94287082"
    );

    ok(jeton(&b, &["vault", "add", CLARA], &[]));
    ok(jeton(&b, &["sync"], env));
    ok(jeton(&a, &["sync"], env));
    assert_eq!(labels(&a), ["Clara (2412345)", "Omnivox (2412345)"]);

    ok(jeton(
        &a,
        &["vault", "remove", "Clara (2412345)", "--yes"],
        &[],
    ));
    ok(jeton(&a, &["sync"], env));
    ok(jeton(&b, &["sync"], env));
    assert_eq!(labels(&b), ["Omnivox (2412345)"]);
    // Syncing again changes nothing: the deletion stays deleted.
    ok(jeton(&a, &["sync"], env));
    ok(jeton(&b, &["sync"], env));
    assert_eq!(labels(&a), labels(&b));
}

#[test]
fn two_phones_sync_through_a_folder() {
    let store = tempfile::tempdir().unwrap();
    two_phones(store.path().to_str().unwrap(), &[]);
    // What the folder holds reveals no account: no issuer or name in any file name or byte.
    for entry in walk(store.path()) {
        let name = entry.to_string_lossy().to_lowercase();
        assert!(
            !name.contains("omnivox") && !name.contains("clara"),
            "{name}"
        );
        let bytes = std::fs::read(&entry).unwrap();
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        assert!(
            !text.contains("omnivox") && !text.contains("2412345"),
            "{}",
            entry.display()
        );
    }
}

#[test]
fn two_phones_sync_through_a_webdav_server_with_a_password() {
    let server = apache::Apache::with_password();
    let url = server
        .url()
        .replace("http://", &format!("http://{}@", apache::USER));
    two_phones(&url, &[("JETON_SYNC_PASSWORD", apache::PASSWORD)]);
    assert!(!walk(&server.data()).is_empty());
    // A wrong password is an error that says what to check.
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path().join("c.jeton");
    ok(jeton(&c, &["vault", "init"], &[]));
    let refused = fails(jeton(
        &c,
        &["sync", "init", "--store", &url],
        &[("JETON_SYNC_PASSWORD", "wrong")],
    ));
    assert!(refused.contains("refused access"), "{refused}");
}

#[test]
fn a_store_restored_from_an_old_copy_is_refused_and_nothing_is_applied() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let old = dir.path().join("old-copy");
    let a = dir.path().join("a.jeton");
    ok(jeton(&a, &["vault", "init"], &[]));
    ok(jeton(&a, &["vault", "add", OMNIVOX], &[]));
    ok(jeton(
        &a,
        &["sync", "init", "--store", store.to_str().unwrap()],
        &[],
    ));
    copy_dir(&store, &old);
    ok(jeton(&a, &["vault", "add", CLARA], &[]));
    ok(jeton(&a, &["sync"], &[]));
    std::fs::remove_dir_all(&store).unwrap();
    copy_dir(&old, &store);
    let refused = fails(jeton(&a, &["sync"], &[]));
    assert!(refused.contains("back in time"), "{refused}");
    // An unmounted drive (the folder gone) is not an empty store: nothing is deleted.
    std::fs::remove_dir_all(&store).unwrap();
    let refused = fails(jeton(&a, &["sync"], &[]));
    assert!(refused.contains("cannot be reached"), "{refused}");
    assert_eq!(labels(&a), ["Clara (2412345)", "Omnivox (2412345)"]);
}

#[test]
fn sync_without_a_store_says_how_to_set_it_up() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.jeton");
    ok(jeton(&a, &["vault", "init"], &[]));
    let refused = fails(jeton(&a, &["sync"], &[]));
    assert!(refused.contains("jeton sync init --store"), "{refused}");
}

/// `count` TOTP accounts from `first` on, as an otpauth:// list (one secret each).
fn otpauth_list(first: u32, count: u32) -> String {
    (first..first + count)
        .map(|i| {
            let mut secret = [7u8; 20];
            secret[..4].copy_from_slice(&i.to_be_bytes());
            let secret = data_encoding::BASE32_NOPAD.encode(&secret);
            format!("otpauth://totp/Omnivox:user{i}?secret={secret}&issuer=Omnivox\n")
        })
        .collect()
}

fn sync_files(store: &Path) -> usize {
    walk(store)
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "op" || e == "snap"))
        .count()
}

/// `jeton sync` killed with SIGKILL at moments that move towards the window where it writes to
/// the store (after opening the vault, before its commit), and every other round the moment its
/// file shows in the store: every run afterwards succeeds, and a new device gets every account.
#[test]
fn a_sync_killed_mid_write_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let a = dir.path().join("a.jeton");
    let b = dir.path().join("b.jeton");
    ok(jeton(&a, &["vault", "init"], &[]));
    ok(jeton(
        &a,
        &["sync", "init", "--store", store.to_str().unwrap()],
        &[],
    ));
    // Opening the vault (its KDF) is most of a run: the kill moments start there.
    let opened = std::time::Instant::now();
    ok(jeton(&a, &["vault", "list"], &[]));
    let mut delay = opened.elapsed();
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    println!("seed {seed}");
    let mut random = u64::from(seed) | 1;
    let mut jitter = move |max_ms: u64| {
        // xorshift64: a little spread around the moment being tried.
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        std::time::Duration::from_millis(random % max_ms.max(1))
    };
    let per_round = 150;
    let (mut rounds, mut killed_after_writing, mut killed_before, mut finished) = (0, 0, 0, 0);
    let (mut early, mut late) = (None, None);
    while rounds < 8 || (killed_after_writing < 2 && rounds < 30) {
        let list = dir.path().join(format!("round{rounds}.txt"));
        std::fs::write(&list, otpauth_list(rounds * per_round, per_round)).unwrap();
        ok(jeton(&a, &["import", list.to_str().unwrap()], &[]));
        rounds += 1;
        let files_before = sync_files(&store);
        let mut child = Command::new(JETON)
            .args(["sync", "--vault"])
            .arg(&a)
            .env("JETON_PASSPHRASE", PASSPHRASE)
            .env_remove("JETON_VAULT")
            .env_remove("JETON_SYNC_STORE")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let at = delay + jitter(8);
        let started = std::time::Instant::now();
        if rounds % 2 == 0 {
            // Every other round, kill the moment a new file shows in the store: after the
            // store write, before the vault's commit (a window of milliseconds that timing
            // alone misses on a loaded machine).
            while child.try_wait().unwrap().is_none() && started.elapsed() < at * 4 {
                if sync_files(&store) > files_before {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_micros(200));
            }
        } else {
            std::thread::sleep(at);
        }
        let at = started.elapsed();
        let _ = child.kill(); // SIGKILL (an error: it had finished)
        let status = child.wait().unwrap();
        let wrote = sync_files(&store) > files_before;
        // Bisect between the latest kill that came too early and the latest run that
        // finished; the window moves later as the vault grows, so a bound that contradicts a
        // new result is dropped.
        if status.success() {
            finished += 1;
            late = Some(at);
            early = early.filter(|e| *e < at);
        } else if wrote {
            killed_after_writing += 1;
        } else {
            killed_before += 1;
            early = Some(at);
            late = late.filter(|l| *l > at);
        }
        delay = match (early, late) {
            (Some(e), Some(l)) => (e + l) / 2,
            (Some(e), None) => e.mul_f64(1.2),
            (None, Some(l)) => l.mul_f64(0.85),
            (None, None) => at,
        };
        println!(
            "round {rounds}: kill at {at:?}, success {}, wrote {wrote}",
            status.success()
        );
    }
    println!(
        "{rounds} rounds: killed after writing {killed_after_writing}, before {killed_before}; finished {finished}"
    );
    assert!(killed_after_writing >= 1, "no kill landed mid-write");

    let out = ok(jeton(&a, &["sync"], &[]));
    assert!(out.contains("synced"), "{out}");
    let total = usize::try_from(rounds * per_round).unwrap();
    assert_eq!(labels(&a).len(), total);

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
    assert_eq!(labels(&b).len(), total, "the new device got every account");
    assert_eq!(labels(&b), labels(&a));
    ok(jeton(&a, &["sync"], &[]));
    assert_eq!(labels(&a).len(), total, "nothing doubled");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// The phone is lost: a new one joins with the recovery passphrase alone and gets every account;
/// a wrong passphrase joins nothing; `--off` leaves pairing as the only way in.
#[test]
fn a_lost_phone_is_replaced_with_the_recovery_passphrase_alone() {
    let dir = tempfile::tempdir().unwrap();
    let drive = dir.path().join("drive");
    let drive = drive.to_str().unwrap();
    let lost = dir.path().join("lost.jeton");
    let new = dir.path().join("new.jeton");
    ok(jeton(&lost, &["vault", "init"], &[]));
    ok(jeton(&lost, &["vault", "add", OMNIVOX], &[]));
    ok(jeton(&lost, &["vault", "add", CLARA], &[]));
    ok(jeton(&lost, &["sync", "init", "--store", drive], &[]));
    let recovery = [("JETON_RECOVERY_PASSPHRASE", "four random words here")];
    let out = ok(jeton(&lost, &["sync", "recovery"], &recovery));
    assert!(out.contains("sync join --store"), "{out}");

    let wrong = [("JETON_RECOVERY_PASSPHRASE", "five random words here")];
    let err = fails(jeton(&new, &["sync", "join", "--store", drive], &wrong));
    assert!(err.contains("not the sync's recovery passphrase"), "{err}");
    let out = ok(jeton(&new, &["sync", "join", "--store", drive], &recovery));
    assert!(out.contains("2 added"), "{out}");
    assert_eq!(labels(&new), labels(&lost));
    // RFC 6238's SHA-1 secret (Appendix B), 8 digits: the new phone's code for Omnivox.
    let code = ok(jeton(
        &new,
        &["vault", "code", "Omnivox", "--at", "59"],
        &[],
    ));
    assert!(code.contains("94287082"), "{code}");

    ok(jeton(&new, &["sync", "recovery", "--off"], &[]));
    let third = dir.path().join("third.jeton");
    let err = fails(jeton(
        &third,
        &["sync", "join", "--store", drive],
        &recovery,
    ));
    assert!(err.contains("no recovery passphrase"), "{err}");
}

/// Phone to phone with no storage: the old phone draws its accounts as a series of sealed QR
/// codes (PNG files), the new one scans them in another order and types the code.
#[test]
fn a_phone_moves_its_accounts_to_a_new_one_as_qr_codes_with_no_storage() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("old.jeton");
    let new = dir.path().join("new.jeton");
    ok(jeton(&old, &["vault", "init"], &[]));
    ok(jeton(&old, &["vault", "add", OMNIVOX], &[]));
    for i in 0..11 {
        let uri = format!(
            "otpauth://totp/Club{i}:student{i}@example.org?secret=JBSWY3DPEHPK3PX{}",
            (b'A' + i) as char
        );
        ok(jeton(&old, &["vault", "add", &uri], &[]));
    }
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
    let mut images: Vec<String> = std::fs::read_dir(&frames)
        .unwrap()
        .map(|e| e.unwrap().path().to_str().unwrap().to_owned())
        .collect();
    assert!(images.len() >= 2, "{shown}");
    images.sort();
    images.reverse();

    let mut args = vec!["move", "scan"];
    args.extend(images.iter().map(String::as_str));
    let err = fails(jeton(
        &new,
        &[args.as_slice(), &["--code", "AAAAA-AAAAA"]].concat(),
        &[],
    ));
    assert!(err.contains("code does not match"), "{err}");
    assert!(!new.exists(), "a wrong code creates nothing");
    let out = ok(jeton(
        &new,
        &[args.as_slice(), &["--code", &code]].concat(),
        &[],
    ));
    assert!(out.contains("12 added"), "{out}");
    assert_eq!(labels(&new), labels(&old));
    // RFC 6238's SHA-1 secret (Appendix B), 8 digits.
    let omnivox = ok(jeton(
        &new,
        &["vault", "code", "Omnivox", "--at", "59"],
        &[],
    ));
    assert!(omnivox.contains("94287082"), "{omnivox}");

    // One QR code short: says how many are missing, imports nothing more.
    let err = fails(jeton(
        &new,
        &[&args[..args.len() - 1], &["--code", &code]].concat(),
        &[],
    ));
    assert!(err.contains("still to scan"), "{err}");
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
    // Run from the temporary folder, so that a folder made of the address would land there.
    let out = jeton_in(
        dir.path(),
        &a,
        &[
            "sync",
            "init",
            "--store",
            "HTTP://alice:s3cretPW@127.0.0.1:9/jeton",
        ],
        &[],
    );
    let files = walk(dir.path());
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
