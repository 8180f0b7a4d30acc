//! The portal's rules, shared by the pages and the JSON API: accounts, login, enrolment of the
//! two methods, the second step at login, and Clara.
//!
//! Every check of a code runs in one `IMMEDIATE` transaction: throttle gate, verification,
//! replay check (an atomic compare-and-set on the last accepted step) and the failure count, so
//! concurrent requests cannot slip between them.

use std::io::Cursor;

use jeton_core::otp::{self, OtpParams};
use jeton_core::{Account, Algorithm, Secret, uri};
use rusqlite::Transaction;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::policy::{self, Gate};
use super::sealing::ServerKey;
use super::store::{self, Role, Session, Store, TotpRow, User};
use super::{Config, SimError, mail};

/// The portal itself; Clara checks its own replays.
pub const OMNIVOX: &str = "omnivox";
/// Clara, the second relying party.
pub const CLARA: &str = "clara";

/// Why a request was refused. Each kind has a stable machine name ([`Refusal::code`]) and a
/// message in French and in English.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// The request itself is malformed.
    #[error("{0}")]
    BadRequest(Words),
    /// No session, or an unknown one.
    #[error("not logged in")]
    NotLoggedIn,
    /// Unknown id or wrong password.
    #[error("unknown id or wrong password")]
    BadCredentials,
    /// The code is not the right one.
    #[error("wrong code")]
    WrongCode,
    /// The code was right but was already used (same time step, or same email code).
    #[error("this code was already used")]
    ReplayedCode,
    /// The email code was right but is more than 10 minutes old.
    #[error("this email code has expired")]
    ExpiredCode,
    /// No email code was asked for in this attempt.
    #[error("no email code was requested in this attempt")]
    NoCodeRequested,
    /// Too many failures: wait, or the account is locked.
    #[error("too many attempts; retry in {retry_after} s")]
    Throttled {
        /// Seconds to wait.
        retry_after: u64,
        /// Locked out rather than slowed down.
        locked: bool,
    },
    /// The account may not do this.
    #[error("{0}")]
    Forbidden(Words),
    /// It conflicts with the state (already enrolled, id taken).
    #[error("{0}")]
    Conflict(Words),
    /// The server failed.
    #[error(transparent)]
    Internal(#[from] SimError),
}

impl From<rusqlite::Error> for Refusal {
    fn from(error: rusqlite::Error) -> Self {
        Self::Internal(SimError::Database(error))
    }
}

impl Refusal {
    /// The machine-readable name of the refusal, as the API returns it in `error`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::NotLoggedIn => "not_logged_in",
            Self::BadCredentials => "bad_credentials",
            Self::WrongCode => "wrong_code",
            Self::ReplayedCode => "replayed_code",
            Self::ExpiredCode => "expired_code",
            Self::NoCodeRequested => "no_code_requested",
            Self::Throttled { locked: false, .. } => "throttled",
            Self::Throttled { locked: true, .. } => "locked",
            Self::Forbidden(_) => "forbidden",
            Self::Conflict(_) => "conflict",
            Self::Internal(_) => "internal",
        }
    }

    /// The message in French (Québec).
    pub fn message_fr(&self) -> String {
        match self {
            Self::BadRequest(w) | Self::Forbidden(w) | Self::Conflict(w) => w.fr.clone(),
            Self::NotLoggedIn => "Vous devez d'abord ouvrir une session.".to_owned(),
            Self::BadCredentials => "Identifiant ou mot de passe invalide.".to_owned(),
            Self::WrongCode => "Le code est invalide. Vérifiez-le et réessayez.".to_owned(),
            Self::ReplayedCode => {
                "Ce code a déjà été utilisé. Attendez le prochain code de l'application.".to_owned()
            }
            Self::ExpiredCode => {
                "Ce code de sécurité est expiré. Demandez-en un nouveau.".to_owned()
            }
            Self::NoCodeRequested => "Aucun code de sécurité n'a été demandé.".to_owned(),
            Self::Throttled {
                retry_after,
                locked,
            } => {
                if *locked {
                    format!(
                        "Trop d'essais infructueux : le compte est verrouillé. Réessayez dans {retry_after} s."
                    )
                } else {
                    format!("Trop d'essais. Réessayez dans {retry_after} s.")
                }
            }
            Self::Internal(_) => "Erreur du serveur.".to_owned(),
        }
    }

    /// The message in English.
    pub fn message_en(&self) -> String {
        match self {
            Self::Throttled {
                retry_after,
                locked,
            } => {
                if *locked {
                    format!(
                        "Too many failed attempts: the account is locked. Retry in {retry_after} s."
                    )
                } else {
                    format!("Too many attempts. Retry in {retry_after} s.")
                }
            }
            Self::WrongCode => "The code is wrong. Check it and try again.".to_owned(),
            Self::ReplayedCode => {
                "This code was already used. Wait for the app's next code.".to_owned()
            }
            Self::ExpiredCode => "This security code has expired. Ask for a new one.".to_owned(),
            Self::BadRequest(w) | Self::Forbidden(w) | Self::Conflict(w) => w.en.clone(),
            other => {
                let mut text = other.to_string();
                if let Some(first) = text.get(..1) {
                    let upper = first.to_uppercase();
                    text.replace_range(..1, &upper);
                }
                text
            }
        }
    }
}

