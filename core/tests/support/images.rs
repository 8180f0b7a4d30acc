//! Test images for the scanner's behaviour tests: codes drawn by `qrencode` (an independent
//! encoder, run at test time; `None` when it is not installed, and the test skips with a
//! message), and gray images written as PNG files, as a user's screenshot would be.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Cursor;
use std::process::Command;

use image::{DynamicImage, GrayImage, ImageFormat};

/// The code for `text` at error correction level M, drawn by qrencode at `px` pixels per module
/// with a margin of `margin` modules, or `None` when qrencode is absent.
pub fn qrencode(text: &str, px: u32, margin: u32) -> Option<GrayImage> {
    qrencode_at(text, 'M', px, margin)
}

/// [`qrencode`] at error correction level `level` (L, M, Q or H).
pub fn qrencode_at(text: &str, level: char, px: u32, margin: u32) -> Option<GrayImage> {
    let out = Command::new("qrencode")
        .args(["-l", &level.to_string(), "-s", &px.to_string()])
        .args(["-m", &margin.to_string()])
        .args(["-o", "-", "--", text])
        .output()
        .ok()?;
    assert!(out.status.success(), "qrencode failed on {text:?}");
    Some(image::load_from_memory(&out.stdout).unwrap().into_luma8())
}

/// The modules qrencode encodes for `text` (true = dark), row by row, or `None` when qrencode is
/// absent.
pub fn modules(text: &str) -> Option<Vec<Vec<bool>>> {
    let gray = qrencode(text, 1, 0)?;
    Some(
        (0..gray.height())
            .map(|y| {
                (0..gray.width())
                    .map(|x| gray.get_pixel(x, y).0[0] < 128)
                    .collect()
            })
            .collect(),
    )
}

/// `gray` as the bytes of a PNG file.
pub fn png(gray: &GrayImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    DynamicImage::ImageLuma8(gray.clone())
        .write_to(&mut out, ImageFormat::Png)
        .unwrap();
    out.into_inner()
}
