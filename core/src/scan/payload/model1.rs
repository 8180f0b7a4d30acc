//! QR Model 1, the first QR code (ISO/IEC 18004:2000, Annex M), still found on old prints and
//! written by a few generators: the finder and timing patterns of today's codes, but no alignment
//! patterns, format information masked with 0x2825 instead of 0x5412, codewords placed in
//! 2×4-module columns down the right side and 4×2-module rows across the rest, error correction
//! blocks one after the other instead of interleaved, a data stream led by four zero bits, and
//! versions 1 to 14 only. Its format information tells it from a Model 2 code: every Model 1
//! format word is at least 5 bits from every Model 2 one, more than the 3 a format read corrects.

use rqrr::BitGrid;

use super::correct::correct_block;
use super::modules::format;
use super::segments::parse;
use super::{Payload, masked, text};

/// The mask over Model 1's format information (Model 2 uses 0x5412).
const FORMAT_MASK: u16 = 0x2825;

/// The largest Model 1 code: version 14, 73 modules.
const MAX_VERSION: usize = 14;

/// Per version (1 to 14) and level (L, M, Q, H): error correction codewords per block, blocks,
/// data codewords per block (ISO/IEC 18004:2000, Table M.2 and M.4).
const BLOCKS: [[(usize, usize, usize); 4]; MAX_VERSION] = [
    [(7, 1, 19), (10, 1, 16), (13, 1, 13), (17, 1, 9)],
    [(10, 1, 36), (16, 1, 30), (22, 1, 24), (30, 1, 16)],
    [(15, 1, 57), (28, 1, 44), (36, 1, 36), (48, 1, 24)],
    [(20, 1, 80), (40, 1, 60), (50, 1, 50), (66, 1, 34)],
    [(26, 1, 108), (52, 1, 82), (66, 1, 68), (44, 2, 23)],
    [(34, 1, 136), (32, 2, 53), (42, 2, 43), (56, 2, 29)],
    [(42, 1, 170), (40, 2, 66), (52, 2, 54), (46, 3, 24)],
    [(24, 2, 104), (48, 2, 80), (64, 2, 64), (56, 3, 29)],
    [(30, 2, 123), (60, 2, 93), (50, 3, 52), (68, 3, 34)],
    [(34, 2, 145), (68, 2, 111), (58, 3, 61), (58, 4, 31)],
    [(40, 2, 168), (40, 4, 64), (52, 4, 52), (54, 5, 29)],
    [(46, 2, 192), (46, 4, 73), (58, 4, 61), (62, 5, 33)],
    [(36, 3, 144), (52, 4, 83), (66, 4, 69), (58, 6, 32)],
    [(40, 3, 163), (60, 4, 92), (60, 5, 62), (66, 6, 35)],
];

/// Decodes `grid` as a Model 1 code, or `None` when it is none (its format information does
/// not read under Model 1's mask) or can't be read.
pub(super) fn decode(grid: &dyn BitGrid) -> Option<Payload> {
    let size = grid.size();
    if !(21..=17 + 4 * MAX_VERSION).contains(&size) || size % 4 != 1 {
        return None;
    }
    let version = (size - 17) / 4;
    let (level, mask) = format(grid, FORMAT_MASK)?;
    let (ec, blocks, data) = BLOCKS[version - 1][level];
    let mut stream = codewords(grid, mask)?;
    // Some levels leave a few codewords unused at the end.
    if stream.len() < blocks * (ec + data) {
        return None;
    }
    // The first codeword's high half is the corner left of the columns (the stream's leading
    // zero bits).
    stream[0] &= 0x0F;
    // Data blocks one after another, then their check codewords in the same order.
    let mut corrected = Vec::with_capacity(blocks * data);
    for b in 0..blocks {
        let mut block = stream[b * data..(b + 1) * data].to_vec();
        let checks = blocks * data + b * ec;
        block.extend_from_slice(&stream[checks..checks + ec]);
        correct_block(&mut block, ec)?;
        corrected.extend_from_slice(&block[..data]);
    }
    // The stream starts with four zero bits before its first mode indicator.
    let shifted: Vec<u8> = corrected
        .iter()
        .zip(corrected.iter().skip(1).chain(std::iter::once(&0)))
        .map(|(&a, &b)| (a << 4) | (b >> 4))
        .collect();
    let segments = parse(&shifted, version)?;
    Some(text(&segments))
}

