//! Local 2D adaptive thresholds: the image is cut into 8×8 blocks, each block gets a black
//! point from its own pixels, and a pixel is black when it is at or below the mean black point
//! of the 5×5 blocks around its own (the scheme of ZXing's hybrid binarizer). Unlike `rqrr`'s
//! row-by-row running mean, this follows shading and glare in both directions and keeps large
//! dark areas (finder pattern centres) dark.

use super::frame::Luma;

/// Block side in pixels, as a shift.
const BLOCK_SHIFT: usize = 3;
const BLOCK: usize = 1 << BLOCK_SHIFT;
/// Blocks whose pixels span less than this are "flat": their black point comes from their
/// neighbours, so flat paper stays white and flat ink stays black.
const MIN_DYNAMIC_RANGE: u8 = 24;
/// Blocks on each side of a block that its threshold averages over.
const RADIUS: usize = 2;

/// One threshold per block.
pub(crate) struct Thresholds {
    blocks_wide: usize,
    values: Vec<u8>,
}

impl Thresholds {
    /// Computes the thresholds of an image.
    pub fn compute(image: Luma<'_>) -> Self {
        let blocks_wide = image.width.div_ceil(BLOCK);
        let blocks_high = image.height.div_ceil(BLOCK);
        let black_points = black_points(image, blocks_wide, blocks_high);

        // Mean over the 5×5 neighbourhood (clamped at the edges), with a summed-area table.
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
            let top = by.saturating_sub(RADIUS);
            let bottom = (by + RADIUS + 1).min(blocks_high);
            for bx in 0..blocks_wide {
                let left = bx.saturating_sub(RADIUS);
                let right = (bx + RADIUS + 1).min(blocks_wide);
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

    /// Whether the pixel at (`x`, `y`) with value `pixel` is black.
    #[inline]
    pub fn is_black(&self, x: usize, y: usize, pixel: u8) -> bool {
        pixel <= self.values[(y >> BLOCK_SHIFT) * self.blocks_wide + (x >> BLOCK_SHIFT)]
    }
}

/// The black point of each block: its mean, or for a flat block a value that follows its
/// already computed neighbours above and to the left.
fn black_points(image: Luma<'_>, blocks_wide: usize, blocks_high: usize) -> Vec<u8> {
    let mut sums = vec![0u32; blocks_wide];
    let mut mins = vec![u8::MAX; blocks_wide];
    let mut maxs = vec![0u8; blocks_wide];
    let mut points = vec![0u8; blocks_wide * blocks_high];
    for by in 0..blocks_high {
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
        for bx in 0..blocks_wide {
            let x0 = bx * BLOCK;
            let pixels = ((x0 + BLOCK).min(image.width) - x0) * (y1 - y0);
            let (min, max) = (mins[bx], maxs[bx]);
            let mut point = (sums[bx] / pixels as u32) as u8;
            if max - min <= MIN_DYNAMIC_RANGE {
                // Flat: assume paper unless the neighbours say this is ink.
                point = min / 2;
                if by > 0 && bx > 0 {
                    let up = u32::from(points[(by - 1) * blocks_wide + bx]);
                    let left = u32::from(points[by * blocks_wide + bx - 1]);
                    let diagonal = u32::from(points[(by - 1) * blocks_wide + bx - 1]);
                    let neighbours = ((up + 2 * left + diagonal) / 4) as u8;
                    if min < neighbours {
                        point = neighbours;
                    }
                }
            }
            points[by * blocks_wide + bx] = point;
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
        let thresholds = Thresholds::compute(image);
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
        let thresholds = Thresholds::compute(image);
        assert!((0..30).all(|y| (0..40).all(|x| !thresholds.is_black(x, y, 128))));
    }
}
