//! The vault header: format version, vault id, the canary and the key slots, in one canonical
//! byte string that is checksummed (corruption) and MACed under the vault key (tampering).

use super::keyslot::{KeySlot, SALT_LEN};
use super::wire::{Malformed, Reader, Writer};
use crate::seal::KdfParams;

/// First bytes of every header.
pub const MAGIC: &[u8; 8] = b"JETONVLT";
/// The header and sealed-field format this code writes. Format 2 seals with an HKDF subkey of
/// the vault key, MACs with another, and keeps the clock correction in the account index;
/// format 1 (sealing and MACs under the vault key itself) is still read, and migrated to
/// format 2 on unlock.
pub const FORMAT: u16 = 2;
/// The oldest format this code reads.
pub const OLDEST_FORMAT: u16 = 1;

const SLOT_PASSPHRASE: u8 = 1;
const SLOT_PLATFORM: u8 = 2;

/// The decoded header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Format version ([`FORMAT`]).
    pub format: u16,
    /// Random id of this vault, bound into every seal.
    pub vault_id: [u8; 16],
    /// A known value sealed under the vault key: opens only with the right key.
    pub canary: Vec<u8>,
    /// The ways to recover the vault key.
    pub slots: Vec<KeySlot>,
}

/// Why header bytes could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeaderError {
    /// Not a Jeton header at all.
    NotAVault,
    /// A later format.
    Newer(u16),
    /// The bytes are malformed.
    Malformed,
}

impl From<Malformed> for HeaderError {
    fn from(_: Malformed) -> Self {
        Self::Malformed
    }
}

impl Header {
    /// The canonical encoding.
    pub fn encode(&self) -> Vec<u8> {
        let mut w = Writer::default();
        w.raw(MAGIC)
            .u16(self.format)
            .raw(&self.vault_id)
            .bytes(&self.canary);
        w.u8(self.slots.len().min(usize::from(u8::MAX)) as u8);
        for slot in self.slots.iter().take(usize::from(u8::MAX)) {
            match slot {
                KeySlot::Passphrase { kdf, salt, wrapped } => {
                    w.u8(SLOT_PASSPHRASE)
                        .u32(kdf.memory_kib)
                        .u32(kdf.iterations)
                        .u32(kdf.parallelism)
                        .raw(salt)
                        .bytes(wrapped);
                }
                KeySlot::Platform { wrapped } => {
                    w.u8(SLOT_PLATFORM).bytes(wrapped);
                }
            }
        }
        w.0
    }

    /// Reads the canonical encoding.
    pub fn decode(bytes: &[u8]) -> Result<Self, HeaderError> {
        let mut r = Reader::new(bytes);
        if r.raw(MAGIC.len()).map_err(|_| HeaderError::NotAVault)? != MAGIC {
            return Err(HeaderError::NotAVault);
        }
        let format = r.u16()?;
        if format > FORMAT {
            return Err(HeaderError::Newer(format));
        }
        if format < OLDEST_FORMAT {
            return Err(HeaderError::Malformed);
        }
        let vault_id = r.array()?;
        let canary = r.bytes()?.to_vec();
        let count = r.u8()?;
        let mut slots = Vec::with_capacity(usize::from(count));
        for _ in 0..count {
            let slot = match r.u8()? {
                SLOT_PASSPHRASE => {
                    let kdf = KdfParams {
                        memory_kib: r.u32()?,
                        iterations: r.u32()?,
                        parallelism: r.u32()?,
                    };
                    let salt: [u8; SALT_LEN] = r.array()?;
                    KeySlot::Passphrase {
                        kdf,
                        salt,
                        wrapped: r.bytes()?.to_vec(),
                    }
                }
                SLOT_PLATFORM => KeySlot::Platform {
                    wrapped: r.bytes()?.to_vec(),
                },
                _ => return Err(HeaderError::Malformed),
            };
            slots.push(slot);
        }
        r.finish()?;
        // The code writes one passphrase slot; more would each cost a full Argon2 run on unlock.
        let passphrase_slots = slots
            .iter()
            .filter(|s| matches!(s, KeySlot::Passphrase { .. }))
            .count();
        if passphrase_slots > 1 {
            return Err(HeaderError::Malformed);
        }
        Ok(Self {
            format,
            vault_id,
            canary,
            slots,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Header {
        Header {
            format: FORMAT,
            vault_id: [3; 16],
            canary: vec![1, 2, 3],
            slots: vec![
                KeySlot::Passphrase {
                    kdf: KdfParams::DEFAULT,
                    salt: [4; SALT_LEN],
                    wrapped: vec![5; 56],
                },
                KeySlot::Platform {
                    wrapped: vec![6; 72],
                },
            ],
        }
    }

    #[test]
    fn round_trip() {
        let h = sample();
        assert_eq!(Header::decode(&h.encode()), Ok(h));
    }

    #[test]
    fn rejects_foreign_newer_and_truncated() {
        assert_eq!(
            Header::decode(b"SQLite format 3"),
            Err(HeaderError::NotAVault)
        );
        let mut newer = sample().encode();
        newer[9] = 3;
        assert_eq!(Header::decode(&newer), Err(HeaderError::Newer(3)));
        let full = sample().encode();
        for cut in 10..full.len() {
            assert!(Header::decode(&full[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = full;
        longer.push(0);
        assert_eq!(Header::decode(&longer), Err(HeaderError::Malformed));
    }
}
