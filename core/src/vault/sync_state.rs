//! What the sync engine (the top-level `sync` module) keeps in the vault: one sealed value, opaque here, written
//! in the same transaction as the account changes that a sync applies, so that a sync commits
//! all or nothing.

use super::write::Setting;
use super::*;

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

    /// Writes `upserts` (new accounts keep the id given), removes `removals` and stores the new
    /// sync `state`, in one transaction. The records are checked as [`Vault::add`] checks them.
    pub fn commit_sync(
        &mut self,
        upserts: Vec<Record>,
        removals: Vec<AccountId>,
        state: Zeroizing<Vec<u8>>,
    ) -> Result<(), VaultError> {
        self.session()?;
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
