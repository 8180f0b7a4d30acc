//! TOTP Authenticator (com.authenticator.authservice2): its backup file and its private shared
//! preferences.
//!
//! The backup is base64 text of AES-256-CBC (zero IV, PKCS#7 padding) under the unsalted SHA-256
//! of the password; a backup made without a password uses the app's built-in one,
//! `TotpAuthenticator`, which is tried when no password is given. The plaintext is a JSON object
//! with one key: the account list as JSON text (its value is a timestamp). The private store
//! keeps the same list under `STATIC_TOTP_CODES_LIST`.
//!
//! Each account has `issuer`, `name`, `key` in base `base` (16 hex, 32 base32, 64 base64), and
//! `digits` and `period` as text. The app keeps no algorithm: its codes are SHA-1.

use std::collections::BTreeMap;

use data_encoding::{BASE32_NOPAD, BASE64, HEXLOWER_PERMISSIVE};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;
use zeroize::{Zeroize, Zeroizing};

use super::{Entry, Format, ImportError, Read, fields, label, prefs};
use crate::Secret;
use crate::otp::{Algorithm, Kind};
use crate::seal::foreign;

const FORMAT: Format = Format::TotpAuthenticator;
/// The password of backups made without one.
pub const BUILT_IN_PASSWORD: &str = "TotpAuthenticator";
/// The key of the account list in the private store.
pub(crate) const LIST_KEY: &str = "STATIC_TOTP_CODES_LIST";
const IV: [u8; 16] = [0; 16];
const BLOCK_LEN: usize = 16;

/// The decrypted backup: one key, the account list as JSON text (zeroized when dropped).
#[derive(Deserialize)]
struct Backup(BTreeMap<String, IgnoredAny>);

impl Drop for Backup {
    fn drop(&mut self) {
        for (mut key, _) in std::mem::take(&mut self.0) {
            key.zeroize();
        }
    }
}

#[derive(Deserialize)]
struct Raw {
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    name: Option<String>,
    key: String,
    base: i64,
    #[serde(default)]
    digits: Option<Number>,
    #[serde(default)]
    period: Option<Number>,
}

impl Drop for Raw {
    fn drop(&mut self) {
        self.key.zeroize();
    }
}

/// The app writes numbers as text (`"6"`); a number is taken too.
#[derive(Deserialize)]
#[serde(untagged)]
enum Number {
    Int(i64),
    Text(String),
}

impl Number {
    fn value(&self, what: &str) -> Result<i64, String> {
        match self {
            Number::Int(n) => Ok(*n),
            Number::Text(t) => t
                .trim()
                .parse()
                .map_err(|_| format!("{what} {t:?} is not a number")),
        }
    }
}

/// The base64 blob of a backup: base64 text only, a whole number of AES blocks once decoded.
fn blob(data: &[u8]) -> Option<Vec<u8>> {
    let text: Vec<u8> = data
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let sealed = BASE64.decode(&text).ok()?;
    (!sealed.is_empty() && sealed.len() % BLOCK_LEN == 0).then_some(sealed)
}

/// Whether the bytes look like a TOTP Authenticator backup, for detection by content: base64
/// text, at least two AES blocks long, with a lower-case letter (so that a bare base32 secret is
/// not taken for one). Whole blocks are not required: a cut backup is still recognised, and
/// then reported as damaged rather than as a file of unknown kind.
pub(crate) fn looks_like_backup(text: &str) -> bool {
    let text: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let base64 = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=');
    text.len() >= (2 * BLOCK_LEN).div_ceil(3) * 4
        && text.iter().all(base64)
        && text.iter().any(u8::is_ascii_lowercase)
}

/// Whether the file is a backup that needs a password (one the built-in password does not open).
pub fn is_encrypted(data: &[u8]) -> bool {
    !is_prefs(data) && open(data, BUILT_IN_PASSWORD).is_err()
}

fn is_prefs(data: &[u8]) -> bool {
    std::str::from_utf8(data).is_ok_and(prefs::is_prefs)
}

/// Reads a backup (`password`, or the built-in one when none is given) or the private store.
pub fn read(data: &[u8], password: Option<&str>) -> Result<Read, ImportError> {
    if is_prefs(data) {
        let text = super::utf8(data, FORMAT)?;
        let entries = prefs::parse(text, FORMAT)?;
        let list = prefs::get(&entries, LIST_KEY).ok_or_else(|| {
            ImportError::malformed(FORMAT, format!("the file holds no {LIST_KEY}"))
        })?;
        return read_list(list);
    }
    let list = match password {
        Some(password) => open(data, password)?,
        None => open(data, BUILT_IN_PASSWORD).map_err(|e| match e {
            ImportError::WrongPassword(_) => ImportError::PasswordRequired(FORMAT),
            other => other,
        })?,
    };
    read_list(&list)
}

