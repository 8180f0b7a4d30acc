//! Properties over large input spaces: format→parse round trips, and no input makes the parser
//! or the generator panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jeton_core::otp::{self, Algorithm, Kind, OtpParams};
use jeton_core::{Account, Secret, uri};
use proptest::prelude::*;

fn label_text() -> impl Strategy<Value = String> {
    // Any printable text, trimmed: the parser trims labels, as real apps do. Text-direction
    // and separator characters (printable to `\\PC`) are refused, as control characters are.
    "\\PC{0,24}".prop_map(|s| {
        s.chars()
            .filter(|c| !jeton_core::account::is_unsafe_char(*c))
            .collect::<String>()
            .trim()
            .to_owned()
    })
}

fn account() -> impl Strategy<Value = Account> {
    (
        proptest::option::of(label_text().prop_filter("non-empty", |s| !s.is_empty())),
        label_text(),
        proptest::collection::vec(any::<u8>(), 1..=64),
        prop_oneof![Just(Kind::Totp), Just(Kind::Hotp), Just(Kind::Steam)],
        prop_oneof![
            Just(Algorithm::Sha1),
            Just(Algorithm::Sha256),
            Just(Algorithm::Sha512)
        ],
        1u8..=10,
        1u32..=u32::MAX,
        any::<u64>(),
    )
        .prop_filter(
            // Without an issuer, a colon in the name is read as the separator (Google's format
            // has no way to say otherwise); with one, the issuer parameter disambiguates.
            "issuer-less names without a colon",
            |(issuer, name, ..)| issuer.is_some() || !name.contains(':'),
        )
        .prop_map(
            |(issuer, name, secret, kind, algorithm, digits, period, counter)| {
                let params = match kind {
                    Kind::Totp => OtpParams {
                        algorithm,
                        digits,
                        period,
                        ..OtpParams::totp()
                    },
                    Kind::Hotp => OtpParams {
                        algorithm,
                        digits,
                        ..OtpParams::hotp(counter)
                    },
                    Kind::Steam => OtpParams {
                        period,
                        ..OtpParams::steam()
                    },
                };
                Account {
                    issuer,
                    name,
                    secret: Secret::new(secret),
                    params,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn format_then_parse_is_identity(account in account()) {
        let text = uri::format(&account);
        let parsed = uri::parse(&text).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(parsed, account, "{}", text);
    }

    #[test]
    fn base32_round_trip(bytes in proptest::collection::vec(any::<u8>(), 1..=128)) {
        let secret = Secret::new(bytes.clone());
        let text = secret.to_base32();
        let decoded = Secret::from_base32(&text.to_lowercase()).unwrap();
        prop_assert_eq!(decoded.expose(), &bytes[..]);
    }

    #[test]
    fn parse_never_panics(text in "\\PC{0,300}") {
        let _ = uri::parse(&text);
    }

    #[test]
    fn parse_never_panics_on_otpauth_shaped_input(
        kind in "(totp|hotp|steam|TOTP|x|)",
        rest in "[\\PC%:/?&=+#]{0,200}",
    ) {
        let _ = uri::parse(&format!("otpauth://{kind}/{rest}"));
    }

    #[test]
    fn codes_have_the_promised_shape(
        key in proptest::collection::vec(any::<u8>(), 1..=64),
        digits in 1u8..=10,
        period in 1u32..=u32::MAX,
        time in any::<u64>(),
    ) {
        let params = OtpParams { digits, period, ..OtpParams::totp() };
        let code = otp::generate(&Secret::new(key), &params, time).unwrap();
        prop_assert_eq!(code.digits.len(), usize::from(digits));
        prop_assert!(code.digits.bytes().all(|b| b.is_ascii_digit()));
        let left = code.seconds_left.unwrap();
        prop_assert!(left >= 1 && left <= period);
    }
}
