//! A QR code's data, read per ISO/IEC 18004 from a grid of modules: error correction, then the
//! segments (numeric, alphanumeric, byte, Kanji, ECI, FNC1, Structured Append), then the text.
//!
//! `rqrr` corrects and decodes too, but joins every segment into one byte string: it drops ECI
//! designators and writes Kanji as Shift_JIS bytes, so a Japanese code came out as Latin-1. Here
//! `rqrr` only reads the format and the (masked) codewords from the grid; the mask, the block
//! layout (taken from the `qrcode` encoder's tables), Reed–Solomon correction and the segments
//! are ours. The text follows the ECI designators; byte segments without one are guessed as
//! zxing does: valid UTF-8, else Shift_JIS when the bytes look Japanese, else ISO-8859-1.
//! Bytes that are no text in their character set are kept as bytes.

use encoding_rs::{Encoding, SHIFT_JIS};
use rqrr::BitGrid;

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
pub(crate) fn decode(grid: &dyn BitGrid) -> Option<Payload> {
    decode_oriented(grid).or_else(|| decode_oriented(&Transposed(grid)))
}

/// [`decode`], else [`decode_rqrr`].
pub(crate) fn decode_any(grid: &dyn BitGrid) -> Option<Payload> {
    decode(grid).or_else(|| decode_rqrr(grid))
}

/// Decodes a grid with `rqrr`'s own decoder, for what ours refuses (e.g. a mode it does not
/// know): its bytes read as one byte segment without ECI.
pub(crate) fn decode_rqrr(grid: &dyn BitGrid) -> Option<Payload> {
    let mut bytes = Vec::new();
    rqrr::Grid::new(Borrowed(grid)).decode_to(&mut bytes).ok()?;
    Some(text(&[Segment::Bytes(bytes)]))
}

fn decode_oriented(grid: &dyn BitGrid) -> Option<Payload> {
    let (meta, _) = rqrr::Grid::new(Borrowed(grid)).get_raw_data().ok()?;
    let version = meta.version.0;
    let mask = usize::from(meta.mask);
    let unmasked = Unmasked { grid, mask };
    let (_, raw) = rqrr::Grid::new(unmasked).get_raw_data().ok()?;
    let level = match meta.ecc_level {
        0 => qrcode::EcLevel::M,
        1 => qrcode::EcLevel::L,
        2 => qrcode::EcLevel::H,
        _ => qrcode::EcLevel::Q,
    };
    let layout = Layout::of(version, level)?;
    let codewords = raw.data.get(..raw.len / 8)?;
    let data = layout.correct(codewords)?;
    let segments = parse(&data, version)?;
    Some(text(&segments))
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

/// The grid with the data mask removed everywhere but on the format information, so that
/// `rqrr` reads the format as before and the codewords unmasked.
struct Unmasked<'a> {
    grid: &'a dyn BitGrid,
    mask: usize,
}

impl BitGrid for Unmasked<'_> {
    fn size(&self) -> usize {
        self.grid.size()
    }
    fn bit(&self, y: usize, x: usize) -> bool {
        let size = self.grid.size();
        let format = (x == 8 && (y <= 8 || y + 8 >= size)) || (y == 8 && (x <= 8 || x + 8 >= size));
        self.grid.bit(y, x) != (!format && masked(self.mask, y, x))
    }
}

/// ISO/IEC 18004 table 10: whether mask `mask` flips the module at row `y`, column `x`.
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

/// How a version and level split the codewords into blocks.
struct Layout {
    /// The data codewords' index in the stream for each block, in order.
    blocks: Vec<Vec<usize>>,
    /// Error correction codewords per block.
    ec: usize,
    /// Data codewords in all.
    data: usize,
}

impl Layout {
    /// The layout of `version` at `level`, from the `qrcode` encoder: it interleaves data whose
    /// bytes are each codeword's own index, so the interleaved order names every position.
    fn of(version: usize, level: qrcode::EcLevel) -> Option<Self> {
        let qr_version = qrcode::Version::Normal(i16::try_from(version).ok()?);
        let data = qrcode::bits::Bits::new(qr_version).max_len(level).ok()? / 8;
        let low: Vec<u8> = (0..data).map(|i| (i % 256) as u8).collect();
        let high: Vec<u8> = (0..data).map(|i| (i / 256) as u8).collect();
        let (low, ec_all) = qrcode::ec::construct_codewords(&low, qr_version, level).ok()?;
        let (high, _) = qrcode::ec::construct_codewords(&high, qr_version, level).ok()?;
        let order: Vec<usize> = low
            .iter()
            .zip(&high)
            .map(|(&l, &h)| usize::from(h) * 256 + usize::from(l))
            .collect();
        // The first codeword of every block comes first; the second of block 0 ends that round.
        let count = order.iter().position(|&i| i == 1)?;
        let mut blocks = vec![Vec::new(); count];
        let starts: Vec<usize> = order.get(..count)?.to_vec();
        for (position, &index) in order.iter().enumerate() {
            let block = starts.iter().rposition(|&s| s <= index)?;
            blocks.get_mut(block)?.push(position);
        }
        Some(Self {
            blocks,
            ec: ec_all.len() / count,
            data,
        })
    }

    /// The corrected data codewords, in order, or `None` when a block has too many errors.
    fn correct(&self, stream: &[u8]) -> Option<Vec<u8>> {
        let count = self.blocks.len();
        let mut out = Vec::with_capacity(self.data);
        for (b, positions) in self.blocks.iter().enumerate() {
            let mut block: Vec<u8> = positions
                .iter()
                .map(|&p| stream.get(p).copied())
                .collect::<Option<_>>()?;
            for j in 0..self.ec {
                block.push(*stream.get(self.data + j * count + b)?);
            }
            correct_block(&mut block, self.ec)?;
            out.extend_from_slice(block.get(..positions.len())?);
        }
        Some(out)
    }
}

