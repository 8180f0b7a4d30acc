#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! The scanner against drawings it did not make itself: `qrcode`'s symbols at every version and
//! error correction level, a terminal rendering turned back into pixels, frames with padding,
//! real camera frames from a phone, and hostile bytes.

use std::io::{Cursor, Read};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use image::{DynamicImage, GrayImage};
use jeton_core::draw::{Ecc, Qr};
use jeton_core::intake::Content;
use jeton_core::scan::{self, ScanError, ScannedCode};
use jeton_core::uri::UriError;

#[path = "support/images.rs"]
mod images;
use images::png;

const URI: &str = "otpauth://totp/neo4j:Charlotte?secret=B33WS2ALPT34K4BNY24AYROE4M&issuer=neo4j";

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn gray_of_png(png: &[u8]) -> GrayImage {
    image::load_from_memory(png).unwrap().into_luma8()
}

fn payloads(codes: &[ScannedCode]) -> Vec<&str> {
    codes.iter().map(|c| c.payload.as_str()).collect()
}

/// The longest prefix of an `otpauth://totp/...` text that fits `version` at `ecc`, so that
/// the whole symbol carries data, not padding.
fn filling_text(version: u8, ecc: Ecc, rng: &mut Rng) -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ234567=&?";
    let mut text = String::from("otpauth://totp/");
    while text.len() < 3000 {
        text.push(char::from(
            ALPHABET[rng.below(ALPHABET.len() as u64) as usize],
        ));
    }
    let (mut lo, mut hi) = (1usize, text.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if Qr::with_version(&text[..mid], version, ecc).is_ok() {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    text.truncate(lo);
    text
}

#[test]
fn every_version_and_error_correction_level_round_trips() {
    let mut rng = Rng(0x5eed_0001);
    let mut failures = Vec::new();
    for version in 1..=40u8 {
        for ecc in Ecc::ALL {
            let text = filling_text(version, ecc, &mut rng);
            let qr = Qr::with_version(&text, version, ecc).unwrap();
            assert_eq!(qr.version(), version);
            // 3 px per module for the largest codes keeps the test quick; 4 for the rest.
            let px = if version > 25 { 3 } else { 4 };
            let codes = scan::scan_image(&qr.png(px).unwrap()).unwrap();
            if payloads(&codes) != [text.as_str()] {
                failures.push(format!("version {version} {ecc:?}: found {}", codes.len()));
            }
        }
    }
    assert!(failures.is_empty(), "not read back: {failures:#?}");
}

#[test]
fn a_code_is_found_once_with_its_corners() {
    let qr = Qr::new(URI, Ecc::Medium).unwrap();
    let px = 6;
    let codes = scan::scan_image(&qr.png(px).unwrap()).unwrap();
    assert_eq!(codes.len(), 1, "{codes:?}");
    let code = &codes[0];
    assert_eq!(code.payload, URI);
    let Content::Account(account) = Content::classify(&code.payload) else {
        panic!("not an account: {code:?}")
    };
    assert_eq!(account.issuer.as_deref(), Some("neo4j"));
    assert_eq!(account.name, "Charlotte");
    // The symbol starts after the 4-module quiet zone and spans `modules` modules.
    let start = (4 * px) as f32;
    let end = start + (qr.modules() as u32 * px) as f32;
    let expected = [(start, start), (end, start), (end, end), (start, end)];
    for (corner, (x, y)) in code.corners.iter().zip(expected) {
        assert!(
            (corner.x - x).abs() <= px as f32 && (corner.y - y).abs() <= px as f32,
            "corner {corner:?}, expected about ({x}, {y})"
        );
    }
}

#[test]
fn debug_output_hides_an_account_payload() {
    let codes = scan::scan_image(&Qr::new(URI, Ecc::Low).unwrap().png(4).unwrap()).unwrap();
    let debug = format!("{codes:?}");
    assert!(!debug.contains("B33WS2ALPT34K4BNY24AYROE4M"), "{debug}");
}

#[test]
fn payloads_are_classified() {
    let cases = [
        ("https://example.com/", Content::Text),
        (
            "otpauth-migration://offline?data=CjEKCkhlbGxvId6tvu8SBWFsaWNl",
            Content::Migration,
        ),
        (
            "otpauth://totp/Example:alice?issuer=Example",
            Content::InvalidAccount(UriError::MissingSecret),
        ),
    ];
    for (text, expected) in cases {
        let codes = scan::scan_image(&Qr::new(text, Ecc::Medium).unwrap().png(4).unwrap()).unwrap();
        assert_eq!(payloads(&codes), [text]);
        assert_eq!(Content::classify(&codes[0].payload), expected, "{text}");
    }
}

#[test]
fn dark_mode_codes_are_read() {
    let mut gray = gray_of_png(&Qr::new(URI, Ecc::Medium).unwrap().png(5).unwrap());
    image::imageops::invert(&mut gray);
    // A dark-mode screen is not pure black: lift the blacks.
    for p in gray.pixels_mut() {
        p.0[0] = 30 + (u16::from(p.0[0]) * 200 / 255) as u8;
    }
    let codes = scan::scan_image(&png(&gray)).unwrap();
    assert_eq!(payloads(&codes), [URI]);
}

#[test]
fn several_codes_in_one_image_are_all_found() {
    let texts = [
        URI,
        "otpauth://hotp/Two?secret=JBSWY3DPEHPK3PXP&counter=3",
        "hello",
    ];
    let mut canvas = GrayImage::from_pixel(1200, 500, image::Luma([255]));
    for (i, text) in texts.iter().enumerate() {
        let code = gray_of_png(&Qr::new(text, Ecc::Medium).unwrap().png(5).unwrap());
        image::imageops::overlay(&mut canvas, &code, 20 + 400 * i as i64, 40);
    }
    let codes = scan::scan_image(&png(&canvas)).unwrap();
    let mut found = payloads(&codes);
    found.sort_unstable();
    let mut expected = texts.to_vec();
    expected.sort_unstable();
    assert_eq!(found, expected);
}

#[test]
fn small_codes_of_two_pixels_per_module_are_read() {
    let png = Qr::new(URI, Ecc::Medium).unwrap().png(2).unwrap();
    assert_eq!(payloads(&scan::scan_image(&png).unwrap()), [URI]);
}

#[test]
fn a_lossy_webp_photo_that_libwebp_wrote_is_read() {
    // tests/data/README.md: drawn by segno, encoded by libwebp (OpenCV), read by zxing-cpp too.
    let webp = include_bytes!("data/qr-lossy.webp");
    let codes = scan::scan_image(webp).unwrap();
    assert_eq!(
        payloads(&codes),
        ["otpauth://totp/Omnivox:2412345?secret=JBSWY3DPEHPK3PXP&issuer=Omnivox"]
    );
}

#[test]
fn jpeg_screenshots_are_read() {
    let gray = gray_of_png(&Qr::new(URI, Ecc::Medium).unwrap().png(4).unwrap());
    let mut jpeg = Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 30)
        .encode_image(&DynamicImage::ImageLuma8(gray))
        .unwrap();
    assert_eq!(payloads(&scan::scan_image(jpeg.get_ref()).unwrap()), [URI]);
}

