//! The `jeton` binary as a user runs it: output, exit codes, and error lines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::{Command, Output};

fn jeton(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jeton"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// RFC 6238's SHA-1 seed, "12345678901234567890", in base32.
const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

#[test]
fn code_prints_digits_only() {
    // RFC 6238 Appendix B, SHA-1 at T = 1111111109: 07081804 (8 digits).
    let uri = format!("otpauth://totp/RFC:6238?secret={RFC_SECRET}&digits=8");
    let output = jeton(&["code", "--uri", &uri, "--at", "1111111109"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "07081804\n");
    assert!(stderr(&output).is_empty());
}

#[test]
fn code_hotp_uses_the_uri_counter() {
    // RFC 4226 Appendix D, counter 7: 162583.
    let uri = format!("otpauth://hotp/RFC:4226?secret={RFC_SECRET}&counter=7");
    let output = jeton(&["code", "--uri", &uri]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout(&output), "162583\n");
}

#[test]
fn code_now_is_six_digits() {
    let uri = format!("otpauth://totp/x?secret={RFC_SECRET}");
    let output = jeton(&["code", "--uri", &uri]);
    assert!(output.status.success());
    let text = stdout(&output);
    assert_eq!(text.trim_end().len(), 6);
    assert!(text.trim_end().bytes().all(|b| b.is_ascii_digit()));
}

#[test]
fn parse_prints_the_normalized_account() {
    let output = jeton(&[
        "parse",
        "OTPAUTH://HOTP/Old:Benjamin?secret=kuvj+jom7+53ih+tnds+zvcn+kl7g+ii&issuer=Air+Canada&counter=50&digits=7&algorithm=sha256&image=x",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(json["type"], "hotp");
    assert_eq!(json["issuer"], "Air Canada");
    assert_eq!(json["account"], "Benjamin");
    assert_eq!(json["algorithm"], "SHA256");
    assert_eq!(json["digits"], 7);
    assert_eq!(json["counter"], 50);
    assert_eq!(json["period"], serde_json::Value::Null);
    assert_eq!(json["secret"], "KUVJJOM753IHTNDSZVCNKL7GII");
}

#[test]
fn bad_input_is_one_line_on_stderr_exit_2_nothing_on_stdout() {
    let cases: [(&[&str], &str); 6] = [
        (
            &["code", "--uri", "https://example.com"],
            "does not start with otpauth://",
        ),
        (
            &["code", "--uri", "otpauth://totp/x?secret=JBSW1"],
            "not a base32 character",
        ),
        (&["code", "--uri", "otpauth://totp/x"], "no secret"),
        (
            &[
                "code",
                "--uri",
                "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&digits=12",
            ],
            "digits=\"12\"",
        ),
        (
            &[
                "parse",
                "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&algorithm=md5",
            ],
            "unknown algorithm",
        ),
        (
            &[
                "code",
                "--uri",
                "otpauth://totp/x?secret=JBSWY3DPEHPK3PXP",
                "--at",
                "soon",
            ],
            "soon",
        ),
    ];
    for (args, needle) in cases {
        let output = jeton(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?} printed on stdout");
        let err = stderr(&output);
        assert!(err.contains(needle), "{args:?}: {err}");
        if !args.contains(&"soon") {
            assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        }
    }
}
