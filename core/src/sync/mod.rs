//! End-to-end encrypted sync between a person's devices over storage they already have
//! (design: `docs/adr/0006-sync.md`). The sync logic is here; stores are adapters behind
//! [`store::BlobStore`].
//!
//! ```
//! use jeton_core::sync::{self, FolderStore};
//! use jeton_core::vault::{KdfParams, Vault};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let store = FolderStore::new(dir.path()).unwrap();
//! let kdf = KdfParams::INSECURE_FAST_FOR_TESTS;
//! let mut phone = Vault::create_with_kdf(dir.path().join("phone.jeton"), "correct horse", kdf).unwrap();
//! let mut tablet = Vault::create_with_kdf(dir.path().join("tablet.jeton"), "correct horse", kdf).unwrap();
//! phone.add(jeton_core::uri::parse("otpauth://totp/Omnivox:2412345?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap()).unwrap();
//!
//! sync::init(&mut phone, &store).unwrap();
//! sync::sync(&mut phone, &store).unwrap();
//! let key = sync::key(&phone).unwrap(); // pairing carries it to the tablet
//! sync::join(&mut tablet, &store, &key).unwrap();
//! let report = sync::sync(&mut tablet, &store).unwrap();
//! assert_eq!(report.added, 1);
//! ```

#[cfg(any(test, feature = "test-params"))]
#[doc(hidden)]
pub mod conformance;
mod diff;
mod engine;
mod error;
pub mod folder;
#[cfg(any(test, feature = "test-params"))]
#[doc(hidden)]
pub mod fuzzing;
mod hlc;
mod id;
mod keys;
mod log;
mod op;
pub mod pair;
mod prune;
pub mod recovery;
mod remote;
mod snapshot;
mod state;
pub mod store;
#[cfg(feature = "webdav")]
pub mod webdav;
mod writer;

pub use engine::{
    Conflict, Exchange, Exchanged, Finished, MAX_ACCOUNTS, Setup, SyncReport, begin, finish, init,
    is_set_up, join, key, leave, sync, sync_at, sync_with,
};
pub use error::SyncError;
pub use folder::FolderStore;
pub use hlc::MAX_AHEAD_MS;
pub use keys::SyncKey;
pub use log::{MAX_FILE_BYTES, MAX_OPS_PER_FILE, VERSION};
pub use prune::Pruning;
pub use snapshot::MAX_SNAPSHOT_BYTES;
pub use store::{BlobStore, Created, StoreError};
