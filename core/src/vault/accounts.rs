//! Changing accounts: add, update, reorder, remove, and taking HOTP codes.

use super::*;

impl Vault {
    /// Adds an account at the end of the list.
    pub fn add(&mut self, account: Account) -> Result<AccountId, VaultError> {
        self.add_with(account, Extras::default())
    }

    /// Adds an account with its favourite flag, groups, note and icon hint.
    pub fn add_with(&mut self, account: Account, extras: Extras) -> Result<AccountId, VaultError> {
        check(&account)?;
        let session = self.session()?;
        let position = session
            .records
            .iter()
            .map(|r| r.position.saturating_add(1))
            .max()
            .unwrap_or(0);
        let mut id = AccountId::random();
        while session.index.revisions.contains_key(&id) {
            id = AccountId::random();
        }
        let record = Record {
            id,
            account,
            position,
            extras,
            created_at: now_unix(),
            last_used_at: None,
        };
        self.save(Change::upsert(vec![record]))?;
        Ok(id)
    }

    /// Adds several accounts at the end of the list in one transaction: all of them or, on any
    /// error (an unusable account, a write failure), none. Returns their ids in order.
    pub fn add_all(
        &mut self,
        accounts: Vec<(Account, Extras)>,
    ) -> Result<Vec<AccountId>, VaultError> {
        for (account, _) in &accounts {
            check(account)?;
        }
        let session = self.session()?;
        let mut position = session
            .records
            .iter()
            .map(|r| r.position.saturating_add(1))
            .max()
            .unwrap_or(0);
        let created_at = now_unix();
        let mut records = Vec::with_capacity(accounts.len());
        let mut ids = Vec::with_capacity(accounts.len());
        for (account, extras) in accounts {
            let mut id = AccountId::random();
            while session.index.revisions.contains_key(&id) || ids.contains(&id) {
                id = AccountId::random();
            }
            ids.push(id);
            records.push(Record {
                id,
                account,
                position,
                extras,
                created_at,
                last_used_at: None,
            });
            position = position.saturating_add(1);
        }
        if !records.is_empty() {
            self.save(Change::upsert(records))?;
        }
        Ok(ids)
    }

    /// Replaces an account's issuer, name, secret and code parameters.
    pub fn update(&mut self, id: AccountId, account: Account) -> Result<(), VaultError> {
        check(&account)?;
        let mut record = self.stored(id)?.clone();
        record.account = account;
        self.save(Change::upsert(vec![record]))
    }

    /// Replaces an account's favourite flag, groups, note and icon hint.
    pub fn set_extras(&mut self, id: AccountId, extras: Extras) -> Result<(), VaultError> {
        let mut record = self.stored(id)?.clone();
        record.extras = extras;
        self.save(Change::upsert(vec![record]))
    }

    /// Changes an account's issuer and name.
    pub fn rename(
        &mut self,
        id: AccountId,
        issuer: Option<String>,
        name: String,
    ) -> Result<(), VaultError> {
        crate::account::check_label(issuer.as_deref(), &name)?;
        let mut record = self.stored(id)?.clone();
        record.account.issuer = issuer;
        record.account.name = name;
        self.save(Change::upsert(vec![record]))
    }

    /// Puts `order` first, in that order; the other accounts follow in their current order.
    pub fn reorder(&mut self, order: &[AccountId]) -> Result<(), VaultError> {
        let session = self.session()?;
        for id in order {
            self.stored(*id)?;
        }
        let mut ids: Vec<AccountId> = Vec::with_capacity(session.records.len());
        for id in order {
            if !ids.contains(id) {
                ids.push(*id);
            }
        }
        for r in &session.records {
            if !ids.contains(&r.id) {
                ids.push(r.id);
            }
        }
        let mut changed = Vec::new();
        for (position, id) in ids.into_iter().enumerate() {
            let record = self.stored(id)?;
            let position = u32::try_from(position).unwrap_or(u32::MAX);
            if record.position != position {
                let mut record = record.clone();
                record.position = position;
                changed.push(record);
            }
        }
        if changed.is_empty() {
            return Ok(());
        }
        self.save(Change::upsert(changed))
    }

    /// Removes an account.
    pub fn remove(&mut self, id: AccountId) -> Result<(), VaultError> {
        self.stored(id)?;
        self.save(Change {
            removals: vec![id],
            ..Change::default()
        })
    }

    /// Records that a code of the account was used at `unix`.
    pub fn mark_used(&mut self, id: AccountId, unix: u64) -> Result<(), VaultError> {
        let mut record = self.stored(id)?.clone();
        record.last_used_at = Some(unix);
        self.save(Change::upsert(vec![record]))
    }

    /// The next code of a counter-based (HOTP) account. The advanced counter is committed
    /// before the code is returned: a crash can skip a code, never show one twice.
    pub fn next_hotp(&mut self, id: AccountId) -> Result<Code, VaultError> {
        let mut record = self.stored(id)?.clone();
        if record.account.params.kind != Kind::Hotp {
            return Err(VaultError::NotCounterBased(id));
        }
        let code = otp::generate(&record.account.secret, &record.account.params, 0)?;
        record.account.params.counter = record
            .account
            .params
            .counter
            .checked_add(1)
            .ok_or(VaultError::CounterExhausted(id))?;
        record.last_used_at = Some(now_unix());
        self.save(Change::upsert(vec![record]))?;
        Ok(code)
    }
}
