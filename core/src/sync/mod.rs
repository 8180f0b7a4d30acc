//! End-to-end encrypted sync between a person's devices over storage they already have
//! (design: `docs/adr/0006-sync.md`). The sync logic is here; stores are adapters behind
//! [`store::BlobStore`].

#[cfg(any(test, feature = "test-params"))]
#[doc(hidden)]
pub mod conformance;
pub mod folder;
pub mod store;

pub use folder::FolderStore;
pub use store::{BlobStore, Created, StoreError};
