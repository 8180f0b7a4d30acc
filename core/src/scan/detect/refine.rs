//! A located code that did not read, its transform refined: the four points that place it moved
//! a little at a time, in ever smaller steps, while its function patterns read better.
//!
//! On wavy paper or fabric, one transform through the finder centres and the alignment pattern
//! ([`super::fit`], [`super::read`]) can read every finder and timing module and still leave
//! data modules a fraction of a module off, too many to correct. Judging each function module
//! at nine points instead of its centre, by how far each pixel is past its threshold, tells how
//! far off the transform is; moving its points towards what reads best brings the data modules
//! back under their centres. This is quirc's (and `rqrr`'s) perspective "jiggle", here on the
//! gray pixels against our local thresholds, scored continuously, with the alignment patterns
//! in the score, and run once for a code our locator placed but could not read.

use super::homography::Homography;
use super::sample::on_frame;
use crate::scan::finder::Bits;
use crate::scan::payload::alignment_rows;

/// Rounds of moves, each with steps half the last.
const ROUNDS: usize = 5;

/// The first step, in modules.
const FIRST_STEP: f64 = 0.5;

/// The transform `h` of a version-`version` code refined to its finder, timing and alignment
/// patterns; `None` when no move read them better.
pub(super) fn refine(
    bits: Bits<'_>,
    h: &Homography,
    version: i32,
    inverted: bool,
) -> Option<Homography> {
    let dim = 17 + 4 * version as usize;
    let d = dim as f64;
    let cells = function_cells(version);
    let src = [
        (3.5, 3.5),
        (d - 3.5, 3.5),
        (3.5, d - 3.5),
        (d - 3.5, d - 3.5),
    ];
    let mut dst = src.map(|(u, v)| h.map(u, v));
    let (x0, y0) = dst[0];
    let (x1, y1) = dst[1];
    let module = (x1 - x0).hypot(y1 - y0) / (d - 7.0);
    let mut best_h = h.clone();
    let mut best = fitness(bits, &best_h, &cells, inverted, f32::NEG_INFINITY)?;
    let start = best;
    let mut step = FIRST_STEP * module;
    for _ in 0..ROUNDS {
        for point in 0..4 {
            for axis in 0..2 {
                for sign in [1.0, -1.0] {
                    let mut moved = dst;
                    if axis == 0 {
                        moved[point].0 += sign * step;
                    } else {
                        moved[point].1 += sign * step;
                    }
                    let Some(h) = Homography::from_points(&src, &moved) else {
                        continue;
                    };
                    if let Some(score) = fitness(bits, &h, &cells, inverted, best) {
                        (best, best_h, dst) = (score, h, moved);
                        break;
                    }
                }
            }
        }
        step /= 2.0;
    }
    (best > start).then_some(best_h)
}

/// The function modules judged, each with whether it is dark: the three finder patterns (without
/// their separators), both timing patterns, and the alignment patterns.
fn function_cells(version: i32) -> Vec<(u16, u16, bool)> {
    let dim = 17 + 4 * version as usize;
    let mut cells = Vec::new();
    for (ox, oy) in [(0, 0), (dim - 7, 0), (0, dim - 7)] {
        for j in 0..7 {
            for i in 0..7 {
                let ring = (i as i32 - 3).abs().max((j as i32 - 3).abs());
                cells.push(((ox + i) as u16, (oy + j) as u16, ring != 2));
            }
        }
    }
    for k in 8..dim - 8 {
        cells.push((k as u16, 6, k % 2 == 0));
        cells.push((6, k as u16, k % 2 == 0));
    }
    let rows = alignment_rows(version);
    let last = rows.len().saturating_sub(1);
    for (a, &cy) in rows.iter().enumerate() {
        for (b, &cx) in rows.iter().enumerate() {
            // The three that would overlap the finders are not there.
            let corner = |i: usize| i == 0 || i == last;
            if corner(a) && corner(b) && (a == 0 || b == 0) {
                continue;
            }
            for j in 0..5 {
                for i in 0..5 {
                    let ring = (i as i32 - 2).abs().max((j as i32 - 2).abs());
                    cells.push(((cx + i - 2) as u16, (cy + j - 2) as u16, ring != 1));
                }
            }
        }
    }
    cells
}

