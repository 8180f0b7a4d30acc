//! The FFI's scan functions on the shared real camera frames (skipped when the fixtures folder
//! is absent).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Read;
use std::path::PathBuf;

use jeton_ffi::{OtpAccount, ScannedCode, ScannedContent, scan_frame};

const EXPECTED: &str = "otpauth://totp/neo4j:Charlotte?secret=B33WS2ALPT34K4BNY24AYROE4M&issuer=neo4j&algorithm=SHA1&digits=6&period=30";

fn fixture(name: &str) -> Option<Vec<u8>> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = manifest
        .ancestors()
        .map(|a| a.join("shared/fixtures/other-apps-exports"))
        .find(|d| d.is_dir());
    let Some(dir) = dir else {
        println!("shared fixtures not found beside the repository: camera frames skipped");
        return None;
    };
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(dir.join(name)).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    Some(out)
}

/// The accounts the codes hold, as URIs (the FFI hands an account's code over as an account,
/// never as its text).
fn accounts(codes: &[ScannedCode]) -> Vec<String> {
    codes
        .iter()
        .map(|c| match &c.content {
            ScannedContent::Account { account } => account.to_uri(),
            _ => panic!("not an account"),
        })
        .collect()
}

#[test]
fn strided_camera_frame_is_read_through_the_ffi() {
    let Some(strided) = fixture("qr.strided.y.gz") else {
        return;
    };
    let started = std::time::Instant::now();
    let codes = scan_frame(strided.clone(), 1840, 1380, 1856).unwrap();
    println!("strided frame: {:?}", started.elapsed());
    assert_eq!(
        accounts(&codes),
        [OtpAccount::from_uri(EXPECTED.into()).unwrap().to_uri()]
    );
    let packed: Vec<u8> = strided
        .chunks(1856)
        .flat_map(|row| row[..1840].iter().copied())
        .collect();
    let codes = scan_frame(packed, 1840, 1380, 1840).unwrap();
    assert_eq!(
        accounts(&codes),
        [OtpAccount::from_uri(EXPECTED.into()).unwrap().to_uri()]
    );
}
