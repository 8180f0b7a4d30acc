//! Where a grid's format information and codewords sit (ISO/IEC 18004): the format word read
//! from either copy, the function patterns of a (Model 2) code, and its codewords read in
//! placement order with the data mask removed, in one pass over the grid.

use rqrr::BitGrid;

use super::masked;

/// The mask over Model 2's format information.
pub(super) const MODEL_2_FORMAT_MASK: u16 = 0x5412;

/// The level (0 L, 1 M, 2 Q, 3 H) and data mask of the nearer of the two copies of the format
/// information to a valid format word under `format_mask`, when it is within three bits of one
/// (the format's BCH code corrects three errors).
pub(super) fn format(grid: &dyn BitGrid, format_mask: u16) -> Option<(usize, usize)> {
    let size = grid.size();
    if size < 21 {
        return None;
    }
    let [first, second] = format_cells(size).map(|cells| {
        cells
            .iter()
            .fold(0u16, |w, &(y, x)| (w << 1) | u16::from(grid.bit(y, x)))
    });
    let (distance, data) = (0u16..32)
        .flat_map(|data| {
            let valid = bch_format(data) ^ format_mask;
            [first, second].map(|read| ((read ^ valid).count_ones(), data))
        })
        .min()?;
    if distance > 3 {
        return None;
    }
    // Levels are coded M 00, L 01, H 10, Q 11.
    let level = [1, 0, 3, 2][usize::from(data >> 3)];
    Some((level, usize::from(data & 7)))
}

/// The (row, column) of the format information's bits 14 to 0 in a code `size` modules a side,
/// in its two copies: along row 8 then up column 8 beside the top-left finder; up column 8
/// beside the bottom-left finder, then along row 8 beside the top-right one.
pub(super) fn format_cells(size: usize) -> [[(usize, usize); 15]; 2] {
    [
        std::array::from_fn(|k| match k {
            0..=5 => (8, k),
            6 => (8, 7),
            7 => (8, 8),
            8 => (7, 8),
            _ => (14 - k, 8),
        }),
        std::array::from_fn(|k| {
            if k < 7 {
                (size - 1 - k, 8)
            } else {
                (8, size - 15 + k)
            }
        }),
    ]
}

/// The 15-bit format word of five data bits: the data followed by the remainder of its
/// division by the BCH(15, 5) generator x¹⁰ + x⁸ + x⁵ + x⁴ + x² + x + 1, before any mask.
pub(super) fn bch_format(data: u16) -> u16 {
    const GENERATOR: u16 = 0b101_0011_0111;
    let mut rest = data << 10;
    for bit in (10..15).rev() {
        if rest & (1 << bit) != 0 {
            rest ^= GENERATOR << (bit - 10);
        }
    }
    (data << 10) | rest
}

/// The alignment patterns' centre rows (and columns) of a version-`version` code, in modules from
/// its top-left corner: six, the last 7 modules from the far side, and evenly between them in
/// steps of an even number of modules (26 for version 32), the remainder taken up by the first
/// step (ISO/IEC 18004, Annex E). None for version 1.
pub(crate) fn alignment_rows(version: i32) -> Vec<usize> {
    if !(2..=40).contains(&version) {
        return Vec::new();
    }
    let v = version as usize;
    let count = v / 7 + 2;
    let last = 4 * v + 10;
    let step = if v == 32 {
        26
    } else {
        (4 * v + 2 * count + 1) / (2 * count - 2) * 2
    };
    let mut rows: Vec<usize> = (0..count - 1).map(|i| last - i * step).collect();
    rows.push(6);
    rows.reverse();
    rows
}

/// Which modules of a Model 2 code of `version` (1 to 40) are function patterns or format and
/// version information, row by row: the finders with their separators and format information,
/// the timing patterns, the version information from version 7, and the alignment patterns
/// (but the three that would overlap the finders).
fn function_modules(version: usize) -> Vec<bool> {
    let size = 17 + 4 * version;
    let mut function = vec![false; size * size];
    let near_end = |i: usize| i + 8 >= size;
    for y in 0..size {
        for x in 0..size {
            function[y * size + x] = (y < 9 && (x < 9 || near_end(x)))
                || (near_end(y) && x < 9)
                || y == 6
                || x == 6
                || (version >= 7 && ((y < 6 && x + 11 >= size) || (y + 11 >= size && x < 6)));
        }
    }
    let rows = alignment_rows(version as i32);
    let last = rows.len().saturating_sub(1);
    for (i, &cy) in rows.iter().enumerate() {
        for (j, &cx) in rows.iter().enumerate() {
            let on_finder = (i == 0 && (j == 0 || j == last)) || (i == last && j == 0);
            if on_finder {
                continue;
            }
            for y in cy - 2..=cy + 2 {
                function[y * size + cx - 2..=y * size + cx + 2].fill(true);
            }
        }
    }
    function
}

