//! 2FAS Authenticator `.2fas` backups, plain and encrypted (schema versions 1 to 4).
//!
//! An encrypted backup keeps its services in `servicesEncrypted`, three base64 fields joined by
//! `:`: the AES-256-GCM ciphertext with its tag appended, the PBKDF2 salt and the 12-byte IV. The
//! key is PBKDF2-HMAC-SHA256 of the password over 10,000 iterations. The decrypted text is the
//! JSON array that a plain backup keeps in `services`.

use data_encoding::BASE64;
use serde::Deserialize;
use serde_json::value::RawValue;
use zeroize::{Zeroize, Zeroizing};

use super::{Entry, Format, ImportError, Read, label, non_empty, secret_from_base32};
use crate::Account;
use crate::otp::{Algorithm, OtpParams};
use crate::seal::foreign;

const FORMAT: Format = Format::TwoFas;
/// PBKDF2 iterations 2FAS uses.
pub const PBKDF2_ITERATIONS: u32 = 10_000;
/// The newest schema this reader knows.
pub const MAX_SCHEMA_VERSION: u64 = 4;

/// Services are kept as raw JSON text borrowed from the input (for an encrypted backup, the
/// zeroized plaintext) instead of `serde_json::Value` trees that would copy every secret.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct File<'a> {
    #[serde(default, borrow)]
    services: Vec<&'a RawValue>,
    #[serde(default)]
    groups: Vec<Group>,
    schema_version: u64,
    #[serde(default)]
    services_encrypted: Option<String>,
}

