//! The sync key and what it derives: a sealing key for every file on the store and a MAC key for
//! account ids.

use crate::otp::Kind;
use crate::seal::{Key, MacKey};
use crate::vault::AccountId;

use super::id::Id;

/// The 32-byte key that every device of one sync shares. It never leaves a device unsealed
/// except through pairing. Zeroized on drop; never printed.
#[derive(Clone)]
pub struct SyncKey(Key);

impl SyncKey {
    /// A fresh random key.
    pub(super) fn generate() -> Result<Self, crate::seal::RandomError> {
        Key::generate().map(Self)
    }

    /// A key from exactly 32 bytes (as pairing carries it), or `None`.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        Key::from_slice(bytes).map(Self)
    }

    /// The key's bytes, for pairing to carry to a new device sealed.
    pub fn expose(&self) -> &[u8] {
        self.0.expose()
    }

    /// The keys the sync uses.
    pub(super) fn derive(&self) -> Keys {
        let (seal, mac) = self.0.subkeys(b"jeton-sync/v1");
        Keys { seal, mac }
    }
}

impl std::fmt::Debug for SyncKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SyncKey(<redacted>)")
    }
}

/// The subkeys of a sync key.
pub(super) struct Keys {
    /// Seals every file on the store.
    pub(super) seal: Key,
    /// Makes account ids.
    pub(super) mac: MacKey,
}

fn kind_code(kind: Kind) -> u8 {
    match kind {
        Kind::Totp => 0,
        Kind::Hotp => 1,
        Kind::Steam => 2,
    }
}

impl Keys {
    /// The sync id of an account first synced with this kind and secret: the same account
    /// added on two devices gets the same id. No one without the key can link it to the secret.
    pub(super) fn account_id(&self, kind: Kind, secret: &[u8]) -> Id {
        let mut message = zeroize::Zeroizing::new(Vec::with_capacity(secret.len() + 16));
        message.extend_from_slice(b"account\0");
        message.push(kind_code(kind));
        message.extend_from_slice(secret);
        first_16(self.mac.tag(&message))
    }

    /// The sync id of a second account with the same kind and secret in one vault.
    pub(super) fn duplicate_id(&self, kind: Kind, secret: &[u8], local: &AccountId) -> Id {
        let mut message = zeroize::Zeroizing::new(Vec::with_capacity(secret.len() + 32));
        message.extend_from_slice(b"duplicate\0");
        message.extend_from_slice(local.as_bytes());
        message.push(kind_code(kind));
        message.extend_from_slice(secret);
        first_16(self.mac.tag(&message))
    }
}

fn first_16(tag: [u8; 32]) -> Id {
    let mut id = [0u8; 16];
    id.copy_from_slice(&tag[..16]);
    Id(id)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn account_ids_are_keyed_and_depend_on_kind_and_secret() {
        let key = SyncKey::generate().unwrap();
        let keys = key.derive();
        let a = keys.account_id(Kind::Totp, b"secret");
        assert_eq!(a, keys.account_id(Kind::Totp, b"secret"));
        assert_ne!(a, keys.account_id(Kind::Hotp, b"secret"));
        assert_ne!(a, keys.account_id(Kind::Totp, b"secreT"));
        let other = SyncKey::generate().unwrap().derive();
        assert_ne!(a, other.account_id(Kind::Totp, b"secret"));
        let local = AccountId::random();
        assert_ne!(a, keys.duplicate_id(Kind::Totp, b"secret", &local));
        assert_eq!(format!("{key:?}"), "SyncKey(<redacted>)");
    }
}
