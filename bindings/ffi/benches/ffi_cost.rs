//! The Rust side of the FFI cost comparison (scripts/ffi-cost.sh): the same calls the Kotlin
//! benchmark makes, without crossing the FFI.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use jeton_ffi::{KdfParameters, OtpAccount, Vault, codes_at, core_version, scan_frame};

fn accounts() -> Vec<Arc<OtpAccount>> {
    (0..1000)
        .map(|i| {
            OtpAccount::from_uri(format!(
                "otpauth://totp/Issuer{i}:user{i}?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Issuer{i}"
            ))
            .unwrap()
        })
        .collect()
}

fn ffi_cost(c: &mut Criterion) {
    c.bench_function("empty call (core_version)", |b| b.iter(core_version));
    let one = OtpAccount::from_uri(
        "otpauth://totp/A:b?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=8".into(),
    )
    .unwrap();
    c.bench_function("one TOTP (OtpAccount::code_at)", |b| {
        b.iter(|| one.code_at(59).unwrap())
    });
    let accounts = accounts();
    c.bench_function("1,000 codes, codes_at(accounts)", |b| {
        b.iter(|| codes_at(accounts.clone(), 59))
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.jeton").to_string_lossy().into_owned();
    let cheap = KdfParameters {
        memory_kib: 8,
        iterations: 1,
        parallelism: 1,
    };
    let vault = Vault::create_with_kdf(path, "password".into(), cheap).unwrap();
    let list = vault.clone().accounts();
    for account in &accounts {
        list.add(account.clone()).unwrap();
    }
    c.bench_function("1,000 codes, vault accounts().codes_at", |b| {
        b.iter(|| list.codes_at(59).unwrap())
    });
    c.bench_function("1,000 codes, vault accounts().device_code_sheet_at", |b| {
        b.iter(|| list.device_code_sheet_at(59).unwrap())
    });
    // A camera frame with nothing to read, as the shells pass it (the copy each call makes of
    // it is part of a call's cost: the generated code copies the platform's array too).
    let mut state = 0x2545_f491_u32;
    let frame: Vec<u8> = (0..1280 * 720)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            96 + (state >> 28) as u8
        })
        .collect();
    c.bench_function("empty 720p frame, scan_frame", |b| {
        b.iter(|| scan_frame(frame.clone(), 1280, 720, 1280).unwrap())
    });
}

criterion_group!(benches, ffi_cost);
criterion_main!(benches);
