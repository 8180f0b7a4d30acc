//! The portal's rules, shared by the pages and the JSON API: accounts, login, enrolment of the
//! two methods, the second step at login, and Clara.
//!
//! Every check of a code runs in one `IMMEDIATE` transaction: throttle gate, verification,
//! replay check (an atomic compare-and-set on the last accepted step) and the failure count, so
//! concurrent requests cannot slip between them.
//!
//! Codes are checked by [`super::verifier`] (the `totp-rs` crate), never by `jeton-core`. An
//! unknown id costs what a known one does: the same Argon2 hash at login (against a dummy
//! salt), the same secret opening and code check at Clara (against a dummy secret); [`Portal::work`]
//! counts them so tests can prove it without a stopwatch.

mod enrolment;
mod refusal;
mod rules;
mod verification;
mod work;

use std::sync::atomic::Ordering;

use rusqlite::Transaction;
use subtle::ConstantTimeEq;

use super::policy;
use super::sealing::ServerKey;
use super::store::{self, Role, Session, Store, User};
use super::verifier::TotpParams;
use super::{Config, SimError};

pub use enrolment::qr_png;
pub use refusal::{Refusal, Words};
pub use work::WorkDone;

use refusal::both;
use rules::{internal, password_hash, random_bytes, throttle};
use work::{Work, count};

/// The portal itself; Clara checks its own replays.
pub const OMNIVOX: &str = "omnivox";
/// Clara, the second relying party.
pub const CLARA: &str = "clara";

/// What a login leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NextStep {
    /// No method yet: set up two-step validation.
    Enrol,
    /// Give a code from one of the confirmed methods.
    Verify,
}

/// Where a session stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Status {
    /// The account's id.
    pub user: String,
    /// The account's display name, as given at creation (shown escaped on the pages).
    pub name: String,
    /// `student` or `staff`.
    pub role: Role,
    /// Whether the second step is done.
    pub authenticated: bool,
    /// Whether the authenticator app is confirmed.
    pub totp: bool,
    /// Whether the main email is confirmed.
    pub email: bool,
}

/// A new authenticator enrolment: what the QR page shows.
#[derive(Debug, Clone)]
pub struct TotpEnrolment {
    /// The `otpauth://` URI the QR code holds.
    pub uri: String,
    /// The secret as text, for manual entry.
    pub secret_base32: String,
    /// The QR code as a PNG image.
    pub qr_png: Vec<u8>,
    /// Algorithm, digits and period.
    pub params: TotpParams,
}

/// The method of a second step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// The authenticator app's 6-digit code.
    Totp,
    /// A code sent by email.
    Email,
}

/// What an unknown id is checked against, so that it costs what a known one does.
struct Decoy {
    password_salt: [u8; 16],
    password_hash: [u8; 32],
    sealed_secret: Vec<u8>,
}

const DECOY_ACCOUNT: &str = "";
/// Longest password accepted at account creation, in characters (as the API description's
/// `maxLength` counts them; at most 1 KiB, since Argon2 hashes whatever it is given).
const MAX_PASSWORD_CHARS: usize = 256;
/// Longest display name accepted, in characters.
const MAX_NAME_CHARS: usize = 100;

/// The simulator's rules over its store.
pub struct Portal {
    config: Config,
    store: Store,
    key: ServerKey,
    decoy: Decoy,
    work: Work,
}

impl Portal {
    /// Opens the store in the configured data folder.
    pub fn open(config: Config) -> Result<Self, SimError> {
        let store = Store::open(&config.data_dir)?;
        let key = ServerKey::load_or_create(&config.data_dir)?;
        let decoy = Decoy {
            password_salt: random_bytes::<16>().map_err(internal)?,
            password_hash: random_bytes::<32>().map_err(internal)?,
            sealed_secret: key.seal(
                DECOY_ACCOUNT,
                &random_bytes::<{ policy::SECRET_BYTES }>().map_err(internal)?,
            )?,
        };
        Ok(Self {
            config,
            store,
            key,
            decoy,
            work: Work::default(),
        })
    }

    /// The costly work done so far.
    pub fn work(&self) -> WorkDone {
        WorkDone {
            password_hashes: self.work.password_hashes.load(Ordering::Relaxed),
            secret_openings: self.work.secret_openings.load(Ordering::Relaxed),
            code_checks: self.work.code_checks.load(Ordering::Relaxed),
        }
    }

