//! Local 2D adaptive thresholds: the image is cut into 8×8 blocks, each block gets a black
//! point from its own pixels, and a pixel is black when it is at or below the mean black point
//! of the 5×5 blocks around its own (the scheme of ZXing's hybrid binarizer). Unlike `rqrr`'s
//! row-by-row running mean, this follows shading and glare in both directions and keeps large
//! dark areas (finder pattern centres) dark. A row's colours and run boundaries against them, the
//! finder scan's hot path, are in [`rows`].

use super::frame::{Luma, lanes};

mod rows;

/// Block side in pixels, as a shift.
const BLOCK_SHIFT: usize = 3;
const BLOCK: usize = 1 << BLOCK_SHIFT;
/// Blocks whose pixels span no more than this are "flat": their black point comes from their
/// neighbours, so flat paper stays white and flat ink stays black. ZXing's value: above the
/// noise of a phone camera, so a finder pattern's dark centre does not get a light hole.
pub(crate) const FLAT_CAMERA: u8 = 24;
/// A flatness limit for codes of very low contrast (ink and paper 25 levels apart), whose
/// blocks would all look flat with [`FLAT_CAMERA`].
pub(crate) const FLAT_LOW_CONTRAST: u8 = 4;
/// A pixel must be this much darker than its threshold to be black, so that sensor noise on
/// flat paper does not turn into black specks.
const OFFSET: u16 = 3;

/// One threshold per block.
pub(crate) struct Thresholds {
    blocks_wide: usize,
    values: Vec<u8>,
    /// Per block, whether its pixels are all white, all black or some of each against its
    /// threshold, known from its darkest and lightest: the row scan compares the pixels of mixed
    /// blocks only (on most frames, most blocks are flat paper, or ink far from any edge).
    fills: Vec<Fill>,
}

/// What a block's pixels are against its threshold (see [`Thresholds`]).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fill {
    White,
    Black,
    Mixed,
}

/// Each 8×8 block's mean, darkest and lightest value: one pass over the image, from which
/// thresholds of any flatness are derived.
pub(crate) struct Blocks {
    wide: usize,
    high: usize,
    /// Mean, min and max of each block.
    stats: Vec<(u8, u8, u8)>,
}

impl Blocks {
    /// Measures every block of `image`.
    pub fn measure(image: Luma<'_>) -> Self {
        let wide = image.width.div_ceil(BLOCK);
        let high = image.height.div_ceil(BLOCK);
        // Per column over the block's rows, element by element (which compilers vectorize),
        // then per block over its columns: the darkest and lightest by halving the row of
        // columns three times (per pair of columns, per four, per block).
        let mut sums = vec![0u16; image.width];
        let mut mins = vec![u8::MAX; image.width];
        let mut maxs = vec![0u8; image.width];
        let whole = image.width / BLOCK;
        let (mut pairs, mut fours) = (vec![0u8; 4 * whole], vec![0u8; 2 * whole]);
        let (mut lo, mut hi) = (vec![0u8; whole], vec![0u8; whole]);
        let mut stats = Vec::with_capacity(wide * high);
        for by in 0..high {
            let y0 = by * BLOCK;
            let y1 = (y0 + BLOCK).min(image.height);
            let first = image.row(y0);
            for (s, &p) in sums.iter_mut().zip(first) {
                *s = u16::from(p);
            }
            mins.copy_from_slice(first);
            maxs.copy_from_slice(first);
            for y in y0 + 1..y1 {
                let row = image.row(y);
                for (s, &p) in sums.iter_mut().zip(row) {
                    *s += u16::from(p);
                }
                for (m, &p) in mins.iter_mut().zip(row) {
                    *m = (*m).min(p);
                }
                for (m, &p) in maxs.iter_mut().zip(row) {
                    *m = (*m).max(p);
                }
            }
            halve(&mins, &mut pairs, u8::min);
            halve(&pairs, &mut fours, u8::min);
            halve(&fours, &mut lo, u8::min);
            halve(&maxs, &mut pairs, u8::max);
            halve(&pairs, &mut fours, u8::max);
            halve(&fours, &mut hi, u8::max);
            let pixels = (y1 - y0) as u32;
            for ((s, &min), &max) in sums.chunks_exact(BLOCK).zip(&lo).zip(&hi) {
                let sum: u32 = s.iter().map(|&v| u32::from(v)).sum();
                stats.push(((sum / (BLOCK as u32 * pixels)) as u8, min, max));
            }
            let rest = image.width % BLOCK;
            if rest > 0 {
                let x0 = image.width - rest;
                let sum: u32 = sums[x0..].iter().map(|&v| u32::from(v)).sum();
                let min = mins[x0..].iter().fold(u8::MAX, |a, &b| a.min(b));
                let max = maxs[x0..].iter().fold(0, |a, &b| a.max(b));
                stats.push(((sum / (rest as u32 * pixels)) as u8, min, max));
            }
        }
        Self { wide, high, stats }
    }
}