/// The codewords of a Model 2 code of `version`, the data mask `mask` removed, in placement order
/// (ISO/IEC 18004, 7.7.3): pairs of columns from the right, up then down in turn, the vertical
/// timing pattern's column skipped, every module not of a function pattern eight bits to a
/// codeword, most significant first; the remainder bits that fill no codeword are left out.
pub(super) fn codewords(grid: &dyn BitGrid, version: usize, mask: usize) -> Vec<u8> {
    let size = 17 + 4 * version;
    let function = function_modules(version);
    let mut out = Vec::with_capacity(size * size / 8);
    let (mut byte, mut bits) = (0u8, 0);
    let mut right = size - 1;
    let mut upward = true;
    loop {
        for i in 0..size {
            let y = if upward { size - 1 - i } else { i };
            for x in [right, right - 1] {
                if function[y * size + x] {
                    continue;
                }
                byte = (byte << 1) | u8::from(grid.bit(y, x) != masked(mask, y, x));
                bits += 1;
                if bits == 8 {
                    out.push(byte);
                    (byte, bits) = (0, 0);
                }
            }
        }
        upward = !upward;
        right = match right {
            // Past the vertical timing pattern (column 6): columns 5 and 4.
            8 => 5,
            1 => break,
            r => r - 2,
        };
    }
    out
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::Borrowed;
    use super::*;

    #[test]
    fn format_words_are_those_of_the_standard() {
        // ISO/IEC 18004:2015, Annex C, Table C.1 (Model 2's mask 0x5412 applied), for data 0,
        // 1, 23 and 31.
        for (data, masked) in [(0, 0x5412), (1, 0x5125), (23, 0x083B), (31, 0x2BED)] {
            assert_eq!(
                bch_format(data) ^ MODEL_2_FORMAT_MASK,
                masked,
                "data {data}"
            );
        }
    }

    #[test]
    fn alignment_rows_are_those_of_the_standard() {
        // ISO/IEC 18004:2015, Annex E, Table E.1.
        let table: [(i32, &[usize]); 9] = [
            (1, &[]),
            (2, &[6, 18]),
            (6, &[6, 34]),
            (7, &[6, 22, 38]),
            (15, &[6, 26, 48, 70]),
            (16, &[6, 26, 50, 74]),
            (32, &[6, 34, 60, 86, 112, 138]),
            (36, &[6, 24, 50, 76, 102, 128, 154]),
            (40, &[6, 30, 58, 86, 114, 142, 170]),
        ];
        for (version, rows) in table {
            assert_eq!(alignment_rows(version), rows, "version {version}");
        }
    }

    #[test]
    fn every_version_places_as_many_codewords_as_the_standard_gives() {
        // ISO/IEC 18004:2015, Table 9: total codewords (data and error correction) per version,
        // and remainder bits (at most 7) after them.
        let total = [
            26, 44, 70, 100, 134, 172, 196, 242, 292, 346, 404, 466, 532, 581, 655, 733, 815, 901,
            991, 1085, 1156, 1258, 1364, 1474, 1588, 1706, 1828, 1921, 2051, 2185, 2323, 2465,
            2611, 2761, 2876, 3034, 3196, 3362, 3532, 3706,
        ];
        for (v, &n) in total.iter().enumerate() {
            let version = v + 1;
            let size = 17 + 4 * version;
            let data_modules = function_modules(version).iter().filter(|f| !**f).count();
            assert!(
                (8 * n..8 * n + 8).contains(&data_modules),
                "version {version}"
            );
            assert_eq!(
                codewords(&Blank(size), version, 0).len(),
                n,
                "version {version}"
            );
        }
    }

    #[test]
    fn the_codewords_read_are_those_the_encoder_placed() {
        // The `qrcode` encoder's format information and its data and error correction codewords
        // (interleaved as it places them), read back from the code it drew at every version
        // and level: version 21 too, whose alignment patterns `rqrr`'s table puts at 92, not 94.
        use qrcode::types::{EcLevel, Version};
        for level in [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H] {
            for version in 1..=40 {
                let bits = || {
                    let mut bits = qrcode::bits::Bits::new(Version::Normal(version));
                    bits.push_byte_data(b"Jeton").unwrap();
                    bits.push_terminator(level).unwrap();
                    bits
                };
                let (data, ec) = qrcode::ec::construct_codewords(
                    &bits().into_bytes(),
                    Version::Normal(version),
                    level,
                )
                .unwrap();
                let code = qrcode::QrCode::with_bits(bits(), level).unwrap();
                let grid = Modules {
                    size: code.width(),
                    dark: code
                        .to_colors()
                        .iter()
                        .map(|&c| c == qrcode::Color::Dark)
                        .collect(),
                };
                // Both copies of the format information where the encoder drew them.
                let copies = format_cells(grid.size).map(|cells| {
                    cells
                        .iter()
                        .fold(0u16, |w, &(y, x)| (w << 1) | u16::from(grid.bit(y, x)))
                });
                assert_eq!(copies[0], copies[1], "version {version} {level:?}");
                assert!((0..32).any(|d| bch_format(d) ^ MODEL_2_FORMAT_MASK == copies[0]));
                let (_, mask) = format(&grid, MODEL_2_FORMAT_MASK).unwrap();
                assert_eq!(
                    codewords(&grid, version as usize, mask),
                    [data, ec].concat(),
                    "version {version} {level:?}"
                );
            }
        }
    }

    /// A grid of light modules, `.0` on a side.
    pub(in crate::scan::payload) struct Blank(pub(in crate::scan::payload) usize);

    impl BitGrid for Blank {
        fn size(&self) -> usize {
            self.0
        }
        fn bit(&self, _: usize, _: usize) -> bool {
            false
        }
    }

    /// A grid of given modules, `size` on a side.
    pub(in crate::scan::payload) struct Modules {
        pub(in crate::scan::payload) size: usize,
        pub(in crate::scan::payload) dark: Vec<bool>,
    }

    /// `grid`'s two copies of the format information set to `words` (before any mask is
    /// removed: as drawn).
    pub(in crate::scan::payload) fn write_format(grid: &mut Modules, words: [u16; 2]) {
        for (word, cells) in words.into_iter().zip(format_cells(grid.size)) {
            for (k, (y, x)) in cells.into_iter().enumerate() {
                grid.dark[y * grid.size + x] = (word >> (14 - k)) & 1 == 1;
            }
        }
    }

    impl BitGrid for Modules {
        fn size(&self) -> usize {
            self.size
        }
        fn bit(&self, y: usize, x: usize) -> bool {
            self.dark[y * self.size + x]
        }
    }

    proptest::proptest! {
        // A fixed seed: the same cases on every run, so that CI cannot fail by chance.
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 96,
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x6d6f_6475_6c65),
            ..proptest::prelude::ProptestConfig::default()
        })]

        /// Random modules at every version read the same format and codewords as `rqrr`'s own
        /// reader (a peer implementation of the same placement), but version 21, where its
        /// table of alignment patterns is wrong (92 for 94, ISO/IEC 18004 Table E.1; the
        /// `qrcode` encoder has 94).
        #[test]
        fn format_and_codewords_are_those_rqrr_reads(
            version in proptest::sample::select(
                (1..=40).filter(|&v| v != 21).collect::<Vec<usize>>()
            ),
            format_data in 0u16..32,
            flips in proptest::collection::vec(0usize..15, 0..3),
            seed in proptest::collection::vec(proptest::bool::ANY, 177 * 177),
        ) {
            let size = 17 + 4 * version;
            let mut grid = Modules { size, dark: seed[..size * size].to_vec() };
            // A valid format word in both copies, up to two bits of the first flipped.
            let valid = bch_format(format_data) ^ MODEL_2_FORMAT_MASK;
            let flipped = flips.iter().fold(valid, |w, f| w ^ (1 << f));
            write_format(&mut grid, [flipped, valid]);
            let (meta, _) = rqrr::Grid::new(Borrowed(&grid)).get_raw_data().unwrap();
            let (level, mask) = format(&grid, MODEL_2_FORMAT_MASK).unwrap();
            // rqrr's levels: 0 M, 1 L, 2 H, 3 Q.
            proptest::prop_assert_eq!([1, 0, 3, 2][usize::from(meta.ecc_level)], level);
            proptest::prop_assert_eq!(usize::from(meta.mask), mask);
            let theirs = rqrr::Grid::new(Borrowed(&Unmasked { grid: &grid, mask }))
                .get_raw_data()
                .unwrap()
                .1;
            proptest::prop_assert_eq!(
                codewords(&grid, version, mask),
                theirs.data[..theirs.len / 8].to_vec()
            );
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
            let format =
                (x == 8 && (y <= 8 || y + 8 >= size)) || (y == 8 && (x <= 8 || x + 8 >= size));
            self.grid.bit(y, x) != (!format && masked(self.mask, y, x))
        }
    }
}
