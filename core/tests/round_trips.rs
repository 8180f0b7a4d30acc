//! Accounts written by every export format and read back: nothing changes, nothing is lost
//! silently. Runs on the README's eight accounts (built here, no fixture needed), on the real
//! Aegis export when present, and on generated accounts (proptest).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::README;
use jeton_core::import::{self, Entry, Format};
use jeton_core::otp::{Algorithm, Kind, OtpParams};
use jeton_core::{Account, Secret, backup, export};
use proptest::prelude::*;

fn readme_entries() -> Vec<Entry> {
    README
        .iter()
        .enumerate()
        .map(|(i, row)| {
            let mut params = match row.kind {
                Kind::Totp => OtpParams::totp(),
                Kind::Hotp => OtpParams::hotp(row.period_or_counter),
                Kind::Steam => OtpParams::steam(),
            };
            params.algorithm = row.algorithm;
            params.digits = row.digits;
            if row.kind != Kind::Hotp {
                params.period = u32::try_from(row.period_or_counter).unwrap();
            }
            Entry {
                account: Account {
                    issuer: Some(row.issuer.to_owned()),
                    name: row.name.to_owned(),
                    secret: Secret::from_base32(row.secret).unwrap(),
                    params,
                },
                groups: if i % 3 == 0 {
                    vec!["Cégep".into(), "work".into()]
                } else {
                    vec![]
                },
                note: (i % 2 == 0).then(|| format!("note {i} — ünïcode")),
                favourite: i % 4 == 1,
            }
        })
        .collect()
}

fn accounts(entries: &[Entry]) -> Vec<Account> {
    entries.iter().map(|e| e.account.clone()).collect()
}

#[test]
fn otpauth_list_round_trip() {
    let entries = readme_entries();
    let text = export::otpauth_list(entries.iter().map(|e| &e.account));
    let back = import::read(text.as_bytes(), None, None).unwrap();
    assert_eq!(back.format, Format::OtpauthList);
    assert!(back.refused.is_empty());
    assert_eq!(accounts(&back.entries), accounts(&entries));
}

#[test]
fn aegis_round_trip_keeps_groups_notes_favourites() {
    let entries = readme_entries();
    let json = export::aegis_json(&entries).unwrap();
    let back = import::read(json.as_bytes(), None, None).unwrap();
    assert_eq!(back.format, Format::Aegis);
    assert!(back.refused.is_empty());
    assert_eq!(back.entries, entries);
    // Aegis's own reader needs these fields as strings (VaultEntry.fromJson).
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    for entry in value["db"]["entries"].as_array().unwrap() {
        for key in ["type", "uuid", "name", "issuer", "note"] {
            assert!(entry[key].is_string(), "{key} in {entry}");
        }
    }
    assert_eq!(value["db"]["version"], 3);
    assert_eq!(value["db"]["groups"].as_array().unwrap().len(), 2);
}

#[test]
fn aegis_real_export_round_trip() {
    let Some(dir) = common::fixtures() else {
        return;
    };
    let data = std::fs::read(dir.join("aegis_plain_grouped_v2.json")).unwrap();
    let original = import::read(&data, None, None).unwrap().entries;
    let json = export::aegis_json(&original).unwrap();
    assert_eq!(
        import::read(json.as_bytes(), None, None).unwrap().entries,
        original
    );
}

#[test]
fn google_round_trip_and_what_it_cannot_carry() {
    let entries = readme_entries();
    let all = accounts(&entries);
    let codes = export::google_migration_with_batch_id(&all, i32::MIN);
    // SPDX (7 digits, 20 s), Airbnb (50 s), Air Canada (7 digits), Boeing (Steam) do not fit.
    let left: Vec<(usize, &str)> = codes
        .left_out
        .iter()
        .map(|r| (r.position, r.label.as_str()))
        .collect();
    assert_eq!(
        left,
        [
            (2, "SPDX (James)"),
            (3, "Airbnb (Elijah)"),
            (5, "Air Canada (Benjamin)"),
            (7, "Boeing (Sophia)")
        ]
    );
    assert_eq!(codes.uris.len(), 1);
    let back = import::read(codes.uris[0].as_bytes(), None, None).unwrap();
    let expected: Vec<Account> = [0, 3, 5, 7].iter().map(|&i| all[i].clone()).collect();
    assert_eq!(accounts(&back.entries), expected);
}

