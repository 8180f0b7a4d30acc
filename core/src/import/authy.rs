//! Authy's private token store, a shared preferences file: the JSON list under
//! `com.authy.storage.tokens.authenticator.key` holds third-party accounts with `decryptedSecret`
//! (base32), `digits`, `originalIssuer` and `originalName` (`Issuer:name`). Authy's codes are
//! SHA-1, 30 seconds. Authy's own tokens (`…tokens.authy.key`) are refused by name.
//!
//! Tokens kept encrypted with the Authy backup password have `encryptedSecret` (base64) and
//! `salt` (text) instead of `decryptedSecret`: the key is PBKDF2-HMAC-SHA1 of the password with
//! the salt's UTF-8 bytes over 1,000 iterations, and the secret's base32 text is AES-256-CBC
//! with a zero IV and PKCS#7 padding. One password opens every token, so a token that does not
//! open when others do means an altered file, refused whole. (Authy's newer cloud format, with
//! `unique_iv` and `key_derivation_iterations`, is another file and is not read.)

use data_encoding::BASE64;
use serde::Deserialize;
use zeroize::{Zeroize, Zeroizing};

use super::{Format, ImportError, Read, Refusal, fields, label, prefs, secret_from_base32};
use crate::otp::{Algorithm, Kind};
use crate::seal::foreign;

