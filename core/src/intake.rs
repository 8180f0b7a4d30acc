//! The one intake step for what a QR code carried: the scanner ([`crate::scan`]) returns the text
//! it read, and [`Content::classify`] says what it is — an account (parsed once, here), a Google
//! Authenticator export, an `otpauth://` URI that is no usable account (and why), or other
//! text — so the app can say "this QR code is not an authenticator code". The CLI, the FFI and
//! the demo all go through it; nothing parses a payload twice.

use crate::Account;
use crate::uri::{self, UriError};

/// What a QR code's payload is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// An `otpauth://` URI that parses into an account.
    Account(Box<Account>),
    /// An `otpauth://` URI that does not parse; the error says why (its message is for the user).
    InvalidAccount(UriError),
    /// A Google Authenticator export (`otpauth-migration://`): a batch of accounts to import.
    Migration,
    /// Anything else: a web address, plain text. Not an authenticator code.
    Text,
}

impl Content {
    /// Classifies a payload.
    pub fn classify(payload: &str) -> Self {
        let start = payload.trim_start();
        if has_scheme(start, "otpauth-migration:") {
            return Self::Migration;
        }
        if !has_scheme(start, "otpauth:") {
            return Self::Text;
        }
        match uri::parse(payload) {
            Ok(account) => Self::Account(Box::new(account)),
            Err(UriError::Migration) => Self::Migration,
            Err(error) => Self::InvalidAccount(error),
        }
    }
}

fn has_scheme(text: &str, scheme: &str) -> bool {
    text.get(..scheme.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(scheme))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts_exports_broken_accounts_and_text_are_told_apart() {
        let account = Content::classify("otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&issuer=A");
        let Content::Account(account) = account else {
            panic!("expected an account, got {account:?}");
        };
        assert_eq!(account.issuer.as_deref(), Some("A"));
        assert_eq!(
            Content::classify("OTPAUTH-MIGRATION://offline?data=CjEKCkhlbGxvId6tvu8"),
            Content::Migration
        );
        assert_eq!(
            Content::classify("otpauth://totp/A:b?issuer=A"),
            Content::InvalidAccount(UriError::MissingSecret)
        );
        assert_eq!(Content::classify("https://example.com/"), Content::Text);
        assert_eq!(Content::classify(""), Content::Text);
        assert_eq!(Content::classify("é"), Content::Text);
    }
}
