//! Counts of the costly work the portal does (Argon2 hashes, secret openings, code checks),
//! so tests can prove that an unknown id costs what a known one does without a stopwatch.

use std::sync::atomic::{AtomicU64, Ordering};

/// How much costly work the portal has done since it opened: what makes a request slow, so
/// what must not differ between a known and an unknown id.
#[derive(Debug, Default)]
pub(super) struct Work {
    pub(super) password_hashes: AtomicU64,
    pub(super) secret_openings: AtomicU64,
    pub(super) code_checks: AtomicU64,
}

/// A snapshot of the work counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkDone {
    /// Argon2id password hashes computed.
    pub password_hashes: u64,
    /// Authenticator secrets unsealed.
    pub secret_openings: u64,
    /// TOTP codes checked (each over the whole window).
    pub code_checks: u64,
}

impl WorkDone {
    /// The work done between `earlier` and `self`.
    pub fn since(self, earlier: WorkDone) -> WorkDone {
        WorkDone {
            password_hashes: self.password_hashes.saturating_sub(earlier.password_hashes),
            secret_openings: self.secret_openings.saturating_sub(earlier.secret_openings),
            code_checks: self.code_checks.saturating_sub(earlier.code_checks),
        }
    }
}

pub(super) fn count(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}
