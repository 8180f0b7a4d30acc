//! Google Authenticator's migration format, both ways: the `otpauth-migration://offline?data=…`
//! URI and its protobuf `MigrationPayload` (decoded with `prost`, see
//! `docs/adr/0005-google-migration-protobuf-with-prost.md`). The importer (`import::google`)
//! and the exporter (`export`) both use this codec, which knows neither.

use std::fmt;

use data_encoding::{BASE64, BASE64_NOPAD};
use percent_encoding::percent_decode_str;
use prost::Message;
use zeroize::{Zeroize, Zeroizing};

use crate::Account;
use crate::otp::{Algorithm, Kind};

/// Most codes one migration batch may have. Google Authenticator puts about 10 accounts in a
/// code, so this is hundreds of accounts; the bound keeps a crafted `batch_size` from making the
/// reader track (and report) billions of missing codes.
pub const MAX_BATCH_CODES: u32 = 64;

/// Why one migration URI could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CodecError {
    /// Not an `otpauth-migration://` URI.
    NotMigration,
    /// No `data` parameter.
    MissingData,
    /// `data` is not base64.
    InvalidBase64,
    /// `data` decodes, but not to a migration payload.
    InvalidPayload(String),
}

/// The protobuf messages of Google Authenticator's export (field numbers from its `.proto`).
/// Enums are read as plain integers so that an unknown value refuses one entry, not the file.
#[derive(Clone, PartialEq, Message)]
pub(crate) struct MigrationPayload {
    #[prost(message, repeated, tag = "1")]
    pub otp_parameters: Vec<OtpParameters>,
    #[prost(int32, tag = "2")]
    pub version: i32,
    #[prost(int32, tag = "3")]
    pub batch_size: i32,
    #[prost(int32, tag = "4")]
    pub batch_index: i32,
    #[prost(int32, tag = "5")]
    pub batch_id: i32,
}

#[derive(Clone, PartialEq, Message)]
#[prost(skip_debug)]
pub(crate) struct OtpParameters {
    #[prost(bytes = "vec", tag = "1")]
    pub secret: Vec<u8>,
    #[prost(string, tag = "2")]
    pub name: String,
    #[prost(string, tag = "3")]
    pub issuer: String,
    #[prost(int32, tag = "4")]
    pub algorithm: i32,
    #[prost(int32, tag = "5")]
    pub digits: i32,
    #[prost(int32, tag = "6")]
    pub r#type: i32,
    #[prost(int64, tag = "7")]
    pub counter: i64,
}

impl fmt::Debug for OtpParameters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OtpParameters")
            .field(
                "secret",
                &format_args!("<redacted, {} bytes>", self.secret.len()),
            )
            .field("name", &self.name)
            .field("issuer", &self.issuer)
            .field("algorithm", &self.algorithm)
            .field("digits", &self.digits)
            .field("type", &self.r#type)
            .field("counter", &self.counter)
            .finish()
    }
}

