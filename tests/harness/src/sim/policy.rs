//! The verification policy's numbers and the throttle's arithmetic (RFC 4226 §7.3, NIST SP
//! 800-63B §5.2.2): pure functions of a failure record and the time, so they are tested alone;
//! [`super::store`] keeps the record in SQLite so that it survives restarts.

/// Steps accepted on either side of the server's current one (RFC 6238 §5.2).
pub const WINDOW: u32 = 1;
/// Consecutive failures that cost nothing (typos happen).
pub const FREE_FAILURES: u32 = 3;
/// Consecutive failures after which the account is locked.
pub const LOCKOUT_AFTER: u32 = 10;
/// How long a lockout lasts, in seconds.
pub const LOCKOUT_SECONDS: u64 = 15 * 60;
/// Failures allowed in any hour, whatever happens in between.
pub const MAX_FAILURES_PER_HOUR: u32 = 100;
/// Email codes live this long, in seconds.
pub const EMAIL_CODE_LIFETIME: u64 = 10 * 60;
/// Email codes that may be sent to one account in [`EMAIL_SEND_WINDOW`] seconds.
pub const EMAIL_SENDS_PER_WINDOW: u32 = 5;
/// The window over which email sends are counted, in seconds.
pub const EMAIL_SEND_WINDOW: u64 = 10 * 60;
/// Bytes of a new authenticator secret: 160 bits (RFC 4226 §4 recommends them).
pub const SECRET_BYTES: usize = 20;

/// What is remembered of an account's failures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FailureRecord {
    /// Failures since the last success.
    pub consecutive: u32,
    /// When the last failure happened.
    pub last_failure: Option<u64>,
    /// Failures in the hour before now.
    pub in_last_hour: u32,
    /// When the oldest failure of the last hour happened.
    pub oldest_in_last_hour: Option<u64>,
}

/// Whether an attempt may be checked now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gate {
    /// Check it.
    Open,
    /// Refuse it unchecked; try again in `retry_after` seconds.
    Closed {
        /// Seconds to wait.
        retry_after: u64,
        /// Locked out (10 failures, or the hourly cap), rather than slowed down.
        locked: bool,
    },
}

/// The delay imposed after `consecutive` failures, in seconds: none for the first
/// [`FREE_FAILURES`], then 2, 4, 8 … 64 s, then a lockout of [`LOCKOUT_SECONDS`].
pub fn delay_after(consecutive: u32) -> u64 {
    if consecutive <= FREE_FAILURES {
        0
    } else if consecutive >= LOCKOUT_AFTER {
        LOCKOUT_SECONDS
    } else {
        1u64 << (consecutive - FREE_FAILURES)
    }
}

/// Decides whether an attempt at `now` may be checked.
pub fn gate(record: &FailureRecord, now: u64) -> Gate {
    if record.in_last_hour >= MAX_FAILURES_PER_HOUR {
        let oldest = record.oldest_in_last_hour.unwrap_or(now);
        let until = oldest + 3600;
        if until > now {
            return Gate::Closed {
                retry_after: until - now,
                locked: true,
            };
        }
    }
    let Some(last) = record.last_failure else {
        return Gate::Open;
    };
    let until = last.saturating_add(delay_after(record.consecutive));
    if until > now {
        Gate::Closed {
            retry_after: until - now,
            locked: record.consecutive >= LOCKOUT_AFTER,
        }
    } else {
        Gate::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(consecutive: u32, last: u64) -> FailureRecord {
        FailureRecord {
            consecutive,
            last_failure: Some(last),
            in_last_hour: consecutive,
            oldest_in_last_hour: Some(last),
        }
    }

    #[test]
    fn the_delay_grows_then_locks() {
        let delays: Vec<u64> = (0..=11).map(delay_after).collect();
        assert_eq!(delays, [0, 0, 0, 0, 2, 4, 8, 16, 32, 64, 900, 900]);
    }

    #[test]
    fn a_clean_record_is_open() {
        assert_eq!(gate(&FailureRecord::default(), 1000), Gate::Open);
    }

    #[test]
    fn a_slowed_account_waits_its_delay() {
        let record = after(5, 1000);
        assert_eq!(
            gate(&record, 1001),
            Gate::Closed {
                retry_after: 3,
                locked: false
            }
        );
        assert_eq!(gate(&record, 1004), Gate::Open);
    }

    #[test]
    fn ten_failures_lock_for_fifteen_minutes() {
        let record = after(10, 1000);
        assert_eq!(
            gate(&record, 1000),
            Gate::Closed {
                retry_after: 900,
                locked: true
            }
        );
        assert_eq!(
            gate(&record, 1899),
            Gate::Closed {
                retry_after: 1,
                locked: true
            }
        );
        assert_eq!(gate(&record, 1900), Gate::Open);
    }

    #[test]
    fn the_hourly_cap_holds_even_without_consecutive_failures() {
        let record = FailureRecord {
            consecutive: 0,
            last_failure: Some(3000),
            in_last_hour: 100,
            oldest_in_last_hour: Some(1000),
        };
        assert_eq!(
            gate(&record, 3000),
            Gate::Closed {
                retry_after: 1600,
                locked: true
            }
        );
        let fewer = FailureRecord {
            in_last_hour: 99,
            ..record
        };
        assert_eq!(gate(&fewer, 3000), Gate::Open);
    }
}
