//! Google Authenticator's export codes: `otpauth-migration://offline?data=…`.
//!
//! `data` is percent-encoded standard base64 (a `+` stays a `+`) of a protobuf
//! `MigrationPayload`. One export of many accounts is split into a batch of several QR codes
//! sharing a `batch_id`; [`MigrationScans`] collects them in any order, across scans, and says
//! what is still missing ("2 of 4 codes scanned"). Decoding uses `prost` (see
//! `docs/adr/0005-google-migration-protobuf-with-prost.md`).
//!
//! ```
//! use jeton_core::import::MigrationScans;
//!
//! // One account, batch of one (written by Google's protobuf library): Plus / plus.
//! let uri = "otpauth-migration://offline?data=Ch4KCvvvn775%2B%2B%2Bf%2F%2F8SBHBsdXMaBFBsdXMgASgBMAIQARgBKCo%3D";
//! let mut scans = MigrationScans::new();
//! let progress = scans.add(uri).unwrap();
//! assert_eq!(progress.to_string(), "1 of 1 codes scanned");
//! let imported = scans.finish().unwrap();
//! assert_eq!(imported.entries[0].account.issuer.as_deref(), Some("Plus"));
//! ```

use std::collections::BTreeMap;
use std::fmt;

use super::{Entry, Format, Imported, Refusal, label};
use crate::migration::{self, CodecError, MigrationPayload, OtpParameters, split_name, wire};
use crate::otp::{Algorithm, OtpParams};
use crate::{Account, Secret};

/// Why a migration code could not be read, or a batch not completed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GoogleError {
    /// The text is not an `otpauth-migration://` URI.
    #[error("this is not a Google Authenticator export code (otpauth-migration://)")]
    NotMigration,
    /// No `data` parameter.
    #[error("the Google Authenticator export code has no data parameter")]
    MissingData,
    /// `data` is not base64.
    #[error(
        "the Google Authenticator export code's data is not valid base64 (was it cut or retyped?)"
    )]
    InvalidBase64,
    /// `data` decodes, but not to a migration payload.
    #[error("the Google Authenticator export code's data is damaged: {0}")]
    InvalidPayload(String),
    /// The batch numbering is inconsistent (index beyond size, size changing within a batch).
    #[error("the Google Authenticator export code is inconsistent: {0}")]
    InconsistentBatch(String),
    /// Some codes of a batch have not been scanned.
    #[error(
        "{scanned} of {total} codes scanned: scan the missing code(s) {} of this Google Authenticator export",
        list(missing, total.saturating_sub(*scanned))
    )]
    Incomplete {
        /// Codes scanned so far.
        scanned: u32,
        /// Codes in the batch.
        total: u32,
        /// 1-based numbers of the first missing codes (at most [`LISTED_MISSING`]; there are
        /// `total - scanned` in all).
        missing: Vec<u32>,
    },
    /// Nothing was scanned.
    #[error("no Google Authenticator export code was given")]
    Nothing,
}

pub use crate::migration::MAX_BATCH_CODES;

impl From<CodecError> for GoogleError {
    fn from(e: CodecError) -> Self {
        match e {
            CodecError::NotMigration => Self::NotMigration,
            CodecError::MissingData => Self::MissingData,
            CodecError::InvalidBase64 => Self::InvalidBase64,
            CodecError::InvalidPayload(why) => Self::InvalidPayload(why),
        }
    }
}

/// Most missing code numbers [`GoogleError::Incomplete`] lists.
pub const LISTED_MISSING: usize = 20;

fn list(numbers: &[u32], count: u32) -> String {
    let listed = numbers
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let more = usize::try_from(count)
        .unwrap_or(usize::MAX)
        .saturating_sub(numbers.len());
    if more == 0 {
        listed
    } else {
        format!("{listed} and {more} more")
    }
}

/// Where a batch stands after a scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanProgress {
    /// The batch the scanned code belongs to.
    pub batch_id: i32,
    /// 1-based number of the code just scanned.
    pub index: u32,
    /// Distinct codes of the batch scanned so far.
    pub scanned: u32,
    /// Codes in the batch.
    pub total: u32,
    /// Accounts held by the code just scanned.
    pub accounts: usize,
    /// Whether this code had already been scanned (nothing changed).
    pub repeated: bool,
}

