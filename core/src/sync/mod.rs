//! End-to-end encrypted sync between a person's devices over storage they already have
//! (design: `docs/adr/0006-sync.md`). The sync logic is here; stores are adapters behind
//! [`store::BlobStore`].

pub mod store;
#[cfg(feature = "webdav")]
pub mod webdav;

pub use store::{BlobStore, Created, StoreError};
