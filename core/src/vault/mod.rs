//! The vault: accounts kept in one SQLite file, every identifying field sealed with
//! XChaCha20-Poly1305 under a random vault key that is stored only wrapped, in key slots
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
//! // Tests use cheap KDF parameters; `Vault::create` uses `KdfParams::DEFAULT`.
//! let mut vault =
//!     Vault::create_with_kdf(&path, "correct horse", KdfParams::INSECURE_FAST_FOR_TESTS).unwrap();
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

mod crypto;
mod error;
mod header;
mod keyslot;
mod record;
mod schema;
mod store;
mod wire;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, ErrorCode};
use zeroize::Zeroizing;

pub use error::{Damage, VaultError};
pub use header::FORMAT;
pub use keyslot::{KdfError, KdfParams, KeyWrapError, KeyWrapper, SoftwareKeyWrapper};
pub(crate) use record::RedactedNote;
pub use record::{AccountId, Entry, Extras, Field, Record};
pub use schema::SCHEMA_VERSION;

use crypto::SecretKey;
use header::{Header, HeaderError};
use keyslot::{KeySlot, SlotError};
use store::meta;
use wire::{Reader, Writer};

use crate::Account;
use crate::clock::ClockOffset;
use crate::otp::{self, Code, Kind, OtpError};

const CANARY: &[u8] = b"jeton vault canary";

/// Upper bounds on stored Argon2 costs, the same as a backup file's: a tampered header must not
/// make unlocking allocate gigabytes (which overcommit grants, then the OOM killer ends the app)
/// or run for hours.
const MAX_KDF: KdfParams = KdfParams {
    memory_kib: crate::backup::MAX_MEMORY_KIB,
    iterations: crate::backup::MAX_ITERATIONS,
    parallelism: crate::backup::MAX_PARALLELISM,
};

/// The code of one account at one instant, as [`Vault::codes_at`] returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountCode {
    /// The account.
    pub id: AccountId,
    /// Its code now.
    pub current: CurrentCode,
}

/// An account's code at an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CurrentCode {
    /// A time-based code with its seconds left.
    Ready(Code),
    /// A counter-based (HOTP) account: its next code is taken with [`Vault::next_hotp`], which
    /// commits the counter first. Showing it here could show a code twice.
    CounterBased,
    /// The parameters cannot make a code at this instant.
    Unavailable(OtpError),
}

/// The unlocked state: the key and every account, decrypted.
struct Session {
    key: SecretKey,
    generation: u64,
    index: BTreeMap<AccountId, u64>,
    records: Vec<Record>,
    damaged: Vec<Damage>,
    clock: Option<ClockOffset>,
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

fn canary_aad(vault_id: &[u8; 16]) -> Vec<u8> {
    let mut w = Writer::default();
    w.raw(b"jeton/canary").u16(FORMAT).raw(vault_id);
    w.0
}

fn clock_aad(vault_id: &[u8; 16]) -> Vec<u8> {
    let mut w = Writer::default();
    w.raw(b"jeton/clock").u16(FORMAT).raw(vault_id);
    w.0
}

fn index_aad(vault_id: &[u8; 16]) -> Vec<u8> {
    let mut w = Writer::default();
    w.raw(b"jeton/index").u16(FORMAT).raw(vault_id);
    w.0
}

fn header_mac(key: &SecretKey, header_bytes: &[u8], generation: u64) -> [u8; 32] {
    let mut message = header_bytes.to_vec();
    message.extend_from_slice(&generation.to_be_bytes());
    key.mac(b"jeton/header-mac/v1", &message)
}

fn encode_index(generation: u64, index: &BTreeMap<AccountId, u64>) -> Vec<u8> {
    let mut w = Writer::default();
    w.u64(generation)
        .u32(u32::try_from(index.len()).unwrap_or(u32::MAX));
    for (id, revision) in index {
        w.raw(id.as_bytes()).u64(*revision);
    }
    w.0
}

fn decode_index(bytes: &[u8]) -> Option<(u64, BTreeMap<AccountId, u64>)> {
    let mut r = Reader::new(bytes);
    let generation = r.u64().ok()?;
    let count = r.u32().ok()?;
    let mut index = BTreeMap::new();
    for _ in 0..count {
        let id = AccountId::from_bytes(r.array().ok()?);
        index.insert(id, r.u64().ok()?);
    }
    r.finish().ok()?;
    Some((generation, index))
}

/// Checks the header's checksum (before its format number: a corrupted version must read as
/// corruption, not as a vault from the future), decodes it and bounds its KDF costs.
fn check_header(header_bytes: &[u8], sum: Option<&[u8]>) -> Result<Header, VaultError> {
    match sum {
        Some(sum) if crypto::same(sum, &crypto::sha256(header_bytes)) => {}
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
        if let KeySlot::Passphrase { kdf, .. } = slot {
            if kdf.memory_kib > MAX_KDF.memory_kib
                || kdf.iterations > MAX_KDF.iterations
                || kdf.parallelism > MAX_KDF.parallelism
            {
                return Err(VaultError::Damaged(Damage::Header));
            }
        }
    }
    Ok(header)
}

fn is_not_a_database(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(ErrorCode::NotADatabase))
}

