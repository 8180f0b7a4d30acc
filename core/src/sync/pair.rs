//! Pairing a new device: the old device shows a QR code that holds the sync key and the store's
//! address, sealed with a short code that it shows beside the QR code (Argon2id of the code,
//! XChaCha20-Poly1305), valid for ten minutes. The new device scans it, asks for the code, and
//! joins. Someone who photographs the QR code alone learns nothing; the code alone is useless.
//!
//! The payload is `JETON-PAIR:1:` followed by upper-case base32, so the whole text fits the
//! QR code's compact alphanumeric mode.

use data_encoding::BASE32_NOPAD;
use zeroize::Zeroizing;

use super::SyncKey;
use crate::seal::code::{self, CodeError};
use crate::seal::{Context, KdfParams};

/// What every invitation starts with.
pub const PREFIX: &str = "JETON-PAIR:1:";
/// How long an invitation is valid, in seconds.
pub const LIFETIME_SECS: u64 = 600;
/// The code's length in characters (base32: 5 bits each, 50 bits in all).
pub const CODE_LEN: usize = code::CODE_LEN;
const VERSION: u8 = 1;
const KEY_LEN: usize = 32;
/// The longest store address an invitation carries.
pub const MAX_STORE_LEN: usize = 1024;

/// Why an invitation could not be made or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PairError {
    /// The text is not a Jeton pairing invitation.
    #[error(
        "this is not a Jeton pairing code; scan the QR code that the other device shows under \"pair\""
    )]
    NotAnInvitation,
    /// The code does not open the invitation (or the invitation was altered).
    #[error("the pairing code does not match this QR code; type the code shown beside it")]
    WrongCode,
    /// The invitation is older than [`LIFETIME_SECS`].
    #[error("this pairing QR code has expired; show a new one on the other device")]
    Expired,
    /// The store address is too long to carry.
    #[error("the sync storage address is longer than {MAX_STORE_LEN} characters")]
    StoreTooLong,
    /// The system's random generator failed.
    #[error("the system's random number generator failed")]
    Random,
}

/// An invitation to show: the QR code's text and the code to show beside it.
pub struct Invitation {
    /// The text to draw as a QR code.
    pub payload: String,
    /// The code to show beside it (`ABCDE-FGHIJ`), which the new device asks for.
    pub code: Zeroizing<String>,
}

impl std::fmt::Debug for Invitation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Invitation")
            .field("code", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// What an accepted invitation carries.
#[derive(Debug)]
pub struct Pairing {
    /// The sync key to join with.
    pub key: SyncKey,
    /// The store's address, as the old device uses it (a folder or a WebDAV URL).
    pub store: String,
}

/// Makes an invitation carrying `key` and `store` at `now` (Unix seconds).
pub fn invite(key: &SyncKey, store: &str, now: u64) -> Result<Invitation, PairError> {
    invite_with(key, store, now, KdfParams::DEFAULT)
}

fn invite_with(
    key: &SyncKey,
    store: &str,
    now: u64,
    kdf: KdfParams,
) -> Result<Invitation, PairError> {
    if store.len() > MAX_STORE_LEN {
        return Err(PairError::StoreTooLong);
    }
    let mut plain = Zeroizing::new(Vec::with_capacity(8 + KEY_LEN + store.len()));
    plain.extend_from_slice(&(now + LIFETIME_SECS).to_be_bytes());
    plain.extend_from_slice(key.expose());
    plain.extend_from_slice(store.as_bytes());
    let sealed = code::seal(&plain, kdf, context).map_err(|_| PairError::Random)?;
    Ok(Invitation {
        payload: format!("{PREFIX}{}", BASE32_NOPAD.encode(&sealed.body)),
        code: sealed.code,
    })
}

fn context(salt: &[u8]) -> Context<'_> {
    Context::Pairing {
        version: VERSION,
        salt,
    }
}

