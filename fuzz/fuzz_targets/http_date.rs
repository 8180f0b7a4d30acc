//! The HTTP `Date` header parser behind the clock check: any text, with request and response
//! instants from the first 16 bytes. An estimate that comes out must be bounded.
#![no_main]

use std::time::{Duration, UNIX_EPOCH};

use jeton_core::ClockOffset;
use jeton_core::clock::MAX_ROUND_TRIP_MS;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 16 {
        return;
    }
    let (times, text) = data.split_at(16);
    let Ok(text) = std::str::from_utf8(text) else {
        return;
    };
    let ms = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap()) >> 8;
    let (Some(sent), Some(received)) = (
        UNIX_EPOCH.checked_add(Duration::from_millis(ms(&times[..8]))),
        UNIX_EPOCH.checked_add(Duration::from_millis(ms(&times[8..]))),
    ) else {
        return;
    };
    if let Ok(offset) = ClockOffset::from_date_header(text, sent, received) {
        assert!(offset.uncertainty_ms() <= MAX_ROUND_TRIP_MS / 2 + 500);
        let _ = offset.seconds();
        let _ = offset.is_significant();
        let _ = offset.corrected(0);
        let _ = offset.corrected(u64::MAX);
    }
});
