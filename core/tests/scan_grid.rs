#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Several codes in one screenshot, drawn by `qrencode` (an independent encoder, run at test time;
//! each test is skipped with a message when it is not installed): every code is given, each once.
//!
//! The shapes are those of `scripts/scan/corpus.py`'s "multi_grid" category: a grid of twelve
//! codes with quiet zones of two modules between neighbours (36 finder patterns, and squares of
//! finders across neighbouring codes as good as each code's own), the same in dark mode, and a
//! grid where one code's finder pattern can't be seen by the row scan; and a code printed inside
//! another code's data.

use image::{GrayImage, Luma};
use jeton_core::scan;

#[path = "support/images.rs"]
mod images;
use images::{png, qrencode, qrencode_at};

/// Twelve distinct enrolment URIs of one site (same secret length: codes of one version).
fn uris() -> Vec<String> {
    const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    (0..12u64)
        .map(|i| {
            let secret: String = (0..32u64)
                .map(|k| char::from(B32[((i * 7919 + k * 104_729) % 32) as usize]))
                .collect();
            format!("otpauth://totp/Omnivox:student{i:02}?secret={secret}&issuer=Omnivox")
        })
        .collect()
}

/// The codes side by side in rows of `cols`, on a page with a margin, as a PNG; `None` when
/// qrencode is absent.
fn grid(texts: &[String], cols: usize, px: u32) -> Option<GrayImage> {
    let codes: Vec<GrayImage> = texts
        .iter()
        .map(|t| qrencode(t, px, 1))
        .collect::<Option<_>>()?;
    let side = codes.iter().map(GrayImage::width).max().unwrap();
    let rows = texts.len().div_ceil(cols) as u32;
    let margin = 40;
    let mut page = GrayImage::from_pixel(
        2 * margin + side * cols as u32,
        2 * margin + side * rows,
        Luma([250]),
    );
    for (i, code) in codes.iter().enumerate() {
        let (col, row) = ((i % cols) as u32, (i / cols) as u32);
        image::imageops::overlay(
            &mut page,
            code,
            i64::from(margin + col * side),
            i64::from(margin + row * side),
        );
    }
    Some(page)
}

/// Scans the image as a file and checks that each of `texts` comes out exactly once.
fn assert_each_once(gray: &GrayImage, texts: &[String]) {
    let codes = scan::scan_image(&png(gray)).unwrap();
    let mut found: Vec<&str> = codes.iter().map(|c| c.payload.as_str()).collect();
    found.sort_unstable();
    let mut expected: Vec<&str> = texts.iter().map(String::as_str).collect();
    expected.sort_unstable();
    assert_eq!(found, expected);
}

fn skipped() {
    eprintln!("skipped: qrencode is not installed");
}

#[test]
fn a_grid_of_twelve_codes_gives_each_once() {
    // 3 columns by 4 rows, 4 pixels per module: 36 finder patterns, more than one round of
    // grouping takes, and many squares across neighbouring codes.
    let texts = uris();
    let Some(page) = grid(&texts, 3, 4) else {
        return skipped();
    };
    assert_each_once(&page, &texts);
}

#[test]
fn a_dark_mode_grid_of_twelve_codes_gives_each_once() {
    // Light modules on a dark page, 4 columns by 3 rows.
    let texts = uris();
    let Some(mut page) = grid(&texts, 4, 3) else {
        return skipped();
    };
    image::imageops::invert(&mut page);
    assert_each_once(&page, &texts);
}

#[test]
fn a_code_beside_others_is_read_from_two_finders_when_the_rows_miss_its_third() {
    // 6 pixels per module; light lines one pixel wide along the module boundaries of the
    // top-left finder pattern of the middle code cut every row through it into one-module runs,
    // while each module's centre still reads right (a finder blurred or broken by a JPEG).
    let texts = &uris()[..3];
    let px = 6;
    let Some(mut page) = grid(texts, 3, px) else {
        return skipped();
    };
    let side = qrencode(&texts[1], px, 1).unwrap().width();
    // The middle code's top-left finder: 7 modules from one module in (the margin).
    let (left, top) = (40 + side + px, 40 + px);
    for y in top..top + 7 * px {
        for k in 1..7 {
            page.put_pixel(left + k * px, y, Luma([250]));
        }
    }
    assert_each_once(&page, texts);
}

#[test]
fn a_code_inside_another_codes_data_is_read_too() {
    // A "double" code: a large one at level H with a light square over the middle of its data
    // (within what its error correction restores), and a small code with its own quiet zone
    // printed in that square, its modules under half the large one's. As in qrcode-2/16 of
    // zxing-cpp's photos, the rows miss one of the small code's finders (cut into one-module
    // runs as above), so it is read from two, inside the large code.
    let outer_text = "https://example.com/double/outer?campaign=2026&page=students";
    let inner_text = "otpauth://totp/Omnivox:2412345?secret=JBSWY3DPEHPK3PXP&issuer=Omnivox";
    let (Some(mut page), Some(inner)) = (
        qrencode_at(outer_text, 'H', 12, 4),
        qrencode(inner_text, 4, 2),
    ) else {
        return skipped();
    };
    let side = page.width();
    let hole = inner.width() + 8;
    let corner = (side - hole) / 2;
    for y in corner..corner + hole {
        for x in corner..corner + hole {
            page.put_pixel(x, y, Luma([255]));
        }
    }
    let at = corner + 4;
    image::imageops::overlay(&mut page, &inner, i64::from(at), i64::from(at));
    // The small code's bottom-left finder: 7 modules from two modules in (its margin).
    let (px, n) = (4, inner.width() / 4 - 4);
    let (left, top) = (at + 2 * px, at + (2 + n - 7) * px);
    for y in top..top + 7 * px {
        for k in 1..7 {
            page.put_pixel(left + k * px, y, Luma([255]));
        }
    }
    assert_each_once(&page, &[outer_text.to_string(), inner_text.to_string()]);
}
