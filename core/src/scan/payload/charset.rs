//! The payload's text: byte segments in the character set their ECI designator names, or in the
//! one guessed as zxing does; Kanji as Shift_JIS; bytes that are no text kept as bytes.

use encoding_rs::{Encoding, GB18030, SHIFT_JIS};

use super::Payload;
use super::segments::Segment;

/// A character set named by an ECI designator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Charset {
    /// ISO-8859-1: every byte is the code point of the same value.
    Latin1,
    /// One of `encoding_rs`'s encodings.
    Encoding(&'static Encoding),
    /// Bytes with no character set: binary data (ECI 899), or one Jeton can't read (CP437).
    Binary,
}

/// The character set of ECI designator `eci` (AIM ECI assignments).
fn eci_charset(eci: u32) -> Charset {
    use encoding_rs::*;
    let encoding = match eci {
        1 | 3 => return Charset::Latin1,
        4 => ISO_8859_2,
        5 => ISO_8859_3,
        6 => ISO_8859_4,
        7 => ISO_8859_5,
        8 => ISO_8859_6,
        9 => ISO_8859_7,
        10 => ISO_8859_8,
        11 => WINDOWS_1254,
        12 => ISO_8859_10,
        13 => WINDOWS_874,
        15 => ISO_8859_13,
        16 => ISO_8859_14,
        17 => ISO_8859_15,
        18 => ISO_8859_16,
        20 => SHIFT_JIS,
        21 => WINDOWS_1250,
        22 => WINDOWS_1251,
        23 => WINDOWS_1252,
        24 => WINDOWS_1256,
        25 => UTF_16BE,
        26 => UTF_8,
        27 | 170 => WINDOWS_1252,
        28 => BIG5,
        29 | 32 => GB18030,
        30 => EUC_KR,
        _ => return Charset::Binary,
    };
    Charset::Encoding(encoding)
}

/// The payload's text: numeric and alphanumeric segments as ASCII, Kanji as Shift_JIS, Hanzi as
/// GB2312 (read with GB18030, its superset), byte
/// segments in their ECI's character set or, without one, in the guessed one.
pub(super) fn text(segments: &[Segment]) -> Payload {
    let unnamed: Vec<u8> = {
        let mut eci = false;
        let mut bytes = Vec::new();
        for segment in segments {
            match segment {
                Segment::Eci(_) => eci = true,
                Segment::Bytes(b) if !eci => bytes.extend_from_slice(b),
                _ => {}
            }
        }
        bytes
    };
    let guessed = guess(&unnamed);
    let mut text = String::new();
    let mut all_bytes = Vec::new();
    let mut binary = false;
    let mut charset = None;
    for segment in segments {
        match segment {
            Segment::Eci(eci) => charset = Some(eci_charset(*eci)),
            Segment::Ascii(b) => {
                all_bytes.extend_from_slice(b);
                text.extend(b.iter().map(|&c| char::from(c)));
            }
            Segment::Kanji(b) | Segment::Hanzi(b) => {
                all_bytes.extend_from_slice(b);
                let encoding = if matches!(segment, Segment::Kanji(_)) {
                    SHIFT_JIS
                } else {
                    GB18030
                };
                match decode_in(Charset::Encoding(encoding), b) {
                    Some(t) => text.push_str(&t),
                    None => binary = true,
                }
            }
            Segment::Bytes(b) => {
                all_bytes.extend_from_slice(b);
                match decode_in(charset.unwrap_or(guessed), b) {
                    Some(t) => text.push_str(&t),
                    None => binary = true,
                }
            }
        }
    }
    if binary {
        return Payload {
            text: all_bytes.iter().map(|&c| char::from(c)).collect(),
            bytes: Some(all_bytes),
        };
    }
    Payload { text, bytes: None }
}

/// `bytes` as text in `charset`, or `None` when they are not text there.
fn decode_in(charset: Charset, bytes: &[u8]) -> Option<String> {
    match charset {
        Charset::Latin1 => Some(bytes.iter().map(|&c| char::from(c)).collect()),
        Charset::Binary => None,
        Charset::Encoding(encoding) => encoding
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(|t| t.into_owned()),
    }
}

/// The character set of byte segments that name none, guessed as zxing's `guessEncoding`
/// does: UTF-8 when the bytes are valid UTF-8 (with a character beyond ASCII); Shift_JIS when
/// they are valid Shift_JIS and look Japanese (three double-byte or half-width katakana
/// characters in a row, or too many bytes that would be rare Latin-1 symbols); else ISO-8859-1;
/// bytes that are neither (C1 controls, invalid Shift_JIS) are no text.
pub(super) fn guess(bytes: &[u8]) -> Charset {
    if std::str::from_utf8(bytes).is_ok() {
        return Charset::Encoding(encoding_rs::UTF_8);
    }
    let latin1 = !bytes.iter().any(|&b| (0x80..0xa0).contains(&b));
    let latin1_symbols = bytes
        .iter()
        .filter(|&&b| (0xa0..0xc0).contains(&b) || b == 0xd7 || b == 0xf7)
        .count();
    let sjis = sjis_shape(bytes).filter(|_| {
        SHIFT_JIS
            .decode_without_bom_handling_and_without_replacement(bytes)
            .is_some()
    });
    match (sjis, latin1) {
        (Some(shape), _) if shape.katakana_run >= 3 || shape.double_run >= 3 => {
            Charset::Encoding(SHIFT_JIS)
        }
        (Some(shape), true) => {
            if (shape.katakana_run == 2 && shape.katakana == 2)
                || latin1_symbols * 10 >= bytes.len()
            {
                Charset::Encoding(SHIFT_JIS)
            } else {
                Charset::Latin1
            }
        }
        (_, true) => Charset::Latin1,
        (Some(_), false) => Charset::Encoding(SHIFT_JIS),
        (None, false) => Charset::Binary,
    }
}

/// What Shift_JIS would make of some bytes: the longest runs of half-width katakana and of
/// double-byte characters, and the katakana count.
struct SjisShape {
    katakana: usize,
    katakana_run: usize,
    double_run: usize,
}

/// The bytes' shape as Shift_JIS, or `None` when they can't be Shift_JIS.
fn sjis_shape(bytes: &[u8]) -> Option<SjisShape> {
    let mut shape = SjisShape {
        katakana: 0,
        katakana_run: 0,
        double_run: 0,
    };
    let (mut katakana_run, mut double_run) = (0, 0);
    let mut trail = false;
    for &b in bytes {
        if trail {
            if b < 0x40 || b == 0x7f || b > 0xfc {
                return None;
            }
            trail = false;
        } else if b == 0x80 || b == 0xa0 || b > 0xef {
            return None;
        } else if (0xa1..0xe0).contains(&b) {
            shape.katakana += 1;
            double_run = 0;
            katakana_run += 1;
            shape.katakana_run = shape.katakana_run.max(katakana_run);
        } else if b > 0x7f {
            trail = true;
            katakana_run = 0;
            double_run += 1;
            shape.double_run = shape.double_run.max(double_run);
        } else {
            katakana_run = 0;
            double_run = 0;
        }
    }
    (!trail).then_some(shape)
}
