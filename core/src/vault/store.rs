//! SQL of the vault file: opening with the durability settings, the `meta` values and the
//! account rows. Everything here moves bytes that are already sealed.

use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};

use super::crypto::{Place, VaultKeys};
use super::record::{AccountId, Field, Record, encode_field};
use crate::seal::RandomError;

/// Names of the values in the `meta` table.
pub mod meta {
    /// The canonical header bytes.
    pub const HEADER: &str = "header";
    /// SHA-256 of the header (corruption check, before any key).
    pub const HEADER_SUM: &str = "header_sum";
    /// HMAC of header ‖ generation under the vault key (tampering and rollback check).
    pub const HEADER_MAC: &str = "header_mac";
    /// The sealed index: generation and each account's revision.
    pub const INDEX: &str = "index";
    /// The sealed clock correction of a format-1 vault (format 2 keeps it in the index).
    pub const CLOCK: &str = "clock";
    /// The sealed sync state (docs/adr/0006-sync.md), when sync is set up.
    pub const SYNC: &str = "sync";
    /// The sealed automatic backup setting (docs/adr/0007-automatic-backups.md), when on.
    pub const AUTO_BACKUP: &str = "auto_backup";
}

/// The files SQLite keeps beside the vault.
pub const SIDE_FILES: [&str; 3] = ["-wal", "-shm", "-journal"];

/// `path` with `suffix` appended (`vault.jeton-wal`).
pub fn side_file(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    name.into()
}

/// Creates the (empty) vault file exclusively (`O_CREAT | O_EXCL`), readable and writable by its
/// owner only (0600 whatever the umask: the mode only loses bits to it, and SQLite gives the
/// `-wal` and `-shm` it makes the database file's mode). Fails if anything exists at `path`.
pub fn create_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map(drop)
}

/// Sets the side files that exist to 0600 (they already are when SQLite made them from a
/// 0600 database; this also covers a file left by another program).
pub fn restrict_side_files(path: &Path) {
    #[cfg(unix)]
    for suffix in SIDE_FILES {
        use std::os::unix::fs::PermissionsExt;
        let side = side_file(path, suffix);
        if side.is_file() {
            let _ = std::fs::set_permissions(side, std::fs::Permissions::from_mode(0o600));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Opens (or, with `create`, creates) the file. Nothing is written: see [`configure`].
pub fn connect(path: &Path, create: bool) -> rusqlite::Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    Connection::open_with_flags(path, flags)
}

/// The durability settings: WAL and `synchronous=FULL`, so a commit is on disk before it
/// returns and an HOTP counter survives even a power cut once its code is shown (see
/// docs/adr/0001-vault-format.md); and `secure_delete`, so that space SQLite frees (an old key
/// slot, a removed account) is overwritten with zeros rather than left in the file.
pub fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    let _secure: i64 = conn.query_row("PRAGMA secure_delete = ON", [], |r| r.get(0))?;
    Ok(())
}

/// Copies the WAL into the main file and empties it, so that the pages a header change replaced
/// (the old key slot) are no longer in the WAL nor, with `secure_delete`, in the main file.
pub fn checkpoint(conn: &Connection) -> rusqlite::Result<()> {
    let _status: (i64, i64, i64) = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    Ok(())
}

/// Whether the file has the vault's `meta` table.
pub fn has_meta_table(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n > 0)
}

/// A `meta` value, if present.
pub fn read_meta(conn: &Connection, name: &str) -> rusqlite::Result<Option<Vec<u8>>> {
    conn.query_row("SELECT value FROM meta WHERE name = ?1", [name], |r| {
        r.get(0)
    })
    .optional()
}

/// Sets a `meta` value.
pub fn write_meta(conn: &Connection, name: &str, value: &[u8]) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO meta (name, value) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )?
    .execute(params![name, value])?;
    Ok(())
}

/// Why a row could not be written.
#[derive(Debug)]
pub enum WriteError {
    /// SQLite failed.
    Sqlite(rusqlite::Error),
    /// No randomness for a nonce.
    Random,
}

impl From<rusqlite::Error> for WriteError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Sqlite(e)
    }
}

impl From<RandomError> for WriteError {
    fn from(_: RandomError) -> Self {
        Self::Random
    }
}

/// Seals every field of `record` at `revision` and writes its row.
pub fn write_row(
    conn: &Connection,
    keys: &VaultKeys,
    record: &Record,
    revision: u64,
) -> Result<(), WriteError> {
    let mut sealed = Vec::with_capacity(Field::ALL.len());
    for field in Field::ALL {
        let plain = encode_field(record, field);
        sealed.push(keys.seal(&plain, Place::Field(&record.id, revision, field))?);
    }
    let revision = i64::try_from(revision).unwrap_or(i64::MAX);
    conn.prepare_cached(
        "INSERT OR REPLACE INTO accounts
             (id, revision, otp, issuer, name, note, groups, icon, details)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        record.id.as_bytes().as_slice(),
        revision,
        sealed[0],
        sealed[1],
        sealed[2],
        sealed[3],
        sealed[4],
        sealed[5],
        sealed[6]
    ])?;
    Ok(())
}

/// Deletes a `meta` value.
pub fn delete_meta(conn: &Connection, name: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM meta WHERE name = ?1", [name])?;
    Ok(())
}

/// Deletes an account's row.
pub fn delete_row(conn: &Connection, id: &AccountId) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM accounts WHERE id = ?1")?
        .execute([id.as_bytes().as_slice()])?;
    Ok(())
}

/// One row as stored: id bytes, revision and the sealed fields in [`Field::ALL`] order (a
/// field that is not a blob is `None`).
pub struct Row {
    /// The id column.
    pub id: Option<[u8; 16]>,
    /// The revision column.
    pub revision: Option<u64>,
    /// The sealed fields.
    pub fields: Vec<Option<Vec<u8>>>,
}

/// Every account row.
pub fn read_rows(conn: &Connection) -> rusqlite::Result<Vec<Row>> {
    let mut stmt = conn.prepare(
        "SELECT id, revision, otp, issuer, name, note, groups, icon, details FROM accounts",
    )?;
    let rows = stmt.query_map([], |r| {
        let id = r
            .get::<_, Vec<u8>>(0)
            .ok()
            .and_then(|b| <[u8; 16]>::try_from(b.as_slice()).ok());
        let revision = r.get::<_, i64>(1).ok().and_then(|v| u64::try_from(v).ok());
        let fields = (2..2 + Field::ALL.len())
            .map(|i| r.get::<_, Vec<u8>>(i).ok())
            .collect();
        Ok(Row {
            id,
            revision,
            fields,
        })
    })?;
    rows.collect()
}
