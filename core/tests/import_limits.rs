//! Field lengths in every import reader are bounded like the `otpauth://` path: an account no
//! QR code could carry is refused by name, beside the file's good entries, and never reaches
//! the vault.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use jeton_core::import::{self, Format};
use jeton_core::transfer;
use jeton_core::uri::MAX_URI_LEN;
use jeton_core::vault::{KdfParams, Vault};

const SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

fn aegis(entries: Vec<serde_json::Value>) -> Vec<u8> {
    serde_json::json!({
        "version": 1,
        "header": {"slots": null, "params": null},
        "db": {"version": 2, "entries": entries}
    })
    .to_string()
    .into_bytes()
}

fn aegis_entry(name: &str, secret: &str, note: &str) -> serde_json::Value {
    serde_json::json!({
        "type": "totp", "name": name, "issuer": "Bank", "note": note, "info": {"secret": secret}
    })
}

fn two_fas(services: Vec<serde_json::Value>) -> Vec<u8> {
    serde_json::json!({"services": services, "groups": [], "schemaVersion": 4})
        .to_string()
        .into_bytes()
}

fn two_fas_service(name: &str, secret: &str) -> serde_json::Value {
    serde_json::json!({"name": "Bank", "secret": secret, "otp": {"account": name, "issuer": "Bank"}})
}

/// Reads `data` as `format`: the first entry is taken, every other is refused with `words`.
fn assert_only_first_taken(data: &[u8], format: Format, refused: usize, words: &str) {
    let read = import::read(data, Some(format), None).unwrap();
    assert_eq!(read.entries.len(), 1, "{format}");
    assert_eq!(read.entries[0].account.name, "me");
    assert_eq!(read.refused.len(), refused, "{format}: {:?}", read.refused);
    for refusal in &read.refused {
        assert!(refusal.reason.contains(words), "{format}: {refusal}");
    }
    // And through the vault's door: only the good entry is stored.
    let dir = tempfile::tempdir().unwrap();
    let mut vault = Vault::create_with_kdf(
        dir.path().join("v.jeton"),
        "password",
        KdfParams::INSECURE_FAST_FOR_TESTS,
    )
    .unwrap();
    let summary = transfer::import_into(&mut vault, read).unwrap();
    assert_eq!(summary.added.len(), 1);
    assert_eq!(summary.refused.len(), refused);
    for refusal in &summary.refused {
        assert!(
            refusal.label.chars().count() <= 80,
            "a label shown is cut short"
        );
    }
    assert_eq!(vault.list().unwrap().len(), 1);
}

#[test]
fn an_aegis_entry_with_a_huge_name_or_note_is_refused() {
    let huge = "x".repeat(5 << 20);
    let just_over = "x".repeat(MAX_URI_LEN);
    let data = aegis(vec![
        aegis_entry("me", SECRET, ""),
        aegis_entry(&huge, SECRET, ""),
        aegis_entry(&just_over, SECRET, ""),
    ]);
    assert_only_first_taken(&data, Format::Aegis, 2, "more than any QR code can carry");
    let data = aegis(vec![
        aegis_entry("me", SECRET, ""),
        aegis_entry("you", SECRET, &huge),
    ]);
    assert_only_first_taken(&data, Format::Aegis, 1, "note is");
}

#[test]
fn a_2fas_entry_with_a_huge_secret_or_name_is_refused() {
    let huge_secret = "A".repeat(3 << 20);
    let huge_name = "x".repeat(5 << 20);
    let data = two_fas(vec![
        two_fas_service("me", SECRET),
        two_fas_service("you", &huge_secret),
        two_fas_service(&huge_name, SECRET),
    ]);
    assert_only_first_taken(&data, Format::TwoFas, 2, "more than any QR code can carry");
}

#[test]
fn an_account_that_fits_a_qr_code_is_taken() {
    // The limit is the otpauth path's: what `uri::parse` accepts, every reader accepts.
    let name = "x".repeat(MAX_URI_LEN - 200);
    let data = aegis(vec![aegis_entry(&name, SECRET, "")]);
    let read = import::read(&data, Some(Format::Aegis), None).unwrap();
    assert_eq!(read.entries.len(), 1, "{:?}", read.refused);
    let uri = jeton_core::uri::format(&read.entries[0].account);
    assert!(uri.len() <= MAX_URI_LEN);
    assert_eq!(
        jeton_core::uri::parse(&uri).unwrap(),
        read.entries[0].account
    );
}