/// How well the function modules read as they must: each judged at nine points around its
/// centre (a module a third off reads a third wrong), each point by how far its pixel is on the
/// right side of its threshold, up to [`CLEAR`] levels (a point far on the wrong side counts as
/// much against; off the frame, a light module as a quiet zone is); `None` as soon as the score
/// can no longer exceed `beat`.
fn fitness(
    bits: Bits<'_>,
    h: &Homography,
    cells: &[(u16, u16, bool)],
    inverted: bool,
    beat: f32,
) -> Option<f32> {
    // The nine points, a fifth of a module apart around the centre.
    const AT: [f32; 3] = [-0.2, 0.0, 0.2];
    let image = bits.image;
    // Pixel positions in f32, truncated through i32: a point needs neither more range nor more
    // precision, and those conversions cost a fraction of f64 to usize.
    // Summed in whole gray levels (each point's is a whole number: exact, and integer work),
    // and turned into points of [`CLEAR`] levels at the end.
    let clear = CLEAR as i32;
    let beat = beat * CLEAR;
    let mut left = 9 * clear * cells.len() as i32;
    let mut score = 0i32;
    for &(mx, my, dark) in cells {
        // Dark pixels count for a dark module of ink's polarity (light pixels when inverted).
        let sign = if dark == inverted { -1 } else { 1 };
        // Off the frame, a light module of the code's polarity, as a quiet zone is.
        let off = if dark { -clear } else { clear };
        let ((cx, cy), per_u, per_v) = h.map_with_steps(f64::from(mx) + 0.5, f64::from(my) + 0.5);
        let (cx, cy) = (cx as f32, cy as f32);
        let (per_u, per_v) = (
            (per_u.0 as f32, per_u.1 as f32),
            (per_v.0 as f32, per_v.1 as f32),
        );
        for dv in AT {
            for du in AT {
                let (x, y) = (
                    cx + du * per_u.0 + dv * per_v.0,
                    cy + du * per_u.1 + dv * per_v.1,
                );
                let right = if on_frame(image, x, y) {
                    let (x, y) = (x as i32 as usize, y as i32 as usize);
                    image.data.get(y * image.stride + x).map_or(off, |&pixel| {
                        sign * bits.thresholds.darkness_level(x, y, pixel)
                    })
                } else {
                    off
                };
                score += right.clamp(-clear, clear);
            }
        }
        // Each point adds at most what it takes from `left`: once out of reach, out for good.
        left -= 9 * clear;
        if (score + left) as f32 <= beat {
            return None;
        }
    }
    Some(score as f32 / CLEAR)
}

/// Gray levels past its threshold at which a point counts as fully dark or light.
const CLEAR: f32 = 24.0;

#[cfg(test)]
mod tests {
    use std::f64::consts::PI;

    use crate::scan::binarize::{Blocks, FLAT_CAMERA, Thresholds};
    use crate::scan::detect::tests::render;
    use crate::scan::detect::{Tried, decode_all};
    use crate::scan::finder::Bits;
    use crate::scan::frame::Luma;

    use super::super::homography::Homography;
    use super::super::read::read_grid;
    use super::refine;

    const URI: &str = "otpauth://totp/x?secret=JBSWY3DP";
    const SIDE: usize = 240;

    /// A version-`version` code of [`URI`] (level L) drawn 6 pixels a module in the middle of a
    /// [`SIDE`]-pixel square, on a surface that moves the module at (`u`, `v`) of a flat drawing
    /// by `wave(u / n, v / n)` modules (`n` the code's side); ink 30 on paper 220.
    fn wavy(version: i16, wave: &dyn Fn(f64, f64) -> (f64, f64)) -> Vec<u8> {
        let code = qrcode::QrCode::with_version(
            URI.as_bytes(),
            qrcode::Version::Normal(version),
            qrcode::EcLevel::L,
        )
        .unwrap();
        let (n, scale) = (code.width() as f64, 6.0);
        let x0 = (SIDE as f64 - n * scale) / 2.0;
        let module_at = |x: f64, y: f64| {
            let (u, v) = ((x - x0) / scale, (y - x0) / scale);
            let (du, dv) = wave(u / n, v / n);
            (u - du, v - dv)
        };
        render(&code, (SIDE, SIDE), (30, 220), &module_at, &|_, _| false)
    }

