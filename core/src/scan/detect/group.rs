//! Finder patterns grouped into codes: every plausible three, the most square first, and the
//! missing third of a pair looked for where the square puts it.
//!
//! Where codes stand side by side (a screenshot of a grid, an export screen), the finders of
//! neighbouring codes form squares as good as a code's own: the top-left finders of three codes
//! of a grid, say. Such a group has other finders of its size on its sides (the first code's
//! top-right and bottom-left ones), a code's own three none: such groups are [`crowded`] (and
//! tried last when there are many finders, [`super::rounds`]).

use super::sample::{Grid, concentric_matched_at_least, dist, judged_modules, pt};
use crate::scan::finder::{Bits, Finder};

/// Three finder patterns that could be one code's: top-left, top-right, bottom-left.
pub(super) struct Triple {
    pub(super) members: [usize; 3],
    /// Among few finders, their sizes as different as a close, steep view makes them (the
    /// nearest finder over [`DEEP`] times the farthest's modules): each finder's size says
    /// little of its modules along the code's axes, and the perspective fit alone judges it.
    pub(super) deep: bool,
    /// Lower is more square.
    score: f32,
}

/// The most a group may differ from square: the cosine of the angle at its top-left finder
/// (53° to 127°)...
pub(super) const MAX_COS: f32 = 0.6;
/// ...or, among at most [`FEW`] finders, each seen on two rows or more, and while no code is
/// read, this much (26° to 154°): a code seen nearly edge-on and sheared. Few finders make few
/// groups, so the steep ones cost little (zxing-cpp drops its angle limit altogether with five
/// finders or fewer); beside a code read, the finders left are mostly look-alikes in its data,
/// whose steep groups would cost a perspective search each.
const MAX_COS_FEW: f32 = 0.9;
/// See [`MAX_COS_FEW`].
const FEW: usize = 5;
/// See [`Triple::deep`].
const DEEP: f32 = 1.6;
/// Seen straight on, the side between top-right and bottom-left is √2 times the others; seen
/// closely at a steep angle, the nearest side can be as long or longer. Among few finders, when
/// the second longest side is at least this share of the longest, the corner opposite each is
/// tried as the top-left (and every corner, for a [`Triple::deep`] group).
const SIDES_ALIKE: f32 = 0.9;
/// The most one finder's modules may be larger than another's in a group, as measured along
/// the rows...
const MAX_MODULES: f32 = 2.2;
/// ...or among few finders ([`FEW`]): a code seen closely at a steep angle has its nearest finder
/// up to three times the size of its farthest, and turned, each looks wider or narrower along the
/// rows.
const MAX_MODULES_FEW: f32 = 3.5;

/// Every plausible group of three, the most square first; `steep` ones too when there are few
/// finders ([`MAX_COS_FEW`], [`MAX_MODULES_FEW`]), each of the three then tried as the top-left:
/// seen straight on, the top-left is the corner opposite the longest side, but seen closely at a
/// steep angle, the nearest side can be the longest.
pub(super) fn triples(finders: &[Finder], steep: bool) -> Vec<Triple> {
    let mut out = Vec::new();
    let n = finders.len();
    let few = steep && n <= FEW;
    let max_modules = max_modules(few);
    for a in 0..n {
        for b in a + 1..n {
            // What `arrange` would reject for any third: modules too different, or two finders
            // closer than the shortest side allows (10 modules of the three's mean size, at
            // least a third of these two's sum).
            let (p, q) = (finders[a], finders[b]);
            if p.module.max(q.module) > max_modules * p.module.min(q.module)
                || (p.x - q.x).hypot(p.y - q.y) < 10.0 * (p.module + q.module) / 3.0
            {
                continue;
            }
            for c in b + 1..n {
                let idx = [a, b, c];
                let trio = idx.map(|i| finders[i]);
                let sides = opposite_sides(trio);
                let corners = if few && deep(trio) {
                    &sides[..]
                } else if few && sides[1].0 >= SIDES_ALIKE * sides[0].0 {
                    &sides[..2]
                } else {
                    &sides[..1]
                };
                for &(_, corner) in corners {
                    if let Some(t) = arrange(finders, idx, corner, few) {
                        out.push(t);
                    }
                }
            }
        }
    }
    out.sort_by(|x, y| x.score.total_cmp(&y.score));
    out
}

