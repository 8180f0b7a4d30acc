//! Authy's private token store, a shared preferences file: the JSON list under
//! `com.authy.storage.tokens.authenticator.key` holds third-party accounts with `decryptedSecret`
//! (base32), `digits`, `originalIssuer` and `originalName` (`Issuer:name`). Authy's codes are
//! SHA-1, 30 seconds. Tokens kept encrypted with the backup password (`encryptedSecret`) are not
//! read yet; Authy's own tokens (`…tokens.authy.key`) are refused by name.

use serde::Deserialize;
use zeroize::Zeroize;

use super::{Format, ImportError, Read, Refusal, fields, label, prefs, secret_from_base32};
use crate::otp::{Algorithm, Kind};

const FORMAT: Format = Format::Authy;
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

/// Reads Authy's token store.
pub fn read(data: &[u8]) -> Result<Read, ImportError> {
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
    if tokens
        .iter()
        .any(|t| t.decrypted_secret.is_none() && t.encrypted_secret.is_some())
    {
        return Err(ImportError::unsupported(
            FORMAT,
            "its secrets are encrypted with the Authy backup password, which Jeton does not read yet",
        ));
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
            Err(reason) => refused.push(Refusal {
                position: index + 1,
                label: label(issuer.as_deref(), &name),
                reason,
            }),
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
        assert!(matches!(
            read(sealed.as_bytes()),
            Err(ImportError::Unsupported { .. })
        ));
        assert!(matches!(
            read(b"<map></map>"),
            Err(ImportError::Malformed { .. })
        ));
        let bad = store(r#"[{"decryptedSecret":"1","digits":6,"originalName":"A:b"}]"#);
        let (entries, refused) = read(bad.as_bytes()).unwrap();
        assert!(entries.is_empty());
        assert_eq!(refused[0].label, "A (b)");
    }
}
