//! Phone to phone with no storage at all: the old phone shows its accounts as a short series of
//! sealed QR codes and a code beside them; the new phone scans every QR code (in any order),
//! types the code, and imports. Like Google Authenticator's export, but sealed: a photo of the
//! QR codes alone opens nothing, and the series expires after ten minutes.
//!
//! Each QR code's text is `JETON-MOVE:1:<batch>:<i>:<n>:<part>`: a random 4-character batch (so
//! two series never mix), the part's number and the count, and a slice of the base32 body
//! sealed by [`crate::seal::code`] (Argon2id of the code, XChaCha20-Poly1305) over
//! `expiry (u64 BE) ‖ one otpauth:// URI per line`. Everything is upper-case base32, digits and
//! `:-`, so each QR code uses the compact alphanumeric mode.
//!
//! ```
//! use jeton_core::{handoff, uri};
//!
//! let account = uri::parse("otpauth://totp/Omnivox:2412345?secret=GEZDGNBVGY3TQOJQ").unwrap();
//! let sent = handoff::show_with(&[account.clone()], 1_000, handoff::test_kdf()).unwrap();
//! let mut receiver = handoff::Receiver::default();
//! for frame in sent.frames.iter().rev() {
//!     receiver.add(frame).unwrap();
//! }
//! let imported = receiver.open(&sent.code, 1_060).unwrap();
//! assert_eq!(imported.entries[0].account, account);
//! ```

use std::collections::BTreeMap;

use data_encoding::BASE32_NOPAD;
use zeroize::Zeroizing;

use crate::Account;
use crate::export;
use crate::import::{self, Format, Imported};
use crate::seal::code::{self, CodeError};
use crate::seal::{Context, KdfParams, fill_random};

/// What every QR code of a series starts with.
pub const PREFIX: &str = "JETON-MOVE:1:";
/// Base32 characters of the body per QR code: about a version-17 QR code at medium error
/// correction, which a phone reads off another phone's screen at a glance.
pub const PART_LEN: usize = 700;
/// The most QR codes in one series (about 200 accounts).
pub const MAX_PARTS: usize = 64;
/// How long a series is valid, in seconds.
pub const LIFETIME_SECS: u64 = 600;
const VERSION: u8 = 1;
const BATCH_LEN: usize = 4;

/// Why a series could not be shown or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandoffError {
    /// The text is not one of Jeton's moving QR codes.
    #[error(
        "this is not a QR code of Jeton's \"move to a new phone\"; scan the codes the old phone shows"
    )]
    NotAHandoff,
    /// A QR code of another series than the ones scanned so far.
    #[error(
        "this QR code belongs to another series than the ones scanned so far; scan again from the first"
    )]
    OtherSeries,
    /// Not every QR code of the series has been scanned.
    #[error("{missing} of the {total} QR codes are still to scan")]
    Incomplete {
        /// How many are missing.
        missing: usize,
        /// How many the series has.
        total: usize,
    },
    /// The code does not open the series (or a QR code was altered).
    #[error("the code does not match these QR codes; type the code shown beside them")]
    WrongCode,
    /// The series is older than [`LIFETIME_SECS`].
    #[error("these QR codes have expired; show them again on the old phone")]
    Expired,
    /// Too many accounts for one series.
    #[error("too many accounts for one series of QR codes ({0} QR codes; at most {MAX_PARTS})")]
    TooMany(usize),
    /// The accounts inside could not be read.
    #[error("the accounts inside cannot be read: {0}")]
    Unreadable(String),
    /// The system's random generator failed.
    #[error("the system's random number generator failed")]
    Random,
}

/// A series to show: one QR code per frame, and the code to show beside them.
pub struct Handoff {
    /// The QR codes' texts, in order.
    pub frames: Vec<String>,
    /// The code (`ABCDE-FGHIJ`) the new phone asks for.
    pub code: Zeroizing<String>,
}

impl std::fmt::Debug for Handoff {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handoff")
            .field("frames", &self.frames.len())
            .field("code", &"[redacted]")
            .finish()
    }
}

fn context(salt: &[u8]) -> Context<'_> {
    Context::Handoff {
        version: VERSION,
        salt,
    }
}

/// The series for `accounts` at `now` (Unix seconds), sealed with a fresh code.
pub fn show(accounts: &[Account], now: u64) -> Result<Handoff, HandoffError> {
    show_with(accounts, now, KdfParams::DEFAULT)
}

