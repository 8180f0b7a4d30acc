//! Finder patterns (the three 7×7 squares of a QR code) found by their 1:1:3:1:1 runs of dark and
//! light, in both polarities at once, on the thresholded frame.
//!
//! Rows are read a few apart; a row's runs are kept as a list, and every five consecutive runs
//! whose widths are in the ratio 1:1:3:1:1 are checked again down the centre column and along the
//! centre row, and along both diagonals when those disagree on its size (a pattern seen at a
//! steep angle, up to 2.5 times as wide as tall or as tall as wide). A window that starts with a
//! dark run is an ordinary pattern, one that starts with a light run a dark-mode (inverted) one,
//! so both polarities cost one pass over the pixels.

use super::binarize::Thresholds;
use super::frame::Luma;

/// A finder pattern's centre and module size, in pixels (continuous coordinates: pixel `i` spans
/// `[i, i + 1)`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Finder {
    pub x: f32,
    pub y: f32,
    /// The width of one module, in pixels.
    pub module: f32,
    /// Light modules on dark: a dark-mode code.
    pub inverted: bool,
    /// How many scanned rows found this pattern.
    pub count: u32,
}

/// A thresholded view of a frame: whether a pixel is dark, in one polarity.
#[derive(Clone, Copy)]
pub(crate) struct Bits<'a> {
    pub image: Luma<'a>,
    pub thresholds: &'a Thresholds,
}

impl Bits<'_> {
    /// Whether pixel (`x`, `y`) is dark, or light when `inverted`.
    #[inline]
    pub fn on(&self, x: usize, y: usize, inverted: bool) -> bool {
        self.thresholds
            .is_black(x, y, self.image.data[y * self.image.stride + x])
            != inverted
    }
}

/// Every finder pattern of either polarity, scanning one row in `row_step` until the budget is
/// spent; with `despeckle`, single-pixel specks are dropped from the rows first (see
/// [`Thresholds::row_edges`]).
pub(crate) fn find(
    bits: Bits<'_>,
    row_step: usize,
    despeckle: bool,
    in_budget: &dyn Fn() -> bool,
) -> Vec<Finder> {
    let Luma { width, height, .. } = bits.image;
    let mut finders: Vec<Finder> = Vec::new();
    // Run boundaries of the current row: run k spans [edges[k], edges[k + 1]).
    let mut edges: Vec<usize> = Vec::with_capacity(width / 2 + 2);
    let mut words: Vec<u64> = Vec::with_capacity(width.div_ceil(64));
    let mut y = row_step / 2;
    while y < height && in_budget() {
        edges.clear();
        edges.push(0);
        let row = bits.image.row(y);
        let first_dark = bits
            .thresholds
            .row_edges(row, y, despeckle, &mut words, &mut edges);
        edges.push(width);
        for (k, window) in edges.windows(6).enumerate() {
            let counts: [usize; 5] = std::array::from_fn(|i| window[i + 1] - window[i]);
            if !is_finder_ratio_int(&counts) {
                continue;
            }
            // Run k is dark in the frame when k has the parity of the first run.
            let inverted = (k % 2 == 0) != first_dark;
            let centre_x = (window[2] + window[3]) as f32 / 2.0;
            let counts = counts.map(|c| c as f32);
            let total: f32 = counts.iter().sum();
            if let Some(finder) = confirm(bits, centre_x, y, counts[2], total, inverted) {
                merge(&mut finders, finder);
            }
        }
        y += row_step;
    }
    finders
}

/// [`is_finder_ratio`] on whole pixels, in integers (the row scan's hot path): with `m` = total / 7,
/// |c − m| < m / 2 is |14c − 2·total| < total, and |c − 3m| < 3m / 2 is |14c − 6·total| < 3·total.
#[inline]
fn is_finder_ratio_int(counts: &[usize; 5]) -> bool {
    // The centre run is longer than each other one (over 3/2 of a module against under 3/2):
    // on noise, the test most windows fail, and the cheapest.
    let c = counts[2];
    if c <= counts[0] || c <= counts[1] || c <= counts[3] || c <= counts[4] {
        return false;
    }
    let total: usize = counts.iter().sum();
    if total < 7 {
        return false;
    }
    let off = |c: usize, times: usize| (14 * c).abs_diff(times * total);
    off(counts[0], 2) < total
        && off(counts[1], 2) < total
        && off(counts[2], 6) < 3 * total
        && off(counts[3], 2) < total
        && off(counts[4], 2) < total
}

