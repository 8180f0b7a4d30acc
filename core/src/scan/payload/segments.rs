//! The segments of the corrected data (ISO/IEC 18004 §7.4): numeric, alphanumeric, byte, Kanji,
//! ECI, FNC1 and Structured Append headers, up to the terminator; and the Hanzi mode of China's
//! GB/T 18284 (mode 1101, GB2312 characters), which Chinese encoders write and zxing reads.

/// One segment of the data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Segment {
    /// Numeric or alphanumeric characters: ASCII in every character set.
    Ascii(Vec<u8>),
    /// A byte segment, in the character set of the ECI before it, if any.
    Bytes(Vec<u8>),
    /// Kanji mode: characters as Shift_JIS byte pairs.
    Kanji(Vec<u8>),
    /// Hanzi mode (GB/T 18284): characters as GB2312 byte pairs.
    Hanzi(Vec<u8>),
    /// An ECI designator: the character set of the byte segments after it.
    Eci(u32),
}

/// Reads bits from the corrected data codewords, most significant first.
struct Bits<'a> {
    data: &'a [u8],
    at: usize,
}

impl Bits<'_> {
    fn left(&self) -> usize {
        self.data.len() * 8 - self.at
    }

    fn take(&mut self, n: usize) -> Option<u32> {
        if n > self.left() {
            return None;
        }
        let mut value = 0u32;
        for _ in 0..n {
            let bit = (self.data[self.at / 8] >> (7 - self.at % 8)) & 1;
            value = (value << 1) | u32::from(bit);
            self.at += 1;
        }
        Some(value)
    }

    fn count(&mut self, version: usize, bits: [usize; 3]) -> Option<usize> {
        let n = match version {
            1..=9 => bits[0],
            10..=26 => bits[1],
            _ => bits[2],
        };
        self.take(n).map(|v| v as usize)
    }
}

const ALPHANUMERIC: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// The segments of the data, up to the terminator.
pub(super) fn parse(data: &[u8], version: usize) -> Option<Vec<Segment>> {
    let mut bits = Bits { data, at: 0 };
    let mut segments = Vec::new();
    let mut fnc1 = false;
    while bits.left() >= 4 {
        match bits.take(4)? {
            0 => break,
            1 => {
                let mut count = bits.count(version, [10, 12, 14])?;
                let mut out = Vec::with_capacity(count);
                while count > 0 {
                    let digits = count.min(3);
                    let value = bits.take([0, 4, 7, 10][digits])?;
                    if value >= 10u32.pow(digits as u32) {
                        return None;
                    }
                    let text = format!("{value:0digits$}");
                    out.extend_from_slice(text.as_bytes());
                    count -= digits;
                }
                segments.push(Segment::Ascii(out));
            }
            2 => {
                let mut count = bits.count(version, [9, 11, 13])?;
                let mut out = Vec::with_capacity(count);
                while count > 0 {
                    let pair = count >= 2;
                    let value = bits.take(if pair { 11 } else { 6 })? as usize;
                    let chars = if pair {
                        [value / 45, value % 45]
                    } else {
                        [value, usize::MAX]
                    };
                    for c in chars.into_iter().filter(|&c| c != usize::MAX) {
                        out.push(*ALPHANUMERIC.get(c)?);
                    }
                    count -= if pair { 2 } else { 1 };
                }
                if fnc1 {
                    out = gs1_percent(&out);
                }
                segments.push(Segment::Ascii(out));
            }
            4 => {
                let count = bits.count(version, [8, 16, 16])?;
                let out = (0..count)
                    .map(|_| bits.take(8).map(|v| v as u8))
                    .collect::<Option<Vec<u8>>>()?;
                segments.push(Segment::Bytes(out));
            }
            8 => {
                let count = bits.count(version, [8, 10, 12])?;
                let mut out = Vec::with_capacity(2 * count);
                for _ in 0..count {
                    let value = bits.take(13)?;
                    let packed = ((value / 0xc0) << 8) | (value % 0xc0);
                    let sjis = if packed + 0x8140 <= 0x9ffc {
                        packed + 0x8140
                    } else {
                        packed + 0xc140
                    };
                    out.extend_from_slice(&[(sjis >> 8) as u8, sjis as u8]);
                }
                segments.push(Segment::Kanji(out));
            }
            // Hanzi: a 4-bit subset (1 is GB2312, the only one defined), then pairs packed in
            // 13 bits as Kanji are, from 0xA1A1 (rows A1-AA) and 0xB0A1 (rows B0-F7).
            13 => {
                if bits.take(4)? != 1 {
                    return None;
                }
                let count = bits.count(version, [8, 10, 12])?;
                let mut out = Vec::with_capacity(2 * count);
                for _ in 0..count {
                    let value = bits.take(13)?;
                    let packed = ((value / 0x60) << 8) | (value % 0x60);
                    let gb = if packed < 0x0a00 {
                        packed + 0xa1a1
                    } else {
                        packed + 0xa6a1
                    };
                    out.extend_from_slice(&[(gb >> 8) as u8, gb as u8]);
                }
                segments.push(Segment::Hanzi(out));
            }
            7 => {
                let first = bits.take(8)?;
                let eci = if first & 0x80 == 0 {
                    first
                } else if first & 0xc0 == 0x80 {
                    ((first & 0x3f) << 8) | bits.take(8)?
                } else if first & 0xe0 == 0xc0 {
                    ((first & 0x1f) << 16) | bits.take(16)?
                } else {
                    return None;
                };
                segments.push(Segment::Eci(eci));
            }
            // Structured Append: this code's place in a sequence, and the parity.
            3 => {
                bits.take(16)?;
            }
            // FNC1 in first (GS1) or second position (with an application indicator).
            5 => fnc1 = true,
            9 => {
                bits.take(8)?;
                fnc1 = true;
            }
            _ => return None,
        }
    }
    Some(segments)
}

/// In GS1 alphanumeric data, `%` stands for the group separator and `%%` for `%`.
fn gs1_percent(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        if text[i] == b'%' {
            if text.get(i + 1) == Some(&b'%') {
                out.push(b'%');
                i += 2;
                continue;
            }
            out.push(0x1d);
        } else {
            out.push(text[i]);
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bits(text: &str) -> Vec<u8> {
        let bits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        bits.chunks(8)
            .map(|byte| (0..8).fold(0, |acc, i| acc << 1 | u8::from(byte.get(i) == Some(&b'1'))))
            .collect()
    }

    #[test]
    fn hanzi_mode_gives_gb2312_pairs() {
        // GB/T 18284 by hand: mode 1101, subset 0001 (GB2312), count 2 (8 bits up to version
        // 9), then 13 bits a character: 阿 is 0xB0A2 in GB2312, 0xB0A2 - 0xA6A1 = 0x0A01, so
        // 0x0A * 0x60 + 0x01 = 961; 。 is 0xA1A3, 0xA1A3 - 0xA1A1 = 0x0002, so 2. Terminator.
        let data = bits("1101 0001 00000010 0001111000001 0000000000010 0000");
        assert_eq!(
            parse(&data, 1),
            Some(vec![Segment::Hanzi(vec![0xb0, 0xa2, 0xa1, 0xa3])])
        );
        // Another subset than GB2312 is not defined: refused, not guessed.
        assert_eq!(
            parse(&bits("1101 0010 00000001 0000000000000 0000"), 1),
            None
        );
    }
}