/// Puts a gray image into a frame buffer whose rows are `stride` bytes, the padding filled with
/// noise that must not be read as pixels.
fn strided(gray: &GrayImage, stride: usize, rng: &mut Rng) -> Vec<u8> {
    let w = gray.width() as usize;
    let mut frame: Vec<u8> = (0..stride * gray.height() as usize)
        .map(|_| rng.below(256) as u8)
        .collect();
    for (y, row) in gray.as_raw().chunks_exact(w).enumerate() {
        frame[y * stride..y * stride + w].copy_from_slice(row);
    }
    frame
}

#[test]
fn a_frame_with_a_row_stride_wider_than_its_width_is_read_in_place() {
    let code = gray_of_png(&Qr::new(URI, Ecc::Medium).unwrap().png(5).unwrap());
    let mut gray = GrayImage::from_pixel(640, 480, image::Luma([200]));
    image::imageops::overlay(&mut gray, &code, 150, 60);
    let stride = 640 + 64;
    let frame = strided(&gray, stride, &mut Rng(7));
    let codes = scan::scan_frame(&frame, 640, 480, stride as u32).unwrap();
    assert_eq!(payloads(&codes), [URI]);
    // The same bytes read as if unpadded are sheared garbage.
    let sheared = scan::scan_frame(&frame, 640, 480, 640).unwrap();
    assert!(sheared.is_empty(), "{sheared:?}");
    // The last row may end at the width.
    let trimmed = &frame[..frame.len() - 64];
    assert_eq!(
        payloads(&scan::scan_frame(trimmed, 640, 480, stride as u32).unwrap()),
        [URI]
    );
}