impl ScanProgress {
    /// Whether every code of the batch has been scanned.
    pub fn is_complete(&self) -> bool {
        self.scanned == self.total
    }
}

impl fmt::Display for ScanProgress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} of {} codes scanned", self.scanned, self.total)
    }
}

/// The codes of one or more migration batches, collected across scans in any order. Cloned
/// by a caller that must keep them until the import has landed.
#[derive(Debug, Default, Clone)]
pub struct MigrationScans {
    batches: BTreeMap<i32, Batch>,
    order: Vec<i32>,
}

#[derive(Debug, Clone)]
struct Batch {
    total: u32,
    parts: BTreeMap<u32, Vec<Parsed>>,
}

/// One account of a scanned code: an entry, or its label and why it was refused.
type Parsed = Result<Entry, (String, String)>;

impl MigrationScans {
    /// No codes scanned yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one scanned `otpauth-migration://` URI. Scanning a code twice is harmless.
    pub fn add(&mut self, uri: &str) -> Result<ScanProgress, GoogleError> {
        let payload = decode_uri(uri)?;
        let total = u32::try_from(payload.batch_size.max(1))
            .map_err(|_| GoogleError::InconsistentBatch("negative batch size".into()))?;
        if total > MAX_BATCH_CODES {
            return Err(GoogleError::InconsistentBatch(format!(
                "it says its batch has {total} codes, more than the {MAX_BATCH_CODES} Jeton reads"
            )));
        }
        let index = u32::try_from(payload.batch_index).map_err(|_| {
            GoogleError::InconsistentBatch(format!("negative batch index {}", payload.batch_index))
        })?;
        if index >= total {
            return Err(GoogleError::InconsistentBatch(format!(
                "code {} of a batch of {total}",
                u64::from(index) + 1
            )));
        }
        let batch_id = payload.batch_id;
        if let Some(batch) = self.batches.get(&batch_id)
            && batch.total != total
        {
            return Err(GoogleError::InconsistentBatch(format!(
                "this code says its batch has {total} codes, an earlier one said {}",
                batch.total
            )));
        }
        let batch = self.batches.entry(batch_id).or_insert_with(|| Batch {
            total,
            parts: BTreeMap::new(),
        });
        if !self.order.contains(&batch_id) {
            self.order.push(batch_id);
        }
        let repeated = batch.parts.contains_key(&index);
        let accounts = payload.otp_parameters.len();
        if !repeated {
            let entries = payload.otp_parameters.iter().map(to_entry).collect();
            batch.parts.insert(index, entries);
        }
        Ok(ScanProgress {
            batch_id,
            index: index + 1,
            scanned: u32::try_from(batch.parts.len()).unwrap_or(u32::MAX),
            total,
            accounts,
            repeated,
        })
    }

    /// Whether at least one code was scanned and every batch seen is complete.
    pub fn is_complete(&self) -> bool {
        !self.batches.is_empty() && self.incomplete().is_none()
    }

    /// Why [`MigrationScans::finish`] would refuse for want of codes (which batch lacks how
    /// many), or `None` when every batch scanned so far is whole.
    pub fn incomplete(&self) -> Option<GoogleError> {
        self.order.iter().find_map(|id| {
            let batch = self.batches.get(id)?;
            let scanned = u32::try_from(batch.parts.len()).unwrap_or(u32::MAX);
            (scanned < batch.total).then(|| GoogleError::Incomplete {
                scanned,
                total: batch.total,
                missing: (0..batch.total)
                    .filter(|i| !batch.parts.contains_key(i))
                    .map(|i| i + 1)
                    .take(LISTED_MISSING)
                    .collect(),
            })
        })
    }

    /// The accounts of every batch, in batch and code order, once all codes are scanned.
    pub fn finish(self) -> Result<Imported, GoogleError> {
        if self.batches.is_empty() {
            return Err(GoogleError::Nothing);
        }
        if let Some(error) = self.incomplete() {
            return Err(error);
        }
        let mut batches = self.batches;
        let mut entries = Vec::new();
        let mut refused = Vec::new();
        let mut position = 0;
        for id in self.order {
            let Some(batch) = batches.remove(&id) else {
                continue;
            };
            for result in batch.parts.into_values().flatten() {
                position += 1;
                match result {
                    Ok(entry) => entries.push(entry),
                    Err((label, reason)) => refused.push(Refusal {
                        position,
                        label,
                        reason,
                    }),
                }
            }
        }
        Ok(Imported {
            format: Format::GoogleMigration,
            entries,
            refused,
        })
    }
}