/// Each two neighbouring values of `values` combined into one of `out` by `f` (`min` or `max`),
/// both read as one lane ([`lanes`]).
fn halve(values: &[u8], out: &mut [u8], f: impl Fn(u8, u8) -> u8) {
    for (o, lane) in out.iter_mut().zip(lanes(values)) {
        *o = f(lane as u8, (lane >> 8) as u8);
    }
}

impl Thresholds {
    /// Computes the thresholds of an image (see [`Thresholds::from_blocks`]).
    #[cfg(test)]
    pub fn compute(image: Luma<'_>, radius: usize) -> Self {
        Self::from_blocks(&Blocks::measure(image), radius, FLAT_LOW_CONTRAST)
    }

    /// The thresholds of measured blocks, each the mean over the blocks within `radius` blocks
    /// of its own: 1 (a 24-pixel window) follows blurred edges, 2 (40 pixels) keeps large dark
    /// areas dark. Blocks spanning no more than `flat` levels take their neighbours' black point.
    /// Flat blocks with nothing around to say otherwise are taken as light paper.
    pub fn from_blocks(blocks: &Blocks, radius: usize, flat: u8) -> Self {
        Self::with_paper(blocks, radius, flat, Paper::Light)
    }

    /// [`Thresholds::from_blocks`] with flat blocks taken as a dark page: the thresholds a
    /// light-on-dark code needs when the flat area around it is lighter than paper-on-ink
    /// thresholds assume (the same thresholds made from the inverted image, as ZXing reads
    /// dark-mode codes).
    pub fn on_dark_page(blocks: &Blocks, radius: usize, flat: u8) -> Self {
        Self::with_paper(blocks, radius, flat, Paper::Dark)
    }

    fn with_paper(blocks: &Blocks, radius: usize, flat: u8, paper: Paper) -> Self {
        let (blocks_wide, blocks_high) = (blocks.wide, blocks.high);
        let black_points = black_points(blocks, flat, paper);

        // Mean over the (2·radius+1)² neighbourhood (clamped at the edges): column sums over the
        // window's rows, kept up to date row by row, then sums of those along the row.
        // Division by the neighbourhood's block count as a multiplication: ⌈2³²/n⌉ is exact
        // for sums of at most 255·n while n < 4096.
        let window = (2 * radius + 1) * (2 * radius + 1);
        let reciprocals: Vec<u64> = (0..=window as u64)
            .map(|n| (1u64 << 32).div_ceil(n.max(1)))
            .collect();
        let mut values = vec![0u8; blocks_wide * blocks_high];
        let mut columns = vec![0u32; blocks_wide];
        let mut prefix = vec![0u32; blocks_wide + 1];
        let (mut top, mut bottom) = (0, 0);
        let row = |y: usize| &black_points[y * blocks_wide..(y + 1) * blocks_wide];
        for (by, out) in values.chunks_exact_mut(blocks_wide).enumerate() {
            while bottom < (by + radius + 1).min(blocks_high) {
                for (c, &p) in columns.iter_mut().zip(row(bottom)) {
                    *c += u32::from(p);
                }
                bottom += 1;
            }
            while top < by.saturating_sub(radius) {
                for (c, &p) in columns.iter_mut().zip(row(top)) {
                    *c -= u32::from(p);
                }
                top += 1;
            }
            let mut running = 0;
            for (p, &c) in prefix[1..].iter_mut().zip(&columns) {
                running += c;
                *p = running;
            }
            let rows = bottom - top;
            for (bx, value) in out.iter_mut().enumerate() {
                let left = bx.saturating_sub(radius);
                let right = (bx + radius + 1).min(blocks_wide);
                let sum = prefix[right] - prefix[left];
                *value = ((u64::from(sum) * reciprocals[rows * (right - left)]) >> 32) as u8;
            }
        }
        // Black is pixel + OFFSET <= threshold: all black when the lightest pixel is, all white
        // when the darkest is not.
        let fills = values
            .iter()
            .zip(&blocks.stats)
            .map(|(&t, &(_, min, max))| {
                let t = u16::from(t);
                if u16::from(max) + OFFSET <= t {
                    Fill::Black
                } else if u16::from(min) + OFFSET > t {
                    Fill::White
                } else {
                    Fill::Mixed
                }
            })
            .collect();
        Self {
            blocks_wide,
            values,
            fills,
        }
    }

    /// The threshold of the block holding (`x`, `y`).
    #[inline]
    fn at(&self, x: usize, y: usize) -> u8 {
        self.values[(y >> BLOCK_SHIFT) * self.blocks_wide + (x >> BLOCK_SHIFT)]
    }

    /// How much darker than the threshold at (`x`, `y`) the value `pixel` is: black when
    /// positive or zero, as [`Thresholds::is_black`] decides.
    #[inline]
    pub fn darkness(&self, x: usize, y: usize, pixel: f32) -> f32 {
        f32::from(self.at(x, y)) - f32::from(OFFSET) - pixel
    }

    /// [`Thresholds::darkness`] in whole gray levels, for a pixel's own value.
    #[inline]
    pub fn darkness_level(&self, x: usize, y: usize, pixel: u8) -> i32 {
        i32::from(self.at(x, y)) - i32::from(OFFSET) - i32::from(pixel)
    }

