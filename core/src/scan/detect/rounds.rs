//! Groups of three finder patterns read in rounds, so that an image of many codes (a grid of
//! twelve shows 36 finders) gives every one without grouping them all at once (the groups grow
//! with the cube of the finders).
//!
//! A round groups at most [`MAX_FINDERS`] finders, the most often seen first, or up to
//! [`MAX_SEEN_TWICE`] when that many were seen on two rows or more (on noise, most are seen on
//! one); when it reads codes, their finders leave and the next round groups those left with the
//! next ones. Among [`MANY`] finders seen twice or more, groups with other finders on their sides
//! (likely across neighbouring codes, [`super::group`]) are tried last, once no round reads more:
//! each one costs a full perspective search, and a grid has dozens. With fewer, all go the most
//! square first, so that a code with a finder look-alike in its data does not wait behind groups
//! that don't read.

use super::Tried;
use super::group::{crowded, triples};
use super::read_code;
use crate::scan::Point;
use crate::scan::finder::{Bits, Finder};
use crate::scan::pass::PassCode;

/// At most this many finder patterns of one polarity are grouped in a round...
const MAX_FINDERS: usize = 20;
/// ...or this many when they were all seen on two rows or more (a grid of twelve codes shows 36).
const MAX_SEEN_TWICE: usize = 40;
/// From this many finders seen on two rows or more, crowded groups wait.
const MANY: usize = 6;
/// At most this many groups of three that do not read are tried per polarity (codes read do not
/// count: a screenshot of many codes also has many groups across neighbouring codes).
const MAX_ATTEMPTS: usize = 40;

/// Reads the codes of `waiting` (finders of one polarity, the most often seen first); returns the
/// codes and the finders no code used. Steep groups ([`super::group::MAX_COS`]) are formed only
/// while `none_read` holds and this call has read nothing.
pub(super) fn read_groups(
    bits: Bits<'_>,
    mut waiting: Vec<Finder>,
    inverted: bool,
    none_read: bool,
    tried: &mut Tried,
    in_budget: &dyn Fn() -> bool,
) -> (Vec<PassCode>, Vec<Finder>) {
    let mut codes = Vec::new();
    let mut attempts = 0;
    let mut finders: Vec<Finder> = Vec::new();
    let mut groups = Vec::new();
    let mut changed = true;
    let mut crowded_too = false;
    loop {
        // This round's finders: those no code used yet, then the next ones.
        let seen_twice = finders.len() + waiting.iter().take_while(|f| f.count >= 2).count();
        let cap = seen_twice.clamp(MAX_FINDERS, MAX_SEEN_TWICE);
        let room = cap.saturating_sub(finders.len()).min(waiting.len());
        if room > 0 {
            finders.extend(waiting.drain(..room));
            changed = true;
        }
        if changed {
            groups = triples(&finders, none_read && codes.is_empty());
            changed = false;
        }
        let mut used = vec![false; finders.len()];
        let mut read_here = false;
        let mut dropped_here = false;
        let defer = !crowded_too && finders.iter().filter(|f| f.count >= 2).count() >= MANY;
        for group in &groups {
            if attempts >= MAX_ATTEMPTS || !in_budget() {
                break;
            }
            if group.members.iter().any(|&i| used[i]) || (defer && crowded(&finders, group.members))
            {
                continue;
            }
            let [tl, tr, bl] = group.members.map(|i| finders[i]);
            if !tried.first_time([tl, tr, bl]) {
                continue;
            }
            let read = read_code(bits, [tl, tr, bl], group.deep, inverted, tried, in_budget);
            if let Some(code) = read {
                for i in group.members {
                    used[i] = true;
                }
                codes.push(code);
                read_here = true;
            } else {
                attempts += 1;
                // A code located that did not decode: its finders, and look-alikes in its data,
                // are grouped no more.
                for (i, f) in finders.iter().enumerate() {
                    if tried.in_unreadable(f) {
                        used[i] = true;
                        dropped_here = true;
                    }
                }
            }
        }
        if dropped_here {
            waiting.retain(|f| !tried.in_unreadable(f));
        }
        if read_here || dropped_here {
            finders = finders
                .iter()
                .zip(&used)
                .filter(|&(_, &u)| !u)
                .map(|(f, _)| *f)
                .collect();
            changed = true;
        }
        if attempts >= MAX_ATTEMPTS || !in_budget() || crowded_too {
            break;
        }
        if !defer && (!read_here || waiting.is_empty()) {
            break;
        }
        // Another round when this one read codes and finders wait; else the crowded groups of
        // the finders left (those read already are not read again).
        if !read_here || waiting.is_empty() {
            crowded_too = true;
        }
    }
    (codes, finders)
}

