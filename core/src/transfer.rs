//! Accounts moving in and out of a [`Vault`]: an import is one transaction with a summary, a
//! vault is backed up and restored (into a new or an existing vault), and a backup is drilled
//! against the vault without restoring it.
//!
//! Two accounts are the same account when they have the same secret, issuer and account name
//! ([`import::same_account`]); such a duplicate is skipped, never stored twice.
//!
//! ```
//! use jeton_core::{import, transfer, vault::{KdfParams, Vault}};
//!
//! let dir = std::env::temp_dir().join(format!("jeton-transfer-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("vault.jeton");
//! # let _ = std::fs::remove_file(&path);
//! let mut vault = Vault::create_with_kdf(&path, "password", KdfParams::OWASP_MINIMUM).unwrap();
//! let list = "otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ\n\
//!             otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ\n\
//!             otpauth://totp/Nope:x?secret=1\n";
//! let imported = import::read(list.as_bytes(), None, None).unwrap();
//! let summary = transfer::import_into(&mut vault, imported).unwrap();
//! assert_eq!(summary.to_string(), "1 added, 1 skipped as duplicate, 1 refused");
//! assert_eq!(vault.list().unwrap().len(), 1);
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

use std::collections::HashSet;
use std::fmt;
use std::path::Path;

use crate::Account;
use crate::backup::{self, BackupError, DrillReport, KdfParams};
use crate::import::{self, Entry, Format, ImportError, Imported, Refusal};
use crate::vault::{Extras, Vault, VaultError};

/// Why an import, backup or restore did not happen. Nothing was changed in the vault.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// The file could not be read.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The backup could not be written or opened.
    #[error(transparent)]
    Backup(#[from] BackupError),
    /// The vault could not be read or written.
    #[error(transparent)]
    Vault(#[from] VaultError),
}

/// What an import or restore did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Labels of the accounts added, in order.
    pub added: Vec<String>,
    /// Labels of the accounts skipped because the vault (or the file, earlier) already had them.
    pub duplicates: Vec<String>,
    /// Entries of the file that were not taken, and why.
    pub refused: Vec<Refusal>,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} added, {} skipped as duplicate, {} refused",
            self.added.len(),
            self.duplicates.len(),
            self.refused.len()
        )
    }
}

/// Every account of the vault with its secret and extras, in the user's order.
pub fn vault_entries(vault: &Vault) -> Result<Vec<Entry>, VaultError> {
    vault
        .list()?
        .into_iter()
        .map(|listed| {
            let record = vault.get(listed.id)?;
            Ok(Entry {
                account: record.account,
                groups: record.extras.groups,
                note: import::non_empty(Some(&record.extras.note)),
                favourite: record.extras.favourite,
            })
        })
        .collect()
}

/// What makes two accounts the same for an import ([`import::same_account`]), borrowed.
#[derive(PartialEq, Eq, Hash)]
struct AccountKey<'a> {
    issuer: Option<&'a str>,
    name: &'a str,
    secret: &'a [u8],
}

impl<'a> AccountKey<'a> {
    fn of(account: &'a Account) -> Self {
        Self {
            issuer: account.issuer.as_deref(),
            name: &account.name,
            secret: account.secret.expose(),
        }
    }
}

