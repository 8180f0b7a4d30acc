//! The portal's small rules, each a pure function or nearly: what a typed code and an email
//! address must look like, the throttle's verdict, email codes and password hashes.

use rusqlite::Transaction;
use sha2::{Digest, Sha256};

use super::refusal::{Refusal, both};
use crate::sim::SimError;
use crate::sim::policy::{self, Gate};
use crate::sim::store::{self, Role};

pub(super) fn gate_in(tx: &Transaction<'_>, user_id: &str, now: u64) -> Result<(), Refusal> {
    throttle(&store::failure_record(tx, user_id, now)?, now)
}

/// The refusal a user's failure record calls for now, if any.
pub(super) fn throttle(record: &policy::FailureRecord, now: u64) -> Result<(), Refusal> {
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

/// Keeps the digits of a typed code ("123 456" is fine); anything else is a bad request.
pub(super) fn normalize_code(code: &str) -> Result<String, Refusal> {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.is_empty() || digits.len() > 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refusal::BadRequest(both(
            "Le code doit être composé de chiffres (6 en général).",
            "The code must be digits (usually 6).",
        )));
    }
    Ok(digits)
}

pub(super) fn internal(refusal: Refusal) -> SimError {
    match refusal {
        Refusal::Internal(e) => e,
        other => SimError::Config(other.to_string()),
    }
}

pub(super) fn random_bytes<const N: usize>() -> Result<[u8; N], Refusal> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| SimError::Random(e.to_string()))?;
    Ok(bytes)
}

/// Six uniformly random digits (rejection sampling: no modulo bias).
pub(super) fn six_digits() -> Result<String, Refusal> {
    const LIMIT: u32 = 4_294_000_000; // the largest multiple of 10^6 below 2^32
    loop {
        let value = u32::from_be_bytes(random_bytes::<4>()?);
        if value < LIMIT {
            return Ok(format!("{:06}", value % 1_000_000));
        }
    }
}

pub(super) fn code_hash(salt: &[u8], code: &str) -> Vec<u8> {
    let mut hasher = Sha256::new();
    hasher.update(salt);
    hasher.update(code.as_bytes());
    hasher.finalize().to_vec()
}

pub(super) fn password_hash(password: &str, salt: &[u8]) -> Result<Vec<u8>, Refusal> {
    let mut out = vec![0u8; 32];
    argon2::Argon2::default()
        .hash_password_into(password.as_bytes(), salt, &mut out)
        .map_err(|e| SimError::Config(format!("password hashing failed: {e}")))?;
    Ok(out)
}

/// The address a user may confirm: valid (else 400), personal for students, the college's for
/// staff (else 403: a well-formed address this account may not use).
pub(super) fn check_address(
    role: Role,
    college_domain: &str,
    address: &str,
) -> Result<String, Refusal> {
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
    let college = address.ends_with(&format!("@{}", college_domain));
    match (role, college) {
        (Role::Student, true) => Err(Refusal::Forbidden(both(
            "Les membres de la communauté étudiante doivent utiliser leur adresse courriel personnelle (Gmail, Yahoo, etc.).",
            "Students must use their personal email address (Gmail, Yahoo, etc.).",
        ))),
        (Role::Staff, false) => Err(Refusal::Forbidden(both(
            &format!(
                "Les membres du personnel doivent utiliser leur adresse courriel du Cégep (@{}).",
                college_domain
            ),
            &format!(
                "Staff members must use their college email address (@{}).",
                college_domain
            ),
        ))),
        _ => Ok(address),
    }
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
