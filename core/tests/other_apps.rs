//! Real exports written by Aegis, 2FAS, Ente, Bitwarden and Proton (from Aegis's test suite, in
//! `../shared/fixtures/other-apps-exports/`), read field by field against the table of their
//! README, with their codes checked against `oathtool`. Skips when the folder is absent.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::PathBuf;

use common::{SEVEN, assert_codes_match_oathtool, assert_matches, assert_params, readme};
use jeton_core::import::{self, Entry, Format, ImportError};

const PASSWORD: &str = "test";

fn load(name: &str) -> Option<Vec<u8>> {
    let dir: PathBuf = common::fixtures()?;
    Some(std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}")))
}

/// Reads a fixture and checks that it holds exactly `issuers`, in order, each matching its README
/// row in every field, with codes equal to oathtool's. Returns the entries.
fn check(
    name: &str,
    format: Format,
    password: Option<&str>,
    issuers: &[&str],
) -> Option<Vec<Entry>> {
    let data = load(name)?;
    assert_eq!(
        import::detect(&data),
        Some(format),
        "{name}: detected format"
    );
    let imported = import::read(&data, None, password).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(imported.format, format);
    assert!(
        imported.refused.is_empty(),
        "{name}: refused {:?}",
        imported.refused
    );
    let got: Vec<&str> = imported
        .entries
        .iter()
        .map(|e| e.account.issuer.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(got, issuers, "{name}: accounts");
    let mut compared = 0;
    for entry in &imported.entries {
        assert_matches(
            &entry.account,
            &readme(entry.account.issuer.as_deref().unwrap()),
            name,
        );
        compared += assert_codes_match_oathtool(&entry.account);
    }
    assert!(compared > 0, "{name}: no code compared with oathtool");
    Some(imported.entries)
}

#[test]
fn plain_otpauth_list() {
    check("plain.txt", Format::OtpauthList, None, &SEVEN);
}

#[test]
fn ente_auth() {
    let Some(entries) = check(
        "ente_auth.txt",
        Format::OtpauthList,
        None,
        &[
            "Air Canada",
            "Airbnb",
            "Boeing",
            "Deno",
            "Issuu",
            "SPDX",
            "WWE",
        ],
    ) else {
        return;
    };
    assert!(entries.iter().all(|e| !e.favourite && e.groups.is_empty()));
}

#[test]
fn aegis_plain() {
    check("aegis_plain.json", Format::Aegis, None, &SEVEN);
}

#[test]
fn aegis_plain_grouped_v2() {
    let Some(entries) = check("aegis_plain_grouped_v2.json", Format::Aegis, None, &SEVEN) else {
        return;
    };
    let groups: Vec<(&str, Vec<String>)> = entries
        .iter()
        .map(|e| (e.account.issuer.as_deref().unwrap(), e.groups.clone()))
        .collect();
    let g = |name: &str| vec![name.to_owned()];
    assert_eq!(
        groups,
        vec![
            ("Deno", g("group1")),
            ("SPDX", vec![]),
            ("Airbnb", g("group1")),
            ("Issuu", g("group2")),
            ("Air Canada", vec![]),
            ("WWE", vec![]),
            ("Boeing", vec![]),
        ]
    );
}

#[test]
fn aegis_encrypted() {
    let Some(plain) = check(
        "aegis_encrypted.json",
        Format::Aegis,
        Some(PASSWORD),
        &SEVEN,
    ) else {
        return;
    };
    assert_eq!(plain.len(), 7);
}

#[test]
fn twofas_v3_plain_and_encrypted() {
    let six = ["Deno", "SPDX", "Airbnb", "Issuu", "Air Canada", "WWE"];
    let plain = check(
        "2fas_authenticator_plain_v3.2fas",
        Format::TwoFas,
        None,
        &six,
    );
    let sealed = check(
        "2fas_authenticator_encrypted_v3.2fas",
        Format::TwoFas,
        Some(PASSWORD),
        &six,
    );
    assert_eq!(plain, sealed);
}

#[test]
fn twofas_v4_plain_and_encrypted() {
    let five = ["Deno", "Issuu", "Air Canada", "WWE", "Boeing"];
    let plain = check(
        "2fas_authenticator_plain_v4.2fas",
        Format::TwoFas,
        None,
        &five,
    );
    let sealed = check(
        "2fas_authenticator_encrypted_v4.2fas",
        Format::TwoFas,
        Some(PASSWORD),
        &five,
    );
    assert_eq!(plain, sealed);
}

#[test]
fn bitwarden() {
    let Some(data) = load("bitwarden.json") else {
        return;
    };
    assert_eq!(import::detect(&data), Some(Format::Bitwarden));
    let imported = import::read(&data, None, None).unwrap();
    assert!(imported.refused.is_empty());
    let entries = &imported.entries;
    assert_eq!(entries.len(), 4);
    for (entry, issuer) in entries.iter().zip(["Deno", "SPDX", "Airbnb"]) {
        assert_matches(&entry.account, &readme(issuer), "bitwarden.json");
        assert!(assert_codes_match_oathtool(&entry.account) > 0);
    }
    // `steam://SECRET` carries no label: the item's name stands in as the issuer.
    let steam = &entries[3].account;
    assert_params(steam, &readme("Boeing"), "bitwarden.json");
    assert_eq!(steam.issuer.as_deref(), Some("Test Steam"));
    assert_eq!(steam.name, "");
}

#[test]
fn proton() {
    check(
        "proton_authenticator.json",
        Format::Proton,
        None,
        &["Deno", "SPDX", "Airbnb"],
    );
}

#[test]
fn wrong_and_missing_passwords_are_named() {
    for (name, format) in [
        ("aegis_encrypted.json", Format::Aegis),
        ("2fas_authenticator_encrypted_v3.2fas", Format::TwoFas),
        ("2fas_authenticator_encrypted_v4.2fas", Format::TwoFas),
    ] {
        let Some(data) = load(name) else { return };
        assert!(import::needs_password(&data, format), "{name}");
        assert_eq!(
            import::read(&data, None, None),
            Err(ImportError::PasswordRequired(format)),
            "{name}"
        );
        for wrong in ["Test", "test ", "", "tes"] {
            assert_eq!(
                import::read(&data, None, Some(wrong)),
                Err(ImportError::WrongPassword(format)),
                "{name} with {wrong:?}"
            );
        }
    }
    for name in ["aegis_plain.json", "2fas_authenticator_plain_v4.2fas"] {
        let Some(data) = load(name) else { return };
        assert!(
            !import::needs_password(&data, import::detect(&data).unwrap()),
            "{name}"
        );
    }
}

/// Every JSON export cut short anywhere is refused as a whole with a typed error: never a partial
/// list of accounts.
#[test]
fn truncated_json_exports_import_nothing() {
    for name in [
        "aegis_plain.json",
        "aegis_plain_grouped_v2.json",
        "aegis_encrypted.json",
        "2fas_authenticator_plain_v3.2fas",
        "2fas_authenticator_encrypted_v3.2fas",
        "2fas_authenticator_plain_v4.2fas",
        "2fas_authenticator_encrypted_v4.2fas",
        "bitwarden.json",
        "proton_authenticator.json",
    ] {
        let Some(data) = load(name) else { return };
        let format = import::detect(&data).unwrap();
        let end = data.iter().rposition(|b| *b == b'}').unwrap();
        let mut cuts: Vec<usize> = (1..20).map(|k| end * k / 20).collect();
        cuts.extend([end, end.saturating_sub(1)]);
        for cut in cuts {
            if cut >= end / 2 {
                assert_eq!(
                    import::detect(&data[..cut]),
                    Some(format),
                    "{name} cut at {cut}: detected"
                );
            }
            let result = import::read(&data[..cut], Some(format), Some(PASSWORD));
            assert!(
                matches!(result, Err(ImportError::Malformed { format: f, .. }) if f == format),
                "{name} cut at {cut}: {result:?}"
            );
        }
    }
}

/// Encrypted payloads altered in one character are refused whole (the AEAD tag fails).
#[test]
fn altered_ciphertexts_import_nothing() {
    for (name, field) in [
        ("aegis_encrypted.json", "/db"),
        ("2fas_authenticator_encrypted_v4.2fas", "/servicesEncrypted"),
    ] {
        let Some(data) = load(name) else { return };
        let mut json: serde_json::Value = serde_json::from_slice(&data).unwrap();
        let text = json.pointer(field).unwrap().as_str().unwrap().to_owned();
        let mut chars: Vec<char> = text.chars().collect();
        chars[10] = if chars[10] == 'A' { 'B' } else { 'A' };
        *json.pointer_mut(field).unwrap() = serde_json::Value::String(chars.into_iter().collect());
        let altered = serde_json::to_vec(&json).unwrap();
        let result = import::read(&altered, None, Some(PASSWORD));
        assert!(
            matches!(
                result,
                Err(ImportError::Malformed { .. } | ImportError::WrongPassword(_))
            ),
            "{name}: {result:?}"
        );
    }
}

/// The real encrypted Aegis export with its header's slots replaced by `slots(original)`.
fn aegis_with_slots(
    data: &[u8],
    slots: impl Fn(serde_json::Value) -> Vec<serde_json::Value>,
) -> Vec<u8> {
    let mut file: serde_json::Value = serde_json::from_slice(data).unwrap();
    let slot = file["header"]["slots"][0].clone();
    file["header"]["slots"] = serde_json::Value::Array(slots(slot));
    serde_json::to_vec(&file).unwrap()
}

/// scrypt costs a crafted file may ask for are bounded (memory 128·r·N ≤ 256 MiB, p ≤ 4, two
/// password slots), and are refused as unsupported before any scrypt runs.
#[test]
fn aegis_scrypt_costs_and_slots_are_bounded() {
    let Some(data) = load("aegis_encrypted.json") else {
        return;
    };
    let with = |n: u64, r: u32, p: u32| {
        aegis_with_slots(&data, |mut slot| {
            slot["n"] = n.into();
            slot["r"] = r.into();
            slot["p"] = p.into();
            vec![slot]
        })
    };
    let unsupported = |file: &[u8]| {
        matches!(
            import::read(file, None, Some(PASSWORD)),
            Err(ImportError::Unsupported {
                format: Format::Aegis,
                ..
            })
        )
    };
    // Aegis's own costs still open the file (the file is unchanged but re-serialized).
    assert_eq!(
        import::read(&with(32768, 8, 1), None, Some(PASSWORD))
            .unwrap()
            .entries
            .len(),
        7
    );
    // 128 · 17 · 2^17 bytes = 272 MiB.
    assert!(unsupported(&with(1 << 17, 17, 1)));
    // Five passes of a cheap cost.
    assert!(unsupported(&with(1024, 8, 5)));
    // Three copies of the real slot: the first would open the file, but three are too many.
    let three = aegis_with_slots(&data, |slot| vec![slot.clone(), slot.clone(), slot]);
    assert!(unsupported(&three));
    // Two are tried: a wrong first slot, then the real one.
    let two = aegis_with_slots(&data, |slot| {
        let mut wrong = slot.clone();
        wrong["salt"] = "00".repeat(32).into();
        vec![wrong, slot]
    });
    assert_eq!(
        import::read(&two, None, Some(PASSWORD))
            .unwrap()
            .entries
            .len(),
        7
    );
}
