//! Jeton backups: every account in one file, sealed with a passphrase.
//!
//! The file is JSON and says what it is and how to open it:
//!
//! ```text
//! {
//!   "jeton_backup": 1,
//!   "header": {
//!     "kdf": {"algorithm": "argon2id", "version": 19, "memory_kib": 65536, "iterations": 3,
//!             "parallelism": 1, "salt": "<base64, 16 bytes>"},
//!     "cipher": {"algorithm": "xchacha20poly1305", "nonce": "<base64, 24 bytes>"},
//!     "created": 1795000000
//!   },
//!   "ciphertext": "<base64>"
//! }
//! ```
//!
//! The key is Argon2id of the passphrase; the accounts (JSON) are sealed with
//! XChaCha20-Poly1305 ([`crate::seal`], context [`crate::seal::Context::Backup`]). The header
//! is authenticated: the associated data is `jeton-backup/1\n` followed by the header
//! re-serialized in its fixed field order, and unknown header fields are refused, so changing
//! any header value (salt, cost, date) makes the file fail to open. KDF costs read from a file
//! are bounded by [`KdfParams::check_stored`] so that a crafted file cannot exhaust memory;
//! costs chosen for a new backup by [`KdfParams::check_chosen`] (OWASP's floor).
//!
//! The plaintext is serialized once, into a buffer sized up front and wiped on drop, so no
//! reallocation leaves an unwiped copy of the secrets behind.
//!
//! ```
//! use jeton_core::{account::Entry, backup, uri};
//!
//! let account = uri::parse("otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ").unwrap();
//! let file = backup::seal_with(&[Entry::new(account.clone())], "correct horse", backup::KdfParams::OWASP_MINIMUM).unwrap();
//! assert!(backup::drill(&file, "correct horse", &[account.clone()]).unwrap().passed());
//! assert_eq!(backup::open(&file, "correct horse").unwrap().entries[0].account, account);
//! assert_eq!(backup::open(&file, "wrong").unwrap_err(), backup::BackupError::WrongPassphrase);
//! ```

use std::time::{SystemTime, UNIX_EPOCH};

use data_encoding::BASE64;
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use crate::account::{Entry, same_account};
use crate::otp::{Algorithm, Kind, OtpParams};
pub use crate::seal::KdfParams;
use crate::seal::{self, Context, KdfError, Key, Nonce};

pub mod auto;
use crate::{Account, Secret};

/// The version of the backup format this code writes (and the newest it reads).
pub const FORMAT_VERSION: u64 = 1;
const SALT_LEN: usize = 16;

/// Why a backup could not be written, opened or checked. Nothing is restored when opening fails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackupError {
    /// The file is not a Jeton backup.
    #[error("this is not a Jeton backup file")]
    NotABackup,
    /// A newer backup format.
    #[error(
        "this backup uses format version {0}; this Jeton reads version {FORMAT_VERSION}: update Jeton"
    )]
    UnsupportedVersion(u64),
    /// The file is damaged: truncated, a field missing or of the wrong type.
    #[error("this Jeton backup is damaged or incomplete: {0}")]
    Malformed(String),
    /// The KDF or cipher named in the header is not one Jeton uses, or its costs are out of range.
    #[error("this Jeton backup asks for {0}, which Jeton does not accept")]
    UnsupportedParameters(String),
    /// The passphrase does not open the file, or the file was altered.
    #[error("the passphrase does not open this backup (or the file was altered)")]
    WrongPassphrase,
    /// Sealing with an empty passphrase.
    #[error("a backup needs a passphrase")]
    EmptyPassphrase,
    /// Sealing with a new passphrase shorter than the vault's floor: a backup can be attacked
    /// offline, so it gets the floor a vault passphrase gets.
    #[error("a backup passphrase needs at least {min} characters (this one has {chars})")]
    PassphraseTooShort {
        /// Characters in the passphrase given.
        chars: usize,
        /// The floor, [`crate::seal::MIN_PASSPHRASE_CHARS`].
        min: usize,
    },
    /// The system's random number generator failed.
    #[error("the system's random number generator failed: {0}")]
    Random(String),
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileOnDisk {
    jeton_backup: u64,
    header: Header,
    ciphertext: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    kdf: KdfHeader,
    cipher: CipherHeader,
    created: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KdfHeader {
    algorithm: String,
    version: u32,
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
    salt: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CipherHeader {
    algorithm: String,
    nonce: String,
}

/// The sealed contents.
#[derive(Serialize, Deserialize)]
struct Contents {
    accounts: Vec<Record>,
}

#[derive(Serialize, Deserialize)]
struct Record {
    issuer: Option<String>,
    name: String,
    secret: String,
    kind: Kind,
    algorithm: Algorithm,
    digits: u8,
    period: u32,
    counter: u64,
    t0: u64,
    #[serde(default)]
    groups: Vec<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    favourite: bool,
}

impl Drop for Record {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

/// An opened backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    /// When it was sealed (Unix seconds).
    pub created: u64,
    /// Its accounts, in the order they were sealed.
    pub entries: Vec<Entry>,
}

/// Seals entries with `passphrase` at [`KdfParams::DEFAULT`].
pub fn seal(entries: &[Entry], passphrase: &str) -> Result<Vec<u8>, BackupError> {
    seal_with(entries, passphrase, KdfParams::DEFAULT)
}

/// Seals entries with `passphrase` at the given Argon2id costs (not below OWASP's minimum).
pub fn seal_with(
    entries: &[Entry],
    passphrase: &str,
    kdf: KdfParams,
) -> Result<Vec<u8>, BackupError> {
    // A new passphrase chosen for this file. (Automatic backups seal with the vault's own,
    // through [`BackupKey`], which a vault made before the floor may have shorter.)
    let chars = passphrase.chars().count();
    let min = crate::seal::MIN_PASSPHRASE_CHARS;
    if (1..min).contains(&chars) {
        return Err(BackupError::PassphraseTooShort { chars, min });
    }
    BackupKey::derive(passphrase, kdf)?.seal(entries)
}

/// The key of a passphrase for backups: Argon2id of the passphrase with its own salt, derived
/// once, so that many backups can be sealed without the passphrase (automatic backups,
/// [`auto`]). Every backup it seals is an ordinary backup file that [`open`] opens with the
/// passphrase: its header carries this salt and these costs, and each file has its own nonce.
/// Zeroized on drop; `Debug` shows no key.
#[derive(Clone)]
pub struct BackupKey {
    key: Key,
    salt: [u8; SALT_LEN],
    kdf: KdfParams,
}

impl std::fmt::Debug for BackupKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackupKey")
            .field("kdf", &self.kdf)
            .finish_non_exhaustive()
    }
}

