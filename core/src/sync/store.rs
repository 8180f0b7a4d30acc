//! Where sync files live: a small blob store that the user already has (a folder that a cloud
//! drive syncs, a WebDAV server, a phone's own storage through the shells). Stores only move
//! opaque, already sealed bytes; they never see a secret or an account name.
//!
//! The contract every store keeps, checked for each one by the same conformance tests:
//! - names are relative paths of `/`-separated segments made of `[a-z0-9._-]`, never empty,
//!   never `.` or `..`, at most 200 bytes ([`check_name`]);
//! - [`BlobStore::create`] writes a new file **only if no file of that name exists**, and says
//!   which happened; a file is never overwritten, so two devices can never clobber each other;
//!   a reader never sees a half-written file (a file appears whole or not at all);
//! - [`BlobStore::read`] returns `None` for a missing file;
//! - [`BlobStore::list`] returns the names under a prefix (a folder), in any order, with no
//!   partial files;
//! - [`BlobStore::delete`] removes a file, and succeeds when it is already gone.

use thiserror::Error;

/// The longest name a store must accept.
pub const MAX_NAME_LEN: usize = 200;

/// What [`BlobStore::create`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    /// The file did not exist and now holds the bytes.
    New,
    /// A file of that name already existed; it was left as it was.
    AlreadyExists,
}

/// Why a store operation failed. The messages say what to do.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StoreError {
    /// The store cannot be reached now (network down, server gone, folder unmounted): try later.
    #[error("the sync storage cannot be reached ({0}); check the connection and try again")]
    Unreachable(String),
    /// The store refused the credentials or the permission.
    #[error("the sync storage refused access ({0}); check the user name, password or permissions")]
    Denied(String),
    /// The store has no room left.
    #[error("the sync storage is full; free some space on it and sync again")]
    Full,
    /// A name that breaks the contract (a bug in the caller, or a hostile listing).
    #[error("invalid sync file name {0:?}")]
    BadName(String),
    /// A file larger than the caller's limit.
    #[error(
        "a sync file is larger than {limit} bytes; the storage may hold a foreign or damaged file"
    )]
    TooLarge {
        /// The limit that was passed.
        limit: u64,
    },
    /// Anything else the store reported.
    #[error("the sync storage failed: {0}")]
    Other(String),
}

/// A place to keep sync files. Implementations must keep the module's contract.
pub trait BlobStore: Send + Sync {
    /// Writes `bytes` under `name` if and only if no such file exists.
    fn create(&self, name: &str, bytes: &[u8]) -> Result<Created, StoreError>;
    /// Reads a whole file, refusing one larger than `limit` bytes; `None` if it does not exist.
    fn read(&self, name: &str, limit: u64) -> Result<Option<Vec<u8>>, StoreError>;
    /// The names of the files whose name starts with `prefix` followed by `/` (the prefix is a
    /// folder; an absent folder lists as empty). Names are returned whole (`prefix/...`).
    fn list(&self, prefix: &str) -> Result<Vec<String>, StoreError>;
    /// Removes a file; removing a missing file succeeds.
    fn delete(&self, name: &str) -> Result<(), StoreError>;
}

/// Checks a name against the contract.
pub fn check_name(name: &str) -> Result<(), StoreError> {
    let bad = || StoreError::BadName(name.chars().take(MAX_NAME_LEN).collect());
    if name.is_empty() || name.len() > MAX_NAME_LEN {
        return Err(bad());
    }
    for segment in name.split('/') {
        let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c);
        if segment.is_empty() || segment == "." || segment == ".." || !segment.chars().all(allowed)
        {
            return Err(bad());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_contract() {
        for good in ["a", "jeton/v1/dev-0a/0000000000000001.op", "x.y_z-1"] {
            assert_eq!(check_name(good), Ok(()), "{good}");
        }
        let long = "a".repeat(MAX_NAME_LEN + 1);
        for bad in [
            "",
            "/a",
            "a/",
            "a//b",
            "..",
            "a/../b",
            "A",
            "a b",
            "é",
            long.as_str(),
        ] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
    }
}
