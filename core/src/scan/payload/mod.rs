//! A QR code's data, read per ISO/IEC 18004 from a grid of modules: error correction, then the
//! segments (numeric, alphanumeric, byte, Kanji, ECI, FNC1, Structured Append), then the text.
//!
//! `rqrr` corrects and decodes too, but joins every segment into one byte string: it drops ECI
//! designators and writes Kanji as Shift_JIS bytes, so a Japanese code came out as Latin-1. Here
//! the format and the codewords are read from the grid in one pass ([`modules`]; `rqrr`'s reader
//! went over each grid twice, and misplaces version 21's alignment patterns), and the block
//! layout (taken from the `qrcode` encoder's tables), Reed–Solomon correction and the segments
//! are ours; `rqrr`'s decoder remains for what ours refuses. The text follows the ECI
//! designators; byte segments without one are guessed as zxing does: valid UTF-8, else
//! Shift_JIS when the bytes look Japanese, else ISO-8859-1.
//! Bytes that are no text in their character set are kept as bytes. A grid whose format reads
//! only as QR Model 1's is read as Model 1 ([`model1`]).

mod charset;
mod correct;
mod model1;
mod modules;
mod segments;

use rqrr::BitGrid;

use charset::text;
use correct::Layout;
use segments::{Segment, parse};

pub(crate) use modules::alignment_rows;

/// A decoded payload: its text, and its bytes when they are no text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Payload {
    /// The text; for bytes that are no text, their ISO-8859-1 reading (one char per byte).
    pub text: String,
    /// The payload's bytes, when they are no text in any character set the code names or that
    /// the guess allows.
    pub bytes: Option<Vec<u8>>,
}

/// Decodes a grid as it is, then mirrored (some encoders write codes transposed).
#[cfg(test)]
pub(crate) fn decode(grid: &dyn BitGrid) -> Option<Payload> {
    decode_oriented(grid)
        .or_else(|_| decode_oriented(&Transposed(grid)))
        .ok()
}

/// Decodes a grid as it is, then mirrored (some encoders write codes transposed), else with
/// [`decode_rqrr`] when ours refused what it read: `rqrr` reads the format
/// information and corrects errors as we do, so a grid whose format or codewords we can't read
/// is no better there, and its decoder is slow to give up (on a photo whose code can't be read,
/// it was two thirds of the time).
pub(crate) fn decode_any(grid: &dyn BitGrid) -> Option<Payload> {
    match decode_oriented(grid) {
        Ok(payload) => Some(payload),
        Err(first) => match decode_oriented(&Transposed(grid)) {
            Ok(payload) => Some(payload),
            Err(_) if first == Failure::Refused => decode_rqrr(grid),
            // A format unreadable as Model 2's may be Model 1's.
            Err(_) => model1::decode(grid).or_else(|| model1::decode(&Transposed(grid))),
        },
    }
}

/// Why a grid was not decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// Its format information or its codewords can't be read (too many errors).
    Unreadable,
    /// Read and corrected, but its layout or its segments are not ones we decode.
    Refused,
}

/// Decodes a grid with `rqrr`'s own decoder, for what ours refuses (e.g. a mode it does not
/// know): its bytes read as one byte segment without ECI.
pub(crate) fn decode_rqrr(grid: &dyn BitGrid) -> Option<Payload> {
    let mut bytes = Vec::new();
    rqrr::Grid::new(Borrowed(grid)).decode_to(&mut bytes).ok()?;
    Some(text(&[Segment::Bytes(bytes)]))
}

fn decode_oriented(grid: &dyn BitGrid) -> Result<Payload, Failure> {
    let size = grid.size();
    if !(21..=177).contains(&size) || size % 4 != 1 {
        return Err(Failure::Unreadable);
    }
    let version = (size - 17) / 4;
    let (level, mask) =
        modules::format(grid, modules::MODEL_2_FORMAT_MASK).ok_or(Failure::Unreadable)?;
    let level = [
        qrcode::EcLevel::L,
        qrcode::EcLevel::M,
        qrcode::EcLevel::Q,
        qrcode::EcLevel::H,
    ][level];
    let layout = Layout::of(version, level).ok_or(Failure::Refused)?;
    let codewords = modules::codewords(grid, version, mask);
    let data = layout.correct(&codewords).ok_or(Failure::Unreadable)?;
    let segments = parse(&data, version).ok_or(Failure::Refused)?;
    Ok(text(&segments))
}

