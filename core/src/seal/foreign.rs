//! The cryptography other apps' export formats need to be opened (never to seal): scrypt and
//! PBKDF2 key derivation and AES-256-GCM. The formats fix their own parameters; callers bound
//! what a file may ask for before calling.

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use sha2::Sha256;
use zeroize::Zeroizing;

use super::{KEY_LEN, Key, OpenError};

/// scrypt (RFC 7914) of `password` with `salt`, N = 2^`log_n`, `r` and `p`, as a 256-bit key.
/// `None` when scrypt refuses the parameters. scrypt allocates 128·r·N bytes infallibly: the
/// caller bounds them first.
pub fn scrypt(password: &str, salt: &[u8], log_n: u8, r: u32, p: u32) -> Option<Key> {
    let params = scrypt::Params::new(log_n, r, p).ok()?;
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    scrypt::scrypt(password.as_bytes(), salt, &params, out.as_mut_slice()).ok()?;
    Key::from_slice(out.as_slice())
}

/// PBKDF2-HMAC-SHA-256 (RFC 8018) of `password` with `salt` over `iterations`, as a 256-bit key.
pub fn pbkdf2_sha256(password: &str, salt: &[u8], iterations: u32) -> Key {
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), salt, iterations, out.as_mut_slice());
    Key(out)
}

/// Opens AES-256-GCM `ciphertext ‖ tag` (16-byte tag) under a 12-byte `nonce`, with no
/// associated data (the formats that use it bind none).
pub fn open_aes256_gcm(
    key: &Key,
    nonce: &[u8],
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, OpenError> {
    let nonce = Nonce::try_from(nonce).map_err(|_| OpenError)?;
    let cipher = Aes256Gcm::new_from_slice(key.expose()).map_err(|_| OpenError)?;
    cipher
        .decrypt(&nonce, sealed)
        .map(Zeroizing::new)
        .map_err(|_| OpenError)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrypt_matches_rfc7914() {
        // RFC 7914 §12, second vector (first 32 of its 64 bytes): "password", "NaCl", N=1024,
        // r=8, p=16.
        let key = scrypt("password", b"NaCl", 10, 8, 16).unwrap();
        assert_eq!(
            data_encoding::HEXLOWER.encode(key.expose()),
            "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
        );
    }

    #[test]
    fn pbkdf2_matches_rfc7914() {
        // RFC 7914 §11, first vector (first 32 of its 64 bytes): "passwd", "salt", c=1.
        let key = pbkdf2_sha256("passwd", b"salt", 1);
        assert_eq!(
            data_encoding::HEXLOWER.encode(key.expose()),
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
        );
    }

    #[test]
    fn aes256_gcm_matches_the_gcm_spec() {
        // McGrew & Viega, "The Galois/Counter Mode of Operation", test case 14: zero key,
        // zero 96-bit IV, one zero block.
        let key = Key::from_slice(&[0u8; 32]).unwrap();
        let sealed = data_encoding::HEXLOWER
            .decode(b"cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919")
            .unwrap();
        let plain = open_aes256_gcm(&key, &[0u8; 12], &sealed).unwrap();
        assert_eq!(plain.as_slice(), [0u8; 16]);
        let mut tampered = sealed;
        tampered[0] ^= 1;
        assert_eq!(open_aes256_gcm(&key, &[0u8; 12], &tampered), Err(OpenError));
        assert_eq!(open_aes256_gcm(&key, &[0u8; 11], &tampered), Err(OpenError));
    }
}
