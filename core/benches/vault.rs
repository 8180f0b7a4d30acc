//! Vault benchmarks: unlock with the default Argon2id parameters; open and decrypt 1,000
//! accounts (platform slot, so no KDF) beside the bare cost of decrypting the same bytes;
//! adding one account (one committed transaction, WAL + synchronous=FULL) beside a bare SQLite
//! insert of the same size with FULL and with NORMAL.
//!
//! Run: `jcargo bench -p jeton-core --bench vault`
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use criterion::{Criterion, criterion_group, criterion_main};
use jeton_core::otp::OtpParams;
use jeton_core::vault::{KdfParams, SoftwareKeyWrapper, Vault};
use jeton_core::{Account, Secret};

fn account(i: usize) -> Account {
    Account {
        issuer: Some(format!("Issuer number {i}")),
        name: format!("student{i}@example.org"),
        secret: Secret::from_slice(&[i as u8; 20]),
        params: OtpParams::totp(),
    }
}

fn unlock_default_kdf(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.jeton");
    drop(Vault::create(&path, "correct horse battery").unwrap());
    let mut group = c.benchmark_group("vault");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("unlock, default Argon2id (64 MiB, t=3, p=1)", |b| {
        b.iter(|| {
            let mut v = Vault::open(&path).unwrap();
            v.unlock_with_passphrase("correct horse battery").unwrap();
            black_box(v.is_locked())
        })
    });
    group.finish();
}

fn open_1000(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.jeton");
    let wrapper = SoftwareKeyWrapper::generate().unwrap();
    {
        let mut v =
            Vault::create_with_kdf(&path, "password", KdfParams::INSECURE_FAST_FOR_TESTS).unwrap();
        v.add_platform_slot(&wrapper).unwrap();
        for i in 0..1000 {
            v.add(account(i)).unwrap();
        }
    }
    // The same sealed bytes, read once, to time the bare decryption.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut stmt = conn
        .prepare("SELECT otp, issuer, name, note, groups, icon, details FROM accounts")
        .unwrap();
    let blobs: Vec<Vec<u8>> = stmt
        .query_map([], |r| {
            Ok((0..7)
                .map(|i| r.get::<_, Vec<u8>>(i).unwrap())
                .collect::<Vec<_>>())
        })
        .unwrap()
        .flat_map(|r| r.unwrap())
        .collect();
    drop(stmt);
    drop(conn);
    let cipher = XChaCha20Poly1305::new(&[7u8; 32].into());
    let sealed: Vec<(XNonce, Vec<u8>)> = blobs
        .iter()
        .map(|b| {
            let nonce = XNonce::try_from(&b[..24]).unwrap();
            let ct = cipher
                .encrypt(
                    &nonce,
                    Payload {
                        msg: &b[24..b.len() - 16],
                        aad: &[0u8; 51],
                    },
                )
                .unwrap();
            (nonce, ct)
        })
        .collect();

    let mut group = c.benchmark_group("vault 1000 accounts");
    group.sample_size(20);
    group.bench_function("open + unlock (platform slot) + decrypt all", |b| {
        b.iter(|| {
            let mut v = Vault::open(&path).unwrap();
            v.unlock_with(&wrapper).unwrap();
            black_box(v.list().unwrap().len())
        })
    });
    group.bench_function(
        "bare XChaCha20-Poly1305 open of the same 7,000 fields",
        |b| {
            b.iter(|| {
                for (nonce, ct) in &sealed {
                    black_box(
                        cipher
                            .decrypt(
                                nonce,
                                Payload {
                                    msg: ct,
                                    aad: &[0u8; 51],
                                },
                            )
                            .unwrap(),
                    );
                }
            })
        },
    );
    group.bench_function("codes_at for all (after unlock)", |b| {
        let mut v = Vault::open(&path).unwrap();
        v.unlock_with(&wrapper).unwrap();
        b.iter(|| black_box(v.codes_at(1_700_000_000).unwrap().len()))
    });
    group.finish();
}

fn add_one(c: &mut Criterion) {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let mut group = c.benchmark_group("vault write");
    group.sample_size(30);
    for present in [100, 1000] {
        let path = dir.path().join(format!("v{present}.jeton"));
        let mut v =
            Vault::create_with_kdf(&path, "password", KdfParams::INSECURE_FAST_FOR_TESTS).unwrap();
        for i in 0..present {
            v.add(account(i)).unwrap();
        }
        // Each timed add is undone (untimed) so that the vault keeps its size.
        group.bench_function(
            format!("add one account ({present} present, synchronous=FULL)"),
            |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for i in 0..iters {
                        let started = Instant::now();
                        let id = v.add(account(i as usize)).unwrap();
                        total += started.elapsed();
                        v.remove(id).unwrap();
                    }
                    total
                })
            },
        );
    }
    for sync in ["FULL", "NORMAL"] {
        let path = dir.path().join(format!("bare-{sync}.db"));
        let conn = rusqlite::Connection::open(&path).unwrap();
        let _: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .unwrap();
        conn.pragma_update(None, "synchronous", sync).unwrap();
        conn.execute_batch("CREATE TABLE t (id BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID")
            .unwrap();
        let mut n = 0u64;
        group.bench_function(
            format!("bare SQLite insert of 700 B, synchronous={sync}"),
            |b| {
                b.iter(|| {
                    n += 1;
                    conn.execute(
                        "INSERT INTO t VALUES (?1, ?2)",
                        rusqlite::params![n.to_be_bytes().as_slice(), vec![0u8; 700]],
                    )
                    .unwrap()
                })
            },
        );
    }
    group.finish();
}

criterion_group!(benches, unlock_default_kdf, open_1000, add_one);
criterion_main!(benches);