fn random_error(_: crypto::RandomError) -> VaultError {
    VaultError::Random
}

impl From<store::WriteError> for VaultError {
    fn from(e: store::WriteError) -> Self {
        match e {
            store::WriteError::Sqlite(e) => VaultError::Storage(e),
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
    /// [`KdfParams::DEFAULT`], and returns it unlocked. An empty passphrase is
    /// [`VaultError::EmptyPassphrase`].
    pub fn create(path: impl AsRef<Path>, passphrase: &str) -> Result<Self, VaultError> {
        Self::create_with_kdf(path, passphrase, KdfParams::DEFAULT)
    }

    /// [`Vault::create`] with chosen Argon2id parameters.
    pub fn create_with_kdf(
        path: impl AsRef<Path>,
        passphrase: &str,
        kdf: KdfParams,
    ) -> Result<Self, VaultError> {
        if passphrase.is_empty() {
            return Err(VaultError::EmptyPassphrase);
        }
        let path = path.as_ref().to_path_buf();
        if path.exists() {
            return Err(VaultError::AlreadyExists(path));
        }
        let key = SecretKey::generate().map_err(random_error)?;
        let mut vault_id = [0u8; 16];
        crypto::fill_random(&mut vault_id).map_err(random_error)?;
        let slot = KeySlot::passphrase(&vault_id, &key, passphrase, kdf)?;
        let canary = key
            .seal(CANARY, &canary_aad(&vault_id))
            .map_err(random_error)?;
        let header = Header {
            format: FORMAT,
            vault_id,
            canary,
            slots: vec![slot],
        };
        let header_bytes = header.encode();
        let index = BTreeMap::new();

        let write = || -> Result<Connection, VaultError> {
            let mut conn = store::connect(&path, true)?;
            store::configure(&conn)?;
            let tx = conn.transaction()?;
            for step in schema::MIGRATIONS {
                step(&tx)?;
            }
            tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
            store::write_meta(&tx, meta::HEADER, &header_bytes)?;
            store::write_meta(&tx, meta::HEADER_SUM, &crypto::sha256(&header_bytes))?;
            let sealed_index = key
                .seal(&encode_index(0, &index), &index_aad(&vault_id))
                .map_err(random_error)?;
            store::write_meta(&tx, meta::INDEX, &sealed_index)?;
            store::write_meta(&tx, meta::HEADER_MAC, &header_mac(&key, &header_bytes, 0))?;
            tx.commit()?;
            Ok(conn)
        };
        let conn = match write() {
            Ok(conn) => conn,
            Err(e) => {
                // The file was made by this call and holds no account: remove it and its
                // journal files, so that the next try is not refused as AlreadyExists. A
                // directory in their place (not ours) is left alone.
                for suffix in ["", "-wal", "-shm", "-journal"] {
                    let mut name = path.clone().into_os_string();
                    name.push(suffix);
                    let name = PathBuf::from(name);
                    if name.is_file() {
                        let _ = std::fs::remove_file(name);
                    }
                }
                return Err(e);
            }
        };
        Ok(Self {
            conn,
            path,
            header,
            header_bytes,
            session: Some(Session {
                key,
                generation: 0,
                index,
                records: Vec::new(),
                damaged: Vec::new(),
                clock: None,
            }),
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
                VaultError::Storage(e)
            }
        };
        let mut conn = store::connect(&path, false).map_err(not_a_vault)?;
        let version = schema::version(&conn).map_err(not_a_vault)?;
        // Whether the file is ours is settled before anything is written to it: opening
        // another program's database must leave it untouched.
        let header_bytes = if version == 0 || !store::has_meta_table(&conn)? {
            None
        } else {
            store::read_meta(&conn, meta::HEADER)?
        };
        let Some(header_bytes) = header_bytes else {
            return Err(VaultError::NotAVault(path));
        };
        let sum = store::read_meta(&conn, meta::HEADER_SUM)?;
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
            schema::MigrationError::Sqlite(e) => VaultError::Storage(e),
        })?;
        let header = check_header(&header_bytes, sum.as_deref())?;
        Ok(Self {
            conn,
            path,
            header,
            header_bytes,
            session: None,
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

    /// Reads the header again: another handle (e.g. the CLI) may have changed the slots since
    /// this one was opened.
    fn reload_header(&mut self) -> Result<(), VaultError> {
        let bytes = store::read_meta(&self.conn, meta::HEADER)?
            .ok_or(VaultError::Damaged(Damage::Header))?;
        let sum = store::read_meta(&self.conn, meta::HEADER_SUM)?;
        self.header = check_header(&bytes, sum.as_deref())?;
        self.header_bytes = bytes;
        Ok(())
    }

    /// Unlocks with the passphrase.
    pub fn unlock_with_passphrase(&mut self, passphrase: &str) -> Result<(), VaultError> {
        self.reload_header()?;
        let mut result = Err(VaultError::NoPassphrase);
        for slot in &self.header.slots {
            match slot.open_with_passphrase(&self.header.vault_id, passphrase) {
                None => {}
                Some(Ok(key)) => return self.start_session(key),
                Some(Err(e)) => result = Err(e.into()),
            }
        }
        result
    }

    /// Unlocks with the platform's keystore. [`VaultError::KeystoreKeyGone`] means the user
    /// must open the vault with the passphrase instead.
    pub fn unlock_with(&mut self, wrapper: &dyn KeyWrapper) -> Result<(), VaultError> {
        self.reload_header()?;
        let mut failure = None;
        for slot in &self.header.slots {
            let KeySlot::Platform { wrapped } = slot else {
                continue;
            };
            match wrapper.unwrap(wrapped) {
                Ok(bytes) => {
                    let bytes = Zeroizing::new(bytes);
                    let Some(key) = SecretKey::from_slice(&bytes) else {
                        continue;
                    };
                    if key
                        .open(&self.header.canary, &canary_aad(&self.header.vault_id))
                        .is_ok()
                    {
                        return self.start_session(key);
                    }
                }
                Err(KeyWrapError::KeyGone) => {}
                Err(KeyWrapError::Failed(why)) => failure = Some(why),
            }
        }
        Err(failure.map_or(VaultError::KeystoreKeyGone, VaultError::Keystore))
    }

    /// Checks the key against the canary and the header MAC, then decrypts every account.
    /// Damage confined to some accounts does not stop the unlock: those accounts are left out
    /// of every list and reported by [`Vault::damaged`], and their rows are kept untouched.
    fn start_session(&mut self, key: SecretKey) -> Result<(), VaultError> {
        let vault_id = self.header.vault_id;
        if key
            .open(&self.header.canary, &canary_aad(&vault_id))
            .is_err()
        {
            return Err(VaultError::Damaged(Damage::Header));
        }
        let sealed_index = store::read_meta(&self.conn, meta::INDEX)?
            .ok_or(VaultError::Damaged(Damage::AccountIndex))?;
        let plain_index = key
            .open(&sealed_index, &index_aad(&vault_id))
            .map_err(|_| VaultError::Damaged(Damage::AccountIndex))?;
        let (generation, index) =
            decode_index(&plain_index).ok_or(VaultError::Damaged(Damage::AccountIndex))?;
        let stored_mac = store::read_meta(&self.conn, meta::HEADER_MAC)?.unwrap_or_default();
        if !crypto::same(
            &stored_mac,
            &header_mac(&key, &self.header_bytes, generation),
        ) {
            return Err(VaultError::Damaged(Damage::Header));
        }

        let mut records = Vec::with_capacity(index.len());
        let mut damaged = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for row in store::read_rows(&self.conn)? {
            let (Some(id), Some(revision)) = (row.id, row.revision) else {
                damaged.push(Damage::UnreadableRow);
                continue;
            };
            let id = AccountId::from_bytes(id);
            if !seen.insert(id) {
                continue;
            }
            match index.get(&id) {
                None => {
                    damaged.push(Damage::UnknownAccount { account: id });
                    continue;
                }
                Some(expected) if *expected != revision => {
                    damaged.push(Damage::StaleAccount { account: id });
                    continue;
                }
                Some(_) => {}
            }
            let mut record = Record::blank(id);
            let mut broken = None;
            for (field, sealed) in Field::ALL.into_iter().zip(&row.fields) {
                let ok = sealed.as_ref().is_some_and(|sealed| {
                    key.open(sealed, &record::field_aad(&vault_id, &id, revision, field))
                        .ok()
                        .is_some_and(|plain| {
                            record::decode_field(&mut record, field, &plain).is_ok()
                        })
                });
                if !ok {
                    broken = Some(field);
                    break;
                }
            }
            match broken {
                Some(field) => damaged.push(Damage::Field { account: id, field }),
                None => records.push(record),
            }
        }
        for id in index.keys() {
            if !seen.contains(id) {
                damaged.push(Damage::MissingAccount { account: *id });
            }
        }
        sort(&mut records);
        let clock = match store::read_meta(&self.conn, meta::CLOCK)? {
            None => None,
            Some(sealed) => {
                let plain = key.open(&sealed, &clock_aad(&vault_id)).ok();
                let offset = plain.and_then(|p| serde_json::from_slice(&p).ok());
                if offset.is_none() {
                    damaged.push(Damage::ClockOffset);
                }
                offset
            }
        };
        self.session = Some(Session {
            key,
            generation,
            index,
            records,
            damaged,
            clock,
        });
        Ok(())
    }

    /// Forgets the key and every decrypted account (secrets are zeroized).
    pub fn lock(&mut self) {
        self.session = None;
    }

    fn session(&self) -> Result<&Session, VaultError> {
        self.session.as_ref().ok_or(VaultError::Locked)
    }

    fn stored(&self, id: AccountId) -> Result<&Record, VaultError> {
        self.session()?
            .records
            .iter()
            .find(|r| r.id == id)
            .ok_or(VaultError::NoSuchAccount(id))
    }

    /// What was found damaged or tampered with at unlock (empty when locked or intact).
    pub fn damaged(&self) -> &[Damage] {
        self.session.as_ref().map_or(&[], |s| &s.damaged)
    }

    /// Every account in the user's order, without secrets.
    pub fn list(&self) -> Result<Vec<Entry>, VaultError> {
        Ok(self.session()?.records.iter().map(Entry::from).collect())
    }

    /// Accounts whose issuer or name contains `query`, ignoring case, in the user's order.
    pub fn search(&self, query: &str) -> Result<Vec<Entry>, VaultError> {
        let query = query.to_lowercase();
        Ok(self
            .session()?
            .records
            .iter()
            .filter(|r| {
                let a = &r.account;
                a.name.to_lowercase().contains(&query)
                    || a.issuer
                        .as_deref()
                        .is_some_and(|i| i.to_lowercase().contains(&query))
            })
            .map(Entry::from)
            .collect())
    }

    /// One account with its secret (for editing or export).
    pub fn get(&self, id: AccountId) -> Result<Record, VaultError> {
        Ok(self.stored(id)?.clone())
    }

    /// The code of every account at `unix` seconds, in the user's order, in one call.
    pub fn codes_at(&self, unix: u64) -> Result<Vec<AccountCode>, VaultError> {
        Ok(self
            .session()?
            .records
            .iter()
            .map(|r| {
                let account = &r.account;
                let current = if account.params.kind == Kind::Hotp {
                    CurrentCode::CounterBased
                } else {
                    match account.code_at(unix) {
                        Ok(code) => CurrentCode::Ready(code),
                        Err(e) => CurrentCode::Unavailable(e),
                    }
                };
                AccountCode { id: r.id, current }
            })
            .collect())
    }

    /// The codes of every account at `device_unix` seconds on the device's own clock, corrected
    /// by the clock offset stored with [`Vault::set_clock_offset`] (if any). This is what a
    /// code ticker calls: a phone whose clock is minutes off still shows the right codes.
    pub fn device_codes_at(&self, device_unix: u64) -> Result<Vec<AccountCode>, VaultError> {
        let unix = self
            .session()?
            .clock
            .map_or(device_unix, |offset| offset.corrected(device_unix));
        self.codes_at(unix)
    }

    /// The device clock's correction stored with this vault, if a clock check stored one.
    pub fn clock_offset(&self) -> Result<Option<ClockOffset>, VaultError> {
        Ok(self.session()?.clock)
    }

    /// Stores the device clock's correction (from [`ClockOffset::from_date_header`]) with the
    /// vault, sealed under the vault key, in one transaction. It is device state: it is not part
    /// of the account index, and a damaged value only loses the correction.
    pub fn set_clock_offset(&mut self, offset: ClockOffset) -> Result<(), VaultError> {
        let session = self.session.as_mut().ok_or(VaultError::Locked)?;
        let plain = Zeroizing::new(serde_json::to_vec(&offset).unwrap_or_default());
        let sealed = session
            .key
            .seal(&plain, &clock_aad(&self.header.vault_id))
            .map_err(random_error)?;
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        store::write_meta(&tx, meta::CLOCK, &sealed)?;
        tx.commit()?;
        session.clock = Some(offset);
        Ok(())
    }

    /// Adds an account at the end of the list.
    pub fn add(&mut self, account: Account) -> Result<AccountId, VaultError> {
        self.add_with(account, Extras::default())
    }

    /// Adds an account with its favourite flag, groups, note and icon hint.
    pub fn add_with(&mut self, account: Account, extras: Extras) -> Result<AccountId, VaultError> {
        check(&account)?;
        let session = self.session()?;
        let position = session
            .records
            .iter()
            .map(|r| r.position.saturating_add(1))
            .max()
            .unwrap_or(0);
        let mut id = AccountId::random();
        while session.index.contains_key(&id) {
            id = AccountId::random();
        }
        let record = Record {
            id,
            account,
            position,
            extras,
            created_at: now_unix(),
            last_used_at: None,
        };
        self.save(vec![record], &[], None)?;
        Ok(id)
    }

    /// Adds several accounts at the end of the list in one transaction: all of them or, on any
    /// error (an unusable account, a write failure), none. Returns their ids in order.
    pub fn add_all(
        &mut self,
        accounts: Vec<(Account, Extras)>,
    ) -> Result<Vec<AccountId>, VaultError> {
        for (account, _) in &accounts {
            check(account)?;
        }
        let session = self.session()?;
        let mut position = session
            .records
            .iter()
            .map(|r| r.position.saturating_add(1))
            .max()
            .unwrap_or(0);
        let created_at = now_unix();
        let mut records = Vec::with_capacity(accounts.len());
        let mut ids = Vec::with_capacity(accounts.len());
        for (account, extras) in accounts {
            let mut id = AccountId::random();
            while session.index.contains_key(&id) || ids.contains(&id) {
                id = AccountId::random();
            }
            ids.push(id);
            records.push(Record {
                id,
                account,
                position,
                extras,
                created_at,
                last_used_at: None,
            });
            position = position.saturating_add(1);
        }
        if !records.is_empty() {
            self.save(records, &[], None)?;
        }
        Ok(ids)
    }

    /// Replaces an account's issuer, name, secret and code parameters.
    pub fn update(&mut self, id: AccountId, account: Account) -> Result<(), VaultError> {
        check(&account)?;
        let mut record = self.stored(id)?.clone();
        record.account = account;
        self.save(vec![record], &[], None)
    }

    /// Replaces an account's favourite flag, groups, note and icon hint.
    pub fn set_extras(&mut self, id: AccountId, extras: Extras) -> Result<(), VaultError> {
        let mut record = self.stored(id)?.clone();
        record.extras = extras;
        self.save(vec![record], &[], None)
    }

    /// Changes an account's issuer and name.
    pub fn rename(
        &mut self,
        id: AccountId,
        issuer: Option<String>,
        name: String,
    ) -> Result<(), VaultError> {
        let mut record = self.stored(id)?.clone();
        record.account.issuer = issuer;
        record.account.name = name;
        self.save(vec![record], &[], None)
    }

    /// Puts `order` first, in that order; the other accounts follow in their current order.
    pub fn reorder(&mut self, order: &[AccountId]) -> Result<(), VaultError> {
        let session = self.session()?;
        for id in order {
            self.stored(*id)?;
        }
        let mut ids: Vec<AccountId> = Vec::with_capacity(session.records.len());
        for id in order {
            if !ids.contains(id) {
                ids.push(*id);
            }
        }
        for r in &session.records {
            if !ids.contains(&r.id) {
                ids.push(r.id);
            }
        }
        let mut changed = Vec::new();
        for (position, id) in ids.into_iter().enumerate() {
            let record = self.stored(id)?;
            let position = u32::try_from(position).unwrap_or(u32::MAX);
            if record.position != position {
                let mut record = record.clone();
                record.position = position;
                changed.push(record);
            }
        }
        if changed.is_empty() {
            return Ok(());
        }
        self.save(changed, &[], None)
    }

    /// Removes an account.
    pub fn remove(&mut self, id: AccountId) -> Result<(), VaultError> {
        self.stored(id)?;
        self.save(Vec::new(), &[id], None)
    }

    /// Records that a code of the account was used at `unix`.
    pub fn mark_used(&mut self, id: AccountId, unix: u64) -> Result<(), VaultError> {
        let mut record = self.stored(id)?.clone();
        record.last_used_at = Some(unix);
        self.save(vec![record], &[], None)
    }

    /// The next code of a counter-based (HOTP) account. The advanced counter is committed
    /// before the code is returned: a crash can skip a code, never show one twice.
    pub fn next_hotp(&mut self, id: AccountId) -> Result<Code, VaultError> {
        let mut record = self.stored(id)?.clone();
        if record.account.params.kind != Kind::Hotp {
            return Err(VaultError::NotCounterBased(id));
        }
        let code = otp::generate(&record.account.secret, &record.account.params, 0)?;
        record.account.params.counter = record
            .account
            .params
            .counter
            .checked_add(1)
            .ok_or(VaultError::CounterExhausted(id))?;
        record.last_used_at = Some(now_unix());
        self.save(vec![record], &[], None)?;
        Ok(code)
    }

    /// Replaces the passphrase slot with one for `new_passphrase` ([`KdfParams::DEFAULT`]; an
    /// empty passphrase is [`VaultError::EmptyPassphrase`]).
    /// Only the vault key is rewrapped; no account is rewritten.
    pub fn change_passphrase(&mut self, new_passphrase: &str) -> Result<(), VaultError> {
        self.change_passphrase_with_kdf(new_passphrase, KdfParams::DEFAULT)
    }

    /// [`Vault::change_passphrase`] with chosen Argon2id parameters.
    pub fn change_passphrase_with_kdf(
        &mut self,
        new_passphrase: &str,
        kdf: KdfParams,
    ) -> Result<(), VaultError> {
        if new_passphrase.is_empty() {
            return Err(VaultError::EmptyPassphrase);
        }
        let session = self.session()?;
        let slot = KeySlot::passphrase(&self.header.vault_id, &session.key, new_passphrase, kdf)?;
        let mut header = self.header.clone();
        header
            .slots
            .retain(|s| !matches!(s, KeySlot::Passphrase { .. }));
        header.slots.insert(0, slot);
        self.save(Vec::new(), &[], Some(header))
    }

    /// Adds a slot that the platform's keystore opens (several may coexist).
    pub fn add_platform_slot(&mut self, wrapper: &dyn KeyWrapper) -> Result<(), VaultError> {
        let session = self.session()?;
        let wrapped = wrapper.wrap(session.key.expose()).map_err(|e| match e {
            KeyWrapError::KeyGone => VaultError::KeystoreKeyGone,
            KeyWrapError::Failed(why) => VaultError::Keystore(why),
        })?;
        let mut header = self.header.clone();
        header.slots.push(KeySlot::Platform { wrapped });
        self.save(Vec::new(), &[], Some(header))
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
        self.save(Vec::new(), &[], Some(header))
    }

    /// Writes records (each at its next revision), removals, and optionally a new header, with
    /// the new index and header MAC, in one transaction; then updates the decrypted state.
    fn save(
        &mut self,
        upserts: Vec<Record>,
        removals: &[AccountId],
        new_header: Option<Header>,
    ) -> Result<(), VaultError> {
        let session = self.session.as_mut().ok_or(VaultError::Locked)?;
        let vault_id = self.header.vault_id;
        let mut index = session.index.clone();
        let generation = session.generation + 1;
        let mut written = Vec::with_capacity(upserts.len());
        let header_bytes = new_header.as_ref().map(Header::encode);

        // The write lock first, then the check that no other handle wrote since this session
        // read the index: its changes would otherwise be sealed out of the index.
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let on_disk = store::read_meta(&tx, meta::INDEX)?
            .and_then(|sealed| session.key.open(&sealed, &index_aad(&vault_id)).ok())
            .and_then(|plain| decode_index(&plain));
        if on_disk.map(|(g, _)| g) != Some(session.generation) {
            return Err(VaultError::ChangedElsewhere);
        }
        for record in upserts {
            let revision = index.get(&record.id).map_or(1, |r| r + 1);
            store::write_row(&tx, &session.key, &vault_id, &record, revision)?;
            index.insert(record.id, revision);
            written.push(record);
        }
        for id in removals {
            store::delete_row(&tx, id)?;
            index.remove(id);
        }
        if let Some(bytes) = &header_bytes {
            store::write_meta(&tx, meta::HEADER, bytes)?;
            store::write_meta(&tx, meta::HEADER_SUM, &crypto::sha256(bytes))?;
        }
        let sealed_index = session
            .key
            .seal(&encode_index(generation, &index), &index_aad(&vault_id))
            .map_err(random_error)?;
        store::write_meta(&tx, meta::INDEX, &sealed_index)?;
        let mac = header_mac(
            &session.key,
            header_bytes.as_deref().unwrap_or(&self.header_bytes),
            generation,
        );
        store::write_meta(&tx, meta::HEADER_MAC, &mac)?;
        tx.commit()?;

        session.generation = generation;
        session.index = index;
        session.records.retain(|r| !removals.contains(&r.id));
        for record in written {
            match session.records.iter_mut().find(|r| r.id == record.id) {
                Some(slot) => *slot = record,
                None => session.records.push(record),
            }
        }
        sort(&mut session.records);
        if let (Some(header), Some(bytes)) = (new_header, header_bytes) {
            self.header = header;
            self.header_bytes = bytes;
            // A replaced slot must not linger in the WAL until some later checkpoint: on a
            // phone the app is killed, not closed, and that can be a long time.
            store::checkpoint(&self.conn)?;
        }
        Ok(())
    }
}

fn check(account: &Account) -> Result<(), VaultError> {
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

    #[test]
    fn index_round_trip() {
        let mut index = BTreeMap::new();
        index.insert(AccountId::random(), 3);
        index.insert(AccountId::random(), 1);
        let bytes = encode_index(9, &index);
        assert_eq!(decode_index(&bytes), Some((9, index)));
        assert_eq!(decode_index(&bytes[..bytes.len() - 1]), None);
    }
}