/// Cheap Argon2id costs for tests and examples.
#[cfg(any(test, feature = "test-params"))]
#[doc(hidden)]
pub fn test_kdf() -> KdfParams {
    KdfParams::INSECURE_FAST_FOR_TESTS
}

/// [`show`] with chosen Argon2id costs.
#[doc(hidden)]
pub fn show_with(accounts: &[Account], now: u64, kdf: KdfParams) -> Result<Handoff, HandoffError> {
    let list = export::otpauth_list(accounts);
    let mut plain = Zeroizing::new(Vec::with_capacity(8 + list.len()));
    plain.extend_from_slice(&(now + LIFETIME_SECS).to_be_bytes());
    plain.extend_from_slice(list.as_bytes());
    let sealed = code::seal(&plain, kdf, context).map_err(|_| HandoffError::Random)?;
    let body = BASE32_NOPAD.encode(&sealed.body);
    let total = body.len().div_ceil(PART_LEN);
    if total > MAX_PARTS {
        return Err(HandoffError::TooMany(total));
    }
    let mut batch_bits = [0u8; 3];
    fill_random(&mut batch_bits).map_err(|_| HandoffError::Random)?;
    let batch = &BASE32_NOPAD.encode(&batch_bits)[..BATCH_LEN];
    let frames = body
        .as_bytes()
        .chunks(PART_LEN)
        .enumerate()
        .map(|(i, part)| {
            // Base32 output is ASCII, so every chunk is valid UTF-8.
            let part = std::str::from_utf8(part).unwrap_or_default();
            format!("{PREFIX}{batch}:{}:{total}:{part}", i + 1)
        })
        .collect();
    Ok(Handoff {
        frames,
        code: sealed.code,
    })
}

/// Collects the QR codes of one series as they are scanned, in any order, repeats ignored.
#[derive(Debug, Default)]
pub struct Receiver {
    batch: Option<String>,
    total: usize,
    parts: BTreeMap<usize, String>,
}

/// How far a [`Receiver`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// QR codes scanned so far (each counted once).
    pub scanned: usize,
    /// QR codes in the series.
    pub total: usize,
}

impl Progress {
    /// Whether every QR code has been scanned.
    pub fn is_complete(&self) -> bool {
        self.scanned == self.total
    }
}

impl Receiver {
    /// Takes one scanned QR code's text.
    pub fn add(&mut self, payload: &str) -> Result<Progress, HandoffError> {
        let rest = payload
            .trim()
            .strip_prefix(PREFIX)
            .ok_or(HandoffError::NotAHandoff)?;
        let mut fields = rest.splitn(4, ':');
        let (Some(batch), Some(index), Some(total), Some(part)) =
            (fields.next(), fields.next(), fields.next(), fields.next())
        else {
            return Err(HandoffError::NotAHandoff);
        };
        let index: usize = index.parse().map_err(|_| HandoffError::NotAHandoff)?;
        let total: usize = total.parse().map_err(|_| HandoffError::NotAHandoff)?;
        let base32 = |c: char| c.is_ascii_uppercase() || ('2'..='7').contains(&c);
        if batch.len() != BATCH_LEN
            || !batch.chars().all(base32)
            || !(1..=MAX_PARTS).contains(&total)
            || !(1..=total).contains(&index)
            || part.is_empty()
            || part.len() > PART_LEN
            || !part.chars().all(base32)
        {
            return Err(HandoffError::NotAHandoff);
        }
        match &self.batch {
            Some(known) if known != batch || self.total != total => {
                return Err(HandoffError::OtherSeries);
            }
            Some(_) => {}
            None => {
                self.batch = Some(batch.to_owned());
                self.total = total;
            }
        }
        self.parts.entry(index).or_insert_with(|| part.to_owned());
        Ok(self.progress())
    }

    /// How many QR codes have been scanned, of how many.
    pub fn progress(&self) -> Progress {
        Progress {
            scanned: self.parts.len(),
            total: self.total,
        }
    }

