//! Imports, exports and backups: the key derivations dominate (scrypt for Aegis, PBKDF2 for
//! 2FAS, Argon2id for Jeton backups). `core/benches/transfer_peers.py` times the same KDFs in
//! OpenSSL and libsodium for comparison. Results: docs/performance.md.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use jeton_core::import::{self, Entry, MigrationScans};
use jeton_core::otp::OtpParams;
use jeton_core::{Account, Secret, backup, export};

fn fixture(name: &str) -> Option<Vec<u8>> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = root
        .ancestors()
        .skip(2)
        .map(|d| d.join("shared/fixtures/other-apps-exports"))
        .find(|d| d.is_dir())?;
    std::fs::read(dir.join(name)).ok()
}

fn accounts(n: usize) -> Vec<Account> {
    (0..n)
        .map(|i| Account {
            issuer: Some(format!("Service {i}")),
            name: format!("student{i}@example.com"),
            secret: Secret::new((0..20).map(|b| (b * 7 + i) as u8).collect()),
            params: OtpParams::totp(),
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut slow = c.benchmark_group("kdf");
    slow.sample_size(10)
        .measurement_time(Duration::from_secs(5));
    if let Some(data) = fixture("aegis_encrypted.json") {
        slow.bench_function("aegis_encrypted_scrypt_n2^15", |b| {
            b.iter(|| import::read(black_box(&data), None, Some("test")).unwrap())
        });
    } else {
        eprintln!("SKIP aegis/2fas benches: ../shared/fixtures/other-apps-exports is absent");
    }
    if let Some(data) = fixture("2fas_authenticator_encrypted_v4.2fas") {
        slow.bench_function("twofas_encrypted_pbkdf2_10k", |b| {
            b.iter(|| import::read(black_box(&data), None, Some("test")).unwrap())
        });
    }
    let entries: Vec<Entry> = accounts(50).into_iter().map(Entry::new).collect();
    let file = backup::seal(&entries, "correct horse").unwrap();
    slow.bench_function("backup_open_50_argon2id_64MiB_t3", |b| {
        b.iter(|| backup::open(black_box(&file), "correct horse").unwrap())
    });
    slow.finish();

    let mut fast = c.benchmark_group("formats");
    let list = accounts(1000);
    let text = export::otpauth_list(&list);
    fast.bench_function("otpauth_list_read_1000", |b| {
        b.iter(|| import::read(black_box(text.as_bytes()), None, None).unwrap())
    });
    let codes = export::google_migration_with_batch_id(&list[..100], -1);
    fast.bench_function("google_migration_read_100_in_10_codes", |b| {
        b.iter(|| {
            let mut scans = MigrationScans::new();
            for uri in &codes.uris {
                scans.add(black_box(uri)).unwrap();
            }
            scans.finish().unwrap()
        })
    });
    let entries: Vec<Entry> = list.into_iter().map(Entry::new).collect();
    fast.bench_function("aegis_json_write_1000", |b| {
        b.iter(|| export::aegis_json(black_box(&entries)).unwrap())
    });
    fast.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
