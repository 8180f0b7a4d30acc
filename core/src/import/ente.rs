//! Ente Auth's exports: the plain one (an `otpauth://` list, read by [`super::plain`]) and the
//! encrypted one, a JSON object:
//!
//! ```text
//! {"version": 1, "kdfParams": {"memLimit": …, "opsLimit": …, "salt": "<base64>"},
//!  "encryptedData": "<base64>", "encryptionNonce": "<base64>"}
//! ```
//!
//! The key is libsodium's `crypto_pwhash` of the UTF-8 password: Argon2id v1.3, one lane,
//! `memLimit` in bytes, `opsLimit` passes, a 16-byte salt, 32 bytes out. `encryptedData` is one
//! message of libsodium's secretstream ([`crate::seal::secretstream`]) whose header is
//! `encryptionNonce`; inside is the plain export. Ente pushes that message with `TAG_MESSAGE`
//! today (it drops the empty `TAG_FINAL` message that follows; its own import does not require
//! it) and did with `TAG_FINAL` before 2024: both are read, no other tag is.
//!
//! The costs come from the file: they are held to Jeton's Argon2id ceiling (1 GiB, 64 passes)
//! before any work. Ente writes 256 MiB and 16 passes; a phone short of memory halves the memory
//! and doubles the passes until it copes, so an export made at 32 MiB and 128 passes is above
//! the ceiling and refused by name.

use serde::Deserialize;

use super::{Format, ImportError, Read, plain, utf8};
use crate::seal::{KdfParams, secretstream};

