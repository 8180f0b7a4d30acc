//! `otpauth://` URIs (Google's Key Uri Format), read the way real QR codes write them.
//!
//! The parser is tolerant: scheme, type, parameter names and algorithm values in any case; a
//! secret in lower case, with spaces or hyphens, with or without padding; the issuer from the
//! `issuer` parameter or the label prefix (the parameter wins when they differ); percent-encoded
//! UTF-8 labels; `+` read as a space in parameter values; unknown parameters ignored. The
//! formatter writes the canonical form that Google and Microsoft Authenticator accept.
//!
//! ```
//! use jeton_core::uri;
//! let account = uri::parse(
//!     "otpauth://totp/C%C3%A9gep%20%C3%89douard-Montpetit:2412345?secret=jbswy3dpehpk3pxp",
//! ).unwrap();
//! assert_eq!(account.issuer.as_deref(), Some("Cégep Édouard-Montpetit"));
//! assert_eq!(account.name, "2412345");
//! assert_eq!(uri::parse(&uri::format(&account)).unwrap(), account);
//! ```

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use url::Url;

use crate::otp::{Algorithm, Kind, MAX_DIGITS, MIN_DIGITS, OtpParams, STEAM_DIGITS};
use crate::secret::SecretError;
use crate::{Account, Secret};

/// The most characters any QR code can carry in a URI (version 40-L, alphanumeric mode). Longer
/// input is refused before it is parsed.
pub const MAX_URI_LEN: usize = 4296;

/// Why a text is not a usable `otpauth://` URI.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UriError {
    /// It does not start with `otpauth://`.
    #[error("this is not an authenticator code: it does not start with otpauth://")]
    NotOtpauth,
    /// A Google Authenticator export (`otpauth-migration://`), which holds several accounts.
    #[error(
        "this is a Google Authenticator export (otpauth-migration://): import it instead of adding it"
    )]
    Migration,
    /// Longer than any QR code can carry.
    #[error("the text is {len} characters long, more than any QR code can carry ({MAX_URI_LEN})")]
    TooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// The URI's syntax is broken.
    #[error("the otpauth URI is malformed: {0}")]
    Malformed(String),
    /// A type other than `totp`, `hotp` or `steam`.
    #[error("unknown code type {0:?}: expected totp, hotp or steam")]
    UnknownType(String),
    /// No `secret` parameter.
    #[error("the URI has no secret parameter")]
    MissingSecret,
    /// A `secret` parameter with nothing in it.
    #[error("the secret is empty")]
    EmptySecret,
    /// A secret that is not base32.
    #[error("the secret is not valid: {0}")]
    InvalidSecret(SecretError),
    /// A `digits` value that is not a number from 1 to 10.
    #[error("digits={0:?} is not valid: expected a number from {MIN_DIGITS} to {MAX_DIGITS}")]
    Digits(String),
    /// A `period` value that is not a positive number of seconds.
    #[error("period={0:?} is not valid: expected a whole number of seconds, at least 1")]
    Period(String),
    /// A `counter` value that is not a non-negative number.
    #[error("counter={0:?} is not valid: expected a whole number, 0 or more")]
    Counter(String),
    /// The issuer or the name holds a control or text-direction character.
    #[error(transparent)]
    Label(#[from] crate::account::LabelError),
    /// An `algorithm` other than SHA1, SHA256 or SHA512.
    #[error("unknown algorithm {0:?}: expected SHA1, SHA256 or SHA512")]
    UnknownAlgorithm(String),
}

const SCHEME: &str = "otpauth://";
const MIGRATION_SCHEME: &str = "otpauth-migration:";

