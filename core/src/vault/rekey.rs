//! Changing the passphrase in two halves, so that a caller sharing the vault between threads
//! (the FFI) runs Argon2id without holding it: [`Vault::passphrase_change`] copies what the
//! derivation needs, [`PassphraseChange::derive`] runs away from the vault, and
//! [`Vault::apply_passphrase_change`] checks that nothing moved in between, then saves.

use super::write::Setting;
use super::*;
use crate::backup::auto::AutoBackup;

/// What a passphrase change needs from the vault ([`Vault::passphrase_change`]): a copy of the
/// vault key (zeroized on drop, never printed) and the automatic backup setting to rekey.
pub struct PassphraseChange {
    key: Key,
    vault_id: [u8; 16],
    auto_backup: Option<AutoBackup>,
}

/// A new passphrase slot derived away from the vault, for [`Vault::apply_passphrase_change`].
pub struct NewPassphrase {
    key: Key,
    vault_id: [u8; 16],
    slot: KeySlot,
    auto_backup: Option<(AutoBackup, Zeroizing<Vec<u8>>)>,
}

impl std::fmt::Debug for PassphraseChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PassphraseChange([redacted])")
    }
}

impl std::fmt::Debug for NewPassphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassphrase([redacted])")
    }
}

impl Vault {
    /// The first half of [`Vault::change_passphrase`]: what the slow derivation needs, copied
    /// out of the unlocked vault.
    pub fn passphrase_change(&self) -> Result<PassphraseChange, VaultError> {
        Ok(PassphraseChange {
            key: self.session()?.keys.root().clone(),
            vault_id: self.header.vault_id,
            auto_backup: self.auto_backup_to_rekey()?,
        })
    }

    /// The last half of [`Vault::change_passphrase`]: replaces the passphrase slot with the one
    /// [`PassphraseChange::derive`] made, and rekeys automatic backups. Refused as
    /// [`VaultError::ChangedElsewhere`] (nothing changed) if the vault was locked, replaced, or
    /// its automatic backups set differently in between.
    pub fn apply_passphrase_change(&mut self, new: NewPassphrase) -> Result<(), VaultError> {
        let session = self.session().map_err(|_| VaultError::ChangedElsewhere)?;
        let expected = new.auto_backup.as_ref().map(|(choice, _)| choice);
        if new.vault_id != self.header.vault_id
            || !seal::same(session.keys.root().expose(), new.key.expose())
            || self.auto_backup_to_rekey()?.as_ref() != expected
        {
            return Err(VaultError::ChangedElsewhere);
        }
        let mut header = self.header.clone();
        header
            .slots
            .retain(|s| !matches!(s, KeySlot::Passphrase { .. }));
        header.slots.insert(0, new.slot);
        // Automatic backups follow the passphrase: from now on they open with the new one
        // (those written before still open with the old one, as in Aegis).
        self.save(Change {
            auto_backup: new.auto_backup.map(|(_, sealed)| Setting::Set(sealed)),
            ..Change::header(header)
        })
    }
}

impl PassphraseChange {
    /// Derives the new passphrase slot (Argon2id at `kdf`; one shorter than
    /// [`MIN_PASSPHRASE_CHARS`] is [`VaultError::PassphraseTooShort`]), and the automatic
    /// backups' key for it when they are on.
    pub fn derive(self, new_passphrase: &str, kdf: KdfParams) -> Result<NewPassphrase, VaultError> {
        check_new_passphrase(new_passphrase)?;
        let slot = KeySlot::passphrase(&self.vault_id, &self.key, new_passphrase, kdf)?;
        let auto_backup = match self.auto_backup {
            Some(choice) => {
                let setting = choice.encode(&auto_backup::backup_key(new_passphrase, kdf)?);
                Some((choice, setting))
            }
            None => None,
        };
        Ok(NewPassphrase {
            key: self.key,
            vault_id: self.vault_id,
            slot,
            auto_backup,
        })
    }
}
