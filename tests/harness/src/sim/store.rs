//! The simulator's state in SQLite: accounts, sessions, enrolled methods, the last accepted step
//! per relying party, email codes (hashed), session tokens (hashed) and failures. Every decision that must hold under
//! concurrent requests is one SQL statement or one `IMMEDIATE` transaction.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension, Transaction, TransactionBehavior, params};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::SimError;
use super::policy::FailureRecord;

/// 2: sessions are named by the SHA-256 of their token, never the token itself.
const SCHEMA_VERSION: i64 = 2;

/// From schema 1, which kept tokens in clear: those sessions are dropped (their holders log in
/// again) and so are the email codes of their attempts.
const FROM_SCHEMA_1: &str = "
DROP TABLE IF EXISTS sessions;
DELETE FROM email_codes;
";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    role TEXT NOT NULL CHECK (role IN ('student', 'staff')),
    name TEXT NOT NULL,
    password_salt BLOB NOT NULL,
    password_hash BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash BLOB PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    authenticated INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    user_agent TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS totp (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    secret BLOB NOT NULL,
    algorithm TEXT NOT NULL,
    digits INTEGER NOT NULL,
    period INTEGER NOT NULL,
    confirmed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS accepted_steps (
    user_id TEXT NOT NULL REFERENCES users(id),
    party TEXT NOT NULL,
    last_step INTEGER NOT NULL,
    PRIMARY KEY (user_id, party)
);
CREATE TABLE IF NOT EXISTS email (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    address TEXT NOT NULL,
    confirmed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS email_codes (
    id INTEGER PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    attempt TEXT NOT NULL,
    purpose TEXT NOT NULL,
    address TEXT NOT NULL,
    salt BLOB NOT NULL,
    hash BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS email_codes_attempt ON email_codes (user_id, attempt, purpose);
CREATE TABLE IF NOT EXISTS throttle (
    user_id TEXT PRIMARY KEY REFERENCES users(id),
    consecutive INTEGER NOT NULL DEFAULT 0,
    last_failure INTEGER
);
CREATE TABLE IF NOT EXISTS failures (
    user_id TEXT NOT NULL REFERENCES users(id),
    at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS failures_user_at ON failures (user_id, at);
";

/// An account on the portal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Student number or staff id.
    pub id: String,
    /// `student` or `staff`.
    pub role: Role,
    /// Display name.
    pub name: String,
}

/// Who an account belongs to; it decides which email address is allowed and whether Clara
/// accepts the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A student: a personal email address; no Clara.
    Student,
    /// A staff member: the college's email address; Clara uses the same code.
    Staff,
}

impl Role {
    /// The word stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Student => "student",
            Self::Staff => "staff",
        }
    }

    fn parse(text: &str) -> Self {
        if text == "staff" {
            Self::Staff
        } else {
            Self::Student
        }
    }
}

/// An account with its password's salt and Argon2id hash.
#[derive(Debug, Clone)]
pub struct StoredUser {
    /// The account.
    pub user: User,
    /// Random salt of the password hash.
    pub password_salt: Vec<u8>,
    /// Argon2id of the password.
    pub password_hash: Vec<u8>,
}

/// A login session (API token or page cookie).
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    /// The random token naming it: held by the client, only its SHA-256 is stored.
    pub token: String,
    /// Whose it is.
    pub user_id: String,
    /// Whether the second step is done.
    pub authenticated: bool,
    /// The browser that opened it, for the email's wording.
    pub user_agent: String,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("token", &"<redacted>")
            .field("user_id", &self.user_id)
            .field("authenticated", &self.authenticated)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// What names this session's login attempt in the email codes table: the hex SHA-256 of
    /// the token, so the database never holds a usable token.
    pub fn attempt(&self) -> String {
        data_encoding::HEXLOWER.encode(&token_hash(&self.token))
    }
}

