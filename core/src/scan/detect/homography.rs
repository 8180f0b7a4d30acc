//! Perspective transforms from the module grid to the frame.

/// A perspective transform from the module grid to the frame.
#[derive(Clone)]
pub(super) struct Homography([f64; 8]);

impl Homography {
    /// The transform taking each of four `src` points to its `dst` point, or `None` when three
    /// of them are on a line.
    pub(super) fn from_points(src: &[(f64, f64)], dst: &[(f64, f64)]) -> Option<Self> {
        let mut m = [[0.0f64; 9]; 8];
        for (i, (&(u, v), &(x, y))) in src.iter().zip(dst).take(4).enumerate() {
            m[2 * i] = [u, v, 1.0, 0.0, 0.0, 0.0, -u * x, -v * x, x];
            m[2 * i + 1] = [0.0, 0.0, 0.0, u, v, 1.0, -u * y, -v * y, y];
        }
        // Gaussian elimination with partial pivoting.
        for col in 0..8 {
            let pivot = (col..8).max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))?;
            if m[pivot][col].abs() < 1e-9 {
                return None;
            }
            m.swap(col, pivot);
            let pivot_row = m[col];
            for (row, line) in m.iter_mut().enumerate() {
                if row != col {
                    let f = line[col] / pivot_row[col];
                    for (value, &p) in line.iter_mut().zip(&pivot_row).skip(col) {
                        *value -= f * p;
                    }
                }
            }
        }
        Some(Self(std::array::from_fn(|i| m[i][8] / m[i][i])))
    }

    /// The transform with denominator `1 + g·u + h·v` taking the finder centres (3.5, 3.5),
    /// (d − 3.5, 3.5) and (3.5, d − 3.5) to `tl`, `tr` and `bl`.
    pub(super) fn through_three(
        tl: (f64, f64),
        tr: (f64, f64),
        bl: (f64, f64),
        d: f64,
        g: f64,
        h: f64,
    ) -> Option<Self> {
        let src = [(3.5, 3.5), (d - 3.5, 3.5), (3.5, d - 3.5)];
        let dst = [tl, tr, bl];
        // h0·u + h1·v + h2 = x·w and h3·u + h4·v + h5 = y·w for each point: two 3×3 systems
        // sharing the matrix [u v 1], solved by Cramer's rule.
        let det3 = |m: [[f64; 3]; 3]| {
            m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
        };
        let m = src.map(|(u, v)| [u, v, 1.0]);
        let det = det3(m);
        if det.abs() < 1e-9 {
            return None;
        }
        let solve = |rhs: [f64; 3]| -> [f64; 3] {
            std::array::from_fn(|col| {
                let mut mc = m;
                for (row, r) in mc.iter_mut().zip(rhs) {
                    row[col] = r;
                }
                det3(mc) / det
            })
        };
        let w: [f64; 3] = std::array::from_fn(|i| 1.0 + g * src[i].0 + h * src[i].1);
        let [h0, h1, h2] = solve(std::array::from_fn(|i| dst[i].0 * w[i]));
        let [h3, h4, h5] = solve(std::array::from_fn(|i| dst[i].1 * w[i]));
        Some(Self([h0, h1, h2, h3, h4, h5, g, h]))
    }

    pub(super) fn map(&self, u: f64, v: f64) -> (f64, f64) {
        let h = &self.0;
        let w = h[6] * u + h[7] * v + 1.0;
        (
            (h[0] * u + h[1] * v + h[2]) / w,
            (h[3] * u + h[4] * v + h[5]) / w,
        )
    }

    /// The point (`u`, `v`) maps to, and how it moves per unit of `u` and of `v` there: the
    /// transform's linear part at that point, which places points a fraction of a module
    /// around it within a hundredth of a pixel with two multiplications each, not a division.
    pub(super) fn map_with_steps(&self, u: f64, v: f64) -> ((f64, f64), (f64, f64), (f64, f64)) {
        let h = &self.0;
        let (x, y) = self.map(u, v);
        let w = h[6] * u + h[7] * v + 1.0;
        let per_u = ((h[0] - x * h[6]) / w, (h[3] - y * h[6]) / w);
        let per_v = ((h[1] - x * h[7]) / w, (h[4] - y * h[7]) / w);
        ((x, y), per_u, per_v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_homography_maps_its_four_points() {
        let src = [(0.0, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)];
        let dst = [(5.0, 7.0), (40.0, 3.0), (52.0, 61.0), (1.0, 44.0)];
        let h = Homography::from_points(&src, &dst).unwrap();
        for (s, d) in src.iter().zip(&dst) {
            let (x, y) = h.map(s.0, s.1);
            assert!(
                (x - d.0).abs() < 1e-6 && (y - d.1).abs() < 1e-6,
                "{s:?} -> {x},{y}"
            );
        }
    }

    #[test]
    fn a_homography_through_three_points_keeps_its_perspective_terms() {
        let (d, g, h) = (33.0, 0.004, -0.007);
        let truth = Homography([3.1, 0.4, 20.0, -0.3, 2.9, 15.0, g, h]);
        let [tl, tr, bl] =
            [(3.5, 3.5), (d - 3.5, 3.5), (3.5, d - 3.5)].map(|(u, v)| truth.map(u, v));
        let fitted = Homography::through_three(tl, tr, bl, d, g, h).unwrap();
        for (u, v) in [(0.0, 0.0), (d, 0.0), (d, d), (0.0, d), (12.5, 20.5)] {
            let (a, b) = (truth.map(u, v), fitted.map(u, v));
            assert!(
                (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9,
                "({u}, {v})"
            );
        }
    }

    #[test]
    fn the_steps_place_points_near_a_module_where_the_transform_does() {
        // A strong perspective (its denominator grows from 1 to 1.6 across a version-3 code),
        // about 6 pixels a module: a fifth of a module around any centre, the linear part is
        // within a hundredth of a pixel of the transform.
        let h = Homography([6.0, 0.5, 30.0, 0.3, 6.0, 30.0, 0.012, 0.008]);
        for (u, v) in [(0.5, 0.5), (14.5, 3.5), (28.5, 28.5), (7.5, 21.5)] {
            let ((x, y), per_u, per_v) = h.map_with_steps(u, v);
            assert_eq!((x, y), h.map(u, v));
            for (du, dv) in [(-0.2, -0.2), (0.2, 0.0), (0.0, 0.2), (0.2, -0.2)] {
                let (ex, ey) = h.map(u + du, v + dv);
                let (lx, ly) = (
                    x + du * per_u.0 + dv * per_v.0,
                    y + du * per_u.1 + dv * per_v.1,
                );
                assert!((ex - lx).hypot(ey - ly) < 0.01, "({u}, {v}) + ({du}, {dv})");
                assert!((ex - x).hypot(ey - y) > 0.5, "the points do move");
            }
        }
    }

    #[test]
    fn three_points_on_a_line_have_no_homography() {
        let src = [(0.0, 0.0), (1.0, 0.0), (2.0, 0.0), (0.0, 1.0)];
        let dst = [(0.0, 0.0), (1.0, 1.0), (2.0, 2.0), (0.0, 5.0)];
        assert!(Homography::from_points(&src, &dst).is_none());
    }
}
