//! 128-bit ids: of a device, and of an account in the sync (its sync id). Written as hex.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A 16-byte id, written as 32 lowercase hex digits.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(pub [u8; 16]);

impl Id {
    /// A fresh random id.
    pub fn random() -> Result<Self, crate::seal::RandomError> {
        let mut id = [0u8; 16];
        crate::seal::fill_random(&mut id)?;
        Ok(Self(id))
    }

    /// The id as 32 hex digits.
    pub fn hex(&self) -> String {
        data_encoding::HEXLOWER.encode(&self.0)
    }

    /// An id from 32 lowercase hex digits.
    pub fn from_hex(text: &str) -> Option<Self> {
        let bytes = data_encoding::HEXLOWER.decode(text.as_bytes()).ok()?;
        bytes.try_into().ok().map(Self)
    }
}

impl std::fmt::Debug for Id {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.hex()[..8])
    }
}

impl Serialize for Id {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.hex())
    }
}

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Id::from_hex(&text).ok_or_else(|| serde::de::Error::custom("not a 32-digit hex id"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn hex_round_trip() {
        let id = Id::random().unwrap();
        assert_eq!(Id::from_hex(&id.hex()), Some(id));
        assert_eq!(id.hex().len(), 32);
        assert_eq!(Id::from_hex("ABCD"), None);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(serde_json::from_str::<Id>(&json).unwrap(), id);
    }
}
