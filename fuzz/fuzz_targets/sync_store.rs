//! The sync store as someone who can write to it would attack it (a cloud folder, a WebDAV
//! server): the input is a list of edits to a real store that two devices synced through —
//! replace a file's bytes, add a file under any name, delete one — after which the second
//! device syncs. Sync may refuse (tampered, rolled back, damaged); it must never panic, nor put
//! an account in the vault that no device wrote (every log and snapshot is sealed, so edits can
//! hide or replay, never forge).
#![no_main]

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

use arbitrary::Arbitrary;
use jeton_core::sync::{self, BlobStore, Created, StoreError};
use jeton_core::vault::{KdfParams, Vault};
use libfuzzer_sys::fuzz_target;

const PASS: &str = "fuzzing sync";

/// A store in memory, with the contract's semantics (create-if-absent, prefix listing).
#[derive(Default)]
struct Memory(Mutex<BTreeMap<String, Vec<u8>>>);

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

/// The store two devices synced through, and the second device's vault file, made once.
struct Template {
    files: BTreeMap<String, Vec<u8>>,
    vault: Vec<u8>,
    dir: std::path::PathBuf,
}

fn template() -> &'static Template {
    static TEMPLATE: OnceLock<Template> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("jeton-fuzz-sync-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let store = Memory::default();
        let mut a = Vault::create_with_kdf(dir.join("a.jeton"), PASS, KdfParams::INSECURE_FAST_FOR_TESTS).unwrap();
        a.add(jeton_core::uri::parse("otpauth://totp/A:a?secret=JBSWY3DPEHPK3PXP&issuer=A").unwrap())
            .unwrap();
        sync::init(&mut a, &store).unwrap();
        let b_path = dir.join("b.jeton");
        let mut b = Vault::create_with_kdf(&b_path, PASS, KdfParams::INSECURE_FAST_FOR_TESTS).unwrap();
        sync::join(&mut b, &store, &sync::key(&a).unwrap()).unwrap();
        sync::sync(&mut b, &store).unwrap();
        a.add(jeton_core::uri::parse("otpauth://hotp/B:b?secret=JBSWY3DPEHPK3PXQ&issuer=B").unwrap())
            .unwrap();
        sync::sync(&mut a, &store).unwrap();
        drop(b);
        let files = store.0.into_inner().unwrap();
        Template { files, vault: std::fs::read(&b_path).unwrap(), dir }
    })
}

#[derive(Debug, Arbitrary)]
enum Edit {
    /// Replace the bytes of the store's n-th file.
    Replace(u8, Vec<u8>),
    /// Add a file beside the n-th one, its name changed at the end.
    AddBeside(u8, String, Vec<u8>),
    /// Add a file under any name.
    Add(String, Vec<u8>),
    /// Delete the n-th file.
    Delete(u8),
    /// Copy the n-th file over the m-th (a replay).
    Copy(u8, u8),
}

fuzz_target!(|edits: Vec<Edit>| {
    let template = template();
    let mut files = template.files.clone();
    for edit in edits.into_iter().take(8) {
        let names: Vec<String> = files.keys().cloned().collect();
        let nth = |n: u8| names.get(usize::from(n) % names.len().max(1)).cloned();
        match edit {
            Edit::Replace(n, bytes) => {
                if let Some(name) = nth(n) {
                    files.insert(name, bytes);
                }
            }
            Edit::AddBeside(n, tail, bytes) => {
                if let Some(name) = nth(n) {
                    let folder = name.rsplit_once('/').map_or("", |(folder, _)| folder);
                    files.insert(format!("{folder}/{tail}"), bytes);
                }
            }
            Edit::Add(name, bytes) => {
                files.insert(name, bytes);
            }
            Edit::Delete(n) => {
                if let Some(name) = nth(n) {
                    files.remove(&name);
                }
            }
            Edit::Copy(from, to) => {
                if let (Some(from), Some(to)) = (nth(from), nth(to)) {
                    let bytes = files[&from].clone();
                    files.insert(to, bytes);
                }
            }
        }
    }
    let store = Memory(Mutex::new(files));
    let path = template.dir.join(format!("b-{}.jeton", std::process::id()));
    std::fs::write(&path, &template.vault).unwrap();
    let mut vault = Vault::open(&path).unwrap();
    vault.unlock_with_passphrase(PASS).unwrap();
    if sync::sync(&mut vault, &store).is_ok() {
        for entry in vault.list().unwrap() {
            assert!(
                matches!(entry.issuer.as_deref(), Some("A" | "B")),
                "an account no device wrote: {:?}",
                entry.issuer
            );
        }
    }
    drop(vault);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
});
