//! Gray images: a borrowed view with a row stride, owned levels of the scale pyramid.

use super::{MAX_PIXELS, ScanError};

/// A borrowed 8-bit gray image: `height` rows of `stride` bytes, `width` of them pixels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Luma<'a> {
    pub data: &'a [u8],
    pub width: usize,
    pub height: usize,
    pub stride: usize,
}

impl<'a> Luma<'a> {
    /// Checks the dimensions against the buffer and the pixel budget.
    pub fn new(data: &'a [u8], width: u32, height: u32, stride: u32) -> Result<Self, ScanError> {
        if width == 0 || height == 0 {
            return Err(ScanError::Empty { width, height });
        }
        if u64::from(width) * u64::from(height) > MAX_PIXELS {
            return Err(ScanError::TooLarge { width, height });
        }
        // The last row needs only its pixels, not its padding.
        let needed = u64::from(stride) * u64::from(height - 1) + u64::from(width);
        if stride < width || (data.len() as u64) < needed {
            return Err(ScanError::InvalidFrame {
                width,
                height,
                row_stride: stride,
                needed,
                len: data.len(),
            });
        }
        Ok(Self {
            data,
            width: width as usize,
            height: height as usize,
            stride: stride as usize,
        })
    }

    /// The pixels of row `y`.
    #[inline]
    pub fn row(&self, y: usize) -> &'a [u8] {
        let start = y * self.stride;
        &self.data[start..start + self.width]
    }
}

/// An owned 8-bit gray image without padding.
#[derive(Debug, Clone)]
pub(crate) struct Gray {
    pub data: Vec<u8>,
    pub width: usize,
    pub height: usize,
}

impl Gray {
    /// A view of the whole image.
    pub fn view(&self) -> Luma<'_> {
        Luma {
            data: &self.data,
            width: self.width,
            height: self.height,
            stride: self.width,
        }
    }
}

/// The image at half size, each pixel the mean of a 2×2 block (an odd last row or column is
/// dropped).
pub(crate) fn half(src: Luma<'_>) -> Gray {
    let width = src.width / 2;
    let height = src.height / 2;
    let mut data = vec![0u8; width * height];
    for (y, out) in data.chunks_exact_mut(width.max(1)).enumerate().take(height) {
        let (top, bottom) = (lanes(src.row(2 * y)), lanes(src.row(2 * y + 1)));
        for ((o, t), b) in out.iter_mut().zip(top).zip(bottom) {
            *o = (((t & 0xff) + (t >> 8) + (b & 0xff) + (b >> 8) + 2) >> 2) as u8;
        }
    }
    Gray {
        data,
        width,
        height,
    }
}

/// Each two neighbouring values of `values` as one 16-bit lane, the first in its low byte (a
/// last odd value left out). Contiguous lanes, which compilers vectorize: value by value, pairs
/// would have to be unzipped first.
pub(crate) fn lanes(values: &[u8]) -> impl Iterator<Item = u16> + '_ {
    values
        .as_chunks::<2>()
        .0
        .iter()
        .map(|&pair| u16::from_le_bytes(pair))
}