/// Parses an `otpauth://` URI into an account.
pub fn parse(text: &str) -> Result<Account, UriError> {
    if text.len() > MAX_URI_LEN {
        return Err(UriError::TooLong { len: text.len() });
    }
    let text = text.trim();
    if starts_with_ignore_case(text, MIGRATION_SCHEME) {
        return Err(UriError::Migration);
    }
    if !starts_with_ignore_case(text, SCHEME) {
        return Err(UriError::NotOtpauth);
    }
    let url = Url::parse(text).map_err(|e| UriError::Malformed(e.to_string()))?;
    let kind_name = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let mut kind = match kind_name.as_str() {
        "totp" => Kind::Totp,
        "hotp" => Kind::Hotp,
        "steam" => Kind::Steam,
        _ => return Err(UriError::UnknownType(decode(&kind_name))),
    };

    let mut query = Query::default();
    for (key, value) in url.query_pairs() {
        query.set(&key.to_ascii_lowercase(), value.trim());
    }
    if query
        .encoder
        .as_deref()
        .is_some_and(|e| e.eq_ignore_ascii_case("steam"))
    {
        kind = Kind::Steam;
    }

    let secret = match query.secret.as_deref() {
        None => return Err(UriError::MissingSecret),
        Some(text) => Secret::from_base32(text).map_err(|e| match e {
            SecretError::Empty => UriError::EmptySecret,
            other => UriError::InvalidSecret(other),
        })?,
    };

    let defaults = match kind {
        Kind::Totp => OtpParams::totp(),
        Kind::Hotp => OtpParams::hotp(0),
        Kind::Steam => OtpParams::steam(),
    };
    let algorithm = match query.algorithm.as_deref() {
        None => defaults.algorithm,
        Some(name) => parse_algorithm(name)?,
    };
    let digits = match (kind, query.digits.as_deref()) {
        (Kind::Steam, _) | (_, None) => defaults.digits,
        (_, Some(text)) => text
            .parse::<u8>()
            .ok()
            .filter(|d| (MIN_DIGITS..=MAX_DIGITS).contains(d))
            .ok_or_else(|| UriError::Digits(text.to_owned()))?,
    };
    let period = match query.period.as_deref() {
        None => defaults.period,
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| UriError::Period(text.to_owned()))?,
    };
    let counter = match query.counter.as_deref() {
        None => 0,
        Some(text) => text
            .parse::<u64>()
            .map_err(|_| UriError::Counter(text.to_owned()))?,
    };
    let params = OtpParams {
        kind,
        algorithm,
        digits: if kind == Kind::Steam {
            STEAM_DIGITS
        } else {
            digits
        },
        // Each kind keeps only what `format` writes for it: HOTP a counter, the others a period.
        period: if kind == Kind::Hotp {
            defaults.period
        } else {
            period
        },
        counter: if kind == Kind::Hotp { counter } else { 0 },
        t0: 0,
    };

    let (issuer, name) = split_label(raw_label(text), query.issuer.as_deref());
    crate::account::check_label(issuer.as_deref(), &name)?;
    Ok(Account {
        issuer,
        name,
        secret,
        params,
    })
}

/// Writes an account as a canonical `otpauth://` URI:
/// `otpauth://totp/Issuer:name?secret=BASE32&issuer=Issuer&algorithm=SHA1&digits=6&period=30`.
///
/// The label and issuer are percent-encoded UTF-8 (a space as `%20`), the secret is upper-case
/// base32 without padding, and every parameter is written so that no reader has to guess a
/// default. HOTP writes `counter` instead of `period`; Steam uses the `steam` type.
pub fn format(account: &Account) -> String {
    let params = &account.params;
    let mut out = String::from(SCHEME);
    out.push_str(params.kind.as_str());
    out.push('/');
    match &account.issuer {
        Some(issuer) => {
            out.extend(utf8_percent_encode(issuer, LABEL));
            out.push(':');
        }
        // A colon in the name, even encoded, would read as the issuer separator: an empty
        // issuer prefix keeps the whole name a name.
        None if account.name.contains(':') => out.push(':'),
        None => {}
    }
    out.extend(utf8_percent_encode(&account.name, LABEL));
    out.push_str("?secret=");
    out.push_str(&account.secret.to_base32());
    if let Some(issuer) = &account.issuer {
        out.push_str("&issuer=");
        out.extend(utf8_percent_encode(issuer, VALUE));
    }
    out.push_str("&algorithm=");
    out.push_str(params.algorithm.as_str());
    out.push_str("&digits=");
    out.push_str(&params.digits.to_string());
    match params.kind {
        Kind::Hotp => {
            out.push_str("&counter=");
            out.push_str(&params.counter.to_string());
        }
        Kind::Totp | Kind::Steam => {
            out.push_str("&period=");
            out.push_str(&params.period.to_string());
        }
    }
    out
}

/// Characters left as they are in a label: unreserved ones and `@` (for e-mail addresses).
const LABEL: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'@');
/// Characters left as they are in a parameter value.
const VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

#[derive(Default)]
struct Query {
    secret: Option<String>,
    issuer: Option<String>,
    algorithm: Option<String>,
    digits: Option<String>,
    period: Option<String>,
    counter: Option<String>,
    encoder: Option<String>,
}

