//! Codes on curved or wavy paper: one perspective transform cannot follow a bend across a large
//! code. A code of version 7 or more has a grid of alignment patterns; each is looked for where
//! its neighbours already placed put it (the fourth corner of their parallelogram, with their
//! module steps), or where the code's transform puts it, moved as its neighbours were; the
//! grid's corners under the finder patterns are placed from the finders; and the code is read
//! through one transform per cell of that grid, from the cell's four corners (as zxing-cpp reads
//! large codes).

use super::align::match_alignment;
use super::homography::Homography;
use super::sample::{Grid, concentric_match};
use crate::scan::finder::Bits;
use crate::scan::payload::alignment_rows;

/// A transform per cell of the alignment patterns' grid.
pub(super) struct Bent {
    /// The grid lines, in module coordinates (the patterns' centres).
    lines: Vec<f64>,
    /// Cell (i, j) at `j * (lines.len() - 1) + i`.
    cells: Vec<Homography>,
}

impl Bent {
    /// Finds the alignment patterns of a version-`version` code mapped by `h`, whose finder
    /// patterns' centres are `finders` (top-left, top-right, bottom-left), and makes the cells'
    /// transforms. Three in four of the patterns must be found, or `None`; one not found is where
    /// its neighbours put it. The grid's corners under the finders are placed from each finder's
    /// centre with the module steps of the patterns beside it: on a bent code, the one transform
    /// can be modules off even three modules from a finder.
    pub(super) fn locate(
        bits: Bits<'_>,
        h: &Homography,
        finders: [(f64, f64); 3],
        version: i32,
        inverted: bool,
    ) -> Option<Self> {
        let rows = alignment_rows(version);
        let n = rows.len();
        if n < 3 {
            return None;
        }
        let lines: Vec<f64> = rows.iter().map(|&r| r as f64 + 0.5).collect();
        let under_finder =
            |i: usize, j: usize| (i == 0 || i == n - 1) && j == 0 || (i == 0 && j == n - 1);
        // Where each grid point is in the frame, once placed.
        let mut points: Vec<Option<(f64, f64)>> = vec![None; n * n];
        // Three in four patterns must be found (a wrong version finds few); the search stops as
        // soon as too many are missing.
        let most_missing = (n * n - 3) / 4;
        let mut missing = 0;
        for j in 0..n {
            for i in 0..n {
                if under_finder(i, j) {
                    continue;
                }
                let (u, v) = (lines[i], lines[j]);
                let predicted = h.map(u, v);
                let at = |a: usize, b: usize| points[b * n + a];
                // Where its neighbours left, above and above-left put it (a parallelogram), else
                // where the transform does, moved as the neighbours placed before it were.
                let parallelogram = (i > 0 && j > 0)
                    .then(|| Some((at(i - 1, j)?, at(i, j - 1)?, at(i - 1, j - 1)?)))
                    .flatten();
                let (estimate, grid) = match parallelogram {
                    // The module steps from the same three, not from the transform, which can be
                    // off in scale and angle there too.
                    Some((l, t, d)) => {
                        let (du, dv) = (lines[i] - lines[i - 1], lines[j] - lines[j - 1]);
                        let right = ((t.0 - d.0) / du, (t.1 - d.1) / du);
                        let down = ((l.0 - d.0) / dv, (l.1 - d.1) / dv);
                        ((l.0 + t.0 - d.0, l.1 + t.1 - d.1), Grid::new(right, down))
                    }
                    None => {
                        let moves: Vec<(f64, f64)> =
                            [(i.wrapping_sub(1), j), (i, j.wrapping_sub(1))]
                                .into_iter()
                                .filter(|&(a, b)| a < n && b < n)
                                .filter_map(|(a, b)| {
                                    let p = at(a, b)?;
                                    let q = h.map(lines[a], lines[b]);
                                    Some((p.0 - q.0, p.1 - q.1))
                                })
                                .collect();
                        let k = moves.len().max(1) as f64;
                        let (mx, my) = moves.iter().fold((0.0, 0.0), |s, m| (s.0 + m.0, s.1 + m.1));
                        (
                            (predicted.0 + mx / k, predicted.1 + my / k),
                            Grid::at(h, u, v),
                        )
                    }
                };
                // At least 21 of the pattern's 25 modules read right, as for the bottom-right one.
                let found = match_alignment(bits, &grid, estimate, inverted)
                    .filter(|&p| concentric_match(bits, &grid, p, 2, inverted) >= 21.0 / 25.0);
                if found.is_none() {
                    missing += 1;
                    if missing > most_missing {
                        return None;
                    }
                }
                points[j * n + i] = Some(found.unwrap_or(estimate));
            }
        }
        // The corners under the finders: (corner, the neighbour across each axis, the finder's
        // centre in modules, its centre in the frame); the far finders' centres are 3.5 modules
        // from the far sides, 3 beyond the last line.
        let last = n - 1;
        let far = lines[last] + 3.0;
        let corners = [
            ((0, 0), (1, 1), (3.5, 3.5), finders[0]),
            ((last, 0), (last - 1, 1), (far, 3.5), finders[1]),
            ((0, last), (1, last - 1), (3.5, far), finders[2]),
        ];
        for ((ci, cj), (ni, nj), (fu, fv), centre) in corners {
            let at = |a: usize, b: usize| points[b * n + a];
            // Module steps along each axis, on the row and the column beside the corner.
            let (Some(across), Some(beside), Some(below)) = (at(ci, nj), at(ni, nj), at(ni, cj))
            else {
                return None;
            };
            let right = (
                (across.0 - beside.0) / (lines[ci] - lines[ni]),
                (across.1 - beside.1) / (lines[ci] - lines[ni]),
            );
            let down = (
                (below.0 - beside.0) / (lines[cj] - lines[nj]),
                (below.1 - beside.1) / (lines[cj] - lines[nj]),
            );
            let (du, dv) = (lines[ci] - fu, lines[cj] - fv);
            points[cj * n + ci] = Some((
                centre.0 + du * right.0 + dv * down.0,
                centre.1 + du * right.1 + dv * down.1,
            ));
        }
        let points: Vec<(f64, f64)> = points.into_iter().collect::<Option<_>>()?;
        let mut cells = Vec::with_capacity((n - 1) * (n - 1));
        for j in 0..n - 1 {
            for i in 0..n - 1 {
                let corners = [(i, j), (i + 1, j), (i, j + 1), (i + 1, j + 1)];
                let src = corners.map(|(a, b)| (lines[a], lines[b]));
                let dst = corners.map(|(a, b)| points[b * n + a]);
                cells.push(Homography::from_points(&src, &dst)?);
            }
        }
        Some(Self { lines, cells })
    }

