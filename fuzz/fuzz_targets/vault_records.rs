//! The vault's account rows and sealed `meta` values, as someone with write access to the file
//! would attack them: the input is a list of edits to a real vault's SQLite rows (set a cell to
//! any SQLite value of any type, copy a cell or row elsewhere, delete or duplicate rows, replace
//! the sealed index, clock offset or header MAC), after which the vault is opened and unlocked.
//! Unlocking may fail or report damage; it must never panic, nor list an account or clock
//! offset the vault never held (every such value is sealed, so edits can hide, never forge).
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use rusqlite::Connection;
use rusqlite::types::Value;

const COLUMNS: [&str; 9] = [
    "id", "revision", "otp", "issuer", "name", "note", "groups", "icon", "details",
];
const META: [&str; 5] = ["header", "header_sum", "header_mac", "index", "clock"];

#[derive(Debug, Arbitrary)]
enum Cell {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl From<Cell> for Value {
    fn from(cell: Cell) -> Self {
        match cell {
            Cell::Null => Value::Null,
            Cell::Integer(v) => Value::Integer(v),
            Cell::Real(v) => Value::Real(v),
            Cell::Text(v) => Value::Text(v),
            Cell::Blob(v) => Value::Blob(v),
        }
    }
}

#[derive(Debug, Arbitrary)]
enum Edit {
    /// Sets one cell of the `row`-th account (rows in id order, modulo their count).
    Set { row: u8, column: u8, value: Cell },
    /// Copies a cell between accounts or columns (a sealed field moved elsewhere).
    Copy {
        from_row: u8,
        from_column: u8,
        to_row: u8,
        to_column: u8,
    },
    /// Flips one bit of a blob cell.
    Flip { row: u8, column: u8, at: u16 },
    /// Deletes an account row.
    Delete { row: u8 },
    /// Copies an account row under another id.
    Duplicate { row: u8, id: Vec<u8> },
    /// Sets a `meta` value (header ones included).
    Meta { name: u8, value: Cell },
    /// Flips one bit of a `meta` value.
    FlipMeta { name: u8, at: u16 },
    /// Copies one `meta` value over another.
    CopyMeta { from: u8, to: u8 },
    /// Removes a `meta` value.
    DropMeta { name: u8 },
}

fn ids(conn: &Connection) -> Vec<Vec<u8>> {
    let Ok(mut stmt) = conn.prepare("SELECT id FROM accounts ORDER BY id") else {
        return Vec::new();
    };
    stmt.query_map([], |r| r.get::<_, Value>(0))
        .map(|rows| {
            rows.filter_map(Result::ok)
                .map(|v| match v {
                    Value::Blob(b) => b,
                    Value::Text(t) => t.into_bytes(),
                    other => format!("{other:?}").into_bytes(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn column(i: u8) -> &'static str {
    COLUMNS[usize::from(i) % COLUMNS.len()]
}

fn meta(i: u8) -> &'static str {
    META[usize::from(i) % META.len()]
}

fn flip(value: Value, at: u16) -> Value {
    match value {
        Value::Blob(mut b) if !b.is_empty() => {
            let i = usize::from(at / 8) % b.len();
            b[i] ^= 1 << (at % 8);
            Value::Blob(b)
        }
        other => other,
    }
}

/// Applies one edit; SQLite may refuse it (a NOT NULL or primary key constraint), which is fine.
fn apply(conn: &Connection, edit: Edit) {
    let ids = ids(conn);
    let row = |i: u8| (!ids.is_empty()).then(|| ids[usize::from(i) % ids.len()].clone());
    let get = |r: &[u8], c: &str| -> Option<Value> {
        conn.query_row(
            &format!("SELECT {c} FROM accounts WHERE id = ?1"),
            [r],
            |x| x.get(0),
        )
        .ok()
    };
    let set = |r: &[u8], c: &str, v: Value| {
        let _ = conn.execute(
            &format!("UPDATE accounts SET {c} = ?2 WHERE id = ?1"),
            (r, v),
        );
    };
    let get_meta = |n: &str| -> Option<Value> {
        conn.query_row("SELECT value FROM meta WHERE name = ?1", [n], |x| x.get(0))
            .ok()
    };
    let set_meta = |n: &str, v: Value| {
        let _ = conn.execute(
            "INSERT INTO meta (name, value) VALUES (?1, ?2)
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            (n, v),
        );
    };
    match edit {
        Edit::Set {
            row: r,
            column: c,
            value,
        } => {
            if let Some(r) = row(r) {
                set(&r, column(c), value.into());
            }
        }
        Edit::Copy {
            from_row,
            from_column,
            to_row,
            to_column,
        } => {
            if let (Some(from), Some(to)) = (row(from_row), row(to_row)) {
                if let Some(v) = get(&from, column(from_column)) {
                    set(&to, column(to_column), v);
                }
            }
        }
        Edit::Flip {
            row: r,
            column: c,
            at,
        } => {
            if let Some(r) = row(r) {
                if let Some(v) = get(&r, column(c)) {
                    set(&r, column(c), flip(v, at));
                }
            }
        }
        Edit::Delete { row: r } => {
            if let Some(r) = row(r) {
                let _ = conn.execute("DELETE FROM accounts WHERE id = ?1", [r]);
            }
        }
        Edit::Duplicate { row: r, id } => {
            if let Some(r) = row(r) {
                let _ = conn.execute(
                    "INSERT INTO accounts SELECT ?2, revision, otp, issuer, name, note, groups, icon, details
                     FROM accounts WHERE id = ?1",
                    (r, id),
                );
            }
        }
        Edit::Meta { name, value } => set_meta(meta(name), value.into()),
        Edit::FlipMeta { name, at } => {
            if let Some(v) = get_meta(meta(name)) {
                set_meta(meta(name), flip(v, at));
            }
        }
        Edit::CopyMeta { from, to } => {
            if let Some(v) = get_meta(meta(from)) {
                set_meta(meta(to), v);
            }
        }
        Edit::DropMeta { name } => {
            let _ = conn.execute("DELETE FROM meta WHERE name = ?1", [meta(name)]);
        }
    }
}

fuzz_target!(|edits: Vec<Edit>| {
    let template = jeton_fuzz::vault::template();
    template.copy_with(|conn| {
        for edit in edits.into_iter().take(16) {
            apply(conn, edit);
        }
    });
    // An edited header fails its checksum (the fuzzer cannot forge SHA-256), so the passphrase
    // slot tried is always the template's cheap one; `vault_header` fuzzes the header itself.
    template.open_and_check(true);
});
