//! Automatic backups (docs/adr/0007-automatic-backups.md): the vault keeps the user's choice
//! and the passphrase's backup key sealed under its own key, and writes a backup after each
//! committed change of what a backup holds ([`Vault::save`]), whoever made the change.

use super::write::Setting;
use super::*;
use crate::account;
use crate::backup::BackupKey;
use crate::backup::auto::AutoBackup;

impl Vault {
    /// Turns automatic backups on (or changes their folder or number), then writes the first
    /// one at once (its outcome: [`Vault::last_auto_backup`]). `passphrase` must be this vault's
    /// passphrase: backups open with it, as in Aegis. Its Argon2id key is derived once, at the
    /// costs of the vault's passphrase slot, and kept sealed in the vault, so later backups
    /// need neither the passphrase nor a slow derivation (the vault may have been unlocked by
    /// the platform's keystore). Callers that share the vault between threads use the halves
    /// instead ([`Vault::auto_backup_request`]).
    pub fn set_auto_backup(
        &mut self,
        choice: AutoBackup,
        passphrase: &str,
    ) -> Result<(), VaultError> {
        let prepared = self.auto_backup_request()?.prepare(choice, passphrase)?;
        self.apply_auto_backup(prepared)
    }

    /// The first half of [`Vault::set_auto_backup`]: what checking the passphrase and deriving
    /// the backups' key need, copied out of the unlocked vault.
    pub fn auto_backup_request(&self) -> Result<AutoBackupRequest, VaultError> {
        let slot = self
            .header
            .slots
            .iter()
            .find(|slot| matches!(slot, KeySlot::Passphrase { .. }))
            .ok_or(VaultError::NoPassphrase)?;
        Ok(AutoBackupRequest {
            key: self.session()?.keys.root().clone(),
            vault_id: self.header.vault_id,
            slot: slot.clone(),
        })
    }

    /// The last half of [`Vault::set_auto_backup`]: keeps the setting
    /// [`AutoBackupRequest::prepare`] made and writes the first backup. Refused as
    /// [`VaultError::ChangedElsewhere`] (nothing changed) if the vault was locked, replaced, or
    /// its passphrase changed in between.
    pub fn apply_auto_backup(&mut self, prepared: PreparedAutoBackup) -> Result<(), VaultError> {
        let session = self.session().map_err(|_| VaultError::ChangedElsewhere)?;
        if prepared.vault_id != self.header.vault_id
            || !seal::same(session.keys.root().expose(), prepared.key.expose())
            || !self.header.slots.contains(&prepared.slot)
        {
            return Err(VaultError::ChangedElsewhere);
        }
        self.save(Change {
            auto_backup: Some(Setting::Set(prepared.setting)),
            ..Change::default()
        })
    }

    /// Turns automatic backups off. The backups already written stay where they are.
    pub fn turn_off_auto_backup(&mut self) -> Result<(), VaultError> {
        self.session()?;
        self.save(Change {
            auto_backup: Some(Setting::Clear),
            ..Change::default()
        })
    }

    /// Where automatic backups go and how many are kept; `None` if they are off.
    pub fn auto_backup(&self) -> Result<Option<AutoBackup>, VaultError> {
        Ok(self.auto_backup_setting()?.map(|(choice, _)| choice))
    }

    /// What the last automatic backup due since this vault was opened did: the backup written,
    /// or why none was (the change itself was committed either way). `None` if none was due.
    pub fn last_auto_backup(&self) -> Option<&Result<Written, AutoBackupError>> {
        self.auto_backup_outcome.as_ref()
    }

    fn auto_backup_setting(&self) -> Result<Option<(AutoBackup, BackupKey)>, VaultError> {
        let session = self.session()?;
        let Some(sealed) = store::read_meta(&self.conn, meta::AUTO_BACKUP)? else {
            return Ok(None);
        };
        let damaged = || VaultError::Damaged(Damage::AutoBackup);
        let plain = session
            .keys
            .open(&sealed, Place::AutoBackup)
            .map_err(|_| damaged())?;
        AutoBackup::decode(&plain).map(Some).ok_or_else(damaged)
    }

    /// The automatic backup choice a passphrase change must rekey; `None` if automatic backups
    /// are off (or their setting is damaged: left for the next backup to report, rather than
    /// blocking the passphrase change).
    pub(super) fn auto_backup_to_rekey(&self) -> Result<Option<AutoBackup>, VaultError> {
        match self.auto_backup_setting() {
            Ok(Some((choice, _))) => Ok(Some(choice)),
            Ok(None) | Err(VaultError::Damaged(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Writes a backup if automatic backups are on, keeping the outcome.
    pub(super) fn write_auto_backup(&mut self) {
        let outcome = match self.auto_backup_setting() {
            Ok(None) => None,
            Ok(Some((choice, key))) => {
                let entries = self.backup_entries();
                let now_ms = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
                Some(choice.write(&key, &entries, now_ms))
            }
            Err(_) => Some(Err(AutoBackupError::Settings)),
        };
        self.auto_backup_outcome = outcome;
    }

    /// Every account as a backup holds it, in the user's order.
    fn backup_entries(&self) -> Vec<account::Entry> {
        let Some(session) = &self.session else {
            return Vec::new();
        };
        session
            .records
            .iter()
            .map(|r| account::Entry {
                account: r.account.clone(),
                groups: r.extras.groups.clone(),
                note: (!r.extras.note.trim().is_empty()).then(|| r.extras.note.trim().to_owned()),
                favourite: r.extras.favourite,
            })
            .collect()
    }
}

pub(super) fn backup_key(passphrase: &str, kdf: KdfParams) -> Result<BackupKey, VaultError> {
    kdf.check_chosen()?;
    BackupKey::derive(passphrase, kdf).map_err(|_| VaultError::Random)
}

/// What [`Vault::set_auto_backup`] needs from the vault ([`Vault::auto_backup_request`]): a copy
/// of the vault key (zeroized on drop, never printed) and its passphrase slot.
pub struct AutoBackupRequest {
    key: Key,
    vault_id: [u8; 16],
    slot: KeySlot,
}

/// An automatic backup setting made away from the vault, for [`Vault::apply_auto_backup`].
pub struct PreparedAutoBackup {
    key: Key,
    vault_id: [u8; 16],
    slot: KeySlot,
    setting: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for AutoBackupRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AutoBackupRequest([redacted])")
    }
}

impl std::fmt::Debug for PreparedAutoBackup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PreparedAutoBackup([redacted])")
    }
}

impl AutoBackupRequest {
    /// Checks that `passphrase` opens the vault's passphrase slot
    /// ([`VaultError::WrongPassphrase`] if not) and derives the backups' key from it, at the
    /// slot's costs: the two Argon2id runs of [`Vault::set_auto_backup`].
    pub fn prepare(
        self,
        choice: AutoBackup,
        passphrase: &str,
    ) -> Result<PreparedAutoBackup, VaultError> {
        let KeySlot::Passphrase { kdf, .. } = &self.slot else {
            return Err(VaultError::NoPassphrase);
        };
        let kdf = *kdf;
        match self.slot.open_with_passphrase(&self.vault_id, passphrase) {
            Some(Ok(key)) if seal::same(key.expose(), self.key.expose()) => {}
            Some(Err(SlotError::Kdf(e))) => return Err(VaultError::Kdf(e)),
            _ => return Err(VaultError::WrongPassphrase),
        }
        let setting = choice.encode(&backup_key(passphrase, kdf)?);
        Ok(PreparedAutoBackup {
            key: self.key,
            vault_id: self.vault_id,
            slot: self.slot,
            setting,
        })
    }
}
