//! Local 2D adaptive thresholds: the image is cut into 8×8 blocks, each block gets a black
//! point from its own pixels, and a pixel is black when it is at or below the mean black point
//! of the 5×5 blocks around its own (the scheme of ZXing's hybrid binarizer). Unlike `rqrr`'s
//! row-by-row running mean, this follows shading and glare in both directions and keeps large
//! dark areas (finder pattern centres) dark.

use super::frame::Luma;

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
        let mut sums = vec![0u32; wide];
        let mut mins = vec![u8::MAX; wide];
        let mut maxs = vec![0u8; wide];
        let mut stats = Vec::with_capacity(wide * high);
        for by in 0..high {
            sums.fill(0);
            mins.fill(u8::MAX);
            maxs.fill(0);
            let y0 = by * BLOCK;
            let y1 = (y0 + BLOCK).min(image.height);
            for y in y0..y1 {
                for (bx, chunk) in image.row(y).chunks(BLOCK).enumerate() {
                    let mut sum = 0u32;
                    let mut min = mins[bx];
                    let mut max = maxs[bx];
                    for &p in chunk {
                        sum += u32::from(p);
                        min = min.min(p);
                        max = max.max(p);
                    }
                    sums[bx] += sum;
                    mins[bx] = min;
                    maxs[bx] = max;
                }
            }
            for bx in 0..wide {
                let x0 = bx * BLOCK;
                let pixels = ((x0 + BLOCK).min(image.width) - x0) * (y1 - y0);
                stats.push(((sums[bx] / pixels as u32) as u8, mins[bx], maxs[bx]));
            }
        }
        Self { wide, high, stats }
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
    pub fn from_blocks(blocks: &Blocks, radius: usize, flat: u8) -> Self {
        let (blocks_wide, blocks_high) = (blocks.wide, blocks.high);
        let black_points = black_points(blocks, flat);

        // Mean over the (2·radius+1)² neighbourhood (clamped at the edges), with a summed-area
        // table.
        let sat_w = blocks_wide + 1;
        let mut sat = vec![0u32; sat_w * (blocks_high + 1)];
        for by in 0..blocks_high {
            let mut row_sum = 0u32;
            for bx in 0..blocks_wide {
                row_sum += u32::from(black_points[by * blocks_wide + bx]);
                sat[(by + 1) * sat_w + bx + 1] = sat[by * sat_w + bx + 1] + row_sum;
            }
        }
        let mut values = vec![0u8; blocks_wide * blocks_high];
        for by in 0..blocks_high {
            let top = by.saturating_sub(radius);
            let bottom = (by + radius + 1).min(blocks_high);
            for bx in 0..blocks_wide {
                let left = bx.saturating_sub(radius);
                let right = (bx + radius + 1).min(blocks_wide);
                let sum = sat[bottom * sat_w + right] + sat[top * sat_w + left]
                    - sat[top * sat_w + right]
                    - sat[bottom * sat_w + left];
                let count = ((bottom - top) * (right - left)) as u32;
                values[by * blocks_wide + bx] = (sum / count) as u8;
            }
        }
        Self {
            blocks_wide,
            values,
        }
    }

    /// How much darker than the threshold at (`x`, `y`) the value `pixel` is: black when
    /// positive or zero, as [`Thresholds::is_black`] decides.
    #[inline]
    pub fn darkness(&self, x: usize, y: usize, pixel: f32) -> f32 {
        f32::from(self.values[(y >> BLOCK_SHIFT) * self.blocks_wide + (x >> BLOCK_SHIFT)])
            - f32::from(OFFSET)
            - pixel
    }

    /// Whether the pixel at (`x`, `y`) with value `pixel` is black.
    #[inline]
    pub fn is_black(&self, x: usize, y: usize, pixel: u8) -> bool {
        u16::from(pixel) + OFFSET
            <= u16::from(self.values[(y >> BLOCK_SHIFT) * self.blocks_wide + (x >> BLOCK_SHIFT)])
    }
}

/// The black point of each block: its mean, or for a flat block a value that follows its
/// already computed neighbours above and to the left.
fn black_points(blocks: &Blocks, flat: u8) -> Vec<u8> {
    let wide = blocks.wide;
    let mut points = vec![0u8; blocks.stats.len()];
    for (i, &(mean, min, max)) in blocks.stats.iter().enumerate() {
        let (by, bx) = (i / wide, i % wide);
        let mut point = mean;
        if max - min <= flat {
            // Flat: assume paper unless the neighbours say this is ink.
            point = min / 2;
            if by > 0 && bx > 0 {
                let up = u32::from(points[i - wide]);
                let left = u32::from(points[i - 1]);
                let diagonal = u32::from(points[i - wide - 1]);
                let neighbours = ((up + 2 * left + diagonal) / 4) as u8;
                if min < neighbours {
                    point = neighbours;
                }
            }
        }
        points[i] = point;
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
    fn a_flat_image_is_all_white() {
        let data = vec![128u8; 40 * 30];
        let image = Luma::new(&data, 40, 30, 40).unwrap();
        let thresholds = Thresholds::compute(image, 2);
        assert!((0..30).all(|y| (0..40).all(|x| !thresholds.is_black(x, y, 128))));
    }
}
