//! The one place that touches AEAD and KDF code. Everything else seals and opens through it.
//!
//! - [`Key`] and [`Nonce`]: 256-bit keys and XChaCha20 nonces, zeroized on drop, never printed.
//! - [`Key::seal`] / [`Key::open`]: XChaCha20-Poly1305 bound to a typed [`Context`] (the
//!   associated data), so a value sealed for one place never opens in another.
//! - [`Key::subkeys`]: separate sealing and MAC keys from one root key (HKDF-SHA-256), so no
//!   key serves both an AEAD and a MAC.
//! - [`KdfParams`]: the one Argon2id cost type, with a recommended default, a floor for every
//!   caller-chosen cost and a ceiling for costs read from files.
//! - [`code`]: sealing with a short code that one screen shows and a person types on another.
//! - [`foreign`]: the key derivations and AES-GCM that other apps' export formats need.
//! - [`secretstream`]: opening one message of libsodium's secretstream (Ente Auth).
//!
//! A sealed value is `nonce (24 bytes) ‖ ciphertext ‖ tag (16 bytes)` unless the format stores
//! the nonce apart ([`Key::seal_detached`]).

pub mod code;
mod context;
pub mod foreign;
mod kdf;
pub mod secretstream;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

pub use context::Context;
pub use kdf::{KdfError, KdfParams, MIN_PASSPHRASE_CHARS};

/// Length of every key, in bytes.
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

/// An XChaCha20 nonce. Not secret, but wiped and kept out of logs all the same.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct Nonce([u8; NONCE_LEN]);

impl Nonce {
    /// A fresh random nonce (192 bits: random nonces never collide in practice).
    pub fn random() -> Result<Self, RandomError> {
        let mut nonce = [0u8; NONCE_LEN];
        fill_random(&mut nonce)?;
        Ok(Self(nonce))
    }

    /// A nonce from exactly [`NONCE_LEN`] bytes, or `None`.
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(Self)
    }

    /// The nonce's bytes.
    pub fn as_bytes(&self) -> &[u8; NONCE_LEN] {
        &self.0
    }
}

impl std::fmt::Debug for Nonce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Nonce(<redacted>)")
    }
}

/// A 256-bit key. Zeroized on drop; never printed.
#[derive(Clone)]
pub struct Key(Zeroizing<[u8; KEY_LEN]>);

impl Key {
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