/// Whether five run widths are in the ratio 1:1:3:1:1: each outer run within half a module,
/// the centre run within one and a half.
pub(crate) fn is_finder_ratio(counts: &[f32; 5]) -> bool {
    let total: f32 = counts.iter().sum();
    if total < 7.0 {
        return false;
    }
    let module = total / 7.0;
    let slack = module * 0.5;
    (counts[0] - module).abs() < slack
        && (counts[1] - module).abs() < slack
        && (counts[2] - 3.0 * module).abs() < 3.0 * slack
        && (counts[3] - module).abs() < slack
        && (counts[4] - module).abs() < slack
}

/// Checks a row's candidate down its centre column, then along the row through the vertical
/// centre; returns the pattern when both agree. One seen obliquely, its height and width far
/// apart, must show the pattern along both diagonals through its centre too: a look-alike in a
/// code's data can be that lopsided, a real pattern seen at a steep angle shows it along every
/// line through its centre (a perspective keeps the ratios along a line, nearly, at a finder's
/// scale).
fn confirm(
    bits: Bits<'_>,
    centre_x: f32,
    y: usize,
    centre_run: f32,
    total: f32,
    inverted: bool,
) -> Option<Finder> {
    let max_run = centre_run.ceil() as usize;
    let x = centre_x as usize;
    let (dy, first) = cross_check(bits, (x, y), DOWN, max_run, Some(total), inverted)?;
    let cy = y as f32 + dy;
    let (dx, horizontal) = cross_check(
        bits,
        (x, cy as usize),
        RIGHT,
        max_run,
        Some(total),
        inverted,
    )?;
    let cx = x as f32 + dx;
    // Once more down the refined column: the first column may have been off-centre.
    let (cy, vertical) = cross_check(
        bits,
        (cx as usize, cy as usize),
        DOWN,
        max_run,
        Some(total),
        inverted,
    )
    .map_or((cy, first), |(dy, v)| (cy.floor() + dy, v));
    // Seen about square: every run total within 40% of the row's.
    let near = |run: f32| 5.0 * (run - total).abs() < 2.0 * total;
    if !(near(first) && near(horizontal) && near(vertical)) {
        let max_run = (3.0 * horizontal.max(vertical) / 7.0).ceil() as usize;
        for diagonal in [(1, 1), (1, -1)] {
            cross_check(
                bits,
                (cx as usize, cy as usize),
                diagonal,
                max_run,
                None,
                inverted,
            )?;
        }
    }
    Some(Finder {
        x: cx,
        y: cy,
        module: (horizontal + vertical) / 14.0,
        inverted,
        count: 1,
    })
}

/// Steps along a row and down a column.
const RIGHT: (isize, isize) = (1, 0);
const DOWN: (isize, isize) = (0, 1);

/// A pattern seen at most this many times taller than wide, or wider than tall: about 66° from
/// straight on.
const MAX_OBLIQUE: f32 = 2.5;

/// Walks from (`x`, `y`), in the pattern's centre, both ways by the step (`sx`, `sy`), measuring
/// the five runs. Returns the centre of the middle run (in steps from (`x`, `y`), continuous: the
/// step at 0 spans `[0, 1)`) and the runs' total when they are in the finder ratio and, if `expected_total` is
/// given, their total is within [`MAX_OBLIQUE`] times of it either way.
fn cross_check(
    bits: Bits<'_>,
    (x, y): (usize, usize),
    (sx, sy): (isize, isize),
    max_run: usize,
    expected_total: Option<f32>,
    inverted: bool,
) -> Option<(f32, f32)> {
    let (width, height) = (bits.image.width as isize, bits.image.height as isize);
    // Dark (light when `inverted`) `t` steps away, or `None` past the frame's edge.
    let on = |t: isize| {
        let (px, py) = (x as isize + sx * t, y as isize + sy * t);
        ((0..width).contains(&px) && (0..height).contains(&py))
            .then(|| bits.on(px as usize, py as usize, inverted))
    };
    if on(0) != Some(true) {
        return None;
    }
    let mut counts = [0usize; 5];
    // The centre run may be longer than the row's (a tilted code); the outer ones are a module.
    let cap = |run: usize| if run == 2 { 3 * max_run } else { max_run };
    // Backwards: the centre run, the light ring, the dark ring.
    let mut i = 0isize;
    for (run, want) in [(2, true), (1, false), (0, true)] {
        while on(i) == Some(want) && counts[run] <= cap(run) {
            counts[run] += 1;
            i -= 1;
        }
        if counts[run] == 0 || counts[run] > cap(run) {
            return None;
        }
    }
    // Forwards.
    let mut j = 1isize;
    for (run, want) in [(2, true), (3, false), (4, true)] {
        while on(j) == Some(want) && counts[run] <= cap(run) {
            counts[run] += 1;
            j += 1;
        }
        if counts[run] == 0 || counts[run] > cap(run) {
            return None;
        }
    }
    let counts = counts.map(|c| c as f32);
    let total: f32 = counts.iter().sum();
    let expected = |e: f32| total <= MAX_OBLIQUE * e && MAX_OBLIQUE * total >= e;
    if !expected_total.is_none_or(expected) || !is_finder_ratio(&counts) {
        return None;
    }
    Some((j as f32 - counts[4] - counts[3] - counts[2] / 2.0, total))
}

