//! The FFI never holds the vault while Argon2id runs: a code ticker keeps getting its sheet
//! while another thread unlocks, changes the passphrase or turns automatic backups on (issue 11
//! item 5). Each slow call runs at the default costs (tens to hundreds of milliseconds); had it
//! held the vault, one of the ticker's calls would have waited for most of it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use jeton_ffi::{JetonError, Vault};

const PASSPHRASE: &str = "correct horse battery";
const URI: &str = "otpauth://totp/Omnivox:2412345?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

/// Runs `slow` on another thread while this one asks for the code sheet as a ticker would;
/// returns the slow call's whole time, the ticker's longest wait and how many sheets it got.
fn tick_during(
    vault: &Arc<Vault>,
    slow: impl FnOnce() -> Result<(), JetonError> + Send + 'static,
) -> (Duration, Duration, usize) {
    let done = Arc::new(AtomicBool::new(false));
    let finished = Arc::clone(&done);
    let start = Instant::now();
    let worker = thread::spawn(move || {
        let outcome = slow();
        finished.store(true, Ordering::SeqCst);
        outcome
    });
    let accounts = Arc::clone(vault).accounts();
    let (mut longest, mut sheets) = (Duration::ZERO, 0);
    while !done.load(Ordering::SeqCst) {
        let asked = Instant::now();
        // Locked or unlocked, the call must answer; only its waiting time matters here.
        let _ = accounts.device_code_sheet_at(1_700_000_000);
        longest = longest.max(asked.elapsed());
        sheets += 1;
        thread::sleep(Duration::from_millis(2));
    }
    worker.join().unwrap().unwrap();
    (start.elapsed(), longest, sheets)
}

fn assert_not_held(what: &str, (whole, longest, sheets): (Duration, Duration, usize)) {
    println!("{what}: {whole:?} in all, the ticker's longest wait {longest:?}, {sheets} sheets");
    assert!(
        sheets >= 3,
        "{what}: the ticker got only {sheets} sheets in {whole:?}"
    );
    assert!(
        longest * 2 < whole,
        "{what} held the vault: the ticker waited {longest:?} of {whole:?}"
    );
}

#[test]
fn argon2_runs_without_holding_the_vault() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.jeton").display().to_string();
    let vault = Vault::create(path, PASSPHRASE.into()).unwrap();
    Arc::clone(&vault).accounts().add_uri(URI.into()).unwrap();

    let keys = Arc::clone(&vault).keys();
    let timing = tick_during(&vault, move || {
        keys.change_passphrase("a new passphrase".into())
    });
    assert_not_held("changing the passphrase", timing);

    let folder = dir.path().join("backups");
    std::fs::create_dir(&folder).unwrap();
    let folder = folder.display().to_string();
    let backing = Arc::clone(&vault);
    let timing = tick_during(&vault, move || {
        backing.set_auto_backup(folder, 3, "a new passphrase".into())
    });
    assert_not_held("turning automatic backups on", timing);
    let outcome = vault.last_auto_backup().unwrap();
    assert!(
        matches!(outcome, Some(jeton_ffi::AutoBackupOutcome::Written { .. })),
        "{outcome:?}"
    );

    vault.lock().unwrap();
    let unlocking = Arc::clone(&vault);
    let timing = tick_during(&vault, move || {
        unlocking.unlock_with_passphrase("a new passphrase".into())
    });
    assert_not_held("unlocking", timing);
    let sheet = Arc::clone(&vault)
        .accounts()
        .device_code_sheet_at(1_700_000_000)
        .unwrap();
    assert_eq!(sheet.lines.lines().count(), 1, "{sheet:?}");
}
