//! Sync, as Kotlin and Swift see it: [`VaultSync`] (from [`Vault::sync`]) sets sync up,
//! joins it, runs it and pairs new devices; the store is a [`SyncStore`], which the platforms
//! implement over their own storage (Android's Storage Access Framework, iCloud Drive) or take
//! from Rust ([`folder_sync_store`], [`webdav_sync_store`]). The sync logic and every key stay
//! in Rust: a pairing's sync key crosses only sealed, inside the QR code's text.
//!
//! Calls block while they read and write the store; the shells run them off the main thread
//! (Kotlin `suspend`, Swift `async`). The vault is held only while a call copies from it or
//! commits to it, never during the store's calls: codes keep coming while a sync waits on the
//! network, and a store that calls back into the vault does not deadlock.

use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use jeton_core::sync::pair;
use jeton_core::sync::recovery;
use jeton_core::sync::{self as core_sync, BlobStore, Created, FolderStore, StoreError, SyncKey};
use jeton_core::vault::{Stamp, VaultError};
use zeroize::Zeroizing;

use crate::error::{JetonError, guard};
use crate::vault::Vault;

/// Why a store operation failed. Thrown by platform stores; the sync stops, applies nothing,
/// and the next sync retries.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum SyncStoreError {
    /// The storage cannot be reached now (offline, server down, folder not mounted).
    #[error("the sync storage cannot be reached ({reason})")]
    Unreachable {
        /// What the platform said.
        reason: String,
    },
    /// The storage refused the credentials or the permission.
    #[error("the sync storage refused access ({reason})")]
    Denied {
        /// What the platform said.
        reason: String,
    },
    /// The storage has no room left.
    #[error("the sync storage is full")]
    Full,
    /// A file is larger than the `limit` the caller passed.
    #[error("a sync file is larger than {limit} bytes")]
    TooLarge {
        /// The limit that was passed.
        limit: u64,
    },
    /// A name outside the store contract (see [`SyncStore`]).
    #[error("invalid sync file name {name:?}")]
    BadName {
        /// The name.
        name: String,
    },
    /// Anything else, in the platform's words.
    #[error("the sync storage failed: {reason}")]
    Other {
        /// What the platform said.
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for SyncStoreError {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Other {
            reason: error.reason,
        }
    }
}

/// Where sync files live: four operations on opaque, already sealed files. The contract, kept
/// by every store (Rust's are checked by the core's conformance tests):
/// - names are `/`-separated segments of `[a-z0-9._-]`, at most 200 bytes;
/// - `create` writes a file only if none of that name exists (never overwrites) and returns
///   whether it wrote; a reader never sees a half-written file;
/// - `read` returns null / nil for a missing file and refuses one larger than `limit`;
/// - `list` returns the whole names of the files under the folder `prefix` (any order, an
///   absent folder lists as empty; names Jeton never writes, other programs' files, are
///   skipped, so a plain folder listing will do);
/// - `delete` succeeds when the file is already gone.
#[uniffi::export(with_foreign)]
pub trait SyncStore: Send + Sync {
    /// Writes `bytes` under `name` if no such file exists; `true` if it wrote, `false` if a
    /// file of that name was already there (left as it was).
    fn create(&self, name: String, bytes: Vec<u8>) -> Result<bool, SyncStoreError>;
    /// The whole file, or none if it does not exist; [`SyncStoreError::TooLarge`] beyond `limit`.
    fn read(&self, name: String, limit: u64) -> Result<Option<Vec<u8>>, SyncStoreError>;
    /// The names of the files under the folder `prefix`, whole (`prefix/...`).
    fn list(&self, prefix: String) -> Result<Vec<String>, SyncStoreError>;
    /// Removes a file; a missing file is not an error.
    fn delete(&self, name: String) -> Result<(), SyncStoreError>;
}

/// A store written in Rust, offered to the platforms as a [`SyncStore`].
struct NativeStore(Box<dyn BlobStore>);

impl SyncStore for NativeStore {
    fn create(&self, name: String, bytes: Vec<u8>) -> Result<bool, SyncStoreError> {
        Ok(self.0.create(&name, &bytes).map_err(to_platform)? == Created::New)
    }

    fn read(&self, name: String, limit: u64) -> Result<Option<Vec<u8>>, SyncStoreError> {
        self.0.read(&name, limit).map_err(to_platform)
    }

    fn list(&self, prefix: String) -> Result<Vec<String>, SyncStoreError> {
        self.0.list(&prefix).map_err(to_platform)
    }

    fn delete(&self, name: String) -> Result<(), SyncStoreError> {
        self.0.delete(&name).map_err(to_platform)
    }
}