const FORMAT: Format = Format::Ente;
/// libsodium's `crypto_pwhash_SALTBYTES`.
const SALT_LEN: usize = 16;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct File {
    version: u64,
    kdf_params: Kdf,
    encrypted_data: String,
    encryption_nonce: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Kdf {
    mem_limit: u64,
    ops_limit: u64,
    salt: String,
}

/// Whether the bytes are an encrypted export (a JSON object) rather than the plain list.
pub fn is_encrypted(data: &[u8]) -> bool {
    let start = data
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(data.len());
    data[start..].starts_with(b"{") || data[start..].starts_with("\u{feff}{".as_bytes())
}

/// Reads an Ente Auth export: the plain `otpauth://` list, or the encrypted JSON with its
/// `password`.
pub fn read(data: &[u8], password: Option<&str>) -> Result<Read, ImportError> {
    let text = utf8(data, FORMAT)?;
    if !text.trim_start().starts_with('{') {
        return plain::read(text);
    }
    let file: File = serde_json::from_str(text).map_err(|e| ImportError::malformed(FORMAT, e))?;
    if file.version != 1 {
        return Err(ImportError::unsupported(
            FORMAT,
            format!(
                "export version {} (Jeton reads version 1): export again in plain text",
                file.version
            ),
        ));
    }
    let kdf = costs(&file.kdf_params)?;
    let salt = base64(&file.kdf_params.salt, "kdfParams.salt")?;
    if salt.len() != SALT_LEN {
        return Err(ImportError::malformed(
            FORMAT,
            format!("the salt has {} bytes, not {SALT_LEN}", salt.len()),
        ));
    }
    let header = base64(&file.encryption_nonce, "encryptionNonce")?;
    if header.len() != secretstream::HEADER_LEN {
        return Err(ImportError::malformed(
            FORMAT,
            format!(
                "encryptionNonce has {} bytes, not {}",
                header.len(),
                secretstream::HEADER_LEN
            ),
        ));
    }
    let sealed = base64(&file.encrypted_data, "encryptedData")?;
    if sealed.len() < secretstream::OVERHEAD {
        return Err(ImportError::malformed(
            FORMAT,
            format!("encryptedData has only {} bytes", sealed.len()),
        ));
    }
    let password = password.ok_or(ImportError::PasswordRequired(FORMAT))?;
    let key = kdf
        .derive(password, &salt)
        .map_err(|e| ImportError::unsupported(FORMAT, e))?;
    let (plain, tag) = secretstream::open_first(&key, &header, &sealed)
        .map_err(|_| ImportError::WrongPassword(FORMAT))?;
    if !matches!(tag, secretstream::Tag::Message | secretstream::Tag::Final) {
        return Err(ImportError::unsupported(
            FORMAT,
            format!(
                "the data was pushed with the secretstream tag {tag:?}, which Ente never writes"
            ),
        ));
    }
    let text = std::str::from_utf8(&plain)
        .map_err(|_| ImportError::malformed(FORMAT, "the decrypted export is not UTF-8 text"))?;
    plain::read(text)
}

/// libsodium's costs as Argon2id parameters (memory in KiB, rounded down as libsodium does),
/// held to Jeton's ceiling before any work.
fn costs(kdf: &Kdf) -> Result<KdfParams, ImportError> {
    let params = KdfParams {
        memory_kib: u32::try_from(kdf.mem_limit / 1024).unwrap_or(u32::MAX),
        iterations: u32::try_from(kdf.ops_limit).unwrap_or(u32::MAX),
        parallelism: 1,
    };
    params
        .check_stored()
        .map_err(|e| ImportError::unsupported(FORMAT, e))?;
    Ok(params)
}

fn base64(text: &str, field: &str) -> Result<Vec<u8>, ImportError> {
    data_encoding::BASE64
        .decode(text.trim().as_bytes())
        .map_err(|e| ImportError::malformed(FORMAT, format!("{field} is not base64: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(mem: u64, ops: u64) -> String {
        format!(
            r#"{{"version":1,"kdfParams":{{"memLimit":{mem},"opsLimit":{ops},"salt":"AAECAwQFBgcICQoLDA0ODw=="}},"encryptedData":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","encryptionNonce":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYX"}}"#
        )
    }

    #[test]
    fn cost_bombs_are_refused_before_any_work() {
        for (mem, ops) in [
            (1 << 40, 2),
            (u64::MAX, 2),
            (8 << 20, 65),
            (8 << 20, u64::MAX),
        ] {
            let started = std::time::Instant::now();
            let result = read(file(mem, ops).as_bytes(), Some("pw"));
            assert!(
                matches!(&result, Err(ImportError::Unsupported { detail, .. }) if detail.contains("above the maximum")),
                "{mem} {ops}: {result:?}"
            );
            assert!(
                started.elapsed().as_millis() < 100,
                "{mem} {ops}: refused after work"
            );
        }
        // Below what Argon2 can run (libsodium's own minimum is 8 KiB and 1 pass).
        for (mem, ops) in [(1024, 2), (8 << 20, 0)] {
            assert!(matches!(
                read(file(mem, ops).as_bytes(), Some("pw")),
                Err(ImportError::Unsupported { .. })
            ));
        }
        // Within the ceiling and without a password: the password is asked for.
        assert_eq!(
            read(file(1 << 30, 64).as_bytes(), None),
            Err(ImportError::PasswordRequired(FORMAT))
        );
    }

    #[test]
    fn fields_of_the_wrong_shape_are_named() {
        let cases = [
            (
                file(8192, 1).replace("AAECAwQFBgcICQoLDA0ODw==", "AAEC"),
                "salt has 3 bytes",
            ),
            (
                file(8192, 1).replace("ODxAREhMUFRYX", "ODxAREhMU"),
                "encryptionNonce",
            ),
            (
                file(8192, 1).replace("\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"", "\"AA==\""),
                "only 1 bytes",
            ),
            (
                file(8192, 1).replace("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "!!"),
                "encryptedData is not base64",
            ),
        ];
        for (text, expected) in cases {
            let result = read(text.as_bytes(), Some("pw"));
            assert!(
                matches!(&result, Err(ImportError::Malformed { detail, .. }) if detail.contains(expected)),
                "{expected}: {result:?}"
            );
        }
        assert!(matches!(
            read(
                file(8192, 1)
                    .replace("\"version\":1", "\"version\":2")
                    .as_bytes(),
                Some("pw")
            ),
            Err(ImportError::Unsupported { .. })
        ));
        assert!(is_encrypted(b" \n{\"version\":1"));
        assert!(!is_encrypted(b"otpauth://totp/a?secret=AA"));
    }
}