    /// Opens the complete series with the code the user typed, at `now` (Unix seconds). The
    /// accounts come as an import (into a vault with [`crate::transfer::import_into`], which
    /// skips the ones already there).
    pub fn open(&self, code: &str, now: u64) -> Result<Imported, HandoffError> {
        let progress = self.progress();
        if progress.total == 0 || !progress.is_complete() {
            return Err(HandoffError::Incomplete {
                missing: progress.total.saturating_sub(progress.scanned).max(1),
                total: progress.total.max(1),
            });
        }
        let body: String = self.parts.values().map(String::as_str).collect();
        let body = BASE32_NOPAD
            .decode(body.as_bytes())
            .map_err(|_| HandoffError::NotAHandoff)?;
        let plain = code::open(&body, code, context).map_err(|e| match e {
            CodeError::WrongCode => HandoffError::WrongCode,
            CodeError::Malformed | CodeError::Random => HandoffError::NotAHandoff,
        })?;
        let (expires, list) = plain.split_at_checked(8).ok_or(HandoffError::NotAHandoff)?;
        let expires =
            u64::from_be_bytes(expires.try_into().map_err(|_| HandoffError::NotAHandoff)?);
        if now > expires || expires > now.saturating_add(2 * LIFETIME_SECS) {
            return Err(HandoffError::Expired);
        }
        import::read(list, Some(Format::OtpauthList), None)
            .map_err(|e| HandoffError::Unreadable(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::uri;

    fn accounts(n: usize) -> Vec<Account> {
        (0..n)
            .map(|i| {
                uri::parse(&format!(
                    "otpauth://totp/Omnivox:24{i:05}?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Omnivox"
                ))
                .unwrap()
            })
            .collect()
    }

    #[test]
    fn a_series_in_any_order_with_repeats_gives_every_account_back() {
        let sent = accounts(25);
        let series = show_with(&sent, 0, test_kdf()).unwrap();
        assert!(series.frames.len() > 2, "{}", series.frames.len());
        assert!(
            series
                .frames
                .iter()
                .all(|f| f.len() <= PREFIX.len() + 20 + PART_LEN)
        );
        assert!(series.frames.iter().all(|f| {
            f.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || ":-".contains(c))
        }));
        let mut receiver = Receiver::default();
        for frame in series.frames.iter().rev().chain(series.frames.iter()) {
            receiver.add(frame).unwrap();
        }
        let got: Vec<Account> = receiver
            .open(&series.code, 60)
            .unwrap()
            .entries
            .into_iter()
            .map(|e| e.account)
            .collect();
        assert_eq!(got, sent);
    }

    #[test]
    fn missing_parts_mixed_series_wrong_codes_and_old_series_are_refused() {
        let a = show_with(&accounts(25), 0, test_kdf()).unwrap();
        let b = show_with(&accounts(25), 0, test_kdf()).unwrap();
        let mut receiver = Receiver::default();
        receiver.add(&a.frames[0]).unwrap();
        assert_eq!(
            receiver.add(&b.frames[1]).unwrap_err(),
            HandoffError::OtherSeries
        );
        assert!(matches!(
            receiver.open(&a.code, 0).unwrap_err(),
            HandoffError::Incomplete { .. }
        ));
        for frame in &a.frames {
            receiver.add(frame).unwrap();
        }
        assert_eq!(
            receiver.open("AAAAA-AAAAA", 0).unwrap_err(),
            HandoffError::WrongCode
        );
        assert_eq!(
            receiver.open(&a.code, LIFETIME_SECS + 1).unwrap_err(),
            HandoffError::Expired
        );
        assert_eq!(
            Receiver::default()
                .add("otpauth://totp/a?secret=GEZDGNBV")
                .unwrap_err(),
            HandoffError::NotAHandoff
        );
        assert_eq!(
            Receiver::default()
                .add("JETON-MOVE:1:ABCD:2:1:AAAA")
                .unwrap_err(),
            HandoffError::NotAHandoff
        );
        assert!(!format!("{a:?}").contains(a.code.as_str()));
    }

    #[test]
    fn an_altered_part_does_not_open() {
        let series = show_with(&accounts(3), 0, test_kdf()).unwrap();
        let mut receiver = Receiver::default();
        for (i, frame) in series.frames.iter().enumerate() {
            let mut altered = frame.clone();
            if i == 0 {
                // One character of the sealed text, past the salt and costs.
                let at = PREFIX.len() + 10 + 100;
                let c = if &altered[at..=at] == "A" { "B" } else { "A" };
                altered.replace_range(at..=at, c);
            }
            receiver.add(&altered).unwrap();
        }
        assert_eq!(
            receiver.open(&series.code, 0).unwrap_err(),
            HandoffError::WrongCode
        );
    }
}
