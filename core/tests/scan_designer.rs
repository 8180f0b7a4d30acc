#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! Designer codes: the modules `qrencode` encodes (an independent encoder, run at test time;
//! skipped with a message when it is not installed), drawn as a designer app draws them — each
//! module a dot, each finder pattern a ring around a disc (a "bull's-eye") — must read as the text
//! qrencode was given.

use image::{GrayImage, Luma};
use jeton_core::scan;

#[path = "support/images.rs"]
mod images;
use images::{modules, png};

const TEXT: &str = "otpauth://totp/Omnivox:2412345?secret=JBSWY3DPEHPK3PXP&issuer=Omnivox";

/// Draws the code at `px` pixels per module with a 4-module margin: data modules as dots of
/// `dot` modules across, each 7×7 finder pattern as a ring (outer radius 3.5 modules, 1 thick)
/// around a disc of radius 1.5.
fn bulls_eye(modules: &[Vec<bool>], px: u32, dot: f32) -> GrayImage {
    let n = modules.len() as u32;
    let side = (n + 8) * px;
    let finders = [
        (3.5f32, 3.5f32),
        (n as f32 - 3.5, 3.5),
        (3.5, n as f32 - 3.5),
    ];
    GrayImage::from_fn(side, side, |x, y| {
        // The pixel's centre, in modules from the code's corner.
        let mx = (x as f32 + 0.5) / px as f32 - 4.0;
        let my = (y as f32 + 0.5) / px as f32 - 4.0;
        let dark = if let Some(&(cx, cy)) = finders
            .iter()
            .find(|&&(cx, cy)| (mx - cx).abs() < 3.5 && (my - cy).abs() < 3.5)
        {
            let r = (mx - cx).hypot(my - cy);
            r <= 1.5 || (2.5..=3.5).contains(&r)
        } else if (0.0..n as f32).contains(&mx) && (0.0..n as f32).contains(&my) {
            let (i, j) = (mx as usize, my as usize);
            let r = (mx - (i as f32 + 0.5)).hypot(my - (j as f32 + 0.5));
            modules[j][i] && r <= dot / 2.0
        } else {
            false
        };
        Luma([if dark { 20 } else { 245 }])
    })
}

#[test]
fn dots_and_bulls_eye_finders_read_as_the_text_encoded() {
    let Some(modules) = modules(TEXT) else {
        eprintln!("skipped: qrencode is not installed");
        return;
    };
    for px in [6, 9, 12] {
        for dot in [0.7, 0.9] {
            let codes = scan::scan_image(&png(&bulls_eye(&modules, px, dot))).unwrap();
            let texts: Vec<&str> = codes.iter().map(|c| c.payload.as_str()).collect();
            assert_eq!(texts, [TEXT], "{px} px per module, dots {dot} across");
        }
    }
}

#[test]
fn light_modules_on_a_pale_page_are_read() {
    // Light modules on a flat page only a little darker (as a messaging app's card draws them):
    // a dark-mode code whose surroundings are not dark.
    let Some(modules) = modules(TEXT) else {
        eprintln!("skipped: qrencode is not installed");
        return;
    };
    let n = modules.len() as u32;
    for (px, page) in [(4u32, 180u8), (6, 200)] {
        let side = (n + 16) * px;
        let image = GrayImage::from_fn(side, side, |x, y| {
            let (mx, my) = ((x / px) as i64 - 8, (y / px) as i64 - 8);
            let module = (0..i64::from(n)).contains(&mx)
                && (0..i64::from(n)).contains(&my)
                && modules[my as usize][mx as usize];
            Luma([if module { 250 } else { page }])
        });
        let codes = scan::scan_image(&png(&image)).unwrap();
        let texts: Vec<&str> = codes.iter().map(|c| c.payload.as_str()).collect();
        assert_eq!(texts, [TEXT], "{px} px per module on a page of {page}");
    }
}
