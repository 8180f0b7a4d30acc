//! The simulator's own TOTP: enrolment URIs and code checks by the `totp-rs` crate, which
//! shares no code with `jeton-core`. The simulator plays the server that Jeton's codes must
//! satisfy, so checking them with Jeton's own `otp` module would prove nothing: `jeton demo`
//! and the browser test are a cross-check only because the two sides are written apart.

use super::SimError;

/// The HMAC hash of an enrolment (RFC 6238 §1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum HashAlgorithm {
    /// HMAC-SHA-1, what every app supports.
    #[serde(rename = "SHA1")]
    Sha1,
    /// HMAC-SHA-256.
    #[serde(rename = "SHA256")]
    Sha256,
    /// HMAC-SHA-512.
    #[serde(rename = "SHA512")]
    Sha512,
}

impl HashAlgorithm {
    /// The name written in URIs and in the database: `SHA1`, `SHA256` or `SHA512`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
            Self::Sha512 => "SHA512",
        }
    }

    /// The algorithm named `name` (as [`Self::as_str`] writes it), if any.
    pub fn named(name: &str) -> Option<Self> {
        [Self::Sha1, Self::Sha256, Self::Sha512]
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(name))
    }

    fn for_totp_rs(self) -> totp_rs::Algorithm {
        match self {
            Self::Sha1 => totp_rs::Algorithm::SHA1,
            Self::Sha256 => totp_rs::Algorithm::SHA256,
            Self::Sha512 => totp_rs::Algorithm::SHA512,
        }
    }
}

/// Algorithm, digits and period of an enrolment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TotpParams {
    /// The HMAC hash.
    pub algorithm: HashAlgorithm,
    /// Digits per code, 6 to 8 (RFC 4226 §5.3).
    pub digits: u8,
    /// Seconds per step.
    pub period: u32,
}

impl Default for TotpParams {
    /// SHA-1, 6 digits, 30 s: what the school's portal uses.
    fn default() -> Self {
        Self {
            algorithm: HashAlgorithm::Sha1,
            digits: 6,
            period: 30,
        }
    }
}

/// One enrolment's code checker, built by `totp-rs` from the secret and parameters.
pub struct Verifier(totp_rs::Totp);

impl Verifier {
    /// A checker accepting `window` steps on either side of the current one (RFC 6238 §5.2).
    /// Refuses parameters the RFCs do not allow, so a damaged database row cannot panic.
    pub fn new(secret: &[u8], params: TotpParams, window: u16) -> Result<Self, SimError> {
        let totp = totp_rs::Builder::new()
            .with_algorithm(params.algorithm.for_totp_rs())
            .with_digits(params.digits)
            .with_step_duration(u64::from(params.period))
            .with_skew(window)
            .with_secret(secret.to_vec())
            .build()
            .map_err(|e| SimError::Config(format!("cannot check codes with {params:?}: {e}")))?;
        Ok(Self(totp))
    }

    /// The step a code belongs to, if it is one of the window's codes at `now`; a code of the
    /// wrong length or with other characters than digits is simply wrong.
    pub fn check(&self, code: &str, now: u64) -> Option<u64> {
        self.0.check(code, now)
    }

    /// The code at `now` (for the simulator's own tests).
    pub fn code_at(&self, now: u64) -> String {
        self.0.generate(now).to_string()
    }
}

/// The `otpauth://` URI of an enrolment (Key URI Format), written by `totp-rs`: label
/// `issuer:account`, the secret in Base32, and the parameters that differ from the defaults.
pub fn otpauth_uri(
    secret: &[u8],
    params: TotpParams,
    issuer: &str,
    account: &str,
) -> Result<String, SimError> {
    totp_rs::Builder::new()
        .with_algorithm(params.algorithm.for_totp_rs())
        .with_digits(params.digits)
        .with_step_duration(u64::from(params.period))
        .with_secret(secret.to_vec())
        .with_issuer(Some(issuer))
        .with_account_name(account)
        .build()
        .and_then(|totp| totp.to_url())
        .map_err(|e| SimError::Config(format!("cannot write the enrolment URI: {e}")))
}

/// The secret in Base32 without padding, as people type it.
pub fn base32(secret: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B: the seeds and the table of 8-digit codes, copied from the RFC.
    const SEED_SHA1: &[u8] = b"12345678901234567890";
    const SEED_SHA256: &[u8] = b"12345678901234567890123456789012";
    const SEED_SHA512: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";
    const TABLE: [(u64, &str, &str, &str); 6] = [
        (59, "94287082", "46119246", "90693936"),
        (1111111109, "07081804", "68084774", "25091201"),
        (1111111111, "14050471", "67062674", "99943326"),
        (1234567890, "89005924", "91819424", "93441116"),
        (2000000000, "69279037", "90698825", "38618901"),
        (20000000000, "65353130", "77737706", "47863826"),
    ];

    fn verifier(seed: &[u8], algorithm: HashAlgorithm) -> Verifier {
        let params = TotpParams {
            algorithm,
            digits: 8,
            period: 30,
        };
        Verifier::new(seed, params, 1).unwrap()
    }

    #[test]
    fn the_rfc_6238_vectors_verify_at_their_step() {
        let sha1 = verifier(SEED_SHA1, HashAlgorithm::Sha1);
        let sha256 = verifier(SEED_SHA256, HashAlgorithm::Sha256);
        let sha512 = verifier(SEED_SHA512, HashAlgorithm::Sha512);
        for (time, c1, c256, c512) in TABLE {
            let step = time / 30;
            assert_eq!(sha1.check(c1, time), Some(step), "SHA1 at {time}");
            assert_eq!(sha256.check(c256, time), Some(step), "SHA256 at {time}");
            assert_eq!(sha512.check(c512, time), Some(step), "SHA512 at {time}");
            assert_eq!(sha1.code_at(time), c1);
        }
    }

    #[test]
    fn the_window_is_one_step_each_side_and_no_more() {
        let v = verifier(SEED_SHA1, HashAlgorithm::Sha1);
        // 94287082 is the code of step 1 (t = 30..59).
        assert_eq!(v.check("94287082", 89), Some(1), "one step late");
        assert_eq!(v.check("94287082", 0), Some(1), "one step early");
        assert_eq!(v.check("94287082", 90), None, "two steps late");
        assert_eq!(v.check("9428708", 59), None, "too short");
        assert_eq!(v.check("+4287082", 59), None, "not digits");
    }

    #[test]
    fn parameters_outside_the_rfcs_are_refused_not_panicked_on() {
        let bad = TotpParams {
            digits: 12,
            ..TotpParams::default()
        };
        assert!(Verifier::new(SEED_SHA1, bad, 1).is_err());
        let short = Verifier::new(b"short", TotpParams::default(), 1);
        assert!(short.is_err(), "secrets under 128 bits are refused");
    }

    #[test]
    fn the_uri_carries_the_secret_and_the_parameters() {
        let params = TotpParams {
            algorithm: HashAlgorithm::Sha256,
            digits: 8,
            period: 60,
        };
        let uri = otpauth_uri(SEED_SHA256, params, "Omnivox", "2412345").unwrap();
        assert!(uri.starts_with("otpauth://totp/Omnivox:2412345?"), "{uri}");
        for part in [
            format!("secret={}", base32(SEED_SHA256)),
            "issuer=Omnivox".to_owned(),
            "algorithm=SHA256".to_owned(),
            "digits=8".to_owned(),
            "period=60".to_owned(),
        ] {
            assert!(uri.contains(&part), "{part} missing from {uri}");
        }
        // RFC 4648 test vector: "foobar" is MZXW6YTBOI.
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
    }
}
