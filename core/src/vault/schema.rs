//! The SQLite schema and its migrations, versioned by `PRAGMA user_version`.
//!
//! `MIGRATIONS[i]` takes a database from version `i` to `i + 1`. All pending steps run in one
//! transaction with the version bump, so a crash leaves the file at the old version or the new,
//! never between.

use rusqlite::{Connection, Transaction, TransactionBehavior};

/// The schema version this code writes.
pub const SCHEMA_VERSION: u32 = 1;

/// One migration step.
pub type Step = fn(&Transaction<'_>) -> rusqlite::Result<()>;

/// Every step, in order; its length is [`SCHEMA_VERSION`].
pub const MIGRATIONS: &[Step] = &[v0_to_v1];

/// Version 1: a `meta` table (header, its checksum and MAC, the sealed account index) and an
/// `accounts` table whose every column but the id and revision is a sealed field.
fn v0_to_v1(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(
        "CREATE TABLE meta (
             name  TEXT PRIMARY KEY NOT NULL,
             value BLOB NOT NULL
         ) WITHOUT ROWID;
         CREATE TABLE accounts (
             id       BLOB PRIMARY KEY NOT NULL,
             revision INTEGER NOT NULL,
             otp      BLOB NOT NULL,
             issuer   BLOB NOT NULL,
             name     BLOB NOT NULL,
             note     BLOB NOT NULL,
             groups   BLOB NOT NULL,
             icon     BLOB NOT NULL,
             details  BLOB NOT NULL
         ) WITHOUT ROWID;",
    )
}

/// Why the schema could not be brought up to date.
#[derive(Debug)]
pub enum MigrationError {
    /// The file's version is later than every step known here.
    Newer(u32),
    /// SQLite failed.
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for MigrationError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Sqlite(e)
    }
}

/// The file's schema version.
pub fn version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Runs every pending step of `steps`; returns the version the file had before.
pub fn migrate_with(conn: &mut Connection, steps: &[Step]) -> Result<u32, MigrationError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let from: u32 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let target = u32::try_from(steps.len()).unwrap_or(u32::MAX);
    if from > target {
        return Err(MigrationError::Newer(from));
    }
    if from == target {
        return Ok(from);
    }
    for step in &steps[from as usize..] {
        step(&tx)?;
    }
    tx.pragma_update(None, "user_version", target)?;
    tx.commit()?;
    Ok(from)
}

/// Brings the file up to [`SCHEMA_VERSION`].
pub fn migrate(conn: &mut Connection) -> Result<u32, MigrationError> {
    migrate_with(conn, MIGRATIONS)
}

#[cfg(test)]
mod tests {
    use super::*;

    // A synthetic version 2, only to exercise the mechanism from every earlier version: it adds
    // a table and copies a value, as a real step would.
    fn synthetic_v1_to_v2(tx: &Transaction<'_>) -> rusqlite::Result<()> {
        tx.execute_batch(
            "CREATE TABLE extra (n INTEGER NOT NULL);
             INSERT INTO extra SELECT count(*) FROM accounts;",
        )
    }

    fn failing_step(tx: &Transaction<'_>) -> rusqlite::Result<()> {
        tx.execute_batch("CREATE TABLE half_done (x); SELECT * FROM no_such_table;")
    }

    fn tables(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn from_every_earlier_version_to_the_latest() {
        let steps: &[Step] = &[v0_to_v1, synthetic_v1_to_v2];
        for start in 0..=steps.len() {
            let mut conn = Connection::open_in_memory().unwrap();
            migrate_with(&mut conn, &steps[..start]).unwrap();
            if start >= 1 {
                conn.execute(
                    "INSERT INTO accounts VALUES (x'00', 0, x'', x'', x'', x'', x'', x'', x'')",
                    [],
                )
                .unwrap();
            }
            assert_eq!(version(&conn).unwrap(), start as u32);
            assert_eq!(migrate_with(&mut conn, steps).unwrap(), start as u32);
            assert_eq!(version(&conn).unwrap(), 2);
            assert_eq!(tables(&conn), ["accounts", "extra", "meta"]);
            let copied: i64 = conn
                .query_row("SELECT n FROM extra", [], |r| r.get(0))
                .unwrap();
            // The row counted only if it existed when the v1 -> v2 step ran.
            assert_eq!(copied, i64::from(start == 1), "start {start}");
            // Running again does nothing.
            assert_eq!(migrate_with(&mut conn, steps).unwrap(), 2);
        }
    }

    #[test]
    fn a_failing_step_leaves_the_old_version_untouched() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        let steps: &[Step] = &[v0_to_v1, failing_step];
        assert!(matches!(
            migrate_with(&mut conn, steps),
            Err(MigrationError::Sqlite(_))
        ));
        assert_eq!(version(&conn).unwrap(), 1);
        assert_eq!(tables(&conn), ["accounts", "meta"]);
    }

    #[test]
    fn a_newer_file_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", 9).unwrap();
        assert!(matches!(migrate(&mut conn), Err(MigrationError::Newer(9))));
    }
}
