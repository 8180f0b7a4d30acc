//! Unlocking: the key slots, the checks, decrypting every account, and the migration of an
//! older format.

use super::*;

/// The unlocked state: the key and every account, decrypted.
pub(super) struct Session {
    pub(super) keys: VaultKeys,
    pub(super) index: Index,
    pub(super) records: Vec<Record>,
    pub(super) damaged: Vec<Damage>,
}

impl Vault {
    /// Reads the header again: another handle (e.g. the CLI) may have changed the slots since
    /// this one was opened.
    fn reload_header(&mut self) -> Result<(), VaultError> {
        let bytes = store::read_meta(&self.conn, meta::HEADER)?
            .ok_or(VaultError::Damaged(Damage::Header))?;
        let sum = store::read_meta(&self.conn, meta::HEADER_SUM)?;
        self.header = check_header(&bytes, sum.as_deref())?;
        self.header_bytes = bytes;
        Ok(())
    }

    /// Unlocks with the passphrase.
    pub fn unlock_with_passphrase(&mut self, passphrase: &str) -> Result<(), VaultError> {
        let key = self.unlocker()?.with_passphrase(passphrase)?;
        self.unlock_with_key(key)
    }

    /// Unlocks with the platform's keystore. [`VaultError::KeystoreKeyGone`] means the user
    /// must open the vault with the passphrase instead.
    pub fn unlock_with(&mut self, wrapper: &dyn KeyWrapper) -> Result<(), VaultError> {
        let key = self.unlocker()?.with_wrapper(wrapper)?;
        self.unlock_with_key(key)
    }

    /// The first half of an unlock, for callers that share the vault between threads: the key
    /// slots as they are now, to be opened (Argon2id, or the platform's keystore with its
    /// prompt) **without holding the vault**, so that other readers are not blocked and a key
    /// wrapper may call back into the vault. Finish with [`Vault::unlock_with_key`].
    pub fn unlocker(&mut self) -> Result<Unlocker, VaultError> {
        self.in_one_snapshot(Self::reload_header)?;
        Ok(Unlocker {
            header: self.header.clone(),
        })
    }

    /// Runs `read` in one read transaction, so that every statement in it sees the same
    /// commit. Read one by one, another handle's commit between two reads (the header and its
    /// checksum, the index and its rows) would look like tampering. Nothing may be written in
    /// `read`.
    fn in_one_snapshot<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> Result<T, VaultError>,
    ) -> Result<T, VaultError> {
        self.conn.execute_batch("BEGIN DEFERRED")?;
        let result = read(self);
        // Ending a read-only transaction: a failed COMMIT is rolled back instead.
        if self.conn.execute_batch("COMMIT").is_err() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        result
    }

    /// The second half of an unlock: starts the session with a key that an [`Unlocker`] of
    /// this vault recovered. Refused as [`VaultError::ChangedElsewhere`] if the key slots
    /// changed in between (unlock again).
    pub fn unlock_with_key(&mut self, key: UnlockKey) -> Result<(), VaultError> {
        self.in_one_snapshot(|vault| {
            vault.reload_header()?;
            let keys = VaultKeys::new(key.key.clone(), vault.header.vault_id, vault.header.format);
            if key.vault_id != vault.header.vault_id
                || keys.open(&vault.header.canary, Place::Canary).is_err()
            {
                return Err(VaultError::ChangedElsewhere);
            }
            vault.start_session(key.key)
        })?;
        if self.header.format < FORMAT && self.damaged().is_empty() {
            // All or nothing, in one transaction; if it cannot be written (a read-only file,
            // another writer), the vault stays readable in its old format and migrates later.
            let _ = self.migrate();
        }
        Ok(())
    }

    /// Reads the vault again with the key this session holds, after another handle wrote to it
    /// (a write refused as [`VaultError::ChangedElsewhere`] can then be made again on what is
    /// there now). [`VaultError::Locked`] when locked; [`VaultError::ChangedElsewhere`] if the
    /// vault key itself changed (unlock with the passphrase).
    pub fn reload(&mut self) -> Result<(), VaultError> {
        let root = self.session()?.keys.root().clone();
        let vault_id = self.header.vault_id;
        self.unlock_with_key(UnlockKey {
            key: root,
            vault_id,
        })
    }

    /// Checks the key against the canary and the header MAC, then decrypts every account.
    /// Damage confined to some accounts does not stop the unlock: those accounts are left out
    /// of every list and reported by [`Vault::damaged`], and their rows are kept untouched.
    /// Only reads (the caller rewrites an intact vault of an older format afterwards).
    fn start_session(&mut self, root: Key) -> Result<(), VaultError> {
        let format = self.header.format;
        let keys = VaultKeys::new(root, self.header.vault_id, format);
        if keys.open(&self.header.canary, Place::Canary).is_err() {
            return Err(VaultError::Damaged(Damage::Header));
        }
        let sealed_index = store::read_meta(&self.conn, meta::INDEX)?
            .ok_or(VaultError::Damaged(Damage::AccountIndex))?;
        let plain_index = keys
            .open(&sealed_index, Place::Index)
            .map_err(|_| VaultError::Damaged(Damage::AccountIndex))?;
        let mut index =
            decode_index(format, &plain_index).ok_or(VaultError::Damaged(Damage::AccountIndex))?;
        let stored_mac = store::read_meta(&self.conn, meta::HEADER_MAC)?.unwrap_or_default();
        if !seal::same(
            &stored_mac,
            &keys.header_mac(&self.header_bytes, index.generation),
        ) {
            return Err(VaultError::Damaged(Damage::Header));
        }

        let mut records = Vec::with_capacity(index.revisions.len());
        let mut damaged = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for row in store::read_rows(&self.conn)? {
            let (Some(id), Some(revision)) = (row.id, row.revision) else {
                damaged.push(Damage::UnreadableRow);
                continue;
            };
            let id = AccountId::from_bytes(id);
            if !seen.insert(id) {
                continue;
            }
            match index.revisions.get(&id) {
                None => {
                    damaged.push(Damage::UnknownAccount { account: id });
                    continue;
                }
                Some(expected) if *expected != revision => {
                    damaged.push(Damage::StaleAccount { account: id });
                    continue;
                }
                Some(_) => {}
            }
            let mut record = Record::blank(id);
            let mut broken = None;
            for (field, sealed) in Field::ALL.into_iter().zip(&row.fields) {
                let ok = sealed.as_ref().is_some_and(|sealed| {
                    keys.open(sealed, Place::Field(&id, revision, field))
                        .ok()
                        .is_some_and(|plain| {
                            record::decode_field(&mut record, field, &plain).is_ok()
                        })
                });
                if !ok {
                    broken = Some(field);
                    break;
                }
            }
            match broken {
                Some(field) => damaged.push(Damage::Field { account: id, field }),
                None => records.push(record),
            }
        }
        for id in index.revisions.keys() {
            if !seen.contains(id) {
                damaged.push(Damage::MissingAccount { account: *id });
            }
        }
        sort(&mut records);
        if format < 2 {
            // Format 1 kept the clock correction apart from the index.
            if let Some(sealed) = store::read_meta(&self.conn, meta::CLOCK)? {
                let plain = keys.open(&sealed, Place::Clock).ok();
                index.clock = plain.and_then(|p| serde_json::from_slice(&p).ok());
                if index.clock.is_none() {
                    damaged.push(Damage::ClockOffset);
                }
            }
        }
        self.session = Some(Session {
            keys,
            index,
            records,
            damaged,
        });
        Ok(())
    }

    /// Rewrites an intact older-format vault in [`FORMAT`]: a new header (format and canary),
    /// every account, the index (now with the clock correction) and the header MAC, under the
    /// current format's keys, in one transaction.
    fn migrate(&mut self) -> Result<(), VaultError> {
        let session = self.session()?;
        let keys = VaultKeys::new(session.keys.root().clone(), self.header.vault_id, FORMAT);
        let mut header = self.header.clone();
        header.format = FORMAT;
        header.canary = keys.seal(CANARY, Place::Canary).map_err(random_error)?;
        let records = session.records.clone();
        self.save(Change {
            upserts: records,
            header: Some(header),
            keys: Some(keys),
            ..Change::default()
        })
    }

    /// Forgets the key and every decrypted account (secrets are zeroized).
    pub fn lock(&mut self) {
        self.session = None;
    }

    pub(super) fn session(&self) -> Result<&Session, VaultError> {
        self.session.as_ref().ok_or(VaultError::Locked)
    }

    pub(super) fn stored(&self, id: AccountId) -> Result<&Record, VaultError> {
        self.session()?
            .records
            .iter()
            .find(|r| r.id == id)
            .ok_or(VaultError::NoSuchAccount(id))
    }

    /// What was found damaged or tampered with at unlock (empty when locked or intact).
    pub fn damaged(&self) -> &[Damage] {
        self.session.as_ref().map_or(&[], |s| &s.damaged)
    }
}

