//! A real sync store, made once per fuzzing process, that two devices synced through: device A
//! wrote two accounts (issuers `A` and `B`), device B joined and read the first. Each input
//! edits a copy of the store, then B syncs from a fresh copy of its vault.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use jeton_core::sync::{self, BlobStore, Created, StoreError, SyncKey};
use jeton_core::vault::{KdfParams, Vault};

/// The passphrase of both vaults.
pub const PASSPHRASE: &str = "fuzzing sync";

/// A store in memory, with the contract's semantics (create-if-absent, prefix listing).
#[derive(Default)]
pub struct Memory(pub Mutex<BTreeMap<String, Vec<u8>>>);

impl BlobStore for Memory {
    fn create(&self, name: &str, bytes: &[u8]) -> Result<Created, StoreError> {
        let mut files = self.0.lock().unwrap();
        if files.contains_key(name) {
            return Ok(Created::AlreadyExists);
        }
        files.insert(name.to_owned(), bytes.to_vec());
        Ok(Created::New)
    }

    fn read(&self, name: &str, limit: u64) -> Result<Option<Vec<u8>>, StoreError> {
        match self.0.lock().unwrap().get(name) {
            Some(bytes) if bytes.len() as u64 > limit => Err(StoreError::TooLarge { limit }),
            found => Ok(found.cloned()),
        }
    }

    fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let folder = format!("{prefix}/");
        Ok(self
            .0
            .lock()
            .unwrap()
            .keys()
            .filter(|name| name.starts_with(&folder))
            .cloned()
            .collect())
    }

    fn delete(&self, name: &str) -> Result<(), StoreError> {
        self.0.lock().unwrap().remove(name);
        Ok(())
    }
}

/// The store two devices synced through, the second device's vault file, and the sync key.
pub struct Template {
    /// The store's files by name.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Device B's vault file.
    pub vault: Vec<u8>,
    /// The sync key both devices hold.
    pub key: SyncKey,
    /// Where inputs' vaults are written.
    pub dir: PathBuf,
}

/// The template, made on first use.
pub fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("jeton-fuzz-sync-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let store = Memory::default();
        let kdf = KdfParams::INSECURE_FAST_FOR_TESTS;
        let mut a = Vault::create_with_kdf(dir.join("a.jeton"), PASSPHRASE, kdf).unwrap();
        let account = |uri| jeton_core::uri::parse(uri).unwrap();
        a.add(account("otpauth://totp/A:a?secret=JBSWY3DPEHPK3PXP&issuer=A")).unwrap();
        sync::init(&mut a, &store).unwrap();
        let b_path = dir.join("b.jeton");
        let mut b = Vault::create_with_kdf(&b_path, PASSPHRASE, kdf).unwrap();
        let key = sync::key(&a).unwrap();
        sync::join(&mut b, &store, &key).unwrap();
        sync::sync(&mut b, &store).unwrap();
        a.add(account("otpauth://hotp/B:b?secret=JBSWY3DPEHPK3PXQ&issuer=B")).unwrap();
        sync::sync(&mut a, &store).unwrap();
        drop(b);
        let files = store.0.into_inner().unwrap();
        Template { files, vault: std::fs::read(&b_path).unwrap(), key, dir }
    })
}

/// Device B, from a fresh copy of its vault, unlocked; run `with` on it, then remove the copy.
pub fn with_device_b(with: impl FnOnce(&mut Vault)) {
    let template = template();
    let path = template.dir.join(format!("b-{}.jeton", std::process::id()));
    std::fs::write(&path, &template.vault).unwrap();
    let mut vault = Vault::open(&path).unwrap();
    vault.unlock_with_passphrase(PASSPHRASE).unwrap();
    with(&mut vault);
    drop(vault);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}