/// Whether a finder other than the group's own, of a module size within half again of theirs and
/// seen on at least half as many rows as the least seen of them (a look-alike in a code's data is
/// seen on fewer), has its centre within two modules of a side of the square the group spans
/// (top-left, top-right, bottom-left; the fourth corner completes the parallelogram). A group
/// across the codes of a grid has the codes' other finders there; a code's own sides run through
/// its timing patterns and its data next to the quiet zone, where the nearest finder of a
/// neighbouring code is at least 2 + 3.5 modules beyond the edge (and 3.5 more from the line
/// through the centres).
pub(super) fn crowded(finders: &[Finder], [tl, tr, bl]: [usize; 3]) -> bool {
    let o = finders[tl];
    let module = (o.module + finders[tr].module + finders[bl].module) / 3.0;
    let seen = o.count.min(finders[tr].count).min(finders[bl].count);
    let (ax, ay) = (finders[tr].x - o.x, finders[tr].y - o.y);
    let (bx, by) = (finders[bl].x - o.x, finders[bl].y - o.y);
    let det = ax * by - ay * bx;
    if det.abs() < f32::EPSILON {
        return false;
    }
    // Two modules, as a share of each side.
    let (ma, mb) = (2.0 * module / ax.hypot(ay), 2.0 * module / bx.hypot(by));
    finders.iter().enumerate().any(|(i, f)| {
        if i == tl
            || i == tr
            || i == bl
            || f.module > 1.5 * module
            || 1.5 * f.module < module
            || 2 * f.count < seen
        {
            return false;
        }
        let (px, py) = (f.x - o.x, f.y - o.y);
        // p = s·a + t·b.
        let s = (px * by - py * bx) / det;
        let t = (ax * py - ay * px) / det;
        let along = (-ma..=1.0 + ma).contains(&s) && (-mb..=1.0 + mb).contains(&t);
        let on_side =
            s.abs() <= ma || (s - 1.0).abs() <= ma || t.abs() <= mb || (t - 1.0).abs() <= mb;
        along && on_side
    })
}

/// The most one finder's modules may be larger than another's in a group: [`MAX_MODULES`], or
/// [`MAX_MODULES_FEW`] among few finders.
fn max_modules(few: bool) -> f32 {
    if few { MAX_MODULES_FEW } else { MAX_MODULES }
}

/// Whether the nearest of three finders has over [`DEEP`] times the modules of the farthest.
fn deep(trio: [Finder; 3]) -> bool {
    let (min_m, max_m) = least_and_most(trio.map(|f| f.module));
    max_m > DEEP * min_m
}

/// The least and the most of three values.
fn least_and_most(values: [f32; 3]) -> (f32, f32) {
    values
        .iter()
        .fold((f32::MAX, f32::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)))
}

/// The sides of the triangle of three finders, the longest first, each with the index of the
/// corner opposite it: the top-left's is the longest seen straight on.
fn opposite_sides([p, q, r]: [Finder; 3]) -> [(f32, usize); 3] {
    let d = |a: &Finder, b: &Finder| (a.x - b.x).hypot(a.y - b.y);
    let mut sides = [(d(&q, &r), 0), (d(&p, &r), 1), (d(&p, &q), 2)];
    sides.sort_by(|x, y| y.0.total_cmp(&x.0));
    sides
}

