//! Key slots: the vault key, stored only wrapped — by a passphrase (Argon2id) or by the
//! platform's keystore (through [`KeyWrapper`], which the Android and iOS shells implement).

use std::fmt;

use argon2::{Algorithm, Argon2, Params, Version};
use zeroize::Zeroizing;

use super::crypto::{self, KEY_LEN, RandomError, SecretKey};

/// Argon2id cost parameters of a passphrase slot. Stored with the slot and authenticated with
/// the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl KdfParams {
    /// The defaults for new passphrase slots: 64 MiB, 3 passes, 1 lane. About 0.15 s on the
    /// development machine's core, so about half a second on a phone-class core, and well
    /// above OWASP's floor (19 MiB, t=2, p=1). See docs/adr/0001-vault-format.md.
    pub const DEFAULT: Self = Self {
        memory_kib: 64 * 1024,
        iterations: 3,
        parallelism: 1,
    };

    /// OWASP's minimum for Argon2id; [`KdfParams::DEFAULT`] is above it on every axis.
    pub const OWASP_MINIMUM: Self = Self {
        memory_kib: 19 * 1024,
        iterations: 2,
        parallelism: 1,
    };

    /// Very cheap parameters, **for tests only**, where the KDF is not what is being tested.
    pub const INSECURE_FAST_FOR_TESTS: Self = Self {
        memory_kib: 8,
        iterations: 1,
        parallelism: 1,
    };

    fn argon2(&self) -> Result<Argon2<'static>, KdfError> {
        let params = Params::new(
            self.memory_kib,
            self.iterations,
            self.parallelism,
            Some(KEY_LEN),
        )
        .map_err(|_| KdfError)?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    /// Derives a key-encryption key from a passphrase and salt.
    pub fn derive(&self, passphrase: &str, salt: &[u8]) -> Result<SecretKey, KdfError> {
        let mut out = Zeroizing::new([0u8; KEY_LEN]);
        self.argon2()?
            .hash_password_into(passphrase.as_bytes(), salt, out.as_mut_slice())
            .map_err(|_| KdfError)?;
        SecretKey::from_slice(out.as_slice()).ok_or(KdfError)
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Argon2 refused the parameters (or could not allocate their memory).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the key derivation parameters are unusable")]
pub struct KdfError;

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
    key: SecretKey,
}

impl SoftwareKeyWrapper {
    /// A wrapper with a fresh random key.
    pub fn generate() -> Result<Self, RandomError> {
        Ok(Self {
            key: SecretKey::generate()?,
        })
    }

    /// A wrapper with the given 32-byte key, or `None` for another length.
    pub fn from_key(key: &[u8]) -> Option<Self> {
        SecretKey::from_slice(key).map(|key| Self { key })
    }
}

impl fmt::Debug for SoftwareKeyWrapper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SoftwareKeyWrapper(<redacted>)")
    }
}

const SOFTWARE_WRAP_AAD: &[u8] = b"jeton/software-key-wrapper/v1";

impl KeyWrapper for SoftwareKeyWrapper {
    fn wrap(&self, vault_key: &[u8]) -> Result<Vec<u8>, KeyWrapError> {
        self.key
            .seal(vault_key, SOFTWARE_WRAP_AAD)
            .map_err(|e| KeyWrapError::Failed(e.to_string()))
    }

    /// A wrapped key this wrapper's key does not open means the key that made it is gone.
    fn unwrap(&self, wrapped: &[u8]) -> Result<Vec<u8>, KeyWrapError> {
        self.key
            .open(wrapped, SOFTWARE_WRAP_AAD)
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

/// What a passphrase slot's seal is bound to: the vault and the slot's own parameters, so
/// that a slot moved between vaults or edited does not open.
fn passphrase_aad(vault_id: &[u8; 16], kdf: &KdfParams, salt: &[u8]) -> Vec<u8> {
    let mut aad = b"jeton/slot/passphrase/v1".to_vec();
    aad.extend_from_slice(vault_id);
    aad.extend_from_slice(&kdf.memory_kib.to_be_bytes());
    aad.extend_from_slice(&kdf.iterations.to_be_bytes());
    aad.extend_from_slice(&kdf.parallelism.to_be_bytes());
    aad.extend_from_slice(salt);
    aad
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
        vault_key: &SecretKey,
        passphrase: &str,
        kdf: KdfParams,
    ) -> Result<Self, SlotError> {
        let mut salt = [0u8; SALT_LEN];
        crypto::fill_random(&mut salt)?;
        let kek = kdf.derive(passphrase, &salt)?;
        let wrapped = kek.seal(vault_key.expose(), &passphrase_aad(vault_id, &kdf, &salt))?;
        Ok(Self::Passphrase { kdf, salt, wrapped })
    }

    /// Recovers the vault key from a passphrase slot (`None` for a platform slot).
    pub fn open_with_passphrase(
        &self,
        vault_id: &[u8; 16],
        passphrase: &str,
    ) -> Option<Result<SecretKey, SlotError>> {
        let Self::Passphrase { kdf, salt, wrapped } = self else {
            return None;
        };
        Some((|| {
            let kek = kdf.derive(passphrase, salt)?;
            let key = kek
                .open(wrapped, &passphrase_aad(vault_id, kdf, salt))
                .map_err(|_| SlotError::WrongPassphrase)?;
            SecretKey::from_slice(&key).ok_or(SlotError::WrongPassphrase)
        })())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivation_is_deterministic_and_depends_on_salt_and_cost() {
        let kdf = KdfParams::INSECURE_FAST_FOR_TESTS;
        let a = kdf.derive("pass", b"saltsaltsaltsalt").unwrap();
        let b = kdf.derive("pass", b"saltsaltsaltsalt").unwrap();
        let c = kdf.derive("pass", b"saltsaltsaltsalu").unwrap();
        let d = KdfParams {
            iterations: 2,
            ..kdf
        }
        .derive("pass", b"saltsaltsaltsalt")
        .unwrap();
        assert_eq!(a.expose(), b.expose());
        assert_ne!(a.expose(), c.expose());
        assert_ne!(a.expose(), d.expose());
    }

    #[test]
    fn defaults_are_no_weaker_than_owasp() {
        let d = KdfParams::DEFAULT;
        let o = KdfParams::OWASP_MINIMUM;
        assert!(d.memory_kib >= o.memory_kib);
        assert!(d.iterations >= o.iterations);
        assert!(d.parallelism >= o.parallelism);
    }

    #[test]
    fn passphrase_slot_round_trip_and_wrong_passphrase() {
        let id = [1u8; 16];
        let key = SecretKey::generate().unwrap();
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
