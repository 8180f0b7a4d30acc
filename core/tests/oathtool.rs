//! Differential test against `oathtool` (OATH Toolkit, Debian package `oathtool`): thousands of
//! random secrets, times, T0s, periods, algorithms and digit counts, each code compared with the
//! peer's. oathtool writes 6–8 digits; other lengths are checked through the fact that a d-digit
//! code is the last d digits of the same truncated value (RFC 4226 §5.3).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;

use jeton_core::otp::{self, Algorithm, OtpParams};
use jeton_core::{Kind, Secret};
use rand::rngs::StdRng;
use rand::{Rng, RngExt, SeedableRng};

/// Codes per oathtool run (`-w`): one process checks this many consecutive steps.
const WINDOW: u64 = 24;
const RUNS: usize = 160;

fn oathtool(args: &[String]) -> Vec<String> {
    let output = Command::new("oathtool").args(args).output().unwrap_or_else(|e| {
        panic!("oathtool is needed for this test ({e}); install it with scripts/setup or `apt-get install oathtool`")
    });
    assert!(
        output.status.success(),
        "oathtool {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Our code at `step` with `digits`, compared with the peer's code of `peer_digits`.
fn assert_consistent(ours: &str, peer: &str, context: &str) {
    let n = ours.len().min(peer.len());
    assert_eq!(
        &ours[ours.len() - n..],
        &peer[peer.len() - n..],
        "{context}: ours {ours}, oathtool {peer}"
    );
}

fn random_digits(rng: &mut StdRng) -> u8 {
    rng.random_range(1..=10)
}

/// oathtool's digits nearest to ours (6 for fewer, 8 for more).
fn peer_digits(digits: u8) -> u8 {
    digits.clamp(6, 8)
}

#[test]
fn totp_matches_oathtool() {
    let mut rng = StdRng::seed_from_u64(0x006a_6574_6f6e);
    let mut checked = 0;
    for run in 0..RUNS {
        let mut key = vec![0u8; rng.random_range(10..=64)];
        rng.fill_bytes(&mut key);
        let algorithm = [Algorithm::Sha1, Algorithm::Sha256, Algorithm::Sha512][run % 3];
        let digits = random_digits(&mut rng);
        let period: u32 = if rng.random_bool(0.5) {
            [30, 60, 15, 20, 50][rng.random_range(0..5)]
        } else {
            rng.random_range(1..=600)
        };
        let t0: u64 = if rng.random_bool(0.7) {
            0
        } else {
            rng.random_range(0..1_000_000_000)
        };
        let time: u64 = t0 + rng.random_range(0..8_000_000_000);
        let params = OtpParams {
            kind: Kind::Totp,
            algorithm,
            digits,
            period,
            counter: 0,
            t0,
        };
        let peer = oathtool(&[
            format!("--totp={}", algorithm.as_str().to_lowercase()),
            format!("--digits={}", peer_digits(digits)),
            format!("--time-step-size={period}s"),
            format!("--start-time=@{t0}"),
            format!("--now=@{time}"),
            format!("--window={WINDOW}"),
            hex(&key),
        ]);
        assert_eq!(peer.len() as u64, WINDOW + 1);
        let secret = Secret::new(key);
        let first = otp::generate(&secret, &params, time).unwrap();
        assert_eq!(first.step, (time - t0) / u64::from(period));
        for (offset, peer_code) in peer.iter().enumerate() {
            let step = first.step + offset as u64;
            let ours = otp::code_for_step(&secret, &params, step).unwrap();
            assert_eq!(ours.len(), usize::from(digits));
            let context =
                format!("{algorithm} {digits} digits, period {period}, t0 {t0}, step {step}");
            assert_consistent(&ours, peer_code, &context);
            checked += 1;
        }
        // The code at `time` itself, through `generate`, is the first of the window.
        assert_consistent(&first.digits, &peer[0], "generate at time");
    }
    assert_eq!(checked, RUNS * (WINDOW as usize + 1));
    eprintln!("compared {checked} TOTP codes with oathtool");
}

#[test]
fn hotp_matches_oathtool() {
    let mut rng = StdRng::seed_from_u64(4226);
    let mut checked = 0;
    for _ in 0..RUNS / 2 {
        let mut key = vec![0u8; rng.random_range(10..=64)];
        rng.fill_bytes(&mut key);
        let digits = random_digits(&mut rng);
        let counter: u64 = if rng.random_bool(0.5) {
            rng.random_range(0..1000)
        } else {
            rng.random_range(0..u64::MAX - WINDOW)
        };
        let peer = oathtool(&[
            "--hotp".to_owned(),
            format!("--digits={}", peer_digits(digits)),
            format!("--counter={counter}"),
            format!("--window={WINDOW}"),
            hex(&key),
        ]);
        let secret = Secret::new(key);
        for (offset, peer_code) in peer.iter().enumerate() {
            let params = OtpParams {
                digits,
                ..OtpParams::hotp(counter + offset as u64)
            };
            let ours = otp::generate(&secret, &params, 0).unwrap();
            assert_consistent(&ours.digits, peer_code, &format!("counter {}", ours.step));
            checked += 1;
        }
    }
    eprintln!("compared {checked} HOTP codes with oathtool");
}

#[test]
fn verify_accepts_what_oathtool_generates_and_nothing_else() {
    let mut rng = StdRng::seed_from_u64(6238);
    for _ in 0..40 {
        let mut key = vec![0u8; 20];
        rng.fill_bytes(&mut key);
        let time: u64 = rng.random_range(1_000_000..4_000_000_000);
        // oathtool's codes for steps -2..=+2 around `time`.
        let start = time - 60;
        let peer = oathtool(&[
            "--totp".to_owned(),
            format!("--now=@{start}"),
            "--window=4".to_owned(),
            hex(&key),
        ]);
        let secret = Secret::new(key);
        let params = OtpParams::totp();
        let step = time / 30;
        for (offset, code) in peer.iter().enumerate() {
            let code_step = start / 30 + offset as u64;
            let expected = (code_step.abs_diff(step) <= 1).then_some(code_step);
            let got = otp::verify(&secret, &params, code, time, 1).unwrap();
            // A code may repeat across steps by chance (1 in 10^6); only then may it match another.
            if got != expected {
                let collision = peer.iter().filter(|c| *c == code).count() > 1;
                assert!(
                    collision,
                    "code {code} of step {code_step} at step {step}: got {got:?}"
                );
            }
        }
    }
}
