//! Automatic backups (the core's `backup::auto`): after each change, an encrypted backup in a
//! folder the user chose, the newest N kept; each opens with the vault's passphrase.

use jeton_core::backup::auto::AutoBackup;
use zeroize::Zeroizing;

use crate::error::{JetonError, guard};
use crate::vault::Vault;

/// Where automatic backups go and how many are kept.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AutoBackupSetting {
    /// A folder on this device (a path).
    pub folder: String,
    /// How many backups are kept there (the oldest beyond are removed).
    pub keep: u32,
}

/// What the last automatic backup did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum AutoBackupOutcome {
    /// A backup was written.
    Written {
        /// Its path.
        path: String,
        /// How many older backups were removed.
        removed: u32,
    },
    /// No backup was written (the change itself was saved): tell the user why.
    Failed {
        /// Why, for a person.
        reason: String,
    },
}

#[uniffi::export]
impl Vault {
    /// Turns automatic backups on in `folder`, keeping the newest `keep`, and writes the first
    /// at once ([`Vault::last_auto_backup`] says how it went). `passphrase` is this vault's: the
    /// backups open with it.
    pub fn set_auto_backup(
        &self,
        folder: String,
        keep: u32,
        passphrase: String,
    ) -> Result<(), JetonError> {
        guard(|| {
            let passphrase = Zeroizing::new(passphrase);
            let keep = usize::try_from(keep).unwrap_or(usize::MAX);
            let choice = AutoBackup::new(folder, keep)?;
            // Two Argon2id runs (checking the passphrase, deriving the backups' key) without
            // holding the vault, as for unlocking.
            let request = self.session()?.auto_backup_request()?;
            let prepared = request.prepare(choice, &passphrase)?;
            Ok(self.session()?.apply_auto_backup(prepared)?)
        })
    }

    /// Turns automatic backups off; the backups written stay.
    pub fn turn_off_auto_backup(&self) -> Result<(), JetonError> {
        guard(|| Ok(self.session()?.turn_off_auto_backup()?))
    }

    /// The automatic backup setting, or none when they are off.
    pub fn auto_backup(&self) -> Result<Option<AutoBackupSetting>, JetonError> {
        guard(|| {
            Ok(self.session()?.auto_backup()?.map(|c| AutoBackupSetting {
                folder: c.folder().display().to_string(),
                keep: u32::try_from(c.keep()).unwrap_or(u32::MAX),
            }))
        })
    }

    /// What the last automatic backup due since this vault was opened did, or none.
    pub fn last_auto_backup(&self) -> Result<Option<AutoBackupOutcome>, JetonError> {
        guard(|| {
            Ok(self
                .session()?
                .last_auto_backup()
                .map(|outcome| match outcome {
                    Ok(written) => AutoBackupOutcome::Written {
                        path: written.path.display().to_string(),
                        removed: u32::try_from(written.removed).unwrap_or(u32::MAX),
                    },
                    Err(e) => AutoBackupOutcome::Failed {
                        reason: e.to_string(),
                    },
                }))
        })
    }
}