/// Any [`SyncStore`] (a platform's or a Rust one) seen as the core's. Names and sizes that come
/// back from the platform are checked here, so a careless store cannot break the contract.
struct Store(Arc<dyn SyncStore>);

impl BlobStore for Store {
    fn create(&self, name: &str, bytes: &[u8]) -> Result<Created, StoreError> {
        core_sync::store::check_name(name)?;
        match self.0.create(name.to_owned(), bytes.to_vec()) {
            Ok(true) => Ok(Created::New),
            Ok(false) => Ok(Created::AlreadyExists),
            Err(e) => Err(to_core(e)),
        }
    }

    fn read(&self, name: &str, limit: u64) -> Result<Option<Vec<u8>>, StoreError> {
        core_sync::store::check_name(name)?;
        let bytes = self.0.read(name.to_owned(), limit).map_err(to_core)?;
        match bytes {
            Some(b) if u64::try_from(b.len()).unwrap_or(u64::MAX) > limit => {
                Err(StoreError::TooLarge { limit })
            }
            other => Ok(other),
        }
    }

    fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        core_sync::store::check_name(prefix)?;
        let names = self.0.list(prefix.to_owned()).map_err(to_core)?;
        let folder = format!("{prefix}/");
        let mut kept = Vec::with_capacity(names.len());
        for name in names {
            // A name outside the folder, or with an empty, `.` or `..` segment, is no file of
            // it: the store breaks the contract.
            let inside = name.starts_with(&folder)
                && name
                    .split('/')
                    .all(|segment| !matches!(segment, "" | "." | ".."));
            if !inside {
                return Err(StoreError::BadName(name));
            }
            // What other programs leave in the folder (a Mac's `.DS_Store`, a cloud drive's
            // conflict copy) is not part of the store, as in Rust's own stores.
            if core_sync::store::check_name(&name).is_ok() {
                kept.push(name);
            }
        }
        Ok(kept)
    }

    fn delete(&self, name: &str) -> Result<(), StoreError> {
        core_sync::store::check_name(name)?;
        self.0.delete(name.to_owned()).map_err(to_core)
    }
}

fn to_platform(error: StoreError) -> SyncStoreError {
    match error {
        StoreError::Unreachable(reason) => SyncStoreError::Unreachable { reason },
        StoreError::Denied(reason) => SyncStoreError::Denied { reason },
        StoreError::Full => SyncStoreError::Full,
        StoreError::BadName(name) => SyncStoreError::BadName { name },
        StoreError::TooLarge { limit } => SyncStoreError::TooLarge { limit },
        StoreError::Other(reason) => SyncStoreError::Other { reason },
    }
}

fn to_core(error: SyncStoreError) -> StoreError {
    match error {
        SyncStoreError::Unreachable { reason } => StoreError::Unreachable(reason),
        SyncStoreError::Denied { reason } => StoreError::Denied(reason),
        SyncStoreError::Full => StoreError::Full,
        SyncStoreError::BadName { name } => StoreError::BadName(name),
        SyncStoreError::TooLarge { limit } => StoreError::TooLarge { limit },
        SyncStoreError::Other { reason } => StoreError::Other(reason),
    }
}

/// A store in a folder on this device (one that a cloud drive keeps in sync, or app storage).
/// The folder must exist: a missing one is an unreachable store, never an empty one.
#[uniffi::export]
pub fn folder_sync_store(path: String) -> Result<Arc<dyn SyncStore>, JetonError> {
    guard(|| {
        let store = FolderStore::new(&path).map_err(core_sync::SyncError::from)?;
        Ok(Arc::new(NativeStore(Box::new(store))) as Arc<dyn SyncStore>)
    })
}

/// A store in a WebDAV folder (Nextcloud, ownCloud, most personal clouds): `url` is `https://`
/// (plain `http://` only to this device), with the user name in it or none; `password` as the
/// server wants it (an app password for Nextcloud).
#[uniffi::export]
pub fn webdav_sync_store(
    url: String,
    password: Option<String>,
) -> Result<Arc<dyn SyncStore>, JetonError> {
    guard(|| {
        let password = password.map(Zeroizing::new);
        let store =
            core_sync::webdav::WebDavStore::new(&url, password.as_deref().map(|p| p.as_str()))?;
        Ok(Arc::new(NativeStore(Box::new(store))) as Arc<dyn SyncStore>)
    })
}