    fn password_hash(&self, password: &str, salt: &[u8]) -> Result<Vec<u8>, Refusal> {
        count(&self.work.password_hashes);
        password_hash(password, salt)
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The store, for checks after the fact.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The simulator's current time.
    pub fn now(&self) -> u64 {
        self.config.clock.now()
    }

    /// Creates an account (tests and the demo; `--allow-user-creation`).
    pub fn create_user(
        &self,
        id: &str,
        role: Role,
        name: &str,
        password: &str,
    ) -> Result<User, Refusal> {
        if !self.config.allow_user_creation {
            return Err(Refusal::Forbidden(both(
                "La création de comptes est désactivée (--allow-user-creation).",
                "Account creation is disabled (--allow-user-creation).",
            )));
        }
        let id = id.trim();
        if id.is_empty()
            || id.len() > 64
            || !id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_')
        {
            return Err(Refusal::BadRequest(both(
                "L'identifiant doit compter de 1 à 64 lettres, chiffres, « . », « - » ou « _ ».",
                "The id must be 1 to 64 letters, digits, '.', '-' or '_'.",
            )));
        }
        if !(8..=MAX_PASSWORD_CHARS).contains(&password.chars().count()) {
            return Err(Refusal::BadRequest(both(
                "Le mot de passe doit compter de 8 à 256 caractères.",
                "The password must have 8 to 256 characters.",
            )));
        }
        if name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
            return Err(Refusal::BadRequest(both(
                "Le nom compte au plus 100 caractères, sans caractère de contrôle.",
                "The name has at most 100 characters, none of them control characters.",
            )));
        }
        let salt = random_bytes::<16>()?;
        let hash = self.password_hash(password, &salt)?;
        let user = User {
            id: id.to_owned(),
            role,
            name: if name.trim().is_empty() {
                id.to_owned()
            } else {
                name.trim().to_owned()
            },
        };
        if !self.store.insert_user(&user, &salt, &hash)? {
            return Err(Refusal::Conflict(both(
                "Cet identifiant existe déjà.",
                "This id is already taken.",
            )));
        }
        Ok(user)
    }

    /// Checks the password and opens a session; a wrong password counts as a failure. An
    /// unknown id goes through the same gate and the same Argon2 hash (against a decoy) as a
    /// known one, so the time taken does not tell whether an id exists.
    pub fn login(
        &self,
        id: &str,
        password: &str,
        user_agent: &str,
    ) -> Result<(Session, NextStep), Refusal> {
        let id = id.trim();
        let stored = self.store.user_with_password(id)?;
        let now = self.now();
        self.gate(id, now)?;
        let (salt, expected) = match &stored {
            Some(s) => (s.password_salt.as_slice(), s.password_hash.as_slice()),
            None => (
                self.decoy.password_salt.as_slice(),
                self.decoy.password_hash.as_slice(),
            ),
        };
        let computed = self.password_hash(password, salt)?;
        let matches = bool::from(computed.as_slice().ct_eq(expected));
        let user = match stored {
            Some(stored) if matches => stored.user,
            Some(stored) => {
                self.store
                    .transaction(|tx| store::record_failure(tx, &stored.user.id, now))?;
                return Err(Refusal::BadCredentials);
            }
            None => return Err(Refusal::BadCredentials),
        };
        let session = Session {
            token: data_encoding::HEXLOWER.encode(&random_bytes::<16>()?),
            user_id: user.id.clone(),
            authenticated: false,
            user_agent: user_agent.chars().take(300).collect(),
        };
        self.store.insert_session(&session, now)?;
        let (totp, email) = self.store.confirmed_methods(&user.id)?;
        let next = if totp || email {
            NextStep::Verify
        } else {
            NextStep::Enrol
        };
        Ok((session, next))
    }

    /// The session named by `token`.
    pub fn session(&self, token: &str) -> Result<Session, Refusal> {
        self.store.session(token)?.ok_or(Refusal::NotLoggedIn)
    }

    /// Where a session stands.
    pub fn status(&self, session: &Session) -> Result<Status, Refusal> {
        let user = self
            .store
            .user(&session.user_id)?
            .ok_or(Refusal::NotLoggedIn)?;
        let (totp, email) = self.store.confirmed_methods(&user.id)?;
        Ok(Status {
            user: user.id,
            name: user.name,
            role: user.role,
            authenticated: session.authenticated,
            totp,
            email,
        })
    }

    /// Methods may be added by a session past the second step, or by any session of an account
    /// with no confirmed method yet (first enrolment).
    pub(super) fn may_enrol(&self, session: &Session) -> Result<(), Refusal> {
        if session.authenticated {
            return Ok(());
        }
        let (totp, email) = self.store.confirmed_methods(&session.user_id)?;
        if totp || email {
            Err(Refusal::Forbidden(both(
                "Confirmez d'abord votre identité avec une méthode existante.",
                "Confirm your identity with an existing method first.",
            )))
        } else {
            Ok(())
        }
    }

    pub(super) fn gate(&self, user_id: &str, now: u64) -> Result<(), Refusal> {
        let record = self
            .store
            .transaction(|tx| store::failure_record(tx, user_id, now))?;
        throttle(&record, now)
    }

    /// Runs a check in one transaction that commits whatever the outcome, so that failures
    /// are counted even when the check refuses.
    pub(super) fn checked<T>(
        &self,
        check: impl FnOnce(&Transaction<'_>) -> Result<T, Refusal>,
    ) -> Result<T, Refusal> {
        let outcome = self.store.transaction(|tx| match check(tx) {
            Err(Refusal::Internal(e)) => Err(e),
            other => Ok(other),
        });
        outcome.map_err(Refusal::Internal)?
    }
}
