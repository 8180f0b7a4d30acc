//! The bottom-right alignment pattern, found from its runs near where the fitted transform puts
//! it, or from its shape in the gray values when blur hides the runs.

use super::sample::{Grid, gray};
use crate::scan::finder::Bits;

/// The position within 6 modules of `estimate` where the gray values look most like an
/// alignment pattern (light ring brighter than the dark centre and the dark ring), searched every
/// half module then every quarter module around the best. The half-module search reads each
/// point of its half-module lattice once (1,089 points, not 625 places × 25 modules).
pub(super) fn match_alignment(
    bits: Bits<'_>,
    grid: &Grid,
    estimate: (f64, f64),
    inverted: bool,
) -> Option<(f64, f64)> {
    let at = |a: f64, b: f64| grid.point(estimate, a, b);
    let read = |a: f64, b: f64| {
        let (x, y) = at(a, b);
        gray(bits, x, y, inverted)
    };
    // The pattern's contrast at (`a`, `b`), its 25 modules' values given by `value(i, j)`.
    let contrast = |value: &dyn Fn(i32, i32) -> f32| {
        let (mut centre, mut inner, mut outer) = (0.0f32, 0.0f32, 0.0f32);
        for j in -2i32..=2 {
            for i in -2i32..=2 {
                let value = value(i, j);
                match i.abs().max(j.abs()) {
                    0 => centre += value,
                    1 => inner += value / 8.0,
                    _ => outer += value / 16.0,
                }
            }
        }
        let c = inner - (centre + outer) / 2.0;
        if inverted { -c } else { c }
    };
    // Half-module steps: places up to REACH half modules away, their modules up to 4 beyond.
    const REACH: i32 = 12;
    const SIDE: i32 = 2 * (REACH + 4) + 1;
    let mut lattice = Vec::with_capacity((SIDE * SIDE) as usize);
    for v in -(REACH + 4)..=REACH + 4 {
        for u in -(REACH + 4)..=REACH + 4 {
            lattice.push(read(f64::from(u) * 0.5, f64::from(v) * 0.5));
        }
    }
    let mut best = (f32::MIN, 0.0, 0.0);
    for j in -REACH..=REACH {
        for i in -REACH..=REACH {
            let c = contrast(&|di, dj| {
                let (u, v) = (i + 2 * di + REACH + 4, j + 2 * dj + REACH + 4);
                lattice[(v * SIDE + u) as usize]
            });
            if c > best.0 {
                best = (c, f64::from(i) * 0.5, f64::from(j) * 0.5);
            }
        }
    }
    // Quarter-module steps around the best.
    let (ca, cb) = (best.1, best.2);
    for j in -2i32..=2 {
        for i in -2i32..=2 {
            let (a, b) = (ca + f64::from(i) * 0.25, cb + f64::from(j) * 0.25);
            let c = contrast(&|di, dj| read(a + f64::from(di), b + f64::from(dj)));
            if c > best.0 {
                best = (c, a, b);
            }
        }
    }
    // A real pattern's rings differ by a good part of the code's contrast.
    (best.0 >= 20.0).then(|| at(best.1, best.2))
}

/// Alignment pattern candidates (a dark module in a light ring in a dark ring) within 12 modules
/// of `estimate`, the nearest first.
pub(super) fn find_alignments(
    bits: Bits<'_>,
    estimate: (f64, f64),
    module: f32,
    inverted: bool,
) -> Vec<(f64, f64)> {
    let image = bits.image;
    let radius = 12.0 * module;
    let (ex, ey) = (estimate.0 as f32, estimate.1 as f32);
    let x0 = (ex - radius).max(0.0) as usize;
    let x1 = ((ex + radius).max(0.0) as usize).min(image.width.saturating_sub(1));
    let y0 = (ey - radius).max(0.0) as usize;
    let y1 = ((ey + radius).max(0.0) as usize).min(image.height.saturating_sub(1));
    let mut found: Vec<((f64, f64), f32)> = Vec::new();
    if x0 >= x1 || y0 >= y1 {
        return Vec::new();
    }
    let fits = |run: usize| {
        let run = run as f32;
        run >= 0.5 * module && run <= 1.7 * module + 1.0
    };
    let mut edges: Vec<usize> = Vec::new();
    for y in y0..=y1 {
        edges.clear();
        let mut prev = None;
        for x in x0..=x1 {
            let on = bits.on(x, y, inverted);
            if prev != Some(on) {
                edges.push(x);
                prev = Some(on);
            }
        }
        edges.push(x1 + 1);
        // Runs k-1 (light), k (dark, the centre), k+1 (light), between dark runs.
        for k in 2..edges.len().saturating_sub(2) {
            if !bits.on(edges[k], y, inverted) {
                continue;
            }
            let (left, mid, right) = (
                edges[k] - edges[k - 1],
                edges[k + 1] - edges[k],
                edges[k + 2] - edges[k + 1],
            );
            if !(fits(left) && fits(mid) && fits(right)) {
                continue;
            }
            let cx = (edges[k] + edges[k + 1]) as f32 / 2.0;
            let Some(cy) = alignment_column(bits, cx as usize, y, module, inverted) else {
                continue;
            };
            let near = found.iter().any(|&((fx, fy), _)| {
                (fx as f32 - cx).abs() < module && (fy as f32 - cy).abs() < module
            });
            if !near {
                found.push(((f64::from(cx), f64::from(cy)), (cx - ex).hypot(cy - ey)));
            }
        }
    }
    found.sort_by(|a, b| a.1.total_cmp(&b.1));
    found.into_iter().map(|(p, _)| p).collect()
}

/// Checks an alignment candidate down its column: light, dark centre, light, each about one
/// module, with dark beyond. Returns the centre row.
fn alignment_column(
    bits: Bits<'_>,
    x: usize,
    y: usize,
    module: f32,
    inverted: bool,
) -> Option<f32> {
    let height = bits.image.height;
    let limit = (2.0 * module + 2.0) as usize;
    let on = |y: usize| bits.on(x, y, inverted);
    let mut top = y;
    while top > 0 && on(top - 1) && y - top < limit {
        top -= 1;
    }
    let mut bottom = y + 1;
    while bottom < height && on(bottom) && bottom - y < limit {
        bottom += 1;
    }
    let mid = (bottom - top) as f32;
    let mut above = 0;
    while top > above && !on(top - above - 1) && above < limit {
        above += 1;
    }
    let mut below = 0;
    while bottom + below < height && !on(bottom + below) && below < limit {
        below += 1;
    }
    let fits = |run: f32| run >= 0.5 * module && run <= 1.7 * module + 1.0;
    if !(fits(mid) && fits(above as f32) && fits(below as f32)) {
        return None;
    }
    // Dark beyond both light runs.
    if top <= above || bottom + below >= height || !on(top - above - 1) || !on(bottom + below) {
        return None;
    }
    Some((top + bottom) as f32 / 2.0)
}