/// The version of [`BackupKey::encode`]'s bytes.
const KEY_ENCODING: u8 = 1;

impl BackupKey {
    /// Derives the key of `passphrase` with a fresh salt at the given costs (not below
    /// OWASP's minimum).
    pub fn derive(passphrase: &str, kdf: KdfParams) -> Result<Self, BackupError> {
        if passphrase.is_empty() {
            return Err(BackupError::EmptyPassphrase);
        }
        kdf.check_chosen().map_err(unsupported)?;
        let mut salt = [0u8; SALT_LEN];
        seal::fill_random(&mut salt).map_err(|e| BackupError::Random(e.to_string()))?;
        let key = kdf.derive(passphrase, &salt).map_err(unsupported)?;
        Ok(Self { key, salt, kdf })
    }

    /// The Argon2id costs the passphrase was derived with.
    pub fn kdf(&self) -> KdfParams {
        self.kdf
    }

    /// Seals entries into a backup file that opens with the passphrase.
    pub fn seal(&self, entries: &[Entry]) -> Result<Vec<u8>, BackupError> {
        let nonce = Nonce::random().map_err(|e| BackupError::Random(e.to_string()))?;
        let kdf = self.kdf;
        let header = Header {
            kdf: KdfHeader {
                algorithm: "argon2id".into(),
                version: 0x13,
                memory_kib: kdf.memory_kib,
                iterations: kdf.iterations,
                parallelism: kdf.parallelism,
                salt: BASE64.encode(&self.salt),
            },
            cipher: CipherHeader {
                algorithm: "xchacha20poly1305".into(),
                nonce: BASE64.encode(nonce.as_bytes()),
            },
            created: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
        };
        let contents = Contents {
            accounts: entries.iter().map(record).collect(),
        };
        let plain = serialize_contents(&contents)?;
        let aad = header_bytes(&header)?;
        let context = Context::Backup {
            version: FORMAT_VERSION,
            header: &aad,
        };
        let ciphertext = self
            .key
            .seal_detached(&nonce, &plain, &context)
            .map_err(|e| BackupError::Random(e.to_string()))?;
        let file = FileOnDisk {
            jeton_backup: FORMAT_VERSION,
            header,
            ciphertext: BASE64.encode(&ciphertext),
        };
        let mut out =
            serde_json::to_vec_pretty(&file).map_err(|e| BackupError::Malformed(e.to_string()))?;
        out.push(b'\n');
        Ok(out)
    }