#[test]
fn google_splits_batches_of_ten() {
    let many: Vec<Account> = (0..23)
        .map(|i| Account {
            issuer: Some(format!("Service {i}")),
            name: format!("user{i}@example.com"),
            secret: Secret::new(vec![u8::try_from(i).unwrap(); 20]),
            params: if i % 2 == 0 {
                OtpParams::totp()
            } else {
                OtpParams::hotp(i)
            },
        })
        .collect();
    let codes = export::google_migration(&many).unwrap();
    assert_eq!(codes.uris.len(), 3);
    assert!(codes.left_out.is_empty());
    let mut scans = import::MigrationScans::new();
    let mut sizes = Vec::new();
    for uri in codes.uris.iter().rev() {
        let progress = scans.add(uri).unwrap();
        assert_eq!(progress.total, 3);
        sizes.push(progress.accounts);
    }
    assert_eq!(sizes, [3, 10, 10]);
    let back = scans.finish().unwrap();
    assert_eq!(accounts(&back.entries), many);
    // One code of the three, alone, is an incomplete batch, not three accounts fewer.
    assert!(matches!(
        import::read(codes.uris[1].as_bytes(), None, None),
        Err(import::ImportError::Google(import::GoogleError::Incomplete { missing, .. })) if missing == [1, 3]
    ));
}

#[test]
fn jeton_backup_round_trip() {
    let entries = readme_entries();
    let file = backup::seal_with(
        &entries,
        "pass phrase",
        backup::KdfParams::INSECURE_FAST_FOR_TESTS,
    )
    .unwrap();
    assert_eq!(import::detect(&file), Some(Format::JetonBackup));
    let back = import::read(&file, None, Some("pass phrase")).unwrap();
    assert_eq!(back.entries, entries);
    assert_eq!(backup::open(&file, "pass phrase").unwrap().entries, entries);
}

fn text() -> impl Strategy<Value = String> {
    "[A-Za-z0-9éÉ@._+&%:/ -]{0,16}".prop_map(|s| s.trim().to_owned())
}

/// What `uri::format`/`uri::parse` (core, not this module) cannot carry: a `:` in the name of an
/// account without issuer (`a:b` reads as issuer `a`), and a label that is a URL dot segment
/// (`.` or `..`, removed by URL path normalisation). Reported to the lead; excluded here.
fn representable(account: &Account) -> bool {
    let dot_segment = account.issuer.is_none() && matches!(account.name.as_str(), "." | "..");
    (account.issuer.is_some() || !account.name.contains(':')) && !dot_segment
}

prop_compose! {
    fn account()(
        issuer in proptest::option::of("[A-Za-z0-9éÉ@._+&% -]{0,16}".prop_map(|s| s.trim().to_owned())),
        name in text(),
        secret in proptest::collection::vec(any::<u8>(), 1..64),
        kind in prop_oneof![Just(Kind::Totp), Just(Kind::Hotp), Just(Kind::Steam)],
        algorithm in prop_oneof![Just(Algorithm::Sha1), Just(Algorithm::Sha256), Just(Algorithm::Sha512)],
        digits in 6u8..=8,
        period in prop_oneof![Just(30u32), 1u32..300],
        counter in 0u64..(1 << 62),
    ) -> Account {
        let params = match kind {
            Kind::Totp => OtpParams { algorithm, digits, period, ..OtpParams::totp() },
            Kind::Hotp => OtpParams { algorithm, digits, ..OtpParams::hotp(counter) },
            Kind::Steam => OtpParams::steam(),
        };
        Account { issuer: issuer.filter(|i| !i.is_empty()), name, secret: Secret::new(secret), params }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_format_round_trips(list in proptest::collection::vec(account().prop_filter("otpauth label", representable), 1..25)) {
        let list_text = export::otpauth_list(&list);
        prop_assert_eq!(accounts(&import::read(list_text.as_bytes(), None, None).unwrap().entries), list.clone());

        let entries: Vec<Entry> = list.iter().cloned().map(Entry::new).collect();
        let aegis = export::aegis_json(&entries).unwrap();
        prop_assert_eq!(import::read(aegis.as_bytes(), None, None).unwrap().entries, entries.clone());

        let codes = export::google_migration(&list).unwrap();
        let mut scans = import::MigrationScans::new();
        for uri in &codes.uris {
            scans.add(uri).unwrap();
        }
        let carried: Vec<Account> = list
            .iter()
            .enumerate()
            .filter(|(i, _)| !codes.left_out.iter().any(|r| r.position == i + 1))
            .map(|(_, a)| a.clone())
            .collect();
        if carried.is_empty() {
            prop_assert!(codes.uris.is_empty());
        } else {
            prop_assert_eq!(accounts(&scans.finish().unwrap().entries), carried);
        }
    }
}
