//! andOTP plain JSON backups: an array of `{secret, issuer, label, digits, type, algorithm,
//! period | counter, tags}`. `type` is `TOTP`, `HOTP`, `STEAM` or `MOTP` (Jeton refuses mOTP);
//! the tags become groups. Encrypted andOTP backups are not read yet.

use serde::Deserialize;
use zeroize::Zeroize;

use super::{Entry, Format, ImportError, Read, fields, label, secret_from_base32};
use crate::otp::Kind;

const FORMAT: Format = Format::AndOtp;

#[derive(Deserialize)]
struct Raw {
    secret: String,
    #[serde(default)]
    issuer: Option<String>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    digits: Option<i64>,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    algorithm: Option<String>,
    #[serde(default)]
    period: Option<i64>,
    #[serde(default)]
    counter: Option<u64>,
    #[serde(default)]
    tags: Vec<String>,
}

impl Drop for Raw {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

/// Reads an andOTP plain JSON backup.
pub fn read(data: &[u8]) -> Result<Read, ImportError> {
    let raws: Vec<Raw> =
        serde_json::from_slice(data).map_err(|e| ImportError::malformed(FORMAT, e))?;
    Ok(fields::sort_out(raws.iter().enumerate().map(
        |(index, raw)| {
            let (issuer, name) = fields::split_name(
                raw.label.as_deref().unwrap_or_default(),
                raw.issuer.as_deref(),
            );
            let shown = label(issuer.as_deref(), &name);
            (
                index + 1,
                to_entry(raw, issuer, name).map_err(|r| (shown, r)),
            )
        },
    )))
}

fn to_entry(raw: &Raw, issuer: Option<String>, name: String) -> Result<Entry, String> {
    let kind = match raw.kind.to_ascii_uppercase().as_str() {
        "TOTP" => Kind::Totp,
        "HOTP" => Kind::Hotp,
        "STEAM" => Kind::Steam,
        other => {
            return Err(format!(
                "andOTP type {other} is not supported (TOTP, HOTP, STEAM)"
            ));
        }
    };
    let algorithm = fields::algorithm(raw.algorithm.as_deref().unwrap_or("SHA1"))?;
    let params = fields::params(
        kind,
        algorithm,
        raw.digits,
        raw.period,
        raw.counter.unwrap_or(0),
    )?;
    let mut entry = fields::entry(issuer, name, secret_from_base32(&raw.secret)?, params)?;
    entry.groups = raw
        .tags
        .iter()
        .filter(|t| !t.trim().is_empty())
        .cloned()
        .collect();
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_motp_and_labels() {
        let file = br#"[
            {"secret":"JBSWY3DPEHPK3PXP","issuer":"","label":"Omnivox:2412345","digits":6,"type":"TOTP","algorithm":"SHA1","period":30,"tags":["School"]},
            {"secret":"JBSWY3DPEHPK3PXP","issuer":"M","label":"m","digits":6,"type":"MOTP","algorithm":"MD5","period":10,"tags":[]}
        ]"#;
        let (entries, refused) = read(file).unwrap();
        assert_eq!(entries[0].account.issuer.as_deref(), Some("Omnivox"));
        assert_eq!(entries[0].account.name, "2412345");
        assert_eq!(entries[0].groups, vec!["School".to_owned()]);
        assert!(refused[0].reason.contains("MOTP"));
        assert!(matches!(read(b"[{"), Err(ImportError::Malformed { .. })));
    }
}
