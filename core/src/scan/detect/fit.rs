//! The perspective fitted to a code's finder and timing patterns: the transform through the three
//! finder centres whose remaining terms make those patterns read best.

use super::homography::Homography;
use super::sample::module_at;
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
    let score = |a: f64, b: f64| {
        // The horizon must stay outside the code: the denominator positive at every corner.
        if 1.0 + a.min(0.0) + b.min(0.0) <= 0.2 {
            return None;
        }
        Homography::through_three(tl, tr, bl, d, a / d, b / d)
            .map(|h| (function_patterns_match(bits, &h, dim, inverted), h))
    };
    let (mut a, mut b) = start;
    let (mut best, mut h) = score(a, b)?;
    for &(reach, step) in search {
        if best >= 0.9 {
            break;
        }
        let (ca, cb) = (a, b);
        for i in -reach..=reach {
            for j in -reach..=reach {
                let (ta, tb) = (ca + f64::from(i) * step, cb + f64::from(j) * step);
                if let Some((s, th)) = score(ta, tb) {
                    if s > best {
                        (best, h, a, b) = (s, th, ta, tb);
                    }
                }
            }
        }
    }
    Some((best, (a, b), h))
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
    let mut total = 0u32;
    let mut right = 0u32;
    let mut check = |mx: usize, my: usize, dark: bool| {
        let (x, y) = h.map(mx as f64 + 0.5, my as f64 + 0.5);
        total += 1;
        if module_at(bits, x, y, inverted) == dark {
            right += 1;
        }
    };
    for (ox, oy) in [(0, 0), (dim - 7, 0), (0, dim - 7)] {
        for j in 0..7 {
            for i in 0..7 {
                // Dark ring, light ring, dark 3×3 centre.
                let ring = (i as i32 - 3).abs().max((j as i32 - 3).abs());
                check(ox + i, oy + j, ring != 2);
            }
        }
    }
    for k in 8..dim - 8 {
        check(k, 6, k % 2 == 0);
        check(6, k, k % 2 == 0);
    }
    right as f32 / total as f32
}

/// Below this share of function-pattern modules read right, a grid is not decoded.
pub(super) const MIN_FUNCTION_MATCH: f32 = 0.75;