/// The codewords in their order in the grid, unmasked: two columns of 2×4-module codewords up
/// the right side (the first skipping the extension patterns every other place), then 4×2-module
/// codewords up each band of four columns (around the timing row and the finders), and last
/// columns of 2×4 modules between the left finders.
fn codewords(grid: &dyn BitGrid, mask: usize) -> Option<Vec<u8>> {
    let size = grid.size() as isize;
    let bit = |x: isize, y: isize| -> Option<bool> {
        let (x, y) = (usize::try_from(x).ok()?, usize::try_from(y).ok()?);
        (x < size as usize && y < size as usize).then(|| grid.bit(y, x) != masked(mask, y, x))
    };
    // A codeword whose bit b (most significant first) is at `at(b)`.
    let read = |at: &dyn Fn(isize) -> (isize, isize)| -> Option<u8> {
        (0..8).try_fold(0u8, |byte, b| {
            let (x, y) = at(b);
            Some((byte << 1) | u8::from(bit(x, y)?))
        })
    };
    let columns = size / 4 + 3;
    let mut out = Vec::new();
    for j in 0..columns {
        if j <= 1 {
            // Up the two rightmost double columns, four rows a codeword.
            let rows = (size - 8) / 4;
            for i in 0..rows {
                let extension = j == 0 && i % 2 == 0 && i > 0 && i < rows - 1;
                if extension {
                    continue;
                }
                let (x, y) = (size - 1 - 2 * j, size - 1 - 4 * i);
                out.push(read(&|b| (x - b % 2, y - b / 2))?);
            }
        } else if columns - j <= 4 {
            // Up the double columns between the left finders, beside the timing column.
            let rows = (size - 16) / 4;
            let x = (columns - j - 1) * 2 + 1 + isize::from(columns - j == 4);
            for i in 0..rows {
                let y = size - 1 - 8 - 4 * i;
                out.push(read(&|b| (x - b % 2, y - b / 2))?);
            }
        } else {
            // Up a band of four columns, two rows a codeword, stepping over the timing row.
            let rows = size / 2;
            let x = size - 1 - 4 - (j - 2) * 4;
            for i in 0..rows {
                let under_finder = j == 2 && i >= rows - 4;
                let extension = i == 0 && j % 2 == 1 && j + 1 != columns - 4;
                if under_finder || extension {
                    continue;
                }
                let y = size - 1 - 2 * i - isize::from(i >= rows - 3);
                out.push(read(&|b| (x - b % 4, y - b / 4))?);
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::super::modules::tests::{Blank, Modules, write_format};
    use super::super::modules::{MODEL_2_FORMAT_MASK, bch_format};
    use super::*;

    #[test]
    fn no_model_1_format_word_is_within_reach_of_a_model_2_one() {
        // The module doc's claim: at least 5 bits apart, so a read within 3 bits is one model's.
        let words = |mask: u16| (0..32).map(move |d| bch_format(d) ^ mask);
        let closest = words(FORMAT_MASK)
            .flat_map(|a| words(MODEL_2_FORMAT_MASK).map(move |b| (a ^ b).count_ones()))
            .min();
        assert_eq!(closest, Some(5));
    }

    #[test]
    fn the_placement_holds_the_codewords_of_every_level() {
        // The standard's block table against the placement's own count, version by version: each
        // level's blocks fill the codewords placed, but for at most four left over (as in the
        // table for some versions at level H).
        for (v, levels) in BLOCKS.iter().enumerate() {
            let placed = codewords(&Blank(21 + 4 * v), 0).unwrap().len();
            for &(ec, n, d) in levels {
                let used = n * (ec + d);
                assert!(
                    used <= placed && placed - used <= 4,
                    "version {}: {used} of {placed}",
                    v + 1
                );
            }
        }
    }

    proptest::proptest! {
        // A fixed seed: the same cases on every run, so that CI cannot fail by chance.
        #![proptest_config(proptest::prelude::ProptestConfig {
            cases: 64,
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x006d_6f64_656c),
            ..proptest::prelude::ProptestConfig::default()
        })]

        /// Any modules under a valid Model 1 format word, at every size, go through the
        /// placement, the blocks and the correction without a panic (read or refused).
        #[test]
        fn any_grid_with_a_model_1_format_is_read_or_refused(
            version in 1usize..=MAX_VERSION,
            data in 0u16..32,
            seed in proptest::collection::vec(proptest::bool::ANY, 73 * 73),
        ) {
            let size = 17 + 4 * version;
            let mut grid = Modules { size, dark: seed[..size * size].to_vec() };
            let word = bch_format(data) ^ FORMAT_MASK;
            write_format(&mut grid, [word, word]);
            // ISO/IEC 18004 Table 12: L 01, M 00, Q 11, H 10; as `BLOCKS` lists them.
            let level = match data >> 3 {
                0b01 => 0,
                0b00 => 1,
                0b11 => 2,
                _ => 3,
            };
            proptest::prop_assert_eq!(
                format(&grid, FORMAT_MASK),
                Some((level, usize::from(data & 7)))
            );
            let _ = decode(&grid);
        }
    }
}
