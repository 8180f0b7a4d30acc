//! The vault's key slots as Kotlin and Swift see them: [`VaultKeys`] (passphrase and device
//! keystore slots), the [`KeyWrapper`] trait the platforms implement with their keystores, and
//! the Argon2id costs of a passphrase.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use jeton_core::vault::{self as core_vault, KdfParams};
use zeroize::Zeroizing;

use crate::error::{JetonError, guard};
use crate::vault::Vault;

/// Why the platform could not wrap or unwrap the vault key. Thrown by platform code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum KeyWrapError {
    /// The keystore key no longer exists or was invalidated (e.g. biometrics re-enrolled).
    /// The vault still opens with its passphrase.
    #[error("the device keystore key is gone")]
    KeyGone,
    /// Any other failure (keystore busy, user cancelled, ...), in the platform's words.
    #[error("the device keystore failed: {reason}")]
    Failed {
        /// What the platform said.
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for KeyWrapError {
    fn from(error: uniffi::UnexpectedUniFFICallbackError) -> Self {
        Self::Failed {
            reason: error.reason,
        }
    }
}

/// Wraps and unwraps the vault key with a key the platform keeps: Android Keystore
/// (`KeystoreKeyWrapper`), iOS Keychain / Secure Enclave (`KeychainKeyWrapper`). The vault key
/// is stored only wrapped, and crosses this trait only inside a [`KeyBytes`], so that each side
/// can wipe its own copy: the platform reads the bytes it needs into an array it clears after
/// use, and hands the key it unwrapped back in a new [`KeyBytes`], clearing its array at once.
#[uniffi::export(with_foreign)]
pub trait KeyWrapper: Send + Sync {
    /// Encrypts the vault key; the result is stored in the vault's header. Read the key with
    /// [`KeyBytes::bytes`] and clear that array when done.
    fn wrap(&self, vault_key: Arc<KeyBytes>) -> Result<Vec<u8>, KeyWrapError>;
    /// Decrypts what [`KeyWrapper::wrap`] returned, and returns it as `KeyBytes(array)`; clear
    /// the array after that call.
    fn unwrap(&self, wrapped: Vec<u8>) -> Result<Arc<KeyBytes>, KeyWrapError>;
}

/// Key material passed between Rust and a [`KeyWrapper`]: held by Rust, wiped when Rust is done
/// with it (even while the platform's garbage collector still holds the object), never shown by
/// `Debug`. Each copy the platform asks for with [`KeyBytes::bytes`] is its own to clear.
#[derive(uniffi::Object)]
pub struct KeyBytes {
    bytes: Mutex<Zeroizing<Vec<u8>>>,
}

#[uniffi::export]
impl KeyBytes {
    /// Takes a copy of `bytes` (the platform then clears its array).
    #[uniffi::constructor]
    pub fn new(bytes: Vec<u8>) -> Arc<Self> {
        Arc::new(Self {
            bytes: Mutex::new(Zeroizing::new(bytes)),
        })
    }

    /// A copy of the bytes, for the platform's cipher; clear it after use. Empty once Rust has
    /// taken or wiped the key.
    pub fn bytes(&self) -> Vec<u8> {
        self.lock().to_vec()
    }
}

impl KeyBytes {
    fn lock(&self) -> std::sync::MutexGuard<'_, Zeroizing<Vec<u8>>> {
        // A poisoned lock still holds plain bytes; nothing about them can be half-written.
        self.bytes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves the bytes out, leaving the object empty.
    fn take(&self) -> Zeroizing<Vec<u8>> {
        std::mem::take(&mut *self.lock())
    }
}

impl fmt::Debug for KeyBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("KeyBytes(<redacted>)")
    }
}

/// The platform's wrapper seen as the core's.
pub(crate) struct Platform(pub(crate) Arc<dyn KeyWrapper>);

impl core_vault::KeyWrapper for Platform {
    fn wrap(&self, vault_key: &[u8]) -> Result<Vec<u8>, core_vault::KeyWrapError> {
        let key = KeyBytes::new(vault_key.to_vec());
        let wrapped = self.0.wrap(Arc::clone(&key));
        // The platform may keep its handle until a garbage collection: wipe the key now.
        drop(key.take());
        Ok(wrapped?)
    }

    fn unwrap(&self, wrapped: &[u8]) -> Result<Vec<u8>, core_vault::KeyWrapError> {
        let key = self.0.unwrap(wrapped.to_vec())?;
        // Moved out, so the object the platform still holds is left empty; the core wraps the
        // bytes in `Zeroizing` at once.
        Ok(std::mem::take(&mut *key.take()))
    }
}

