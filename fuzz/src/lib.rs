//! Helpers shared by the fuzz targets: keeping key derivations cheap, letting the scanner catch
//! its own panics, a small real vault to tamper with, and a real sync store.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod sync;
pub mod vault;

use std::sync::Once;

/// Whether every key derivation an export or backup asks for is cheap enough to run on each
/// fuzz input. Costs above core's own limits count as cheap: core refuses them before any work.
/// Of the files that are not JSON, andOTP, FreeOTP 2 and Authenticator Pro backups derive
/// keys at costs they name or fix; the others derive none or a cheap one.
pub fn cheap_kdf(data: &[u8]) -> bool {
    // Authenticator Pro's current backups: Argon2id at a fixed 64 MiB, 3 passes.
    if data.starts_with(b"AUTHENTICATORPRO") {
        return false;
    }
    // andOTP's encrypted backups: PBKDF2 iterations in a 4-byte big-endian header.
    if let Some(header) = data.first_chunk::<4>()
        && data[0] == 0
        && u32::from_be_bytes(*header) > 10_000
    {
        return false;
    }
    // FreeOTP 2 backups: PBKDF2 iterations in the master key's JSON, inside XML.
    if let Some(at) = data.windows(11).position(|w| w == b"mIterations") {
        let digits: String = data[at..]
            .iter()
            .skip_while(|b| !b.is_ascii_digit())
            .take_while(|b| b.is_ascii_digit())
            .map(|b| char::from(*b))
            .collect();
        if digits.parse::<u64>().map_or(true, |n| n > 10_000) {
            return false;
        }
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return true;
    };
    let mut cheap = true;
    walk(&value, &mut |object| {
        let num = |key: &str| object.get(key).and_then(serde_json::Value::as_u64);
        // Aegis: scrypt n, r, p (core refuses above 256 MiB or p > 4).
        if let (Some(n), Some(r)) = (num("n"), num("r")) {
            let p = num("p").unwrap_or(1);
            let memory = n.saturating_mul(r).saturating_mul(128);
            let refused = memory > 256 << 20 || p > 4;
            cheap &= refused || memory.saturating_mul(p) <= 4 << 20;
        }
        // Jeton backups: Argon2id (core refuses above 1 GiB, 64 passes, 16 lanes).
        if let Some(memory_kib) = num("memory_kib") {
            let iterations = num("iterations").unwrap_or(1);
            let refused =
                memory_kib > 1 << 20 || iterations > 64 || num("parallelism").unwrap_or(1) > 16;
            cheap &= refused || memory_kib.saturating_mul(iterations) <= 4096;
        }
        // Ente encrypted exports: Argon2id memLimit (bytes) and opsLimit, same ceiling.
        if let Some(mem_limit) = num("memLimit") {
            let memory_kib = mem_limit / 1024;
            let passes = num("opsLimit").unwrap_or(1);
            let refused = memory_kib > 1 << 20 || passes > 64;
            cheap &= refused || memory_kib.saturating_mul(passes) <= 4096;
        }
    });
    cheap
}

fn walk(
    value: &serde_json::Value,
    visit: &mut dyn FnMut(&serde_json::Map<String, serde_json::Value>),
) {
    match value {
        serde_json::Value::Object(object) => {
            visit(object);
            object.values().for_each(|v| walk(v, visit));
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, visit)),
        _ => {}
    }
}

/// The scanner catches panics of `rqrr` on purpose (a broken grid must not crash the app), but
/// libFuzzer's panic hook aborts on every panic, caught or not. This replaces the hook with a
/// silent one; the targets then catch what escapes the scanner themselves and abort on it.
pub fn let_core_catch_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| std::panic::set_hook(Box::new(|_| {})));
}

/// Runs `f`; a panic that gets out of it is a finding: print it and abort, as libFuzzer expects.
pub fn no_escaping_panic<T>(what: &str, f: impl FnOnce() -> T) -> T {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(value) => value,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            eprintln!("{what} panicked: {message}");
            std::process::abort();
        }
    }
}
