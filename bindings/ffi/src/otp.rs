//! Accounts held in Rust and their codes: the stateless part of the API (no vault needed).
//!
//! An [`OtpAccount`] keeps its secret on the Rust side; Kotlin and Swift see its
//! [`AccountDetails`] and its codes, and the secret only if they ask for the URI.

use std::sync::Arc;

use jeton_core::otp::{Algorithm, Kind, OtpParams};
use jeton_core::{Account, Code, Secret, uri};

use crate::error::{JetonError, guard};

// The core's own types, declared to UniFFI as they are (`remote`) under the names the shells
// know: no mirror types, no conversions. The declarations must match the core's; the compiler
// checks that they do.

/// How the moving factor is chosen and the code is written.
#[uniffi::remote(Enum)]
#[uniffi(name = "OtpKind")]
pub enum Kind {
    /// Time-based (RFC 6238).
    Totp,
    /// Counter-based (RFC 4226).
    Hotp,
    /// Steam Guard: 5 characters of Steam's alphabet every 30 seconds.
    Steam,
}

/// The hash under the HMAC.
#[uniffi::remote(Enum)]
#[uniffi(name = "HashAlgorithm")]
pub enum Algorithm {
    /// HMAC-SHA-1, what nearly every service uses.
    Sha1,
    /// HMAC-SHA-256.
    Sha256,
    /// HMAC-SHA-512.
    Sha512,
}

/// Everything but the secret that decides an account's codes.
#[uniffi::remote(Record)]
#[uniffi(name = "OtpParameters")]
pub struct OtpParams {
    /// TOTP, HOTP or Steam.
    pub kind: Kind,
    /// Hash under the HMAC.
    pub algorithm: Algorithm,
    /// Number of digits, 1–10 (Steam: 5).
    pub digits: u8,
    /// Seconds per step (TOTP, Steam), at least 1.
    pub period: u32,
    /// The next counter value (HOTP).
    pub counter: u64,
    /// Unix time at which step 0 starts (nearly always 0).
    pub t0: u64,
}

/// The usual TOTP parameters: SHA-1, 6 digits, 30 seconds.
#[uniffi::export]
pub fn default_totp_parameters() -> OtpParams {
    OtpParams::totp()
}

/// A code ready to show.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OtpCode {
    /// What the user types (zero-padded digits, or 5 Steam characters).
    pub digits: String,
    /// The time step (TOTP, Steam) or counter (HOTP) it belongs to.
    pub step: u64,
    /// Seconds until the next code; `None` for HOTP, whose codes do not expire.
    pub seconds_left: Option<u32>,
}

// Parameters are named `unix_seconds`, never `unix`: C compilers in GNU mode (as Swift's clang
// importer on Linux) define `unix` as a macro, which breaks the generated header.

/// One account's code in a batch: the code, or why this account has none (the others still do).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum CodeOutcome {
    /// The code at the requested instant.
    Ready {
        /// The code.
        code: OtpCode,
    },
    /// This account cannot produce a code at that instant (e.g. a time before its T0).
    Failed {
        /// What is wrong, for a person.
        reason: String,
    },
}

/// What a list shows about an account; never the secret.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AccountDetails {
    /// The service, when known.
    pub issuer: Option<String>,
    /// The user's name at that service.
    pub name: String,
    /// `Issuer (name)`, or the name alone.
    pub label: String,
    /// How its codes are made.
    pub parameters: OtpParams,
}

/// The widest window [`OtpAccount::verify`] accepts: every step in it costs an HMAC, and a
/// window from an untrusted caller must not turn one call into billions of them.
pub const MAX_VERIFY_WINDOW: u32 = 1000;

/// An account whose secret stays in Rust.
#[derive(Debug, uniffi::Object)]
pub struct OtpAccount {
    inner: Account,
}

#[uniffi::export]
impl OtpAccount {
    /// Reads an `otpauth://` URI, as a QR code or a setup page gives it.
    #[uniffi::constructor]
    pub fn from_uri(uri: String) -> Result<Arc<Self>, JetonError> {
        guard(|| Ok(Arc::new(Self::new(uri::parse(&uri)?))))
    }