/// Argon2id costs of a passphrase. [`default_kdf_parameters`] is what [`Vault::create`] uses.
/// (The core's `KdfParams`, declared to UniFFI as it is, under the name the shells know.)
#[uniffi::remote(Record)]
#[uniffi(name = "KdfParameters")]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

/// The default passphrase costs (64 MiB, 3 passes, 1 lane).
#[uniffi::export]
pub fn default_kdf_parameters() -> KdfParams {
    KdfParams::DEFAULT
}

/// The key slots of a [`Vault`]: its passphrase and the device keystore.
#[derive(Debug, uniffi::Object)]
pub struct VaultKeys {
    vault: Arc<Vault>,
}

impl VaultKeys {
    pub(crate) fn new(vault: Arc<Vault>) -> Self {
        Self { vault }
    }
}

#[uniffi::export]
impl VaultKeys {
    /// Lets the device keystore open the vault too (the passphrase still does).
    /// The keystore is called without holding the vault (see [`Vault::unlock_with_key`]).
    pub fn add_platform_slot(&self, wrapper: Arc<dyn KeyWrapper>) -> Result<(), JetonError> {
        guard(|| {
            let request = self.vault.session()?.platform_slot_request()?;
            let slot = request.wrap(&Platform(wrapper))?;
            Ok(self.vault.session()?.add_wrapped_slot(slot)?)
        })
    }

    /// Removes every device keystore slot (e.g. after the keystore key was invalidated).
    pub fn remove_platform_slots(&self) -> Result<(), JetonError> {
        guard(|| Ok(self.vault.session()?.remove_platform_slots()?))
    }

    /// How many device keystore slots the vault has.
    pub fn platform_slot_count(&self) -> Result<u32, JetonError> {
        guard(|| {
            let slots = self.vault.session()?.platform_slots();
            Ok(u32::try_from(slots).unwrap_or(u32::MAX))
        })
    }

    /// Replaces the passphrase (default Argon2id costs); no account is rewritten. Argon2id runs
    /// without holding the vault (see [`Vault::unlock_with_passphrase`]).
    pub fn change_passphrase(&self, new_passphrase: String) -> Result<(), JetonError> {
        guard(|| {
            let new_passphrase = Zeroizing::new(new_passphrase);
            let change = self.vault.session()?.passphrase_change()?;
            let new = change.derive(&new_passphrase, KdfParams::DEFAULT)?;
            Ok(self.vault.session()?.apply_passphrase_change(new)?)
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// A platform wrapper (XOR with a pad, as a test stand-in for a keystore) that keeps every
    /// `KeyBytes` it is given or makes, as a garbage-collected platform would.
    #[derive(Default)]
    struct Keeping {
        seen: Mutex<Vec<Arc<KeyBytes>>>,
        lengths: Mutex<Vec<usize>>,
    }

    const PAD: u8 = 0x5a;

    impl KeyWrapper for Keeping {
        fn wrap(&self, vault_key: Arc<KeyBytes>) -> Result<Vec<u8>, KeyWrapError> {
            let bytes = vault_key.bytes();
            self.lengths.lock().unwrap().push(bytes.len());
            self.seen.lock().unwrap().push(vault_key);
            Ok(bytes.iter().map(|b| b ^ PAD).collect())
        }

        fn unwrap(&self, wrapped: Vec<u8>) -> Result<Arc<KeyBytes>, KeyWrapError> {
            let key = KeyBytes::new(wrapped.iter().map(|b| b ^ PAD).collect());
            self.seen.lock().unwrap().push(Arc::clone(&key));
            Ok(key)
        }
    }

    #[test]
    fn key_bytes_the_platform_still_holds_are_empty_once_rust_is_done() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.jeton").to_string_lossy().into_owned();
        let cheap = KdfParams {
            memory_kib: 8,
            iterations: 1,
            parallelism: 1,
        };
        let vault = Vault::create_with_kdf(path, "correct horse".into(), cheap).unwrap();
        let wrapper = Arc::new(Keeping::default());
        Arc::clone(&vault)
            .keys()
            .add_platform_slot(Arc::clone(&wrapper) as Arc<dyn KeyWrapper>)
            .unwrap();
        vault.lock().unwrap();
        vault
            .unlock_with_key(Arc::clone(&wrapper) as Arc<dyn KeyWrapper>)
            .unwrap();

        // The platform was handed the 32-byte key to wrap, and gave one back to unwrap...
        assert_eq!(*wrapper.lengths.lock().unwrap(), vec![32]);
        let seen = wrapper.seen.lock().unwrap();
        assert_eq!(seen.len(), 2);
        // ... and neither object it still holds has the key in it any more.
        assert!(seen.iter().all(|key| key.bytes().is_empty()));
        assert_eq!(format!("{:?}", seen[0]), "KeyBytes(<redacted>)");
    }
}
