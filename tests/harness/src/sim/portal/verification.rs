//! The second step: a code checked by the independent [`crate::sim::verifier`] (never by
//! `jeton-core`), or an email code; Clara's check of a staff member's code. Each check runs in
//! one transaction: throttle gate, verification, replay compare-and-set, failure count.

use rusqlite::Transaction;
use subtle::ConstantTimeEq;

use super::enrolment::PURPOSE_LOGIN;
use super::refusal::{Refusal, both};
use super::rules::{code_hash, gate_in, normalize_code};
use super::work::count;
use super::{CLARA, DECOY_ACCOUNT, Method, OMNIVOX, Portal};
use crate::sim::store::{self, Role, Session};
use crate::sim::verifier::{HashAlgorithm, TotpParams, Verifier};
use crate::sim::{SimError, policy};

impl Portal {
    /// The second step at login, with either confirmed method.
    pub fn verify(&self, session: &Session, method: Method, code: &str) -> Result<(), Refusal> {
        let code = normalize_code(code)?;
        let now = self.now();
        let (totp, email) = self.store.confirmed_methods(&session.user_id)?;
        match method {
            Method::Totp if totp => {
                self.checked(|tx| {
                    self.check_totp(tx, &session.user_id, OMNIVOX, &code, now, true)
                })?;
            }
            Method::Email if email => {
                self.checked(|tx| check_email_code(tx, session, PURPOSE_LOGIN, &code, now))?;
            }
            _ => {
                return Err(Refusal::Conflict(both(
                    "Cette méthode n'est pas configurée pour ce compte.",
                    "This method is not set up for this account.",
                )));
            }
        }
        self.store.authenticate_session(&session.token)?;
        Ok(())
    }

    /// Clara: a staff member's authenticator code, with Clara's own replay record. An unknown
    /// id goes through the same gate, secret opening and code check (against a decoy secret)
    /// as a staff member's wrong code.
    pub fn clara_verify(&self, id: &str, code: &str) -> Result<(), Refusal> {
        let id = id.trim();
        let user = self.store.user(id)?;
        if user.as_ref().is_some_and(|u| u.role != Role::Staff) {
            return Err(Refusal::Forbidden(both(
                "Clara est réservée aux membres du personnel.",
                "Clara is for staff members only.",
            )));
        }
        let code = normalize_code(code)?;
        let now = self.now();
        match user {
            Some(user) => {
                self.checked(|tx| self.check_totp(tx, &user.id, CLARA, &code, now, true))?;
                Ok(())
            }
            None => self.checked(|tx| {
                gate_in(tx, id, now)?;
                let sealed = &self.decoy.sealed_secret;
                self.check_code(DECOY_ACCOUNT, sealed, self.config.otp, &code, now)?;
                Err(Refusal::BadCredentials)
            }),
        }
    }

    /// Gate, verify (±1 step), compare-and-set the last accepted step of `party`, count the
    /// outcome. A replay is not counted as a failure: the code was right.
    pub(super) fn check_totp(
        &self,
        tx: &Transaction<'_>,
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
                Refusal::Conflict(both(
                    "Aucune application d'authentification n'est configurée pour ce compte.",
                    "No authenticator app is set up for this account.",
                ))
            })?;
        let params = TotpParams {
            algorithm: HashAlgorithm::named(&row.algorithm).ok_or_else(|| {
                SimError::Config(format!(
                    "the enrolment of {user_id} names an unknown algorithm {:?}",
                    row.algorithm
                ))
            })?,
            digits: row.digits,
            period: row.period,
        };
        match self.check_code(user_id, &row.secret, params, code, now)? {
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

    /// Unseals `sealed` for `user_id` and checks `code` at `now`: the step it matched, if any.
    fn check_code(
        &self,
        user_id: &str,
        sealed: &[u8],
        params: TotpParams,
        code: &str,
        now: u64,
    ) -> Result<Option<u64>, Refusal> {
        count(&self.work.secret_openings);
        let secret = self.key.open(user_id, sealed)?;
        let window = u16::try_from(policy::WINDOW).unwrap_or(u16::MAX);
        let verifier = Verifier::new(&secret, params, window)?;
        count(&self.work.code_checks);
        Ok(verifier.check(code, now))
    }
}

/// Gate, compare the hash in constant time, then expiry, then single use (compare-and-set).
pub(super) fn check_email_code(
    tx: &Transaction<'_>,
    session: &Session,
    purpose: &str,
    code: &str,
    now: u64,
) -> Result<String, Refusal> {
    gate_in(tx, &session.user_id, now)?;
    let row = store::latest_email_code(tx, &session.user_id, &session.attempt(), purpose)?
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