/// A `&dyn BitGrid` as a `BitGrid` value, for `rqrr::Grid::new`.
struct Borrowed<'a>(&'a dyn BitGrid);

impl BitGrid for Borrowed<'_> {
    fn size(&self) -> usize {
        self.0.size()
    }
    fn bit(&self, y: usize, x: usize) -> bool {
        self.0.bit(y, x)
    }
}

/// The grid with rows and columns swapped.
struct Transposed<'a>(&'a dyn BitGrid);

impl BitGrid for Transposed<'_> {
    fn size(&self) -> usize {
        self.0.size()
    }
    fn bit(&self, y: usize, x: usize) -> bool {
        self.0.bit(x, y)
    }
}

/// ISO/IEC 18004 table 10: whether mask `mask` flips the module at row `y`, column `x`.
#[allow(
    clippy::manual_is_multiple_of,
    reason = "written as the standard's table is"
)]
fn masked(mask: usize, y: usize, x: usize) -> bool {
    match mask {
        0 => (y + x) % 2 == 0,
        1 => y % 2 == 0,
        2 => x % 3 == 0,
        3 => (y + x) % 3 == 0,
        4 => (y / 2 + x / 3) % 2 == 0,
        5 => (y * x) % 2 + (y * x) % 3 == 0,
        6 => ((y * x) % 2 + (y * x) % 3) % 2 == 0,
        _ => ((y * x) % 3 + (y + x) % 2) % 2 == 0,
    }
}

#[cfg(test)]
mod tests {
    use super::charset::{Charset, guess};
    use super::correct::correct_block;
    use super::*;
    use encoding_rs::SHIFT_JIS;
    use qrcode::bits::Bits as Encoder;
    use qrcode::{EcLevel, QrCode, Version};

    /// The grid of a code made by the `qrcode` encoder (an independent implementation).
    struct Drawn(QrCode);

    impl BitGrid for Drawn {
        fn size(&self) -> usize {
            self.0.width()
        }
        fn bit(&self, y: usize, x: usize) -> bool {
            self.0[(x, y)] == qrcode::Color::Dark
        }
    }

    fn encoded(version: i16, level: EcLevel, build: impl FnOnce(&mut Encoder)) -> Drawn {
        let mut bits = Encoder::new(Version::Normal(version));
        build(&mut bits);
        bits.push_terminator(level).unwrap();
        Drawn(QrCode::with_bits(bits, level).unwrap())
    }

    #[test]
    fn plain_text_round_trips_at_every_level_and_version() {
        for level in [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H] {
            for version in 1..=40 {
                let text = if version < 8 {
                    "JETON"
                } else {
                    "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP 0123456789 ÄÖÜ"
                };
                let code = encoded(version, level, |b| {
                    b.push_optimal_data(text.as_bytes()).unwrap()
                });
                let payload = decode(&code).unwrap();
                assert_eq!(payload.text, text, "version {version} {level:?}");
                assert_eq!(payload.bytes, None);
            }
        }
    }

    #[test]
    fn errors_within_the_budget_are_corrected_and_beyond_it_refused() {
        let code = QrCode::with_version(b"hello errors", Version::Normal(2), EcLevel::H).unwrap();
        let mut colors = code.to_colors();
        let width = code.width();
        // Flip modules in the bottom-right data area (a few codewords).
        for (x, y) in [(20, 20), (19, 19), (20, 16), (17, 24), (14, 22)] {
            let i = y * width + x;
            colors[i] = if colors[i] == qrcode::Color::Dark {
                qrcode::Color::Light
            } else {
                qrcode::Color::Dark
            };
        }
        struct Colors(Vec<qrcode::Color>, usize);
        impl BitGrid for Colors {
            fn size(&self) -> usize {
                self.1
            }
            fn bit(&self, y: usize, x: usize) -> bool {
                self.0[y * self.1 + x] == qrcode::Color::Dark
            }
        }
        assert_eq!(decode(&Colors(colors, width)).unwrap().text, "hello errors");
        let mut block: Vec<u8> = b"some data".to_vec();
        block.extend(qrcode::ec::create_error_correction_code(&block, 10));
        let clean = block.clone();
        for i in [0, 3, 7, 12, 15] {
            block[i] ^= 0x5a;
        }
        assert!(correct_block(&mut block, 10).is_some());
        assert_eq!(block, clean);
        for i in [1, 2, 4, 5, 6, 8] {
            block[i] ^= 0xa5;
        }
        assert!(correct_block(&mut block, 10).is_none() || block != clean);
    }

