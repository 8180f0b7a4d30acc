//! The device clock's correction, kept with the vault: a server's `Date` header checked once,
//! applied to every code the vault shows.

use std::time::{Duration, UNIX_EPOCH};

use jeton_core::clock::ClockOffset;

use crate::error::{JetonError, guard};
use crate::vault::Vault;

#[uniffi::export]
impl Vault {
    /// Checks the device clock against a server: `date_header` is the `Date` header of a
    /// response to a request sent at `request_sent_unix_ms` and answered at
    /// `response_received_unix_ms` (both on the device clock). The estimated offset is stored
    /// with the vault and applied by [`VaultAccounts::device_codes_at`]; returns it in seconds
    /// (server minus device).
    pub fn check_clock(
        &self,
        date_header: String,
        request_sent_unix_ms: u64,
        response_received_unix_ms: u64,
    ) -> Result<i64, JetonError> {
        guard(|| {
            let at = |ms: u64| UNIX_EPOCH + Duration::from_millis(ms);
            let offset = ClockOffset::from_date_header(
                &date_header,
                at(request_sent_unix_ms),
                at(response_received_unix_ms),
            )?;
            self.session()?.set_clock_offset(offset)?;
            Ok(offset.seconds())
        })
    }

    /// The stored clock offset in seconds (server minus device), if a clock check stored one.
    pub fn clock_offset_seconds(&self) -> Result<Option<i64>, JetonError> {
        guard(|| Ok(self.session()?.clock_offset()?.map(|o| o.seconds())))
    }
}