#[test]
fn frames_that_do_not_fit_their_buffer_are_refused() {
    let frame = vec![0u8; 100];
    assert!(matches!(
        scan::scan_frame(&frame, 20, 10, 20),
        Err(ScanError::InvalidFrame { .. })
    ));
    assert!(matches!(
        scan::scan_frame(&frame, 10, 10, 9),
        Err(ScanError::InvalidFrame { .. })
    ));
    assert!(matches!(
        scan::scan_frame(&frame, 0, 10, 10),
        Err(ScanError::Empty { .. })
    ));
    assert!(matches!(
        scan::scan_frame(&frame, 100_000, 100_000, 100_000),
        Err(ScanError::TooLarge { .. })
    ));
}

/// Draws terminal text the way a terminal shows it: light glyphs on a dark background, each
/// character cell `cell_w` × `cell_h` pixels, the half blocks filling the top or bottom half.
fn screenshot_of_terminal(text: &str, cell_w: u32, cell_h: u32) -> GrayImage {
    let lines: Vec<Vec<char>> = text.lines().map(|l| l.chars().collect()).collect();
    let cols = lines.iter().map(Vec::len).max().unwrap() as u32;
    let (fg, bg) = (220u8, 28u8);
    let margin = 2 * cell_w;
    let mut image = GrayImage::from_pixel(
        cols * cell_w + 2 * margin,
        lines.len() as u32 * cell_h + 2 * margin,
        image::Luma([bg]),
    );
    for (row, line) in lines.iter().enumerate() {
        for (col, ch) in line.iter().enumerate() {
            let (top, bottom) = match ch {
                '█' => (true, true),
                '▀' => (true, false),
                '▄' => (false, true),
                ' ' => (false, false),
                other => panic!("unexpected character {other:?}"),
            };
            for dy in 0..cell_h {
                let lit = if dy < cell_h / 2 { top } else { bottom };
                if !lit {
                    continue;
                }
                for dx in 0..cell_w {
                    let x = margin + col as u32 * cell_w + dx;
                    let y = margin + row as u32 * cell_h + dy;
                    image.put_pixel(x, y, image::Luma([fg]));
                }
            }
        }
    }
    image
}

#[test]
fn a_screenshot_of_the_terminal_rendering_is_read() {
    let text = jeton_core::draw::terminal(URI).unwrap();
    for (cell_w, cell_h) in [(8, 16), (9, 18), (6, 12)] {
        let shot = screenshot_of_terminal(&text, cell_w, cell_h);
        let codes = scan::scan_image(&png(&shot)).unwrap();
        assert_eq!(payloads(&codes), [URI], "cells of {cell_w}x{cell_h}");
    }
}

#[test]
fn random_and_corrupt_images_never_panic_and_return_quickly() {
    let mut rng = Rng(0xbad_1dea);
    let limit = Duration::from_secs(if cfg!(debug_assertions) { 5 } else { 1 });
    let check = |what: &str, result: Result<Vec<ScannedCode>, ScanError>, took: Duration| {
        assert!(took < limit, "{what} took {took:?}");
        if let Ok(codes) = result {
            // Noise decodes to nothing; a corrupted drawing decodes to its text or nothing.
            assert!(codes.iter().all(|c| c.payload == URI), "{what}: {codes:?}");
        }
    };
    // Noise frames of assorted sizes, including slivers.
    for (w, h) in [
        (1, 1),
        (3, 500),
        (500, 3),
        (64, 64),
        (640, 480),
        (1280, 720),
    ] {
        let frame: Vec<u8> = (0..w * h).map(|_| rng.below(256) as u8).collect();
        let start = Instant::now();
        let result = scan::scan_frame(&frame, w as u32, h as u32, w as u32);
        check(&format!("noise {w}x{h}"), result, start.elapsed());
    }
    // Blocky noise: lots of square dark blobs, the kind that looks like finder patterns.
    let mut blocky = GrayImage::new(800, 600);
    for (x, y, p) in blocky.enumerate_pixels_mut() {
        let cell = u64::from(x / 6) * 1009 + u64::from(y / 6) * 7919;
        p.0[0] = if (cell.wrapping_mul(0x9E37_79B9) >> 7) % 2 == 0 {
            0
        } else {
            255
        };
    }
    let start = Instant::now();
    check(
        "blocky noise",
        scan::scan_image(&png(&blocky)),
        start.elapsed(),
    );

    // A valid drawing, truncated and bit-flipped.
    let png = Qr::new(URI, Ecc::Medium).unwrap().png(4).unwrap();
    for cut in [0, 1, 8, 16, 33, png.len() / 2, png.len() - 1] {
        let start = Instant::now();
        check("truncated", scan::scan_image(&png[..cut]), start.elapsed());
    }
    for _ in 0..200 {
        let mut bad = png.clone();
        for _ in 0..1 + rng.below(8) {
            let i = rng.below(bad.len() as u64) as usize;
            bad[i] ^= 1 << rng.below(8);
        }
        let start = Instant::now();
        check("bit-flipped", scan::scan_image(&bad), start.elapsed());
    }
}

