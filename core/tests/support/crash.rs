//! What the crash tests share (`vault_crash.rs`, SIGKILL; `vault_power_loss.rs`, lost unsynced
//! writes): their run length and seed from the environment, and a small seeded generator, so a
//! failing run can be replayed with the seed it printed.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use jeton_core::otp::OtpParams;
use jeton_core::vault::{AccountId, KdfParams, Vault};
use jeton_core::{Account, Secret};

/// A new vault at `dir/vault.jeton` (test KDF, passphrase `pass`) holding one HOTP account,
/// RFC 4226's secret at counter 0: its path and the account's id.
pub fn vault_with_hotp(dir: &Path, pass: &str) -> (PathBuf, AccountId) {
    let path = dir.join("vault.jeton");
    let mut vault =
        Vault::create_with_kdf(&path, pass, KdfParams::INSECURE_FAST_FOR_TESTS).unwrap();
    let hotp = vault
        .add(Account {
            issuer: Some("Bank".into()),
            name: "hotp".into(),
            secret: Secret::from_slice(b"12345678901234567890"),
            params: OtpParams::hotp(0),
        })
        .unwrap();
    (path, hotp)
}

/// `$name` as a number, or `default`.
pub fn env_count(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `$name` as a seed, or one from the clock (printed by the caller, for a replay).
pub fn env_seed(name: &str) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            let nanos = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_nanos();
            u64::try_from(nanos % u128::from(u64::MAX)).unwrap()
        })
}

/// splitmix64: a seeded generator, good enough to pick kill moments and operations.
pub struct Rng(pub u64);

impl Rng {
    /// The next 64 random bits.
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number below `n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}
