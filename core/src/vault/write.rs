//! One change, one transaction: records, header, index and MAC written together.

use super::*;

impl Vault {
    /// Writes a [`Change`] with the new index and header MAC in one transaction, then updates
    /// the decrypted state. Then, if what a backup holds changed and automatic backups are on,
    /// writes one; its failure is kept for [`Vault::last_auto_backup`], never returned: the
    /// change is committed either way.
    pub(super) fn save(&mut self, change: Change) -> Result<(), VaultError> {
        let Change {
            upserts,
            removals,
            header: new_header,
            clock,
            keys: new_keys,
            sync_state,
            auto_backup,
        } = change;
        let session = self.session.as_mut().ok_or(VaultError::Locked)?;
        // What a backup holds: accounts, their extras and order (not when a code was last used).
        let backup_due = !removals.is_empty()
            || matches!(auto_backup, Some(Setting::Set(_)))
            || upserts.iter().any(|new| {
                session
                    .records
                    .iter()
                    .find(|r| r.id == new.id)
                    .is_none_or(|old| {
                        old.account != new.account
                            || old.extras != new.extras
                            || old.position != new.position
                    })
            });
        let keys = new_keys.as_ref().unwrap_or(&session.keys);
        let mut index = session.index.clone();
        index.generation = session.index.generation + 1;
        if clock.is_some() {
            index.clock = clock;
        }
        let mut written = Vec::with_capacity(upserts.len());
        let header_bytes = new_header.as_ref().map(Header::encode);

        // The write lock first, then the check that no other handle wrote since this session
        // read the index: its changes would otherwise be sealed out of the index.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let on_disk = store::read_meta(&tx, meta::INDEX)?
            .and_then(|sealed| session.keys.open(&sealed, Place::Index).ok())
            .and_then(|plain| decode_index(session.keys.format(), &plain));
        if on_disk.map(|i| i.generation) != Some(session.index.generation) {
            return Err(VaultError::ChangedElsewhere);
        }
        for record in upserts {
            let revision = index.revisions.get(&record.id).map_or(1, |r| r + 1);
            store::write_row(&tx, keys, &record, revision)?;
            index.revisions.insert(record.id, revision);
            written.push(record);
        }
        for id in &removals {
            store::delete_row(&tx, id)?;
            index.revisions.remove(id);
        }
        if let Some(bytes) = &header_bytes {
            store::write_meta(&tx, meta::HEADER, bytes)?;
            store::write_meta(&tx, meta::HEADER_SUM, &seal::sha256(bytes))?;
        }
        for (setting, name, place) in [
            (&sync_state, meta::SYNC, Place::SyncState),
            (&auto_backup, meta::AUTO_BACKUP, Place::AutoBackup),
        ] {
            match setting {
                Some(Setting::Set(plain)) => {
                    let sealed = keys.seal(plain, place).map_err(random_error)?;
                    store::write_meta(&tx, name, &sealed)?;
                }
                Some(Setting::Clear) => store::delete_meta(&tx, name)?,
                None => {}
            }
        }
        if keys.format() >= 2 {
            store::delete_meta(&tx, meta::CLOCK)?;
        }
        let sealed_index = keys
            .seal(&encode_index(keys.format(), &index), Place::Index)
            .map_err(random_error)?;
        store::write_meta(&tx, meta::INDEX, &sealed_index)?;
        let mac = keys.header_mac(
            header_bytes.as_deref().unwrap_or(&self.header_bytes),
            index.generation,
        );
        store::write_meta(&tx, meta::HEADER_MAC, &mac)?;
        tx.commit()?;

        if let Some(keys) = new_keys {
            session.keys = keys;
        }
        session.index = index;
        session.records.retain(|r| !removals.contains(&r.id));
        for record in written {
            match session.records.iter_mut().find(|r| r.id == record.id) {
                Some(slot) => *slot = record,
                None => session.records.push(record),
            }
        }
        sort(&mut session.records);
        if let (Some(header), Some(bytes)) = (new_header, header_bytes) {
            self.header = header;
            self.header_bytes = bytes;
            // A replaced slot must not linger in the WAL until some later checkpoint: on a
            // phone the app is killed, not closed, and that can be a long time.
            store::checkpoint(&self.conn)?;
        }
        if matches!(auto_backup, Some(Setting::Clear)) {
            self.auto_backup_outcome = None;
        } else if backup_due {
            self.write_auto_backup();
        }
        Ok(())
    }
}

/// One transaction's worth of changes.
#[derive(Default)]
pub(super) struct Change {
    /// Records to write, each at its next revision.
    pub(super) upserts: Vec<Record>,
    /// Accounts to delete.
    pub(super) removals: Vec<AccountId>,
    /// A new header (slots, or format after a migration).
    pub(super) header: Option<Header>,
    /// A new clock correction.
    pub(super) clock: Option<ClockOffset>,
    /// New keys to seal with from now on (a migration).
    pub(super) keys: Option<VaultKeys>,
    /// A new sync state, or its removal.
    pub(super) sync_state: Option<Setting>,
    /// A new automatic backup setting, or its removal.
    pub(super) auto_backup: Option<Setting>,
}

/// What a change does to a sealed setting (the sync state, automatic backups).
pub(super) enum Setting {
    /// Store this plaintext, sealed.
    Set(Zeroizing<Vec<u8>>),
    /// Remove it (turned off).
    Clear,
}

impl Change {
    pub(super) fn upsert(records: Vec<Record>) -> Self {
        Self {
            upserts: records,
            ..Self::default()
        }
    }

    pub(super) fn header(header: Header) -> Self {
        Self {
            header: Some(header),
            ..Self::default()
        }
    }
}
