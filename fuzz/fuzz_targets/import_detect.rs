//! Format detection and every import reader, through the public entry point: detected, forced
//! to each format, without a password and (when the file's key derivation is cheap) with one.
#![no_main]

use jeton_core::import::{self, Format};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let detected = import::detect(data);
    if let Some(format) = detected {
        let _ = import::needs_password(data, format);
    }
    let _ = import::read(data, None, None);
    let cheap = jeton_fuzz::cheap_kdf(data);
    if cheap {
        // The fixtures' password, so that the seeds decrypt and the decrypted text is fuzzed.
        let _ = import::read(data, None, Some("test"));
    }
    if detected == Some(Format::AuthenticatorPlus) {
        // Its fixture's password (ZipCrypto: no key derivation), so that the seed's entry is
        // decrypted and inflated, and its text fuzzed.
        let _ = import::read(data, None, Some("testtesttest"));
    }
    for format in Format::ALL {
        if Some(format) != detected {
            let _ = import::read(data, Some(format), None);
            if cheap && matches!(format, Format::Aegis | Format::TwoFas | Format::JetonBackup) {
                let _ = import::read(data, Some(format), Some("test"));
            }
        }
    }
});
