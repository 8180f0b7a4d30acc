//! otpauth:// URIs as real generators write them, and the errors for ones that are wrong.
//! Each expected value is written out by hand from the URI, not computed by the parser.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jeton_core::otp::{Algorithm, Kind};
use jeton_core::secret::SecretError;
use jeton_core::uri::{self, MAX_URI_LEN, UriError};

struct Shape {
    what: &'static str,
    uri: &'static str,
    issuer: Option<&'static str>,
    name: &'static str,
    secret: &'static str,
    kind: Kind,
    algorithm: Algorithm,
    digits: u8,
    period: u32,
    counter: u64,
}

const fn totp(
    what: &'static str,
    uri: &'static str,
    issuer: Option<&'static str>,
    name: &'static str,
    secret: &'static str,
) -> Shape {
    Shape {
        what,
        uri,
        issuer,
        name,
        secret,
        kind: Kind::Totp,
        algorithm: Algorithm::Sha1,
        digits: 6,
        period: 30,
        counter: 0,
    }
}

const JBSW: &str = "JBSWY3DPEHPK3PXP";
const LONG: &str = "4SJHB4GSD43FZBAI7C2HLRJGPQ";

fn shapes() -> Vec<Shape> {
    vec![
        totp(
            "Google's documented example",
            "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example",
            Some("Example"),
            "alice@google.com",
            JBSW,
        ),
        totp(
            "lower-case secret",
            "otpauth://totp/ACME:john?secret=jbswy3dpehpk3pxp",
            Some("ACME"),
            "john",
            JBSW,
        ),
        totp(
            "padded secret",
            "otpauth://totp/ACME:john?secret=4SJHB4GSD43FZBAI7C2HLRJGPQ======",
            Some("ACME"),
            "john",
            LONG,
        ),
        totp(
            "secret in groups with encoded spaces",
            "otpauth://totp/ACME:john?secret=4SJH%20B4GS%20D43F%20ZBAI%207C2H%20LRJG%20PQ",
            Some("ACME"),
            "john",
            LONG,
        ),
        totp(
            "secret in groups with + for spaces",
            "otpauth://totp/ACME:john?secret=4sjh+b4gs+d43f+zbai+7c2h+lrjg+pq",
            Some("ACME"),
            "john",
            LONG,
        ),
        totp(
            "secret with hyphens",
            "otpauth://totp/ACME:john?secret=JBSW-Y3DP-EHPK-3PXP",
            Some("ACME"),
            "john",
            JBSW,
        ),
        totp(
            "80-bit secret, GitHub style",
            "otpauth://totp/GitHub:octocat?secret=GEZDGNBVGY3TQOJQ&issuer=GitHub",
            Some("GitHub"),
            "octocat",
            "GEZDGNBVGY3TQOJQ",
        ),
        totp(
            "80-bit secret, Discord style, encoded # in the name",
            "otpauth://totp/Discord:user%231234?secret=MFRGGZDFMZTWQ2LK&issuer=Discord",
            Some("Discord"),
            "user#1234",
            "MFRGGZDFMZTWQ2LK",
        ),
        totp(
            "Okta: issuer is a domain",
            "otpauth://totp/okta.example.com:jane@example.com?secret=JBSWY3DPEHPK3PXP&issuer=okta.example.com",
            Some("okta.example.com"),
            "jane@example.com",
            JBSW,
        ),
        totp(
            "Microsoft 365: issuer parameter differs from the label prefix",
            "otpauth://totp/Contoso:jane@contoso.com?secret=JBSWY3DPEHPK3PXP&issuer=Microsoft",
            Some("Microsoft"),
            "jane@contoso.com",
            JBSW,
        ),
        totp(
            "percent-encoded UTF-8 issuer and account",
            "otpauth://totp/C%C3%A9gep%20%C3%89douard-Montpetit:%C3%A9tudiant?secret=JBSWY3DPEHPK3PXP",
            Some("Cégep Édouard-Montpetit"),
            "étudiant",
            JBSW,
        ),
        totp(
            "raw UTF-8 in the label and the issuer",
            "otpauth://totp/Cégep Édouard-Montpetit:étudiant?secret=JBSWY3DPEHPK3PXP&issuer=Cégep Édouard-Montpetit",
            Some("Cégep Édouard-Montpetit"),
            "étudiant",
            JBSW,
        ),
        totp(
            "+ in the issuer parameter is a space",
            "otpauth://totp/Air%20Canada:Benjamin?secret=JBSWY3DPEHPK3PXP&issuer=Air+Canada",
            Some("Air Canada"),
            "Benjamin",
            JBSW,
        ),
        totp(
            "whitespace around the colon",
            "otpauth://totp/ACME%20Co%20:%20john.doe?secret=JBSWY3DPEHPK3PXP",
            Some("ACME Co"),
            "john.doe",
            JBSW,
        ),
        totp(
            "encoded colon as the separator",
            "otpauth://totp/ACME%3Ajohn?secret=JBSWY3DPEHPK3PXP",
            Some("ACME"),
            "john",
            JBSW,
        ),
        totp(
            "issuer only as a parameter",
            "otpauth://totp/john?secret=JBSWY3DPEHPK3PXP&issuer=ACME",
            Some("ACME"),
            "john",
            JBSW,
        ),
        totp(
            "no issuer at all",
            "otpauth://totp/john?secret=JBSWY3DPEHPK3PXP",
            None,
            "john",
            JBSW,
        ),
        totp(
            "unknown parameters (image, color) ignored",
            "otpauth://totp/ACME:john?secret=JBSWY3DPEHPK3PXP&image=https%3A%2F%2Fexample.com%2Flogo.png&color=ff0000&issuer=ACME",
            Some("ACME"),
            "john",
            JBSW,
        ),
        totp(
            "copied with surrounding whitespace",
            "  otpauth://totp/ACME:john?secret=JBSWY3DPEHPK3PXP\n",
            Some("ACME"),
            "john",
            JBSW,
        ),
        totp(
            "empty optional parameters mean defaults",
            "otpauth://totp/ACME:john?secret=JBSWY3DPEHPK3PXP&digits=&period=&algorithm=",
            Some("ACME"),
            "john",
            JBSW,
        ),
        Shape {
            algorithm: Algorithm::Sha256,
            digits: 8,
            period: 60,
            ..totp(
                "upper-case scheme, type and parameter names, lower-case algorithm",
                "OTPAUTH://TOTP/ACME:john?SECRET=JBSWY3DPEHPK3PXP&ALGORITHM=sha256&Digits=8&PERIOD=60",
                Some("ACME"),
                "john",
                JBSW,
            )
        },
        Shape {
            algorithm: Algorithm::Sha512,
            digits: 7,
            period: 20,
            ..totp(
                "SHA512 written with a hyphen, 7 digits, 20 s",
                "otpauth://totp/SPDX:James?secret=5OM4WOOGPLQEF6UGN3CPEOOLWU&algorithm=SHA-512&digits=7&period=20",
                Some("SPDX"),
                "James",
                "5OM4WOOGPLQEF6UGN3CPEOOLWU",
            )
        },
        Shape {
            kind: Kind::Hotp,
            counter: 10300,
            digits: 8,
            algorithm: Algorithm::Sha512,
            ..totp(
                "HOTP with a counter",
                "otpauth://hotp/WWE:Mason?secret=5VAML3X35THCEBVRLV24CGBKOY&issuer=WWE&counter=10300&digits=8&algorithm=SHA512",
                Some("WWE"),
                "Mason",
                "5VAML3X35THCEBVRLV24CGBKOY",
            )
        },
        Shape {
            kind: Kind::Steam,
            digits: 5,
            ..totp(
                "Steam type",
                "otpauth://steam/Boeing:Sophia?secret=JRZCL47CMXVOQMNPZR2F7J4RGI&issuer=Boeing",
                Some("Boeing"),
                "Sophia",
                "JRZCL47CMXVOQMNPZR2F7J4RGI",
            )
        },
        Shape {
            kind: Kind::Steam,
            digits: 5,
            ..totp(
                "Steam as encoder=steam on a totp URI",
                "otpauth://totp/Steam:gaben?secret=JRZCL47CMXVOQMNPZR2F7J4RGI&encoder=steam&digits=5",
                Some("Steam"),
                "gaben",
                "JRZCL47CMXVOQMNPZR2F7J4RGI",
            )
        },
        Shape {
            digits: 8,
            ..totp(
                "Battle.net: serial-number account name",
                "otpauth://totp/Battle.net:US-2211-2050-3346?secret=BMGRXPGFARQQF4GMT25JATL2VYLAHDBI&issuer=Battle.net&digits=8",
                Some("Battle.net"),
                "US-2211-2050-3346",
                "BMGRXPGFARQQF4GMT25JATL2VYLAHDBI",
            )
        },
    ]
}

