//! Drawing QR codes (with `qrcode`): PNG bytes, SVG, and Unicode half blocks for a terminal.
//!
//! Every drawing has the standard quiet zone of 4 modules.
//!
//! ```
//! use jeton_core::draw;
//!
//! let uri = "otpauth://totp/Omnivox:2412345?secret=JBSWY3DPEHPK3PXP&issuer=Omnivox";
//! let png = draw::png(uri, 8).unwrap();
//! assert!(png.starts_with(b"\x89PNG"));
//! let svg = draw::svg(uri).unwrap();
//! assert!(svg.contains("<svg"));
//! let text = draw::terminal(uri).unwrap();
//! assert!(text.lines().count() > 10);
//! ```

use std::io::Cursor;

use image::{ImageFormat, Luma};
use qrcode::render::svg;
use qrcode::types::QrError;
use qrcode::{Color, EcLevel, Version};

/// Modules of light margin around every drawing (the QR standard's quiet zone).
pub const QUIET_ZONE: usize = 4;

/// The largest PNG drawn, in pixels a side (16 MiB of gray pixels): a code needs far fewer,
/// and a larger `module_px` would cost seconds and gigabytes (or overflow).
pub const MAX_PNG_SIDE: u64 = 4096;

/// Why a text cannot be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DrawError {
    /// More data than a QR code of that version and error correction can hold.
    #[error("the text ({len} bytes) is too long for a QR code{}", fit_hint(.version))]
    TooLong {
        /// Its length in bytes.
        len: usize,
        /// The version asked for, if one was.
        version: Option<u8>,
    },
    /// A version outside 1 to 40.
    #[error("QR code version {0} does not exist: expected 1 to 40")]
    InvalidVersion(u8),
    /// The PNG would be larger than [`MAX_PNG_SIDE`] pixels a side.
    #[error(
        "a PNG with {module_px} pixels per module would be {side} pixels wide, more than \
         {MAX_PNG_SIDE}: use at most {max_module_px} pixels per module for this code"
    )]
    TooLarge {
        /// The pixels per module asked for.
        module_px: u32,
        /// The width the PNG would have.
        side: u64,
        /// The most pixels per module that fit for this code.
        max_module_px: u64,
    },
    /// The image could not be encoded.
    #[error("the image could not be encoded: {0}")]
    Encode(String),
}

fn fit_hint(version: &Option<u8>) -> String {
    version.map_or_else(String::new, |v| format!(" of version {v}"))
}

/// How much of a code can be damaged and still read: more correction makes a larger code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ecc {
    /// About 7% of the code.
    Low,
    /// About 15% of the code (the default).
    Medium,
    /// About 25% of the code.
    Quartile,
    /// About 30% of the code.
    High,
}

impl Ecc {
    /// All four levels, lowest first.
    pub const ALL: [Ecc; 4] = [Ecc::Low, Ecc::Medium, Ecc::Quartile, Ecc::High];

    fn level(self) -> EcLevel {
        match self {
            Ecc::Low => EcLevel::L,
            Ecc::Medium => EcLevel::M,
            Ecc::Quartile => EcLevel::Q,
            Ecc::High => EcLevel::H,
        }
    }
}

/// A QR code ready to draw.
#[derive(Clone)]
pub struct Qr {
    code: qrcode::QrCode,
}

impl std::fmt::Debug for Qr {
    /// Shows the version and size, not the data (it may be a secret).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Qr")
            .field("version", &self.version())
            .field("modules", &self.modules())
            .finish_non_exhaustive()
    }
}

impl Qr {
    /// The smallest code that holds `text` with `ecc`.
    pub fn new(text: &str, ecc: Ecc) -> Result<Self, DrawError> {
        qrcode::QrCode::with_error_correction_level(text, ecc.level())
            .map(|code| Self { code })
            .map_err(|e| error(e, text, None))
    }

    /// A code of exactly `version` (1 to 40): the text must fit.
    pub fn with_version(text: &str, version: u8, ecc: Ecc) -> Result<Self, DrawError> {
        if !(1..=40).contains(&version) {
            return Err(DrawError::InvalidVersion(version));
        }
        qrcode::QrCode::with_version(text, Version::Normal(i16::from(version)), ecc.level())
            .map(|code| Self { code })
            .map_err(|e| error(e, text, Some(version)))
    }

    /// The code's version, 1 to 40.
    pub fn version(&self) -> u8 {
        match self.code.version() {
            Version::Normal(v) | Version::Micro(v) => v as u8,
        }
    }

    /// Modules on a side, without the quiet zone.
    pub fn modules(&self) -> usize {
        self.code.width()
    }

    /// Whether the module at column `x`, row `y` (without the quiet zone) is dark.
    pub fn is_dark(&self, x: usize, y: usize) -> bool {
        self.code[(x, y)] == Color::Dark
    }

    /// A gray PNG with `module_px` pixels per module (at least 1), black on white, at most
    /// [`MAX_PNG_SIDE`] pixels a side.
    pub fn png(&self, module_px: u32) -> Result<Vec<u8>, DrawError> {
        let px = module_px.max(1);
        let modules = (self.modules() + 2 * QUIET_ZONE) as u64;
        let side = modules * u64::from(px);
        if side > MAX_PNG_SIDE {
            return Err(DrawError::TooLarge {
                module_px,
                side,
                max_module_px: MAX_PNG_SIDE / modules,
            });
        }
        let image = self
            .code
            .render::<Luma<u8>>()
            .quiet_zone(true)
            .module_dimensions(px, px)
            .build();
        let mut out = Cursor::new(Vec::new());
        image
            .write_to(&mut out, ImageFormat::Png)
            .map_err(|e| DrawError::Encode(e.to_string()))?;
        Ok(out.into_inner())
    }

