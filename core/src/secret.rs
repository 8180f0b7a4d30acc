//! The shared secret behind an account's codes.
//!
//! A [`Secret`] zeroizes its bytes when dropped and cannot be printed: its `Debug` shows only its
//! length, and it has no `Display`. The only way to see it is to ask for it by name
//! ([`Secret::expose`], [`Secret::to_base32`]).

use std::fmt;
use std::sync::LazyLock;

use data_encoding::{BASE32_NOPAD, Encoding, Specification};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, Zeroizing};

/// Why a text could not be read as a base32 secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// The secret is empty (or only spaces, hyphens and padding).
    #[error("the secret is empty")]
    Empty,
    /// A character outside the base32 alphabet (A–Z, 2–7).
    #[error(
        "the secret has {character:?} at position {position}, which is not a base32 character (A-Z, 2-7)"
    )]
    InvalidCharacter {
        /// The offending character.
        character: char,
        /// Its 1-based position in the secret as given.
        position: usize,
    },
    /// The number of base32 characters cannot encode whole bytes.
    #[error("the secret has {symbols} base32 characters, a length no base32 secret can have")]
    InvalidLength {
        /// How many base32 characters were found.
        symbols: usize,
    },
}

/// Lenient base32 (RFC 4648): upper or lower case, and trailing bits that are not zero, as many
/// generators emit. Spaces, hyphens and `=` padding are removed before decoding.
static LENIENT_BASE32: LazyLock<Encoding> = LazyLock::new(|| {
    let mut spec = Specification::new();
    spec.symbols.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
    spec.translate.from.push_str("abcdefghijklmnopqrstuvwxyz");
    spec.translate.to.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    spec.check_trailing_bits = false;
    // The specification is a constant; it is valid, and a unit test proves it.
    spec.encoding().unwrap_or_else(|_| BASE32_NOPAD.clone())
});

/// Key material for HOTP/TOTP. Zeroized on drop; never printed.
#[derive(Clone, Zeroize)]
#[zeroize(drop)]
pub struct Secret(Vec<u8>);

/// Compared in constant time for secrets of equal length.
impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.0.as_slice().ct_eq(other.0.as_slice()))
    }
}

impl Eq for Secret {}

impl Secret {
    /// Wraps raw key bytes.
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// Copies raw key bytes.
    pub fn from_slice(bytes: &[u8]) -> Self {
        Self(bytes.to_vec())
    }

    /// Reads a base32 secret as real QR codes and setup pages write it: upper or lower case, with
    /// spaces or hyphens between groups, with or without `=` padding.
    ///
    /// ```
    /// use jeton_core::Secret;
    /// let a = Secret::from_base32("jbsw y3dp-ehpk 3pxp").unwrap();
    /// let b = Secret::from_base32("JBSWY3DPEHPK3PXP====").unwrap();
    /// assert_eq!(a, b);
    /// assert_eq!(a.len(), 10);
    /// ```
    pub fn from_base32(text: &str) -> Result<Self, SecretError> {
        let mut symbols = Zeroizing::new(String::with_capacity(text.len()));
        for (index, character) in text.chars().enumerate() {
            match character {
                ' ' | '\t' | '-' | '=' => {}
                'a'..='z' | 'A'..='Z' | '2'..='7' => symbols.push(character),
                _ => {
                    return Err(SecretError::InvalidCharacter {
                        character,
                        position: index + 1,
                    });
                }
            }
        }
        if symbols.is_empty() {
            return Err(SecretError::Empty);
        }
        let bytes =
            LENIENT_BASE32
                .decode(symbols.as_bytes())
                .map_err(|_| SecretError::InvalidLength {
                    symbols: symbols.len(),
                })?;
        if bytes.is_empty() {
            return Err(SecretError::Empty);
        }
        Ok(Self(bytes))
    }

    /// The canonical base32 form: upper case, no padding, no separators.
    pub fn to_base32(&self) -> Zeroizing<String> {
        Zeroizing::new(BASE32_NOPAD.encode(&self.0))
    }

    /// The raw key bytes. Named so that every use is easy to find in review.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the secret has no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(<redacted, {} bytes>)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_alphabet_is_valid() {
        let spec_ok = {
            let mut spec = Specification::new();
            spec.symbols.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567");
            spec.translate.from.push_str("abcdefghijklmnopqrstuvwxyz");
            spec.translate.to.push_str("ABCDEFGHIJKLMNOPQRSTUVWXYZ");
            spec.check_trailing_bits = false;
            spec.encoding().is_ok()
        };
        assert!(spec_ok);
    }

    #[test]
    fn rfc4648_vectors_decode() {
        // RFC 4648 §10, without padding.
        for (text, plain) in [
            ("MY", "f"),
            ("MZXQ", "fo"),
            ("MZXW6", "foo"),
            ("MZXW6YQ", "foob"),
            ("MZXW6YTB", "fooba"),
            ("MZXW6YTBOI", "foobar"),
            ("MZXW6YTBOI======", "foobar"),
            ("mzxw6ytboi", "foobar"),
        ] {
            assert_eq!(
                Secret::from_base32(text).unwrap().expose(),
                plain.as_bytes(),
                "{text}"
            );
        }
    }

    #[test]
    fn tolerates_separators_and_nonzero_trailing_bits() {
        let spaced = Secret::from_base32("4sjh b4gs-d43f zbai 7c2h lrjg pq").unwrap();
        assert_eq!(spaced.to_base32().as_str(), "4SJHB4GSD43FZBAI7C2HLRJGPQ");
        // 'R' ends in non-zero trailing bits; strict decoders reject it, real apps accept it.
        assert_eq!(Secret::from_base32("MZXW6YR").unwrap().expose(), b"foob");
    }

    #[test]
    fn names_the_problem() {
        assert_eq!(Secret::from_base32(""), Err(SecretError::Empty));
        assert_eq!(Secret::from_base32(" -= "), Err(SecretError::Empty));
        assert_eq!(
            Secret::from_base32("JBSW1"),
            Err(SecretError::InvalidCharacter {
                character: '1',
                position: 5
            })
        );
        assert_eq!(
            Secret::from_base32("JBS"),
            Err(SecretError::InvalidLength { symbols: 3 })
        );
    }

    #[test]
    fn debug_never_shows_the_key() {
        let secret = Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap();
        let shown = format!("{secret:?}");
        assert_eq!(shown, "Secret(<redacted, 10 bytes>)");
        assert!(!shown.contains("JBSW"));
    }
}
