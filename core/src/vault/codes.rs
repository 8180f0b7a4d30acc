//! Codes as a list shows them, and the clock correction they are shown with.

use super::*;

/// The code of one account at one instant, as [`Vault::codes_at`] returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountCode {
    /// The account.
    pub id: AccountId,
    /// Its code now.
    pub current: CurrentCode,
}

/// An account's code at an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CurrentCode {
    /// A time-based code with its seconds left.
    Ready(Code),
    /// A counter-based (HOTP) account: its next code is taken with [`Vault::next_hotp`], which
    /// commits the counter first. Showing it here could show a code twice.
    CounterBased,
    /// The parameters cannot make a code at this instant.
    Unavailable(OtpError),
}

impl Vault {
    /// The code of every account at `unix` seconds, in the user's order, in one call.
    pub fn codes_at(&self, unix: u64) -> Result<Vec<AccountCode>, VaultError> {
        Ok(self
            .session()?
            .records
            .iter()
            .map(|r| {
                let account = &r.account;
                let current = if account.params.kind == Kind::Hotp {
                    CurrentCode::CounterBased
                } else {
                    match account.code_at(unix) {
                        Ok(code) => CurrentCode::Ready(code),
                        Err(e) => CurrentCode::Unavailable(e),
                    }
                };
                AccountCode { id: r.id, current }
            })
            .collect())
    }

    /// The codes of every account at `device_unix` seconds on the device's own clock, corrected
    /// by the clock offset stored with [`Vault::set_clock_offset`] (if any). This is what a
    /// code ticker calls: a phone whose clock is minutes off still shows the right codes.
    pub fn device_codes_at(&self, device_unix: u64) -> Result<Vec<AccountCode>, VaultError> {
        self.codes_at(self.true_time(device_unix)?)
    }

    /// The true time (Unix seconds) at `device_unix` on the device's clock: corrected by the
    /// clock offset stored with this vault, if any.
    pub fn true_time(&self, device_unix: u64) -> Result<u64, VaultError> {
        Ok(self
            .session()?
            .index
            .clock
            .map_or(device_unix, |offset| offset.corrected(device_unix)))
    }

    /// The device clock's correction stored with this vault, if a clock check stored one.
    pub fn clock_offset(&self) -> Result<Option<ClockOffset>, VaultError> {
        Ok(self.session()?.index.clock)
    }

    /// Stores the device clock's correction (from [`ClockOffset::from_date_header`]) with the
    /// vault, sealed in the account index under the vault key, in one transaction. Being in the
    /// index, it is covered by the index generation and the header MAC: an older sealed value
    /// replayed into the file is refused like a rolled-back index.
    pub fn set_clock_offset(&mut self, offset: ClockOffset) -> Result<(), VaultError> {
        let session = self.session.as_mut().ok_or(VaultError::Locked)?;
        if session.keys.format() >= 2 {
            return self.save(Change {
                clock: Some(offset),
                ..Change::default()
            });
        }
        // A format-1 vault that could not be migrated keeps its clock apart, as it did.
        let plain = Zeroizing::new(serde_json::to_vec(&offset).unwrap_or_default());
        let sealed = session
            .keys
            .seal(&plain, Place::Clock)
            .map_err(random_error)?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        store::write_meta(&tx, meta::CLOCK, &sealed)?;
        tx.commit()?;
        session.index.clock = Some(offset);
        Ok(())
    }
}