/// Opens an invitation with the code typed by the user, at `now` (Unix seconds).
pub fn accept(payload: &str, code: &str, now: u64) -> Result<Pairing, PairError> {
    let body = payload
        .trim()
        .strip_prefix(PREFIX)
        .and_then(|b| BASE32_NOPAD.decode(b.as_bytes()).ok())
        .ok_or(PairError::NotAnInvitation)?;
    let plain = code::open(&body, code, context).map_err(|e| match e {
        CodeError::WrongCode => PairError::WrongCode,
        CodeError::Malformed | CodeError::Random => PairError::NotAnInvitation,
    })?;
    if plain.len() < 8 + KEY_LEN {
        return Err(PairError::NotAnInvitation);
    }
    let (expires, rest) = plain.split_at(8);
    let expires = u64::from_be_bytes(expires.try_into().map_err(|_| PairError::NotAnInvitation)?);
    if now > expires || expires > now.saturating_add(2 * LIFETIME_SECS) {
        // Too old, or from a clock far ahead: either way not a fresh invitation.
        return Err(PairError::Expired);
    }
    let (key, store) = rest.split_at(KEY_LEN);
    let key = SyncKey::from_bytes(key).ok_or(PairError::NotAnInvitation)?;
    let store = std::str::from_utf8(store)
        .map_err(|_| PairError::NotAnInvitation)?
        .to_owned();
    Ok(Pairing { key, store })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> KdfParams {
        KdfParams::INSECURE_FAST_FOR_TESTS
    }

    fn key() -> SyncKey {
        SyncKey::from_bytes(&[7u8; 32]).unwrap()
    }

    #[test]
    fn an_invitation_opens_with_its_code_only_while_fresh() {
        let invitation =
            invite_with(&key(), "https://cloud.example.org/dav/", 1_000, cheap()).unwrap();
        assert!(invitation.payload.starts_with(PREFIX));
        // Upper-case base32 and the prefix only: QR alphanumeric mode.
        assert!(
            invitation
                .payload
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || ":-".contains(c))
        );
        let code = invitation.code.as_str();
        let pairing = accept(
            &invitation.payload,
            &code.to_lowercase(),
            1_000 + LIFETIME_SECS,
        )
        .unwrap();
        assert_eq!(pairing.key.expose(), key().expose());
        assert_eq!(pairing.store, "https://cloud.example.org/dav/");
        assert_eq!(
            accept(&invitation.payload, code, 1_001 + LIFETIME_SECS).unwrap_err(),
            PairError::Expired
        );
    }

    #[test]
    fn a_wrong_code_or_an_altered_invitation_is_refused() {
        let invitation = invite_with(&key(), "/media/cloud/jeton", 0, cheap()).unwrap();
        assert_eq!(
            accept(&invitation.payload, "AAAAA-AAAAA", 0).unwrap_err(),
            PairError::WrongCode
        );
        assert_eq!(
            accept(&invitation.payload, "short", 0).unwrap_err(),
            PairError::WrongCode
        );
        let mut altered = invitation.payload.clone();
        let last = altered.pop().unwrap();
        altered.push(if last == 'A' { 'B' } else { 'A' });
        assert!(accept(&altered, &invitation.code, 0).is_err());
        assert_eq!(
            accept("otpauth://totp/x", "x", 0).unwrap_err(),
            PairError::NotAnInvitation
        );
        assert_eq!(
            accept("JETON-PAIR:1:AAAA", "x", 0).unwrap_err(),
            PairError::NotAnInvitation
        );
    }

    #[test]
    fn the_code_never_shows_in_debug_and_codes_differ() {
        let a = invite_with(&key(), "x", 0, cheap()).unwrap();
        let b = invite_with(&key(), "x", 0, cheap()).unwrap();
        assert!(!format!("{a:?}").contains(a.code.as_str()));
        assert_ne!(a.code, b.code);
        assert_eq!(a.code.len(), CODE_LEN + 1);
    }
}
