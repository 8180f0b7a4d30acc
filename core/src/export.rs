//! Accounts written out for other apps, so that users can always leave: a list of `otpauth://`
//! URIs, an Aegis plain vault (JSON), an andOTP plain backup (JSON), and Google Authenticator
//! migration codes.
//!
//! These are plaintext: whoever reads the output has every secret. Callers must make the user
//! ask for them explicitly; the encrypted way out is [`crate::backup`]. Outputs are returned in
//! zeroizing buffers. An account a format cannot carry (a Steam account in a Google code) is
//! never dropped silently: it is listed in `left_out` with the reason.
//!
//! ```
//! use jeton_core::{export, import, uri};
//!
//! let account = uri::parse("otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ").unwrap();
//! let codes = export::google_migration_with_batch_id(&[account.clone()], -7);
//! assert_eq!(codes.uris.len(), 1);
//! let back = import::read(codes.uris[0].as_bytes(), None, None).unwrap();
//! assert_eq!(back.entries[0].account, account);
//! ```

use serde::Serialize;
use zeroize::Zeroizing;

use crate::Account;
use crate::account::Entry;
use crate::import::Refusal;
use crate::migration;
use crate::otp::Kind;
use crate::uri;

/// Most accounts Jeton puts in one Google migration code: more makes the QR code too dense for
/// many phone cameras (Google Authenticator itself uses 10).
pub const GOOGLE_ACCOUNTS_PER_CODE: usize = 10;

/// Why an export could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExportError {
    /// The system's random number generator failed (needed for identifiers).
    #[error("the system's random number generator failed: {0}")]
    Random(String),
    /// The output could not be written as JSON.
    #[error("the export could not be written: {0}")]
    Serialize(String),
}

/// An andOTP plain backup (the JSON array andOTP restores from "plain text"; FreeOTP+ and Aegis
/// read it too): every account with its groups as tags. Notes and favourites have no place in
/// the format.
pub fn andotp_json(entries: &[Entry]) -> Result<Zeroizing<String>, ExportError> {
    crate::import::andotp::write(entries).map_err(|e| ExportError::Serialize(e.to_string()))
}

/// One `otpauth://` URI per line (canonical form, see [`uri::format`]).
pub fn otpauth_list<'a>(accounts: impl IntoIterator<Item = &'a Account>) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::new());
    for account in accounts {
        let line = Zeroizing::new(uri::format(account));
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// Google Authenticator migration codes, and the accounts they cannot carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoogleExport {
    /// `otpauth-migration://offline?data=…` URIs, one per QR code, at most
    /// [`GOOGLE_ACCOUNTS_PER_CODE`] accounts each.
    pub uris: Vec<String>,
    /// Accounts Google Authenticator cannot hold, with the reason (1-based positions in the
    /// input).
    pub left_out: Vec<Refusal>,
}

/// Writes accounts as Google Authenticator migration codes under a random batch id.
pub fn google_migration(accounts: &[Account]) -> Result<GoogleExport, ExportError> {
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).map_err(|e| ExportError::Random(e.to_string()))?;
    // Google's own ids are positive and negative; any 32-bit value is valid.
    Ok(google_migration_with_batch_id(
        accounts,
        i32::from_le_bytes(bytes),
    ))
}

/// Writes accounts as Google Authenticator migration codes under the given batch id (and the
/// following ids when there are more than [`migration::MAX_BATCH_CODES`] codes).
///
/// Google's format has no period, no Steam codes and only 6 or 8 digits: other accounts are left
/// out and listed.
pub fn google_migration_with_batch_id(accounts: &[Account], batch_id: i32) -> GoogleExport {
    let mut fits = Vec::new();
    let mut left_out = Vec::new();
    for (index, account) in accounts.iter().enumerate() {
        match google_cannot_carry(account) {
            None => fits.push(account),
            Some(reason) => left_out.push(Refusal {
                position: index + 1,
                label: account.display_label(),
                reason: reason.to_owned(),
            }),
        }
    }
    let chunks: Vec<&[&Account]> = fits.chunks(GOOGLE_ACCOUNTS_PER_CODE).collect();
    // A reader refuses batches of more than MAX_BATCH_CODES codes: more codes make several
    // batches, with consecutive ids.
    let per_batch = usize::try_from(migration::MAX_BATCH_CODES).unwrap_or(usize::MAX);
    let uris = chunks
        .chunks(per_batch)
        .enumerate()
        .flat_map(|(batch, codes)| {
            let id = batch_id.wrapping_add(i32::try_from(batch).unwrap_or(i32::MAX));
            let size = i32::try_from(codes.len()).unwrap_or(i32::MAX);
            codes.iter().enumerate().map(move |(index, chunk)| {
                (id, size, i32::try_from(index).unwrap_or(i32::MAX), *chunk)
            })
        })
        .map(|(batch_id, size, index, chunk)| {
            let payload = migration::encode_payload(chunk, size, index, batch_id);
            let base64 = Zeroizing::new(data_encoding::BASE64.encode(&payload));
            let mut uri = String::from("otpauth-migration://offline?data=");
            uri.extend(percent_encoding::utf8_percent_encode(
                &base64,
                percent_encoding::NON_ALPHANUMERIC,
            ));
            uri
        })
        .collect();
    GoogleExport { uris, left_out }
}

