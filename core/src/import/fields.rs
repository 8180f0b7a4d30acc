//! What the readers of other apps' files share: algorithm names, code parameters checked the way
//! the `otpauth://` path checks them, the issuer prefix some apps keep in the account name, and
//! the size limit of the `otpauth://` path (an account that no QR code could carry is refused).

use zeroize::Zeroize;

use super::{Entry, Refusal};
use crate::otp::{Algorithm, Kind, MAX_DIGITS, MIN_DIGITS, OtpParams};
use crate::uri::MAX_URI_LEN;
use crate::{Account, Secret};

/// `SHA1`, `SHA256`, `SHA512` in any case (`HmacSHA1` too), for a refusal naming the value.
pub(crate) fn algorithm(name: &str) -> Result<Algorithm, String> {
    let upper = name.trim().to_ascii_uppercase();
    match upper.strip_prefix("HMAC").unwrap_or(&upper) {
        "SHA1" | "SHA-1" => Ok(Algorithm::Sha1),
        "SHA256" | "SHA-256" => Ok(Algorithm::Sha256),
        "SHA512" | "SHA-512" => Ok(Algorithm::Sha512),
        _ => Err(format!(
            "algorithm {name:?} is not supported (SHA1, SHA256, SHA512)"
        )),
    }
}

/// Code parameters of `kind`, with the file's digits and period when it gives them. The ranges
/// are those of the `otpauth://` path: 1–10 digits (Steam: always 5), a period of 1 s or more.
pub(crate) fn params(
    kind: Kind,
    algorithm: Algorithm,
    digits: Option<i64>,
    period: Option<i64>,
    counter: u64,
) -> Result<OtpParams, String> {
    let mut params = match kind {
        Kind::Totp => OtpParams::totp(),
        Kind::Hotp => OtpParams::hotp(counter),
        Kind::Steam => OtpParams::steam(),
    };
    params.algorithm = algorithm;
    if kind != Kind::Steam
        && let Some(digits) = digits
    {
        params.digits = u8::try_from(digits)
            .ok()
            .filter(|d| (MIN_DIGITS..=MAX_DIGITS).contains(d))
            .ok_or_else(|| {
                format!("{digits} digits is not valid: expected {MIN_DIGITS} to {MAX_DIGITS}")
            })?;
    }
    if kind != Kind::Hotp
        && let Some(period) = period
    {
        params.period = u32::try_from(period)
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| format!("a period of {period} s is not valid: expected 1 or more"))?;
    }
    params.validate().map_err(|e| e.to_string())?;
    Ok(params)
}

/// The account name without the `Issuer:` prefix some apps keep in it (`Deno:Mason` → `Mason`),
/// and the issuer: the file's own issuer field, else that prefix.
pub(crate) fn split_name(name: &str, issuer: Option<&str>) -> (Option<String>, String) {
    let issuer = super::non_empty(issuer);
    match name.split_once(':') {
        Some((prefix, rest)) if issuer.as_deref().is_none_or(|i| i == prefix.trim()) => (
            issuer.or_else(|| super::non_empty(Some(prefix))),
            rest.trim().to_owned(),
        ),
        _ => (issuer, name.trim().to_owned()),
    }
}

/// An entry from its parts, refused (with the reason) when [`admit`] refuses it.
pub(crate) fn entry(
    issuer: Option<String>,
    name: String,
    secret: Secret,
    params: OtpParams,
) -> Result<Entry, String> {
    let entry = Entry::new(Account {
        issuer,
        name,
        secret,
        params,
    });
    admit(&entry)?;
    Ok(entry)
}

/// What every entry read from a file must meet, whichever reader made it: a secret; an issuer
/// and name without control or text-direction characters ([`crate::account::check_label`]);
/// an `otpauth://` form no longer than [`MAX_URI_LEN`], the limit the `otpauth://` path applies
/// to the same account; and a note and group names of at most [`MAX_URI_LEN`] bytes each.
pub(crate) fn admit(entry: &Entry) -> Result<(), String> {
    let account = &entry.account;
    if account.secret.is_empty() {
        return Err("the secret is empty".into());
    }
    crate::account::check_label(account.issuer.as_deref(), &account.name)
        .map_err(|e| e.to_string())?;
    // Measured before formatting, so that a huge field costs no copy.
    let label_len = account.issuer.as_deref().map_or(0, str::len) + account.name.len();
    let secret_len = account.secret.len().div_ceil(5) * 8;
    if label_len + secret_len > MAX_URI_LEN {
        return Err(too_long(label_len + secret_len));
    }
    let mut uri = crate::uri::format(account);
    let len = uri.len();
    uri.zeroize();
    if len > MAX_URI_LEN {
        return Err(too_long(len));
    }
    if let Some(note) = entry.note.as_deref().filter(|n| n.len() > MAX_URI_LEN) {
        return Err(format!(
            "its note is {} bytes long, more than Jeton keeps ({MAX_URI_LEN})",
            note.len()
        ));
    }
    if let Some(group) = entry.groups.iter().find(|g| g.len() > MAX_URI_LEN) {
        return Err(format!(
            "a group name is {} bytes long, more than Jeton keeps ({MAX_URI_LEN})",
            group.len()
        ));
    }
    Ok(())
}

