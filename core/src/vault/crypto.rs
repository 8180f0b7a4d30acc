//! The vault's sealing: XChaCha20-Poly1305 with a fresh random nonce per write, and the
//! associated data that binds a ciphertext to its place in the file.
//!
//! A sealed value is stored as `nonce (24 bytes) ‖ ciphertext ‖ tag (16 bytes)`.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// Length of the vault key and of every key-encryption key, in bytes.
pub const KEY_LEN: usize = 32;
/// Length of an XChaCha20 nonce.
pub const NONCE_LEN: usize = 24;
/// Length of a Poly1305 tag.
pub const TAG_LEN: usize = 16;

/// The operating system's random generator failed: nothing can be sealed safely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the system's random number generator failed")]
pub struct RandomError;

/// A sealed value failed to open: wrong key, or the bytes or their context were changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("authentication failed")]
pub struct OpenError;

/// Fills `out` from the operating system's random generator.
pub fn fill_random(out: &mut [u8]) -> Result<(), RandomError> {
    getrandom::fill(out).map_err(|_| RandomError)
}

/// A 256-bit key: the vault key, or a key-encryption key. Zeroized on drop; never printed.
#[derive(Clone)]
pub struct SecretKey(Zeroizing<[u8; KEY_LEN]>);

impl SecretKey {
    /// A fresh random key.
    pub fn generate() -> Result<Self, RandomError> {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        fill_random(key.as_mut_slice())?;
        Ok(Self(key))
    }

    /// A key from exactly [`KEY_LEN`] bytes, or `None`.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let array: [u8; KEY_LEN] = bytes.try_into().ok()?;
        Some(Self(Zeroizing::new(array)))
    }

    /// The raw key bytes.
    pub fn expose(&self) -> &[u8] {
        self.0.as_slice()
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&(*self.0).into())
    }

    /// Seals `plaintext` under a fresh random nonce, binding it to `aad`.
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, RandomError> {
        let mut nonce = [0u8; NONCE_LEN];
        fill_random(&mut nonce)?;
        let sealed = self
            .cipher()
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| RandomError)?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens a value made by [`SecretKey::seal`] with the same `aad`.
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, OpenError> {
        if sealed.len() < NONCE_LEN + TAG_LEN {
            return Err(OpenError);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce = XNonce::try_from(nonce).map_err(|_| OpenError)?;
        self.cipher()
            .decrypt(&nonce, Payload { msg: body, aad })
            .map(Zeroizing::new)
            .map_err(|_| OpenError)
    }

    /// HMAC-SHA-256 of `message` under a subkey derived from this key for `purpose`.
    pub fn mac(&self, purpose: &[u8], message: &[u8]) -> [u8; 32] {
        let subkey = Zeroizing::new(hmac_sha256(self.expose(), purpose));
        hmac_sha256(subkey.as_slice(), message)
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length; the fallback keeps this panic-free all the same.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| <Hmac<Sha256> as KeyInit>::new(&Default::default()));
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// SHA-256 of `bytes` (the header's corruption check, which needs no key).
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Compares two byte strings in constant time (for equal lengths).
pub fn same(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xchacha20poly1305_matches_the_draft_vector() {
        // draft-irtf-cfrg-xchacha-03, Appendix A.3.1.
        let key: Vec<u8> = (0x80u8..=0x9f).collect();
        let nonce: Vec<u8> = (0x40u8..=0x57).collect();
        let aad = [
            0x50, 0x51, 0x52, 0x53, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7,
        ];
        let plaintext = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
        let key = SecretKey::from_slice(&key).unwrap();
        let mut sealed = nonce.clone();
        sealed.extend(
            key.cipher()
                .encrypt(
                    &XNonce::try_from(nonce.as_slice()).unwrap(),
                    Payload {
                        msg: plaintext,
                        aad: &aad,
                    },
                )
                .unwrap(),
        );
        let tag = &sealed[sealed.len() - TAG_LEN..];
        assert_eq!(
            tag,
            [
                0xc0, 0x87, 0x59, 0x24, 0xc1, 0xc7, 0x98, 0x79, 0x47, 0xde, 0xaf, 0xd8, 0x78, 0x0a,
                0xcf, 0x49
            ]
        );
        assert_eq!(&sealed[NONCE_LEN..NONCE_LEN + 4], [0xbd, 0x6d, 0x17, 0x9d]);
        assert_eq!(key.open(&sealed, &aad).unwrap().as_slice(), plaintext);
    }

    #[test]
    fn nonces_are_fresh_and_context_is_bound() {
        let key = SecretKey::generate().unwrap();
        let a = key.seal(b"same", b"ctx").unwrap();
        let b = key.seal(b"same", b"ctx").unwrap();
        assert_ne!(a[..NONCE_LEN], b[..NONCE_LEN]);
        assert_eq!(key.open(&a, b"ctx").unwrap().as_slice(), b"same");
        assert_eq!(key.open(&a, b"other"), Err(OpenError));
        let other = SecretKey::generate().unwrap();
        assert_eq!(other.open(&a, b"ctx"), Err(OpenError));
        assert_eq!(key.open(&a[..20], b"ctx"), Err(OpenError));
    }

    #[test]
    fn hmac_sha256_matches_rfc4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            data_encoding::HEXLOWER.encode(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn debug_is_redacted() {
        let key = SecretKey::from_slice(&[7u8; 32]).unwrap();
        assert_eq!(format!("{key:?}"), "SecretKey(<redacted>)");
    }
}