    /// An SVG document, black on white, at least 256 units wide.
    pub fn svg(&self) -> String {
        self.code
            .render::<svg::Color<'_>>()
            .quiet_zone(true)
            .min_dimensions(256, 256)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build()
    }

    /// The code as lines of Unicode half blocks (`▀ ▄ █` and spaces), two module rows per line,
    /// for a terminal with light text on a dark background (the usual default): the glyphs draw
    /// the light modules and the quiet zone, the background shows through as the dark modules.
    /// On a light-themed terminal it shows inverted; Jeton reads that too, some phone readers
    /// do not.
    pub fn terminal(&self) -> String {
        let n = self.modules() + 2 * QUIET_ZONE;
        let light = |x: usize, y: usize| {
            let inside = |v: usize| (QUIET_ZONE..QUIET_ZONE + self.modules()).contains(&v);
            !(inside(x) && inside(y) && self.is_dark(x - QUIET_ZONE, y - QUIET_ZONE))
        };
        let mut out = String::with_capacity(n.div_ceil(2) * (3 * n + 1));
        for y in (0..n).step_by(2) {
            for x in 0..n {
                let top = light(x, y);
                let bottom = y + 1 < n && light(x, y + 1);
                out.push(match (top, bottom) {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (false, false) => ' ',
                });
            }
            out.push('\n');
        }
        out
    }
}

fn error(e: QrError, text: &str, version: Option<u8>) -> DrawError {
    match e {
        QrError::InvalidVersion => DrawError::InvalidVersion(version.unwrap_or(0)),
        _ => DrawError::TooLong {
            len: text.len(),
            version,
        },
    }
}

/// `text` (e.g. an `otpauth://` URI) as a PNG with `module_px` pixels per module, medium error
/// correction.
pub fn png(text: &str, module_px: u32) -> Result<Vec<u8>, DrawError> {
    Qr::new(text, Ecc::Medium)?.png(module_px)
}

/// `text` as an SVG document, medium error correction.
pub fn svg(text: &str) -> Result<String, DrawError> {
    Ok(Qr::new(text, Ecc::Medium)?.svg())
}

/// `text` as terminal half blocks, medium error correction; see [`Qr::terminal`].
pub fn terminal(text: &str) -> Result<String, DrawError> {
    Ok(Qr::new(text, Ecc::Medium)?.terminal())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smallest_version_is_chosen_and_exact_versions_are_honoured() {
        // ISO 18004 capacity: version 1-M holds 14 bytes in byte mode, version 2-M holds 26.
        assert_eq!(Qr::new("otpauth://tot", Ecc::Medium).unwrap().version(), 1);
        assert_eq!(
            Qr::new("otpauth://totp/", Ecc::Medium).unwrap().version(),
            2
        );
        let qr = Qr::with_version("x", 40, Ecc::High).unwrap();
        assert_eq!((qr.version(), qr.modules()), (40, 177));
    }

    #[test]
    fn too_much_data_and_bad_versions_are_typed_errors() {
        let long = "a".repeat(3000);
        assert_eq!(
            Qr::new(&long, Ecc::High).unwrap_err(),
            DrawError::TooLong {
                len: 3000,
                version: None
            }
        );
        assert_eq!(
            Qr::with_version("x", 41, Ecc::Low).unwrap_err(),
            DrawError::InvalidVersion(41)
        );
        assert!(matches!(
            Qr::with_version(&long, 5, Ecc::Low),
            Err(DrawError::TooLong {
                version: Some(5),
                ..
            })
        ));
    }

    #[test]
    fn a_png_is_bounded_in_size_with_a_typed_error() {
        // Found by hand (issue 15): u32::MAX pixels per module overflowed ("capacity overflow"
        // panic), large values aborted on allocation, 1000 took 10 s and 2 GB.
        let qr = Qr::new("otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP", Ecc::Medium).unwrap();
        let modules = (qr.modules() + 2 * QUIET_ZONE) as u64;
        for px in [u32::MAX, 1 << 20, 1000] {
            assert_eq!(
                qr.png(px).unwrap_err(),
                DrawError::TooLarge {
                    module_px: px,
                    side: modules * u64::from(px),
                    max_module_px: MAX_PNG_SIDE / modules,
                }
            );
        }
        // The largest that fits is drawn, as the error says.
        let largest = u32::try_from(MAX_PNG_SIDE / modules).unwrap();
        let png = qr.png(largest).unwrap();
        let image = image::load_from_memory(&png).unwrap();
        assert_eq!(u64::from(image.width()), modules * u64::from(largest));
        assert!(qr.png(largest + 1).is_err());
    }

    #[test]
    fn terminal_lines_cover_the_code_and_its_quiet_zone() {
        let qr = Qr::new("hello", Ecc::Low).unwrap();
        let text = qr.terminal();
        let n = qr.modules() + 2 * QUIET_ZONE;
        assert_eq!(text.lines().count(), n.div_ceil(2));
        assert!(text.lines().all(|l| l.chars().count() == n));
        // The first line is quiet zone: all light.
        assert!(text.lines().next().unwrap().chars().all(|c| c == '█'));
    }
}