/// The key slots of a vault at one moment, opened away from the vault (see [`Vault::unlocker`]).
pub struct Unlocker {
    header: Header,
}

/// A vault key recovered by an [`Unlocker`]; zeroized on drop, never printed.
pub struct UnlockKey {
    key: Key,
    vault_id: [u8; 16],
}

impl std::fmt::Debug for UnlockKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UnlockKey([redacted])")
    }
}

impl Unlocker {
    /// Recovers the key from the passphrase slot (Argon2id: the slow part of an unlock).
    pub fn with_passphrase(&self, passphrase: &str) -> Result<UnlockKey, VaultError> {
        let mut result = Err(VaultError::NoPassphrase);
        for slot in &self.header.slots {
            match slot.open_with_passphrase(&self.header.vault_id, passphrase) {
                None => {}
                Some(Ok(key)) => return Ok(self.found(key)),
                Some(Err(e)) => result = Err(e.into()),
            }
        }
        result
    }

    /// Recovers the key with the platform's keystore (which may show a prompt).
    /// [`VaultError::KeystoreKeyGone`] means: ask for the passphrase instead.
    pub fn with_wrapper(&self, wrapper: &dyn KeyWrapper) -> Result<UnlockKey, VaultError> {
        let mut failure = None;
        for slot in &self.header.slots {
            let KeySlot::Platform { wrapped } = slot else {
                continue;
            };
            match wrapper.unwrap(wrapped) {
                Ok(bytes) => {
                    let bytes = Zeroizing::new(bytes);
                    let Some(key) = Key::from_slice(&bytes) else {
                        continue;
                    };
                    let keys =
                        VaultKeys::new(key.clone(), self.header.vault_id, self.header.format);
                    if keys.open(&self.header.canary, Place::Canary).is_ok() {
                        return Ok(self.found(key));
                    }
                }
                Err(KeyWrapError::KeyGone) => {}
                Err(KeyWrapError::Failed(why)) => failure = Some(why),
            }
        }
        Err(failure.map_or(VaultError::KeystoreKeyGone, VaultError::Keystore))
    }

    fn found(&self, key: Key) -> UnlockKey {
        UnlockKey {
            key,
            vault_id: self.header.vault_id,
        }
    }
}