    /// Whether the pixel at (`x`, `y`) with value `pixel` is black.
    #[inline]
    pub fn is_black(&self, x: usize, y: usize, pixel: u8) -> bool {
        u16::from(pixel) + OFFSET <= u16::from(self.at(x, y))
    }
}

/// What a flat block with nothing around to say otherwise is taken for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Paper {
    /// Paper under dark ink (ZXing's assumption).
    Light,
    /// A dark page under light modules.
    Dark,
}

/// The black point of each block: its mean, or for a flat block a value that follows its
/// already computed neighbours above and to the left.
fn black_points(blocks: &Blocks, flat: u8, paper: Paper) -> Vec<u8> {
    let wide = blocks.wide;
    let mut points = vec![0u8; blocks.stats.len()];
    for (by, stats) in blocks.stats.chunks_exact(wide).enumerate() {
        // The row above, already computed, and this one.
        let (done, rest) = points.split_at_mut(by * wide);
        let above = done
            .get(done.len().saturating_sub(wide)..)
            .filter(|_| by > 0);
        let row = &mut rest[..wide];
        for bx in 0..wide {
            let (mean, min, max) = stats[bx];
            let mut point = mean;
            if max - min <= flat {
                // Flat: assume paper unless the neighbours say this is the other colour.
                let light = paper == Paper::Light;
                point = if light {
                    min / 2
                } else {
                    max + (255 - max) / 2
                };
                if let Some(above) = above.filter(|_| bx > 0) {
                    let up = u32::from(above[bx]);
                    let left = u32::from(row[bx - 1]);
                    let diagonal = u32::from(above[bx - 1]);
                    let neighbours = ((up + 2 * left + diagonal) / 4) as u8;
                    if (light && min < neighbours) || (!light && max > neighbours) {
                        point = neighbours;
                    }
                }
            }
            row[bx] = point;
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dark_ink_on_shaded_paper_is_black_and_the_paper_white() {
        // Paper shading from 230 (left) to 90 (right); a dark stripe (ink at 40% of the paper)
        // every 16 pixels. A global threshold cannot separate the right side's paper from the
        // left side's ink; a local one must.
        let (w, h) = (128usize, 64usize);
        let mut data = vec![0u8; w * h];
        for y in 0..h {
            for x in 0..w {
                let paper = 230.0 - 140.0 * x as f32 / w as f32;
                let ink = (x / 4) % 4 == 1;
                data[y * w + x] = if ink { paper * 0.4 } else { paper } as u8;
            }
        }
        let image = Luma::new(&data, w as u32, h as u32, w as u32).unwrap();
        let thresholds = Thresholds::compute(image, 2);
        for y in 0..h {
            for x in 0..w {
                let ink = (x / 4) % 4 == 1;
                assert_eq!(
                    thresholds.is_black(x, y, data[y * w + x]),
                    ink,
                    "({x}, {y})"
                );
            }
        }
    }

    #[test]
    fn the_reciprocal_divides_exactly() {
        for n in 1..=25u64 {
            let r = (1u64 << 32).div_ceil(n);
            for sum in 0..=(n * 255) {
                assert_eq!((sum * r) >> 32, sum / n, "{sum} / {n}");
            }
        }
    }

    #[test]
    fn each_blocks_mean_darkest_and_lightest_are_those_of_its_pixels() {
        // Widths and heights with and without a partial last block; values up to 255, so that
        // sums of whole blocks reach their largest.
        for (w, h) in [(8usize, 8usize), (64, 16), (203, 29), (5, 3), (130, 64)] {
            let data: Vec<u8> = (0..w * h)
                .map(|i| match i % 11 {
                    0..=3 => 255,
                    4 => 0,
                    k => (i * 37 + k * 101) as u8,
                })
                .collect();
            let image = Luma::new(&data, w as u32, h as u32, w as u32).unwrap();
            let blocks = Blocks::measure(image);
            assert_eq!((blocks.wide, blocks.high), (w.div_ceil(8), h.div_ceil(8)));
            for by in 0..blocks.high {
                for bx in 0..blocks.wide {
                    let pixels: Vec<u32> = (8 * by..(8 * by + 8).min(h))
                        .flat_map(|y| (8 * bx..(8 * bx + 8).min(w)).map(move |x| (x, y)))
                        .map(|(x, y)| u32::from(data[y * w + x]))
                        .collect();
                    let mean = pixels.iter().sum::<u32>() / pixels.len() as u32;
                    let min = *pixels.iter().min().unwrap();
                    let max = *pixels.iter().max().unwrap();
                    assert_eq!(
                        blocks.stats[by * blocks.wide + bx],
                        (mean as u8, min as u8, max as u8),
                        "{w}x{h}, block ({bx}, {by})"
                    );
                }
            }
        }
    }

    #[test]
    fn a_flat_image_is_all_white() {
        let data = vec![128u8; 40 * 30];
        let image = Luma::new(&data, 40, 30, 40).unwrap();
        let thresholds = Thresholds::compute(image, 2);
        assert!((0..30).all(|y| (0..40).all(|x| !thresholds.is_black(x, y, 128))));
    }
}
