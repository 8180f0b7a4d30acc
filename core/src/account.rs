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

/// A character that an issuer or account name may not hold: it could rewrite a terminal
/// (`ESC`, `BEL`), forge a line (`CR`, `LF`) or reorder what is shown (`U+202E`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "the {field} holds the character U+{:04X} ({what}), which Jeton does not store: it could rewrite a terminal or disguise the label; remove it and try again",
    *.found as u32,
    what = if .found.is_control() { "a control character" } else { "a text-direction override" }
)]
pub struct LabelError {
    /// `issuer` or `account name`.
    pub field: &'static str,
    /// The first such character.
    pub found: char,
}

/// Whether `c` is a control character (C0, DEL, C1), a line or paragraph separator, or a
/// bidirectional formatting character (marks, embeddings, overrides, isolates).
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// The one rule for labels, applied at every door into an account (`otpauth://` parsing, every
/// import, the vault's add, update and rename): no [`is_unsafe_char`] in the issuer or the name.
pub fn check_label(issuer: Option<&str>, name: &str) -> Result<(), LabelError> {
    let first = |field, text: &str| match text.chars().find(|c| is_unsafe_char(*c)) {
        Some(found) => Err(LabelError { field, found }),
        None => Ok(()),
    };
    first("issuer", issuer.unwrap_or_default())?;
    first("account name", name)
}

/// Text from outside (a refused entry's label, a QR code's payload) made safe to show on one
/// line: `\\`, `\t`, `\n`, `\r` and `\u{…}` for every other [`is_unsafe_char`].
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if is_unsafe_char(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_with_control_or_direction_characters_are_refused_and_shown_escaped() {
        assert_eq!(
            check_label(Some("Cégep Édouard-Montpetit"), "marie@example.com"),
            Ok(())
        );
        for (text, c) in [
            ("\u{1b}]0;x\u{7}", '\u{1b}'),
            ("a\rb", '\r'),
            ("a\nb", '\n'),
            ("\u{7f}", '\u{7f}'),
            ("\u{9b}2J", '\u{9b}'),
            ("moc.\u{202e}elgoog", '\u{202e}'),
            ("\u{2066}x\u{2069}", '\u{2066}'),
            ("a\u{2028}b", '\u{2028}'),
        ] {
            let name = check_label(None, text).unwrap_err();
            assert_eq!((name.field, name.found), ("account name", c));
            assert!(name.to_string().contains(&format!("U+{:04X}", c as u32)));
            assert_eq!(check_label(Some(text), "x").unwrap_err().field, "issuer");
            assert!(!escape(text).chars().any(is_unsafe_char), "{text:?}");
        }
        assert_eq!(escape("a\\b\t\u{1b}\u{202e}"), "a\\\\b\\t\\u{1b}\\u{202e}");
    }
}
