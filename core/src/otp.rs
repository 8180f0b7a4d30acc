//! HOTP (RFC 4226), TOTP (RFC 6238) and Steam Guard codes: generate and verify.
//!
//! ```
//! use jeton_core::otp::{self, Algorithm, OtpParams};
//! use jeton_core::Secret;
//!
//! // RFC 6238 Appendix B, SHA-1, T = 59 s.
//! let secret = Secret::from_slice(b"12345678901234567890");
//! let params = OtpParams { digits: 8, ..OtpParams::totp() };
//! let code = otp::generate(&secret, &params, 59).unwrap();
//! assert_eq!(code.digits, "94287082");
//! assert_eq!(code.seconds_left, Some(1));
//! ```

use std::fmt;

use hmac::{EagerHash, Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use crate::Secret;

/// The hash function under the HMAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Algorithm {
    /// HMAC-SHA-1, the default of RFC 4226/6238 and of nearly every service.
    #[default]
    Sha1,
    /// HMAC-SHA-256.
    Sha256,
    /// HMAC-SHA-512.
    Sha512,
}

impl Algorithm {
    /// The name used in `otpauth://` URIs: `SHA1`, `SHA256`, `SHA512`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
            Self::Sha512 => "SHA512",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the moving factor is chosen and the code is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Time-based (RFC 6238).
    #[default]
    Totp,
    /// Counter-based (RFC 4226).
    Hotp,
    /// Steam Guard: TOTP over SHA-1, written as 5 characters of Steam's alphabet.
    Steam,
}

impl Kind {
    /// The name used in `otpauth://` URIs: `totp`, `hotp`, `steam`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Totp => "totp",
            Self::Hotp => "hotp",
            Self::Steam => "steam",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything but the secret that decides an account's codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OtpParams {
    /// TOTP, HOTP or Steam.
    pub kind: Kind,
    /// Hash under the HMAC.
    pub algorithm: Algorithm,
    /// Number of digits, 1–10 (Steam: always 5 characters).
    pub digits: u8,
    /// Seconds per time step (TOTP and Steam), at least 1.
    pub period: u32,
    /// The next counter value (HOTP).
    pub counter: u64,
    /// Unix time at which step 0 starts (RFC 6238 T0), nearly always 0.
    pub t0: u64,
}

impl OtpParams {
    /// The usual TOTP: SHA-1, 6 digits, 30 seconds.
    pub const fn totp() -> Self {
        Self {
            kind: Kind::Totp,
            algorithm: Algorithm::Sha1,
            digits: 6,
            period: 30,
            counter: 0,
            t0: 0,
        }
    }

    /// The usual HOTP at `counter`: SHA-1, 6 digits.
    pub const fn hotp(counter: u64) -> Self {
        Self {
            kind: Kind::Hotp,
            counter,
            ..Self::totp()
        }
    }

    /// Steam Guard: SHA-1, 5 characters, 30 seconds.
    pub const fn steam() -> Self {
        Self {
            kind: Kind::Steam,
            digits: STEAM_DIGITS,
            ..Self::totp()
        }
    }

    /// Checks the ranges: 1–10 digits (5 for Steam), a period of at least one second.
    pub fn validate(&self) -> Result<(), OtpError> {
        if self.kind == Kind::Steam {
            if self.digits != STEAM_DIGITS {
                return Err(OtpError::Digits(self.digits));
            }
        } else if !(MIN_DIGITS..=MAX_DIGITS).contains(&self.digits) {
            return Err(OtpError::Digits(self.digits));
        }
        if self.kind != Kind::Hotp && self.period == 0 {
            return Err(OtpError::Period);
        }
        Ok(())
    }

    /// The moving factor at `unix` seconds: the time step, or the counter for HOTP.
    pub fn step_at(&self, unix: u64) -> Result<u64, OtpError> {
        match self.kind {
            Kind::Hotp => Ok(self.counter),
            Kind::Totp | Kind::Steam => {
                let elapsed = self.elapsed(unix)?;
                Ok(elapsed / u64::from(self.period.max(1)))
            }
        }
    }

    fn elapsed(&self, unix: u64) -> Result<u64, OtpError> {
        unix.checked_sub(self.t0)
            .ok_or(OtpError::BeforeT0 { unix, t0: self.t0 })
    }
}

impl Default for OtpParams {
    fn default() -> Self {
        Self::totp()
    }
}

/// Fewest digits a code may have.
pub const MIN_DIGITS: u8 = 1;
/// Most digits a code may have: a 31-bit value has at most 10.
pub const MAX_DIGITS: u8 = 10;
/// Length of a Steam Guard code.
pub const STEAM_DIGITS: u8 = 5;
const STEAM_ALPHABET: &[u8; 26] = b"23456789BCDFGHJKMNPQRTVWXY";