/// GF(256) with the QR polynomial x⁸ + x⁴ + x³ + x² + 1: powers of α and their logarithms.
struct Field {
    exp: [u8; 512],
    log: [u8; 256],
}

const FIELD: Field = {
    let mut exp = [0u8; 512];
    let mut log = [0u8; 256];
    let mut x: u16 = 1;
    let mut i = 0;
    while i < 510 {
        exp[i] = x as u8;
        if i < 255 {
            log[x as usize] = i as u8;
        }
        x <<= 1;
        if x & 0x100 != 0 {
            x ^= 0x11d;
        }
        if i == 254 {
            x = 1;
        }
        i += 1;
    }
    Field { exp, log }
};

fn mul(a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        return 0;
    }
    FIELD.exp[usize::from(FIELD.log[usize::from(a)]) + usize::from(FIELD.log[usize::from(b)])]
}

fn div(a: u8, b: u8) -> u8 {
    if a == 0 || b == 0 {
        return 0;
    }
    FIELD.exp[usize::from(FIELD.log[usize::from(a)]) + 255 - usize::from(FIELD.log[usize::from(b)])]
}

/// α to the power `i`.
fn alpha(i: usize) -> u8 {
    FIELD.exp[i % 255]
}

/// Evaluates a polynomial given lowest degree first.
fn eval_low(poly: &[u8], x: u8) -> u8 {
    poly.iter().rev().fold(0, |acc, &c| mul(acc, x) ^ c)
}

/// Corrects a Reed–Solomon block (codewords highest degree first, `ec` check codewords,
/// generator roots α⁰…α^(ec−1)) in place: Berlekamp–Massey, Chien search, Forney.
fn correct_block(block: &mut [u8], ec: usize) -> Option<()> {
    let syndromes = |block: &[u8]| -> Vec<u8> {
        (0..ec)
            .map(|i| block.iter().fold(0, |acc, &c| mul(acc, alpha(i)) ^ c))
            .collect()
    };
    let s = syndromes(block);
    if s.iter().all(|&v| v == 0) {
        return Some(());
    }
    // Berlekamp–Massey: the error locator Λ, lowest degree first.
    let mut lambda = vec![1u8];
    let mut prev = vec![1u8];
    let (mut l, mut m, mut b) = (0usize, 1usize, 1u8);
    for n in 0..ec {
        let d = (1..=l).fold(s[n], |acc, i| {
            acc ^ mul(lambda.get(i).copied().unwrap_or(0), s[n - i])
        });
        if d == 0 {
            m += 1;
            continue;
        }
        let coef = div(d, b);
        let mut next = lambda.clone();
        next.resize(next.len().max(prev.len() + m), 0);
        for (i, &p) in prev.iter().enumerate() {
            next[i + m] ^= mul(coef, p);
        }
        if 2 * l <= n {
            prev = std::mem::replace(&mut lambda, next);
            l = n + 1 - l;
            b = d;
            m = 1;
        } else {
            lambda = next;
            m += 1;
        }
    }
    if 2 * l > ec {
        return None;
    }
    // Ω = S·Λ mod x^ec; Λ' keeps the odd terms.
    let mut omega = vec![0u8; ec];
    for (i, &li) in lambda.iter().enumerate() {
        for (j, &sj) in s.iter().enumerate() {
            if i + j < ec {
                omega[i + j] ^= mul(li, sj);
            }
        }
    }
    let derivative: Vec<u8> = lambda
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, &c)| if i % 2 == 1 { c } else { 0 })
        .collect();
    let n = block.len();
    let mut found = 0;
    for power in 0..n {
        // The error at x^power sits at index n − 1 − power; X = α^power, X⁻¹ = α^(255 − power).
        let x_inv = alpha(255 - power % 255);
        if eval_low(&lambda, x_inv) != 0 {
            continue;
        }
        let denominator = eval_low(&derivative, x_inv);
        if denominator == 0 {
            return None;
        }
        let magnitude = mul(alpha(power), div(eval_low(&omega, x_inv), denominator));
        block[n - 1 - power] ^= magnitude;
        found += 1;
    }
    (found == l && syndromes(block).iter().all(|&v| v == 0)).then_some(())
}

/// One segment of the data.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// Numeric or alphanumeric characters: ASCII in every character set.
    Ascii(Vec<u8>),
    /// A byte segment, in the character set of the ECI before it, if any.
    Bytes(Vec<u8>),
    /// Kanji mode: characters as Shift_JIS byte pairs.
    Kanji(Vec<u8>),
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
fn parse(data: &[u8], version: usize) -> Option<Vec<Segment>> {
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

/// A character set named by an ECI designator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Charset {
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

/// The payload's text: numeric and alphanumeric segments as ASCII, Kanji as Shift_JIS, byte
/// segments in their ECI's character set or, without one, in the guessed one.
fn text(segments: &[Segment]) -> Payload {
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
            Segment::Kanji(b) => {
                all_bytes.extend_from_slice(b);
                match decode_in(Charset::Encoding(SHIFT_JIS), b) {
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
fn guess(bytes: &[u8]) -> Charset {
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

#[cfg(test)]
mod tests {
    use super::*;
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
    fn plain_text_round_trips_at_every_level_and_several_versions() {
        for level in [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H] {
            for version in [8, 10, 27, 40] {
                let text = "otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP 0123456789 ÄÖÜ";
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
