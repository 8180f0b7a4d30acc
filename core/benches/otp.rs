//! One TOTP code, and the codes of 1,000 accounts at one instant: Jeton beside the `totp-rs`
//! crate and beside the bare HMAC-SHA-1 computation on the same keys, in the same run.
//!
//! `cargo bench -p jeton-core --bench otp`

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use hmac::{Hmac, KeyInit, Mac};
use jeton_core::Secret;
use jeton_core::otp::{self, OtpParams};

const TIME: u64 = 1_234_567_890;
const ACCOUNTS: usize = 1_000;

fn key(index: usize) -> Vec<u8> {
    (0..20).map(|i| (index * 31 + i * 7) as u8).collect()
}

fn bare_hmac(key: &[u8], counter: u64) -> u32 {
    let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(key) else {
        return 0;
    };
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let value = u32::from_be_bytes([
        digest[offset],
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    (value & 0x7fff_ffff) % 1_000_000
}

fn totp_rs(key: Vec<u8>) -> totp_rs::Totp {
    totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_step_duration(30)
        .with_secret(key)
        .build_noncompliant()
}

fn one_code(c: &mut Criterion) {
    let mut group = c.benchmark_group("one code");
    let secret = Secret::new(key(0));
    let params = OtpParams::totp();
    let peer = totp_rs(key(0));
    let raw = key(0);
    group.bench_function("jeton", |b| {
        b.iter(|| otp::generate(black_box(&secret), &params, black_box(TIME)))
    });
    group.bench_function("totp-rs", |b| b.iter(|| peer.generate(black_box(TIME))));
    group.bench_function("bare hmac-sha1", |b| {
        b.iter(|| bare_hmac(black_box(&raw), black_box(TIME / 30)))
    });
    group.finish();
}

fn many_accounts(c: &mut Criterion) {
    let mut group = c.benchmark_group("1000 accounts");
    group.throughput(Throughput::Elements(ACCOUNTS as u64));
    let accounts: Vec<(Secret, OtpParams)> = (0..ACCOUNTS)
        .map(|i| (Secret::new(key(i)), OtpParams::totp()))
        .collect();
    let peers: Vec<totp_rs::Totp> = (0..ACCOUNTS).map(|i| totp_rs(key(i))).collect();
    let raws: Vec<Vec<u8>> = (0..ACCOUNTS).map(key).collect();
    group.bench_function(BenchmarkId::new("jeton", "generate_all"), |b| {
        b.iter(|| otp::generate_all(accounts.iter().map(|(s, p)| (s, p)), black_box(TIME)))
    });
    group.bench_function(BenchmarkId::new("totp-rs", "loop"), |b| {
        b.iter(|| {
            peers
                .iter()
                .map(|t| t.generate(black_box(TIME)))
                .collect::<Vec<_>>()
        })
    });
    group.bench_function(BenchmarkId::new("bare hmac-sha1", "loop"), |b| {
        b.iter(|| {
            raws.iter()
                .map(|k| bare_hmac(k, black_box(TIME / 30)))
                .collect::<Vec<_>>()
        })
    });
    group.finish();
}

criterion_group!(benches, one_code, many_accounts);
criterion_main!(benches);
