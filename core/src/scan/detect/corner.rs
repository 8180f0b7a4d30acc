//! The code's far corner from the outer edges of two finder patterns: where the top-right
//! finder's right edge and the bottom-left finder's bottom edge, each extended, meet.
//!
//! The finder and timing patterns pin a code's top and left sides, not its far corner: under a
//! steep perspective the transform fitted to them can put that corner a module or more off, and
//! the bottom-right alignment pattern that corrects it may be hidden (a logo, glare) or absent
//! (version 1). The edges of the finders are straight lines of the code's outline, each seven
//! modules long, seen in the gray values whatever hides the data.

use super::homography::Homography;
use super::sample::{dist, gray};
use crate::scan::finder::Bits;

/// The frame point of the code's far corner (module coordinates (`dim`, `dim`)): the finders'
/// outer edges are looked for across the edge around where `h` puts them, and the two lines
/// fitted to them meet there. `None` when an edge can't be seen along most of a finder, or when
/// the lines meet more than [`MAX_SHIFT`] modules from where `h` puts the corner.
pub(super) fn far_corner(
    bits: Bits<'_>,
    h: &Homography,
    dim: usize,
    inverted: bool,
) -> Option<(f64, f64)> {
    let d = dim as f64;
    // The top-right finder's right edge (u = d, v from 0 to 7) and the bottom-left finder's
    // bottom edge (v = d, u from 0 to 7), looked for through `h`, then again through the
    // transform that puts the far corner where they met (an error at the far corner bends the
    // search across the finders too).
    let meeting = |h: &Homography| {
        let right = edge_line(bits, inverted, |along, across| h.map(d + across, along))?;
        let bottom = edge_line(bits, inverted, |along, across| h.map(along, d + across))?;
        meet(right, bottom)
    };
    let first = meeting(h)?;
    let corners = [(0.0, 0.0), (d, 0.0), (0.0, d), (d, d)];
    let through = Homography::from_points(
        &corners,
        &[h.map(0.0, 0.0), h.map(d, 0.0), h.map(0.0, d), first],
    )?;
    let corner = meeting(&through)?;
    let expected = h.map(d, d);
    let module = dist(h.map(d - 1.0, d - 1.0), expected) / std::f64::consts::SQRT_2;
    (dist(corner, expected) <= MAX_SHIFT * module).then_some(corner)
}

/// How far, in modules, the corner found may be from where the fitted transform puts it.
const MAX_SHIFT: f64 = 4.0;

/// A line through the points where an edge of a finder is crossed: `at(along, across)` maps a
/// place `along` modules along the finder's side (0 to 7) and `across` modules across it
/// (negative inside the finder's dark ring, positive in the quiet zone) to the frame. Returns a
/// point on the line and its direction.
fn edge_line(
    bits: Bits<'_>,
    inverted: bool,
    at: impl Fn(f64, f64) -> (f64, f64),
) -> Option<((f64, f64), (f64, f64))> {
    let mut points = Vec::with_capacity(7);
    for k in 0..7 {
        let along = f64::from(k) + 0.5;
        if let Some(across) = crossing(bits, inverted, |across| at(along, across)) {
            points.push(at(along, across));
        }
    }
    if points.len() < 5 {
        return None;
    }
    fit_line(&points)
}

/// Where the gray values go from the finder's dark ring (at `across` = -0.5) to the quiet zone
/// (at +0.5) through their mid-level, in modules from the expected edge, searched a module to
/// either side (off the frame, a quiet zone of the code's polarity); `None` when the two differ
/// by too little to tell.
fn crossing(bits: Bits<'_>, inverted: bool, at: impl Fn(f64) -> (f64, f64)) -> Option<f64> {
    let value = |across: f64| {
        let (x, y) = at(across);
        gray(bits, x, y, inverted)
    };
    let (ring, quiet) = (value(-0.5), value(0.5));
    if (ring - quiet).abs() < MIN_CONTRAST {
        return None;
    }
    let mid = (ring + quiet) / 2.0;
    let side = |v: f32| (v > mid) == (quiet > mid);
    // Steps of a tenth of a module from a module inside to a module outside; the crossing
    // nearest the expected edge.
    let steps: Vec<(f64, f32)> = (-10..=10)
        .map(|i| {
            let across = f64::from(i) / 10.0;
            (across, value(across))
        })
        .collect();
    steps
        .windows(2)
        .filter(|w| !side(w[0].1) && side(w[1].1))
        .map(|w| {
            let ((a0, v0), (a1, v1)) = (w[0], w[1]);
            a0 + (a1 - a0) * f64::from((mid - v0) / (v1 - v0))
        })
        .min_by(|a, b| a.abs().total_cmp(&b.abs()))
}

/// Gray levels between a finder's dark ring and the quiet zone for an edge to be read.
const MIN_CONTRAST: f32 = 30.0;

/// The least-squares line through `points` (perpendicular distances): their centroid and the
/// direction of most spread.
fn fit_line(points: &[(f64, f64)]) -> Option<((f64, f64), (f64, f64))> {
    let n = points.len() as f64;
    let (cx, cy) = points
        .iter()
        .fold((0.0, 0.0), |(sx, sy), &(x, y)| (sx + x / n, sy + y / n));
    let (mut sxx, mut sxy, mut syy) = (0.0, 0.0, 0.0);
    for &(x, y) in points {
        let (dx, dy) = (x - cx, y - cy);
        sxx += dx * dx;
        sxy += dx * dy;
        syy += dy * dy;
    }
    let angle = 0.5 * (2.0 * sxy).atan2(sxx - syy);
    let direction = (angle.cos(), angle.sin());
    (sxx + syy > 0.0).then_some(((cx, cy), direction))
}

/// Where two lines (a point and a direction each) meet; `None` when nearly parallel.
fn meet(
    ((px, py), (dx, dy)): ((f64, f64), (f64, f64)),
    ((qx, qy), (ex, ey)): ((f64, f64), (f64, f64)),
) -> Option<(f64, f64)> {
    let det = dx * ey - dy * ex;
    if det.abs() < 0.05 {
        return None;
    }
    let t = ((qx - px) * ey - (qy - py) * ex) / det;
    Some((px + t * dx, py + t * dy))
}
