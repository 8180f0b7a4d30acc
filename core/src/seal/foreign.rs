//! The cryptography other apps' export formats need to be opened (never to seal): scrypt,
//! PBKDF2 (SHA-256 and SHA-1) and unsalted SHA-256 key derivation, AES-256-GCM and AES-256-CBC.
//! The formats fix their own parameters; callers bound what a file may ask for before calling.
//! Argon2id, which Authenticator Pro uses, is [`super::KdfParams::derive`].

use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use cbc::cipher::{BlockModeDecrypt, KeyIvInit, block_padding::Pkcs7};
use sha1::Sha1;
use sha2::{Sha256, Sha512};
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

/// PBKDF2-HMAC-SHA-1 (RFC 8018) of `password` with `salt` over `iterations`, as a 256-bit key
/// (andOTP, Authenticator Pro's legacy backups, Authy).
pub fn pbkdf2_sha1(password: &str, salt: &[u8], iterations: u32) -> Key {
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    pbkdf2::pbkdf2_hmac::<Sha1>(password.as_bytes(), salt, iterations, out.as_mut_slice());
    Key(out)
}

/// PBKDF2-HMAC-SHA-512 (RFC 8018) of `password` with `salt` over `iterations`, as a 256-bit key
/// (FreeOTP 2 backups).
pub fn pbkdf2_sha512(password: &str, salt: &[u8], iterations: u32) -> Key {
    let mut out = Zeroizing::new([0u8; KEY_LEN]);
    pbkdf2::pbkdf2_hmac::<Sha512>(password.as_bytes(), salt, iterations, out.as_mut_slice());
    Key(out)
}

/// SHA-256 of the password's UTF-8 bytes as a key, with no salt and no work factor: the weak
/// derivation of old andOTP backups and of TOTP Authenticator, read only to move people out.
pub fn unsalted_sha256(password: &str) -> Key {
    Key(Zeroizing::new(super::sha256(password.as_bytes())))
}

/// Decrypts AES-256-CBC `ciphertext` under a 16-byte `iv` and removes its PKCS#7 padding.
/// CBC has no tag: a wrong key is seen only as bad padding (or, one time in about 256, as
/// garbage the caller must reject when it parses the plaintext).
pub fn open_aes256_cbc(
    key: &Key,
    iv: &[u8],
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, OpenError> {
    let cipher =
        cbc::Decryptor::<aes::Aes256>::new_from_slices(key.expose(), iv).map_err(|_| OpenError)?;
    let mut buffer = Zeroizing::new(ciphertext.to_vec());
    let len = cipher
        .decrypt_padded::<Pkcs7>(buffer.as_mut_slice())
        .map_err(|_| OpenError)?
        .len();
    buffer.truncate(len);
    Ok(buffer)
}

/// Opens AES-256-GCM `ciphertext ‖ tag` (16-byte tag) under a 12-byte `nonce`, with no
/// associated data (the formats that use it bind none).
pub fn open_aes256_gcm(
    key: &Key,
    nonce: &[u8],
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, OpenError> {
    open_aes256_gcm_with_aad(key, nonce, sealed, &[])
}

/// [`open_aes256_gcm`] with associated data `aad` (FreeOTP 2 binds the key's algorithm name).
pub fn open_aes256_gcm_with_aad(
    key: &Key,
    nonce: &[u8],
    sealed: &[u8],
    aad: &[u8],
) -> Result<Zeroizing<Vec<u8>>, OpenError> {
    let nonce = Nonce::try_from(nonce).map_err(|_| OpenError)?;
    let cipher = Aes256Gcm::new_from_slice(key.expose()).map_err(|_| OpenError)?;
    cipher
        .decrypt(&nonce, aes_gcm::aead::Payload { msg: sealed, aad })
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
    fn pbkdf2_sha1_matches_rfc6070() {
        // RFC 6070, third vector: "password", "salt", c=4096, dkLen=20 (the first 20 of 32).
        let key = pbkdf2_sha1("password", b"salt", 4096);
        assert_eq!(
            data_encoding::HEXLOWER.encode(&key.expose()[..20]),
            "4b007901b765489abead49d926f721d065a429c1"
        );
    }

    #[test]
    fn pbkdf2_sha512_matches_openssl() {
        // "password", "salt", c=1, first 32 bytes: OpenSSL's answer (Python hashlib).
        let key = pbkdf2_sha512("password", b"salt", 1);
        assert_eq!(
            data_encoding::HEXLOWER.encode(key.expose()),
            "867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252"
        );
    }

    #[test]
    fn aes256_gcm_binds_associated_data() {
        // Key 00..1f, zero nonce, "Jeton" with associated data "HmacSHA1", sealed by OpenSSL
        // (PyPI `cryptography`).
        let key = Key::from_slice(&(0u8..32).collect::<Vec<u8>>()).unwrap();
        let sealed = data_encoding::HEXLOWER
            .decode(b"44d9c1b1db9ebafe5ff11cdc4b0709804a55eb9eab")
            .unwrap();
        let plain = open_aes256_gcm_with_aad(&key, &[0; 12], &sealed, b"HmacSHA1").unwrap();
        assert_eq!(plain.as_slice(), b"Jeton");
        assert_eq!(
            open_aes256_gcm_with_aad(&key, &[0; 12], &sealed, b"HmacSHA256"),
            Err(OpenError)
        );
    }

    #[test]
    fn unsalted_sha256_is_fips_180_4() {
        // FIPS 180-4 example: SHA-256("abc").
        assert_eq!(
            data_encoding::HEXLOWER.encode(unsalted_sha256("abc").expose()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn aes256_cbc_matches_openssl() {
        // SP 800-38A's CBC-AES256 key and IV; the ciphertext of "Jeton reads CBC" with PKCS#7
        // padding was written by OpenSSL (PyPI `cryptography`).
        let hex = |t: &str| data_encoding::HEXLOWER.decode(t.as_bytes()).unwrap();
        let key = Key::from_slice(&hex(
            "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
        ))
        .unwrap();
        let iv = hex("000102030405060708090a0b0c0d0e0f");
        let sealed = hex("2aed32a32f1d52d13a2e724b5657aa2e");
        let plain = open_aes256_cbc(&key, &iv, &sealed).unwrap();
        assert_eq!(plain.as_slice(), b"Jeton reads CBC");
        let mut tampered = sealed.clone();
        tampered[15] ^= 0x80;
        assert_eq!(open_aes256_cbc(&key, &iv, &tampered), Err(OpenError));
        assert_eq!(open_aes256_cbc(&key, &iv, &sealed[..15]), Err(OpenError));
        assert_eq!(open_aes256_cbc(&key, &iv[..15], &sealed), Err(OpenError));
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