/// Decodes the payload of one `otpauth-migration://` URI.
pub(crate) fn decode_uri(uri: &str) -> Result<MigrationPayload, GoogleError> {
    Ok(migration::decode_uri(uri)?)
}

fn to_entry(p: &OtpParameters) -> Parsed {
    let (issuer, name) = split_name(&p.issuer, &p.name);
    let shown = label(issuer.as_deref(), &name);
    let refuse = |reason: String| (shown.clone(), reason);
    if p.secret.is_empty() {
        return Err(refuse("the secret is empty".into()));
    }
    let algorithm = match p.algorithm {
        0 | wire::ALGORITHM_SHA1 => Algorithm::Sha1,
        wire::ALGORITHM_SHA256 => Algorithm::Sha256,
        wire::ALGORITHM_SHA512 => Algorithm::Sha512,
        wire::ALGORITHM_MD5 => {
            return Err(refuse(
                "it uses MD5, which Jeton does not support (SHA1, SHA256, SHA512)".into(),
            ));
        }
        other => return Err(refuse(format!("unknown algorithm number {other}"))),
    };
    let digits = match p.digits {
        0 | wire::DIGITS_SIX => 6,
        wire::DIGITS_EIGHT => 8,
        other => return Err(refuse(format!("unknown digit count number {other}"))),
    };
    let params = match p.r#type {
        0 | wire::TYPE_TOTP => OtpParams {
            algorithm,
            digits,
            ..OtpParams::totp()
        },
        wire::TYPE_HOTP => {
            let counter = u64::try_from(p.counter)
                .map_err(|_| refuse(format!("negative counter {}", p.counter)))?;
            OtpParams {
                algorithm,
                digits,
                ..OtpParams::hotp(counter)
            }
        }
        other => return Err(refuse(format!("unknown code type number {other}"))),
    };
    let entry = Entry::new(Account {
        issuer,
        name,
        secret: Secret::from_slice(&p.secret),
        params,
    });
    super::fields::admit(&entry).map_err(refuse)?;
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_and_issuer_rules() {
        assert_eq!(
            split_name("", "Deno:Mason"),
            (Some("Deno".into()), "Mason".into())
        );
        assert_eq!(
            split_name("Deno", "Deno:Mason"),
            (Some("Deno".into()), "Mason".into())
        );
        assert_eq!(
            split_name("Other", "Deno:Mason"),
            (Some("Other".into()), "Deno:Mason".into())
        );
        assert_eq!(split_name("", "Mason"), (None, "Mason".into()));
        assert_eq!(split_name("", ":Mason"), (None, "Mason".into()));
    }

    #[test]
    fn rejects_what_is_not_a_migration_code() {
        assert_eq!(
            decode_uri("otpauth://totp/x?secret=AA").unwrap_err(),
            GoogleError::NotMigration
        );
        assert_eq!(
            decode_uri("otpauth-migration://offline?foo=1").unwrap_err(),
            GoogleError::MissingData
        );
        assert_eq!(
            decode_uri("otpauth-migration://offline?data=%%%").unwrap_err(),
            GoogleError::InvalidBase64
        );
        assert_eq!(
            decode_uri("otpauth-migration://offline?data=!!!!").unwrap_err(),
            GoogleError::InvalidBase64
        );
        assert!(matches!(
            decode_uri("otpauth-migration://offline?data=CiEKEOSSeHDSHzZc").unwrap_err(),
            GoogleError::InvalidPayload(_)
        ));
    }

    #[test]
    fn debug_redacts_the_secret() {
        let mut p = OtpParameters::default();
        p.secret = b"supersecretbytes".to_vec();
        assert!(!format!("{p:?}").contains("115"));
        assert!(format!("{p:?}").contains("redacted, 16 bytes"));
    }
}