/// Adds what a file held to the vault in one transaction: every new account, or none. Accounts
/// already in the vault (or earlier in the same file) are skipped; the file's refusals are
/// passed on, with accounts the vault cannot store added to them.
pub fn import_into(vault: &mut Vault, imported: Imported) -> Result<Summary, TransferError> {
    let existing: Vec<Account> = vault_entries(vault)?
        .into_iter()
        .map(|e| e.account)
        .collect();
    // Labels of refused entries are the file's own text: shown escaped, never raw.
    let mut summary = Summary {
        refused: imported
            .refused
            .into_iter()
            .map(|r| Refusal {
                label: shown(&r.label),
                ..r
            })
            .collect(),
        ..Summary::default()
    };
    // Duplicates by `import::same_account` (issuer, name, secret), looked up in hash sets that
    // borrow the accounts (no copy of a secret), so a file of n accounts costs O(n), not O(n²).
    let mut known: HashSet<AccountKey<'_>> = existing.iter().map(AccountKey::of).collect();
    let mut keep = vec![false; imported.entries.len()];
    for (index, entry) in imported.entries.iter().enumerate() {
        let label = shown(&entry.account.display_label());
        if known.contains(&AccountKey::of(&entry.account)) {
            summary.duplicates.push(label);
            continue;
        }
        // The backstop for entries no reader checked: every reader refuses at its own door
        // (`fields::sort_out`, with the file's positions), and a Jeton backup keeps every entry
        // or fails whole, so `index + 1` is then the file's position too.
        if let Err(reason) = storable(entry) {
            summary.refused.push(Refusal {
                position: index + 1,
                label,
                reason,
            });
            continue;
        }
        summary.added.push(label);
        known.insert(AccountKey::of(&entry.account));
        keep[index] = true;
    }
    drop(known);
    let accepted: Vec<(Account, Extras)> = imported
        .entries
        .into_iter()
        .zip(keep)
        .filter(|(_, keep)| *keep)
        .map(|(entry, _)| {
            (
                entry.account,
                Extras {
                    favourite: entry.favourite,
                    groups: entry.groups,
                    note: entry.note.unwrap_or_default(),
                    icon: None,
                },
            )
        })
        .collect();
    vault.add_all(accepted)?;
    Ok(summary)
}

/// A label from a file as a summary shows it: escaped, and cut to [`SHOWN_CHARS`] characters.
fn shown(label: &str) -> String {
    let mut shown = crate::account::escape(label);
    if let Some((cut, _)) = shown.char_indices().nth(SHOWN_CHARS - 1) {
        shown.truncate(cut);
        shown.push('…');
    }
    shown
}

/// The most characters of a label a summary shows.
const SHOWN_CHARS: usize = 80;

/// The checks every reader applies ([`import::admit`]), applied again at the vault's door, so
/// that an entry made by any path (a backup, a future reader) meets them.
fn storable(entry: &import::Entry) -> Result<(), String> {
    import::admit(entry)?;
    entry.account.params.validate().map_err(|e| e.to_string())
}

/// Seals the whole vault into a Jeton backup at [`KdfParams::DEFAULT`].
pub fn backup(vault: &Vault, passphrase: &str) -> Result<Vec<u8>, TransferError> {
    backup_with(vault, passphrase, KdfParams::DEFAULT)
}

/// [`backup()`] at chosen Argon2id costs.
pub fn backup_with(
    vault: &Vault,
    passphrase: &str,
    kdf: KdfParams,
) -> Result<Vec<u8>, TransferError> {
    Ok(backup::seal_with(&vault_entries(vault)?, passphrase, kdf)?)
}

/// Restores a Jeton backup into an open vault, skipping accounts it already has.
pub fn restore(vault: &mut Vault, file: &[u8], passphrase: &str) -> Result<Summary, TransferError> {
    let opened = backup::open(file, passphrase)?;
    import_into(
        vault,
        Imported {
            format: Format::JetonBackup,
            entries: opened.entries,
            refused: Vec::new(),
        },
    )
}

/// Restores a Jeton backup into a new vault at `path`. The backup is opened first, so a wrong
/// passphrase or a damaged backup creates nothing; if storing fails, the new file is removed.
pub fn restore_new(
    path: &Path,
    vault_passphrase: &str,
    vault_kdf: KdfParams,
    file: &[u8],
    backup_passphrase: &str,
) -> Result<(Vault, Summary), TransferError> {
    let opened = backup::open(file, backup_passphrase)?;
    let mut vault = Vault::create_with_kdf(path, vault_passphrase, vault_kdf)?;
    let imported = Imported {
        format: Format::JetonBackup,
        entries: opened.entries,
        refused: Vec::new(),
    };
    match import_into(&mut vault, imported) {
        Ok(summary) => Ok((vault, summary)),
        Err(error) => {
            drop(vault);
            // The vault was created by this call and holds nothing: remove it and its journal.
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let mut name = path.as_os_str().to_owned();
                name.push(suffix);
                let _ = std::fs::remove_file(name);
            }
            Err(error)
        }
    }
}

/// Proves that a backup opens and holds exactly the vault's accounts, without restoring it.
pub fn drill(file: &[u8], passphrase: &str, vault: &Vault) -> Result<DrillReport, TransferError> {
    let accounts: Vec<Account> = vault_entries(vault)?
        .into_iter()
        .map(|e| e.account)
        .collect();
    Ok(backup::drill(file, passphrase, &accounts)?)
}
