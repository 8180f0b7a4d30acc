//! What the passes over one scale of a frame have learnt, so that later passes there do not
//! repeat it: the groups of finders read, the finders each pass saw, and where codes were
//! located that did not decode.

use super::homography::Homography;
use super::rounds;
use crate::scan::Point;
use crate::scan::finder::Finder;

/// The groups of three finder patterns already read at one scale, so that another pass there
/// (other thresholds) or the search from pairs does not read the same code again: reading a
/// group that fails costs a full perspective search, and on an image whose code can't be read
/// the same three finders are found by every pass. Also the finder patterns each pass there saw,
/// where codes were located that did not decode, and whether the passes there refine the
/// transform of a located code that does not decode ([`super::refine`]).
#[derive(Default)]
pub(crate) struct Tried {
    groups: Vec<[Finder; 3]>,
    seen: Vec<Vec<Finder>>,
    unreadable: Vec<([Point; 4], usize)>,
    refine: bool,
}

impl Tried {
    /// For our locator's first two passes over the frame at its own size: there, a located code
    /// that does not decode is read again through a refined transform (one to two milliseconds
    /// a code: paid once, at the size whose pixels sample the code most finely without
    /// interpolating; the dark-page pass after them does not refine).
    pub(crate) fn refining() -> Self {
        Self {
            refine: true,
            ..Self::default()
        }
    }

    /// Whether a located code that does not decode is read again through a refined transform.
    pub(super) fn refines(&self) -> bool {
        self.refine
    }

    /// Whether a code was located at this scale that did not decode.
    pub(crate) fn placed(&self) -> bool {
        !self.unreadable.is_empty()
    }

    /// Records the finder patterns one pass saw (both polarities).
    pub(super) fn saw(&mut self, finders: &[Finder]) {
        self.seen.push(finders.to_vec());
    }

    /// The most finder patterns of a polarity (light on dark when `inverted`) that one pass at
    /// this scale saw outside the codes located there that did not decode.
    pub(crate) fn finders_seen(&self, inverted: bool) -> usize {
        self.seen
            .iter()
            .map(|pass| {
                pass.iter()
                    .filter(|f| f.inverted == inverted && !self.in_unreadable(f))
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    /// Records a code located through `h` (`dim` modules a side) that did not decode.
    pub(super) fn unreadable(&mut self, h: &Homography, dim: usize) {
        let d = dim as f64;
        let corner = |u: f64, v: f64| {
            let (x, y) = h.map(u, v);
            Point {
                x: x as f32,
                y: y as f32,
            }
        };
        let corners = [
            corner(0.0, 0.0),
            corner(d, 0.0),
            corner(d, d),
            corner(0.0, d),
        ];
        self.unreadable.push((corners, dim));
    }

    /// Whether `f` lies in the data of a code located that did not decode, as a look-alike made
    /// of its modules would ([`rounds::in_data`]): such finders are not grouped again.
    pub(super) fn in_unreadable(&self, f: &Finder) -> bool {
        self.unreadable
            .iter()
            .any(|(corners, modules)| rounds::in_data(corners, *modules, f))
    }

    /// Records a group (top-left, top-right, bottom-left); `false` when about the same group,
    /// each centre within a module, was read already.
    pub(super) fn first_time(&mut self, group: [Finder; 3]) -> bool {
        let same = |a: &Finder, b: &Finder| {
            let near = a.module.max(b.module).max(1.5);
            a.inverted == b.inverted && (a.x - b.x).abs() <= near && (a.y - b.y).abs() <= near
        };
        if self
            .groups
            .iter()
            .any(|t| t.iter().zip(&group).all(|(a, b)| same(a, b)))
        {
            return false;
        }
        self.groups.push(group);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finder(x: f32, y: f32, inverted: bool) -> Finder {
        Finder {
            x,
            y,
            module: 4.0,
            inverted,
            count: 3,
        }
    }

    #[test]
    fn finders_inside_a_code_that_did_not_decode_are_not_counted() {
        // A 25-module code, 4 pixels a module, from (100, 100): its three finders, and one
        // look-alike of each polarity in its data; a finder outside it.
        let (tl, tr, bl) = (
            finder(114.0, 114.0, false),
            finder(186.0, 114.0, false),
            finder(114.0, 186.0, false),
        );
        let inside = [finder(150.0, 150.0, false), finder(160.0, 140.0, true)];
        let outside = finder(300.0, 120.0, false);
        let mut tried = Tried::default();
        tried.saw(&[tl, tr, bl, inside[0], inside[1], outside]);
        assert_eq!(tried.finders_seen(false), 5);
        assert_eq!(tried.finders_seen(true), 1);
        let h = Homography::from_points(
            &[(0.0, 0.0), (25.0, 0.0), (0.0, 25.0), (25.0, 25.0)],
            &[
                (100.0, 100.0),
                (200.0, 100.0),
                (100.0, 200.0),
                (200.0, 200.0),
            ],
        )
        .unwrap();
        tried.unreadable(&h, 25);
        assert_eq!(tried.finders_seen(false), 1);
        assert_eq!(tried.finders_seen(true), 0);
    }

    #[test]
    fn the_most_finders_one_pass_saw_are_counted() {
        // Two passes seeing the same finders count them once.
        let mut tried = Tried::default();
        let seen = [finder(10.0, 10.0, false), finder(90.0, 10.0, false)];
        tried.saw(&seen);
        tried.saw(&seen[..1]);
        assert_eq!(tried.finders_seen(false), 2);
    }
}