impl Drop for OtpParameters {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

/// Protobuf values of `Algorithm`, `DigitCount` and `OtpType`.
pub(crate) mod wire {
    pub const ALGORITHM_SHA1: i32 = 1;
    pub const ALGORITHM_SHA256: i32 = 2;
    pub const ALGORITHM_SHA512: i32 = 3;
    pub const ALGORITHM_MD5: i32 = 4;
    pub const DIGITS_SIX: i32 = 1;
    pub const DIGITS_EIGHT: i32 = 2;
    pub const TYPE_HOTP: i32 = 1;
    pub const TYPE_TOTP: i32 = 2;
}

const PREFIX: &str = "otpauth-migration://";

/// Decodes the payload of one `otpauth-migration://` URI.
pub(crate) fn decode_uri(uri: &str) -> Result<MigrationPayload, CodecError> {
    let uri = uri.trim();
    let head = uri.get(..PREFIX.len()).ok_or(CodecError::NotMigration)?;
    if !head.eq_ignore_ascii_case(PREFIX) {
        return Err(CodecError::NotMigration);
    }
    let query = uri.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let data = query
        .split('&')
        .find_map(|pair| {
            let (key, value) = pair.split_once('=')?;
            key.eq_ignore_ascii_case("data").then_some(value)
        })
        .ok_or(CodecError::MissingData)?;
    // Percent-decoding only: a literal `+` is base64, not a space. A space is what a `+` became
    // after passing through a form decoder, so it is read back as `+`.
    let decoded = percent_decode_str(data)
        .decode_utf8()
        .map_err(|_| CodecError::InvalidBase64)?;
    let base64: Zeroizing<String> = Zeroizing::new(
        decoded
            .chars()
            .filter(|c| !matches!(c, '\n' | '\r' | '\t'))
            .map(|c| if c == ' ' { '+' } else { c })
            .collect(),
    );
    let unpadded = base64.trim_end_matches('=');
    let bytes = Zeroizing::new(
        BASE64_NOPAD
            .decode(unpadded.as_bytes())
            .or_else(|_| BASE64.decode(base64.as_bytes()))
            .map_err(|_| CodecError::InvalidBase64)?,
    );
    let payload = MigrationPayload::decode(bytes.as_slice())
        .map_err(|e| CodecError::InvalidPayload(e.to_string()))?;
    // Encoders write fields in number order, so the accounts (1) come before the version (2):
    // a payload cut short at an account boundary still decodes, but without its version.
    if payload.version < 1 {
        return Err(CodecError::InvalidPayload(
            "it has no version field, so it was cut short".into(),
        ));
    }
    if payload.otp_parameters.is_empty() {
        return Err(CodecError::InvalidPayload("it holds no accounts".into()));
    }
    Ok(payload)
}

/// Issuer from the `issuer` field, else the `name` prefix before `:`; the prefix is removed from
/// the name when it repeats the issuer.
pub(crate) fn split_name(issuer: &str, name: &str) -> (Option<String>, String) {
    let issuer = issuer.trim();
    // The issuer itself may hold a colon (`Clara: Staff:john`): strip it whole first.
    if !issuer.is_empty()
        && let Some(rest) = name.trim_start().strip_prefix(issuer)
        && let Some(rest) = rest.trim_start().strip_prefix(':')
    {
        return (Some(issuer.to_owned()), rest.trim().to_owned());
    }
    match name.split_once(':') {
        Some((prefix, rest)) if issuer.is_empty() => {
            let prefix = prefix.trim();
            (
                (!prefix.is_empty()).then(|| prefix.to_owned()),
                rest.trim().to_owned(),
            )
        }
        Some((prefix, rest)) if prefix.trim() == issuer => {
            (Some(issuer.to_owned()), rest.trim().to_owned())
        }
        _ => (
            (!issuer.is_empty()).then(|| issuer.to_owned()),
            name.trim().to_owned(),
        ),
    }
}

/// The `name` field as Google writes it, `Issuer:name`, so that [`split_name`] reads back exactly
/// the account's name (a name holding `:` with no issuer is written `:name`).
fn name_field(account: &Account) -> String {
    match account.issuer.as_deref().filter(|i| !i.is_empty()) {
        Some(issuer) => format!("{issuer}:{}", account.name),
        None if account.name.contains(':') => format!(":{}", account.name),
        None => account.name.clone(),
    }
}

/// Builds the payload of one export code.
pub(crate) fn encode_payload(
    accounts: &[&Account],
    batch_size: i32,
    batch_index: i32,
    batch_id: i32,
) -> Zeroizing<Vec<u8>> {
    let payload = MigrationPayload {
        otp_parameters: accounts
            .iter()
            .map(|a| OtpParameters {
                secret: a.secret.expose().to_vec(),
                name: name_field(a),
                issuer: a.issuer.clone().unwrap_or_default(),
                algorithm: match a.params.algorithm {
                    Algorithm::Sha1 => wire::ALGORITHM_SHA1,
                    Algorithm::Sha256 => wire::ALGORITHM_SHA256,
                    Algorithm::Sha512 => wire::ALGORITHM_SHA512,
                },
                digits: if a.params.digits == 8 {
                    wire::DIGITS_EIGHT
                } else {
                    wire::DIGITS_SIX
                },
                r#type: if a.params.kind == Kind::Hotp {
                    wire::TYPE_HOTP
                } else {
                    wire::TYPE_TOTP
                },
                counter: i64::try_from(a.params.counter).unwrap_or(i64::MAX),
            })
            .collect(),
        version: 1,
        batch_size,
        batch_index,
        batch_id,
    };
    Zeroizing::new(payload.encode_to_vec())
}