#[derive(Deserialize)]
struct Group {
    id: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Service {
    #[serde(default)]
    name: Option<String>,
    secret: String,
    #[serde(default)]
    otp: Otp,
    #[serde(default)]
    group_id: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Otp {
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    digits: Option<u32>,
    #[serde(default)]
    period: Option<u32>,
    #[serde(default)]
    algorithm: Option<String>,
    #[serde(default)]
    counter: Option<u64>,
    #[serde(default)]
    token_type: Option<String>,
}

impl Drop for Service {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

/// Just the label of a service, to name it when the rest is unreadable.
#[derive(Deserialize, Default)]
struct LabelOnly {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    otp: LabelOtp,
}

#[derive(Deserialize, Default)]
struct LabelOtp {
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    account: Option<String>,
}

fn parse_file(data: &[u8]) -> Result<File<'_>, ImportError> {
    serde_json::from_slice(data).map_err(|e| ImportError::malformed(FORMAT, e))
}

/// Whether the file is an encrypted 2FAS backup.
pub fn is_encrypted(data: &[u8]) -> bool {
    parse_file(data).is_ok_and(|f| f.services_encrypted.is_some())
}

/// Reads a 2FAS backup; `password` is needed when it is encrypted.
pub fn read(data: &[u8], password: Option<&str>) -> Result<Read, ImportError> {
    let file = parse_file(data)?;
    if file.schema_version == 0 || file.schema_version > MAX_SCHEMA_VERSION {
        return Err(ImportError::unsupported(
            FORMAT,
            format!(
                "schema version {} (Jeton reads 1 to {MAX_SCHEMA_VERSION})",
                file.schema_version
            ),
        ));
    }
    let plain: Zeroizing<Vec<u8>>;
    let services: Vec<&RawValue> = match &file.services_encrypted {
        Some(sealed) => {
            let password = password.ok_or(ImportError::PasswordRequired(FORMAT))?;
            plain = decrypt(sealed, password)?;
            serde_json::from_slice(&plain)
                .map_err(|e| ImportError::malformed(FORMAT, format!("decrypted services: {e}")))?
        }
        None => file.services,
    };
    Ok(super::fields::sort_out(
        services
            .into_iter()
            .enumerate()
            .map(|(index, value)| (index + 1, to_entry(value, &file.groups))),
    ))
}

fn decrypt(sealed: &str, password: &str) -> Result<Zeroizing<Vec<u8>>, ImportError> {
    let parts: Vec<&str> = sealed.trim().split(':').collect();
    let [ciphertext, salt, iv] = parts.as_slice() else {
        return Err(ImportError::malformed(
            FORMAT,
            format!(
                "servicesEncrypted has {} part(s), expected 3 (ciphertext:salt:iv)",
                parts.len()
            ),
        ));
    };
    let field = |name: &str, text: &str| {
        BASE64
            .decode(text.as_bytes())
            .map_err(|_| ImportError::malformed(FORMAT, format!("the {name} is not valid base64")))
    };
    let ciphertext = field("ciphertext", ciphertext)?;
    let salt = field("salt", salt)?;
    let iv = field("IV", iv)?;
    if iv.len() != 12 {
        return Err(ImportError::malformed(
            FORMAT,
            format!("the IV has {} bytes, expected 12", iv.len()),
        ));
    }
    if ciphertext.len() < 16 {
        return Err(ImportError::malformed(
            FORMAT,
            "the ciphertext is shorter than its tag",
        ));
    }
    let key = foreign::pbkdf2_sha256(password, &salt, PBKDF2_ITERATIONS);
    foreign::open_aes256_gcm(&key, &iv, &ciphertext).map_err(|_| ImportError::WrongPassword(FORMAT))
}

fn to_entry(value: &RawValue, groups: &[Group]) -> Result<Entry, (String, String)> {
    let guess = || {
        let found: LabelOnly = serde_json::from_str(value.get()).unwrap_or_default();
        label(
            found.otp.issuer.as_deref().or(found.name.as_deref()),
            found.otp.account.as_deref().unwrap_or_default(),
        )
    };
    let service: Service = serde_json::from_str(value.get())
        .map_err(|e| (guess(), format!("the service is malformed: {e}")))?;
    let issuer =
        non_empty(service.otp.issuer.as_deref()).or_else(|| non_empty(service.name.as_deref()));
    let name = service.otp.account.clone().unwrap_or_default();
    let shown = label(issuer.as_deref(), &name);
    let refuse = |reason: String| (shown.clone(), reason);
    let secret = secret_from_base32(&service.secret).map_err(refuse)?;
    let kind = service
        .otp
        .token_type
        .as_deref()
        .unwrap_or("TOTP")
        .to_ascii_uppercase();
    let mut params = match kind.as_str() {
        "TOTP" => OtpParams::totp(),
        "HOTP" => OtpParams::hotp(service.otp.counter.unwrap_or(0)),
        "STEAM" => OtpParams::steam(),
        other => {
            return Err(refuse(format!(
                "2FAS token type {other} is not supported (TOTP, HOTP, STEAM)"
            )));
        }
    };
    params.algorithm = match service
        .otp
        .algorithm
        .as_deref()
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        None | Some("SHA1") => Algorithm::Sha1,
        Some("SHA256") => Algorithm::Sha256,
        Some("SHA512") => Algorithm::Sha512,
        Some(other) => {
            return Err(refuse(format!(
                "algorithm {other} is not supported (SHA1, SHA256, SHA512)"
            )));
        }
    };
    if kind != "STEAM"
        && let Some(digits) = service.otp.digits
    {
        params.digits = u8::try_from(digits).unwrap_or(u8::MAX);
    }
    if kind != "HOTP"
        && let Some(period) = service.otp.period
    {
        params.period = period;
    }
    params.validate().map_err(|e| refuse(e.to_string()))?;
    let group = service
        .group_id
        .as_deref()
        .and_then(|id| groups.iter().find(|g| g.id == id))
        .map(|g| g.name.clone());
    let entry = Entry {
        account: Account {
            issuer,
            name,
            secret,
            params,
        },
        groups: group.into_iter().collect(),
        note: None,
        favourite: false,
    };
    // `fields::sort_out` checks it with `fields::admit`, like every reader's entries.
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_and_refusals() {
        let file = r#"{"schemaVersion":4,"groups":[{"id":"g1","name":"School"}],"services":[
            {"name":"Omnivox","secret":"JBSWY3DPEHPK3PXP","groupId":"g1","otp":{"account":"2412345","tokenType":"TOTP"}},
            {"name":"Y","secret":"JBSWY3DPEHPK3PXP","otp":{"tokenType":"YAOTP"}},
            {"name":"Bad","secret":"1111","otp":{}}
        ]}"#;
        let (entries, refused) = read(file.as_bytes(), None).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].account.issuer.as_deref(), Some("Omnivox"));
        assert_eq!(entries[0].groups, vec!["School".to_owned()]);
        assert_eq!(refused.len(), 2);
        assert!(refused[0].reason.contains("YAOTP"));
        assert_eq!(refused[1].label, "Bad");
    }

    #[test]
    fn malformed_encrypted_field_is_named() {
        let file = r#"{"schemaVersion":4,"services":[],"servicesEncrypted":"AAAA:BBBB"}"#;
        assert!(matches!(
            read(file.as_bytes(), Some("test")),
            Err(ImportError::Malformed { detail, .. }) if detail.contains("2 part")
        ));
        let file = r#"{"schemaVersion":4,"services":[],"servicesEncrypted":"AAAA:BBBB:CCCC"}"#;
        assert!(matches!(
            read(file.as_bytes(), Some("test")),
            Err(ImportError::Malformed { detail, .. }) if detail.contains("IV")
        ));
        assert_eq!(
            read(file.as_bytes(), None),
            Err(ImportError::PasswordRequired(FORMAT))
        );
    }

    #[test]
    fn newer_schema_is_named() {
        let file = r#"{"schemaVersion":5,"services":[]}"#;
        assert!(matches!(
            read(file.as_bytes(), None),
            Err(ImportError::Unsupported { detail, .. }) if detail.contains("schema version 5")
        ));
    }
}