    /// An account typed by hand: a base32 secret (any case, spaces and hyphens allowed).
    #[uniffi::constructor]
    pub fn from_base32(
        issuer: Option<String>,
        name: String,
        secret: String,
        parameters: OtpParams,
    ) -> Result<Arc<Self>, JetonError> {
        guard(|| {
            let secret = Secret::from_base32(&secret)?;
            Self::checked(issuer, name, secret, parameters)
        })
    }

    /// An account from raw key bytes (e.g. from an export that stores them unencoded).
    #[uniffi::constructor]
    pub fn from_bytes(
        issuer: Option<String>,
        name: String,
        secret: Vec<u8>,
        parameters: OtpParams,
    ) -> Result<Arc<Self>, JetonError> {
        guard(|| Self::checked(issuer, name, Secret::new(secret), parameters))
    }

    /// Issuer, name, label and parameters.
    pub fn details(&self) -> AccountDetails {
        details_of(&self.inner)
    }

    /// The code at `unix_seconds` (HOTP: at the stored counter).
    pub fn code_at(&self, unix_seconds: u64) -> Result<OtpCode, JetonError> {
        guard(|| Ok(self.inner.code_at(unix_seconds)?.into()))
    }

    /// Checks a code the user typed, `window` steps either side (HOTP: ahead); returns the
    /// matched step or counter, or `None`. `window` is at most [`MAX_VERIFY_WINDOW`].
    pub fn verify(
        &self,
        candidate: String,
        unix_seconds: u64,
        window: u32,
    ) -> Result<Option<u64>, JetonError> {
        guard(|| {
            if window > MAX_VERIFY_WINDOW {
                return Err(JetonError::InvalidParameters(format!(
                    "a window of {window} steps is too wide: at most {MAX_VERIFY_WINDOW}"
                )));
            }
            Ok(self.inner.verify(&candidate, unix_seconds, window)?)
        })
    }

    /// The canonical `otpauth://` URI (it contains the secret: show it only as a QR code).
    pub fn to_uri(&self) -> String {
        uri::format(&self.inner)
    }
}

impl OtpAccount {
    pub(crate) fn new(inner: Account) -> Self {
        Self { inner }
    }

    fn checked(
        issuer: Option<String>,
        name: String,
        secret: Secret,
        parameters: OtpParams,
    ) -> Result<Arc<Self>, JetonError> {
        if secret.is_empty() {
            return Err(jeton_core::OtpError::EmptySecret.into());
        }
        parameters.validate()?;
        Ok(Arc::new(Self::new(Account {
            issuer: issuer.filter(|i| !i.is_empty()),
            name,
            secret,
            params: parameters,
        })))
    }

    pub(crate) fn account(&self) -> &Account {
        &self.inner
    }
}

/// The codes of many accounts at one instant, in order, in one call: what a code list shows each
/// second. One account's problem does not stop the others.
#[uniffi::export]
pub fn codes_at(accounts: Vec<Arc<OtpAccount>>, unix_seconds: u64) -> Vec<CodeOutcome> {
    let results = jeton_core::otp::generate_all(
        accounts
            .iter()
            .map(|a| (&a.account().secret, &a.account().params)),
        unix_seconds,
    );
    results.into_iter().map(CodeOutcome::from).collect()
}

pub(crate) fn details_of(account: &Account) -> AccountDetails {
    AccountDetails {
        issuer: account.issuer.clone(),
        name: account.name.clone(),
        label: account.display_label(),
        parameters: account.params,
    }
}

impl From<Result<Code, jeton_core::OtpError>> for CodeOutcome {
    fn from(result: Result<Code, jeton_core::OtpError>) -> Self {
        match result {
            Ok(code) => Self::Ready { code: code.into() },
            Err(error) => Self::Failed {
                reason: error.to_string(),
            },
        }
    }
}

impl From<Code> for OtpCode {
    fn from(code: Code) -> Self {
        Self {
            digits: code.digits.to_string(),
            step: code.step,
            seconds_left: code.seconds_left,
        }
    }
}
