//! Inputs the fuzz targets (`fuzz/`, see docs/fuzzing.md) found failing, minimised, kept so
//! that they stay fixed. Each names its target and what went wrong.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jeton_core::uri;

/// `uri_parse`: a name holding a colon, with no issuer (the label starts with an empty issuer
/// prefix), was written as `a%3Ab`; an encoded colon separates issuer and name too (Key URI
/// Format), so reading Jeton's own URI back gave issuer `a` and name `b`.
#[test]
fn uri_name_with_a_colon_and_no_issuer_survives_format() {
    let account = uri::parse("otpauth://totp/:a%3Ab?secret=JBSWY3DP").unwrap();
    assert_eq!(account.issuer, None);
    assert_eq!(account.name, "a:b");
    let written = uri::format(&account);
    assert_eq!(uri::parse(&written).unwrap(), account, "{written}");
}

/// `uri_parse`: an HOTP URI with a `period` kept it, but `uri::format` writes HOTP with its
/// counter and no period, so the account read back differed (period 30 instead of 60). A period
/// means nothing to HOTP, as a counter means nothing to TOTP: both are now dropped on reading.
#[test]
fn uri_hotp_with_a_period_survives_format() {
    let account =
        uri::parse("otpauth://hotp/B:n?secret=JBSWY3DPEHPK3PXP&counter=7&period=60").unwrap();
    let written = uri::format(&account);
    assert_eq!(uri::parse(&written).unwrap(), account, "{written}");
}
