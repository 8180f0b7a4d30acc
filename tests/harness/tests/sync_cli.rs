//! `jeton sync` and `jeton pair` end to end, through the real binary: two phones (two vaults)
//! syncing over a folder and over a real Apache WebDAV server, pairing by a QR code drawn by
//! one and scanned by the other, and a store that goes back in time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../../core/tests/support/apache.rs"]
mod apache;

use std::path::Path;
use std::process::{Command, Output};

const JETON: &str = env!("CARGO_BIN_EXE_jeton");
const PASSPHRASE: &str = "correct horse battery";
const OMNIVOX: &str = "otpauth://totp/Omnivox:2412345?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Omnivox&digits=8";
const CLARA: &str = "otpauth://totp/Clara:2412345?secret=JBSWY3DPEHPK3PXP&issuer=Clara";

fn jeton(vault: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(JETON);
    command
        .args(args)
        .arg("--vault")
        .arg(vault)
        .env("JETON_PASSPHRASE", PASSPHRASE)
        .env("JETON_NEW_PASSPHRASE", PASSPHRASE)
        .env_remove("JETON_VAULT")
        .env_remove("JETON_SYNC_STORE")
        .env_remove("JETON_PAIR_CODE");
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
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