/// Decrypts a backup to its account list (JSON text).
fn open(data: &[u8], password: &str) -> Result<Zeroizing<String>, ImportError> {
    let sealed = blob(data).ok_or_else(|| {
        ImportError::malformed(
            FORMAT,
            "not base64 text of whole AES blocks (the file is cut or altered)",
        )
    })?;
    let key = foreign::unsalted_sha256(password);
    let plain = foreign::open_aes256_cbc(&key, &IV, &sealed)
        .map_err(|_| ImportError::WrongPassword(FORMAT))?;
    // CBC has no tag: a wrong password can leave valid padding around garbage, which is told
    // from a damaged file only by not being JSON.
    let mut backup: Backup =
        serde_json::from_slice(&plain).map_err(|_| ImportError::WrongPassword(FORMAT))?;
    if backup.0.len() != 1 {
        return Err(ImportError::malformed(
            FORMAT,
            format!(
                "the decrypted backup has {} keys, expected 1 (the account list)",
                backup.0.len()
            ),
        ));
    }
    let list = backup.0.pop_first().map(|(key, _)| key).unwrap_or_default();
    Ok(Zeroizing::new(list))
}

fn read_list(list: &str) -> Result<Read, ImportError> {
    let items: Vec<&RawValue> = serde_json::from_str(list)
        .map_err(|e| ImportError::malformed(FORMAT, format!("the account list: {e}")))?;
    Ok(fields::sort_out(
        items
            .into_iter()
            .enumerate()
            .map(|(index, item)| (index + 1, to_entry(item))),
    ))
}

/// One account: a JSON object, or (as some versions write it) JSON text holding one.
fn to_entry(item: &RawValue) -> Result<Entry, (String, String)> {
    let nested: Option<Zeroizing<String>> = serde_json::from_str::<String>(item.get())
        .ok()
        .map(Zeroizing::new);
    let json = nested.as_deref().map_or(item.get(), String::as_str);
    let raw: Raw = serde_json::from_str(json).map_err(|e| {
        (
            "(unreadable)".to_owned(),
            format!("the account is malformed: {e}"),
        )
    })?;
    let issuer = super::non_empty(raw.issuer.as_deref());
    let name = raw.name.as_deref().unwrap_or_default().trim().to_owned();
    let shown = label(issuer.as_deref(), &name);
    let refuse = |reason: String| (shown.clone(), reason);
    let secret = secret(&raw.key, raw.base).map_err(refuse)?;
    let digits = raw
        .digits
        .as_ref()
        .map(|d| d.value("digits"))
        .transpose()
        .map_err(refuse)?;
    let period = raw
        .period
        .as_ref()
        .map(|p| p.value("period"))
        .transpose()
        .map_err(refuse)?;
    let params = fields::params(Kind::Totp, Algorithm::Sha1, digits, period, 0).map_err(refuse)?;
    fields::entry(issuer, name, secret, params).map_err(refuse)
}

fn secret(key: &str, base: i64) -> Result<Secret, String> {
    let key = key.trim();
    let decoded = match base {
        16 => HEXLOWER_PERMISSIVE.decode(key.as_bytes()),
        32 => {
            let upper = Zeroizing::new(key.trim_end_matches('=').to_ascii_uppercase());
            BASE32_NOPAD.decode(upper.as_bytes())
        }
        64 => BASE64.decode(key.as_bytes()),
        other => {
            return Err(format!(
                "secret encoding base {other} is not known (16, 32, 64)"
            ));
        }
    };
    decoded
        .map(Secret::new)
        .map_err(|_| format!("the secret is not valid base {base}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bases_text_numbers_and_refusals() {
        let list = r#"[
            {"issuer":"A","name":"a","key":"48656c6c6f21deadbeef","base":16,"digits":"6","period":"30"},
            "{\"issuer\":\"B\",\"name\":\"b\",\"key\":\"JBSWY3DPEHPK3PXP\",\"base\":32,\"digits\":8}",
            {"issuer":"C","name":"c","key":"SGVsbG8h3q2+7w==","base":64},
            {"issuer":"D","name":"d","key":"00","base":10},
            {"issuer":"E","name":"e","key":"zz","base":16},
            {"issuer":"F","name":"f","key":"00","base":16,"period":"soon"}
        ]"#;
        let (entries, refused) = read_list(list).unwrap();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].account.secret, entries[2].account.secret);
        assert_eq!(entries[1].account.params.digits, 8);
        let reasons: Vec<&str> = refused.iter().map(|r| r.reason.as_str()).collect();
        assert!(reasons[0].contains("base 10"));
        assert!(reasons[1].contains("base 16"));
        assert!(reasons[2].contains("soon"));
        assert!(matches!(
            read_list("[{"),
            Err(ImportError::Malformed { .. })
        ));
    }

    #[test]
    fn backups_need_whole_blocks_and_the_password() {
        assert!(!looks_like_backup("QUJD"));
        assert!(matches!(
            read(b"QUJDRA==", Some("pw")),
            Err(ImportError::Malformed { .. })
        ));
        let two_blocks = BASE64.encode(&[7u8; 32]);
        assert!(looks_like_backup(&two_blocks));
        assert!(is_encrypted(two_blocks.as_bytes()));
        assert_eq!(
            read(two_blocks.as_bytes(), None),
            Err(ImportError::PasswordRequired(FORMAT))
        );
        assert_eq!(
            read(two_blocks.as_bytes(), Some("pw")),
            Err(ImportError::WrongPassword(FORMAT))
        );
        assert!(matches!(
            read(b"<map></map>", None),
            Err(ImportError::Malformed { .. })
        ));
    }
}