/// The shared fixtures folder beside the repository, if it is there.
fn fixtures() -> Option<PathBuf> {
    fixture_folder("other-apps-exports")
}

/// A folder of the shared fixtures beside the repository, if it is there.
fn fixture_folder(name: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures")
        .join(name);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is absent", dir.display());
        None
    }
}

fn gunzip(path: &PathBuf) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[test]
fn real_camera_frames_from_a_phone_are_read() {
    let Some(dir) = fixtures() else { return };
    const EXPECTED: &str = "otpauth://totp/neo4j:Charlotte?secret=B33WS2ALPT34K4BNY24AYROE4M&issuer=neo4j&algorithm=SHA1&digits=6&period=30";
    let plain = gunzip(&dir.join("qr.y.gz"));
    assert_eq!(plain.len(), 1600 * 1200);
    let codes = scan::scan_frame(&plain, 1600, 1200, 1600).unwrap();
    assert_eq!(payloads(&codes), [EXPECTED]);
    assert!(matches!(
        Content::classify(&codes[0].payload),
        Content::Account(_)
    ));

    let strided = gunzip(&dir.join("qr.strided.y.gz"));
    let codes = scan::scan_frame(&strided, 1840, 1380, 1856).unwrap();
    assert_eq!(payloads(&codes), [EXPECTED]);
    let codes = scan::scan_frame(&strided, 1840, 1380, 1840).unwrap();
    assert!(codes.is_empty(), "read with the wrong stride: {codes:?}");
}

#[test]
fn qr_model_1_codes_that_other_generators_wrote_are_read() {
    // zxing-cpp's test photos: a Model 1 code, and one made by a generator that writes Model 1
    // (its format information under Model 1's mask), each with its text in a `.txt` beside it.
    let Some(dir) = fixture_folder("qr-photos-zxing-cpp/qrcode-2") else {
        return;
    };
    for name in ["qr-model-1", "#940"] {
        let image = std::fs::read(dir.join(format!("{name}.png"))).unwrap();
        let expected = std::fs::read_to_string(dir.join(format!("{name}.txt"))).unwrap();
        let codes = scan::scan_image(&image).unwrap();
        assert_eq!(payloads(&codes), [expected.as_str()], "{name}");
    }
}

#[test]
fn noise_of_any_size_gives_up_quickly_on_both_paths() {
    // Issue 15: a 1500×1500 random-noise PNG cost 23 s of CPU on the image path (rqrr's own
    // locator, the fallback, has no budget inside a pass and explodes on noise).
    let mut rng = Rng(0x5eed_0015);
    let noise = |w: u32, h: u32, rng: &mut Rng| {
        GrayImage::from_fn(w, h, |_, _| image::Luma([rng.below(256) as u8]))
    };
    let image_limit = Duration::from_secs(2);
    for side in [1500u32, 2400] {
        let png = png(&noise(side, side, &mut rng));
        let start = Instant::now();
        let codes = scan::scan_image(&png).unwrap();
        let took = start.elapsed();
        assert!(codes.is_empty(), "{codes:?}");
        assert!(took < image_limit, "{side}x{side} noise took {took:?}");
    }
    // Camera frames: the frame budget (100 ms), with room for a slow test machine.
    let frame_limit = Duration::from_millis(if cfg!(debug_assertions) { 600 } else { 150 });
    for (w, h) in [(1280u32, 720u32), (1920, 1080)] {
        let frame = noise(w, h, &mut rng);
        let start = Instant::now();
        let codes = scan::scan_frame(frame.as_raw(), w, h, w).unwrap();
        let took = start.elapsed();
        assert!(codes.is_empty(), "{codes:?}");
        assert!(took < frame_limit, "{w}x{h} noise frame took {took:?}");
    }
}
