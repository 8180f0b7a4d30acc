//! Argon2id, the one passphrase KDF Jeton writes, with its one cost type.

use argon2::{Algorithm, Argon2, Params, Version};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use super::{KEY_LEN, Key};

/// The fewest characters (Unicode scalar values) a new passphrase may have, for a vault, a
/// backup or a sync recovery key alike. Opening never checks it, so what was made before the
/// rule still opens.
pub const MIN_PASSPHRASE_CHARS: usize = 8;
/// Argon2id costs (version 0x13), for vault passphrase slots and backups alike.
///
/// Costs a caller chooses are checked with [`KdfParams::check_chosen`] (not below OWASP's
/// minimum, not above the ceiling); costs read from a file with [`KdfParams::check_stored`]
/// (not above the ceiling, so a crafted file cannot make Jeton allocate gigabytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub memory_kib: u32,
    /// Passes over memory.
    pub iterations: u32,
    /// Lanes.
    pub parallelism: u32,
}

impl KdfParams {
    /// The defaults for new passphrases: 64 MiB, 3 passes, 1 lane. About 0.15 s on the
    /// development machine's core, so about half a second on a phone-class core, and above
    /// OWASP's floor on every axis. See docs/adr/0001-vault-format.md.
    pub const DEFAULT: Self = Self {
        memory_kib: 64 * 1024,
        iterations: 3,
        parallelism: 1,
    };

    /// OWASP's minimum for Argon2id (19 MiB, t=2, p=1): the floor of every chosen cost.
    pub const OWASP_MINIMUM: Self = Self {
        memory_kib: 19 * 1024,
        iterations: 2,
        parallelism: 1,
    };

    /// The ceiling of every cost, chosen or read from a file: 1 GiB, 64 passes, 16 lanes.
    pub const MAXIMUM: Self = Self {
        memory_kib: 1 << 20,
        iterations: 64,
        parallelism: 16,
    };

    /// Very cheap costs, **for tests only** (the `test-params` feature, which test, bench and
    /// binding-test builds enable), where the KDF is not what is being tested.
    #[cfg(any(test, feature = "test-params"))]
    pub const INSECURE_FAST_FOR_TESTS: Self = Self {
        memory_kib: 8,
        iterations: 1,
        parallelism: 1,
    };

    #[cfg(not(any(test, feature = "test-params")))]
    const FLOOR: Self = Self::OWASP_MINIMUM;
    #[cfg(any(test, feature = "test-params"))]
    const FLOOR: Self = Self::INSECURE_FAST_FOR_TESTS;

    /// Refuses costs above [`KdfParams::MAXIMUM`] or that Argon2 cannot run (for costs read
    /// from a file: what a file asks for can be cheap, never a cost bomb).
    pub fn check_stored(&self) -> Result<(), KdfError> {
        let max = Self::MAXIMUM;
        if self.memory_kib > max.memory_kib
            || self.iterations > max.iterations
            || self.parallelism > max.parallelism
        {
            return Err(KdfError::AboveCeiling(*self));
        }
        self.argon2().map(|_| ())
    }

    /// [`KdfParams::check_stored`], and refuses costs below OWASP's minimum (for costs a
    /// caller chooses: a new vault, a new passphrase, a new backup).
    pub fn check_chosen(&self) -> Result<(), KdfError> {
        let min = Self::FLOOR;
        if self.memory_kib < min.memory_kib
            || self.iterations < min.iterations
            || self.parallelism < min.parallelism
        {
            return Err(KdfError::BelowFloor(*self));
        }
        self.check_stored()
    }

