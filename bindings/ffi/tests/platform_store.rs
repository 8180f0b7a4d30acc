//! A platform store lists what is in its folder, other programs' files included (a Mac's
//! `.DS_Store`, a cloud drive's conflict copy, a note): sync goes on over them, as it does over
//! Rust's own folder and WebDAV stores, instead of failing on a name Jeton never writes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use jeton_ffi::{SyncStore, SyncStoreError, Vault, accept_pairing, folder_sync_store};

const PASSPHRASE: &str = "correct horse battery";
const URI: &str = "otpauth://totp/Omnivox:2412345?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

/// Lists every file under the folder, as a plain platform folder listing does; writes and
/// reads through Rust's folder store.
struct ListsEverything {
    root: PathBuf,
    inner: Arc<dyn SyncStore>,
}

fn files_under(dir: &Path, name: &str, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let entry = entry.unwrap();
        let full = format!("{name}/{}", entry.file_name().to_str().unwrap());
        if entry.file_type().unwrap().is_dir() {
            files_under(&entry.path(), &full, out);
        } else {
            out.push(full);
        }
    }
}

impl SyncStore for ListsEverything {
    fn create(&self, name: String, bytes: Vec<u8>) -> Result<bool, SyncStoreError> {
        self.inner.create(name, bytes)
    }
    fn read(&self, name: String, limit: u64) -> Result<Option<Vec<u8>>, SyncStoreError> {
        self.inner.read(name, limit)
    }
    fn list(&self, prefix: String) -> Result<Vec<String>, SyncStoreError> {
        let mut names = Vec::new();
        files_under(&self.root.join(&prefix), &prefix, &mut names);
        Ok(names)
    }
    fn delete(&self, name: String) -> Result<(), SyncStoreError> {
        self.inner.delete(name)
    }
}

#[test]
fn other_programs_files_in_a_platform_folder_do_not_stop_sync() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("drive");
    std::fs::create_dir(&root).unwrap();
    let folder = root.display().to_string();
    let store = || -> Arc<dyn SyncStore> {
        Arc::new(ListsEverything {
            root: root.clone(),
            inner: folder_sync_store(folder.clone()).unwrap(),
        })
    };
    let phone = Vault::create(
        dir.path().join("phone.jeton").display().to_string(),
        PASSPHRASE.into(),
    )
    .unwrap();
    Arc::clone(&phone).accounts().add_uri(URI.into()).unwrap();
    let sync = Arc::clone(&phone).sync();
    sync.set_up(store()).unwrap();
    sync.sync(store()).unwrap();

    // What a Mac, a cloud drive and a person leave beside Jeton's files.
    let logs: Vec<PathBuf> = std::fs::read_dir(root.join("jeton-sync"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    for folder in std::iter::once(root.join("jeton-sync")).chain(logs) {
        if folder.is_dir() {
            std::fs::write(folder.join(".DS_Store"), b"mac").unwrap();
            std::fs::write(folder.join("Notes (conflicted copy).txt"), b"note").unwrap();
        }
    }
    assert!(
        store()
            .list("jeton-sync".into())
            .unwrap()
            .iter()
            .any(|name| name.ends_with(".DS_Store"))
    );

    sync.sync(store()).unwrap();
    let invitation = Arc::clone(&phone).sync().invite(folder.clone()).unwrap();
    let pairing = accept_pairing(invitation.payload, invitation.code).unwrap();
    let tablet = Vault::create(
        dir.path().join("tablet.jeton").display().to_string(),
        PASSPHRASE.into(),
    )
    .unwrap();
    let tablet_sync = Arc::clone(&tablet).sync();
    tablet_sync.join(store(), pairing).unwrap();
    let summary = tablet_sync.sync(store()).unwrap();
    assert_eq!(summary.added, 1, "{summary:?}");
}

/// Lists names that are no file of the folder, whatever the folder holds.
struct ListsOutside(Arc<dyn SyncStore>, &'static str);

impl SyncStore for ListsOutside {
    fn create(&self, name: String, bytes: Vec<u8>) -> Result<bool, SyncStoreError> {
        self.0.create(name, bytes)
    }
    fn read(&self, name: String, limit: u64) -> Result<Option<Vec<u8>>, SyncStoreError> {
        self.0.read(name, limit)
    }
    fn list(&self, prefix: String) -> Result<Vec<String>, SyncStoreError> {
        Ok(vec![self.1.replace("{prefix}", &prefix)])
    }
    fn delete(&self, name: String) -> Result<(), SyncStoreError> {
        self.0.delete(name)
    }
}

/// Skipping other programs' files does not hide a store that breaks the contract: a name
/// outside the folder, or with `..`, `.` or empty segments, is refused.
#[test]
fn a_listing_of_names_outside_the_folder_is_refused() {
    for outside in [
        "{prefix}/../../etc/passwd",
        "{prefix}/./a.op",
        "{prefix}//a.op",
        "elsewhere/a.op",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().display().to_string();
        let phone = Vault::create(
            dir.path().join("phone.jeton").display().to_string(),
            PASSPHRASE.into(),
        )
        .unwrap();
        let store: Arc<dyn SyncStore> =
            Arc::new(ListsOutside(folder_sync_store(folder).unwrap(), outside));
        let sync = Arc::clone(&phone).sync();
        sync.set_up(Arc::clone(&store)).unwrap();
        let error = sync.sync(store).unwrap_err();
        assert!(
            error.to_string().contains("invalid sync file name"),
            "{outside}: {error}"
        );
    }
}