    /// The key, salt and costs as bytes, to be kept sealed (the vault keeps them under its
    /// own key). Wiped on drop.
    pub fn encode(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(1 + 12 + SALT_LEN + seal::KEY_LEN));
        out.push(KEY_ENCODING);
        out.extend_from_slice(&self.kdf.memory_kib.to_be_bytes());
        out.extend_from_slice(&self.kdf.iterations.to_be_bytes());
        out.extend_from_slice(&self.kdf.parallelism.to_be_bytes());
        out.extend_from_slice(&self.salt);
        out.extend_from_slice(self.key.expose());
        out
    }

    /// Reads what [`BackupKey::encode`] wrote; `None` if the bytes are not such a key.
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        let (&version, rest) = bytes.split_first()?;
        if version != KEY_ENCODING || rest.len() != 12 + SALT_LEN + seal::KEY_LEN {
            return None;
        }
        let word = |i: usize| -> Option<u32> {
            Some(u32::from_be_bytes(
                rest.get(i * 4..i * 4 + 4)?.try_into().ok()?,
            ))
        };
        let kdf = KdfParams {
            memory_kib: word(0)?,
            iterations: word(1)?,
            parallelism: word(2)?,
        };
        kdf.check_stored().ok()?;
        let salt = rest.get(12..12 + SALT_LEN)?.try_into().ok()?;
        let key = Key::from_slice(rest.get(12 + SALT_LEN..)?)?;
        Some(Self { key, salt, kdf })
    }
}

/// Opens a backup with its passphrase. Either every account comes back or an error does.
pub fn open(file: &[u8], passphrase: &str) -> Result<Backup, BackupError> {
    let value: serde_json::Value =
        serde_json::from_slice(file).map_err(|e| BackupError::Malformed(e.to_string()))?;
    let version = value
        .get("jeton_backup")
        .ok_or(BackupError::NotABackup)?
        .as_u64()
        .ok_or_else(|| BackupError::Malformed("jeton_backup is not a version number".into()))?;
    if version != FORMAT_VERSION {
        return Err(BackupError::UnsupportedVersion(version));
    }
    let file: FileOnDisk =
        serde_json::from_value(value).map_err(|e| BackupError::Malformed(e.to_string()))?;
    let header = &file.header;
    if header.kdf.algorithm != "argon2id" || header.kdf.version != 0x13 {
        return Err(BackupError::UnsupportedParameters(format!(
            "key derivation {} version {}",
            header.kdf.algorithm, header.kdf.version
        )));
    }
    if header.cipher.algorithm != "xchacha20poly1305" {
        return Err(BackupError::UnsupportedParameters(format!(
            "cipher {}",
            header.cipher.algorithm
        )));
    }
    let kdf = KdfParams {
        memory_kib: header.kdf.memory_kib,
        iterations: header.kdf.iterations,
        parallelism: header.kdf.parallelism,
    };
    kdf.check_stored().map_err(unsupported)?;
    let salt = decode_exact("salt", &header.kdf.salt, SALT_LEN)?;
    let nonce = decode_exact("nonce", &header.cipher.nonce, seal::NONCE_LEN)?;
    let ciphertext = BASE64.decode(file.ciphertext.as_bytes()).map_err(|_| {
        BackupError::Malformed("the ciphertext is not valid base64 (truncated?)".into())
    })?;
    let key = kdf.derive(passphrase, &salt).map_err(unsupported)?;
    let nonce =
        Nonce::from_slice(&nonce).ok_or_else(|| BackupError::Malformed("nonce length".into()))?;
    let aad = header_bytes(header)?;
    let context = Context::Backup {
        version: FORMAT_VERSION,
        header: &aad,
    };
    let plain = key
        .open_detached(&nonce, &ciphertext, &context)
        .map_err(|_| BackupError::WrongPassphrase)?;
    let contents: Contents = serde_json::from_slice(&plain)
        .map_err(|e| BackupError::Malformed(format!("sealed contents: {e}")))?;
    let entries = contents
        .accounts
        .iter()
        .enumerate()
        .map(|(i, r)| {
            entry(r).map_err(|e| BackupError::Malformed(format!("account {}: {e}", i + 1)))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Backup {
        created: header.created,
        entries,
    })
}

/// What a backup drill found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DrillReport {
    /// Accounts in the backup.
    pub in_backup: usize,
    /// Expected accounts found in the backup with the same parameters.
    pub matched: usize,
    /// Expected accounts the backup lacks (labels).
    pub missing: Vec<String>,
    /// Accounts in the backup that were not expected (labels).
    pub unexpected: Vec<String>,
    /// Accounts present in both but with different code parameters (labels).
    pub changed: Vec<String>,
}

impl DrillReport {
    /// Whether the backup holds exactly the expected accounts.
    pub fn passed(&self) -> bool {
        self.missing.is_empty() && self.unexpected.is_empty() && self.changed.is_empty()
    }
}