/// What one sync did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncSummary {
    /// Changes this device sent.
    pub sent: u32,
    /// Changes received from the other devices.
    pub received: u32,
    /// Accounts added to this vault.
    pub added: u32,
    /// Accounts of this vault changed.
    pub updated: u32,
    /// Accounts removed from this vault.
    pub removed: u32,
    /// Accounts edited on two devices at once, each as `kept` / `lost` labels: the newer edit
    /// was kept; show the user the other.
    pub conflicts: Vec<SyncConflict>,
    /// Accounts from a newer Jeton that this one cannot show yet (kept for later).
    pub skipped: u32,
    /// Devices writing to the store.
    pub devices: u32,
}

/// An account edited on two devices at once.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SyncConflict {
    /// The account's id in this vault, if it still exists.
    pub account: Option<String>,
    /// The label of the version kept.
    pub kept: String,
    /// The label of the version that lost.
    pub lost: String,
}

/// A count for the platforms (saturating: counts this large do not occur).
pub(crate) fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl From<core_sync::SyncReport> for SyncSummary {
    fn from(report: core_sync::SyncReport) -> Self {
        Self {
            sent: count(report.sent),
            received: count(report.received),
            added: count(report.added),
            updated: count(report.updated),
            removed: count(report.removed),
            conflicts: report
                .conflicts
                .into_iter()
                .map(|c| SyncConflict {
                    account: c.account.map(|id| id.to_string()),
                    kept: c.kept,
                    lost: c.lost,
                })
                .collect(),
            skipped: count(report.skipped),
            devices: count(report.devices),
        }
    }
}

/// A pairing invitation to show on the device that syncs: draw `payload` as a QR code and show
/// `code` beside it. Valid ten minutes.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct PairingInvitation {
    /// The QR code's text (`JETON-PAIR:1:...`).
    pub payload: String,
    /// The code the new device asks for (`ABCDE-FGHIJ`).
    pub code: String,
}

