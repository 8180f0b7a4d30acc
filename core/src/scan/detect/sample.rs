//! Reading the frame at module centres: gray values (bilinear) against the local threshold, a
//! local module grid, and how well a neighbourhood matches a finder or alignment pattern.

use crate::scan::finder::{Bits, Finder, is_finder_ratio};
use crate::scan::frame::Luma;

use super::homography::Homography;

/// The gray value at (`x`, `y`) (continuous coordinates) and the threshold below which it is
/// dark; off the frame, a light module of the code's polarity (a quiet zone): paper, or ink
/// when `inverted`.
pub(super) fn sample(bits: Bits<'_>, x: f64, y: f64, inverted: bool) -> (f32, f32) {
    let image = bits.image;
    let (x, y) = (x as f32, y as f32);
    if !on_frame(image, x, y) {
        return if inverted { (0.0, 255.0) } else { (255.0, 0.0) };
    }
    let threshold = bits
        .thresholds
        .darkness(x as u32 as usize, y as u32 as usize, 0.0);
    (gray(bits, x.into(), y.into(), inverted), threshold)
}

/// The gray value of [`sample`] alone.
pub(super) fn gray(bits: Bits<'_>, x: f64, y: f64, inverted: bool) -> f32 {
    let image = bits.image;
    let (x, y) = (x as f32, y as f32);
    if !on_frame(image, x, y) {
        return if inverted { 0.0 } else { 255.0 };
    }
    f32::from(bilinear(image, x - 0.5, y - 0.5))
}

/// Whether the module centred at (`x`, `y`) is dark (light when `inverted`); off the frame is
/// light, as a quiet zone is.
pub(super) fn module_at(bits: Bits<'_>, x: f64, y: f64, inverted: bool) -> bool {
    let (value, threshold) = sample(bits, x, y, inverted);
    (threshold - value >= 0.0) != inverted
}

/// A local, affine view of the module grid, to read the neighbourhood of a point module by
/// module.
pub(super) struct Grid {
    right: (f64, f64),
    down: (f64, f64),
}

impl Grid {
    /// The module steps around a finder pattern whose size was measured as `module` pixels from
    /// runs along the image's rows and columns, for a code whose sides run along the unit
    /// vectors `right` and `down`. Runs cross a turned square on a chord 1/cos longer, for the
    /// angle to the nearer image axis, so the measure is scaled back by that cosine.
    pub(super) fn of_finder(right: (f64, f64), down: (f64, f64), module: f32) -> Self {
        let m = f64::from(module) * right.0.abs().max(right.1.abs());
        Self {
            right: (right.0 * m, right.1 * m),
            down: (down.0 * m, down.1 * m),
        }
    }

    /// The module steps `right` and `down`, in pixels.
    pub(super) fn new(right: (f64, f64), down: (f64, f64)) -> Self {
        Self { right, down }
    }

    /// The point `i` modules right and `j` modules down from `centre`.
    pub(super) fn point(&self, centre: (f64, f64), i: f64, j: f64) -> (f64, f64) {
        (
            centre.0 + i * self.right.0 + j * self.down.0,
            centre.1 + i * self.right.1 + j * self.down.1,
        )
    }

    /// The module steps of `h` at module (`u`, `v`), measured across that module.
    pub(super) fn at(h: &Homography, u: f64, v: f64) -> Self {
        let (lx, ly) = h.map(u - 0.5, v);
        let (rx, ry) = h.map(u + 0.5, v);
        let (ux, uy) = h.map(u, v - 0.5);
        let (dx, dy) = h.map(u, v + 0.5);
        Self {
            right: (rx - lx, ry - ly),
            down: (dx - ux, dy - uy),
        }
    }
}

/// The share of the modules around `centre` that read as a concentric square pattern of
/// `radius` rings must: dark, but for a light ring just inside the outer one. A finder pattern
/// has radius 3 (its 3×3 centre dark), an alignment pattern radius 2 (one dark module inside).
pub(super) fn concentric_match(
    bits: Bits<'_>,
    grid: &Grid,
    centre: (f64, f64),
    radius: i32,
    inverted: bool,
) -> f32 {
    let matched = concentric_matched_at_least(bits, grid, centre, radius, inverted, 0).unwrap_or(0);
    matched as f32 / judged_modules(radius) as f32
}

/// Whether the module at (`i`, `j`) from a concentric pattern's centre is read when matching it.
/// A finder pattern (radius 3) is judged on the 33 of its 49 modules where a square finder and
/// the round one of designer codes (a ring and a dot) agree: its corners, and the modules next
/// to them, are dark in one and light in the other.
pub(super) fn judged(i: i32, j: i32, radius: i32) -> bool {
    radius != 3 || i.abs() < 2 || j.abs() < 2
}

/// How many modules of a concentric pattern of `radius` rings are [`judged`].
pub(super) fn judged_modules(radius: i32) -> u32 {
    let side = (2 * radius + 1) as u32;
    if radius == 3 {
        side * side - 16
    } else {
        side * side
    }
}

/// [`concentric_match`] as a count of modules read right, or `None` as soon as fewer than
/// `least` can be: a search for the best match stops reading a place that can't beat it.
pub(super) fn concentric_matched_at_least(
    bits: Bits<'_>,
    grid: &Grid,
    centre: (f64, f64),
    radius: i32,
    inverted: bool,
    least: u32,
) -> Option<u32> {
    let modules = judged_modules(radius);
    if least > modules {
        return None;
    }
    let most_wrong = modules - least;
    let (mut matched, mut wrong) = (0u32, 0u32);
    for j in -radius..=radius {
        for i in (-radius..=radius).filter(|&i| judged(i, j, radius)) {
            let (x, y) = grid.point(centre, f64::from(i), f64::from(j));
            if module_at(bits, x, y, inverted) == (i.abs().max(j.abs()) != radius - 1) {
                matched += 1;
            } else {
                wrong += 1;
                if wrong > most_wrong {
                    return None;
                }
            }
        }
    }
    Some(matched)
}

