//! A located code read: the fitted transform corrected through the alignment pattern, every module
//! sampled from the gray pixels, and the grid decoded.

use std::panic::{AssertUnwindSafe, catch_unwind};

use super::align::{find_alignments, match_alignment};
use super::bend::Bent;
use super::corner::far_corner;
use super::fit::{MIN_FUNCTION_MATCH, function_patterns_match};
use super::homography::Homography;
use super::sample::{Grid, concentric_match, sample};
use crate::scan::Point;
use crate::scan::finder::Bits;
use crate::scan::pass::PassCode;
use crate::scan::payload;

/// Reads the code as version `v` through the fitted transform, corrected through the
/// bottom-right alignment pattern when one is found near where the transform puts it; else
/// through the far corner where the finders' outer edges meet; else, from version 7, as a bent
/// code, a transform per cell of its alignment patterns' grid ([`Bent`]).
pub(super) fn read_version(
    bits: Bits<'_>,
    (tl, tr, bl): ((f64, f64), (f64, f64), (f64, f64)),
    module: f32,
    v: i32,
    fitted: &Homography,
    inverted: bool,
) -> Option<PassCode> {
    let dim = 17 + 4 * v as usize;
    let d = dim as f64;
    let mut tries: Vec<Homography> = Vec::with_capacity(4);
    if v >= 2 {
        // The bottom-right alignment pattern's centre is 6.5 modules in from the corner.
        let estimate = fitted.map(d - 6.5, d - 6.5);
        let grid = Grid::at(fitted, d - 6.5, d - 6.5);
        // At least 21 of the pattern's 25 modules read right.
        let mut scored: Vec<(f32, (f64, f64))> = find_alignments(bits, estimate, module, inverted)
            .into_iter()
            .map(|p| (concentric_match(bits, &grid, p, 2, inverted), p))
            .filter(|&(score, _)| score >= 21.0 / 25.0)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut points: Vec<(f64, f64)> = scored.iter().take(2).map(|&(_, p)| p).collect();
        // Blur can hide the pattern from the runs; its shape in the gray values remains.
        points.extend(match_alignment(bits, &grid, estimate, inverted));
        tries.extend(points.into_iter().filter_map(|p| {
            Homography::from_points(
                &[
                    (3.5, 3.5),
                    (d - 3.5, 3.5),
                    (3.5, d - 3.5),
                    (d - 6.5, d - 6.5),
                ],
                &[tl, tr, bl, p],
            )
        }));
    }
    tries.push(fitted.clone());
    tries
        .iter()
        .find_map(|h| read_grid(bits, h, dim, inverted))
        .or_else(|| {
            // The far corner where the finders' outer edges meet, when no alignment pattern
            // corrected the transform (hidden, or version 1) and it did not read.
            let corner = far_corner(bits, fitted, dim, inverted)?;
            let h = Homography::from_points(
                &[(3.5, 3.5), (d - 3.5, 3.5), (3.5, d - 3.5), (d, d)],
                &[tl, tr, bl, corner],
            )?;
            read_grid(bits, &h, dim, inverted)
        })
        .or_else(|| {
            // A code bent across its alignment patterns' grid (version 7 and up). One transform
            // reads a bent code's function patterns less well than a flat one's: the bar is that
            // of the versions ranked when the estimated one does not fit well.
            let h = tries.iter().find(|h| {
                function_patterns_match(bits, h, dim, inverted) >= MIN_FUNCTION_MATCH - 0.15
            })?;
            let bent = Bent::locate(bits, h, [tl, tr, bl], v, inverted)?;
            decode_sampled(bits, &|u, v| bent.map(u, v), dim, inverted)
        })
}

/// Samples and decodes a `dim`×`dim` grid mapped onto the frame by `h`, once its finder
/// patterns and timing patterns are where the grid puts them.
pub(super) fn read_grid(
    bits: Bits<'_>,
    h: &Homography,
    dim: usize,
    inverted: bool,
) -> Option<PassCode> {
    if function_patterns_match(bits, h, dim, inverted) < MIN_FUNCTION_MATCH {
        return None;
    }
    decode_sampled(bits, &|u, v| h.map(u, v), dim, inverted)
}

/// Samples and decodes a `dim`×`dim` grid whose module coordinates `map` takes to the frame.
fn decode_sampled(
    bits: Bits<'_>,
    map: &dyn Fn(f64, f64) -> (f64, f64),
    dim: usize,
    inverted: bool,
) -> Option<PassCode> {
    // Each module's gray value at its centre, and its threshold there.
    let mut values = vec![0.0f32; dim * dim];
    let mut thresholds = vec![0.0f32; dim * dim];
    for my in 0..dim {
        for mx in 0..dim {
            let (x, y) = map(mx as f64 + 0.5, my as f64 + 0.5);
            let (value, threshold) = sample(bits, x, y, inverted);
            values[my * dim + mx] = value;
            thresholds[my * dim + mx] = threshold;
        }
    }
    // As read, then sharpened against the four neighbouring modules (blur spreads each module
    // into its neighbours; subtracting them back reads single modules that blur made gray).
    let decoded = [0.0f32, 1.0].iter().find_map(|&sharpen| {
        let cell = |x: usize, y: usize| {
            let i = y * dim + x;
            let mut v = values[i];
            if sharpen > 0.0 {
                let n = |xx: usize, yy: usize| values[yy * dim + xx];
                let around = (n(x.saturating_sub(1), y)
                    + n((x + 1).min(dim - 1), y)
                    + n(x, y.saturating_sub(1))
                    + n(x, (y + 1).min(dim - 1)))
                    / 4.0;
                v += sharpen * (v - around);
            }
            (thresholds[i] - v >= 0.0) != inverted
        };
        let grid = rqrr::SimpleGrid::from_func(dim, cell);
        catch_unwind(AssertUnwindSafe(|| payload::decode_any(&grid))).ok()?
    })?;
    let d = dim as f64;
    let corner = |u: f64, v: f64| {
        let (x, y) = map(u, v);
        Point {
            x: x as f32 - 0.5,
            y: y as f32 - 0.5,
        }
    };
    Some(PassCode {
        payload: decoded.text,
        bytes: decoded.bytes,
        corners: [
            corner(0.0, 0.0),
            corner(d, 0.0),
            corner(d, d),
            corner(0.0, d),
        ],
        modules: dim,
    })
}