/// Proves that a backup opens with `passphrase` and holds exactly `expected` (same secret,
/// issuer, name and parameters), without restoring anything.
pub fn drill(
    file: &[u8],
    passphrase: &str,
    expected: &[Account],
) -> Result<DrillReport, BackupError> {
    let backup = open(file, passphrase)?;
    let mut used = vec![false; backup.entries.len()];
    let mut report = DrillReport {
        in_backup: backup.entries.len(),
        ..DrillReport::default()
    };
    for account in expected {
        let found = backup
            .entries
            .iter()
            .enumerate()
            .find(|(i, e)| !used[*i] && same_account(&e.account, account));
        match found {
            Some((i, e)) => {
                used[i] = true;
                if e.account.params == account.params {
                    report.matched += 1;
                } else {
                    report.changed.push(account.display_label());
                }
            }
            None => report.missing.push(account.display_label()),
        }
    }
    report.unexpected = backup
        .entries
        .iter()
        .zip(&used)
        .filter(|(_, used)| !**used)
        .map(|(e, _)| e.account.display_label())
        .collect();
    Ok(report)
}

fn unsupported(e: KdfError) -> BackupError {
    BackupError::UnsupportedParameters(e.to_string())
}

/// The sealed contents as JSON, in one buffer sized before writing (so it never reallocates and
/// leaves an unwiped copy behind) and wiped on drop.
fn serialize_contents(contents: &Contents) -> Result<Zeroizing<Vec<u8>>, BackupError> {
    let mut counter = ByteCounter(0);
    serde_json::to_writer(&mut counter, contents)
        .map_err(|e| BackupError::Malformed(e.to_string()))?;
    let mut plain = Zeroizing::new(Vec::with_capacity(counter.0));
    serde_json::to_writer(&mut *plain, contents)
        .map_err(|e| BackupError::Malformed(e.to_string()))?;
    Ok(plain)
}

/// A writer that only counts bytes.
struct ByteCounter(usize);

impl std::io::Write for ByteCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 = self.0.saturating_add(buf.len());
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The header in its fixed field order: what the seal is bound to.
fn header_bytes(header: &Header) -> Result<Vec<u8>, BackupError> {
    serde_json::to_vec(header).map_err(|e| BackupError::Malformed(e.to_string()))
}

fn decode_exact(field: &str, text: &str, len: usize) -> Result<Vec<u8>, BackupError> {
    let bytes = BASE64
        .decode(text.as_bytes())
        .map_err(|_| BackupError::Malformed(format!("the {field} is not valid base64")))?;
    if bytes.len() == len {
        Ok(bytes)
    } else {
        Err(BackupError::Malformed(format!(
            "the {field} has {} bytes, expected {len}",
            bytes.len()
        )))
    }
}

fn record(entry: &Entry) -> Record {
    let a = &entry.account;
    Record {
        issuer: a.issuer.clone(),
        name: a.name.clone(),
        secret: a.secret.to_base32().to_string(),
        kind: a.params.kind,
        algorithm: a.params.algorithm,
        digits: a.params.digits,
        period: a.params.period,
        counter: a.params.counter,
        t0: a.params.t0,
        groups: entry.groups.clone(),
        note: entry.note.clone(),
        favourite: entry.favourite,
    }
}

fn entry(r: &Record) -> Result<Entry, String> {
    let secret = Secret::from_base32(&r.secret).map_err(|e| e.to_string())?;
    let params = OtpParams {
        kind: r.kind,
        algorithm: r.algorithm,
        digits: r.digits,
        period: r.period,
        counter: r.counter,
        t0: r.t0,
    };
    params.validate().map_err(|e| e.to_string())?;
    Ok(Entry {
        account: Account {
            issuer: r.issuer.clone(),
            name: r.name.clone(),
            secret,
            params,
        },
        groups: r.groups.clone(),
        note: r.note.clone(),
        favourite: r.favourite,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contents_are_serialized_without_reallocating() {
        let account =
            crate::uri::parse("otpauth://totp/Deno:Mason?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ")
                .unwrap();
        let entries: Vec<Entry> = (0..50).map(|_| Entry::new(account.clone())).collect();
        let contents = Contents {
            accounts: entries.iter().map(record).collect(),
        };
        let plain = serialize_contents(&contents).unwrap();
        // Capacity equal to length: the buffer was sized once and never grew (a growth would
        // have left the old allocation, with secrets in it, unwiped).
        assert_eq!(plain.capacity(), plain.len());
        assert_eq!(
            plain.as_slice(),
            serde_json::to_vec(&contents).unwrap().as_slice()
        );
    }
}