/// The width of the finder pattern centred at `centre` along the unit vector `dir`, in pixels:
/// from its outer edge on one side to the other, seven modules along that line however steep
/// the view (a perspective keeps the ratios along a line, nearly, across a finder). Read every
/// half pixel from the centre out both ways (dark core, light ring, dark ring, then light); the
/// runs crossed must be in the finder's 1:1:3:1:1 ratio, as along the rows. `None` when they are
/// not (a speck, or a ring blurred away) or an edge is not within `reach` pixels.
pub(super) fn width_along(
    bits: Bits<'_>,
    centre: (f64, f64),
    dir: (f64, f64),
    reach: f64,
    inverted: bool,
) -> Option<f64> {
    // Each way, the distances from the centre to the core's edge, the light ring's, the dark
    // ring's.
    let edges = |sign: f64| -> Option<[f64; 3]> {
        let mut edges = [0.0; 3];
        let (mut dark, mut found, mut t) = (true, 0, 0.0);
        while found < 3 {
            t += 0.5;
            if t > reach {
                return None;
            }
            let (x, y) = (centre.0 + sign * t * dir.0, centre.1 + sign * t * dir.1);
            if module_at(bits, x, y, inverted) != dark {
                dark = !dark;
                edges[found] = t - 0.25;
                found += 1;
            }
        }
        Some(edges)
    };
    let (ahead, behind) = (edges(1.0)?, edges(-1.0)?);
    let runs = [
        behind[2] - behind[1],
        behind[1] - behind[0],
        behind[0] + ahead[0],
        ahead[1] - ahead[0],
        ahead[2] - ahead[1],
    ]
    .map(|run| run as f32);
    is_finder_ratio(&runs).then_some(behind[2] + ahead[2])
}

pub(super) fn dist(a: (f64, f64), b: (f64, f64)) -> f64 {
    (a.0 - b.0).hypot(a.1 - b.1)
}

pub(super) fn pt(f: &Finder) -> (f64, f64) {
    (f64::from(f.x), f64::from(f.y))
}

/// Whether (`x`, `y`) is on the frame. In u32 (what `Luma::new` takes), as in [`bilinear`]:
/// its conversions from and to f32 are a few instructions, where usize's are a dozen each.
pub(super) fn on_frame(image: Luma<'_>, x: f32, y: f32) -> bool {
    x >= 0.0 && y >= 0.0 && x < image.width as u32 as f32 && y < image.height as u32 as f32
}

/// The gray value at (`x`, `y`) in pixel-centre coordinates, interpolated between the four
/// nearest pixels.
fn bilinear(image: Luma<'_>, x: f32, y: f32) -> u8 {
    // In u32, as in `on_frame`.
    let (last_x, last_y) = (image.width as u32 - 1, image.height as u32 - 1);
    let x = x.clamp(0.0, last_x as f32);
    let y = y.clamp(0.0, last_y as f32);
    let (x0, y0) = (x as u32, y as u32);
    let (x1, y1) = ((x0 + 1).min(last_x), (y0 + 1).min(last_y));
    let (fx, fy) = (x - x0 as f32, y - y0 as f32);
    let p = |x: u32, y: u32| f32::from(image.data[y as usize * image.stride + x as usize]);
    let top = p(x0, y0) * (1.0 - fx) + p(x1, y0) * fx;
    let bottom = p(x0, y1) * (1.0 - fx) + p(x1, y1) * fx;
    (top * (1.0 - fy) + bottom * fy + 0.5) as u8
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::binarize::{Blocks, FLAT_CAMERA, Thresholds};

    #[test]
    fn the_bounded_count_is_the_full_count_when_it_reaches_the_bound() {
        // Pseudo-random blotches of 3×3 pixels, read at many places, turns and bounds: the count
        // is concentric_match's share of the 33 judged whenever it reaches the bound, else none.
        let (w, h) = (96usize, 96usize);
        let mut state = 12345u32;
        let mut cells = vec![0u8; (w / 3) * (h / 3)];
        for c in &mut cells {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            *c = if (state >> 16) & 1 == 1 { 20 } else { 230 };
        }
        let pixels: Vec<u8> = (0..w * h)
            .map(|i| cells[(i / w / 3) * (w / 3) + (i % w) / 3])
            .collect();
        let image = Luma::new(&pixels, w as u32, h as u32, w as u32).unwrap();
        let thresholds = Thresholds::from_blocks(&Blocks::measure(image), 1, FLAT_CAMERA);
        let bits = Bits {
            image,
            thresholds: &thresholds,
        };
        let mut checked = 0;
        for (right, down) in [((1.0, 0.0), (0.0, 1.0)), ((0.8, 0.6), (-0.6, 0.8))] {
            let grid = Grid::of_finder(right, down, 3.0);
            for cy in (20..76).step_by(5) {
                for cx in (20..76).step_by(7) {
                    let centre = (f64::from(cx), f64::from(cy));
                    for inverted in [false, true] {
                        let full = concentric_match(bits, &grid, centre, 3, inverted);
                        let matched = (full * 33.0).round() as u32;
                        for least in [0, 15, 20, 25, 28, 30, 33, 34] {
                            let bounded = concentric_matched_at_least(
                                bits, &grid, centre, 3, inverted, least,
                            );
                            assert_eq!(bounded, (matched >= least).then_some(matched));
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 1000);
    }
}
