//! An authenticator account: who it is for, and how its codes are made.

use crate::Secret;
use crate::otp::{self, Code, OtpError, OtpParams};

/// One account in an authenticator: a label, a secret and the parameters of its codes.
///
/// `Debug` never shows the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The service, e.g. `Cégep Édouard-Montpetit`; `None` when the QR code named none.
    pub issuer: Option<String>,
    /// The user's name at that service, e.g. `2412345` or `marie@example.com`.
    pub name: String,
    /// The shared key.
    pub secret: Secret,
    /// Kind, algorithm, digits, period, counter.
    pub params: OtpParams,
}

impl Account {
    /// The code at `unix` seconds (HOTP: at the stored counter).
    pub fn code_at(&self, unix: u64) -> Result<Code, OtpError> {
        otp::generate(&self.secret, &self.params, unix)
    }

    /// Checks a typed code within `window` steps and returns the matched step.
    pub fn verify(&self, candidate: &str, unix: u64, window: u32) -> Result<Option<u64>, OtpError> {
        otp::verify(&self.secret, &self.params, candidate, unix, window)
    }

    /// The label a list shows: `Issuer (name)`, or the name alone.
    pub fn display_label(&self) -> String {
        match &self.issuer {
            Some(issuer) if !self.name.is_empty() => format!("{issuer} ({})", self.name),
            Some(issuer) => issuer.clone(),
            None => self.name.clone(),
        }
    }
}

/// The codes of many accounts at one instant, in order.
pub fn codes_at(accounts: &[Account], unix: u64) -> Vec<Result<Code, OtpError>> {
    otp::generate_all(accounts.iter().map(|a| (&a.secret, &a.params)), unix)
}
