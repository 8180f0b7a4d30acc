//! What the sync engine (the top-level `sync` module) keeps in the vault: one sealed value, opaque here, written
//! in the same transaction as the account changes that a sync applies, so that a sync commits
//! all or nothing.

use super::write::Setting;
use super::*;

/// Where an unlocked vault stood at one moment (its file and its index generation): what the sync
/// read is still current if the vault's stamp has not moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    vault_id: [u8; 16],
    generation: u64,
}

impl Vault {
    /// Every account with its secret, in the user's order.
    pub fn records(&self) -> Result<Vec<Record>, VaultError> {
        Ok(self.session()?.records.clone())
    }

    /// The sync state as last committed, opened; `None` if sync is not set up.
    pub fn sync_state(&self) -> Result<Option<Zeroizing<Vec<u8>>>, VaultError> {
        let session = self.session()?;
        let Some(sealed) = store::read_meta(&self.conn, meta::SYNC)? else {
            return Ok(None);
        };
        session
            .keys
            .open(&sealed, Place::SyncState)
            .map(Some)
            .map_err(|_| VaultError::Damaged(Damage::SyncState))
    }

    /// Where this unlocked vault stands now; any later write (through this handle or another)
    /// moves it on.
    pub fn stamp(&self) -> Result<Stamp, VaultError> {
        Ok(Stamp {
            vault_id: self.header.vault_id,
            generation: self.session()?.index.generation,
        })
    }

    /// Writes `upserts` (new accounts keep the id given), removes `removals` and stores the new
    /// sync `state`, in one transaction, if the vault still stands where it did at `since`
    /// (from [`Vault::stamp`] when the sync read it); otherwise
    /// [`VaultError::ChangedElsewhere`] and nothing is written. The records are checked as
    /// [`Vault::add`] checks them.
    pub fn commit_sync(
        &mut self,
        since: Stamp,
        upserts: Vec<Record>,
        removals: Vec<AccountId>,
        state: Zeroizing<Vec<u8>>,
    ) -> Result<(), VaultError> {
        if self.stamp()? != since {
            return Err(VaultError::ChangedElsewhere);
        }
        for record in &upserts {
            check(&record.account)?;
        }
        self.save(Change {
            upserts,
            removals,
            sync_state: Some(Setting::Set(state)),
            ..Change::default()
        })
    }

    /// Removes the sync state (this device leaves sync); accounts are untouched.
    pub fn clear_sync_state(&mut self) -> Result<(), VaultError> {
        self.session()?;
        self.save(Change {
            sync_state: Some(Setting::Clear),
            ..Change::default()
        })
    }
}
