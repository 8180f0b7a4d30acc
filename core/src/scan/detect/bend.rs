//! Codes on curved or wavy paper: one perspective transform cannot follow a bend across a large
//! code. A code of version 7 or more has a grid of alignment patterns; each is looked for near
//! where the code's transform puts it (moved as much as its neighbours found before it were), and
//! the code is read through one transform per cell of that grid, from the cell's four corners
//! (what zxing-cpp does for large codes).

use super::align::match_alignment;
use super::homography::Homography;
use super::sample::{Grid, concentric_match};
use crate::scan::finder::Bits;

/// The alignment patterns' centre rows (and columns) of a version-`version` code, in modules from
/// its top-left corner: six, the last 7 modules from the far side, and evenly between them in
/// steps of an even number of modules (26 for version 32), the remainder taken up by the first
/// step (ISO/IEC 18004, Annex E). None for version 1.
pub(super) fn alignment_rows(version: i32) -> Vec<usize> {
    if !(2..=40).contains(&version) {
        return Vec::new();
    }
    let v = version as usize;
    let count = v / 7 + 2;
    let last = 4 * v + 10;
    let step = if v == 32 {
        26
    } else {
        (4 * v + 2 * count + 1) / (2 * count - 2) * 2
    };
    let mut rows: Vec<usize> = (0..count - 1).map(|i| last - i * step).collect();
    rows.push(6);
    rows.reverse();
    rows
}

/// A transform per cell of the alignment patterns' grid.
pub(super) struct Bent {
    /// The grid lines, in module coordinates (the patterns' centres).
    lines: Vec<f64>,
    /// Cell (i, j) at `j * (lines.len() - 1) + i`.
    cells: Vec<Homography>,
}

