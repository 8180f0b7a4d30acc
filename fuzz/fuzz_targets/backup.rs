//! Opening a Jeton backup with a passphrase. The first byte picks the input's role: a whole
//! backup file (seeded with real ones; skipped when it asks for a costly key derivation), or
//! the sealed contents, which this target encrypts the way `backup::seal` does so that the
//! JSON inside the ciphertext (accounts, secrets, parameters) is fuzzed too.
#![no_main]

use std::sync::OnceLock;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use data_encoding::BASE64;
use jeton_core::backup;
use libfuzzer_sys::fuzz_target;

/// The passphrase of the repository's backup vector (core/tests/vectors/jeton_backup.py).
const PASSPHRASE: &str = "correct horse battery staple";
const SALT: [u8; 16] = *b"jeton-fuzz-salt!";
const NONCE: [u8; 24] = *b"jeton-fuzz-nonce-24bytes";

/// The header `backup::seal_with` writes, in its serialisation (field order matters: it is the
/// associated data).
fn header() -> String {
    format!(
        r#"{{"kdf":{{"algorithm":"argon2id","version":19,"memory_kib":64,"iterations":1,"parallelism":1,"salt":"{}"}},"cipher":{{"algorithm":"xchacha20poly1305","nonce":"{}"}},"created":1795000000}}"#,
        BASE64.encode(&SALT),
        BASE64.encode(&NONCE)
    )
}

fn cipher() -> &'static XChaCha20Poly1305 {
    static CIPHER: OnceLock<XChaCha20Poly1305> = OnceLock::new();
    CIPHER.get_or_init(|| {
        let params = argon2::Params::new(64, 1, 1, Some(32)).unwrap();
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut key = [0u8; 32];
        argon
            .hash_password_into(PASSPHRASE.as_bytes(), &SALT, &mut key)
            .unwrap();
        XChaCha20Poly1305::new_from_slice(&key).unwrap()
    })
}

fn sealed(contents: &[u8]) -> Vec<u8> {
    let header = header();
    let aad = format!("jeton-backup/1\n{header}");
    let ciphertext = cipher()
        .encrypt(
            &XNonce::from(NONCE),
            Payload {
                msg: contents,
                aad: aad.as_bytes(),
            },
        )
        .unwrap();
    format!(
        r#"{{"jeton_backup":1,"header":{header},"ciphertext":"{}"}}"#,
        BASE64.encode(&ciphertext)
    )
    .into_bytes()
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let file = if mode == b'{' {
        // A file seed as it is (its first byte is the JSON's own brace).
        if !jeton_fuzz::cheap_kdf(data) {
            return;
        }
        data.to_vec()
    } else if mode & 1 == 0 {
        if !jeton_fuzz::cheap_kdf(rest) {
            return;
        }
        rest.to_vec()
    } else {
        let file = sealed(rest);
        // The wrapping must be right, or this mode fuzzes nothing.
        if let Err(backup::BackupError::WrongPassphrase) = backup::open(&file, PASSPHRASE) {
            panic!("the fuzz target's own sealing does not match backup::seal");
        }
        file
    };
    if let Ok(opened) = backup::open(&file, PASSPHRASE) {
        for entry in &opened.entries {
            let _ = entry.account.code_at(1_800_000_000);
        }
    }
    let _ = backup::open(&file, "wrong");
});
