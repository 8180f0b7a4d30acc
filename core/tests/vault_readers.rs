//! The vault under concurrent use by two handles (two `jeton` processes, or the app
//! and the desktop command), as docs/adr/0001-vault-format.md ("Several handles on one file")
//! says it is supported.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use jeton_core::otp::OtpParams;
use jeton_core::vault::{KdfParams, Vault};
use jeton_core::{Account, Secret};

const FAST: KdfParams = KdfParams::INSECURE_FAST_FOR_TESTS;
const PASS: &str = "correct horse";

fn account(n: usize) -> Account {
    Account {
        issuer: Some(format!("Issuer{n}")),
        name: format!("user{n}"),
        secret: Secret::from_slice(b"12345678901234567890"),
        params: OtpParams::totp(),
    }
}

/// One handle keeps renaming its accounts (each rename is one committed SQLite transaction); another
/// opens and unlocks the same file again and again, as `jeton vault list` does in a second
/// terminal. Nothing was tampered with and every commit is whole, so every unlock must succeed
/// with nothing reported damaged. SQLite gives each statement outside a transaction its own
/// snapshot in WAL mode, so an unlock that reads the index, the MAC and the rows in separate
/// statements can see two different commits.
#[test]
fn unlocking_while_another_handle_writes_never_reports_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.jeton");
    drop(Vault::create_with_kdf(&path, PASS, FAST).unwrap());

    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let path = path.clone();
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut vault = Vault::open(&path).unwrap();
            vault.unlock_with_passphrase(PASS).unwrap();
            let ids: Vec<_> = (0..5).map(|n| vault.add(account(n)).unwrap()).collect();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) && n < 200_000 {
                let id = ids[n % ids.len()];
                vault
                    .rename(id, Some(format!("Issuer{n}")), format!("user{n}"))
                    .unwrap();
                n += 1;
                // Leave the write lock free now and then, as a person typing commands does.
                std::thread::sleep(Duration::from_micros(300));
            }
            n
        })
    };

    let started = Instant::now();
    let mut problems = Vec::new();
    let mut unlocks = 0;
    while started.elapsed() < Duration::from_secs(6) && problems.is_empty() {
        let mut vault = Vault::open(&path).unwrap();
        match vault.unlock_with_passphrase(PASS) {
            Ok(()) => {
                if !vault.damaged().is_empty() {
                    problems.push(format!(
                        "unlock #{unlocks} reported damage: {}",
                        vault
                            .damaged()
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join("; ")
                    ));
                }
            }
            Err(e) => problems.push(format!("unlock #{unlocks} failed: {e}")),
        }
        unlocks += 1;
    }
    stop.store(true, Ordering::Relaxed);
    let added = writer.join().unwrap();
    eprintln!("{unlocks} unlocks, {added} renames");
    assert!(
        problems.is_empty(),
        "{} (after {unlocks} unlocks while {added} renames were committed)",
        problems.join("\n")
    );
}
