//! The vault: accounts kept in one SQLite file, every identifying field sealed with
//! XChaCha20-Poly1305 ([`crate::seal`]) under a subkey of a random vault key that is stored
//! only wrapped, in key slots
//! (a passphrase through Argon2id, or the platform's keystore through [`KeyWrapper`]).
//!
//! ```
//! use jeton_core::vault::{KdfParams, Vault};
//! use jeton_core::uri;
//!
//! let dir = std::env::temp_dir().join(format!("jeton-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("vault.jeton");
//! # let _ = std::fs::remove_file(&path);
//! // The cheapest costs allowed (OWASP's minimum); `Vault::create` uses `KdfParams::DEFAULT`.
//! let mut vault =
//!     Vault::create_with_kdf(&path, "correct horse", KdfParams::OWASP_MINIMUM).unwrap();
//! let account = uri::parse(
//!     "otpauth://totp/Omnivox:2412345?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Omnivox",
//! ).unwrap();
//! let id = vault.add(account).unwrap();
//! drop(vault);
//!
//! let mut vault = Vault::open(&path).unwrap(); // locked
//! vault.unlock_with_passphrase("correct horse").unwrap();
//! let codes = vault.codes_at(59).unwrap();
//! assert_eq!(codes[0].id, id);
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```
//!
//! Layout, threat model and durability choices: `docs/adr/0001-vault-format.md`.

mod accounts;
mod auto_backup;
mod codes;
mod crypto;
mod error;
mod header;
mod index;
mod keyslot;
mod record;
mod rekey;
mod schema;
mod session;
mod store;
mod sync_state;
mod wire;
mod write;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, ErrorCode};
use zeroize::Zeroizing;

pub use crate::seal::{KdfError, KdfParams};
pub use auto_backup::{AutoBackupRequest, PreparedAutoBackup};
pub use codes::{AccountCode, CurrentCode};
pub use error::{Damage, VaultError};
pub use header::FORMAT;
use index::{Index, decode_index, encode_index};
pub use keyslot::{KeyWrapError, KeyWrapper, SoftwareKeyWrapper};
pub use record::{AccountId, Entry, Extras, Field, Record};
pub use rekey::{NewPassphrase, PassphraseChange};
pub use schema::SCHEMA_VERSION;
use session::Session;
pub use session::{UnlockKey, Unlocker};
pub use sync_state::Stamp;
use write::Change;

use crypto::{Place, VaultKeys};
use header::{Header, HeaderError};
use keyslot::{KeySlot, SlotError};
use store::meta;
use wire::{Reader, Writer};

use crate::Account;
use crate::backup::auto::{AutoBackupError, Written};
use crate::clock::ClockOffset;
use crate::otp::{self, Code, Kind, OtpError};
use crate::seal::{self, Key};

const CANARY: &[u8] = b"jeton vault canary";

/// A request to wrap the vault key for a new platform slot ([`Vault::platform_slot_request`]).
/// Holds a copy of the key, zeroized on drop, never printed.
pub struct SlotRequest {
    key: Key,
    vault_id: [u8; 16],
}

/// A platform slot wrapped away from the vault, ready for [`Vault::add_wrapped_slot`].
pub struct WrappedSlot {
    key: Key,
    vault_id: [u8; 16],
    wrapped: Vec<u8>,
}

impl std::fmt::Debug for SlotRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SlotRequest([redacted])")
    }
}

impl std::fmt::Debug for WrappedSlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WrappedSlot([redacted])")
    }
}

impl SlotRequest {
    /// Wraps the key with the platform's keystore.
    pub fn wrap(self, wrapper: &dyn KeyWrapper) -> Result<WrappedSlot, VaultError> {
        let wrapped = wrapper.wrap(self.key.expose()).map_err(|e| match e {
            KeyWrapError::KeyGone => VaultError::KeystoreKeyGone,
            KeyWrapError::Failed(why) => VaultError::Keystore(why),
        })?;
        Ok(WrappedSlot {
            key: self.key,
            vault_id: self.vault_id,
            wrapped,
        })
    }
}

/// A vault file, locked or unlocked. Open it with [`Vault::open`] (locked), then
/// [`Vault::unlock_with_passphrase`] or [`Vault::unlock_with`]. Every change is one SQLite
/// transaction, committed before the method returns. `Send`, so it can live in a `Mutex`.
pub struct Vault {
    conn: Connection,
    path: PathBuf,
    header: Header,
    header_bytes: Vec<u8>,
    session: Option<Session>,
    /// What the last automatic backup did, if one was due since the vault was opened.
    auto_backup_outcome: Option<Result<Written, AutoBackupError>>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("path", &self.path)
            .field("slots", &self.header.slots)
            .field("locked", &self.session.is_none())
            .finish()
    }
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Checks the header's checksum (before its format number: a corrupted version must read as
/// corruption, not as a vault from the future), decodes it and bounds its KDF costs.
fn check_header(header_bytes: &[u8], sum: Option<&[u8]>) -> Result<Header, VaultError> {
    match sum {
        Some(sum) if seal::same(sum, &seal::sha256(header_bytes)) => {}
        _ => return Err(VaultError::Damaged(Damage::Header)),
    }
    let header = match Header::decode(header_bytes) {
        Ok(header) => header,
        Err(HeaderError::Newer(found)) => {
            return Err(VaultError::NewerVersion {
                found: u32::from(found),
                supported: u32::from(FORMAT),
            });
        }
        Err(HeaderError::NotAVault | HeaderError::Malformed) => {
            return Err(VaultError::Damaged(Damage::Header));
        }
    };
    for slot in &header.slots {
        // A tampered header must not make unlocking allocate gigabytes (which overcommit
        // grants, then the OOM killer ends the app) or run for hours.
        if let KeySlot::Passphrase { kdf, .. } = slot
            && kdf.check_stored().is_err()
        {
            return Err(VaultError::Damaged(Damage::Header));
        }
    }
    Ok(header)
}

fn is_not_a_database(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(ErrorCode::NotADatabase))
}

fn random_error(_: seal::RandomError) -> VaultError {
    VaultError::Random
}

impl From<store::WriteError> for VaultError {
    fn from(e: store::WriteError) -> Self {
        match e {
            store::WriteError::Sqlite(e) => VaultError::from(e),
            store::WriteError::Random => VaultError::Random,
        }
    }
}

impl From<SlotError> for VaultError {
    fn from(e: SlotError) -> Self {
        match e {
            SlotError::WrongPassphrase => VaultError::WrongPassphrase,
            SlotError::Kdf(e) => VaultError::Kdf(e),
            SlotError::Random(_) => VaultError::Random,
        }
    }
}

impl Vault {
    /// Creates a vault at `path` (which must not exist) with one passphrase slot using
    /// [`KdfParams::DEFAULT`], and returns it unlocked. A passphrase shorter than
    /// [`MIN_PASSPHRASE_CHARS`] is [`VaultError::PassphraseTooShort`].
    pub fn create(path: impl AsRef<Path>, passphrase: &str) -> Result<Self, VaultError> {
        Self::create_with_kdf(path, passphrase, KdfParams::DEFAULT)
    }

    /// [`Vault::create`] with chosen Argon2id parameters.
    pub fn create_with_kdf(
        path: impl AsRef<Path>,
        passphrase: &str,
        kdf: KdfParams,
    ) -> Result<Self, VaultError> {
        check_new_passphrase(passphrase)?;
        let path = path.as_ref().to_path_buf();
        let root = Key::generate().map_err(random_error)?;
        let mut vault_id = [0u8; 16];
        seal::fill_random(&mut vault_id).map_err(random_error)?;
        let slot = KeySlot::passphrase(&vault_id, &root, passphrase, kdf)?;
        let keys = VaultKeys::new(root, vault_id, FORMAT);
        let canary = keys.seal(CANARY, Place::Canary).map_err(random_error)?;
        let header = Header {
            format: FORMAT,
            vault_id,
            canary,
            slots: vec![slot],
        };
        let header_bytes = header.encode();
        let index = Index::default();

        // Exclusive creation: of two creators one wins, and the other never touches its file.
        // What this call creates is noted, so that a failure removes only that.
        let side_files_before = store::SIDE_FILES.map(|s| store::side_file(&path, s).exists());
        match store::create_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(VaultError::AlreadyExists(path));
            }
            Err(e) => {
                return Err(VaultError::Create {
                    path,
                    reason: e.to_string(),
                });
            }
        }
        let write = || -> Result<Connection, VaultError> {
            let mut conn = store::connect(&path, false)?;
            store::configure(&conn)?;
            let tx = conn.transaction()?;
            for step in schema::MIGRATIONS {
                step(&tx)?;
            }
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
            store::write_meta(&tx, meta::HEADER, &header_bytes)?;
            store::write_meta(&tx, meta::HEADER_SUM, &seal::sha256(&header_bytes))?;
            let sealed_index = keys
                .seal(&encode_index(FORMAT, &index), Place::Index)
                .map_err(random_error)?;
            store::write_meta(&tx, meta::INDEX, &sealed_index)?;
            store::write_meta(&tx, meta::HEADER_MAC, &keys.header_mac(&header_bytes, 0))?;
            tx.commit()?;
            store::restrict_side_files(&path);
            Ok(conn)
        };
        let conn = match write() {
            Ok(conn) => conn,
            Err(e) => {
                // The file was made by this call and holds no account: remove it, and the
                // side files that did not exist before this call, so that the next try is not
                // refused as AlreadyExists. Nothing this call did not create is removed.
                drop_created(&path, side_files_before);
                return Err(e);
            }
        };
        Ok(Self {
            conn,
            path,
            header,
            header_bytes,
            session: Some(Session {
                keys,
                index,
                records: Vec::new(),
                damaged: Vec::new(),
            }),
            auto_backup_outcome: None,
        })
    }

    /// Opens the vault at `path`, locked. Checks that it is a Jeton vault this version reads
    /// and that its header is intact; brings an older schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, VaultError> {
        let path = path.as_ref().to_path_buf();
        if !path.exists() {
            return Err(VaultError::NotFound(path));
        }
        let not_a_vault = |e: rusqlite::Error| {
            if is_not_a_database(&e) {
                VaultError::NotAVault(path.clone())
            } else {
                VaultError::from(e)
            }
        };
        let mut conn = store::connect(&path, false).map_err(not_a_vault)?;
        // Whether the file is ours is settled before anything is written to it: opening
        // another program's database must leave it untouched. One read transaction, so that
        // the header and its checksum come from the same commit of another handle.
        let snapshot = conn.unchecked_transaction().map_err(not_a_vault)?;
        let version = schema::version(&snapshot).map_err(not_a_vault)?;
        let header_bytes = if version == 0 || !store::has_meta_table(&snapshot)? {
            None
        } else {
            store::read_meta(&snapshot, meta::HEADER)?
        };
        let sum = match header_bytes {
            Some(_) => store::read_meta(&snapshot, meta::HEADER_SUM)?,
            None => None,
        };
        drop(snapshot);
        let Some(header_bytes) = header_bytes else {
            return Err(VaultError::NotAVault(path));
        };
        if sum.is_none() && !header_bytes.starts_with(header::MAGIC) {
            return Err(VaultError::NotAVault(path));
        }
        if version > SCHEMA_VERSION {
            return Err(VaultError::NewerVersion {
                found: version,
                supported: SCHEMA_VERSION,
            });
        }
        store::configure(&conn)?;
        schema::migrate(&mut conn).map_err(|e| match e {
            schema::MigrationError::Newer(found) => VaultError::NewerVersion {
                found,
                supported: SCHEMA_VERSION,
            },
            schema::MigrationError::Sqlite(e) => VaultError::from(e),
        })?;
        let header = check_header(&header_bytes, sum.as_deref())?;
        Ok(Self {
            conn,
            path,
            header,
            header_bytes,
            session: None,
            auto_backup_outcome: None,
        })
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the vault is locked.
    pub fn is_locked(&self) -> bool {
        self.session.is_none()
    }

    /// The Argon2id parameters of the passphrase slot, if there is one.
    pub fn passphrase_kdf(&self) -> Option<KdfParams> {
        self.header.slots.iter().find_map(|slot| match slot {
            KeySlot::Passphrase { kdf, .. } => Some(*kdf),
            KeySlot::Platform { .. } => None,
        })
    }

    /// How many platform (keystore) slots the vault has.
    pub fn platform_slots(&self) -> usize {
        self.header
            .slots
            .iter()
            .filter(|s| matches!(s, KeySlot::Platform { .. }))
            .count()
    }

    /// Every account in the user's order, without secrets.
    pub fn list(&self) -> Result<Vec<Entry>, VaultError> {
        Ok(self.session()?.records.iter().map(Entry::from).collect())
    }

    /// Accounts whose issuer or name holds every word of `query` (`omnivox 2412`: one word in
    /// the issuer, one in the name), ignoring case, in the user's order. An empty query matches
    /// every account.
    pub fn search(&self, query: &str) -> Result<Vec<Entry>, VaultError> {
        let query = query.to_lowercase();
        let words: Vec<&str> = query.split_whitespace().collect();
        Ok(self
            .session()?
            .records
            .iter()
            .filter(|r| {
                let a = &r.account;
                let (name, issuer) = (
                    a.name.to_lowercase(),
                    a.issuer.as_deref().unwrap_or_default().to_lowercase(),
                );
                words.iter().all(|w| name.contains(w) || issuer.contains(w))
            })
            .map(Entry::from)
            .collect())
    }

    /// One account with its secret (for editing or export).
    pub fn get(&self, id: AccountId) -> Result<Record, VaultError> {
        Ok(self.stored(id)?.clone())
    }

    /// Replaces the passphrase slot with one for `new_passphrase` ([`KdfParams::DEFAULT`]; one
    /// shorter than [`MIN_PASSPHRASE_CHARS`] is [`VaultError::PassphraseTooShort`]).
    /// Only the vault key is rewrapped; no account is rewritten. Callers that share the vault
    /// between threads use the halves instead ([`Vault::passphrase_change`]).
    pub fn change_passphrase(&mut self, new_passphrase: &str) -> Result<(), VaultError> {
        self.change_passphrase_with_kdf(new_passphrase, KdfParams::DEFAULT)
    }

    /// [`Vault::change_passphrase`] with chosen Argon2id parameters.
    pub fn change_passphrase_with_kdf(
        &mut self,
        new_passphrase: &str,
        kdf: KdfParams,
    ) -> Result<(), VaultError> {
        let change = self.passphrase_change()?.derive(new_passphrase, kdf)?;
        self.apply_passphrase_change(change)
    }

    /// Adds a slot that the platform's keystore opens (several may coexist).
    pub fn add_platform_slot(&mut self, wrapper: &dyn KeyWrapper) -> Result<(), VaultError> {
        let slot = self.platform_slot_request()?.wrap(wrapper)?;
        self.add_wrapped_slot(slot)
    }

    /// The first half of [`Vault::add_platform_slot`], for callers that share the vault between
    /// threads: wrap the request with [`SlotRequest::wrap`] **without holding the vault** (the
    /// keystore may prompt, or call back into the vault), then [`Vault::add_wrapped_slot`].
    pub fn platform_slot_request(&self) -> Result<SlotRequest, VaultError> {
        Ok(SlotRequest {
            key: self.session()?.keys.root().clone(),
            vault_id: self.header.vault_id,
        })
    }

    /// Adds a slot made by [`SlotRequest::wrap`] for this vault (refused as
    /// [`VaultError::ChangedElsewhere`] if the vault was locked or replaced in between).
    pub fn add_wrapped_slot(&mut self, slot: WrappedSlot) -> Result<(), VaultError> {
        let session = self.session().map_err(|_| VaultError::ChangedElsewhere)?;
        if slot.vault_id != self.header.vault_id
            || !seal::same(session.keys.root().expose(), slot.key.expose())
        {
            return Err(VaultError::ChangedElsewhere);
        }
        let mut header = self.header.clone();
        header.slots.push(KeySlot::Platform {
            wrapped: slot.wrapped,
        });
        self.save(Change::header(header))
    }

    /// Removes every platform slot (e.g. when the keystore key was invalidated). The vault
    /// must keep a passphrase slot.
    pub fn remove_platform_slots(&mut self) -> Result<(), VaultError> {
        self.session()?;
        let mut header = self.header.clone();
        header
            .slots
            .retain(|s| matches!(s, KeySlot::Passphrase { .. }));
        if header.slots.is_empty() {
            return Err(VaultError::NoPassphrase);
        }
        self.save(Change::header(header))
    }
}

/// Removes the vault file this call created and the side files it found absent.
fn drop_created(path: &Path, side_files_before: [bool; 3]) {
    let _ = std::fs::remove_file(path);
    for (suffix, existed) in store::SIDE_FILES.into_iter().zip(side_files_before) {
        let side = store::side_file(path, suffix);
        if !existed && side.is_file() {
            let _ = std::fs::remove_file(side);
        }
    }
}

pub use crate::seal::MIN_PASSPHRASE_CHARS;

/// The floor every new passphrase meets, whichever entry point (CLI, FFI) it came through.
fn check_new_passphrase(passphrase: &str) -> Result<(), VaultError> {
    let chars = passphrase.chars().count();
    if chars < MIN_PASSPHRASE_CHARS {
        return Err(VaultError::PassphraseTooShort {
            chars,
            min: MIN_PASSPHRASE_CHARS,
        });
    }
    Ok(())
}

fn check(account: &Account) -> Result<(), VaultError> {
    crate::account::check_label(account.issuer.as_deref(), &account.name)?;
    if account.secret.is_empty() {
        return Err(VaultError::InvalidAccount(OtpError::EmptySecret));
    }
    account.params.validate()?;
    Ok(())
}

fn sort(records: &mut [Record]) {
    records.sort_by_key(|r| (r.position, r.created_at, r.id));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vault_is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<Vault>();
        assert_send::<std::sync::Mutex<Vault>>();
        fn assert_sync<T: Sync>() {}
        assert_sync::<std::sync::Mutex<Vault>>();
    }
}
