//! The vault's keys: the root key that the slots wrap, and the keys it seals and MACs with.
//!
//! Format 2 seals with one HKDF subkey of the root key and MACs the header with another;
//! format 1 (read, then migrated on unlock) sealed with the root key itself.

use zeroize::Zeroizing;

use super::record::{AccountId, Field};
use crate::seal::{Context, Key, MacKey, OpenError, RandomError};

/// Where in the vault a value is sealed: each place has its own associated data.
#[derive(Debug, Clone, Copy)]
pub enum Place<'a> {
    /// The canary in the header.
    Canary,
    /// The account index.
    Index,
    /// The clock correction of a format-1 vault.
    Clock,
    /// One field of one account at one revision.
    Field(&'a AccountId, u64, Field),
    /// The sync state.
    SyncState,
    /// The automatic backup setting.
    AutoBackup,
}

/// The keys of an unlocked vault, for one format.
pub struct VaultKeys {
    root: Key,
    seal: Key,
    mac: MacKey,
    format: u16,
    vault_id: [u8; 16],
}

impl VaultKeys {
    /// The keys of a vault in `format` (1 or 2) from its root key.
    pub fn new(root: Key, vault_id: [u8; 16], format: u16) -> Self {
        let (seal, mac) = if format >= 2 {
            root.subkeys(&vault_id)
        } else {
            (root.clone(), root.legacy_mac_key(b"jeton/header-mac/v1"))
        };
        Self {
            root,
            seal,
            mac,
            format,
            vault_id,
        }
    }

    /// The root key (what the slots wrap).
    pub fn root(&self) -> &Key {
        &self.root
    }

    /// The format these keys seal in.
    pub fn format(&self) -> u16 {
        self.format
    }

    fn context<'a>(&'a self, place: Place<'a>) -> Context<'a> {
        let (format, vault_id) = (self.format, &self.vault_id);
        match place {
            Place::Canary => Context::VaultCanary { format, vault_id },
            Place::Index => Context::VaultIndex { format, vault_id },
            Place::Clock => Context::VaultClock { format, vault_id },
            Place::SyncState => Context::VaultSyncState { format, vault_id },
            Place::AutoBackup => Context::VaultAutoBackup { format, vault_id },
            Place::Field(account, revision, field) => Context::VaultField {
                format,
                vault_id,
                account: account.as_bytes(),
                revision,
                field: field.tag(),
            },
        }
    }

    /// Seals `plain` for `place`.
    pub fn seal(&self, plain: &[u8], place: Place<'_>) -> Result<Vec<u8>, RandomError> {
        self.seal.seal(plain, &self.context(place))
    }

    /// Opens what [`VaultKeys::seal`] sealed for `place`.
    pub fn open(&self, sealed: &[u8], place: Place<'_>) -> Result<Zeroizing<Vec<u8>>, OpenError> {
        self.seal.open(sealed, &self.context(place))
    }

    /// The header MAC: header bytes and the index generation, so that neither a changed
    /// header nor an older index with its older MAC passes alone.
    pub fn header_mac(&self, header_bytes: &[u8], generation: u64) -> [u8; 32] {
        let mut message = header_bytes.to_vec();
        message.extend_from_slice(&generation.to_be_bytes());
        self.mac.tag(&message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_2_seals_with_a_subkey_not_the_root_key() {
        let root = Key::generate().unwrap();
        let v1 = VaultKeys::new(root.clone(), [1; 16], 1);
        let v2 = VaultKeys::new(root.clone(), [1; 16], 2);
        let sealed = v2.seal(b"x", Place::Index).unwrap();
        assert!(v2.open(&sealed, Place::Index).is_ok());
        assert!(v2.open(&sealed, Place::Canary).is_err());
        assert!(v1.open(&sealed, Place::Index).is_err());
        // Format 1 sealed with the root key itself (what migration reads).
        let old = v1.seal(b"x", Place::Index).unwrap();
        let aad = Context::VaultIndex {
            format: 1,
            vault_id: &[1; 16],
        };
        assert_eq!(root.open(&old, &aad).unwrap().as_slice(), b"x");
        assert_ne!(v1.header_mac(b"h", 1), v2.header_mac(b"h", 1));
    }
}
