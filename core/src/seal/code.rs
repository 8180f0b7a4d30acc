//! Sealing with something a person types: a short code that one screen shows and the person
//! types on another device (pairing a phone, handing accounts to a new phone): a fresh
//! 10-character base32 code (50 bits); or a passphrase they chose (a sync's recovery
//! passphrase). Argon2id of it, then XChaCha20-Poly1305. The sealed body carries its salt and
//! costs: `salt (16) ‖ memory KiB (u32 BE) ‖ passes (u32 BE) ‖ sealed`.
//!
//! The code alone opens nothing (it is never stored), and the body alone must be guessed at
//! 2^50 Argon2id's; callers also bound how long a body is valid.

use data_encoding::BASE32_NOPAD;
use zeroize::Zeroizing;

use super::{Context, KdfParams, fill_random};

/// The code's length in characters (base32: 5 bits each).
pub const CODE_LEN: usize = 10;
const SALT_LEN: usize = 16;

/// Why a code-sealed body did not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// The bytes are not a code-sealed body (too short, or costs beyond the ceiling).
    #[error("not a code-sealed value")]
    Malformed,
    /// The code does not open the body, or the body was altered.
    #[error("the code does not match")]
    WrongCode,
    /// The system's random generator failed.
    #[error("the system's random number generator failed")]
    Random,
}

/// A sealed body and the code that opens it.
pub struct CodeSealed {
    /// `salt ‖ costs ‖ sealed`.
    pub body: Vec<u8>,
    /// The code to show, as `ABCDE-FGHIJ`.
    pub code: Zeroizing<String>,
}

impl std::fmt::Debug for CodeSealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeSealed")
            .field("code", &"[redacted]")
            .finish_non_exhaustive()
    }
}

/// Seals `plain` under a fresh code, with the context `context(salt)`.
pub fn seal(
    plain: &[u8],
    kdf: KdfParams,
    context: impl Fn(&[u8]) -> Context<'_>,
) -> Result<CodeSealed, CodeError> {
    let mut code_bits = Zeroizing::new([0u8; 7]);
    fill_random(&mut code_bits[..]).map_err(|_| CodeError::Random)?;
    let mut code = Zeroizing::new(BASE32_NOPAD.encode(&code_bits[..]));
    code.truncate(CODE_LEN);
    let body = seal_with_passphrase(plain, &code, kdf, context)?;
    let shown = Zeroizing::new(format!(
        "{}-{}",
        &code[..CODE_LEN / 2],
        &code[CODE_LEN / 2..]
    ));
    Ok(CodeSealed { body, code: shown })
}

/// Opens a body made by [`seal`] with the code a person typed (case, spaces and dashes
/// ignored).
pub fn open(
    body: &[u8],
    code: &str,
    context: impl Fn(&[u8]) -> Context<'_>,
) -> Result<Zeroizing<Vec<u8>>, CodeError> {
    let typed: Zeroizing<String> = Zeroizing::new(
        code.chars()
            .filter(char::is_ascii_alphanumeric)
            .map(|c| c.to_ascii_uppercase())
            .collect(),
    );
    if typed.len() != CODE_LEN {
        // Checked after the body's shape, so a foreign body is `Malformed` whatever was typed.
        check_shape(body)?;
        return Err(CodeError::WrongCode);
    }
    open_with_passphrase(body, &typed, context)
}

/// Seals `plain` under a passphrase the person chose (same body layout as [`seal`]).
pub fn seal_with_passphrase(
    plain: &[u8],
    passphrase: &str,
    kdf: KdfParams,
    context: impl Fn(&[u8]) -> Context<'_>,
) -> Result<Vec<u8>, CodeError> {
    let mut salt = [0u8; SALT_LEN];
    fill_random(&mut salt).map_err(|_| CodeError::Random)?;
    let key = kdf
        .derive(passphrase, &salt)
        .map_err(|_| CodeError::Random)?;
    let sealed = key
        .seal(plain, &context(&salt))
        .map_err(|_| CodeError::Random)?;
    let mut body = salt.to_vec();
    body.extend_from_slice(&kdf.memory_kib.to_be_bytes());
    body.extend_from_slice(&kdf.iterations.to_be_bytes());
    body.extend_from_slice(&sealed);
    Ok(body)
}

fn check_shape(body: &[u8]) -> Result<KdfParams, CodeError> {
    if body.len() < SALT_LEN + 8 {
        return Err(CodeError::Malformed);
    }
    let costs = &body[SALT_LEN..SALT_LEN + 8];
    let word = |i: usize| u32::from_be_bytes([costs[i], costs[i + 1], costs[i + 2], costs[i + 3]]);
    let kdf = KdfParams {
        memory_kib: word(0),
        iterations: word(4),
        parallelism: 1,
    };
    kdf.check_stored().map_err(|_| CodeError::Malformed)?;
    Ok(kdf)
}

/// Opens a body made by [`seal_with_passphrase`] (or [`seal`], given the bare code). Costs
/// read from the body are bounded before any work, so a crafted body cannot make this device
/// allocate gigabytes.
pub fn open_with_passphrase(
    body: &[u8],
    passphrase: &str,
    context: impl Fn(&[u8]) -> Context<'_>,
) -> Result<Zeroizing<Vec<u8>>, CodeError> {
    let kdf = check_shape(body)?;
    let (salt, rest) = body.split_at(SALT_LEN);
    let key = kdf
        .derive(passphrase, salt)
        .map_err(|_| CodeError::Malformed)?;
    key.open(&rest[8..], &context(salt))
        .map_err(|_| CodeError::WrongCode)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn context(salt: &[u8]) -> Context<'_> {
        Context::Pairing { version: 1, salt }
    }

    fn other(salt: &[u8]) -> Context<'_> {
        Context::SyncRecovery { version: 1, salt }
    }

    #[test]
    fn only_its_code_opens_it_and_only_in_its_context() {
        let kdf = KdfParams::INSECURE_FAST_FOR_TESTS;
        let sealed = seal(b"the plain text", kdf, context).unwrap();
        assert_eq!(sealed.code.len(), CODE_LEN + 1);
        assert!(!format!("{sealed:?}").contains(sealed.code.as_str()));
        let typed = sealed.code.to_lowercase().replace('-', " ");
        assert_eq!(
            open(&sealed.body, &typed, context).unwrap().as_slice(),
            b"the plain text"
        );
        assert_eq!(
            open(&sealed.body, "AAAAA-AAAAA", context).unwrap_err(),
            CodeError::WrongCode
        );
        assert_eq!(
            open(&sealed.body, &sealed.code, other).unwrap_err(),
            CodeError::WrongCode
        );
        let mut costly = sealed.body.clone();
        costly[16..20].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(
            open(&costly, &sealed.code, context).unwrap_err(),
            CodeError::Malformed
        );
        assert_eq!(
            open(&[0; 10], &sealed.code, context).unwrap_err(),
            CodeError::Malformed
        );
    }
}