/// Why a code could not be generated or checked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OtpError {
    /// Digits outside 1–10 (or not 5 for Steam).
    #[error("{0} digits is not possible: codes have 1 to 10 digits (Steam codes have 5)")]
    Digits(u8),
    /// A period of zero seconds.
    #[error("the period must be at least one second")]
    Period,
    /// A time before the account's T0.
    #[error("the time {unix} is before the start of this account's time steps ({t0})")]
    BeforeT0 {
        /// The requested time.
        unix: u64,
        /// The account's T0.
        t0: u64,
    },
    /// The secret has no bytes.
    #[error("the secret is empty")]
    EmptySecret,
}

/// A generated code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Code {
    /// What the user types: decimal digits, zero-padded (or 5 Steam characters).
    pub digits: String,
    /// The time step (TOTP, Steam) or counter (HOTP) the code belongs to.
    pub step: u64,
    /// Seconds until the next code (TOTP, Steam); `None` for HOTP, which does not expire.
    pub seconds_left: Option<u32>,
}

/// The RFC 4226 HOTP value before reduction to digits: HMAC, dynamic truncation, 31 bits.
pub fn truncated_hmac(key: &[u8], counter: u64, algorithm: Algorithm) -> u32 {
    match algorithm {
        Algorithm::Sha1 => truncate(&hmac::<sha1::Sha1>(key, counter)),
        Algorithm::Sha256 => truncate(&hmac::<sha2::Sha256>(key, counter)),
        Algorithm::Sha512 => truncate(&hmac::<sha2::Sha512>(key, counter)),
    }
}

fn hmac<D: EagerHash>(key: &[u8], counter: u64) -> impl AsRef<[u8]> + use<D> {
    // HMAC takes keys of any length, so `new_from_slice` cannot fail; the fallback keeps this
    // function panic-free all the same.
    let mut mac = <Hmac<D> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| <Hmac<D> as KeyInit>::new(&Default::default()));
    mac.update(&counter.to_be_bytes());
    mac.finalize().into_bytes()
}

fn truncate(digest: &impl AsRef<[u8]>) -> u32 {
    let digest = digest.as_ref();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let bytes = [
        digest[offset],
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ];
    u32::from_be_bytes(bytes) & 0x7fff_ffff
}

/// Writes a truncated value as the code the user types.
fn render(value: u32, params: &OtpParams) -> String {
    if params.kind == Kind::Steam {
        let mut rest = value;
        let mut out = String::with_capacity(usize::from(STEAM_DIGITS));
        for _ in 0..STEAM_DIGITS {
            out.push(char::from(STEAM_ALPHABET[(rest % 26) as usize]));
            rest /= 26;
        }
        out
    } else {
        let modulus = 10u64.pow(u32::from(params.digits));
        let width = usize::from(params.digits);
        format!("{:0width$}", u64::from(value) % modulus)
    }
}

/// The code at the given step (or HOTP counter), whatever the kind.
pub fn code_for_step(secret: &Secret, params: &OtpParams, step: u64) -> Result<String, OtpError> {
    params.validate()?;
    if secret.is_empty() {
        return Err(OtpError::EmptySecret);
    }
    Ok(render(
        truncated_hmac(secret.expose(), step, params.algorithm),
        params,
    ))
}

/// The code an account shows at `unix` seconds. HOTP uses `params.counter`.
pub fn generate(secret: &Secret, params: &OtpParams, unix: u64) -> Result<Code, OtpError> {
    let step = params.step_at(unix)?;
    let digits = code_for_step(secret, params, step)?;
    let seconds_left = match params.kind {
        Kind::Hotp => None,
        Kind::Totp | Kind::Steam => {
            let period = u64::from(params.period);
            let into = params.elapsed(unix)? % period;
            u32::try_from(period - into).ok()
        }
    };
    Ok(Code {
        digits,
        step,
        seconds_left,
    })
}

/// The codes of many accounts at one instant, in order; one account's error does not stop the rest.
pub fn generate_all<'a, I>(accounts: I, unix: u64) -> Vec<Result<Code, OtpError>>
where
    I: IntoIterator<Item = (&'a Secret, &'a OtpParams)>,
{
    accounts
        .into_iter()
        .map(|(secret, params)| generate(secret, params, unix))
        .collect()
}

