//! The vault's key slots as Kotlin and Swift see them: [`VaultKeys`] (passphrase and device
//! keystore slots), the [`KeyWrapper`] trait the platforms implement with their keystores, and
//! the Argon2id costs of a passphrase.

use std::sync::Arc;

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
/// never leaves Rust except through this trait, and is stored only wrapped.
#[uniffi::export(with_foreign)]
pub trait KeyWrapper: Send + Sync {
    /// Encrypts the vault key; the result is stored in the vault's header.
    fn wrap(&self, vault_key: Vec<u8>) -> Result<Vec<u8>, KeyWrapError>;
    /// Decrypts what [`KeyWrapper::wrap`] returned.
    fn unwrap(&self, wrapped: Vec<u8>) -> Result<Vec<u8>, KeyWrapError>;
}

/// The platform's wrapper seen as the core's.
pub(crate) struct Platform(pub(crate) Arc<dyn KeyWrapper>);

impl core_vault::KeyWrapper for Platform {
    fn wrap(&self, vault_key: &[u8]) -> Result<Vec<u8>, core_vault::KeyWrapError> {
        // The copy is moved into the call's buffer, which the foreign side reads and frees;
        // UniFFI gives no way to wipe it (the platforms' wrappers clear their own copies).
        Ok(self.0.wrap(vault_key.to_vec())?)
    }

    fn unwrap(&self, wrapped: &[u8]) -> Result<Vec<u8>, core_vault::KeyWrapError> {
        Ok(self.0.unwrap(wrapped.to_vec())?)
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
