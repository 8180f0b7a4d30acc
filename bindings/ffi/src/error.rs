//! The errors Kotlin and Swift see, mapped from the core's errors in this one place.
//!
//! Each variant's message is the core's own, written for a person: the shells show it as is.
//! Kotlin gets a sealed `JetonException` class with one subclass per variant; Swift gets an
//! `enum JetonError: Error`.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};

use jeton_core::backup::BackupError;
use jeton_core::backup::auto::AutoBackupError;
use jeton_core::clock::ClockError;
use jeton_core::handoff::HandoffError;
use jeton_core::import::ImportError;
use jeton_core::scan::ScanError;
use jeton_core::sync::SyncError;
use jeton_core::sync::pair::PairError;
use jeton_core::sync::webdav::WebDavError;
use jeton_core::transfer::TransferError;
use jeton_core::vault::VaultError;
use jeton_core::{OtpError, SecretError, UriError};

use crate::keys::KeyWrapError;

/// Why a call into Jeton failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum JetonError {
    /// The text is not a usable `otpauth://` URI (the message says what is wrong with it).
    #[error("{0}")]
    InvalidUri(String),
    /// The secret is not base32, or is empty.
    #[error("{0}")]
    InvalidSecret(String),
    /// Digits, period or time are outside what codes allow.
    #[error("{0}")]
    InvalidParameters(String),
    /// The passphrase does not open the vault.
    #[error("{0}")]
    WrongPassphrase(String),
    /// The vault is locked: unlock it.
    #[error("{0}")]
    Locked(String),
    /// Another program (or another call, in between) changed the vault since this one read it:
    /// nothing was changed by this call; unlock again, then retry.
    #[error("{0}")]
    ChangedElsewhere(String),
    /// The vault file cannot be used: missing, not a vault, already exists, made by a newer
    /// Jeton, or unreadable.
    #[error("{0}")]
    VaultFile(String),
    /// The vault file was changed outside Jeton (corruption or tampering).
    #[error("{0}")]
    Damaged(String),
    /// The device keystore cannot open the vault (key gone or keystore failure): use the
    /// passphrase.
    #[error("{0}")]
    Keystore(String),
    /// No account with that id in the vault.
    #[error("{0}")]
    NoSuchAccount(String),
    /// The image or camera frame cannot be scanned (bad size, unsupported or broken file, too
    /// large). Finding no QR code is not an error.
    #[error("{0}")]
    InvalidImage(String),
    /// A bug in Jeton (an internal panic, contained before it reached the caller). Nothing was
    /// changed; please report it.
    #[error("internal error in Jeton (please report it): {0}")]
    Internal(String),
    /// A file to import cannot be read: unknown format, or damaged (the message says which).
    /// Nothing was imported.
    #[error("{0}")]
    InvalidFile(String),
    /// The file to import is encrypted: ask for its password and import again. Nothing was
    /// imported.
    #[error("{0}")]
    PasswordRequired(String),
    /// The sync storage failed: unreachable, refused access, full (the message says which).
    /// Nothing was applied; sync again later.
    #[error("{0}")]
    SyncStorage(String),
    /// The sync storage holds something this device must not apply: it went back in time, was
    /// tampered with, was written by a newer Jeton, or does not open with this sync key.
    /// Nothing was applied.
    #[error("{0}")]
    SyncRefused(String),
    /// Sync is not set up, already set up, or another sync of this device is running.
    #[error("{0}")]
    SyncState(String),
    /// A pairing QR code, or a QR code of a series moving accounts to a new phone, that is not
    /// one, has expired, was used already, or belongs to another series.
    #[error("{0}")]
    Pairing(String),
}