impl Bent {
    /// Finds the alignment patterns of a version-`version` code mapped by `h` (three in four of
    /// those not under a finder pattern, or `None`), and makes the cells' transforms; a pattern
    /// not found is where its neighbours' moves put it.
    pub(super) fn locate(
        bits: Bits<'_>,
        h: &Homography,
        version: i32,
        inverted: bool,
    ) -> Option<Self> {
        let rows = alignment_rows(version);
        let n = rows.len();
        if n < 3 {
            return None;
        }
        let lines: Vec<f64> = rows.iter().map(|&r| r as f64 + 0.5).collect();
        // Where each grid point is in the frame, and how far from where `h` puts it.
        let mut points = vec![(0.0, 0.0); n * n];
        let mut moves: Vec<Option<(f64, f64)>> = vec![None; n * n];
        // Three in four patterns must be found (a wrong version finds few); the search stops as
        // soon as too many are missing.
        let most_missing = (n * n - 3) / 4;
        let mut missing = 0;
        for j in 0..n {
            for i in 0..n {
                let (u, v) = (lines[i], lines[j]);
                let predicted = h.map(u, v);
                // Under a finder pattern: the transform, fitted to the finders, is right there.
                let under_finder = (i == 0 || i == n - 1) && j == 0 || (i == 0 && j == n - 1);
                if under_finder {
                    points[j * n + i] = predicted;
                    moves[j * n + i] = Some((0.0, 0.0));
                    continue;
                }
                // Moved as the neighbours found before it (left, above, above-left) moved.
                let known: Vec<(f64, f64)> = [
                    (i > 0).then(|| (i - 1, j)),
                    (j > 0).then(|| (i, j - 1)),
                    (i > 0 && j > 0).then(|| (i - 1, j - 1)),
                ]
                .into_iter()
                .flatten()
                .filter_map(|(a, b)| moves[b * n + a])
                .collect();
                let shift = if known.is_empty() {
                    (0.0, 0.0)
                } else {
                    let k = known.len() as f64;
                    let (sx, sy) = known.iter().fold((0.0, 0.0), |s, m| (s.0 + m.0, s.1 + m.1));
                    (sx / k, sy / k)
                };
                let estimate = (predicted.0 + shift.0, predicted.1 + shift.1);
                let grid = Grid::at(h, u, v);
                // At least 21 of the pattern's 25 modules read right, as for the bottom-right one.
                let at = match_alignment(bits, &grid, estimate, inverted)
                    .filter(|&p| concentric_match(bits, &grid, p, 2, inverted) >= 21.0 / 25.0);
                let point = match at {
                    Some(p) => {
                        moves[j * n + i] = Some((p.0 - predicted.0, p.1 - predicted.1));
                        p
                    }
                    None => {
                        missing += 1;
                        if missing > most_missing {
                            return None;
                        }
                        moves[j * n + i] = Some(shift);
                        estimate
                    }
                };
                points[j * n + i] = point;
            }
        }

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
    use super::*;
    use crate::scan::binarize::{Blocks, FLAT_CAMERA, Thresholds};
    use crate::scan::detect::{Tried, decode_all};
    use crate::scan::frame::Luma;

    const URI: &str = "otpauth://totp/Omnivox:2412345?secret=JBSWY3DPEHPK3PXP&issuer=Omnivox";

    /// A version-7 code of [`URI`] drawn `scale` pixels a module from (`x0`, `y0`), on paper
    /// bent so that its middle columns sag `sag` modules below its left and right edges (a half
    /// sine across the code), ink 30 on paper 220, each pixel the mean of 4×4 samples.
    fn bent_frame(side: usize, x0: f64, y0: f64, scale: f64, sag: f64) -> Vec<u8> {
        let code = qrcode::QrCode::with_version(
            URI.as_bytes(),
            qrcode::Version::Normal(7),
            qrcode::EcLevel::M,
        )
        .unwrap();
        let n = code.width();
        let colors = code.to_colors();
        let mut pixels = vec![0u8; side * side];
        for y in 0..side {
            for x in 0..side {
                let mut ink = 0u32;
                for sy in 0..4 {
                    for sx in 0..4 {
                        let u = (x as f64 + (f64::from(sx) + 0.5) / 4.0 - x0) / scale;
                        let drop = sag * (std::f64::consts::PI * u / n as f64).sin();
                        let v = (y as f64 + (f64::from(sy) + 0.5) / 4.0 - y0) / scale - drop;
                        let (mx, my) = (u.floor() as i64, v.floor() as i64);
                        let inside = (0..n as i64).contains(&mx) && (0..n as i64).contains(&my);
                        if inside && colors[my as usize * n + mx as usize] == qrcode::Color::Dark {
                            ink += 1;
                        }
                    }
                }
                let ink = f64::from(ink) / 16.0;
                pixels[y * side + x] = (30.0 * ink + 220.0 * (1.0 - ink)).round() as u8;
            }
        }
        pixels
    }

    #[test]
    fn a_code_on_bent_paper_is_read_through_its_alignment_patterns() {
        // A sag of two and a half modules: one transform through the finders and the
        // bottom-right alignment pattern is up to two modules off in the middle of the code.
        for sag in [0.0, 2.5] {
            let side = 240;
            let pixels = bent_frame(side, 20.0, 12.0, 4.0, sag);
            let image = Luma::new(&pixels, side as u32, side as u32, side as u32).unwrap();
            let thresholds = Thresholds::from_blocks(&Blocks::measure(image), 1, FLAT_CAMERA);
            let codes = decode_all(image, &thresholds, 0, false, &mut Tried::default(), &|| {
                true
            });
            let payloads: Vec<&str> = codes.iter().map(|c| c.payload.as_str()).collect();
            assert_eq!(payloads, [URI], "sag {sag}");
        }
    }

    #[test]
    fn alignment_rows_are_those_of_the_standard() {
        // ISO/IEC 18004:2015, Annex E, Table E.1.
        let table: [(i32, &[usize]); 9] = [
            (1, &[]),
            (2, &[6, 18]),
            (6, &[6, 34]),
            (7, &[6, 22, 38]),
            (15, &[6, 26, 48, 70]),
            (16, &[6, 26, 50, 74]),
            (32, &[6, 34, 60, 86, 112, 138]),
            (36, &[6, 24, 50, 76, 102, 128, 154]),
            (40, &[6, 30, 58, 86, 114, 142, 170]),
        ];
        for (version, rows) in table {
            assert_eq!(alignment_rows(version), rows, "version {version}");
        }
    }
}
