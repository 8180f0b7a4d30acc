//! Memory bounds of `jeton` on hostile inputs (issue 15 item 2; the full table is made by
//! `scripts/resources.sh` and kept in `docs/security.md`). Each run happens under an address-space
//! limit (`ulimit -v`, RLIMIT_AS): if jeton ever asked for more, its allocation would fail and it
//! would abort, so a clean refusal (exit 2 with the reason) shows it never needed more. The limit
//! is on reservations, not timing, so a loaded machine does not change the outcome; the ceilings
//! are generous (several times the release build's measured peak) to leave room for a debug build.
#![cfg(target_os = "linux")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

const JETON: &str = env!("CARGO_BIN_EXE_jeton");

/// `jeton ARGS` under an address-space limit of `limit_mib` MiB.
fn jeton_within(limit_mib: u64, args: &[&str]) -> Output {
    Command::new("/bin/sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {} && exec \"$0\" \"$@\"",
            limit_mib * 1024
        ))
        .arg(JETON)
        .args(args)
        .env("JETON_PASSPHRASE", "resources correct horse")
        .env("JETON_FILE_PASSWORD", "resources file password")
        .env_remove("JETON_VAULT")
        .output()
        .unwrap()
}

fn assert_refused(output: &Output, reason: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "stderr: {stderr}");
    assert!(stderr.contains(reason), "expected {reason:?} in {stderr:?}");
    assert!(output.stdout.is_empty());
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn an_endless_file_is_refused_within_512_mib() {
    // Before the 64 MiB limit, `import /dev/zero` grew past 2 GB.
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v.jeton");
    let output = jeton_within(512, &["import", "--vault", s(&vault), "/dev/zero"]);
    assert_refused(&output, "larger than 64 MiB");
    let output = jeton_within(512, &["scan", "/dev/zero"]);
    assert_refused(&output, "larger than 64 MiB");
}

#[test]
fn a_png_claiming_ten_billion_pixels_is_refused_from_its_header_within_256_mib() {
    // A valid PNG signature and IHDR (100,000 × 100,000 RGBA, 40 GB decoded) over 4 KB of data:
    // the header alone must be enough to refuse it. The CRC is the PNG specification's CRC-32,
    // written out here so the file does not depend on the code under test.
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&100_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc32fast::hash(&ihdr).to_be_bytes());
    // One IDAT (a decoder wants one before it says how large the image is): a zlib stream of
    // 4,096 zero bytes in one stored block, hand-assembled from RFC 1950/1951.
    let mut idat = b"IDAT".to_vec();
    idat.extend_from_slice(&[0x78, 0x01, 0x01]);
    idat.extend_from_slice(&4096u16.to_le_bytes());
    idat.extend_from_slice(&(!4096u16).to_le_bytes());
    idat.extend_from_slice(&[0; 4096]);
    // Adler-32 of 4,096 zeros: a = 1, b = 4,096.
    idat.extend_from_slice(&((4096u32 << 16) | 1).to_be_bytes());
    png.extend_from_slice(&u32::try_from(idat.len() - 4).unwrap().to_be_bytes());
    png.extend_from_slice(&idat);
    png.extend_from_slice(&crc32fast::hash(&idat).to_be_bytes());
    png.extend_from_slice(&[0, 0, 0, 0]);
    png.extend_from_slice(b"IEND");
    png.extend_from_slice(&crc32fast::hash(b"IEND").to_be_bytes());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bomb.png");
    std::fs::write(&file, png).unwrap();
    let output = jeton_within(256, &["scan", s(&file)]);
    assert_refused(&output, "too large to scan");
}

#[test]
fn an_aegis_file_asking_scrypt_for_a_terabyte_is_refused_within_256_mib() {
    // N = 2^30, r = 8: 128 · r · N = 1 TiB if scrypt were run.
    let hex = |n: usize| "ab".repeat(n);
    let aegis = format!(
        r#"{{"version": 1, "header": {{"slots": [{{"type": 1, "uuid": "a0c5f4a6-2d0e-4a5e-9a43-8f0e4d3b2c1a",
        "key": "{}", "key_params": {{"nonce": "{}", "tag": "{}"}}, "n": 1073741824, "r": 8, "p": 1,
        "salt": "{}", "repaired": true}}], "params": {{"nonce": "{}", "tag": "{}"}}}},
        "db": "AAAAAAAAAAAAAAAAAAAAAA=="}}"#,
        hex(32),
        hex(12),
        hex(16),
        hex(32),
        hex(12),
        hex(16)
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("aegis.json");
    std::fs::write(&file, aegis).unwrap();
    let vault = dir.path().join("v.jeton");
    let output = jeton_within(256, &["import", "--vault", s(&vault), s(&file)]);
    assert_refused(&output, "beyond what Jeton accepts");
}
