//! The FFI never holds the vault while Argon2id runs: a code ticker keeps getting its sheet
//! while another thread unlocks, changes the passphrase or turns automatic backups on (issue 11
//! item 5). Each slow call runs at the default costs (tens to hundreds of milliseconds); had it
//! held the vault, one of the ticker's calls would have waited for most of it. Nor does it hold
//! the vault while a sync waits on its store.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use jeton_ffi::{JetonError, SyncStore, SyncStoreError, Vault, accept_pairing, folder_sync_store};

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

/// A platform store (a foreign `SyncStore`, here written in Rust) over a folder: each call
/// takes `delay`, as a network would, and the first `read` calls back into the vault to add
/// an account, as a platform callback might.
struct SlowStore {
    inner: Arc<dyn SyncStore>,
    delay: Duration,
    vault: Arc<Vault>,
    added: AtomicBool,
}

impl SyncStore for SlowStore {
    fn create(&self, name: String, bytes: Vec<u8>) -> Result<bool, SyncStoreError> {
        thread::sleep(self.delay);
        self.inner.create(name, bytes)
    }
    fn read(&self, name: String, limit: u64) -> Result<Option<Vec<u8>>, SyncStoreError> {
        thread::sleep(self.delay);
        if !self.added.swap(true, Ordering::SeqCst) {
            let accounts = Arc::clone(&self.vault).accounts();
            accounts.add_uri(SECOND.into()).unwrap();
        }
        self.inner.read(name, limit)
    }
    fn list(&self, prefix: String) -> Result<Vec<String>, SyncStoreError> {
        thread::sleep(self.delay);
        self.inner.list(prefix)
    }
    fn delete(&self, name: String) -> Result<(), SyncStoreError> {
        thread::sleep(self.delay);
        self.inner.delete(name)
    }
}

const SECOND: &str = "otpauth://totp/Clara:2412345?secret=JBSWY3DPEHPK3PXP";

#[test]
fn a_sync_waits_on_its_store_without_holding_the_vault() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("store");
    std::fs::create_dir(&folder).unwrap();
    let folder = folder.display().to_string();
    let path = dir.path().join("phone.jeton").display().to_string();
    let phone = Vault::create(path, PASSPHRASE.into()).unwrap();
    Arc::clone(&phone).accounts().add_uri(URI.into()).unwrap();
    let store = Arc::new(SlowStore {
        inner: folder_sync_store(folder.clone()).unwrap(),
        delay: Duration::from_millis(40),
        vault: Arc::clone(&phone),
        added: AtomicBool::new(false),
    });

    // Setting up and the first sync call the store, which calls back into the vault: a sync
    // that held the vault would deadlock here, and the watchdog fails the test.
    thread::spawn(|| {
        thread::sleep(Duration::from_secs(120));
        eprintln!("a sync over a store that calls back into the vault deadlocked");
        std::process::exit(1);
    });
    let sync = Arc::clone(&phone).sync();
    let platform: Arc<dyn SyncStore> = store.clone();
    let timing = tick_during(&phone, move || {
        sync.set_up(Arc::clone(&platform))?;
        sync.sync(platform).map(|_| ())
    });
    assert_not_held("setting up sync and syncing over a slow store", timing);

    // The account added from the store's callback, while the sync ran, was not lost: the
    // commit saw the vault move, and the sync ran again and sent it too.
    let again = Arc::clone(&phone)
        .sync()
        .sync(folder_sync_store(folder.clone()).unwrap())
        .unwrap();
    assert_eq!(again.sent, 0, "{again:?}");
    let listed = Arc::clone(&phone).accounts().list().unwrap();
    assert_eq!(listed.len(), 2, "{listed:?}");

    // A second device joining the store gets both.
    let invitation = Arc::clone(&phone).sync().invite(folder.clone()).unwrap();
    let pairing = accept_pairing(invitation.payload, invitation.code).unwrap();
    let path = dir.path().join("tablet.jeton").display().to_string();
    let tablet = Vault::create(path, PASSPHRASE.into()).unwrap();
    let tablet_sync = Arc::clone(&tablet).sync();
    tablet_sync
        .join(folder_sync_store(folder.clone()).unwrap(), pairing)
        .unwrap();
    let summary = tablet_sync
        .sync(folder_sync_store(folder).unwrap())
        .unwrap();
    assert_eq!(summary.added, 2, "{summary:?}");
}
