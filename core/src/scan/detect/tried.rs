//! What the passes over one scale of a frame have learnt, so that later passes there do not
//! repeat it: the groups of finders read, how many finders each polarity showed, and where codes
//! were located that did not decode.

use super::homography::Homography;
use super::rounds;
use crate::scan::Point;
use crate::scan::finder::Finder;

/// The groups of three finder patterns already read at one scale, so that another pass there
/// (other thresholds) or the search from pairs does not read the same code again: reading a
/// group that fails costs a full perspective search, and on an image whose code can't be read
/// the same three finders are found by every pass. Also how many finder patterns of each
/// polarity the passes there saw, at most, where codes were located that did not decode, and
/// whether the passes there refine the transform of a located code that does not decode
/// ([`super::refine`]).
#[derive(Default)]
pub(crate) struct Tried {
    groups: Vec<[Finder; 3]>,
    seen: [usize; 2],
    unreadable: Vec<([Point; 4], usize)>,
    refine: bool,
}

impl Tried {
    /// For the passes over the frame at its own size: there, a located code that does not decode
    /// is read again through a refined transform (one to two milliseconds a code: paid once, at
    /// the size whose pixels sample the code most finely without interpolating).
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

    /// Records the finder patterns one pass saw (both polarities).
    pub(super) fn saw(&mut self, finders: &[Finder]) {
        for (inverted, seen) in [false, true].into_iter().zip(&mut self.seen) {
            *seen = (*seen).max(finders.iter().filter(|f| f.inverted == inverted).count());
        }
    }

    /// The most finder patterns of a polarity (light on dark when `inverted`) that one pass at
    /// this scale saw.
    pub(crate) fn finders_seen(&self, inverted: bool) -> usize {
        self.seen[usize::from(inverted)]
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
