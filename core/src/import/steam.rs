//! Steam Guard `.maFile` style files (Steam Desktop Authenticator and Aegis's fixtures): one
//! account (`shared_secret` in base64, `account_name`) or `{"accounts": {id: account, …}}`.
//! Steam codes are 5 characters, SHA-1, 30 seconds; the issuer is `Steam`.

use std::collections::BTreeMap;

use data_encoding::BASE64;
use serde::Deserialize;
use zeroize::Zeroize;

use super::{Format, ImportError, Read, Refusal, fields};
use crate::Secret;
use crate::otp::OtpParams;

const FORMAT: Format = Format::Steam;

#[derive(Deserialize)]
#[serde(untagged)]
enum File {
    Many { accounts: BTreeMap<String, Raw> },
    One(Raw),
}

#[derive(Deserialize)]
struct Raw {
    shared_secret: String,
    #[serde(default)]
    account_name: Option<String>,
}

impl Drop for Raw {
    fn drop(&mut self) {
        self.shared_secret.zeroize();
    }
}

/// Reads a Steam Guard file.
pub fn read(data: &[u8]) -> Result<Read, ImportError> {
    let file: File = serde_json::from_slice(data).map_err(|e| {
        ImportError::malformed(
            FORMAT,
            format!("expected a Steam Guard account with shared_secret ({e})"),
        )
    })?;
    let raws: Vec<Raw> = match file {
        File::Many { accounts } => accounts.into_values().collect(),
        File::One(raw) => vec![raw],
    };
    let mut entries = Vec::new();
    let mut refused = Vec::new();
    for (index, raw) in raws.iter().enumerate() {
        let name = raw
            .account_name
            .as_deref()
            .unwrap_or_default()
            .trim()
            .to_owned();
        let result = BASE64
            .decode(raw.shared_secret.trim().as_bytes())
            .map_err(|_| "the shared_secret is not valid base64".to_owned())
            .and_then(|bytes| {
                fields::entry(
                    Some("Steam".to_owned()),
                    name.clone(),
                    Secret::new(bytes),
                    OtpParams::steam(),
                )
            });
        match result {
            Ok(entry) => entries.push(entry),
            Err(reason) => refused.push(Refusal::at(index, Some("Steam"), &name, reason)),
        }
    }
    Ok((entries, refused))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_secret_is_refused_by_name() {
        let (entries, refused) = read(br#"{"shared_secret":"%%","account_name":"me"}"#).unwrap();
        assert!(entries.is_empty());
        assert_eq!(refused[0].label, "Steam (me)");
        assert!(matches!(read(b"{}"), Err(ImportError::Malformed { .. })));
    }
}