#[test]
fn real_world_shapes_parse() {
    for shape in shapes() {
        let account = uri::parse(shape.uri).unwrap_or_else(|e| panic!("{}: {e}", shape.what));
        assert_eq!(account.issuer.as_deref(), shape.issuer, "{}", shape.what);
        assert_eq!(account.name, shape.name, "{}", shape.what);
        assert_eq!(
            account.secret.to_base32().as_str(),
            shape.secret,
            "{}",
            shape.what
        );
        assert_eq!(account.params.kind, shape.kind, "{}", shape.what);
        assert_eq!(account.params.algorithm, shape.algorithm, "{}", shape.what);
        assert_eq!(account.params.digits, shape.digits, "{}", shape.what);
        assert_eq!(account.params.period, shape.period, "{}", shape.what);
        assert_eq!(account.params.counter, shape.counter, "{}", shape.what);
        // The canonical form reads back to the same account.
        let again = uri::parse(&uri::format(&account)).unwrap();
        assert_eq!(again, account, "{}: round trip", shape.what);
    }
}

#[test]
fn canonical_form_is_what_google_documents() {
    let account = uri::parse(
        "otpauth://totp/Example:alice@google.com?issuer=Example&secret=jbsw%20y3dp%20ehpk%203pxp",
    )
    .unwrap();
    assert_eq!(
        uri::format(&account),
        "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example&algorithm=SHA1&digits=6&period=30"
    );
    let hotp = uri::parse("otpauth://hotp/Issuu:James?secret=YOOMIXWS5GN6RTBPUFFWKTW5M4&counter=1")
        .unwrap();
    assert_eq!(
        uri::format(&hotp),
        "otpauth://hotp/Issuu:James?secret=YOOMIXWS5GN6RTBPUFFWKTW5M4&issuer=Issuu&algorithm=SHA1&digits=6&counter=1"
    );
    let unicode =
        uri::parse("otpauth://totp/Cégep Édouard-Montpetit:étudiant?secret=JBSWY3DPEHPK3PXP")
            .unwrap();
    assert_eq!(
        uri::format(&unicode),
        "otpauth://totp/C%C3%A9gep%20%C3%89douard-Montpetit:%C3%A9tudiant?secret=JBSWY3DPEHPK3PXP&issuer=C%C3%A9gep%20%C3%89douard-Montpetit&algorithm=SHA1&digits=6&period=30"
    );
}

