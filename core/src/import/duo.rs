//! Duo Mobile exports: an array of accounts; third-party accounts (`accountType` `OtpAccount`)
//! carry `otpGenerator.otpSecret` (base32) and, for HOTP, `otpGenerator.counter`. Duo keeps no
//! algorithm, digits nor period: its codes are SHA-1, 6 digits, 30 seconds. The account's
//! `name` is its name; a custom `serviceTypeLabel`, when present, is the issuer. Duo's own push
//! accounts carry no secret and are refused by name.

use serde::Deserialize;
use zeroize::Zeroize;

use super::{Format, ImportError, Read, Refusal, fields, non_empty, secret_from_base32};
use crate::otp::{Algorithm, Kind};

const FORMAT: Format = Format::Duo;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Raw {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    service_type_label: Option<String>,
    #[serde(default)]
    otp_generator: Option<Generator>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Generator {
    otp_secret: String,
    #[serde(default)]
    counter: Option<u64>,
}

impl Drop for Generator {
    fn drop(&mut self) {
        self.otp_secret.zeroize();
    }
}

/// Reads a Duo Mobile export.
pub fn read(data: &[u8]) -> Result<Read, ImportError> {
    let raws: Vec<Raw> =
        serde_json::from_slice(data).map_err(|e| ImportError::malformed(FORMAT, e))?;
    let mut entries = Vec::new();
    let mut refused = Vec::new();
    for (index, raw) in raws.iter().enumerate() {
        let issuer = non_empty(raw.service_type_label.as_deref());
        let name = raw.name.as_deref().unwrap_or_default().trim().to_owned();
        let result = match &raw.otp_generator {
            None => Err("it is a Duo push account, which has no code secret to move".to_owned()),
            Some(generator) => {
                let kind = match generator.counter {
                    Some(_) => Kind::Hotp,
                    None => Kind::Totp,
                };
                fields::params(
                    kind,
                    Algorithm::Sha1,
                    None,
                    None,
                    generator.counter.unwrap_or(0),
                )
                .and_then(|params| {
                    fields::entry(
                        issuer.clone(),
                        name.clone(),
                        secret_from_base32(&generator.otp_secret)?,
                        params,
                    )
                })
            }
        };
        match result {
            Ok(entry) => entries.push(entry),
            Err(reason) => refused.push(Refusal::at(index, issuer.as_deref(), &name, reason)),
        }
    }
    Ok((entries, refused))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_accounts_are_refused_by_name() {
        let file = br#"[{"name":"Work","accountType":"DuoAccount"},
            {"name":"x","serviceTypeLabel":"Omnivox","otpGenerator":{"otpSecret":"JBSWY3DPEHPK3PXP"}}]"#;
        let (entries, refused) = read(file).unwrap();
        assert_eq!(entries[0].account.issuer.as_deref(), Some("Omnivox"));
        assert_eq!(refused[0].label, "Work");
    }
}
