//! Reading another app's private SQLite database from bytes, without writing it anywhere: the
//! bytes are copied into an in-memory, read-only database (SQLite's deserialize API), checked
//! whole (a file cut short or with a broken page is refused before any row is read), and only
//! real tables are queried.

use rusqlite::{Connection, MAIN_DB, OpenFlags};

use super::{Format, ImportError};

/// The first 16 bytes of every SQLite database file.
pub(crate) const MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Whether the bytes start like a SQLite database.
pub(crate) fn is_sqlite(data: &[u8]) -> bool {
    data.starts_with(MAGIC)
}

/// Opens `data` as a read-only in-memory database after checking that it is complete.
pub(crate) fn open(data: &[u8], format: Format) -> Result<Connection, ImportError> {
    let bad = |detail: String| ImportError::malformed(format, detail);
    if !is_sqlite(data) || data.len() < 100 {
        return Err(bad("not a SQLite database".into()));
    }
    let be16 = |at: usize| u16::from_be_bytes([data[at], data[at + 1]]);
    let be32 = |at: usize| u32::from_be_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]]);
    let page_size = match be16(16) {
        1 => 65_536,
        n => usize::from(n),
    };
    if page_size < 512 || !page_size.is_power_of_two() {
        return Err(bad(format!("the page size {page_size} is not valid")));
    }
    // The page count in the header is valid when "version-valid-for" equals the change counter.
    let expected = if be32(24) == be32(92) {
        usize::try_from(be32(28))
            .ok()
            .and_then(|pages| pages.checked_mul(page_size))
    } else {
        None
    };
    match expected {
        Some(size) if size != data.len() => {
            return Err(bad(format!(
                "the database is cut short or padded: {} bytes where its header says {size}",
                data.len()
            )));
        }
        None if !data.len().is_multiple_of(page_size) => {
            return Err(bad(format!(
                "the database is cut short: {} bytes is not a whole number of {page_size}-byte pages",
                data.len()
            )));
        }
        _ => {}
    }
    // A database in WAL mode (bytes 18 and 19 set to 2) is read as it was at its last
    // checkpoint: the copy is marked as a rollback-journal database, which SQLite can
    // deserialize.
    let mut copy = data.to_vec();
    if copy[18] == 2 && copy[19] == 2 {
        copy[18] = 1;
        copy[19] = 1;
    }
    let sqlite = |e: rusqlite::Error| bad(format!("SQLite cannot read it: {e}"));
    let mut db = Connection::open_in_memory_with_flags(
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(sqlite)?;
    db.deserialize_read_exact(MAIN_DB, copy.as_slice(), copy.len(), true)
        .map_err(sqlite)?;
    zeroize::Zeroize::zeroize(&mut copy);
    db.execute_batch("PRAGMA trusted_schema = OFF; PRAGMA query_only = ON;")
        .map_err(sqlite)?;
    let check: String = db
        .query_row("PRAGMA integrity_check(1)", [], |row| row.get(0))
        .map_err(sqlite)?;
    if check != "ok" {
        return Err(bad(format!("the database is damaged ({check})")));
    }
    Ok(db)
}

/// Whether the database has a real table (not a view) named `name`.
pub(crate) fn has_table(db: &Connection, name: &str) -> bool {
    db.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [name],
        |row| row.get::<_, i64>(0),
    )
    .is_ok_and(|n| n == 1)
}

/// `has_table`, or a typed error naming the missing table.
pub(crate) fn require_table(
    db: &Connection,
    name: &str,
    format: Format,
) -> Result<(), ImportError> {
    if has_table(db, name) {
        Ok(())
    } else {
        Err(ImportError::malformed(
            format,
            format!("the database has no {name:?} table"),
        ))
    }
}

/// Maps a SQLite error while reading rows to a typed error.
pub(crate) fn row_error(format: Format) -> impl Fn(rusqlite::Error) -> ImportError {
    move |e| ImportError::malformed(format, format!("a row cannot be read: {e}"))
}
