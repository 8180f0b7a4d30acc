//! An authenticator account: who it is for, and how its codes are made; and what every layer
//! above shares about accounts: the [`Entry`] that imports, exports and backups carry, the
//! vault's [`Extras`], the one [`label`] and [`same_account`].

use std::fmt;

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
        label(self.issuer.as_deref(), &self.name)
    }
}

/// The label a list shows: `Issuer (name)`, or the issuer or the name alone.
pub fn label(issuer: Option<&str>, name: &str) -> String {
    match issuer {
        Some(issuer) if !name.is_empty() => format!("{issuer} ({name})"),
        Some(issuer) => issuer.to_owned(),
        None => name.to_owned(),
    }
}

/// Whether two accounts are the same account: same secret, same issuer, same account name.
/// (Two accounts at one service with different secrets are different accounts.)
pub fn same_account(a: &Account, b: &Account) -> bool {
    a.issuer == b.issuer && a.name == b.name && a.secret == b.secret
}

/// One account with what an app keeps beside it, as imports, exports and backups carry it.
/// `Debug` never shows the secret nor the note (users keep recovery codes there).
#[derive(Clone, PartialEq, Eq)]
pub struct Entry {
    /// Label, secret and code parameters.
    pub account: Account,
    /// Names of the groups (folders, tags) the account was in, in the source app's order.
    pub groups: Vec<String>,
    /// The user's note, if any.
    pub note: Option<String>,
    /// Whether the account was pinned or marked as a favourite.
    pub favourite: bool,
}

impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("account", &self.account)
            .field("groups", &self.groups)
            .field(
                "note",
                &self.note.as_ref().map(|n| RedactedNote(n.is_empty())),
            )
            .field("favourite", &self.favourite)
            .finish()
    }
}

impl Entry {
    /// An entry with no groups, no note, not a favourite.
    pub fn new(account: Account) -> Self {
        Self {
            account,
            groups: Vec::new(),
            note: None,
            favourite: false,
        }
    }
}

/// What the vault shows beside an account, none of which makes codes. `Debug` never shows the
/// note (users keep recovery codes there).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Extras {
    /// Pinned to the top.
    pub favourite: bool,
    /// The user's groups (e.g. `School`, `Work`).
    pub groups: Vec<String>,
    /// A free note.
    pub note: String,
    /// A hint for the icon to show (e.g. a domain or an icon pack name).
    pub icon: Option<String>,
}

impl fmt::Debug for Extras {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Extras")
            .field("favourite", &self.favourite)
            .field("groups", &self.groups)
            .field("note", &RedactedNote(self.note.is_empty()))
            .field("icon", &self.icon)
            .finish()
    }
}

/// Shows whether a note is empty, never its text.
pub(crate) struct RedactedNote(pub(crate) bool);

impl fmt::Debug for RedactedNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0 { "\"\"" } else { "<redacted>" })
    }
}

/// The codes of many accounts at one instant, in order.
pub fn codes_at(accounts: &[Account], unix: u64) -> Vec<Result<Code, OtpError>> {
    otp::generate_all(accounts.iter().map(|a| (&a.secret, &a.params)), unix)
}