    #[test]
    fn kanji_mode_is_read_as_shift_jis() {
        // 点茗 in Shift_JIS (ISO/IEC 18004's own Kanji example): 0x935F 0xE4AA.
        let code = encoded(1, EcLevel::M, |b| {
            b.push_kanji_data(b"\x93\x5f\xe4\xaa").unwrap()
        });
        assert_eq!(decode(&code).unwrap().text, "点茗");
    }

    #[test]
    fn hanzi_is_read_as_gb2312() {
        // 阿。 as GB2312 pairs, as the Hanzi mode carries them (segments.rs has the bits).
        let segments = [Segment::Hanzi(vec![0xb0, 0xa2, 0xa1, 0xa3])];
        assert_eq!(text(&segments).text, "阿。");
    }

    #[test]
    fn eci_names_the_character_set_of_the_bytes_after_it() {
        // ECI 26 (UTF-8), ECI 20 (Shift_JIS), ECI 22 (windows-1251), ECI 3 (ISO-8859-1).
        let cases: [(u32, &[u8], &str); 4] = [
            (26, "Grüße".as_bytes(), "Grüße"),
            (20, b"\x83\x65\x83\x58\x83\x67", "テスト"),
            (22, b"\xcf\xf0\xe8\xe2\xe5\xf2", "Привет"),
            (3, b"caf\xe9", "café"),
        ];
        for (eci, bytes, text) in cases {
            let code = encoded(3, EcLevel::M, |b| {
                b.push_eci_designator(eci).unwrap();
                b.push_byte_data(bytes).unwrap();
            });
            assert_eq!(decode(&code).unwrap().text, text, "ECI {eci}");
        }
        // Binary (ECI 899) stays bytes.
        let code = encoded(3, EcLevel::M, |b| {
            b.push_eci_designator(899).unwrap();
            b.push_byte_data(b"\x00\xff\x10").unwrap();
        });
        assert_eq!(
            decode(&code).unwrap().bytes.as_deref(),
            Some(&b"\x00\xff\x10"[..])
        );
    }

    #[test]
    fn bytes_without_eci_are_guessed_like_zxing() {
        // Half-width katakana "ﾃﾞｻﾞｲﾝQR" (a Japanese code in the photo set).
        let sjis = b"\xc3\xde\xbb\xde\xb2\xdd\x51\x52";
        let code = encoded(2, EcLevel::M, |b| b.push_byte_data(sjis).unwrap());
        assert_eq!(decode(&code).unwrap().text, "ﾃﾞｻﾞｲﾝQR");
        assert_eq!(
            guess("日本".as_bytes()),
            Charset::Encoding(encoding_rs::UTF_8)
        );
        assert_eq!(
            guess(b"\x93\xfa\x96\x7b\x8c\xea"),
            Charset::Encoding(SHIFT_JIS)
        );
        assert_eq!(guess(b"caf\xe9"), Charset::Latin1);
        assert_eq!(guess(b"Gr\xfc\xdfe"), Charset::Latin1);
        assert_eq!(guess(b"\x00\x81\xff"), Charset::Binary);
        let code = encoded(2, EcLevel::M, |b| {
            b.push_byte_data(b"\x00\x81\xff\x80").unwrap()
        });
        let payload = decode(&code).unwrap();
        assert_eq!(payload.bytes.as_deref(), Some(&b"\x00\x81\xff\x80"[..]));
    }

    #[test]
    fn a_transposed_code_is_read() {
        let code = encoded(2, EcLevel::L, |b| b.push_byte_data(b"mirror").unwrap());
        assert_eq!(decode(&Transposed(&code)).unwrap().text, "mirror");
    }
}
