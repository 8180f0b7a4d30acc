//! Files into and out of a vault, as Kotlin and Swift see them: another app's export or a Jeton
//! backup imported all or nothing ([`VaultAccounts::import_file`]), and the vault as an
//! encrypted backup ([`VaultAccounts::export_backup`]).

use std::sync::{Arc, Mutex};

use jeton_core::import::ImportError;
use jeton_core::{backup, import, transfer};
use zeroize::Zeroizing;

use crate::error::{JetonError, guard};
use crate::scan::MigrationPart;
use crate::vault::VaultAccounts;

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ImportSummary {
    /// Labels of the accounts added, in order.
    pub added: Vec<String>,
    /// Labels of the accounts skipped because the vault (or the file, earlier) had them.
    pub duplicates: Vec<String>,
    /// Entries not taken, each with its position and the reason.
    pub refused: Vec<String>,
}

impl From<transfer::Summary> for ImportSummary {
    fn from(summary: transfer::Summary) -> Self {
        Self {
            added: summary.added,
            duplicates: summary.duplicates,
            refused: summary.refused.iter().map(ToString::to_string).collect(),
        }
    }
}

#[uniffi::export]
impl VaultAccounts {
    /// Imports another app's export (Aegis, 2FAS, Google Authenticator migration URIs, plain
    /// otpauth lists, Bitwarden, Proton, Ente) or a Jeton backup, detected from its contents, in
    /// one transaction: all or nothing. `password` opens encrypted exports.
    pub fn import_file(
        &self,
        data: Vec<u8>,
        password: Option<String>,
    ) -> Result<ImportSummary, JetonError> {
        guard(|| {
            let imported = import::read(&data, None, password.as_deref())?;
            let mut vault = self.vault().session()?;
            Ok(transfer::import_into(&mut vault, imported)?.into())
        })
    }

    /// The whole vault as an encrypted Jeton backup (Argon2id + XChaCha20-Poly1305, sealed with
    /// `passphrase`), to be written where the user chooses. [`VaultAccounts::import_file`]
    /// restores it into any vault, skipping accounts that are already there.
    pub fn export_backup(&self, passphrase: String) -> Result<Vec<u8>, JetonError> {
        guard(|| {
            let passphrase = Zeroizing::new(passphrase);
            if passphrase.is_empty() {
                return Err(JetonError::InvalidParameters(
                    "choose a passphrase for the backup".to_owned(),
                ));
            }
            // The accounts are copied under the vault's lock; Argon2id and sealing run without it.
            let entries = transfer::vault_entries(&*self.vault().session()?)?;
            Ok(backup::seal(&entries, &passphrase).map_err(transfer::TransferError::Backup)?)
        })
    }
}

/// The codes of a Google Authenticator export, collected across camera frames (in any order,
/// repeats ignored) and imported at once when every one is scanned. The codes' text never
/// leaves Rust: the scanner hands each as a [`MigrationPart`].
#[derive(Debug, Default, uniffi::Object)]
pub struct MigrationScans {
    inner: Mutex<import::MigrationScans>,
}

/// Where an export stands after a code was added.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MigrationProgress {
    /// Distinct codes of the code's export scanned so far.
    pub scanned: u32,
    /// Codes in that export.
    pub total: u32,
    /// Whether this code had been scanned before (nothing changed).
    pub repeated: bool,
    /// Whether every code of every export added so far is in: [`MigrationScans::import_into`]
    /// can run.
    pub complete: bool,
}

#[uniffi::export]
impl MigrationScans {
    /// No codes yet.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Adds one scanned code of an export. `InvalidFile` for a code that is damaged or does not
    /// fit the export's others.
    pub fn add(&self, part: Arc<MigrationPart>) -> Result<MigrationProgress, JetonError> {
        guard(|| {
            let mut scans = self.scans()?;
            let progress = scans.add(&part.uri).map_err(ImportError::from)?;
            Ok(MigrationProgress {
                scanned: progress.scanned,
                total: progress.total,
                repeated: progress.repeated,
                complete: scans.is_complete(),
            })
        })
    }

    /// Imports every account of the scanned exports into `accounts`' vault, all or nothing,
    /// and starts over. `InvalidFile` (nothing imported, nothing forgotten) while a code is
    /// missing: the message says which export lacks how many. Any other failure (`Locked`,
    /// `ChangedElsewhere`, ...) forgets nothing either: the scans are kept for the retry.
    pub fn import_into(&self, accounts: Arc<VaultAccounts>) -> Result<ImportSummary, JetonError> {
        guard(|| {
            let mut scans = self.scans()?;
            if let Some(missing) = scans.incomplete() {
                return Err(ImportError::from(missing).into());
            }
            let imported = scans.clone().finish().map_err(ImportError::from)?;
            let mut vault = accounts.vault().session()?;
            let summary = transfer::import_into(&mut vault, imported)?;
            // Forgotten only once they are in the vault.
            *scans = import::MigrationScans::default();
            Ok(summary.into())
        })
    }
}

impl MigrationScans {
    fn scans(&self) -> Result<std::sync::MutexGuard<'_, import::MigrationScans>, JetonError> {
        self.inner.lock().map_err(|_| {
            JetonError::Internal("an earlier call failed while holding these scans".to_owned())
        })
    }
}