    fn argon2(&self) -> Result<Argon2<'static>, KdfError> {
        let params = Params::new(
            self.memory_kib,
            self.iterations,
            self.parallelism,
            Some(KEY_LEN),
        )
        .map_err(|_| KdfError::Unusable(*self))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    /// Derives a key from a passphrase and salt. Costs above the ceiling are refused first.
    pub fn derive(&self, passphrase: &str, salt: &[u8]) -> Result<Key, KdfError> {
        self.check_stored()?;
        let mut out = Zeroizing::new([0u8; KEY_LEN]);
        self.argon2()?
            .hash_password_into(passphrase.as_bytes(), salt, out.as_mut_slice())
            .map_err(|_| KdfError::Unusable(*self))?;
        Key::from_slice(out.as_slice()).ok_or(KdfError::Unusable(*self))
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Argon2id costs Jeton refuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KdfError {
    /// Below OWASP's minimum (19 MiB, 2 passes, 1 lane).
    #[error(
        "Argon2id costs of {} KiB, {} passes, {} lanes are below the minimum of 19456 KiB, 2 passes, 1 lane",
        .0.memory_kib, .0.iterations, .0.parallelism
    )]
    BelowFloor(KdfParams),
    /// Above the ceiling (1 GiB, 64 passes, 16 lanes).
    #[error(
        "Argon2id costs of {} KiB, {} passes, {} lanes are above the maximum of 1048576 KiB, 64 passes, 16 lanes",
        .0.memory_kib, .0.iterations, .0.parallelism
    )]
    AboveCeiling(KdfParams),
    /// Argon2 refused them (e.g. no pass, or less memory than 8 KiB per lane) or could not
    /// allocate their memory.
    #[error(
        "Argon2id cannot run with {} KiB, {} passes, {} lanes",
        .0.memory_kib, .0.iterations, .0.parallelism
    )]
    Unusable(KdfParams),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derivation_is_deterministic_and_depends_on_salt_and_cost() {
        let kdf = KdfParams::INSECURE_FAST_FOR_TESTS;
        let a = kdf.derive("pass", b"saltsaltsaltsalt").unwrap();
        let b = kdf.derive("pass", b"saltsaltsaltsalt").unwrap();
        let c = kdf.derive("pass", b"saltsaltsaltsalu").unwrap();
        let d = KdfParams {
            iterations: 2,
            ..kdf
        }
        .derive("pass", b"saltsaltsaltsalt")
        .unwrap();
        assert_eq!(a.expose(), b.expose());
        assert_ne!(a.expose(), c.expose());
        assert_ne!(a.expose(), d.expose());
    }

    #[test]
    fn argon2id_matches_the_reference_implementation() {
        // RFC 9106 §5.3 uses a secret and associated data, which Jeton does not; this is the
        // reference implementation's own Argon2id vector (phc-winner-argon2 src/test.c:
        // v=19, m=2^16, t=2, p=1, "password", "somesalt").
        let key = KdfParams {
            memory_kib: 65536,
            iterations: 2,
            parallelism: 1,
        }
        .derive("password", b"somesalt")
        .unwrap();
        assert_eq!(
            data_encoding::HEXLOWER.encode(key.expose()),
            "09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7"
        );
    }

    #[test]
    fn the_default_is_within_floor_and_ceiling() {
        assert_eq!(KdfParams::DEFAULT.check_chosen(), Ok(()));
        assert_eq!(KdfParams::OWASP_MINIMUM.check_chosen(), Ok(()));
        assert_eq!(KdfParams::MAXIMUM.check_stored(), Ok(()));
        let d = KdfParams::DEFAULT;
        let o = KdfParams::OWASP_MINIMUM;
        assert!(d.memory_kib >= o.memory_kib && d.iterations >= o.iterations);
    }

    #[test]
    fn cost_bombs_are_refused_before_work() {
        let bomb = KdfParams {
            memory_kib: u32::MAX,
            ..KdfParams::DEFAULT
        };
        assert_eq!(bomb.check_stored(), Err(KdfError::AboveCeiling(bomb)));
        assert_eq!(
            bomb.derive("pw", b"saltsaltsaltsalt").err(),
            Some(KdfError::AboveCeiling(bomb))
        );
        let zero = KdfParams {
            memory_kib: 0,
            iterations: 0,
            parallelism: 0,
        };
        assert!(zero.check_chosen().is_err());
        assert!(zero.check_stored().is_err());
    }
}