/// At most this many distinct candidates are kept: a frame holds a few codes, and a crafted
/// image full of finder-like texture must not make merging quadratic.
const MAX_CANDIDATES: usize = 512;

/// Adds a finder, or averages it into one already found at the same place and size.
fn merge(finders: &mut Vec<Finder>, new: Finder) {
    for f in finders.iter_mut() {
        if f.inverted == new.inverted
            && (f.x - new.x).abs() <= f.module.max(new.module)
            && (f.y - new.y).abs() <= f.module.max(new.module)
            && (f.module - new.module).abs() <= 1.0_f32.max(0.3 * f.module)
        {
            let n = f.count as f32;
            f.x = (f.x * n + new.x) / (n + 1.0);
            f.y = (f.y * n + new.y) / (n + 1.0);
            f.module = (f.module * n + new.module) / (n + 1.0);
            f.count += 1;
            return;
        }
    }
    if finders.len() >= MAX_CANDIDATES {
        // Full: forget candidates seen on one row only, well above this one (a real pattern is
        // seen again on the next scanned rows), so that clutter above a code cannot crowd out
        // its finders.
        finders.retain(|f| f.count > 1 || f.y + 8.0 * f.module > new.y);
    }
    if finders.len() < MAX_CANDIDATES {
        finders.push(new);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::binarize::{Blocks, FLAT_CAMERA};

    /// The code `qrcode` draws for a short text, `scale` pixels per module, with a 4-module quiet
    /// zone; dark modules `ink`, the rest `paper`.
    fn drawn(scale: usize, ink: u8, paper: u8) -> (Vec<u8>, usize, usize) {
        let code = qrcode::QrCode::new(b"jeton").unwrap();
        let n = code.width();
        let colors = code.to_colors();
        let side = (n + 8) * scale;
        let mut pixels = vec![paper; side * side];
        for y in 0..side {
            for x in 0..side {
                let (mx, my) = ((x / scale) as i64 - 4, (y / scale) as i64 - 4);
                if (0..n as i64).contains(&mx)
                    && (0..n as i64).contains(&my)
                    && colors[my as usize * n + mx as usize] == qrcode::Color::Dark
                {
                    pixels[y * side + x] = ink;
                }
            }
        }
        (pixels, side, n)
    }

    /// The finder patterns `find` sees in a `w` × `h` picture, binarized as camera frames are,
    /// scanning every `row_step`-th row.
    fn find_in(pixels: &[u8], w: usize, h: usize, row_step: usize) -> Vec<Finder> {
        let image = Luma::new(pixels, w as u32, h as u32, w as u32).unwrap();
        let thresholds = Thresholds::from_blocks(&Blocks::measure(image), 1, FLAT_CAMERA);
        let bits = Bits {
            image,
            thresholds: &thresholds,
        };
        find(bits, row_step, false, &|| true)
    }

    fn finders(pixels: &[u8], side: usize) -> Vec<Finder> {
        let mut found = find_in(pixels, side, side, 2);
        // Data modules can look like a pattern on a row or two; the real ones are seen on
        // every row through their centre, so they are the three seen most.
        found.sort_by_key(|f| std::cmp::Reverse(f.count));
        assert!(
            found.len() < 4 || found[3].count * 2 < found[2].count,
            "{found:?}"
        );
        found.truncate(3);
        found.sort_by(|a, b| (a.y + a.x / 1000.0).total_cmp(&(b.y + b.x / 1000.0)));
        found
    }

    #[test]
    fn the_three_finder_patterns_are_found_at_their_centres() {
        let (pixels, side, n) = drawn(5, 20, 240);
        let found = finders(&pixels, side);
        // Centres 3.5 modules in from the code's corners, the code 4 modules in from the image's.
        let near = 5.0 * (4.0 + 3.5);
        let far = 5.0 * (4.0 + n as f32 - 3.5);
        let expected = [(near, near), (far, near), (near, far)];
        assert_eq!(found.len(), 3, "{found:?}");
        for (f, (x, y)) in found.iter().zip(expected) {
            assert!(
                (f.x - x).abs() <= 0.5 && (f.y - y).abs() <= 0.5,
                "{f:?} vs ({x}, {y})"
            );
            assert!((f.module - 5.0).abs() < 0.5, "{f:?}");
            assert!(!f.inverted);
            assert!(f.count >= 2);
        }
    }

    /// One finder pattern, `sx` × `sy` pixels a module, in the middle of a light 120×80 frame;
    /// pixels `broken` says (in pixels from the pattern's centre) are light.
    fn lone_pattern(sx: f32, sy: f32, broken: &dyn Fn(f32, f32) -> bool) -> Vec<Finder> {
        let (w, h) = (120, 80);
        let pixels: Vec<u8> = (0..w * h)
            .map(|i| {
                let (dx, dy) = ((i % w) as f32 + 0.5 - 60.0, (i / w) as f32 + 0.5 - 40.0);
                let ring = (dx / sx).abs().max((dy / sy).abs());
                let dark = ring < 1.5 || (2.5..3.5).contains(&ring);
                if dark && !broken(dx, dy) { 20 } else { 235 }
            })
            .collect();
        find_in(&pixels, w, h, 1)
    }

    #[test]
    fn a_pattern_seen_at_a_steep_angle_is_found_and_a_lopsided_look_alike_is_not() {
        // Twice as wide as tall (a code seen 60° from straight on): found, at its centre, its
        // module the mean of both.
        let found = lone_pattern(6.0, 3.0, &|_, _| false);
        assert_eq!(found.len(), 1, "{found:?}");
        let f = found[0];
        assert!(
            (f.x - 60.0).abs() <= 0.5 && (f.y - 40.0).abs() <= 0.5,
            "{f:?}"
        );
        assert!((f.module - 4.5).abs() < 0.5, "{f:?}");
        // The same with its outer ring cut where the diagonals through its centre cross it:
        // still 1:1:3:1:1 along its row and column, but a real pattern seen at an angle shows
        // the ratio along every line through its centre, and this does not.
        let cut =
            |dx: f32, dy: f32| (7.0..11.0).contains(&dx.abs()) && (7.0..11.0).contains(&dy.abs());
        assert_eq!(lone_pattern(6.0, 3.0, &cut), []);
        // Seen straight on, the row and column agree and are enough (as before).
        assert_eq!(lone_pattern(4.0, 4.0, &|_, _| false).len(), 1);
    }

    #[test]
    fn dark_mode_finders_are_found_as_inverted() {
        let (pixels, side, _) = drawn(4, 235, 15);
        let found = finders(&pixels, side);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found.iter().all(|f| f.inverted));
    }

    #[test]
    fn the_integer_ratio_test_agrees_with_the_float_one() {
        for total in 0..40usize {
            for a in 0..=total.min(12) {
                for c in 0..=(total - a).min(20) {
                    for b in 0..=(total - a - c).min(12) {
                        let rest = total - a - b - c;
                        for d in 0..=rest.min(12) {
                            let counts = [a, b, c, d, rest - d];
                            let floats = counts.map(|c| c as f32);
                            assert_eq!(
                                is_finder_ratio_int(&counts),
                                is_finder_ratio(&floats),
                                "{counts:?}"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_finder_ratio_allows_half_a_module() {
        assert!(is_finder_ratio(&[3.0, 3.0, 9.0, 3.0, 3.0]));
        assert!(is_finder_ratio(&[2.0, 3.0, 10.0, 3.0, 4.0]));
        assert!(!is_finder_ratio(&[3.0, 3.0, 3.0, 3.0, 3.0]));
        assert!(!is_finder_ratio(&[1.0, 1.0, 3.0, 1.0, 0.0]));
    }
}