impl Query {
    /// Keeps the first non-empty value of each known parameter; ignores the rest. An empty
    /// `secret` is kept so that it can be reported as empty rather than missing.
    fn set(&mut self, key: &str, value: &str) {
        let slot = match key {
            "secret" => &mut self.secret,
            "issuer" => &mut self.issuer,
            "algorithm" => &mut self.algorithm,
            "digits" => &mut self.digits,
            "period" => &mut self.period,
            "counter" => &mut self.counter,
            "encoder" => &mut self.encoder,
            _ => return,
        };
        let keep_empty = key == "secret";
        if slot.as_deref().is_none_or(str::is_empty) && (keep_empty || !value.is_empty()) {
            *slot = Some(value.to_owned());
        }
    }
}

fn parse_algorithm(name: &str) -> Result<Algorithm, UriError> {
    let normalized: String = name
        .chars()
        .filter(|c| *c != '-' && *c != '_')
        .collect::<String>()
        .to_ascii_uppercase();
    match normalized.as_str() {
        "SHA1" => Ok(Algorithm::Sha1),
        "SHA256" => Ok(Algorithm::Sha256),
        "SHA512" => Ok(Algorithm::Sha512),
        _ => Err(UriError::UnknownAlgorithm(name.to_owned())),
    }
}

/// Splits the label into issuer and account name.
///
/// A literal `:` separates them (Google's format); failing that, an encoded one (`%3A`). The
/// `issuer` parameter wins over the prefix; when the label starts with that issuer and a colon,
/// the prefix is removed even if the issuer itself contains a colon.
fn split_label(raw: &str, issuer_param: Option<&str>) -> (Option<String>, String) {
    let decoded = decode(raw);
    let issuer_param = issuer_param.map(str::trim).filter(|s| !s.is_empty());

    if let Some(issuer) = issuer_param
        && let Some(rest) = decoded.strip_prefix(issuer)
        && let Some(name) = rest.trim_start().strip_prefix(':')
    {
        return (Some(issuer.to_owned()), name.trim().to_owned());
    }

    let (prefix, name) = match raw.split_once(':') {
        Some((prefix, name)) => (Some(decode(prefix)), decode(name)),
        None => match decoded.split_once(':') {
            Some((prefix, name)) => (Some(prefix.to_owned()), name.to_owned()),
            None => (None, decoded.clone()),
        },
    };
    let prefix = prefix
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty());
    let issuer = issuer_param.map(str::to_owned).or(prefix);
    (issuer, name.trim().to_owned())
}

/// The label exactly as written: after `otpauth://type/`, before `?` or `#`. Taken from the
/// text rather than from the parsed URL, whose path normalization would drop a label such as
/// `.` or `..` and strip tabs.
fn raw_label(text: &str) -> &str {
    let after_scheme = text.get(SCHEME.len()..).unwrap_or_default();
    // Cut the query first: `otpauth://totp?…&image=https://…` has no label, whatever slashes
    // its query holds.
    let before_query = after_scheme.split(['?', '#']).next().unwrap_or_default();
    before_query.split_once('/').map_or("", |(_, label)| label)
}

fn decode(text: &str) -> String {
    percent_decode_str(text).decode_utf8_lossy().into_owned()
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_split_rules() {
        assert_eq!(
            split_label("ACME:john", None),
            (Some("ACME".into()), "john".into())
        );
        assert_eq!(
            split_label("ACME%3Ajohn", None),
            (Some("ACME".into()), "john".into())
        );
        assert_eq!(
            split_label("A%3AB:john", Some("A:B")),
            (Some("A:B".into()), "john".into())
        );
        assert_eq!(split_label("john", None), (None, "john".into()));
        assert_eq!(
            split_label("Old%20Name:john", Some("New")),
            (Some("New".into()), "john".into())
        );
        assert_eq!(
            split_label("ACME%20Co%20%20:%20john", None),
            (Some("ACME Co".into()), "john".into())
        );
    }

    #[test]
    fn algorithm_spellings() {
        assert_eq!(parse_algorithm("sha-256"), Ok(Algorithm::Sha256));
        assert_eq!(parse_algorithm("Sha512"), Ok(Algorithm::Sha512));
        assert_eq!(
            parse_algorithm("MD5"),
            Err(UriError::UnknownAlgorithm("MD5".into()))
        );
    }
}