const FORMAT: Format = Format::Authy;
/// PBKDF2 iterations of encrypted tokens (fixed by the app, not read from the file).
const PBKDF2_ITERATIONS: u32 = 1_000;
/// The IV of encrypted tokens: all zero.
const IV: [u8; 16] = [0; 16];
/// The key of third-party accounts.
pub(crate) const AUTHENTICATOR_KEY: &str = "com.authy.storage.tokens.authenticator.key";
/// The key of Authy's own accounts.
pub(crate) const AUTHY_KEY: &str = "com.authy.storage.tokens.authy.key";

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Token {
    #[serde(default)]
    decrypted_secret: Option<String>,
    #[serde(default)]
    encrypted_secret: Option<String>,
    #[serde(default)]
    salt: Option<String>,
    #[serde(default)]
    digits: Option<i64>,
    #[serde(default)]
    original_issuer: Option<String>,
    #[serde(default)]
    original_name: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

impl Drop for Token {
    fn drop(&mut self) {
        self.decrypted_secret.zeroize();
        self.encrypted_secret.zeroize();
    }
}

/// The third-party tokens and Authy's own, as the file lists them.
fn lists(data: &[u8]) -> Result<(Vec<Token>, Vec<Token>), ImportError> {
    let text = super::utf8(data, FORMAT)?;
    let entries = prefs::parse(text, FORMAT)?;
    let list = |key: &str| -> Result<Vec<Token>, ImportError> {
        prefs::get(&entries, key)
            .map(|json| {
                serde_json::from_str(json)
                    .map_err(|e| ImportError::malformed(FORMAT, format!("{key}: {e}")))
            })
            .transpose()
            .map(Option::unwrap_or_default)
    };
    let tokens = list(AUTHENTICATOR_KEY)?;
    let own = list(AUTHY_KEY)?;
    if tokens.is_empty() && own.is_empty() {
        return Err(ImportError::malformed(
            FORMAT,
            format!("the file holds no {AUTHENTICATOR_KEY}"),
        ));
    }
    Ok((tokens, own))
}

fn sealed(token: &Token) -> bool {
    token.decrypted_secret.is_none() && token.encrypted_secret.is_some()
}

/// Whether some secrets of the store are encrypted with the Authy backup password.
pub fn is_encrypted(data: &[u8]) -> bool {
    lists(data).is_ok_and(|(tokens, _)| tokens.iter().any(sealed))
}

/// Reads Authy's token store; `password` (the Authy backup password) opens encrypted secrets.
pub fn read(data: &[u8], password: Option<&str>) -> Result<Read, ImportError> {
    let (mut tokens, own) = lists(data)?;
    if tokens.iter().any(sealed) {
        let password = password.ok_or(ImportError::PasswordRequired(FORMAT))?;
        decrypt_all(&mut tokens, password)?;
    }
    let mut accounts = Vec::new();
    let mut refused = Vec::new();
    for (index, token) in tokens.iter().enumerate() {
        let full = token
            .original_name
            .as_deref()
            .or(token.name.as_deref())
            .unwrap_or_default();
        let (issuer, name) = fields::split_name(full, token.original_issuer.as_deref());
        let result =
            fields::params(Kind::Totp, Algorithm::Sha1, token.digits, None, 0).and_then(|params| {
                let secret =
                    secret_from_base32(token.decrypted_secret.as_deref().unwrap_or_default())?;
                fields::entry(issuer.clone(), name.clone(), secret, params)
            });
        match result {
            Ok(entry) => accounts.push(entry),
            Err(reason) => refused.push(Refusal::at(index, issuer.as_deref(), &name, reason)),
        }
    }
    for (index, token) in own.iter().enumerate() {
        refused.push(Refusal {
            position: tokens.len() + index + 1,
            label: label(token.name.as_deref(), ""),
            reason: "Authy's own accounts (7 digits, 10 s) are not supported".into(),
        });
    }
    Ok((accounts, refused))
}

/// Opens every encrypted secret: none opening is a wrong password, some not opening an altered
/// file.
fn decrypt_all(tokens: &mut [Token], password: &str) -> Result<(), ImportError> {
    let mut opened = 0;
    let mut failed = None;
    for (index, token) in tokens.iter_mut().enumerate() {
        if !sealed(token) {
            continue;
        }
        match decrypt(token, password) {
            Ok(secret) => {
                token.decrypted_secret = Some(secret);
                opened += 1;
            }
            Err(()) => {
                failed.get_or_insert(index + 1);
            }
        }
    }
    match failed {
        None => Ok(()),
        Some(_) if opened == 0 => Err(ImportError::WrongPassword(FORMAT)),
        Some(position) => Err(ImportError::malformed(
            FORMAT,
            format!(
                "token {position} does not open with the password that opens the others: the file was altered"
            ),
        )),
    }
}

/// One token's secret as base32 text, or `Err` when it does not open (or does not open to
/// base32 text, which is how a wrong key shows when the padding happens to look right).
fn decrypt(token: &Token, password: &str) -> Result<String, ()> {
    let sealed = BASE64
        .decode(
            token
                .encrypted_secret
                .as_deref()
                .unwrap_or_default()
                .as_bytes(),
        )
        .map_err(|_| ())?;
    let salt = token.salt.as_deref().unwrap_or_default();
    let key = foreign::pbkdf2_sha1(password, salt.as_bytes(), PBKDF2_ITERATIONS);
    let plain = foreign::open_aes256_cbc(&key, &IV, &sealed).map_err(|_| ())?;
    let text = Zeroizing::new(String::from_utf8(plain.to_vec()).map_err(|_| ())?);
    let is_base32 = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'=' || b == b' ');
    if is_base32 && secret_from_base32(&text).is_ok() {
        Ok(text.to_string())
    } else {
        Err(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(tokens: &str) -> String {
        format!(
            "<map><string name=\"{AUTHENTICATOR_KEY}\">{}</string></map>",
            tokens.replace('"', "&quot;")
        )
    }

    #[test]
    fn encrypted_tokens_and_missing_lists() {
        let sealed = store(r#"[{"encryptedSecret":"abc","digits":6,"name":"x"}]"#);
        assert!(is_encrypted(sealed.as_bytes()));
        assert_eq!(
            read(sealed.as_bytes(), None),
            Err(ImportError::PasswordRequired(FORMAT))
        );
        assert_eq!(
            read(sealed.as_bytes(), Some("pw")),
            Err(ImportError::WrongPassword(FORMAT))
        );
        assert!(matches!(
            read(b"<map></map>", None),
            Err(ImportError::Malformed { .. })
        ));
        let bad = store(r#"[{"decryptedSecret":"1","digits":6,"originalName":"A:b"}]"#);
        assert!(!is_encrypted(bad.as_bytes()));
        let (entries, refused) = read(bad.as_bytes(), None).unwrap();
        assert!(entries.is_empty());
        assert_eq!(refused[0].label, "A (b)");
    }
}
