//! `scan_image` on arbitrary bytes: PNG, JPEG, GIF and WebP decoding, the pixel limit, then the
//! whole scanner. Panics the scanner catches itself (from `rqrr`) are allowed; one that gets out
//! is a crash.
#![no_main]

use jeton_core::scan;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    jeton_fuzz::let_core_catch_panics();
    let found = jeton_fuzz::no_escaping_panic("scan_image", || scan::scan_image(data));
    if let Ok(codes) = found {
        for code in codes {
            assert!(
                code.corners
                    .iter()
                    .all(|p| p.x.is_finite() && p.y.is_finite())
            );
        }
    }
});
