//! Published test vectors: RFC 4226 Appendix D, RFC 6238 Appendix B, and Steam Guard codes
//! from two other implementations' test suites.

use jeton_core::otp::{self, Algorithm, Kind, OtpParams};
use jeton_core::{Secret, uri};

const SEED_SHA1: &[u8] = b"12345678901234567890";
const SEED_SHA256: &[u8] = b"12345678901234567890123456789012";
const SEED_SHA512: &[u8] = b"1234567890123456789012345678901234567890123456789012345678901234";

/// RFC 4226 Appendix D: counter, truncated value, 6-digit HOTP.
const RFC4226: [(u64, u32, &str); 10] = [
    (0, 1_284_755_224, "755224"),
    (1, 1_094_287_082, "287082"),
    (2, 137_359_152, "359152"),
    (3, 1_726_969_429, "969429"),
    (4, 1_640_338_314, "338314"),
    (5, 868_254_676, "254676"),
    (6, 1_918_287_922, "287922"),
    (7, 82_162_583, "162583"),
    (8, 673_399_871, "399871"),
    (9, 645_520_489, "520489"),
];

#[test]
fn rfc4226_appendix_d() {
    let secret = Secret::from_slice(SEED_SHA1);
    for (counter, truncated, code) in RFC4226 {
        assert_eq!(
            otp::truncated_hmac(SEED_SHA1, counter, Algorithm::Sha1),
            truncated,
            "truncated value at counter {counter}"
        );
        let params = OtpParams::hotp(counter);
        let generated = otp::generate(&secret, &params, 0).unwrap();
        assert_eq!(generated.digits, code, "counter {counter}");
        assert_eq!(generated.step, counter);
        assert_eq!(generated.seconds_left, None);
    }
}

/// RFC 6238 Appendix B: time, 8-digit TOTP, mode.
const RFC6238: [(u64, &str, Algorithm); 18] = [
    (59, "94287082", Algorithm::Sha1),
    (59, "46119246", Algorithm::Sha256),
    (59, "90693936", Algorithm::Sha512),
    (1_111_111_109, "07081804", Algorithm::Sha1),
    (1_111_111_109, "68084774", Algorithm::Sha256),
    (1_111_111_109, "25091201", Algorithm::Sha512),
    (1_111_111_111, "14050471", Algorithm::Sha1),
    (1_111_111_111, "67062674", Algorithm::Sha256),
    (1_111_111_111, "99943326", Algorithm::Sha512),
    (1_234_567_890, "89005924", Algorithm::Sha1),
    (1_234_567_890, "91819424", Algorithm::Sha256),
    (1_234_567_890, "93441116", Algorithm::Sha512),
    (2_000_000_000, "69279037", Algorithm::Sha1),
    (2_000_000_000, "90698825", Algorithm::Sha256),
    (2_000_000_000, "38618901", Algorithm::Sha512),
    (20_000_000_000, "65353130", Algorithm::Sha1),
    (20_000_000_000, "77737706", Algorithm::Sha256),
    (20_000_000_000, "47863826", Algorithm::Sha512),
];

fn seed(algorithm: Algorithm) -> &'static [u8] {
    match algorithm {
        Algorithm::Sha1 => SEED_SHA1,
        Algorithm::Sha256 => SEED_SHA256,
        Algorithm::Sha512 => SEED_SHA512,
    }
}

#[test]
fn rfc6238_appendix_b() {
    for (time, code, algorithm) in RFC6238 {
        let secret = Secret::from_slice(seed(algorithm));
        let params = OtpParams {
            algorithm,
            digits: 8,
            ..OtpParams::totp()
        };
        let generated = otp::generate(&secret, &params, time).unwrap();
        assert_eq!(generated.digits, code, "{algorithm} at {time}");
        assert_eq!(generated.step, time / 30);
        assert_eq!(generated.seconds_left, Some(30 - (time % 30) as u32));
        // And every one verifies at exactly its own step.
        assert_eq!(
            otp::verify(&secret, &params, code, time, 1).unwrap(),
            Some(time / 30)
        );
    }
}

#[test]
fn rfc6238_through_uris() {
    // The same vectors reached through otpauth:// URIs, as a QR code would carry them.
    for (time, code, algorithm) in RFC6238 {
        let secret = Secret::from_slice(seed(algorithm));
        let text = format!(
            "otpauth://totp/RFC:6238?secret={}&algorithm={}&digits=8",
            secret.to_base32().as_str(),
            algorithm.as_str().to_lowercase()
        );
        let account = uri::parse(&text).unwrap();
        assert_eq!(account.code_at(time).unwrap().digits, code, "{text}");
    }
}

#[test]
fn batch_matches_single_codes() {
    let accounts: Vec<(Secret, OtpParams)> = RFC6238
        .iter()
        .map(|(_, _, algorithm)| {
            (
                Secret::from_slice(seed(*algorithm)),
                OtpParams {
                    algorithm: *algorithm,
                    digits: 8,
                    ..OtpParams::totp()
                },
            )
        })
        .collect();
    let codes = otp::generate_all(accounts.iter().map(|(s, p)| (s, p)), 59);
    let expected = ["94287082", "46119246", "90693936"];
    for (index, code) in codes.iter().enumerate() {
        assert_eq!(code.as_ref().unwrap().digits, expected[index % 3]);
    }
}

#[test]
fn steam_guard_codes() {
    // KeePassXC's tests/TestTotp.cpp (also used by Authenticator Pro).
    let secret = Secret::from_base32("63BEDWCQZKTQWPESARIERL5DTTQFCJTK").unwrap();
    let params = OtpParams::steam();
    assert_eq!(params.kind, Kind::Steam);
    for (time, code) in [(1_511_200_518, "FR8RV"), (1_511_200_714, "9P3VP")] {
        assert_eq!(otp::generate(&secret, &params, time).unwrap().digits, code);
    }
    // A 20-byte zero key at counters 0 and 1 (the `otp` package's Deno tests).
    let zero = Secret::from_slice(&[0; 20]);
    assert_eq!(otp::code_for_step(&zero, &params, 0).unwrap(), "RYH4D");
    assert_eq!(otp::code_for_step(&zero, &params, 1).unwrap(), "DR2DK");
    // Reached through the two URI spellings of a Steam account.
    for text in [
        "otpauth://steam/Steam:gaben?secret=63BEDWCQZKTQWPESARIERL5DTTQFCJTK",
        "otpauth://totp/Steam:gaben?secret=63BEDWCQZKTQWPESARIERL5DTTQFCJTK&encoder=steam&digits=6",
    ] {
        let account = uri::parse(text).unwrap();
        assert_eq!(account.code_at(1_511_200_518).unwrap().digits, "FR8RV");
    }
}