/// A message in French (Québec) and in English; shown in English by `Display`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    /// French (Québec).
    pub fr: String,
    /// English.
    pub en: String,
}

impl std::fmt::Display for Words {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.en)
    }
}

fn both(fr: &str, en: &str) -> Words {
    Words {
        fr: fr.to_owned(),
        en: en.to_owned(),
    }
}

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
    pub params: OtpParams,
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

/// The simulator's rules over its store.
pub struct Portal {
    config: Config,
    store: Store,
    key: ServerKey,
}

impl Portal {
    /// Opens the store in the configured data folder.
    pub fn open(config: Config) -> Result<Self, SimError> {
        let store = Store::open(&config.data_dir)?;
        let key = ServerKey::load_or_create(&config.data_dir)?;
        Ok(Self { config, store, key })
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
        if password.len() < 8 {
            return Err(Refusal::BadRequest(both(
                "Le mot de passe doit compter au moins 8 caractères.",
                "The password must have at least 8 characters.",
            )));
        }
        let salt = random_bytes::<16>()?;
        let hash = password_hash(password, &salt)?;
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

    /// Checks the password and opens a session; a wrong password counts as a failure.
    pub fn login(
        &self,
        id: &str,
        password: &str,
        user_agent: &str,
    ) -> Result<(Session, NextStep), Refusal> {
        let Some(stored) = self.store.user_with_password(id.trim())? else {
            return Err(Refusal::BadCredentials);
        };
        let user = stored.user;
        let now = self.now();
        self.gate(&user.id, now)?;
        let computed = password_hash(password, &stored.password_salt)?;
        if !bool::from(computed.as_slice().ct_eq(stored.password_hash.as_slice())) {
            self.store
                .transaction(|tx| store::record_failure(tx, &user.id, now))?;
            return Err(Refusal::BadCredentials);
        }
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
            role: user.role,
            authenticated: session.authenticated,
            totp,
            email,
        })
    }

    /// Methods may be added by a session past the second step, or by any session of an account
    /// with no confirmed method yet (first enrolment).
    fn may_enrol(&self, session: &Session) -> Result<(), Refusal> {
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

    /// Starts (or restarts) the authenticator enrolment: a new 160-bit secret, its URI and QR.
    pub fn start_totp(&self, session: &Session) -> Result<TotpEnrolment, Refusal> {
        self.may_enrol(session)?;
        let params = self.config.otp;
        let secret = Secret::new(random_bytes::<{ policy::SECRET_BYTES }>()?.to_vec());
        let row = TotpRow {
            secret: self.key.seal(&session.user_id, secret.expose())?,
            algorithm: params.algorithm.as_str().to_owned(),
            digits: params.digits,
            period: params.period,
            confirmed: false,
        };
        if !self.store.set_pending_totp(&session.user_id, &row)? {
            return Err(Refusal::Conflict(both(
                "L'application d'authentification est déjà configurée.",
                "The authenticator app is already set up.",
            )));
        }
        let account = Account {
            issuer: Some(self.config.issuer.clone()),
            name: session.user_id.clone(),
            secret,
            params,
        };
        let uri = uri::format(&account);
        let qr_png = qr_png(&uri)?;
        Ok(TotpEnrolment {
            uri,
            secret_base32: account.secret.to_base32().to_string(),
            qr_png,
            params,
        })
    }

    /// Confirms the authenticator enrolment with its first code; the session is then past the
    /// second step.
    pub fn confirm_totp(&self, session: &Session, code: &str) -> Result<(), Refusal> {
        self.may_enrol(session)?;
        let code = normalize_code(code)?;
        let now = self.now();
        self.checked(|tx| {
            let step = check_totp(tx, &self.key, &session.user_id, OMNIVOX, &code, now, false)?;
            store::confirm_totp(tx, &session.user_id)?;
            Ok(step)
        })?;
        self.store.authenticate_session(&session.token)?;
        Ok(())
    }

    /// Sends an email code. With an address: confirms a new main email (enrolment). Without:
    /// a login code to the confirmed address.
    pub fn start_email(
        &self,
        session: &Session,
        address: Option<&str>,
    ) -> Result<(String, u64), Refusal> {
        let user = self
            .store
            .user(&session.user_id)?
            .ok_or(Refusal::NotLoggedIn)?;
        let now = self.now();
        let (purpose, address) = match address {
            Some(address) => {
                self.may_enrol(session)?;
                (PURPOSE_ENROL, self.check_address(&user, address)?)
            }
            None => {
                let address = self.store.confirmed_email(&user.id)?.ok_or_else(|| {
                    Refusal::BadRequest(both(
                        "Aucun courriel principal n'est configuré : indiquez une adresse.",
                        "No main email is set up: give an address.",
                    ))
                })?;
                (PURPOSE_LOGIN, address)
            }
        };
        self.gate(&user.id, now)?;
        let since = now.saturating_sub(policy::EMAIL_SEND_WINDOW);
        if self.store.email_codes_sent_since(&user.id, since)? >= policy::EMAIL_SENDS_PER_WINDOW {
            return Err(Refusal::Throttled {
                retry_after: policy::EMAIL_SEND_WINDOW,
                locked: false,
            });
        }
        let code = six_digits()?;
        let salt = random_bytes::<16>()?;
        let hash = code_hash(&salt, &code);
        let expires = now + policy::EMAIL_CODE_LIFETIME;
        self.store.insert_email_code(
            &user.id,
            &session.token,
            purpose,
            &address,
            &salt,
            &hash,
            now,
            expires,
        )?;
        self.config.mailer.send_code(&mail::CodeEmail {
            to: &address,
            code: &code,
            requested_at: now,
            browser: &session.user_agent,
            confirming_address: purpose == PURPOSE_ENROL,
        })?;
        Ok((address, policy::EMAIL_CODE_LIFETIME))
    }

    /// Confirms the main email with the code sent to it; the session is then past the second
    /// step.
    pub fn confirm_email(&self, session: &Session, code: &str) -> Result<(), Refusal> {
        self.may_enrol(session)?;
        let code = normalize_code(code)?;
        let now = self.now();
        self.checked(|tx| {
            let address = check_email_code(tx, session, PURPOSE_ENROL, &code, now)?;
            store::confirm_email(tx, &session.user_id, &address)?;
            Ok(())
        })?;
        self.store.authenticate_session(&session.token)?;
        Ok(())
    }

    /// The second step at login, with either confirmed method.
    pub fn verify(&self, session: &Session, method: Method, code: &str) -> Result<(), Refusal> {
        let code = normalize_code(code)?;
        let now = self.now();
        let (totp, email) = self.store.confirmed_methods(&session.user_id)?;
        match method {
            Method::Totp if totp => {
                self.checked(|tx| {
                    check_totp(tx, &self.key, &session.user_id, OMNIVOX, &code, now, true)
                })?;
            }
            Method::Email if email => {
                self.checked(|tx| check_email_code(tx, session, PURPOSE_LOGIN, &code, now))?;
            }
            _ => {
                return Err(Refusal::BadRequest(both(
                    "Cette méthode n'est pas configurée pour ce compte.",
                    "This method is not set up for this account.",
                )));
            }
        }
        self.store.authenticate_session(&session.token)?;
        Ok(())
    }

    /// Clara: a staff member's authenticator code, with Clara's own replay record.
    pub fn clara_verify(&self, id: &str, code: &str) -> Result<(), Refusal> {
        let user = self.store.user(id.trim())?.ok_or(Refusal::BadCredentials)?;
        if user.role != Role::Staff {
            return Err(Refusal::Forbidden(both(
                "Clara est réservée aux membres du personnel.",
                "Clara is for staff members only.",
            )));
        }
        let code = normalize_code(code)?;
        let now = self.now();
        self.checked(|tx| check_totp(tx, &self.key, &user.id, CLARA, &code, now, true))?;
        Ok(())
    }

    fn gate(&self, user_id: &str, now: u64) -> Result<(), Refusal> {
        let record = self
            .store
            .transaction(|tx| store::failure_record(tx, user_id, now))?;
        throttle(&record, now)
    }

    /// Runs a check in one transaction that commits whatever the outcome, so that failures
    /// are counted even when the check refuses.
    fn checked<T>(
        &self,
        check: impl FnOnce(&Transaction<'_>) -> Result<T, Refusal>,
    ) -> Result<T, Refusal> {
        let outcome = self.store.transaction(|tx| match check(tx) {
            Err(Refusal::Internal(e)) => Err(e),
            other => Ok(other),
        });
        outcome.map_err(Refusal::Internal)?
    }

    fn check_address(&self, user: &User, address: &str) -> Result<String, Refusal> {
        let address = address.trim().to_lowercase();
        let valid = address.len() <= 254
            && address.parse::<lettre::Address>().is_ok()
            && address.split('@').nth(1).is_some_and(|d| d.contains('.'));
        if !valid {
            return Err(Refusal::BadRequest(both(
                "Cette adresse courriel n'est pas valide.",
                "This email address is not valid.",
            )));
        }
        let college = address.ends_with(&format!("@{}", self.config.college_domain));
        match (user.role, college) {
            (Role::Student, true) => Err(Refusal::BadRequest(both(
                "Les membres de la communauté étudiante doivent utiliser leur adresse courriel personnelle (Gmail, Yahoo, etc.).",
                "Students must use their personal email address (Gmail, Yahoo, etc.).",
            ))),
            (Role::Staff, false) => Err(Refusal::BadRequest(both(
                &format!(
                    "Les membres du personnel doivent utiliser leur adresse courriel du Cégep (@{}).",
                    self.config.college_domain
                ),
                &format!(
                    "Staff members must use their college email address (@{}).",
                    self.config.college_domain
                ),
            ))),
            _ => Ok(address),
        }
    }
}

const PURPOSE_ENROL: &str = "enrol";
const PURPOSE_LOGIN: &str = "login";

/// Gate, verify (±1 step), compare-and-set the last accepted step of `party`, count the
/// outcome. A replay is not counted as a failure: the code was right.
fn check_totp(
    tx: &Transaction<'_>,
    key: &ServerKey,
    user_id: &str,
    party: &str,
    code: &str,
    now: u64,
    must_be_confirmed: bool,
) -> Result<u64, Refusal> {
    gate_in(tx, user_id, now)?;
    let row = store::totp_in(tx, user_id)?
        .filter(|row| row.confirmed || !must_be_confirmed)
        .ok_or_else(|| {
            Refusal::BadRequest(both(
                "Aucune application d'authentification n'est configurée pour ce compte.",
                "No authenticator app is set up for this account.",
            ))
        })?;
    let params = OtpParams {
        algorithm: algorithm_named(&row.algorithm),
        digits: row.digits,
        period: row.period,
        ..OtpParams::totp()
    };
    let secret = Secret::new(key.open(user_id, &row.secret)?.to_vec());
    let matched = otp::verify(&secret, &params, code, now, policy::WINDOW)
        .map_err(|e| Refusal::Internal(SimError::Config(e.to_string())))?;
    match matched {
        Some(step) => {
            if store::accept_step(tx, user_id, party, step)? {
                store::record_success(tx, user_id)?;
                Ok(step)
            } else {
                Err(Refusal::ReplayedCode)
            }
        }
        None => {
            store::record_failure(tx, user_id, now)?;
            Err(Refusal::WrongCode)
        }
    }
}

/// Gate, compare the hash in constant time, then expiry, then single use (compare-and-set).
fn check_email_code(
    tx: &Transaction<'_>,
    session: &Session,
    purpose: &str,
    code: &str,
    now: u64,
) -> Result<String, Refusal> {
    gate_in(tx, &session.user_id, now)?;
    let row = store::latest_email_code(tx, &session.user_id, &session.token, purpose)?
        .ok_or(Refusal::NoCodeRequested)?;
    let hash = code_hash(&row.salt, code);
    if !bool::from(hash.as_slice().ct_eq(row.hash.as_slice())) {
        store::record_failure(tx, &session.user_id, now)?;
        return Err(Refusal::WrongCode);
    }
    if row.used {
        return Err(Refusal::ReplayedCode);
    }
    if now >= row.expires_at {
        return Err(Refusal::ExpiredCode);
    }
    if !store::use_email_code(tx, row.id)? {
        return Err(Refusal::ReplayedCode);
    }
    store::record_success(tx, &session.user_id)?;
    Ok(row.address)
}

fn gate_in(tx: &Transaction<'_>, user_id: &str, now: u64) -> Result<(), Refusal> {
    throttle(&store::failure_record(tx, user_id, now)?, now)
}

/// The refusal a user's failure record calls for now, if any.
fn throttle(record: &policy::FailureRecord, now: u64) -> Result<(), Refusal> {
    match policy::gate(record, now) {
        Gate::Open => Ok(()),
        Gate::Closed {
            retry_after,
            locked,
        } => Err(Refusal::Throttled {
            retry_after,
            locked,
        }),
    }
}

fn algorithm_named(name: &str) -> Algorithm {
    [Algorithm::Sha256, Algorithm::Sha512]
        .into_iter()
        .find(|a| a.as_str() == name)
        .unwrap_or(Algorithm::Sha1)
}

/// Keeps the digits of a typed code ("123 456" is fine); anything else is a bad request.
fn normalize_code(code: &str) -> Result<String, Refusal> {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.is_empty() || digits.len() > 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refusal::BadRequest(both(
            "Le code doit être composé de chiffres (6 en général).",
            "The code must be digits (usually 6).",
        )));
    }
    Ok(digits)
}

