//! [`FolderStore`]: a local folder as a [`BlobStore`] — the folder that Syncthing, iCloud Drive,
//! Google Drive or a USB stick carries between devices.
//!
//! A file is created whole or not at all and never replaced: the bytes go to a temporary file in
//! the same folder (named so that it is never a valid store name, hence never listed), are
//! flushed to disk, then hard-linked to the final name, which fails if that name exists; the
//! temporary name is then removed. Files are readable by their owner only (0600). On a
//! filesystem without hard links the final name is created exclusively and written in place.

use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

use super::store::{BlobStore, Created, StoreError, check_name};

/// A folder holding sync files.
#[derive(Debug, Clone)]
pub struct FolderStore {
    root: PathBuf,
}

impl FolderStore {
    /// A store in the existing folder `root`.
    pub fn new(root: impl AsRef<Path>) -> Result<Self, StoreError> {
        let root = root.as_ref().to_path_buf();
        if !root.is_dir() {
            return Err(StoreError::Unreachable(format!(
                "{} is not a folder",
                root.display()
            )));
        }
        Ok(Self { root })
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn reachable(&self) -> Result<(), StoreError> {
        if self.root.is_dir() {
            Ok(())
        } else {
            Err(StoreError::Unreachable(format!(
                "the folder {} is gone",
                self.root.display()
            )))
        }
    }

    fn path(&self, name: &str) -> Result<PathBuf, StoreError> {
        check_name(name)?;
        self.reachable()?;
        Ok(name.split('/').fold(self.root.clone(), |p, s| p.join(s)))
    }
}

/// Maps an I/O error to the store's terms.
fn io_error(e: &std::io::Error) -> StoreError {
    // ENOSPC and EDQUOT (Linux 28 and 122; macOS 28 and 69).
    let full = matches!(e.kind(), ErrorKind::StorageFull | ErrorKind::QuotaExceeded)
        || matches!(e.raw_os_error(), Some(28));
    if full {
        StoreError::Full
    } else if e.kind() == ErrorKind::PermissionDenied {
        StoreError::Denied(e.to_string())
    } else {
        StoreError::Other(e.to_string())
    }
}

fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

fn private_dirs(path: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(path)
}

/// A temporary name that no valid store name can equal (`~` is outside the name alphabet).
fn temp_name(final_path: &Path) -> Result<PathBuf, StoreError> {
    let mut random = [0u8; 12];
    crate::seal::fill_random(&mut random)
        .map_err(|_| StoreError::Other("no randomness for a temporary name".into()))?;
    let name = format!("~tmp-{}", data_encoding::HEXLOWER.encode(&random));
    Ok(final_path.with_file_name(name))
}

/// Whether a hard link failed because the filesystem has none.
fn no_hard_links(e: &std::io::Error) -> bool {
    // EPERM (1) is what Linux's vfat and exfat answer; EOPNOTSUPP (95) some FUSE mounts; on
    // Apple's systems ENOTSUP (45) and EOPNOTSUPP (102).
    #[cfg(any(target_os = "macos", target_os = "ios"))]
    const UNSUPPORTED: [i32; 3] = [1, 45, 102];
    #[cfg(not(any(target_os = "macos", target_os = "ios")))]
    const UNSUPPORTED: [i32; 2] = [1, 95];
    e.kind() == ErrorKind::Unsupported
        || e.raw_os_error()
            .is_some_and(|code| UNSUPPORTED.contains(&code))
}

/// The new name must survive a power cut too: flush the folder's entry.
fn sync_parent(path: &Path) {
    #[cfg(unix)]
    if let Some(parent) = path.parent()
        && let Ok(dir) = std::fs::File::open(parent)
    {
        let _ = dir.sync_all();
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Creates the final name exclusively and writes it there.
fn create_in_place(path: &Path, bytes: &[u8]) -> Result<Created, StoreError> {
    let mut file = match private_file(path) {
        Ok(file) => file,
        Err(e) if e.kind() == ErrorKind::AlreadyExists => return Ok(Created::AlreadyExists),
        Err(e) => return Err(io_error(&e)),
    };
    if let Err(e) = file.write_all(bytes).and_then(|()| file.sync_all()) {
        drop(file);
        let _ = std::fs::remove_file(path);
        return Err(io_error(&e));
    }
    sync_parent(path);
    Ok(Created::New)
}

impl BlobStore for FolderStore {
    fn create(&self, name: &str, bytes: &[u8]) -> Result<Created, StoreError> {
        let path = self.path(name)?;
        if let Some(parent) = path.parent() {
            private_dirs(parent).map_err(|e| io_error(&e))?;
        }
        let temp = temp_name(&path)?;
        let written = private_file(&temp).and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        });
        if let Err(e) = written {
            let _ = std::fs::remove_file(&temp);
            return Err(io_error(&e));
        }
        let linked = std::fs::hard_link(&temp, &path);
        let _ = std::fs::remove_file(&temp);
        match linked {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::AlreadyExists => return Ok(Created::AlreadyExists),
            // Filesystems without hard links (FAT on a USB stick, some cloud drives' FUSE
            // mounts): exclusive creation of the final name still never overwrites, but a
            // reader could see the file before it is whole (it then fails to open, and the
            // next sync reads it whole).
            Err(e) if no_hard_links(&e) => return create_in_place(&path, bytes),
            Err(e) => return Err(io_error(&e)),
        }
        sync_parent(&path);
        Ok(Created::New)
    }

    fn read(&self, name: &str, limit: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let path = self.path(name)?;
        let file = match std::fs::File::open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error(&e)),
        };
        let mut bytes = Vec::new();
        file.take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| io_error(&e))?;
        if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
            return Err(StoreError::TooLarge { limit });
        }
        Ok(Some(bytes))
    }

    fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        let dir = self.path(prefix)?;
        let mut names = Vec::new();
        let mut pending = vec![(dir, prefix.to_owned())];
        while let Some((dir, name)) = pending.pop() {
            let entries = match std::fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(e) if e.kind() == ErrorKind::NotFound => continue,
                Err(e) => return Err(io_error(&e)),
            };
            for entry in entries {
                let entry = entry.map_err(|e| io_error(&e))?;
                let Some(file_name) = entry.file_name().to_str().map(str::to_owned) else {
                    continue;
                };
                let full = format!("{name}/{file_name}");
                // Temporary files and foreign names (a cloud drive's conflict copies) are
                // not part of the store.
                if check_name(&full).is_err() {
                    continue;
                }
                let kind = match entry.file_type() {
                    Ok(kind) => kind,
                    // Removed since the folder was read (pruned by another device; some network
                    // and FUSE file systems look the type up apart).
                    Err(e) if e.kind() == ErrorKind::NotFound => continue,
                    Err(e) => return Err(io_error(&e)),
                };
                if kind.is_dir() {
                    pending.push((entry.path(), full));
                } else if kind.is_file() {
                    names.push(full);
                }
            }
        }
        Ok(names)
    }

    fn delete(&self, name: &str) -> Result<(), StoreError> {
        let path = self.path(name)?;
        match std::fs::remove_file(path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io_error(&e)),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn folder_store_keeps_the_contract() {
        let dir = tempfile::tempdir().unwrap();
        let store = FolderStore::new(dir.path()).unwrap();
        super::super::conformance::check(&store);
        super::super::conformance::race(&store);
    }

    #[test]
    fn files_are_private_and_temporary_files_are_not_listed() {
        let dir = tempfile::tempdir().unwrap();
        let store = FolderStore::new(dir.path()).unwrap();
        store.create("a/b.op", b"x").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("a/b.op"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(dir.path().join("a/~tmp-0123"), b"half").unwrap();
        std::fs::write(dir.path().join("a/B (conflicted copy).op"), b"x").unwrap();
        assert_eq!(store.list("a").unwrap(), vec!["a/b.op".to_owned()]);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path().join("a"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            leftovers.len(),
            3,
            "no temporary file of ours is left behind"
        );
    }

    #[test]
    fn a_missing_folder_is_unreachable() {
        let dir = tempfile::tempdir().unwrap();
        let gone = dir.path().join("gone");
        assert!(matches!(
            FolderStore::new(&gone),
            Err(StoreError::Unreachable(_))
        ));
        std::fs::create_dir(&gone).unwrap();
        let store = FolderStore::new(&gone).unwrap();
        std::fs::remove_dir(&gone).unwrap();
        assert!(matches!(
            store.create("a", b"x"),
            Err(StoreError::Unreachable(_))
        ));
        assert!(matches!(store.list("a"), Err(StoreError::Unreachable(_))));
    }

    #[test]
    fn in_place_creation_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        assert_eq!(create_in_place(&path, b"one"), Ok(Created::New));
        assert_eq!(create_in_place(&path, b"two"), Ok(Created::AlreadyExists));
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        assert!(no_hard_links(&std::io::Error::from_raw_os_error(1)));
        assert!(!no_hard_links(&std::io::Error::from(
            ErrorKind::AlreadyExists
        )));
    }

    #[test]
    fn a_full_disk_is_full() {
        let e = std::io::Error::from_raw_os_error(28);
        assert_eq!(io_error(&e), StoreError::Full);
        let e = std::io::Error::from(ErrorKind::PermissionDenied);
        assert!(matches!(io_error(&e), StoreError::Denied(_)));
    }
}
