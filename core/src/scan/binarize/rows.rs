//! A row's colours against the thresholds, eight pixels at a time, and its run boundaries: the
//! finder scan's hot path.

use super::{BLOCK, BLOCK_SHIFT, Fill, OFFSET, Thresholds};

impl Thresholds {
    /// The run boundaries of row `y` (its pixels `row`): every `x` whose pixel's colour differs
    /// from the pixel before it is pushed onto `edges`, in order. Returns whether the first pixel
    /// is black. Block by block: one threshold per eight pixels, the colours as bits in `words`
    /// (scratch space, 64 pixels a word). With `despeckle`, a black pixel between two white
    /// ones turns white, then a white one between two black ones black: single-pixel specks of
    /// sensor noise, for a pass that reads modules of two pixels or more.
    pub fn row_edges(
        &self,
        row: &[u8],
        y: usize,
        despeckle: bool,
        words: &mut Vec<u64>,
        edges: &mut Vec<usize>,
    ) -> bool {
        let width = row.len();
        if width == 0 {
            return false;
        }
        let start = (y >> BLOCK_SHIFT) * self.blocks_wide;
        let values = &self.values[start..start + self.blocks_wide];
        let fills = &self.fills[start..start + self.blocks_wide];
        words.clear();
        words.resize(width.div_ceil(64), 0);
        // Sixty-four pixels (eight blocks) a word, then the blocks past the last whole word.
        let whole = width / 64;
        let word_blocks = row
            .chunks_exact(64)
            .zip(values.chunks_exact(8))
            .zip(fills.chunks_exact(8));
        for (word, ((pixels, values), fills)) in words.iter_mut().zip(word_blocks) {
            if fills.iter().all(|&f| f == Fill::White) {
                continue;
            }
            let blocks = pixels.chunks_exact(BLOCK).zip(values).zip(fills);
            for (j, ((chunk, &t), &fill)) in blocks.enumerate() {
                *word |= u64::from(block_mask(chunk, t, fill)) << (8 * j);
            }
        }
        let mut chunks = row[64 * whole..].chunks_exact(BLOCK);
        let blocks = chunks
            .by_ref()
            .zip(&values[8 * whole..])
            .zip(&fills[8 * whole..]);
        for (j, ((chunk, &t), &fill)) in blocks.enumerate() {
            words[whole] |= u64::from(block_mask(chunk, t, fill)) << (8 * j);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let t = u16::from(values[width / BLOCK]);
            for (j, &p) in rest.iter().enumerate() {
                let x = width - rest.len() + j;
                words[x / 64] |= u64::from(u16::from(p) + OFFSET <= t) << (x % 64);
            }
        }
        // Past the last pixel, the row goes on in the last pixel's colour.
        let last = width - 1;
        let last_black = (words[last / 64] >> (last % 64)) & 1 == 1;
        let tail = |words: &mut [u64], black: bool| {
            if let Some(w) = words.last_mut() {
                let used = width - 64 * (width.div_ceil(64) - 1);
                if used < 64 {
                    let pad = !0u64 << used;
                    *w = if black { *w | pad } else { *w & !pad };
                }
            }
        };
        tail(words, last_black);
        if despeckle {
            // Keeps the set bits of `words` (or the clear ones) that have a neighbour alike;
            // before the first pixel, the first pixel's colour.
            let clean = |words: &mut [u64], keep_black: bool| {
                let n = words.len();
                let first = if keep_black { words[0] } else { !words[0] } & 1;
                let mut before = first << 63;
                for i in 0..n {
                    let w = if keep_black { words[i] } else { !words[i] };
                    let next = if i + 1 < n {
                        if keep_black {
                            words[i + 1]
                        } else {
                            !words[i + 1]
                        }
                    } else {
                        w >> 63
                    };
                    let left = (w << 1) | (before >> 63);
                    let right = (w >> 1) | (next << 63);
                    let kept = w & (left | right);
                    before = w;
                    words[i] = if keep_black { kept } else { !kept };
                }
            };
            clean(words, true);
            clean(words, false);
            let last_black = (words[last / 64] >> (last % 64)) & 1 == 1;
            tail(words, last_black);
        }
        let first_black = words[0] & 1 == 1;
        let mut before = u64::from(first_black);
        for (i, &w) in words.iter().enumerate() {
            let mut changes = w ^ ((w << 1) | before);
            before = w >> 63;
            while changes != 0 {
                edges.push(64 * i + changes.trailing_zeros() as usize);
                changes &= changes - 1;
            }
        }
        first_black
    }
}

/// Bit `j` set when pixel `j` of an 8-pixel block of threshold `t` is black.
#[inline]
fn block_mask(pixels: &[u8], t: u8, fill: Fill) -> u8 {
    match fill {
        Fill::White => 0,
        Fill::Black => 0xFF,
        // Black: pixel + OFFSET <= t, that is pixel <= t - OFFSET (none when t < OFFSET).
        Fill::Mixed => t.checked_sub(OFFSET as u8).map_or(0, |limit| {
            at_most(std::array::from_fn(|j| pixels[j]), limit)
        }),
    }
}