    /// The raw key bytes (to hand a key to a platform keystore that wraps it).
    pub fn expose(&self) -> &[u8] {
        self.0.as_slice()
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&(*self.0).into())
    }

    /// Seals `plaintext` under a fresh random nonce, bound to `context`; returns
    /// `nonce ‖ ciphertext ‖ tag`.
    pub fn seal(&self, plaintext: &[u8], context: &Context<'_>) -> Result<Vec<u8>, RandomError> {
        let nonce = Nonce::random()?;
        let sealed = self.seal_detached(&nonce, plaintext, context)?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(nonce.as_bytes());
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens a value made by [`Key::seal`] with the same `context`.
    pub fn open(
        &self,
        sealed: &[u8],
        context: &Context<'_>,
    ) -> Result<Zeroizing<Vec<u8>>, OpenError> {
        if sealed.len() < NONCE_LEN + TAG_LEN {
            return Err(OpenError);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::from_slice(nonce).ok_or(OpenError)?;
        self.open_detached(&nonce, body, context)
    }

    /// Seals under a nonce the format stores elsewhere; returns `ciphertext ‖ tag`. The caller
    /// must never reuse `nonce` with this key: take it from [`Nonce::random`].
    pub fn seal_detached(
        &self,
        nonce: &Nonce,
        plaintext: &[u8],
        context: &Context<'_>,
    ) -> Result<Vec<u8>, RandomError> {
        let aad = context.associated_data();
        self.cipher()
            .encrypt(
                &XNonce::from(*nonce.as_bytes()),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .map_err(|_| RandomError)
    }

    /// Opens `ciphertext ‖ tag` made by [`Key::seal_detached`].
    pub fn open_detached(
        &self,
        nonce: &Nonce,
        sealed: &[u8],
        context: &Context<'_>,
    ) -> Result<Zeroizing<Vec<u8>>, OpenError> {
        let aad = context.associated_data();
        self.cipher()
            .decrypt(
                &XNonce::from(*nonce.as_bytes()),
                Payload {
                    msg: sealed,
                    aad: &aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| OpenError)
    }

    /// A sealing key and a MAC key, independent of each other and of this key: HKDF-SHA-256
    /// (RFC 5869) with `salt`, expanded with the info strings `jeton/seal/v2` and `jeton/mac/v2`.
    pub fn subkeys(&self, salt: &[u8]) -> (Key, MacKey) {
        let hkdf = hkdf::Hkdf::<Sha256>::new(Some(salt), self.expose());
        let mut seal = Zeroizing::new([0u8; KEY_LEN]);
        let mut mac = Zeroizing::new([0u8; KEY_LEN]);
        // 32 bytes is far below HKDF-SHA-256's limit of 8160: expansion cannot fail.
        let _ = hkdf.expand(b"jeton/seal/v2", seal.as_mut_slice());
        let _ = hkdf.expand(b"jeton/mac/v2", mac.as_mut_slice());
        (Key(seal), MacKey(mac))
    }

    /// The MAC key of version-1 vaults: HMAC-SHA-256(this key, `purpose`). Kept only to read
    /// (and migrate) files written before [`Key::subkeys`].
    pub fn legacy_mac_key(&self, purpose: &[u8]) -> MacKey {
        MacKey(Zeroizing::new(hmac_sha256(self.expose(), purpose)))
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(<redacted>)")
    }
}

/// A key that only makes MACs (HMAC-SHA-256). Zeroized on drop; never printed.
#[derive(Clone)]
pub struct MacKey(Zeroizing<[u8; KEY_LEN]>);

impl MacKey {
    /// HMAC-SHA-256 of `message`.
    pub fn tag(&self, message: &[u8]) -> [u8; 32] {
        hmac_sha256(self.0.as_slice(), message)
    }

    /// Whether `tag` is the MAC of `message`, compared in constant time.
    pub fn verify(&self, message: &[u8], tag: &[u8]) -> bool {
        same(&self.tag(message), tag)
    }
}

impl std::fmt::Debug for MacKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MacKey(<redacted>)")
    }
}

fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length; the fallback keeps this panic-free all the same.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| <Hmac<Sha256> as KeyInit>::new(&Default::default()));
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// SHA-256 of `bytes` (checksums that need no key).
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Compares two byte strings in constant time (for equal lengths; unequal lengths differ).
pub fn same(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(a.ct_eq(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xchacha20poly1305_matches_the_draft_vector() {
        // draft-irtf-cfrg-xchacha-03, Appendix A.3.1, through the detached API with raw
        // associated data (Context::Raw exists only in tests).
        let key: Vec<u8> = (0x80u8..=0x9f).collect();
        let nonce: Vec<u8> = (0x40u8..=0x57).collect();
        let aad = [
            0x50, 0x51, 0x52, 0x53, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7,
        ];
        let plaintext = b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.";
        let key = Key::from_slice(&key).unwrap();
        let nonce = Nonce::from_slice(&nonce).unwrap();
        let sealed = key
            .seal_detached(&nonce, plaintext, &Context::Raw(&aad))
            .unwrap();
        assert_eq!(
            sealed[sealed.len() - TAG_LEN..],
            [
                0xc0, 0x87, 0x59, 0x24, 0xc1, 0xc7, 0x98, 0x79, 0x47, 0xde, 0xaf, 0xd8, 0x78, 0x0a,
                0xcf, 0x49
            ]
        );
        assert_eq!(sealed[..4], [0xbd, 0x6d, 0x17, 0x9d]);
        let opened = key
            .open_detached(&nonce, &sealed, &Context::Raw(&aad))
            .unwrap();
        assert_eq!(opened.as_slice(), plaintext);
    }

    #[test]
    fn nonces_are_fresh_and_context_is_bound() {
        let key = Key::generate().unwrap();
        let ctx = Context::SoftwareKeyWrapper;
        let a = key.seal(b"same", &ctx).unwrap();
        let b = key.seal(b"same", &ctx).unwrap();
        assert_ne!(a[..NONCE_LEN], b[..NONCE_LEN]);
        assert_eq!(key.open(&a, &ctx).unwrap().as_slice(), b"same");
        let other_ctx = Context::VaultIndex {
            format: 2,
            vault_id: &[0; 16],
        };
        assert_eq!(key.open(&a, &other_ctx), Err(OpenError));
        let other = Key::generate().unwrap();
        assert_eq!(other.open(&a, &ctx), Err(OpenError));
        assert_eq!(key.open(&a[..20], &ctx), Err(OpenError));
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
    fn hkdf_matches_rfc5869_case_1() {
        // RFC 5869, A.1: the same construction Key::subkeys uses, with the RFC's inputs.
        let ikm = [0x0bu8; 22];
        let salt: Vec<u8> = (0x00u8..=0x0c).collect();
        let info: Vec<u8> = (0xf0u8..=0xf9).collect();
        let mut okm = [0u8; 42];
        hkdf::Hkdf::<Sha256>::new(Some(&salt), &ikm)
            .expand(&info, &mut okm)
            .unwrap();
        assert_eq!(
            data_encoding::HEXLOWER.encode(&okm),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
        );
    }

    #[test]
    fn subkeys_differ_from_each_other_and_the_root() {
        let root = Key::generate().unwrap();
        let (seal, mac) = root.subkeys(b"vault id");
        assert_ne!(seal.expose(), root.expose());
        assert_ne!(seal.expose(), mac.0.as_slice());
        assert_ne!(root.expose(), mac.0.as_slice());
        let (again, _) = root.subkeys(b"vault id");
        assert_eq!(seal.expose(), again.expose());
        let (other, _) = root.subkeys(b"other id");
        assert_ne!(seal.expose(), other.expose());
        assert!(mac.verify(b"m", &mac.tag(b"m")));
        assert!(!mac.verify(b"n", &mac.tag(b"m")));
    }

    #[test]
    fn debug_is_redacted() {
        let key = Key::from_slice(&[7u8; 32]).unwrap();
        assert_eq!(format!("{key:?}"), "Key(<redacted>)");
        assert_eq!(
            format!("{:?}", key.legacy_mac_key(b"p")),
            "MacKey(<redacted>)"
        );
        let nonce = Nonce::from_slice(&[1u8; 24]).unwrap();
        assert_eq!(format!("{nonce:?}"), "Nonce(<redacted>)");
    }
}
