//! What can go wrong with a sync, in terms a user can act on.

use thiserror::Error;

use super::store::StoreError;
use crate::vault::VaultError;

/// Why a sync (or setting it up) failed. Nothing is applied to the vault when a sync fails.
#[derive(Debug, Error)]
pub enum SyncError {
    /// The store failed (unreachable, full, refused access...).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The vault failed (locked, damaged, could not write).
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// Sync is not set up on this vault.
    #[error("sync is not set up on this vault; set it up or join an existing sync first")]
    NotSetUp,
    /// Sync is already set up on this vault.
    #[error("sync is already set up on this vault")]
    AlreadySetUp,
    /// `init` found a sync already in the store.
    #[error(
        "this storage already holds a Jeton sync; join it from a device of that sync instead \
         (if no device uses it, as after a set-up that failed, remove its `jeton-sync` folder)"
    )]
    StoreInUse,
    /// The storage holds no Jeton sync (a wrong or empty folder, or a store not mounted).
    #[error(
        "this storage holds no Jeton sync; check that it is the folder or server that was set up"
    )]
    NoSyncInStore,
    /// The storage holds no recovery passphrase to join with.
    #[error(
        "this storage has no recovery passphrase; pair this device from one that syncs instead"
    )]
    NoRecovery,
    /// The recovery passphrase does not open the storage's recovery file.
    #[error("this is not the sync's recovery passphrase; check it and try again")]
    WrongRecoveryPassphrase,
    /// The sync key does not open this store.
    #[error("this sync key does not open this storage; check the key or the pairing code")]
    WrongKey,
    /// The store was made by a newer Jeton.
    #[error(
        "this storage was written by a newer Jeton (sync format {found}, this one reads {supported}); update Jeton"
    )]
    NewerVersion {
        /// The version found.
        found: u16,
        /// The newest version this build reads.
        supported: u16,
    },
    /// A device's log is older than what this device already saw: the store was restored from
    /// an old copy, or a server served an old state. Nothing was applied.
    #[error(
        "the sync storage went back in time: {0}. It may have been restored from an old copy; nothing was applied. Restore the storage or set up sync again"
    )]
    RolledBack(String),
    /// A sync file was changed, removed from the middle of a log, or does not open.
    #[error(
        "the sync storage was tampered with or damaged: {0}. Nothing was applied; check the storage"
    )]
    Tampered(String),
    /// Another sync of this device wrote at the same moment.
    #[error("another sync of this device ran at the same time; sync again")]
    Busy,
    /// A bound was passed (too many accounts, devices or files).
    #[error("the sync is too large: {0}")]
    TooLarge(String),
    /// The operating system's random generator failed.
    #[error("the system's random number generator failed")]
    Random,
}

impl SyncError {
    /// The sync state kept in the vault does not open or read back.
    pub(super) fn damaged_state() -> Self {
        Self::Vault(VaultError::Damaged(crate::vault::Damage::SyncState))
    }
}

impl From<crate::seal::RandomError> for SyncError {
    fn from(_: crate::seal::RandomError) -> Self {
        Self::Random
    }
}