fn google_cannot_carry(account: &Account) -> Option<&'static str> {
    let p = &account.params;
    match p.kind {
        Kind::Steam => Some("Google Authenticator has no Steam codes"),
        _ if p.digits != 6 && p.digits != 8 => {
            Some("Google Authenticator codes have 6 or 8 digits only")
        }
        Kind::Totp if p.period != 30 => {
            Some("Google Authenticator codes change every 30 seconds only")
        }
        _ if p.t0 != 0 => Some("Google Authenticator cannot shift the start of time steps (T0)"),
        _ if i64::try_from(p.counter).is_err() => {
            Some("the counter is too large for Google Authenticator")
        }
        Kind::Totp | Kind::Hotp => None,
    }
}

#[derive(Serialize)]
struct AegisFile<'a> {
    version: u32,
    header: AegisHeader,
    db: AegisDb<'a>,
}

#[derive(Serialize)]
struct AegisHeader {
    slots: Option<()>,
    params: Option<()>,
}

#[derive(Serialize)]
struct AegisDb<'a> {
    version: u32,
    entries: Vec<AegisEntry<'a>>,
    groups: Vec<AegisGroup<'a>>,
}

#[derive(Serialize)]
struct AegisGroup<'a> {
    uuid: String,
    name: &'a str,
}

#[derive(Serialize)]
struct AegisEntry<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    uuid: String,
    name: &'a str,
    issuer: &'a str,
    note: &'a str,
    favorite: bool,
    icon: Option<()>,
    icon_mime: Option<()>,
    icon_hash: Option<()>,
    info: AegisInfo<'a>,
    groups: Vec<String>,
}

#[derive(Serialize)]
struct AegisInfo<'a> {
    secret: &'a str,
    algo: &'static str,
    digits: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    period: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    counter: Option<u64>,
}

fn random_uuid() -> Result<String, ExportError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| ExportError::Random(e.to_string()))?;
    Ok(uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string())
}

/// An Aegis plain vault (file version 1, database version 3) that Aegis can import: entries with
/// their groups, notes and favourite flags.
pub fn aegis_json(entries: &[Entry]) -> Result<Zeroizing<String>, ExportError> {
    let mut group_names: Vec<&str> = Vec::new();
    for entry in entries {
        for group in &entry.groups {
            if !group_names.contains(&group.as_str()) {
                group_names.push(group);
            }
        }
    }
    let groups = group_names
        .iter()
        .map(|name| {
            Ok(AegisGroup {
                uuid: random_uuid()?,
                name,
            })
        })
        .collect::<Result<Vec<_>, ExportError>>()?;
    let secrets: Vec<Zeroizing<String>> = entries
        .iter()
        .map(|e| e.account.secret.to_base32())
        .collect();
    let mut aegis_entries = Vec::with_capacity(entries.len());
    for (entry, secret) in entries.iter().zip(&secrets) {
        let account = &entry.account;
        let p = &account.params;
        aegis_entries.push(AegisEntry {
            kind: p.kind.as_str(),
            uuid: random_uuid()?,
            name: &account.name,
            issuer: account.issuer.as_deref().unwrap_or_default(),
            note: entry.note.as_deref().unwrap_or_default(),
            favorite: entry.favourite,
            icon: None,
            icon_mime: None,
            icon_hash: None,
            info: AegisInfo {
                secret,
                algo: p.algorithm.as_str(),
                digits: p.digits,
                period: (p.kind != Kind::Hotp).then_some(p.period),
                counter: (p.kind == Kind::Hotp).then_some(p.counter),
            },
            groups: entry
                .groups
                .iter()
                .filter_map(|name| {
                    groups
                        .iter()
                        .find(|g| g.name == name)
                        .map(|g| g.uuid.clone())
                })
                .collect(),
        });
    }
    let file = AegisFile {
        version: 1,
        header: AegisHeader {
            slots: None,
            params: None,
        },
        db: AegisDb {
            version: 3,
            entries: aegis_entries,
            groups,
        },
    };
    let mut out = Zeroizing::new(Vec::with_capacity(256 + 400 * entries.len()));
    serde_json::to_writer_pretty(&mut *out, &file)
        .map_err(|e| ExportError::Serialize(e.to_string()))?;
    let text = String::from_utf8(std::mem::take(&mut *out))
        .map_err(|e| ExportError::Serialize(e.to_string()))?;
    Ok(Zeroizing::new(text))
}