    /// The payloads our locator reads, with `tried` as the pass's state.
    fn read(pixels: &[u8], mut tried: Tried) -> Vec<String> {
        let image = Luma::new(pixels, SIDE as u32, SIDE as u32, SIDE as u32).unwrap();
        let thresholds = Thresholds::from_blocks(&Blocks::measure(image), 1, FLAT_CAMERA);
        let codes = decode_all(image, &thresholds, 0, false, &mut tried, &|| true);
        codes.into_iter().map(|c| c.payload).collect()
    }

    #[test]
    fn a_code_on_a_wavy_surface_is_read_through_its_refined_transform() {
        // Modules moved up to 0.8 of a module across one axis and along the other (a pillow),
        // or half a module in one and a half waves: one transform through the finders and the
        // alignment pattern puts too many data modules off their centres to correct.
        let pillow = |u: f64, v: f64| (0.8 * (PI * v).sin(), 0.8 * (PI * u).sin());
        let waves = |u: f64, _: f64| (0.0, 0.5 * (1.5 * PI * u).sin());
        for (name, version, wave) in [
            ("pillow", 3, &pillow as &dyn Fn(f64, f64) -> (f64, f64)),
            ("waves", 4, &waves),
        ] {
            let pixels = wavy(version, wave);
            assert!(
                read(&pixels, Tried::default()).is_empty(),
                "{name}: one transform must not read it, or this test tests nothing"
            );
            assert_eq!(read(&pixels, Tried::refining()), [URI], "{name}");
        }
    }

    #[test]
    fn a_transform_a_module_off_is_brought_back_to_the_drawing() {
        // A flat version-3 code, 6 pixels a module from (33, 33); the transform through its four
        // reference points with each moved up to two thirds of a module (4 pixels) off.
        let pixels = wavy(3, &|_, _| (0.0, 0.0));
        let image = Luma::new(&pixels, SIDE as u32, SIDE as u32, SIDE as u32).unwrap();
        let thresholds = Thresholds::from_blocks(&Blocks::measure(image), 1, FLAT_CAMERA);
        let bits = Bits {
            image,
            thresholds: &thresholds,
        };
        let truth = |u: f64, v: f64| (33.0 + 6.0 * u, 33.0 + 6.0 * v);
        let src = [(3.5, 3.5), (25.5, 3.5), (3.5, 25.5), (25.5, 25.5)];
        let off = [(4.0, -3.0), (-2.0, 4.0), (3.0, 2.0), (-4.0, -4.0)];
        let dst: Vec<(f64, f64)> = src
            .iter()
            .zip(off)
            .map(|(&(u, v), (dx, dy))| (truth(u, v).0 + dx, truth(u, v).1 + dy))
            .collect();
        let h = Homography::from_points(&src, &dst).unwrap();
        let refined = refine(bits, &h, 3, false).unwrap();
        let worst = |h: &Homography| {
            (0..29 * 29)
                .map(|i| {
                    let (u, v) = ((i % 29) as f64 + 0.5, (i / 29) as f64 + 0.5);
                    let ((x, y), (tx, ty)) = (h.map(u, v), truth(u, v));
                    (x - tx).hypot(y - ty)
                })
                .fold(0.0, f64::max)
        };
        // Every module centre within 0.4 of a module (2.4 pixels) of the drawing's: nine points a
        // module can't tell finer (the points at 0.3 and 0.7 of it stay inside it); and the code
        // reads through it, not through the transform it started from.
        assert!(
            worst(&h) > 6.0,
            "the start is {:.2} pixels off at worst",
            worst(&h)
        );
        assert!(worst(&refined) <= 2.4, "{:.2} pixels off", worst(&refined));
        assert!(read_grid(bits, &h, 29, false).is_none());
        let read = read_grid(bits, &refined, 29, false).map(|code| code.payload);
        assert_eq!(read.as_deref(), Some(URI));
    }
}