impl From<UriError> for JetonError {
    fn from(error: UriError) -> Self {
        match error {
            UriError::EmptySecret | UriError::InvalidSecret(_) => {
                Self::InvalidSecret(error.to_string())
            }
            UriError::Digits(_) | UriError::Period(_) | UriError::Counter(_) => {
                Self::InvalidParameters(error.to_string())
            }
            UriError::NotOtpauth
            | UriError::Migration
            | UriError::TooLong { .. }
            | UriError::Malformed(_)
            | UriError::UnknownType(_)
            | UriError::MissingSecret
            | UriError::UnknownAlgorithm(_)
            | UriError::Label(_) => Self::InvalidUri(error.to_string()),
        }
    }
}

impl From<SecretError> for JetonError {
    fn from(error: SecretError) -> Self {
        Self::InvalidSecret(error.to_string())
    }
}

impl From<OtpError> for JetonError {
    fn from(error: OtpError) -> Self {
        match error {
            OtpError::EmptySecret => Self::InvalidSecret(error.to_string()),
            OtpError::Digits(_) | OtpError::Period | OtpError::BeforeT0 { .. } => {
                Self::InvalidParameters(error.to_string())
            }
        }
    }
}

impl From<VaultError> for JetonError {
    fn from(error: VaultError) -> Self {
        let message = error.to_string();
        match error {
            VaultError::WrongPassphrase => Self::WrongPassphrase(message),
            VaultError::Locked => Self::Locked(message),
            VaultError::ChangedElsewhere => Self::ChangedElsewhere(message),
            VaultError::NotAVault(_)
            | VaultError::NotFound(_)
            | VaultError::AlreadyExists(_)
            | VaultError::Create { .. }
            | VaultError::NewerVersion { .. }
            | VaultError::Storage(_) => Self::VaultFile(message),
            VaultError::Damaged(_) => Self::Damaged(message),
            VaultError::KeystoreKeyGone | VaultError::Keystore(_) | VaultError::NoPassphrase => {
                Self::Keystore(message)
            }
            VaultError::NoSuchAccount(_) => Self::NoSuchAccount(message),
            VaultError::NotCounterBased(_)
            | VaultError::CounterExhausted(_)
            | VaultError::InvalidAccount(_)
            | VaultError::Label(_)
            | VaultError::Kdf(_)
            | VaultError::PassphraseTooShort { .. } => Self::InvalidParameters(message),
            VaultError::Random => Self::Internal(message),
        }
    }
}

impl From<ImportError> for JetonError {
    fn from(error: ImportError) -> Self {
        let message = error.to_string();
        match error {
            ImportError::WrongPassword(_) | ImportError::Backup(BackupError::WrongPassphrase) => {
                Self::WrongPassphrase(message)
            }
            ImportError::PasswordRequired(_) => Self::PasswordRequired(message),
            _ => Self::InvalidFile(message),
        }
    }
}

impl From<TransferError> for JetonError {
    fn from(error: TransferError) -> Self {
        match error {
            TransferError::Import(e) => e.into(),
            TransferError::Vault(e) => e.into(),
            TransferError::Backup(BackupError::WrongPassphrase) => {
                Self::WrongPassphrase(BackupError::WrongPassphrase.to_string())
            }
            // The passphrase chosen for a new backup: the caller's parameter, not a file.
            TransferError::Backup(
                e @ (BackupError::EmptyPassphrase | BackupError::PassphraseTooShort { .. }),
            ) => Self::InvalidParameters(e.to_string()),
            TransferError::Backup(e @ BackupError::Random(_)) => Self::Internal(e.to_string()),
            TransferError::Backup(e) => Self::InvalidFile(e.to_string()),
        }
    }
}

impl From<SyncError> for JetonError {
    fn from(error: SyncError) -> Self {
        let message = error.to_string();
        match error {
            SyncError::Vault(e) => e.into(),
            SyncError::Store(_) => Self::SyncStorage(message),
            SyncError::WrongRecoveryPassphrase => Self::WrongPassphrase(message),
            SyncError::WrongKey
            | SyncError::NewerVersion { .. }
            | SyncError::RolledBack(_)
            | SyncError::Tampered(_)
            | SyncError::TooLarge(_) => Self::SyncRefused(message),
            SyncError::NotSetUp
            | SyncError::AlreadySetUp
            | SyncError::StoreInUse
            | SyncError::NoSyncInStore
            | SyncError::NoRecovery
            | SyncError::Busy => Self::SyncState(message),
            SyncError::Random => Self::Internal(message),
        }
    }
}