/// The image at twice its size, bilinear: smooth edges let the thresholding place module
/// boundaries between the original pixels.
pub(crate) fn double(src: Luma<'_>) -> Gray {
    let width = src.width * 2;
    let height = src.height * 2;
    let mut data = vec![0u8; width * height];
    // Output pixel 2i+k samples the source at i + (2k-1)/4: weights 3/4 and 1/4 on each axis.
    // Each source row is weighted along x once (at 4×, into u16), then pairs of such rows
    // along y (at 16×).
    let horizontal = |row: &[u8], out: &mut [u16]| {
        let last = row.len() - 1;
        for (i, (&p, pair)) in row.iter().zip(out.chunks_exact_mut(2)).enumerate() {
            let p = 3 * u16::from(p);
            pair[0] = p + u16::from(row[i.saturating_sub(1)]);
            pair[1] = p + u16::from(row[(i + 1).min(last)]);
        }
    };
    let (mut above, mut here, mut below) =
        (vec![0u16; width], vec![0u16; width], vec![0u16; width]);
    horizontal(src.row(0), &mut here);
    above.copy_from_slice(&here);
    for y in 0..src.height {
        horizontal(src.row((y + 1).min(src.height - 1)), &mut below);
        let (top, bottom) = data[2 * y * width..(2 * y + 2) * width].split_at_mut(width);
        let rows = top.iter_mut().zip(bottom.iter_mut());
        for ((t, b), ((&c, &a), &n)) in rows.zip(here.iter().zip(&above).zip(&below)) {
            *t = ((3 * c + a + 8) / 16) as u8;
            *b = ((3 * c + n + 8) / 16) as u8;
        }
        // The row below becomes the current one; the current one, the row above.
        std::mem::swap(&mut above, &mut here);
        std::mem::swap(&mut here, &mut below);
    }
    Gray {
        data,
        width,
        height,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_stride_narrower_than_the_width_is_refused() {
        let data = [0u8; 100];
        assert!(matches!(
            Luma::new(&data, 10, 10, 9),
            Err(ScanError::InvalidFrame { .. })
        ));
    }

    #[test]
    fn the_last_row_needs_no_padding() {
        let data = [0u8; 3 * 16 + 10];
        assert!(Luma::new(&data, 10, 4, 16).is_ok());
        assert!(Luma::new(&data[..data.len() - 1], 10, 4, 16).is_err());
    }

    #[test]
    fn half_averages_blocks_and_skips_padding() {
        let data = [10, 20, 99, 30, 40, 99];
        let frame = Luma::new(&data, 2, 2, 3).unwrap();
        let half = half(frame);
        assert_eq!((half.width, half.height), (1, 1));
        assert_eq!(half.data, vec![25]);
    }

    #[test]
    fn double_keeps_flat_areas_flat_and_interpolates_edges() {
        let data = [0, 0, 200, 200];
        let frame = Luma::new(&data, 4, 1, 4).unwrap();
        let double = double(frame);
        assert_eq!((double.width, double.height), (8, 2));
        assert_eq!(&double.data[..8], &[0, 0, 0, 50, 150, 200, 200, 200]);
        assert_eq!(double.data[..8], double.data[8..]);
    }

    /// A frame's size from `widths` and `heights`, 0–2 bytes of padding after each row, and its
    /// bytes: (width, height, padding, data).
    fn padded(
        widths: std::ops::Range<usize>,
        heights: std::ops::Range<usize>,
    ) -> impl Strategy<Value = (usize, usize, usize, Vec<u8>)> {
        (widths, heights, 0usize..3).prop_flat_map(|(w, h, p)| {
            let data = prop::collection::vec(any::<u8>(), (w + p) * h);
            (Just(w), Just(h), Just(p), data)
        })
    }

    proptest! {
        // A fixed seed: the same cases on every run, so that CI cannot fail by chance.
        #![proptest_config(ProptestConfig {
            cases: 256,
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x646f_7562_6c65),
            ..ProptestConfig::default()
        })]

        /// Every pixel of the doubled image is the bilinear sample at its centre: source pixels
        /// weighted 3/4 and 1/4 on each axis (edges repeated), rounded; any size, any stride.
        #[test]
        fn double_is_the_bilinear_sample_at_each_pixel(
            (width, height, padding, data) in padded(1..9, 1..9)
        ) {
            let frame = Luma::new(&data, width as u32, height as u32, (width + padding) as u32).unwrap();
            let double = double(frame);
            prop_assert_eq!((double.width, double.height), (2 * width, 2 * height));
            let at = |x: isize, y: isize| {
                let x = x.clamp(0, width as isize - 1) as usize;
                let y = y.clamp(0, height as isize - 1) as usize;
                u32::from(data[y * (width + padding) + x])
            };
            for oy in 0..2 * height {
                for ox in 0..2 * width {
                    // The nearer source pixel and the other neighbour on each axis.
                    let (x, y) = ((ox / 2) as isize, (oy / 2) as isize);
                    let dx = if ox % 2 == 0 { -1 } else { 1 };
                    let dy = if oy % 2 == 0 { -1 } else { 1 };
                    let sum = 9 * at(x, y) + 3 * at(x + dx, y) + 3 * at(x, y + dy) + at(x + dx, y + dy);
                    prop_assert_eq!(
                        u32::from(double.data[oy * 2 * width + ox]),
                        (sum + 8) / 16,
                        "pixel ({}, {})", ox, oy
                    );
                }
            }
        }

        /// Every pixel of the halved image is the rounded mean of its 2×2 block (an odd last row
        /// or column dropped); any size, any stride.
        #[test]
        fn half_is_the_mean_of_each_block(
            (width, height, padding, data) in padded(1..40, 1..9)
        ) {
            let frame = Luma::new(&data, width as u32, height as u32, (width + padding) as u32).unwrap();
            let half = half(frame);
            prop_assert_eq!((half.width, half.height), (width / 2, height / 2));
            let at = |x: usize, y: usize| u32::from(data[y * (width + padding) + x]);
            for oy in 0..height / 2 {
                for ox in 0..width / 2 {
                    let (x, y) = (2 * ox, 2 * oy);
                    let sum = at(x, y) + at(x + 1, y) + at(x, y + 1) + at(x + 1, y + 1);
                    prop_assert_eq!(
                        u32::from(half.data[oy * (width / 2) + ox]),
                        (sum + 2) / 4,
                        "pixel ({}, {})", ox, oy
                    );
                }
            }
        }
    }
}