/// Bit `j` set when `pixels[j] <= limit`: the eight comparisons at once in a `u64` (Hacker's
/// Delight, 6-1), so the row scan costs a few instructions per eight pixels on every target.
#[inline]
fn at_most(pixels: [u8; 8], limit: u8) -> u8 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let p = u64::from_le_bytes(pixels);
    let l = u64::from(limit) * 0x0101_0101_0101_0101;
    // High bit of each byte: its low seven bits of `limit` at least those of the pixel.
    let low = (l | HIGH) - (p & !HIGH);
    // limit >= pixel: limit's high bit set and the pixel's not, or equal high bits and `low`.
    let ge = ((l & !p) | (!(l ^ p) & low)) & HIGH;
    // Gather the eight high bits into one byte, bit j from byte j.
    ((ge >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::binarize::{Blocks, FLAT_CAMERA, FLAT_LOW_CONTRAST};
    use crate::scan::frame::Luma;

    #[test]
    fn at_most_compares_each_byte() {
        for limit in 0..=255u8 {
            for base in (0..=255u8).step_by(3) {
                let pixels: [u8; 8] =
                    std::array::from_fn(|j| base.wrapping_add((j as u8).wrapping_mul(37)));
                let expected = (0..8).fold(0u8, |m, j| m | (u8::from(pixels[j] <= limit) << j));
                assert_eq!(at_most(pixels, limit), expected, "{pixels:?} <= {limit}");
            }
        }
    }

    /// Shaded paper with stripes of every width from 1 to 12 pixels, at every phase of the
    /// 8-pixel blocks, `w` pixels wide.
    fn stripes(w: usize, h: usize) -> Vec<u8> {
        let mut data = vec![0u8; w * h];
        for y in 0..h {
            let (mut x, mut width, mut ink) = (0usize, 1 + y % 5, y % 2 == 0);
            while x < w {
                for xx in x..(x + width).min(w) {
                    let paper = 220.0 - 80.0 * xx as f32 / w as f32;
                    data[y * w + xx] = if ink {
                        (paper * 0.3) as u8
                    } else {
                        paper as u8
                    };
                }
                x += width;
                width = width % 12 + 1;
                ink = !ink;
            }
        }
        data
    }

    /// Asserts that `row_edges` gives, on every row, the edges of `is_black` pixel by pixel;
    /// returns the fewest edges in a row.
    fn assert_edges_match(data: &[u8], w: usize, h: usize, thresholds: &Thresholds) -> usize {
        let image = Luma::new(data, w as u32, h as u32, w as u32).unwrap();
        let mut words = Vec::new();
        let mut fewest = usize::MAX;
        for y in 0..h {
            let row = image.row(y);
            let black: Vec<bool> = (0..w).map(|x| thresholds.is_black(x, y, row[x])).collect();
            let expected: Vec<usize> = (1..w).filter(|&x| black[x] != black[x - 1]).collect();
            let mut edges = Vec::new();
            let first = thresholds.row_edges(row, y, false, &mut words, &mut edges);
            assert_eq!(first, black[0]);
            assert_eq!(edges, expected, "width {w}, row {y}");
            fewest = fewest.min(edges.len());
        }
        fewest
    }

    #[test]
    fn row_edges_are_where_the_colour_changes() {
        // The edges from the block masks must be those pixel by pixel, at any width.
        for w in [1usize, 7, 8, 63, 64, 65, 130, 203] {
            let h = 16;
            let data = stripes(w, h);
            let image = Luma::new(&data, w as u32, h as u32, w as u32).unwrap();
            let fewest = assert_edges_match(&data, w, h, &Thresholds::compute(image, 1));
            assert!(w < 200 || fewest > 20);
        }
    }

    #[test]
    fn row_edges_skip_no_pixel_of_flat_blocks() {
        // Grainy paper with a large ink square (flat inside), a row of stripes and a faint
        // patch: blocks all white, all black and mixed, under every kind of thresholds.
        let (w, h) = (203usize, 97usize);
        let mut data = vec![0u8; w * h];
        for y in 0..h {
            for x in 0..w {
                let grain = ((x * 7 + y * 13) % 5) as u8;
                data[y * w + x] = if (20..90).contains(&x) && (11..75).contains(&y) {
                    30 + grain
                } else if (120..190).contains(&x) && (40..50).contains(&y) {
                    if (x / 3) % 2 == 0 { 40 } else { 210 }
                } else if (110..150).contains(&x) && (70..90).contains(&y) {
                    190 + 4 * ((x / 5) % 2) as u8
                } else {
                    200 + grain
                };
            }
        }
        let image = Luma::new(&data, w as u32, h as u32, w as u32).unwrap();
        let blocks = Blocks::measure(image);
        for thresholds in [
            Thresholds::from_blocks(&blocks, 1, FLAT_CAMERA),
            Thresholds::from_blocks(&blocks, 2, FLAT_LOW_CONTRAST),
            Thresholds::on_dark_page(&blocks, 1, FLAT_CAMERA),
        ] {
            for fill in [Fill::White, Fill::Black, Fill::Mixed] {
                assert!(thresholds.fills.contains(&fill));
            }
            assert_edges_match(&data, w, h, &thresholds);
        }
    }

    #[test]
    fn despeckling_drops_single_pixels_only() {
        let w = 203;
        let h = 16;
        let data = stripes(w, h);
        let image = Luma::new(&data, w as u32, h as u32, w as u32).unwrap();
        let thresholds = Thresholds::compute(image, 1);
        let mut words = Vec::new();
        for y in 0..h {
            let row = image.row(y);
            let mut black: Vec<bool> = (0..w).map(|x| thresholds.is_black(x, y, row[x])).collect();
            // The same rule pixel by pixel: black specks first, then white ones; the row's ends
            // have themselves as their outer neighbour.
            for colour in [true, false] {
                let before = black.clone();
                for x in 0..w {
                    let left = before[x.saturating_sub(1)];
                    let right = before[(x + 1).min(w - 1)];
                    if before[x] == colour && left != colour && right != colour {
                        black[x] = !colour;
                    }
                }
            }
            let expected: Vec<usize> = (1..w).filter(|&x| black[x] != black[x - 1]).collect();
            let mut edges = Vec::new();
            let first = thresholds.row_edges(row, y, true, &mut words, &mut edges);
            assert_eq!(first, black[0]);
            assert_eq!(edges, expected, "row {y}");
        }
    }
}