/// Orders three finders as top-left (`corner`, the right angle), top-right, bottom-left, or
/// rejects them (among others, when the cosine of the angle at the top-left is over [`MAX_COS`],
/// or [`MAX_COS_FEW`] when `few`: among few finders, which also allows [`Triple::deep`] groups).
fn arrange(finders: &[Finder], idx: [usize; 3], corner: usize, few: bool) -> Option<Triple> {
    let [p, q, r] = idx.map(|i| finders[i]);
    let (min_m, max_m) = least_and_most([p.module, q.module, r.module]);
    if max_m > max_modules(few) * min_m {
        return None;
    }
    let (tl, mut tr, mut bl) = match corner {
        0 => (idx[0], idx[1], idx[2]),
        1 => (idx[1], idx[0], idx[2]),
        _ => (idx[2], idx[0], idx[1]),
    };
    let (o, a, b) = (finders[tl], finders[tr], finders[bl]);
    let (ax, ay, bx, by) = (a.x - o.x, a.y - o.y, b.x - o.x, b.y - o.y);
    // With y pointing down, top-right × bottom-left is positive.
    if ax * by - ay * bx < 0.0 {
        std::mem::swap(&mut tr, &mut bl);
    }
    let (la, lb) = (ax.hypot(ay), bx.hypot(by));
    let module = (p.module + q.module + r.module) / 3.0;
    // From version 1 (14 modules between centres) to version 40 (170), with room for tilt.
    let (short, long) = (la.min(lb), la.max(lb));
    if short < 10.0 * module || long > 220.0 * module || long > 2.0 * short {
        return None;
    }
    let cos = (ax * bx + ay * by) / (la * lb);
    let max_cos = if few { MAX_COS_FEW } else { MAX_COS };
    // A steep group is one of real finders, each seen on several rows: one seen on a single row
    // is most often a look-alike, and a steep group costs a perspective search (see
    // [`MAX_COS_FEW`]).
    if cos.abs() > max_cos || (cos.abs() > MAX_COS && [p, q, r].iter().any(|f| f.count < 2)) {
        return None;
    }
    // A real finder is seen on every scanned row through its centre; a look-alike in the data
    // on a few: the three of one code are seen about equally often for their size.
    let (min_s, max_s) = least_and_most([p, q, r].map(|f| f.count as f32 / f.module));
    let score = cos * cos
        + (long / short - 1.0).powi(2)
        + (max_m / min_m - 1.0).powi(2)
        + 0.05 * (max_s / min_s - 1.0);
    Some(Triple {
        members: [tl, tr, bl],
        deep: few && deep([p, q, r]),
        score,
    })
}

/// Looks for the missing finder pattern of `known` (top-left, top-right, bottom-left) within two
/// modules of `estimate`, every half module, along the axes the other two give.
pub(super) fn find_third(
    bits: Bits<'_>,
    known: [Option<Finder>; 3],
    estimate: (f32, f32),
    module: f32,
    inverted: bool,
) -> Option<Finder> {
    let at =
        |f: Option<Finder>| f.map_or((f64::from(estimate.0), f64::from(estimate.1)), |f| pt(&f));
    let (tl, tr, bl) = (at(known[0]), at(known[1]), at(known[2]));
    let unit = |from: (f64, f64), to: (f64, f64)| {
        let n = dist(from, to);
        ((to.0 - from.0) / n, (to.1 - from.1) / n)
    };
    let grid = Grid::of_finder(unit(tl, tr), unit(tl, bl), module);
    let estimate64 = (f64::from(estimate.0), f64::from(estimate.1));
    // The first place of the most modules read right, if 85% or more of those judged are; a
    // place stops being read once it can't reach that or beat the best so far.
    let judged = judged_modules(3);
    let need = (0..=judged)
        .find(|&m| m as f32 / judged as f32 >= 0.85)
        .unwrap_or(judged);
    let mut best: Option<(u32, (f32, f32))> = None;
    for j in -4i32..=4 {
        for i in -4i32..=4 {
            let (x, y) = grid.point(estimate64, f64::from(i) / 2.0, f64::from(j) / 2.0);
            let least = best.map_or(need, |(m, _)| m + 1);
            if let Some(m) = concentric_matched_at_least(bits, &grid, (x, y), 3, inverted, least) {
                best = Some((m, (x as f32, y as f32)));
            }
        }
    }
    best.map(|(_, at)| Finder {
        x: at.0,
        y: at.1,
        module,
        inverted,
        count: 1,
    })
}
