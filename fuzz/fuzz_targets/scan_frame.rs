//! `scan_frame` on an arbitrary luma plane. The first 6 bytes give the width and height (1 to
//! 1024 each), the row stride (the width plus 0..15, or less than the width to test the
//! refusal) and whether the plane is the remaining bytes as they are (often too short: refused)
//! or those bytes repeated to fill the frame.
#![no_main]

use jeton_core::scan::{self, ScanError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if data.len() < 6 {
        return;
    }
    let (head, pixels) = data.split_at(6);
    let width = 1 + u32::from(u16::from_le_bytes([head[0], head[1]])) % 1024;
    let height = 1 + u32::from(u16::from_le_bytes([head[2], head[3]])) % 1024;
    let flags = head[5];
    let stride = if flags & 0x80 != 0 {
        width.saturating_sub(u32::from(head[4] % 4))
    } else {
        width + u32::from(head[4] % 16)
    };
    let needed = (stride * (height - 1) + width) as usize;
    let plane: Vec<u8> = if flags & 1 != 0 && !pixels.is_empty() {
        pixels.iter().copied().cycle().take(needed).collect()
    } else {
        pixels.to_vec()
    };
    jeton_fuzz::let_core_catch_panics();
    let result = jeton_fuzz::no_escaping_panic("scan_frame", || {
        scan::scan_frame(&plane, width, height, stride)
    });
    match result {
        Ok(_) => assert!(
            stride >= width && plane.len() >= needed,
            "a malformed frame was scanned"
        ),
        Err(ScanError::InvalidFrame { .. }) => assert!(stride < width || plane.len() < needed),
        Err(e) => panic!("unexpected error for a {width}x{height} frame: {e}"),
    }
});
