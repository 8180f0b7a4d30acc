//! Our own QR locator, with `rqrr` as the decoder: finder patterns ([`super::finder`]) are grouped
//! in threes (or a missing third is looked for from two, [`group`]), each checked module by
//! module; the version and the perspective are fitted to the finder and timing patterns
//! ([`fit`]); the bottom-right alignment pattern corrects the transform ([`align`]), or, when
//! that does not read, the far corner where the finders' outer edges meet ([`corner`]); and each
//! module is read from the gray pixels (bilinear, against the local threshold, [`sample`]) into a
//! grid that `rqrr` corrects and decodes ([`read`]); a large code that still does not read, as on
//! bent paper, is read through a transform per cell of its alignment patterns' grid ([`bend`]);
//! a smaller one, as on wavy paper, through its transform refined to all its function patterns
//! ([`refine`], at the frame's own size). A code located that does not decode takes the finders
//! in its data out of the grouping ([`Tried`]).
//!
//! Reading modules from the gray pixels at their computed centres, instead of from a thresholded
//! copy, is what reads codes of two or three pixels per module and blurred ones; locating with row
//! runs instead of region flood fills is what keeps a 1080p frame within a few milliseconds.

mod align;
mod bend;
mod corner;
mod fit;
mod group;
mod homography;
mod read;
mod refine;
mod rounds;
mod sample;
mod tried;

use super::binarize::Thresholds;
use super::finder::{self, Bits, Finder};
use super::frame::Luma;
use super::pass::PassCode;
use fit::{FULL_SEARCH, MIN_FUNCTION_MATCH, NEAR_SEARCH, fit_perspective};
use group::find_third;
use homography::Homography;
use read::read_version;
use sample::{Grid, concentric_match, dist, pt};
pub(crate) use tried::Tried;

/// Finds and decodes every code whose three finder patterns are seen (grouped in rounds,
/// [`rounds`]), or two of them beside the codes read, in both polarities, reading rows `sparser`
/// rows further apart than usual (and, with `despeckle`, without their single-pixel specks: a
/// pass for codes of larger modules); groups in `tried` are not read again (and those read here
/// are added, with the finders seen); no new group of finders is tried once the budget is spent.
pub(crate) fn decode_all(
    image: Luma<'_>,
    thresholds: &Thresholds,
    sparser: usize,
    despeckle: bool,
    tried: &mut Tried,
    in_budget: &dyn Fn() -> bool,
) -> Vec<PassCode> {
    let bits = Bits { image, thresholds };
    // Every second row for a small frame, every third for a large one; `sparser` rows more apart.
    let row_step = if image.height > 800 { 3 } else { 2 } + sparser;
    let all = finder::find(bits, row_step, despeckle, in_budget);
    tried.saw(&all);
    let mut codes = Vec::new();
    for inverted in [false, true] {
        let mut waiting: Vec<Finder> = all
            .iter()
            .copied()
            .filter(|f| f.inverted == inverted)
            .collect();
        // Seen on one row only: noise, unless there is little else.
        if waiting.iter().filter(|f| f.count >= 2).count() >= 3 {
            waiting.retain(|f| f.count >= 2);
        }
        // Inside a code located at this scale that did not decode: its own finders (tried
        // already) and look-alikes in its data.
        waiting.retain(|f| !tried.in_unreadable(f));
        waiting.sort_by_key(|f| std::cmp::Reverse(f.count));
        let (read, left) =
            rounds::read_groups(bits, waiting, inverted, codes.is_empty(), tried, in_budget);
        codes.extend(read);
        // Two finders left may be a code whose third the rows missed: when nothing was read, any
        // of those left; beside codes read, only those seen on several rows and outside every
        // code (a look-alike in a code's data is not paired).
        let mut spare = if codes.is_empty() {
            left
        } else {
            rounds::spare(left, &codes)
        };
        spare.truncate(MAX_PAIRED);
        while spare.len() >= 2 {
            let Some(code) = read_from_pairs(bits, &spare, inverted, tried, in_budget) else {
                break;
            };
            codes.push(code);
            spare = rounds::spare(spare, &codes);
        }
    }
    codes
}

/// At most this many finders left by the groups of three (the most often seen) are paired.
const MAX_PAIRED: usize = 6;

