//! The device clock's offset, estimated from a server's HTTP `Date` header.
//!
//! A phone whose clock is a minute or two off shows codes the server refuses; it is the most
//! common complaint of authenticator users. Any HTTPS response carries the server's time in its
//! `Date` header (RFC 9110 §6.6.1), to the second. Sending one request and noting the local time
//! before and after gives an estimate of the offset good to about half the round trip plus half a
//! second — plenty for 30-second codes.
//!
//! ```
//! use std::time::{Duration, UNIX_EPOCH};
//! use jeton_core::clock::ClockOffset;
//!
//! // The phone believes it is 784111897 (2 minutes late: it is fast); the server says 784111777.
//! let sent = UNIX_EPOCH + Duration::from_secs(784_111_897);
//! let received = sent + Duration::from_millis(200);
//! let offset = ClockOffset::from_date_header("Sun, 06 Nov 1994 08:49:37 GMT", sent, received)
//!     .unwrap();
//! assert_eq!(offset.seconds(), -120);
//! assert_eq!(offset.corrected(784_111_900), 784_111_780);
//! ```

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// A round trip longer than this says nothing useful about the server's time.
pub const MAX_ROUND_TRIP_MS: u64 = 30_000;

/// Why an offset could not be estimated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// The header is not an HTTP date such as `Sun, 06 Nov 1994 08:49:37 GMT`.
    #[error("the server's Date header {0:?} is not an HTTP date")]
    BadDate(String),
    /// The response was noted as received before the request was sent.
    #[error("the response was received before the request was sent; check the local times given")]
    ResponseBeforeRequest,
    /// The round trip took too long for the server's time to be trusted.
    #[error("the server took {0} ms to answer; try the clock check again on a better connection")]
    TooSlow(u64),
    /// A time lies before 1970 or too far in the future.
    #[error("a time is out of range")]
    OutOfRange,
}

/// How far the device clock is from the server's: add it to local time to get server time.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClockOffset {
    /// Server time minus local time, in milliseconds.
    offset_ms: i64,
    /// How far the estimate may be from the truth, in milliseconds.
    uncertainty_ms: u64,
}

impl ClockOffset {
    /// No correction: the device clock is trusted as it is.
    pub const ZERO: Self = Self {
        offset_ms: 0,
        uncertainty_ms: 0,
    };

    /// An offset known some other way (stored with an account, or measured by NTP), in seconds.
    pub const fn from_seconds(seconds: i64) -> Self {
        Self {
            offset_ms: seconds.saturating_mul(1000),
            uncertainty_ms: 0,
        }
    }

    /// Estimates the offset from the `Date` header of a response to a request sent at
    /// `local_request_sent` and answered at `local_response_received`, both read on the device
    /// clock being checked.
    ///
    /// The server wrote the header at some instant between the two, and truncated it to the
    /// second; the estimate takes the middle of both intervals.
    pub fn from_date_header(
        date: &str,
        local_request_sent: SystemTime,
        local_response_received: SystemTime,
    ) -> Result<Self, ClockError> {
        let server = httpdate::parse_http_date(date.trim())
            .map_err(|_| ClockError::BadDate(date.chars().take(64).collect()))?;
        let server_ms = millis(server)?;
        let sent_ms = millis(local_request_sent)?;
        let received_ms = millis(local_response_received)?;
        if received_ms < sent_ms {
            return Err(ClockError::ResponseBeforeRequest);
        }
        let round_trip = received_ms - sent_ms;
        if round_trip > MAX_ROUND_TRIP_MS {
            return Err(ClockError::TooSlow(round_trip));
        }
        // The server's instant lies in [server, server + 1 s); ours in [sent, received].
        let server_mid = i128::from(server_ms) + 500;
        let local_mid = i128::from(sent_ms) + i128::from(round_trip / 2);
        let offset_ms =
            i64::try_from(server_mid - local_mid).map_err(|_| ClockError::OutOfRange)?;
        Ok(Self {
            offset_ms,
            uncertainty_ms: round_trip / 2 + 500,
        })
    }

    /// Server time minus local time, rounded to the nearest second.
    pub fn seconds(&self) -> i64 {
        // Round half away from zero, on integers.
        let ms = self.offset_ms;
        if ms >= 0 {
            (ms + 500) / 1000
        } else {
            -((-ms + 500) / 1000)
        }
    }

