//! Key slots: the vault key, stored only wrapped — by a passphrase (Argon2id) or by the
//! platform's keystore (through [`KeyWrapper`], which the Android and iOS shells implement).

use std::fmt;

use crate::seal::{self, Context, KdfError, KdfParams, Key, RandomError};

/// Why the platform could not wrap or unwrap the vault key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyWrapError {
    /// The platform key no longer exists or was invalidated (e.g. biometrics re-enrolled, app
    /// data restored on another phone). The vault still opens with the passphrase.
    #[error("the platform key is gone; open the vault with the passphrase")]
    KeyGone,
    /// Any other failure (keystore busy, user cancelled, ...), in the platform's words.
    #[error("the platform keystore failed: {0}")]
    Failed(String),
}

/// Wraps and unwraps the vault key with a key the platform keeps (Android Keystore, iOS
/// Keychain/Secure Enclave). The FFI layer exports this as a foreign trait.
pub trait KeyWrapper: Send + Sync {
    /// Encrypts the vault key; the result is stored in the vault's header.
    fn wrap(&self, vault_key: &[u8]) -> Result<Vec<u8>, KeyWrapError>;
    /// Decrypts what [`KeyWrapper::wrap`] returned.
    fn unwrap(&self, wrapped: &[u8]) -> Result<Vec<u8>, KeyWrapError>;
}

/// A [`KeyWrapper`] with a key held in memory: for tests and for the desktop harness, where no
/// hardware keystore exists. Wrapped keys are sealed with XChaCha20-Poly1305.
pub struct SoftwareKeyWrapper {
    key: Key,
}

impl SoftwareKeyWrapper {
    /// A wrapper with a fresh random key.
    pub fn generate() -> Result<Self, RandomError> {
        Ok(Self {
            key: Key::generate()?,
        })
    }

    /// A wrapper with the given 32-byte key, or `None` for another length.
    pub fn from_key(key: &[u8]) -> Option<Self> {
        Key::from_slice(key).map(|key| Self { key })
    }
}

impl fmt::Debug for SoftwareKeyWrapper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SoftwareKeyWrapper(<redacted>)")
    }
}

impl KeyWrapper for SoftwareKeyWrapper {
    fn wrap(&self, vault_key: &[u8]) -> Result<Vec<u8>, KeyWrapError> {
        self.key
            .seal(vault_key, &Context::SoftwareKeyWrapper)
            .map_err(|e| KeyWrapError::Failed(e.to_string()))
    }

    /// A wrapped key this wrapper's key does not open means the key that made it is gone.
    fn unwrap(&self, wrapped: &[u8]) -> Result<Vec<u8>, KeyWrapError> {
        self.key
            .open(wrapped, &Context::SoftwareKeyWrapper)
            .map(|plain| plain.to_vec())
            .map_err(|_| KeyWrapError::KeyGone)
    }
}

/// Salt length of a passphrase slot.
pub const SALT_LEN: usize = 16;

/// One way to recover the vault key.
#[derive(Clone, PartialEq, Eq)]
pub enum KeySlot {
    /// The vault key sealed under Argon2id(passphrase, salt).
    Passphrase {
        /// Argon2id costs.
        kdf: KdfParams,
        /// Random salt.
        salt: [u8; SALT_LEN],
        /// The sealed vault key.
        wrapped: Vec<u8>,
    },
    /// The vault key as the platform's [`KeyWrapper`] wrapped it (opaque to the core).
    Platform {
        /// What [`KeyWrapper::wrap`] returned.
        wrapped: Vec<u8>,
    },
}

impl fmt::Debug for KeySlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Passphrase { kdf, .. } => write!(f, "KeySlot::Passphrase({kdf:?})"),
            Self::Platform { .. } => f.write_str("KeySlot::Platform"),
        }
    }
}

/// Errors of building or opening a passphrase slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SlotError {
    /// The passphrase (or the slot's stored parameters) does not open the slot.
    #[error("wrong passphrase")]
    WrongPassphrase,
    /// The KDF refused the parameters.
    #[error(transparent)]
    Kdf(#[from] KdfError),
    /// No randomness.
    #[error(transparent)]
    Random(#[from] RandomError),
}

impl KeySlot {
    /// A new passphrase slot for `vault_key`.
    pub fn passphrase(
        vault_id: &[u8; 16],
        vault_key: &Key,
        passphrase: &str,
        kdf: KdfParams,
    ) -> Result<Self, SlotError> {
        let mut salt = [0u8; SALT_LEN];
        seal::fill_random(&mut salt)?;
        kdf.check_chosen()?;
        let kek = kdf.derive(passphrase, &salt)?;
        let context = Context::PassphraseSlot {
            vault_id,
            kdf: &kdf,
            salt: &salt,
        };
        let wrapped = kek.seal(vault_key.expose(), &context)?;
        Ok(Self::Passphrase { kdf, salt, wrapped })
    }

    /// Recovers the vault key from a passphrase slot (`None` for a platform slot).
    pub fn open_with_passphrase(
        &self,
        vault_id: &[u8; 16],
        passphrase: &str,
    ) -> Option<Result<Key, SlotError>> {
        let Self::Passphrase { kdf, salt, wrapped } = self else {
            return None;
        };
        Some((|| {
            let kek = kdf.derive(passphrase, salt)?;
            let context = Context::PassphraseSlot {
                vault_id,
                kdf,
                salt,
            };
            let key = kek
                .open(wrapped, &context)
                .map_err(|_| SlotError::WrongPassphrase)?;
            Key::from_slice(&key).ok_or(SlotError::WrongPassphrase)
        })())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passphrase_slot_round_trip_and_wrong_passphrase() {
        let id = [1u8; 16];
        let key = Key::generate().unwrap();
        let slot = KeySlot::passphrase(
            &id,
            &key,
            "correct horse",
            KdfParams::INSECURE_FAST_FOR_TESTS,
        )
        .unwrap();
        let opened = slot
            .open_with_passphrase(&id, "correct horse")
            .unwrap()
            .unwrap();
        assert_eq!(opened.expose(), key.expose());
        assert_eq!(
            slot.open_with_passphrase(&id, "wrong").unwrap().err(),
            Some(SlotError::WrongPassphrase)
        );
        assert_eq!(
            slot.open_with_passphrase(&[2u8; 16], "correct horse")
                .unwrap()
                .err(),
            Some(SlotError::WrongPassphrase)
        );
        assert!(!format!("{slot:?}").contains("wrapped"));
    }

    #[test]
    fn software_wrapper_round_trip_and_key_gone() {
        let wrapper = SoftwareKeyWrapper::generate().unwrap();
        let wrapped = wrapper.wrap(&[9u8; 32]).unwrap();
        assert_eq!(wrapper.unwrap(&wrapped).unwrap(), vec![9u8; 32]);
        let other = SoftwareKeyWrapper::generate().unwrap();
        assert_eq!(other.unwrap(&wrapped), Err(KeyWrapError::KeyGone));
    }
}