impl From<PairError> for JetonError {
    fn from(error: PairError) -> Self {
        let message = error.to_string();
        match error {
            PairError::Random => Self::Internal(message),
            PairError::WrongCode => Self::WrongPassphrase(message),
            PairError::NotAnInvitation | PairError::Expired | PairError::StoreTooLong => {
                Self::Pairing(message)
            }
        }
    }
}

impl From<WebDavError> for JetonError {
    fn from(error: WebDavError) -> Self {
        Self::SyncStorage(error.to_string())
    }
}

impl From<HandoffError> for JetonError {
    fn from(error: HandoffError) -> Self {
        let message = error.to_string();
        match error {
            HandoffError::WrongCode => Self::WrongPassphrase(message),
            HandoffError::Unreadable(_) => Self::InvalidFile(message),
            HandoffError::Random => Self::Internal(message),
            HandoffError::NotAHandoff
            | HandoffError::OtherSeries
            | HandoffError::Incomplete { .. }
            | HandoffError::Expired
            | HandoffError::TooMany(_) => Self::Pairing(message),
        }
    }
}

impl From<AutoBackupError> for JetonError {
    fn from(error: AutoBackupError) -> Self {
        Self::InvalidParameters(error.to_string())
    }
}

impl From<ClockError> for JetonError {
    fn from(error: ClockError) -> Self {
        Self::InvalidParameters(format!("the clock check failed: {error}"))
    }
}

impl From<ScanError> for JetonError {
    fn from(error: ScanError) -> Self {
        Self::InvalidImage(error.to_string())
    }
}

impl From<KeyWrapError> for jeton_core::vault::KeyWrapError {
    fn from(error: KeyWrapError) -> Self {
        match error {
            KeyWrapError::KeyGone => Self::KeyGone,
            KeyWrapError::Failed { reason } => Self::Failed(reason),
        }
    }
}

/// Runs one exported call, turning a panic inside it into [`JetonError::Internal`], so that no
/// panic reaches Kotlin or Swift as anything but a typed error.
pub(crate) fn guard<T>(call: impl FnOnce() -> Result<T, JetonError>) -> Result<T, JetonError> {
    catch_unwind(AssertUnwindSafe(call)).unwrap_or_else(|payload| Err(internal(payload.as_ref())))
}

fn internal(payload: &(dyn Any + Send)) -> JetonError {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned());
    JetonError::Internal(what)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_guard_becomes_an_internal_error() {
        let result: Result<(), JetonError> = guard(|| panic!("boom"));
        assert_eq!(result, Err(JetonError::Internal("boom".into())));
        let result: Result<(), JetonError> = guard(|| panic!("{} {}", "formatted", 1));
        assert_eq!(result, Err(JetonError::Internal("formatted 1".into())));
    }

    #[test]
    fn uri_errors_map_to_the_variant_a_user_can_act_on() {
        let e = JetonError::from(jeton_core::uri::parse("https://example.com").unwrap_err());
        assert!(matches!(e, JetonError::InvalidUri(ref m) if m.contains("otpauth://")));
        let e = JetonError::from(jeton_core::uri::parse("otpauth://totp/a?secret=1!").unwrap_err());
        assert!(matches!(e, JetonError::InvalidSecret(_)), "{e:?}");
        let e = JetonError::from(
            jeton_core::uri::parse("otpauth://totp/a?secret=JBSWY3DP&digits=12").unwrap_err(),
        );
        assert!(matches!(e, JetonError::InvalidParameters(ref m) if m.contains("12")));
    }
}