/// Reads a code of which only two finder patterns were found (glare or low contrast can hide
/// the third): for each pair and each role the pair can play (top-left with top-right or with
/// bottom-left, or top-right with bottom-left), the third pattern is looked for where the square
/// puts it, and the code read from there when it is seen (unless that group was read already: the
/// third was found by the rows too).
fn read_from_pairs(
    bits: Bits<'_>,
    finders: &[Finder],
    inverted: bool,
    tried: &mut Tried,
    in_budget: &dyn Fn() -> bool,
) -> Option<PassCode> {
    for (i, a) in finders.iter().enumerate() {
        for b in &finders[i + 1..] {
            let module = (a.module + b.module) / 2.0;
            let apart = (a.x - b.x).hypot(a.y - b.y);
            if a.module.max(b.module) > 1.5 * a.module.min(b.module)
                || apart < 10.0 * module
                || apart > 240.0 * module
            {
                continue;
            }
            for (p, q) in [(a, b), (b, a)] {
                if !in_budget() {
                    return None;
                }
                let (dx, dy) = (q.x - p.x, q.y - p.y);
                let (mx, my) = ((p.x + q.x) / 2.0, (p.y + q.y) / 2.0);
                // In image coordinates (y down) the bottom-left is the top-right turned +90°
                // about the top-left.
                let guesses = [
                    // p top-left, q top-right.
                    ([Some(*p), Some(*q), None], (p.x - dy, p.y + dx)),
                    // p top-left, q bottom-left.
                    ([Some(*p), None, Some(*q)], (p.x + dy, p.y - dx)),
                    // p top-right, q bottom-left.
                    ([None, Some(*p), Some(*q)], (mx - dy / 2.0, my + dx / 2.0)),
                ];
                for (known, (ex, ey)) in guesses {
                    let Some(third) = find_third(bits, known, (ex, ey), module, inverted) else {
                        continue;
                    };
                    let [tl, tr, bl] = known.map(|f| f.unwrap_or(third));
                    if !tried.first_time([tl, tr, bl]) {
                        continue;
                    }
                    let read = read_code(bits, [tl, tr, bl], false, inverted, tried, in_budget);
                    if let Some(code) = read {
                        return Some(code);
                    }
                }
            }
        }
    }
    None
}