fn too_long(len: usize) -> String {
    format!(
        "its label and secret take {len} characters or more as an otpauth URI, more than any QR code can carry ({MAX_URI_LEN})"
    )
}

/// The loop every reader shares: each item of the file, with its 1-based position, became an
/// entry or a refusal `(label, reason)`. Each entry must also pass [`admit`]; each refusal's
/// label is shown escaped ([`crate::account::escape`]).
pub(crate) fn sort_out(
    items: impl IntoIterator<Item = (usize, Result<Entry, (String, String)>)>,
) -> super::Read {
    let mut entries = Vec::new();
    let mut refused = Vec::new();
    for (position, item) in items {
        let admitted = item.and_then(|entry| match admit(&entry) {
            Ok(()) => Ok(entry),
            Err(reason) => Err((entry.account.display_label(), reason)),
        });
        match admitted {
            Ok(entry) => entries.push(entry),
            Err((label, reason)) => refused.push(Refusal {
                position,
                label: crate::account::escape(&label),
                reason,
            }),
        }
    }
    (entries, refused)
}

/// Reads `steam://SECRET` (Bitwarden, Proton, Proton Pass), an `otpauth://` URI, or a bare base32 secret.
pub(crate) fn account_from_totp_field(
    field: &str,
    fallback_issuer: Option<&str>,
) -> Result<Account, String> {
    let field = field.trim();
    let head = field.get(..10).unwrap_or(field).to_ascii_lowercase();
    let mut account = if head.starts_with("steam://") {
        let secret = super::secret_from_base32(field.get(8..).unwrap_or_default())?;
        Account {
            issuer: None,
            name: String::new(),
            secret,
            params: OtpParams::steam(),
        }
    } else if head.starts_with("otpauth:") {
        crate::uri::parse(field).map_err(|e| e.to_string())?
    } else {
        Account {
            issuer: None,
            name: String::new(),
            secret: super::secret_from_base32(field)?,
            params: OtpParams::totp(),
        }
    };
    if account.issuer.is_none() {
        account.issuer = super::non_empty(fallback_issuer);
    }
    Ok(account)
}

/// Whether `needle` occurs in `data`.
pub(crate) fn contains(data: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && data.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn algorithms_params_and_names() {
        assert_eq!(algorithm("HmacSHA256"), Ok(Algorithm::Sha256));
        assert_eq!(algorithm("sha512"), Ok(Algorithm::Sha512));
        assert!(algorithm("MD5").unwrap_err().contains("MD5"));
        assert!(params(Kind::Totp, Algorithm::Sha1, Some(11), None, 0).is_err());
        assert!(params(Kind::Totp, Algorithm::Sha1, Some(6), Some(0), 0).is_err());
        assert!(params(Kind::Totp, Algorithm::Sha1, Some(-1), None, 0).is_err());
        let steam = params(Kind::Steam, Algorithm::Sha1, Some(7), None, 0).unwrap();
        assert_eq!(steam, OtpParams::steam());
        let hotp = params(Kind::Hotp, Algorithm::Sha1, Some(8), Some(0), 5).unwrap();
        assert_eq!((hotp.digits, hotp.counter), (8, 5));
        assert_eq!(
            split_name("Deno:Mason", Some("Deno")),
            (Some("Deno".into()), "Mason".into())
        );
        assert_eq!(
            split_name("Deno: Mason", None),
            (Some("Deno".into()), "Mason".into())
        );
        assert_eq!(
            split_name("a:b", Some("Other")),
            (Some("Other".into()), "a:b".into())
        );
        assert_eq!(split_name("plain", None), (None, "plain".into()));
    }

    #[test]
    fn accounts_too_long_for_a_qr_code_are_refused() {
        let secret = || Secret::from_slice(b"12345678901234567890");
        assert!(entry(None, "x".into(), secret(), OtpParams::totp()).is_ok());
        let long = "x".repeat(MAX_URI_LEN);
        assert!(
            entry(None, long, secret(), OtpParams::totp())
                .unwrap_err()
                .contains("QR code")
        );
        assert!(entry(None, "x".into(), Secret::new(Vec::new()), OtpParams::totp()).is_err());
    }

    #[test]
    fn sort_out_keeps_positions_admits_entries_and_escapes_refused_labels() {
        let entry = |name: &str| {
            Entry::new(Account {
                issuer: None,
                name: name.into(),
                secret: Secret::from_slice(b"12345678901234567890"),
                params: OtpParams::totp(),
            })
        };
        let (entries, refused) = sort_out([
            (1, Ok(entry("me"))),
            (2, Err(("\u{1b}]0;x\u{7}".to_owned(), "no".to_owned()))),
            (5, Ok(entry(&"x".repeat(MAX_URI_LEN)))),
            (6, Ok(entry("a\u{202e}b"))),
        ]);
        assert_eq!(entries.len(), 1);
        let positions: Vec<usize> = refused.iter().map(|r| r.position).collect();
        assert_eq!(positions, [2, 5, 6]);
        assert_eq!(refused[0].label, "\\u{1b}]0;x\\u{7}");
        assert!(refused[1].reason.contains("QR code"));
        assert!(refused[2].reason.contains("U+202E"));
        assert!(!refused[2].label.contains('\u{202e}'));
    }
}
