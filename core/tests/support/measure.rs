//! The sync measurement of docs/performance.md, over any store: two devices with 1,000 accounts
//! each, 100 changes on each, then pruning and a device joining after it. Prints, per step, the
//! time and the bytes that went through the store (counted by [`Counting`], which wraps it),
//! and the store's size on disk.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use jeton_core::sync::{self, BlobStore, Created, Pruning, StoreError};
use jeton_core::vault::{Extras, KdfParams, Vault};
use jeton_core::{Account, OtpParams, Secret};

/// A store that counts what goes through it.
pub struct Counting<'a> {
    inner: &'a dyn BlobStore,
    read: AtomicU64,
    written: AtomicU64,
    calls: AtomicU64,
}

impl<'a> Counting<'a> {
    pub fn new(inner: &'a dyn BlobStore) -> Self {
        Self {
            inner,
            read: AtomicU64::new(0),
            written: AtomicU64::new(0),
            calls: AtomicU64::new(0),
        }
    }

    /// (bytes read, bytes written, calls) since the last call, and resets them.
    pub fn take(&self) -> (u64, u64, u64) {
        (
            self.read.swap(0, Ordering::SeqCst),
            self.written.swap(0, Ordering::SeqCst),
            self.calls.swap(0, Ordering::SeqCst),
        )
    }
}

impl BlobStore for Counting<'_> {
    fn create(&self, name: &str, bytes: &[u8]) -> Result<Created, StoreError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.written.fetch_add(bytes.len() as u64, Ordering::SeqCst);
        self.inner.create(name, bytes)
    }
    fn read(&self, name: &str, limit: u64) -> Result<Option<Vec<u8>>, StoreError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let bytes = self.inner.read(name, limit)?;
        let n = bytes.as_ref().map_or(0, Vec::len) as u64;
        self.read.fetch_add(n, Ordering::SeqCst);
        Ok(bytes)
    }
    fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.list(prefix)
    }
    fn delete(&self, name: &str) -> Result<(), StoreError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.delete(name)
    }
}

fn size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                size(&e.path())
            } else {
                e.metadata().unwrap().len()
            }
        })
        .sum()
}

fn many(tag: u8) -> Vec<(Account, Extras)> {
    (0..1000u32)
        .map(|i| {
            let mut secret = [tag; 20];
            secret[..4].copy_from_slice(&i.to_be_bytes());
            let account = Account {
                issuer: Some("Omnivox".into()),
                name: format!("user{i}@example.com"),
                secret: Secret::from_slice(&secret),
                params: OtpParams::totp(),
            };
            (account, Extras::default())
        })
        .collect()
}

fn view(v: &Vault) -> Vec<(Vec<u8>, String)> {
    let mut out: Vec<_> = v
        .records()
        .unwrap()
        .into_iter()
        .map(|r| (r.account.secret.expose().to_vec(), r.account.name.clone()))
        .collect();
    out.sort();
    out
}

/// Runs the measurement on `store`, whose files are kept under `on_disk` (for its size).
/// `label` names the store in the output.
pub fn two_devices_with_a_thousand_accounts(label: &str, store: &dyn BlobStore, on_disk: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let kdf = KdfParams::INSECURE_FAST_FOR_TESTS;
    let mut a = Vault::create_with_kdf(dir.path().join("a.jeton"), "password", kdf).unwrap();
    let mut b = Vault::create_with_kdf(dir.path().join("b.jeton"), "password", kdf).unwrap();
    let mut c = Vault::create_with_kdf(dir.path().join("c.jeton"), "password", kdf).unwrap();
    a.add_all(many(1)).unwrap();
    b.add_all(many(2)).unwrap();
    let counted = Counting::new(store);
    let store_size = || size(&on_disk.join("jeton-sync"));
    println!("{label}");
    println!("| step | time | read | written | calls | store after |");
    println!("|---|---|---|---|---|---|");
    let step = |name: &str, v: &mut Vault, pruning: &Pruning| {
        counted.take();
        let start = Instant::now();
        sync::sync_with(v, &counted, sync_now(), pruning).unwrap();
        let elapsed = start.elapsed();
        let (read, written, calls) = counted.take();
        println!(
            "| {name} | {:.0} ms | {} kB | {} kB | {calls} | {} kB |",
            elapsed.as_secs_f64() * 1000.0,
            read / 1000,
            written / 1000,
            store_size() / 1000,
        );
    };
    let keep = Pruning {
        snapshot_after: u64::MAX,
        ..Pruning::default()
    };
    let now = Pruning {
        snapshot_after: 1,
        ..Pruning::default()
    };
    sync::init(&mut a, &counted).unwrap();
    step("A: first sync (1,000 accounts)", &mut a, &keep);
    sync::join(&mut b, &counted, &sync::key(&a).unwrap()).unwrap();
    step("B joins with its own 1,000", &mut b, &keep);
    step("A receives B's 1,000", &mut a, &keep);
    for v in [&mut a, &mut b] {
        let ids: Vec<_> = v
            .list()
            .unwrap()
            .into_iter()
            .take(100)
            .map(|e| e.id)
            .collect();
        for id in ids {
            v.rename(id, None, "changed".into()).unwrap();
        }
    }
    step("A sends 100 changes", &mut a, &keep);
    step("B sends 100, receives 100 (one sync)", &mut b, &keep);
    step("A receives 100", &mut a, &keep);
    step("A: nothing new", &mut a, &keep);
    println!("store before pruning: {} kB", store_size() / 1000);
    step("A writes a snapshot, prunes what B had read", &mut a, &now);
    step("B acknowledges it, prunes", &mut b, &keep);
    step("A: nothing left to prune", &mut a, &keep);
    println!("store after pruning: {} kB", store_size() / 1000);
    sync::join(&mut c, &counted, &sync::key(&a).unwrap()).unwrap();
    step("C joins after pruning (from the snapshot)", &mut c, &keep);
    assert_eq!(view(&a), view(&b));
    assert_eq!(view(&a), view(&c));
    assert_eq!(view(&a).len(), 2000);
}

fn sync_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}
