//! Joining with a passphrase alone, for a lost phone: with no old device left to pair from, a
//! new device opens the sync with a recovery passphrase that a device set earlier.
//!
//! Setting the passphrase writes the sync key to the store sealed with Argon2id (64 MiB, 3
//! passes) of it, under `jeton-sync/v1/recovery/<random>.key`; setting it again writes a new
//! file and removes the others, so one passphrase opens the sync at a time. It is opt-in: the
//! store then holds something an attacker who copies it can guess at offline, so the passphrase
//! must be strong, and [`MIN_PASSPHRASE_CHARS`] is its floor as for a vault.
//!
//! File: `JRK1` | salt (16) | Argon2id memory KiB (u32 BE) | passes (u32 BE) | sealed sync key,
//! with [`Context::SyncRecovery`] binding the version and salt (the costs are bound too, since
//! they change the key).

use super::engine::join;
use super::error::SyncError;
use super::id::Id;
use super::keys::SyncKey;
use super::log::{FORMAT_FILE, LOGS, check_format};
use super::store::{BlobStore, Created};
use crate::seal::code::{self, CodeError};
use crate::seal::{Context, KdfParams};
use crate::vault::{MIN_PASSPHRASE_CHARS, Vault, VaultError};

const MAGIC: &[u8; 4] = b"JRK1";
const VERSION: u8 = 1;
const MAX_FILE: u64 = 512;
/// The most recovery files tried: each costs an Argon2id.
const MAX_TRIED: usize = 4;

fn folder() -> String {
    format!("{LOGS}/recovery")
}

/// The recovery files on `store`: `<id>.key` names only, so what other programs leave in the
/// folder (a Mac's `._` companion, a sync client's download in progress) is never taken for one.
fn files(store: &dyn BlobStore) -> Result<Vec<String>, SyncError> {
    let mut names = store.list(&folder())?;
    names.retain(|name| {
        name.rsplit_once('/')
            .and_then(|(_, file)| file.strip_suffix(".key"))
            .and_then(Id::from_hex)
            .is_some()
    });
    names.sort();
    Ok(names)
}

/// Seals the sync `key` (from [`super::key`]) on `store` with `passphrase`, replacing any
/// recovery passphrase set before (by this device or another). A store that holds no sync, or
/// another sync (its marker does not open with `key`), is refused and left untouched.
pub fn set_passphrase(
    key: &SyncKey,
    store: &dyn BlobStore,
    passphrase: &str,
) -> Result<(), SyncError> {
    set_passphrase_with(key, store, passphrase, KdfParams::DEFAULT)
}

/// [`set_passphrase`] with chosen Argon2id costs (tests use cheap ones).
#[doc(hidden)]
pub fn set_passphrase_with(
    key: &SyncKey,
    store: &dyn BlobStore,
    passphrase: &str,
    kdf: KdfParams,
) -> Result<(), SyncError> {
    let chars = passphrase.chars().count();
    if chars < MIN_PASSPHRASE_CHARS {
        return Err(VaultError::PassphraseTooShort {
            chars,
            min: MIN_PASSPHRASE_CHARS,
        }
        .into());
    }
    kdf.check_chosen()
        .map_err(|e| SyncError::Vault(VaultError::Kdf(e)))?;
    // The store must hold this sync: set on another sync's store, the old recovery (which
    // works) would be replaced by one that opens nothing there.
    let marker = store
        .read(FORMAT_FILE, 4096)?
        .ok_or(SyncError::NoSyncInStore)?;
    check_format(&marker, Some(&key.derive()))?;
    let before = files(store)?;
    let sealed = code::seal_with_passphrase(key.expose(), passphrase, kdf, context)
        .map_err(|_| SyncError::Random)?;
    let mut file = MAGIC.to_vec();
    file.extend_from_slice(&sealed);
    let name = format!("{}/{}.key", folder(), Id::random()?.hex());
    match store.create(&name, &file)? {
        Created::New => {}
        Created::AlreadyExists => return Err(SyncError::Busy),
    }
    // The new file is whole before the old ones go: a failure here leaves two passphrases
    // that work, never none.
    for old in before {
        store.delete(&old)?;
    }
    Ok(())
}

/// Removes every recovery passphrase from `store`: from now on only pairing adds a device.
pub fn remove_passphrase(store: &dyn BlobStore) -> Result<(), SyncError> {
    for name in files(store)? {
        store.delete(&name)?;
    }
    Ok(())
}

/// Whether `store` holds a recovery passphrase.
pub fn has_passphrase(store: &dyn BlobStore) -> Result<bool, SyncError> {
    Ok(!files(store)?.is_empty())
}

/// Joins the sync on `store` with its recovery passphrase, as a new device ([`open`], then
/// [`super::join`]). Then call [`super::sync`].
pub fn join_with_passphrase(
    vault: &mut Vault,
    store: &dyn BlobStore,
    passphrase: &str,
) -> Result<(), SyncError> {
    let key = open(store, passphrase)?;
    join(vault, store, &key)
}

/// The sync key that `passphrase` opens on `store` (Argon2id per file tried, at most four).
pub fn open(store: &dyn BlobStore, passphrase: &str) -> Result<SyncKey, SyncError> {
    let names = files(store)?;
    if names.is_empty() {
        return Err(SyncError::NoRecovery);
    }
    // A damaged file does not hide a good one beside it (two are there while a passphrase is
    // being replaced); it is reported only when no file opens.
    let mut damaged = None;
    for name in names.iter().take(MAX_TRIED) {
        let Some(file) = store.read(name, MAX_FILE)? else {
            continue; // replaced meanwhile
        };
        match open_file(&file, passphrase) {
            Ok(Some(key)) => return Ok(key),
            Ok(None) => {}
            Err(error) => damaged = Some(error),
        }
    }
    Err(damaged.unwrap_or(SyncError::WrongRecoveryPassphrase))
}

fn context(salt: &[u8]) -> Context<'_> {
    Context::SyncRecovery {
        version: VERSION,
        salt,
    }
}

/// The sync key in one recovery file, `None` if the passphrase does not open it.
fn open_file(file: &[u8], passphrase: &str) -> Result<Option<SyncKey>, SyncError> {
    let bad = || SyncError::Tampered("a recovery file is not one Jeton writes".to_owned());
    let body = file.strip_prefix(MAGIC.as_slice()).ok_or_else(bad)?;
    match code::open_with_passphrase(body, passphrase, context) {
        Ok(plain) => SyncKey::from_bytes(&plain).map(Some).ok_or_else(bad),
        Err(CodeError::WrongCode) => Ok(None),
        Err(CodeError::Malformed | CodeError::Random) => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn a_file_from_a_foreign_source_is_refused_before_any_kdf() {
        // 1 GiB + 1 KiB of memory: above the ceiling, refused without allocating.
        let mut file = MAGIC.to_vec();
        file.extend_from_slice(&[0u8; 16]);
        file.extend_from_slice(&((1u32 << 20) + 1).to_be_bytes());
        file.extend_from_slice(&3u32.to_be_bytes());
        file.extend_from_slice(&[0u8; 72]);
        assert!(matches!(
            open_file(&file, "correct horse"),
            Err(SyncError::Tampered(_))
        ));
        assert!(matches!(
            open_file(b"JRK", "correct horse"),
            Err(SyncError::Tampered(_))
        ));
    }
}
