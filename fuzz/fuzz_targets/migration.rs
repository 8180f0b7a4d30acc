//! Google Authenticator's `otpauth-migration://` codes. The first byte picks how the rest is
//! read: as the text of one or more URIs (one per line, collected as a batch), or as the raw
//! protobuf payload, wrapped here in a URI so that mutations reach the protobuf decoder.
#![no_main]

use data_encoding::BASE64;
use jeton_core::import::MigrationScans;
use libfuzzer_sys::fuzz_target;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut scans = MigrationScans::new();
    if mode & 1 == 0 {
        let Ok(text) = std::str::from_utf8(rest) else {
            return;
        };
        for line in text.lines().take(64) {
            if let Ok(progress) = scans.add(line) {
                assert!(progress.scanned <= progress.total && progress.index <= progress.total);
                let _ = progress.to_string();
            }
        }
    } else {
        let encoded = BASE64.encode(rest);
        let uri = format!(
            "otpauth-migration://offline?data={}",
            utf8_percent_encode(&encoded, NON_ALPHANUMERIC)
        );
        let _ = scans.add(&uri);
    }
    let _ = scans.is_complete();
    match scans.finish() {
        Ok(imported) => {
            for entry in &imported.entries {
                let _ = entry.account.code_at(1_800_000_000);
            }
        }
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
