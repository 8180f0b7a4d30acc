//! One change, one transaction: records, header, index and MAC written together.

use super::*;

impl Vault {
    /// Writes a [`Change`] with the new index and header MAC in one transaction, then updates
    /// the decrypted state.
    pub(super) fn save(&mut self, change: Change) -> Result<(), VaultError> {
        let Change {
            upserts,
            removals,
            header: new_header,
            clock,
            keys: new_keys,
            sync_state,
        } = change;
        let session = self.session.as_mut().ok_or(VaultError::Locked)?;
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
        match &sync_state {
            Some(SyncState::Set(plain)) => {
                let sealed = keys.seal(plain, Place::SyncState).map_err(random_error)?;
                store::write_meta(&tx, meta::SYNC, &sealed)?;
            }
            Some(SyncState::Clear) => store::delete_meta(&tx, meta::SYNC)?,
            None => {}
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
    pub(super) sync_state: Option<SyncState>,
}

/// What a change does to the sync state.
pub(super) enum SyncState {
    /// Store this plaintext, sealed.
    Set(Zeroizing<Vec<u8>>),
    /// Remove it (sync turned off).
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