/// Reads the code located by three finder patterns: each finder checked first; then the
/// perspective fitted to the finder and timing patterns at the version their distance suggests
/// and at its neighbours, the versions ranked by how well those patterns read; then the best
/// versions read through the bottom-right alignment pattern, or through the fitted transform
/// alone. Stops between steps once the budget is spent. A code located (its patterns read at
/// 90%) that does not decode is recorded in `tried`. A `deep` group ([`group::Triple::deep`])
/// is judged by the perspective fit alone, as a steep one is.
fn read_code(
    bits: Bits<'_>,
    [tl, tr, bl]: [Finder; 3],
    deep: bool,
    inverted: bool,
    tried: &mut Tried,
    in_budget: &dyn Fn() -> bool,
) -> Option<PassCode> {
    let module = (tl.module + tr.module + bl.module) / 3.0;
    let (m_tl, m_tr, m_bl) = (
        f64::from(tl.module),
        f64::from(tr.module),
        f64::from(bl.module),
    );
    let (tl, tr, bl) = (pt(&tl), pt(&tr), pt(&bl));
    // Three real finder patterns read as such around their centres, each at its own module
    // size, along the code's axes; a group with a false one (noise, print) stops here, before
    // any fitting.
    let axis = |to: (f64, f64)| {
        let n = dist(tl, to);
        ((to.0 - tl.0) / n, (to.1 - tl.1) / n)
    };
    let (right, down) = (axis(tr), axis(bl));
    // Seen so obliquely that the group is far from square (with few finders only, [`group`]),
    // a finder's size along the rows says little of its modules along the code's axes: the
    // perspective fit alone judges such a group.
    let steep = deep || (right.0 * down.0 + right.1 * down.1).abs() > f64::from(group::MAX_COS);
    let matched = || -> f32 {
        [(tl, m_tl), (tr, m_tr), (bl, m_bl)]
            .iter()
            .map(|&(c, m)| {
                concentric_match(
                    bits,
                    &Grid::of_finder(right, down, m as f32),
                    c,
                    3,
                    inverted,
                )
            })
            .sum()
    };
    if !steep && matched() / 3.0 < MIN_FUNCTION_MATCH {
        return None;
    }
    // Modules between the centres along each side, each side with its own module size (a tilted
    // code is foreshortened along one side only): the two finders' sizes along the rows (many
    // rows, a precise mean) or, in a steep group, where a turned and sheared finder looks wider
    // or narrower along the rows than its modules, their widths along the line between them,
    // seven modules each however steep the view (when their edges are seen).
    let side_module = |a: (f64, f64), b: (f64, f64), ma: f64, mb: f64| {
        let rows = (ma + mb) / 2.0;
        if !steep {
            return rows;
        }
        let n = dist(a, b);
        let dir = ((b.0 - a.0) / n, (b.1 - a.1) / n);
        sample::width_along(bits, a, dir, 10.0 * ma, inverted)
            .zip(sample::width_along(bits, b, dir, 10.0 * mb, inverted))
            .map_or(rows, |(wa, wb)| (wa + wb) / 14.0)
    };
    let across = (dist(tl, tr) / side_module(tl, tr, m_tl, m_tr)
        + dist(tl, bl) / side_module(tl, bl, m_tl, m_bl))
        / 2.0;
    let version = ((across + 7.0 - 17.0) / 4.0).round() as i32;
    // The perspective is searched in full at the estimated version first.
    let base = version.clamp(1, 40);
    let (score, tilt, fitted) = fit_perspective(
        bits,
        (tl, tr, bl),
        17 + 4 * base as usize,
        inverted,
        (0.0, 0.0),
        &FULL_SEARCH,
    )?;
    // Most often the estimate is right and reads at once. Its finder and timing patterns read at
    // 90% show the version right (a version off by one puts the timing patterns' alternation out
    // of step over half their length): a code that then does not decode is damaged or bent, and
    // no other version reads it (none did on the photos or the synthetic corpus).
    if score >= 0.9 {
        if !in_budget() {
            return None;
        }
        let mut read = read_version(bits, (tl, tr, bl), module, base, &fitted, inverted);
        // Wavy paper: one transform reads its patterns, not its data; the refined one may.
        if read.is_none() && tried.refines() && in_budget() {
            read = read_refined(bits, &fitted, base, inverted);
        }
        if read.is_none() {
            tried.unreadable(&fitted, 17 + 4 * base as usize);
        }
        return read;
    }
    // The size read from the finders is rough under perspective: the versions around it are
    // fitted from the tilt found (its terms are relative to the code's size, so they barely
    // depend on the version) and from none, and ranked by how well their patterns read, best
    // first.
    let rank = |tilt: (f64, f64)| -> Vec<(f32, i32, Homography)> {
        let starts: &[(f64, f64)] = if tilt == (0.0, 0.0) {
            &[(0.0, 0.0)]
        } else {
            &[(0.0, 0.0), tilt]
        };
        let mut ranked = (version - 3..=version + 3)
            .filter(|&v| (1..=40).contains(&v))
            .filter_map(|v| {
                let dim = 17 + 4 * v as usize;
                let (score, _, h) = starts
                    .iter()
                    .filter_map(|&start| {
                        fit_perspective(bits, (tl, tr, bl), dim, inverted, start, &NEAR_SEARCH)
                    })
                    .max_by(|x, y| x.0.total_cmp(&y.0))?;
                (score >= MIN_FUNCTION_MATCH - 0.15).then_some((score, v, h))
            })
            .collect::<Vec<_>>();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        ranked
    };
    let mut versions = rank(tilt);
    // A steep tilt can make the size estimate a version or two wrong, and the tilt fitted at the
    // wrong version with it: fitted again at the best version, both converge.
    if let Some(&(best, v, _)) = versions.first()
        && best < 0.9
        && v != base
        && in_budget()
    {
        let dim = 17 + 4 * v as usize;
        if let Some((_, tilt, _)) =
            fit_perspective(bits, (tl, tr, bl), dim, inverted, (0.0, 0.0), &FULL_SEARCH)
        {
            versions = rank(tilt);
        }
    }
    versions
        .into_iter()
        .take(3)
        .take_while(|_| in_budget())
        .find_map(|(_, v, fitted)| read_version(bits, (tl, tr, bl), module, v, &fitted, inverted))
}

/// Reads a code of version `v` located by `fitted` (its finder and timing patterns read) through
/// the transform refined to all its function patterns ([`refine`]). Up to version 6: larger
/// codes are read as bent ([`bend`]), and their many alignment patterns would make each step of
/// the refinement slow.
fn read_refined(bits: Bits<'_>, fitted: &Homography, v: i32, inverted: bool) -> Option<PassCode> {
    if v >= 7 {
        return None;
    }
    let h = refine::refine(bits, fitted, v, inverted)?;
    read::read_grid(bits, &h, 17 + 4 * v as usize, inverted)
}

#[cfg(test)]
mod tests;