/// Checks a code typed by a user and returns the step (or counter) it matched.
///
/// TOTP and Steam accept steps from `window` before to `window` after the current one (RFC 6238
/// §5.2); HOTP looks `window` counters ahead of `params.counter` (RFC 4226 §7.4). Every candidate
/// is compared in constant time and every candidate is computed, so timing does not tell which
/// one matched. Replay protection (refusing a step not newer than the last accepted one) is the
/// caller's job: it knows the last accepted step.
pub fn verify(
    secret: &Secret,
    params: &OtpParams,
    candidate: &str,
    unix: u64,
    window: u32,
) -> Result<Option<u64>, OtpError> {
    params.validate()?;
    let candidate = candidate.trim();
    let current = params.step_at(unix)?;
    let window = u64::from(window);
    let (first, last) = match params.kind {
        Kind::Hotp => (current, current.saturating_add(window)),
        Kind::Totp | Kind::Steam => (
            current.saturating_sub(window),
            current.saturating_add(window),
        ),
    };
    let wanted_len = usize::from(params.digits);
    let mut matched = None;
    for step in first..=last {
        let code = code_for_step(secret, params, step)?;
        let same = code.len() == wanted_len
            && candidate.len() == wanted_len
            && bool::from(code.as_bytes().ct_eq(candidate.as_bytes()));
        if same && matched.is_none() {
            matched = Some(step);
        }
    }
    Ok(matched)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc_secret() -> Secret {
        Secret::from_slice(b"12345678901234567890")
    }

    #[test]
    fn rfc4226_truncation_example() {
        // RFC 4226 §5.4: the example digest truncates to 0x50ef7f19 = 1357872921.
        let digest: [u8; 20] = [
            0x1f, 0x86, 0x98, 0x69, 0x0e, 0x02, 0xca, 0x16, 0x61, 0x85, 0x50, 0xef, 0x7f, 0x19,
            0xda, 0x8e, 0x94, 0x5b, 0x55, 0x5a,
        ];
        assert_eq!(truncate(&digest), 0x50ef_7f19);
    }

    #[test]
    fn ten_digits_are_zero_padded() {
        let params = OtpParams {
            digits: 10,
            ..OtpParams::hotp(0)
        };
        // RFC 4226 Appendix D: counter 0 truncates to 1284755224.
        assert_eq!(
            code_for_step(&rfc_secret(), &params, 0).unwrap(),
            "1284755224"
        );
        let params = OtpParams {
            digits: 1,
            ..params
        };
        assert_eq!(code_for_step(&rfc_secret(), &params, 0).unwrap(), "4");
    }

    #[test]
    fn seconds_left_and_t0() {
        let params = OtpParams {
            period: 60,
            t0: 100,
            ..OtpParams::totp()
        };
        let code = generate(&rfc_secret(), &params, 100).unwrap();
        assert_eq!((code.step, code.seconds_left), (0, Some(60)));
        let code = generate(&rfc_secret(), &params, 219).unwrap();
        assert_eq!((code.step, code.seconds_left), (1, Some(1)));
        assert_eq!(
            generate(&rfc_secret(), &params, 99),
            Err(OtpError::BeforeT0 { unix: 99, t0: 100 })
        );
    }

    #[test]
    fn ranges_are_checked() {
        for digits in [0, 11, 255] {
            let params = OtpParams {
                digits,
                ..OtpParams::totp()
            };
            assert_eq!(
                generate(&rfc_secret(), &params, 0),
                Err(OtpError::Digits(digits))
            );
        }
        let params = OtpParams {
            period: 0,
            ..OtpParams::totp()
        };
        assert_eq!(generate(&rfc_secret(), &params, 0), Err(OtpError::Period));
        assert_eq!(
            generate(&Secret::new(Vec::new()), &OtpParams::totp(), 0),
            Err(OtpError::EmptySecret)
        );
    }

    #[test]
    fn verify_window_returns_matched_step() {
        let secret = rfc_secret();
        let params = OtpParams::totp();
        let now = 1_111_111_109;
        let step = now / 30;
        let previous = code_for_step(&secret, &params, step - 1).unwrap();
        let next = code_for_step(&secret, &params, step + 1).unwrap();
        let far = code_for_step(&secret, &params, step + 2).unwrap();
        assert_eq!(
            verify(&secret, &params, &previous, now, 1).unwrap(),
            Some(step - 1)
        );
        assert_eq!(
            verify(&secret, &params, &next, now, 1).unwrap(),
            Some(step + 1)
        );
        assert_eq!(verify(&secret, &params, &far, now, 1).unwrap(), None);
        assert_eq!(verify(&secret, &params, &next, now, 0).unwrap(), None);
        assert_eq!(verify(&secret, &params, "12345", now, 1).unwrap(), None);
        assert_eq!(verify(&secret, &params, "", now, 1).unwrap(), None);
    }

    #[test]
    fn verify_hotp_looks_ahead_only() {
        let secret = rfc_secret();
        // RFC 4226 Appendix D: counter 3 is 969429, counter 5 is 254676.
        let params = OtpParams::hotp(4);
        assert_eq!(verify(&secret, &params, "969429", 0, 2).unwrap(), None);
        assert_eq!(verify(&secret, &params, "254676", 0, 2).unwrap(), Some(5));
    }
}
