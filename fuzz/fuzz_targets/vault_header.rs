//! The vault header, as someone with write access to the vault file would attack it: the input
//! replaces the header of a real vault, with a matching checksum (a checksum is no defence
//! against a writer), and the vault is opened and unlocked. Unlocking may fail; it must never
//! panic, nor show an account the vault does not hold. The passphrase slot is only tried when
//! every passphrase slot in the input asks for a cheap key derivation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};

/// Whether every passphrase slot of the header bytes is cheap to try (a header this cannot
/// read is cheap: the vault refuses it before any slot is tried).
fn cheap_slots(bytes: &[u8]) -> bool {
    fn read(bytes: &[u8]) -> Option<bool> {
        let mut at = 8 + 2 + 16;
        let take = |at: &mut usize, n: usize| -> Option<&[u8]> {
            let slice = bytes.get(*at..at.checked_add(n)?)?;
            *at += n;
            Some(slice)
        };
        let u32_at = |at: &mut usize| -> Option<u64> {
            take(at, 4).map(|b| u64::from(u32::from_be_bytes(b.try_into().unwrap())))
        };
        let canary = u32_at(&mut at)?;
        take(&mut at, usize::try_from(canary).ok()?)?;
        let count = *take(&mut at, 1)?.first()?;
        let mut cheap = true;
        for _ in 0..count {
            match *take(&mut at, 1)?.first()? {
                1 => {
                    let (m, t, p) = (u32_at(&mut at)?, u32_at(&mut at)?, u32_at(&mut at)?);
                    let refused = m > 1 << 20 || t > 64 || p > 16;
                    cheap &= refused || m * t <= 4096;
                    take(&mut at, 16)?;
                }
                2 => {}
                _ => return None,
            }
            let wrapped = u32_at(&mut at)?;
            take(&mut at, usize::try_from(wrapped).ok()?)?;
        }
        Some(cheap)
    }
    read(bytes).unwrap_or(true)
}

fuzz_target!(|data: &[u8]| {
    let template = jeton_fuzz::vault::template();
    let sum = Sha256::digest(data).to_vec();
    template.copy_with(|conn| {
        for (name, value) in [("header", data), ("header_sum", &sum[..])] {
            conn.execute("UPDATE meta SET value = ?2 WHERE name = ?1", (name, value))
                .unwrap();
        }
    });
    template.open_and_check(cheap_slots(data));
});