fn random_bytes<const N: usize>() -> Result<[u8; N], Refusal> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| SimError::Random(e.to_string()))?;
    Ok(bytes)
}

/// Six uniformly random digits (rejection sampling: no modulo bias).
fn six_digits() -> Result<String, Refusal> {
    const LIMIT: u32 = 4_294_000_000; // the largest multiple of 10^6 below 2^32
    loop {
        let value = u32::from_be_bytes(random_bytes::<4>()?);
        if value < LIMIT {
            return Ok(format!("{:06}", value % 1_000_000));
        }
    }
}

fn code_hash(salt: &[u8], code: &str) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(code.as_bytes());
    hasher.finalize().to_vec()
}

fn password_hash(password: &str, salt: &[u8]) -> Result<Vec<u8>, Refusal> {
    let mut out = vec![0u8; 32];
    argon2::Argon2::default()
        .hash_password_into(password.as_bytes(), salt, &mut out)
        .map_err(|e| SimError::Config(format!("password hashing failed: {e}")))?;
    Ok(out)
}

/// Draws an `otpauth://` URI as a QR code PNG, 4-module quiet zone, about 300 px wide.
pub fn qr_png(uri: &str) -> Result<Vec<u8>, SimError> {
    let code = qrcode::QrCode::new(uri.as_bytes())
        .map_err(|e| SimError::Config(format!("cannot draw the QR code: {e}")))?;
    let image = code
        .render::<image::Luma<u8>>()
        .min_dimensions(300, 300)
        .build();
    let mut png = Vec::new();
    image::DynamicImage::ImageLuma8(image)
        .write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
        .map_err(|e| SimError::Config(format!("cannot encode the QR code: {e}")))?;
    Ok(png)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_codes_are_six_digits_and_vary() {
        let codes: std::collections::HashSet<String> =
            (0..50).map(|_| six_digits().unwrap()).collect();
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()))
        );
        assert!(
            codes.len() > 45,
            "50 random codes should rarely collide: {codes:?}"
        );
    }

    #[test]
    fn typed_codes_are_normalized_or_refused() {
        assert_eq!(normalize_code(" 123 456 ").unwrap(), "123456");
        assert!(matches!(
            normalize_code("12a456"),
            Err(Refusal::BadRequest(_))
        ));
        assert!(matches!(normalize_code(""), Err(Refusal::BadRequest(_))));
    }

    #[test]
    fn the_code_hash_is_salted() {
        assert_ne!(code_hash(b"a", "123456"), code_hash(b"b", "123456"));
        assert_eq!(code_hash(b"a", "123456"), code_hash(b"a", "123456"));
    }
}
