//! Files into and out of a vault, as Kotlin and Swift see them: another app's export or a Jeton
//! backup imported all or nothing ([`VaultAccounts::import_file`]), and the vault as an
//! encrypted backup ([`VaultAccounts::export_backup`]).

use jeton_core::{backup, import, transfer};
use zeroize::Zeroizing;

use crate::error::{JetonError, guard};
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
