//! The perspective fitted to a code's finder and timing patterns: the transform through the three
//! finder centres whose remaining terms make those patterns read best.

use super::homography::Homography;
use super::sample::{judged, judged_modules, module_at};
use crate::scan::finder::Bits;

/// The perspective searches of [`fit_perspective`]: (reach, step) rounds around the best so far.
/// A term `a` divides the scale at the code's right edge by 1 + `a` against its left edge (`b`:
/// bottom against top); the full search reaches ±0.725, from 1.7:1 one way to 3.6:1 the other.
pub(super) const FULL_SEARCH: [(i32, f64); 3] = [(4, 0.15), (2, 0.05), (1, 0.025)];
pub(super) const NEAR_SEARCH: [(i32, f64); 2] = [(1, 0.05), (1, 0.025)];

/// The perspective transform through the three finder centres whose two remaining terms (how
/// the scale changes along the top and down the left side, relative to the code's size) make
/// the finder and timing patterns read best, searched around `start`; with its share of
/// function-pattern modules read right and its terms. A fit that reads 90% stops the search
/// (most codes are seen nearly straight on).
pub(super) fn fit_perspective(
    bits: Bits<'_>,
    (tl, tr, bl): ((f64, f64), (f64, f64), (f64, f64)),
    dim: usize,
    inverted: bool,
    start: (f64, f64),
    search: &[(i32, f64)],
) -> Option<(f32, (f64, f64), Homography)> {
    let d = dim as f64;
    // Modules read right, or `None` for a transform that can't read at least `least`.
    let score = |a: f64, b: f64, least: u32| {
        // The horizon must stay outside the code: the denominator positive at every corner.
        if 1.0 + a.min(0.0) + b.min(0.0) <= 0.2 {
            return None;
        }
        let h = Homography::through_three(tl, tr, bl, d, a / d, b / d)?;
        function_patterns_read(bits, &h, dim, inverted, least).map(|right| (right, h))
    };
    let total = function_pattern_modules(dim);
    let share = |right: u32| right as f32 / total as f32;
    let (mut a, mut b) = start;
    let (mut best, mut h) = score(a, b, 0)?;
    for &(reach, step) in search {
        if share(best) >= 0.9 {
            break;
        }
        let (ca, cb) = (a, b);
        for i in -reach..=reach {
            for j in -reach..=reach {
                let (ta, tb) = (ca + f64::from(i) * step, cb + f64::from(j) * step);
                // Only a better transform replaces the best: one that can't stops being read.
                if let Some((right, th)) = score(ta, tb, best + 1) {
                    (best, h, a, b) = (right, th, ta, tb);
                }
            }
        }
    }
    Some((share(best), (a, b), h))
}

/// How many modules the finder and timing patterns of a `dim`×`dim` code have.
fn function_pattern_modules(dim: usize) -> u32 {
    3 * judged_modules(3) + 2 * dim.saturating_sub(16) as u32
}

/// [`function_patterns_match`] as a count of modules read right, or `None` as soon as fewer
/// than `least` can be.
fn function_patterns_read(
    bits: Bits<'_>,
    h: &Homography,
    dim: usize,
    inverted: bool,
    least: u32,
) -> Option<u32> {
    let total = function_pattern_modules(dim);
    let most_wrong = total.checked_sub(least)?;
    let (mut right, mut wrong) = (0u32, 0u32);
    let mut check = |mx: usize, my: usize, dark: bool| {
        let (x, y) = h.map(mx as f64 + 0.5, my as f64 + 0.5);
        if module_at(bits, x, y, inverted) == dark {
            right += 1;
        } else {
            wrong += 1;
        }
        wrong <= most_wrong
    };
    for (ox, oy) in [(0, 0), (dim - 7, 0), (0, dim - 7)] {
        for j in 0..7 {
            for i in (0..7).filter(|&i| judged(i as i32 - 3, j as i32 - 3, 3)) {
                // Dark ring, light ring, dark 3×3 centre (square or round, `judged`).
                let ring = (i as i32 - 3).abs().max((j as i32 - 3).abs());
                if !check(ox + i, oy + j, ring != 2) {
                    return None;
                }
            }
        }
    }
    for k in 8..dim - 8 {
        if !check(k, 6, k % 2 == 0) || !check(6, k, k % 2 == 0) {
            return None;
        }
    }
    Some(right)
}

/// The share of function-pattern modules (the three finder patterns and both timing patterns)
/// a grid reads as they must be. A wrong group of finders or a wrong version reads about half;
/// a right one nearly all.
pub(super) fn function_patterns_match(
    bits: Bits<'_>,
    h: &Homography,
    dim: usize,
    inverted: bool,
) -> f32 {
    function_patterns_read(bits, h, dim, inverted, 0).map_or(0.0, |right| {
        right as f32 / function_pattern_modules(dim) as f32
    })
}

/// Below this share of function-pattern modules read right, a grid is not decoded.
pub(super) const MIN_FUNCTION_MATCH: f32 = 0.75;