    /// Server time minus local time, in milliseconds.
    pub fn millis(&self) -> i64 {
        self.offset_ms
    }

    /// How far the estimate may be from the truth, in milliseconds.
    pub fn uncertainty_ms(&self) -> u64 {
        self.uncertainty_ms
    }

    /// Whether the offset is large enough to change which code is shown: more than the
    /// estimate's own uncertainty and at least a second.
    pub fn is_significant(&self) -> bool {
        self.offset_ms.unsigned_abs() > self.uncertainty_ms.max(999)
    }

    /// The server's time at local Unix time `unix` (seconds), never below 0.
    pub fn corrected(&self, unix: u64) -> u64 {
        let corrected = i128::from(unix) + i128::from(self.seconds());
        u64::try_from(corrected.max(0)).unwrap_or(u64::MAX)
    }
}

fn millis(time: SystemTime) -> Result<u64, ClockError> {
    let since = time
        .duration_since(UNIX_EPOCH)
        .map_err(|_| ClockError::OutOfRange)?;
    u64::try_from(since.as_millis()).map_err(|_| ClockError::OutOfRange)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    // RFC 9110 §5.6.7 gives this date; 784111777 is its Unix time (1994-11-06T08:49:37Z).
    const RFC_DATE: &str = "Sun, 06 Nov 1994 08:49:37 GMT";
    const RFC_UNIX: u64 = 784_111_777;

    fn at(ms: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(ms)
    }

    #[test]
    fn a_clock_two_minutes_fast_is_corrected_back() {
        let sent = at((RFC_UNIX + 120) * 1000 + 100);
        let offset = ClockOffset::from_date_header(RFC_DATE, sent, sent).unwrap();
        assert_eq!(offset.seconds(), -120);
        assert!(offset.is_significant());
        assert_eq!(offset.corrected(RFC_UNIX + 150), RFC_UNIX + 30);
    }

    #[test]
    fn a_clock_behind_is_moved_forward() {
        let sent = at((RFC_UNIX - 90) * 1000);
        let received = sent + Duration::from_millis(400);
        let offset = ClockOffset::from_date_header(RFC_DATE, sent, received).unwrap();
        // Server mid-point 777.5 s, local mid-point 687.2 s: 90.3 s.
        assert_eq!(offset.millis(), 90_300);
        assert_eq!(offset.seconds(), 90);
        assert_eq!(offset.uncertainty_ms(), 700);
    }

    #[test]
    fn a_right_clock_needs_no_correction() {
        let sent = at(RFC_UNIX * 1000 + 300);
        let received = sent + Duration::from_millis(300);
        let offset = ClockOffset::from_date_header(RFC_DATE, sent, received).unwrap();
        assert!(!offset.is_significant());
        assert_eq!(offset.corrected(RFC_UNIX), RFC_UNIX);
    }

    #[test]
    fn the_obsolete_date_forms_are_read_too() {
        let sent = at(RFC_UNIX * 1000 + 500);
        for date in [
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            " Sun, 06 Nov 1994 08:49:37 GMT ",
        ] {
            let offset = ClockOffset::from_date_header(date, sent, sent).unwrap();
            assert_eq!(offset.millis(), 0, "{date}");
        }
    }

    #[test]
    fn bad_input_gets_a_typed_error() {
        let now = at(RFC_UNIX * 1000);
        assert!(matches!(
            ClockOffset::from_date_header("yesterday", now, now),
            Err(ClockError::BadDate(_))
        ));
        assert_eq!(
            ClockOffset::from_date_header(RFC_DATE, now, at(RFC_UNIX * 1000 - 1)),
            Err(ClockError::ResponseBeforeRequest)
        );
        assert_eq!(
            ClockOffset::from_date_header(RFC_DATE, now, now + Duration::from_secs(31)),
            Err(ClockError::TooSlow(31_000))
        );
    }

    #[test]
    fn correction_never_goes_below_zero() {
        assert_eq!(ClockOffset::from_seconds(-100).corrected(30), 0);
        assert_eq!(ClockOffset::from_seconds(100).corrected(30), 130);
        assert_eq!(ClockOffset::ZERO.corrected(30), 30);
    }

    #[test]
    fn it_round_trips_through_serde() {
        let offset = ClockOffset::from_seconds(-120);
        let json = serde_json::to_string(&offset).unwrap();
        let back: ClockOffset = serde_json::from_str(&json).unwrap();
        assert_eq!(back, offset);
    }
}