impl std::fmt::Debug for PairingInvitation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PairingInvitation")
            .field("code", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// An invitation opened with its code ([`accept_pairing`]): it holds the sync key (which stays
/// in Rust) and says which store to open; pass it to [`VaultSync::join`].
#[derive(uniffi::Object)]
pub struct Pairing {
    key: Mutex<Option<SyncKey>>,
    store: String,
}

impl std::fmt::Debug for Pairing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pairing")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

#[uniffi::export]
impl Pairing {
    /// The store's address as the inviting device uses it (a folder, a WebDAV URL, or what its
    /// platform store calls it): open the same store here.
    pub fn store_address(&self) -> String {
        self.store.clone()
    }
}

/// Opens a scanned pairing QR code with the code the user typed (Argon2id: takes a moment).
#[uniffi::export]
pub fn accept_pairing(payload: String, code: String) -> Result<Arc<Pairing>, JetonError> {
    guard(|| {
        let code = Zeroizing::new(code);
        let pairing = pair::accept(&payload, &code, now_secs())?;
        Ok(Arc::new(Pairing {
            key: Mutex::new(Some(pairing.key)),
            store: pairing.store,
        }))
    })
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The wall clock, in Unix seconds.
pub(crate) fn now_secs() -> u64 {
    now_ms() / 1000
}

/// Sync of a [`Vault`] with the person's other devices (from [`Vault::sync`]).
#[derive(Debug, uniffi::Object)]
pub struct VaultSync {
    vault: Arc<Vault>,
}

impl VaultSync {
    pub(crate) fn new(vault: Arc<Vault>) -> Self {
        Self { vault }
    }

    /// Where the vault stands, refused if sync is set up already (checked again on adopting).
    fn unset_stamp(&self) -> Result<Stamp, JetonError> {
        let vault = self.vault.session()?;
        if core_sync::is_set_up(&vault)? {
            return Err(core_sync::SyncError::AlreadySetUp.into());
        }
        Ok(vault.stamp()?)
    }

    /// The sync key, read under the vault's lock and used after it is released.
    fn key(&self) -> Result<SyncKey, JetonError> {
        let vault = self.vault.session()?;
        Ok(core_sync::key(&vault)?)
    }
}

#[uniffi::export]
impl VaultSync {
    /// Whether this vault is set up to sync.
    pub fn is_set_up(&self) -> Result<bool, JetonError> {
        guard(|| {
            let vault = self.vault.session()?;
            Ok(core_sync::is_set_up(&vault)?)
        })
    }

    /// Sets up a new sync on `store`, with this vault as its first device; then call
    /// [`sync`](VaultSync::sync). (The core's `sync::init`; `init` is reserved in Swift.)
    pub fn set_up(&self, store: Arc<dyn SyncStore>) -> Result<(), JetonError> {
        guard(|| {
            let store = Store(store);
            let since = self.unset_stamp()?;
            let setup = core_sync::Setup::start(&store)?;
            let adopted = setup.adopt(&mut *self.vault.session()?, since);
            Ok(adopted.map_err(|e| setup.abandon(&store, e))?)
        })
    }

    /// Joins the sync that `pairing` opens, on `store` (the store it names); then call
    /// [`sync`](VaultSync::sync). A pairing joins once.
    pub fn join(&self, store: Arc<dyn SyncStore>, pairing: Arc<Pairing>) -> Result<(), JetonError> {
        guard(|| {
            let since = self.unset_stamp()?;
            let mut slot = pairing.key.lock().map_err(|_| {
                JetonError::Internal("an earlier call failed with this pairing".to_owned())
            })?;
            let key = slot.take().ok_or_else(|| {
                JetonError::Pairing("this pairing was used already; scan the QR code again".into())
            })?;
            let joined = || -> Result<(), JetonError> {
                let setup = core_sync::Setup::join(&Store(store), &key)?;
                Ok(setup.adopt(&mut *self.vault.session()?, since)?)
            };
            let joined = joined();
            if joined.is_err() {
                // A failed join (store unreachable, wrong store) may be retried with the same
                // scan.
                *slot = Some(key);
            }
            joined
        })
    }

    /// Sends this vault's changes and applies the other devices', in one transaction: nothing
    /// is applied when it fails.
    pub fn sync(&self, store: Arc<dyn SyncStore>) -> Result<SyncSummary, JetonError> {
        self.sync_at(store, now_ms())
    }

    /// [`sync`](VaultSync::sync) at `unix_millis` (for tests: the device clock).
    pub fn sync_at(
        &self,
        store: Arc<dyn SyncStore>,
        unix_millis: u64,
    ) -> Result<SyncSummary, JetonError> {
        guard(|| {
            let store = Store(store);
            let pruning = core_sync::Pruning::default();
            // The vault is held only to copy from it and to commit: the store's calls (the
            // network, or the platform's code) run without it. A vault written in between
            // (an account added meanwhile) refuses the commit; the sync then runs again, and
            // reads the files it wrote back as its own history.
            let mut attempts = 0;
            loop {
                let exchange = core_sync::begin(&*self.vault.session()?)?;
                let exchanged = exchange.run(&store, unix_millis, &pruning)?;
                let finished = core_sync::finish(&mut *self.vault.session()?, exchanged);
                match finished {
                    Ok(finished) => return Ok(finished.prune(&store).into()),
                    Err(core_sync::SyncError::Vault(VaultError::ChangedElsewhere))
                        if attempts < 3 =>
                    {
                        attempts += 1;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        })
    }

    /// An invitation for a new device, carrying the sync key and `store_address` (what the new
    /// device opens), sealed with the code shown beside it (Argon2id: takes a moment).
    pub fn invite(&self, store_address: String) -> Result<PairingInvitation, JetonError> {
        guard(|| {
            let key = self.key()?;
            let invitation = pair::invite(&key, &store_address, now_secs())?;
            Ok(PairingInvitation {
                payload: invitation.payload,
                code: invitation.code.to_string(),
            })
        })
    }

    /// Lets a new device join with `passphrase` alone, for when this phone is lost: seals the
    /// sync key on `store` with it (Argon2id), replacing the one set before. The store then
    /// holds something an attacker with a copy can guess at: ask for a strong passphrase.
    pub fn set_recovery_passphrase(
        &self,
        store: Arc<dyn SyncStore>,
        passphrase: String,
    ) -> Result<(), JetonError> {
        guard(|| {
            let passphrase = Zeroizing::new(passphrase);
            let key = self.key()?;
            // Argon2id and the store's I/O run without holding the vault.
            Ok(recovery::set_passphrase(&key, &Store(store), &passphrase)?)
        })
    }

    /// Joins the sync on `store` with its recovery passphrase (no other device needed); then
    /// call [`sync`](VaultSync::sync). `WrongPassphrase` when it does not open the sync.
    pub fn join_with_passphrase(
        &self,
        store: Arc<dyn SyncStore>,
        passphrase: String,
    ) -> Result<(), JetonError> {
        guard(|| {
            let passphrase = Zeroizing::new(passphrase);
            let store = Store(store);
            let since = self.unset_stamp()?;
            let key = recovery::open(&store, &passphrase)?;
            let setup = core_sync::Setup::join(&store, &key)?;
            Ok(setup.adopt(&mut *self.vault.session()?, since)?)
        })
    }

    /// This device leaves the sync; its accounts stay in the vault.
    pub fn leave(&self) -> Result<(), JetonError> {
        guard(|| {
            let mut vault = self.vault.session()?;
            Ok(core_sync::leave(&mut vault)?)
        })
    }
}