#[test]
fn bad_input_names_the_problem() {
    let too_long = format!(
        "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&x={}",
        "a".repeat(MAX_URI_LEN)
    );
    let cases: Vec<(&str, UriError)> = vec![
        ("https://example.com/", UriError::NotOtpauth),
        ("JBSWY3DPEHPK3PXP", UriError::NotOtpauth),
        ("", UriError::NotOtpauth),
        (
            "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SGEV4YW1wbGU",
            UriError::Migration,
        ),
        (
            "otpauth://motp/a?secret=JBSWY3DPEHPK3PXP",
            UriError::UnknownType("motp".into()),
        ),
        ("otpauth://totp/a", UriError::MissingSecret),
        ("otpauth://totp/a?issuer=x", UriError::MissingSecret),
        ("otpauth://totp/a?secret=", UriError::EmptySecret),
        ("otpauth://totp/a?secret=%20-%20", UriError::EmptySecret),
        (
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PX1",
            UriError::InvalidSecret(SecretError::InvalidCharacter {
                character: '1',
                position: 16,
            }),
        ),
        (
            "otpauth://totp/a?secret=JBS",
            UriError::InvalidSecret(SecretError::InvalidLength { symbols: 3 }),
        ),
        (
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=six",
            UriError::Digits("six".into()),
        ),
        (
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=0",
            UriError::Digits("0".into()),
        ),
        (
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&digits=11",
            UriError::Digits("11".into()),
        ),
        (
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&period=0",
            UriError::Period("0".into()),
        ),
        (
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&period=-30",
            UriError::Period("-30".into()),
        ),
        (
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&period=30s",
            UriError::Period("30s".into()),
        ),
        (
            "otpauth://hotp/a?secret=JBSWY3DPEHPK3PXP&counter=-1",
            UriError::Counter("-1".into()),
        ),
        (
            "otpauth://totp/a?secret=JBSWY3DPEHPK3PXP&algorithm=MD5",
            UriError::UnknownAlgorithm("MD5".into()),
        ),
        (
            too_long.as_str(),
            UriError::TooLong {
                len: too_long.len(),
            },
        ),
    ];
    for (text, expected) in cases {
        let error = uri::parse(text).expect_err(text);
        assert_eq!(error, expected, "{text}");
        // Every message is a sentence a user can read, and never echoes a whole secret.
        let message = error.to_string();
        assert!(!message.is_empty());
        assert!(!message.contains("JBSWY3DPEHPK3PXP"), "{message}");
    }
}