/// The finders left by [`read_groups`] worth pairing beside the codes read: seen on at least two
/// rows, and not in a code's data, where look-alikes made of its modules can be. A finder of
/// modules under two thirds of a code's is no look-alike of its data: it belongs to a code inside
/// that code (a "double" code prints a small one in a quiet area of a large one's data).
pub(super) fn spare(left: Vec<Finder>, codes: &[PassCode]) -> Vec<Finder> {
    left.into_iter()
        .filter(|f| f.count >= 2 && !codes.iter().any(|c| in_data(&c.corners, c.modules, f)))
        .collect()
}

/// Whether `f` is inside the code of `modules` modules a side whose corners are `corners`, with
/// modules of at least two thirds of the code's: a look-alike made of its modules (or one of its
/// own finders), not a smaller code inside it.
pub(super) fn in_data(corners: &[Point; 4], modules: usize, f: &Finder) -> bool {
    let module = mean_side(corners) / modules.max(1) as f32;
    inside(corners, f) && 3.0 * f.module >= 2.0 * module
}

/// The mean length of a quadrilateral's sides.
fn mean_side(corners: &[Point; 4]) -> f32 {
    (0..4)
        .map(|i| {
            let (a, b) = (corners[i], corners[(i + 1) % 4]);
            (b.x - a.x).hypot(b.y - a.y)
        })
        .sum::<f32>()
        / 4.0
}

/// Whether the finder's centre is inside the quadrilateral `corners` (in order around it).
fn inside(corners: &[Point; 4], f: &Finder) -> bool {
    let side = |a: &Point, b: &Point| (b.x - a.x) * (f.y - a.y) - (b.y - a.y) * (f.x - a.x);
    let sides: [f32; 4] = std::array::from_fn(|i| side(&corners[i], &corners[(i + 1) % 4]));
    sides.iter().all(|&s| s > 0.0) || sides.iter().all(|&s| s < 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finder_in_a_codes_data_is_a_look_alike_unless_its_modules_are_smaller() {
        // A code of 25 modules of 4 pixels, turned 30 degrees about (100, 100).
        let (c, s) = (30f32.to_radians().cos(), 30f32.to_radians().sin());
        let at = |u: f32, v: f32| Point {
            x: 100.0 + c * u - s * v,
            y: 100.0 + s * u + c * v,
        };
        let corners = [
            at(0.0, 0.0),
            at(100.0, 0.0),
            at(100.0, 100.0),
            at(0.0, 100.0),
        ];
        let finder = |p: Point, module: f32| Finder {
            x: p.x,
            y: p.y,
            module,
            inverted: false,
            count: 3,
        };
        // Its own finder, and a look-alike of its modules in its data.
        assert!(in_data(&corners, 25, &finder(at(14.0, 14.0), 4.0)));
        assert!(in_data(&corners, 25, &finder(at(50.0, 60.0), 3.0)));
        // A smaller code's finder inside it; a finder of its size just outside it.
        assert!(!in_data(&corners, 25, &finder(at(50.0, 60.0), 2.0)));
        assert!(!in_data(&corners, 25, &finder(at(104.0, 50.0), 4.0)));
    }
}