/// The SHA-256 of a session token: what the database keeps.
pub fn token_hash(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// An authenticator enrolment as stored.
#[derive(Debug, Clone)]
pub struct TotpRow {
    /// The shared secret (160 bits), sealed by [`super::sealing::ServerKey`].
    pub secret: Vec<u8>,
    /// `SHA1`, `SHA256` or `SHA512`.
    pub algorithm: String,
    /// Digits per code.
    pub digits: u8,
    /// Seconds per step.
    pub period: u32,
    /// Whether a first code has verified.
    pub confirmed: bool,
}

/// An email code as stored: only its salted hash.
#[derive(Debug, Clone)]
pub struct EmailCodeRow {
    /// Row id.
    pub id: i64,
    /// Where it was sent.
    pub address: String,
    /// Random salt of the hash.
    pub salt: Vec<u8>,
    /// SHA-256 of salt and code.
    pub hash: Vec<u8>,
    /// When it stops being valid.
    pub expires_at: u64,
    /// Whether it was already used.
    pub used: bool,
}

/// The database, behind one connection.
pub struct Store {
    conn: Mutex<Connection>,
}

impl Store {
    /// Opens (or creates) `omnivox-sim.sqlite3` in `dir`.
    pub fn open(dir: &Path) -> Result<Self, SimError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| SimError::io(format!("cannot create {}", dir.display()), e))?;
        let conn = Connection::open(dir.join("omnivox-sim.sqlite3"))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if version > SCHEMA_VERSION {
            return Err(SimError::Config(format!(
                "the database was written by a newer simulator (schema {version})"
            )));
        }
        if version == 1 {
            conn.execute_batch(FROM_SCHEMA_1)?;
        }
        conn.execute_batch(SCHEMA)?;
        conn.pragma_update(None, "user_version", SCHEMA_VERSION)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock leaves SQLite consistent (statements are atomic).
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` in one `BEGIN IMMEDIATE` transaction: nothing else writes in between.
    pub fn transaction<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, SimError>,
    ) -> Result<T, SimError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Adds an account; `false` if the id is taken.
    pub fn insert_user(&self, user: &User, salt: &[u8], hash: &[u8]) -> Result<bool, SimError> {
        let changed = self.lock().execute(
            "INSERT OR IGNORE INTO users (id, role, name, password_salt, password_hash)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![user.id, user.role.as_str(), user.name, salt, hash],
        )?;
        Ok(changed == 1)
    }

    /// An account and its password salt and hash.
    pub fn user_with_password(&self, id: &str) -> Result<Option<StoredUser>, SimError> {
        Ok(self
            .lock()
            .query_row(
                "SELECT id, role, name, password_salt, password_hash FROM users WHERE id = ?1",
                [id],
                |r| {
                    let role: String = r.get(1)?;
                    Ok(StoredUser {
                        user: User {
                            id: r.get(0)?,
                            role: Role::parse(&role),
                            name: r.get(2)?,
                        },
                        password_salt: r.get(3)?,
                        password_hash: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    /// An account.
    pub fn user(&self, id: &str) -> Result<Option<User>, SimError> {
        Ok(self.user_with_password(id)?.map(|stored| stored.user))
    }

    /// Records a new session.
    pub fn insert_session(&self, session: &Session, now: u64) -> Result<(), SimError> {
        self.lock().execute(
            "INSERT INTO sessions (token_hash, user_id, authenticated, created_at, user_agent)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                token_hash(&session.token).as_slice(),
                session.user_id,
                session.authenticated,
                now as i64,
                session.user_agent
            ],
        )?;
        Ok(())
    }

    /// A session by its token: found by the token's SHA-256, which is then compared in
    /// constant time with the stored one.
    pub fn session(&self, token: &str) -> Result<Option<Session>, SimError> {
        let hash = token_hash(token);
        let row = self
            .lock()
            .query_row(
                "SELECT token_hash, user_id, authenticated, user_agent
                 FROM sessions WHERE token_hash = ?1",
                [hash.as_slice()],
                |r| {
                    let stored: Vec<u8> = r.get(0)?;
                    Ok((
                        stored,
                        Session {
                            token: token.to_owned(),
                            user_id: r.get(1)?,
                            authenticated: r.get(2)?,
                            user_agent: r.get(3)?,
                        },
                    ))
                },
            )
            .optional()?;
        Ok(row.and_then(|(stored, session)| {
            bool::from(stored.as_slice().ct_eq(hash.as_slice())).then_some(session)
        }))
    }

    /// Marks a session as past the second step.
    pub fn authenticate_session(&self, token: &str) -> Result<(), SimError> {
        self.lock().execute(
            "UPDATE sessions SET authenticated = 1 WHERE token_hash = ?1",
            [token_hash(token).as_slice()],
        )?;
        Ok(())
    }

    /// The authenticator enrolment of an account, confirmed or not.
    pub fn totp(&self, user_id: &str) -> Result<Option<TotpRow>, SimError> {
        totp_in(&self.lock(), user_id)
    }

    /// Replaces an unconfirmed enrolment (or starts one); `false` if one is already confirmed.
    pub fn set_pending_totp(&self, user_id: &str, row: &TotpRow) -> Result<bool, SimError> {
        let changed = self.lock().execute(
            "INSERT INTO totp (user_id, secret, algorithm, digits, period, confirmed)
             VALUES (?1, ?2, ?3, ?4, ?5, 0)
             ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret,
                 algorithm = excluded.algorithm, digits = excluded.digits,
                 period = excluded.period
             WHERE totp.confirmed = 0",
            params![user_id, row.secret, row.algorithm, row.digits, row.period],
        )?;
        Ok(changed == 1)
    }

    /// The confirmed email address of an account, if any.
    pub fn confirmed_email(&self, user_id: &str) -> Result<Option<String>, SimError> {
        Ok(self
            .lock()
            .query_row(
                "SELECT address FROM email WHERE user_id = ?1 AND confirmed = 1",
                [user_id],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Which methods of an account are confirmed: (authenticator app, email).
    pub fn confirmed_methods(&self, user_id: &str) -> Result<(bool, bool), SimError> {
        let conn = self.lock();
        let totp: bool = conn
            .query_row(
                "SELECT confirmed FROM totp WHERE user_id = ?1",
                [user_id],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(false);
        let email: bool = conn
            .query_row(
                "SELECT confirmed FROM email WHERE user_id = ?1",
                [user_id],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(false);
        Ok((totp, email))
    }

    /// Records an email code sent; older codes of the same attempt stop working.
    #[allow(clippy::too_many_arguments)]
    pub fn insert_email_code(
        &self,
        user_id: &str,
        attempt: &str,
        purpose: &str,
        address: &str,
        salt: &[u8],
        hash: &[u8],
        now: u64,
        expires_at: u64,
    ) -> Result<(), SimError> {
        self.transaction(|tx| {
            tx.execute(
                "UPDATE email_codes SET used = 1
                 WHERE user_id = ?1 AND attempt = ?2 AND purpose = ?3 AND used = 0",
                params![user_id, attempt, purpose],
            )?;
            tx.execute(
                "INSERT INTO email_codes
                   (user_id, attempt, purpose, address, salt, hash, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    user_id,
                    attempt,
                    purpose,
                    address,
                    salt,
                    hash,
                    now as i64,
                    expires_at as i64
                ],
            )?;
            Ok(())
        })
    }

    /// Email codes sent to an account since `since`.
    pub fn email_codes_sent_since(&self, user_id: &str, since: u64) -> Result<u32, SimError> {
        Ok(self.lock().query_row(
            "SELECT COUNT(*) FROM email_codes WHERE user_id = ?1 AND created_at >= ?2",
            params![user_id, since as i64],
            |r| r.get(0),
        )?)
    }
}

/// The authenticator enrolment of an account, inside a transaction.
pub fn totp_in(conn: &Connection, user_id: &str) -> Result<Option<TotpRow>, SimError> {
    Ok(conn
        .query_row(
            "SELECT secret, algorithm, digits, period, confirmed FROM totp WHERE user_id = ?1",
            [user_id],
            |r| {
                Ok(TotpRow {
                    secret: r.get(0)?,
                    algorithm: r.get(1)?,
                    digits: r.get(2)?,
                    period: r.get(3)?,
                    confirmed: r.get(4)?,
                })
            },
        )
        .optional()?)
}

/// Accepts `step` for `party` only if it is newer than the last accepted one: one statement, so
/// two requests racing with the same code cannot both win. Returns whether it was accepted.
pub fn accept_step(
    conn: &Connection,
    user_id: &str,
    party: &str,
    step: u64,
) -> Result<bool, SimError> {
    let changed = conn.execute(
        "INSERT INTO accepted_steps (user_id, party, last_step) VALUES (?1, ?2, ?3)
         ON CONFLICT (user_id, party) DO UPDATE SET last_step = excluded.last_step
         WHERE accepted_steps.last_step < excluded.last_step",
        params![user_id, party, step as i64],
    )?;
    Ok(changed == 1)
}

/// Marks the authenticator enrolment confirmed.
pub fn confirm_totp(conn: &Connection, user_id: &str) -> Result<(), SimError> {
    conn.execute(
        "UPDATE totp SET confirmed = 1 WHERE user_id = ?1",
        [user_id],
    )?;
    Ok(())
}

/// Sets the email method's address, confirmed.
pub fn confirm_email(conn: &Connection, user_id: &str, address: &str) -> Result<(), SimError> {
    conn.execute(
        "INSERT INTO email (user_id, address, confirmed) VALUES (?1, ?2, 1)
         ON CONFLICT (user_id) DO UPDATE SET address = excluded.address, confirmed = 1",
        params![user_id, address],
    )?;
    Ok(())
}

/// The newest email code of an attempt, used or not.
pub fn latest_email_code(
    conn: &Connection,
    user_id: &str,
    attempt: &str,
    purpose: &str,
) -> Result<Option<EmailCodeRow>, SimError> {
    Ok(conn
        .query_row(
            "SELECT id, address, salt, hash, expires_at, used FROM email_codes
             WHERE user_id = ?1 AND attempt = ?2 AND purpose = ?3
             ORDER BY id DESC LIMIT 1",
            params![user_id, attempt, purpose],
            |r| {
                let expires: i64 = r.get(4)?;
                Ok(EmailCodeRow {
                    id: r.get(0)?,
                    address: r.get(1)?,
                    salt: r.get(2)?,
                    hash: r.get(3)?,
                    expires_at: u64::try_from(expires).unwrap_or(0),
                    used: r.get(5)?,
                })
            },
        )
        .optional()?)
}

/// Uses an email code once: `false` if it was already used.
pub fn use_email_code(conn: &Connection, id: i64) -> Result<bool, SimError> {
    Ok(conn.execute(
        "UPDATE email_codes SET used = 1 WHERE id = ?1 AND used = 0",
        [id],
    )? == 1)
}

/// What is remembered of an account's failures at `now`.
pub fn failure_record(
    conn: &Connection,
    user_id: &str,
    now: u64,
) -> Result<FailureRecord, SimError> {
    let (consecutive, last_failure): (u32, Option<i64>) = conn
        .query_row(
            "SELECT consecutive, last_failure FROM throttle WHERE user_id = ?1",
            [user_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .unwrap_or((0, None));
    let hour_ago = now.saturating_sub(3600) as i64;
    let (in_last_hour, oldest): (u32, Option<i64>) = conn.query_row(
        "SELECT COUNT(*), MIN(at) FROM failures WHERE user_id = ?1 AND at > ?2",
        params![user_id, hour_ago],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(FailureRecord {
        consecutive,
        last_failure: last_failure.and_then(|t| u64::try_from(t).ok()),
        in_last_hour,
        oldest_in_last_hour: oldest.and_then(|t| u64::try_from(t).ok()),
    })
}

/// Counts one failure at `now`.
pub fn record_failure(conn: &Connection, user_id: &str, now: u64) -> Result<(), SimError> {
    conn.execute(
        "INSERT INTO throttle (user_id, consecutive, last_failure) VALUES (?1, 1, ?2)
         ON CONFLICT (user_id) DO UPDATE SET consecutive = consecutive + 1,
             last_failure = excluded.last_failure",
        params![user_id, now as i64],
    )?;
    conn.execute(
        "INSERT INTO failures (user_id, at) VALUES (?1, ?2)",
        params![user_id, now as i64],
    )?;
    conn.execute(
        "DELETE FROM failures WHERE user_id = ?1 AND at <= ?2",
        params![user_id, now.saturating_sub(3600) as i64],
    )?;
    Ok(())
}

/// A success clears the run of consecutive failures (the hourly count stays).
pub fn record_success(conn: &Connection, user_id: &str) -> Result<(), SimError> {
    conn.execute(
        "UPDATE throttle SET consecutive = 0 WHERE user_id = ?1",
        [user_id],
    )?;
    Ok(())
}