    /// The frame position of module coordinates (`u`, `v`), through the transform of the cell
    /// they are in (the outer cells' extended past the outer grid lines).
    pub(super) fn map(&self, u: f64, v: f64) -> (f64, f64) {
        let cells = self.lines.len() - 1;
        let cell = |w: f64| {
            self.lines[1..cells]
                .iter()
                .take_while(|&&line| line <= w)
                .count()
        };
        self.cells[cell(v) * cells + cell(u)].map(u, v)
    }
}

#[cfg(test)]
mod tests {
    use crate::scan::binarize::{Blocks, FLAT_CAMERA, Thresholds};
    use crate::scan::detect::tests::render;
    use crate::scan::detect::{Tried, decode_all};
    use crate::scan::frame::Luma;

    const URI: &str = "otpauth://totp/Omnivox:2412345?secret=JBSWY3DPEHPK3PXP&issuer=Omnivox";

    /// A version-`version` code of [`URI`] drawn `scale` pixels a module from (`x0`, `y0`) on a
    /// `side`-pixel square, on paper bent so that the module at (`u`, `v`) of a flat drawing is
    /// moved `drop(u / n, v / n)` modules down (`n` the code's side); ink 30 on paper 220, each
    /// pixel the mean of 4×4 samples.
    fn bent_frame(
        version: i16,
        side: usize,
        (x0, y0, scale): (f64, f64, f64),
        drop: &dyn Fn(f64, f64) -> f64,
    ) -> Vec<u8> {
        let code = qrcode::QrCode::with_version(
            URI.as_bytes(),
            qrcode::Version::Normal(version),
            qrcode::EcLevel::M,
        )
        .unwrap();
        let n = code.width() as f64;
        let module_at = |x: f64, y: f64| {
            let (u, v) = ((x - x0) / scale, (y - y0) / scale);
            (u, v - drop(u / n, v / n))
        };
        render(&code, (side, side), (30, 220), &module_at, &|_, _| false)
    }

    /// The payloads our locator reads in a `side`-pixel square frame.
    fn read(pixels: &[u8], side: usize) -> Vec<String> {
        let image = Luma::new(pixels, side as u32, side as u32, side as u32).unwrap();
        let thresholds = Thresholds::from_blocks(&Blocks::measure(image), 1, FLAT_CAMERA);
        let codes = decode_all(image, &thresholds, 0, false, &mut Tried::default(), &|| {
            true
        });
        codes.into_iter().map(|c| c.payload).collect()
    }

    #[test]
    fn a_code_on_bent_paper_is_read_through_its_alignment_patterns() {
        // A sag of two and a half modules: one transform through the finders and the
        // bottom-right alignment pattern is up to two modules off in the middle of the code.
        for sag in [0.0, 2.5] {
            let sine = |u: f64, _: f64| sag * (std::f64::consts::PI * u).sin();
            let pixels = bent_frame(7, 240, (20.0, 12.0, 4.0), &sine);
            assert_eq!(read(&pixels, 240), [URI], "sag {sag}");
        }
    }

    #[test]
    fn a_code_bent_modules_out_of_one_transform_is_read_from_its_neighbouring_patterns() {
        // A version-15 code at 3.2 pixels a module: sagging five modules in the middle, or its
        // top-right corner dropped eighteen modules (the rest of the paper less, the further
        // from it). One transform is modules off, even beside the finders: each pattern is
        // looked for where its placed neighbours put it, with their module steps, and the grid's
        // corners under the finders are placed from the finders themselves.
        let (scale, side) = (3.2, 400);
        let sag = |u: f64, _: f64| 5.0 * (std::f64::consts::PI * u).sin();
        let curl = |u: f64, v: f64| 18.0 * u.powi(3) * (1.0 - v).max(0.0).powi(2);
        for (name, drop, top) in [
            ("sag", &sag as &dyn Fn(f64, f64) -> f64, 30.0),
            ("curl", &curl, 90.0),
        ] {
            let pixels = bent_frame(15, side, (24.0, top, scale), drop);
            assert_eq!(read(&pixels, side), [URI], "{name}");
        }
    }
}
