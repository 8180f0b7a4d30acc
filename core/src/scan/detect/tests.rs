//! The locator on drawn codes: the `qrcode` crate's modules rendered turned, tilted, seen at
//! steep angles, partly covered, side by side and in dark mode, and on noise, read back by
//! [`decode_all`].

use super::*;
use crate::scan::binarize::{Blocks, FLAT_CAMERA};

const URI: &str = "otpauth://totp/Omnivox:2412345?secret=JBSWY3DPEHPK3PXP&issuer=Omnivox";

/// A frame of `w`×`h` pixels showing the code `qrcode` draws for `text` (an independent
/// encoder), its quiet-zone square mapped onto `quad` (top-left, top-right, bottom-right,
/// bottom-left), each pixel the average of 4×4 sub-samples. `dark` and `light` are the ink
/// and paper values.
fn frame(text: &str, w: usize, h: usize, quad: [(f64, f64); 4], dark: u8, light: u8) -> Vec<u8> {
    covered_frame(text, w, h, quad, dark, light, &|_, _| false)
}

/// [`frame`] with the modules `covered` says (column, row) light, as under a logo.
fn covered_frame(
    text: &str,
    w: usize,
    h: usize,
    quad: [(f64, f64); 4],
    dark: u8,
    light: u8,
    covered: &dyn Fn(i64, i64) -> bool,
) -> Vec<u8> {
    let code = qrcode::QrCode::new(text.as_bytes()).unwrap();
    // From the frame back to modules: `quad` is the code with its 4-module quiet zone.
    let (a, b) = (-4.0, (code.width() + 4) as f64);
    let back = Homography::from_points(&quad, &[(a, a), (b, a), (b, b), (a, b)]).unwrap();
    let module_at = |x: f64, y: f64| back.map(x, y);
    render(&code, (w, h), (dark, light), &module_at, covered)
}

/// Draws `code` into a `w`×`h` frame, dark modules `dark` and the rest `light`, each pixel
/// the mean of 4×4 samples: `module_at` takes a sample's position in the frame to module
/// coordinates (the code's top-left corner at the origin); `covered` modules are light.
pub(super) fn render(
    code: &qrcode::QrCode,
    (w, h): (usize, usize),
    (dark, light): (u8, u8),
    module_at: &dyn Fn(f64, f64) -> (f64, f64),
    covered: &dyn Fn(i64, i64) -> bool,
) -> Vec<u8> {
    let n = code.width();
    let colors = code.to_colors();
    let mut pixels = vec![0u8; w * h];
    for y in 0..h {
        for x in 0..w {
            let mut ink = 0u32;
            for sy in 0..4 {
                for sx in 0..4 {
                    let px = x as f64 + (f64::from(sx) + 0.5) / 4.0;
                    let py = y as f64 + (f64::from(sy) + 0.5) / 4.0;
                    let (u, v) = module_at(px, py);
                    let (mx, my) = (u.floor() as i64, v.floor() as i64);
                    let inside = (0..n as i64).contains(&mx) && (0..n as i64).contains(&my);
                    if inside
                        && !covered(mx, my)
                        && colors[my as usize * n + mx as usize] == qrcode::Color::Dark
                    {
                        ink += 1;
                    }
                }
            }
            let ink = f64::from(ink) / 16.0;
            pixels[y * w + x] =
                (f64::from(dark) * ink + f64::from(light) * (1.0 - ink)).round() as u8;
        }
    }
    pixels
}

fn read(pixels: &[u8], w: usize, h: usize) -> Vec<PassCode> {
    let image = Luma::new(pixels, w as u32, h as u32, w as u32).unwrap();
    let thresholds = Thresholds::from_blocks(&Blocks::measure(image), 1, FLAT_CAMERA);
    decode_all(image, &thresholds, 0, false, &mut Tried::default(), &|| {
        true
    })
}

/// [`URI`] drawn on `quad` of a `w`×`h` frame must be read, once and right.
fn read_uri(w: usize, h: usize, quad: [(f64, f64); 4], dark: u8, light: u8) -> PassCode {
    let mut codes = read(&frame(URI, w, h, quad, dark, light), w, h);
    assert_eq!(codes.len(), 1);
    let code = codes.remove(0);
    assert_eq!(code.payload, URI);
    code
}

/// [`URI`] drawn in a `w`×`h` frame through `at`, which takes its modules (0 to its width
/// across) to the frame: the quiet zone around them too.
fn drawn_through(at: &Homography, w: usize, h: usize) -> Vec<u8> {
    let n = qrcode::QrCode::new(URI.as_bytes()).unwrap().width() as f64;
    let quad = [
        (-4.0, -4.0),
        (n + 4.0, -4.0),
        (n + 4.0, n + 4.0),
        (-4.0, n + 4.0),
    ]
    .map(|(u, v)| at.map(u, v));
    frame(URI, w, h, quad, 30, 220)
}

/// The payloads [`decode_all`] reads in a `w`×`h` frame.
fn payloads(pixels: &[u8], w: usize, h: usize) -> Vec<String> {
    read(pixels, w, h).into_iter().map(|c| c.payload).collect()
}

#[test]
fn a_tilted_rotated_code_of_under_three_pixels_per_module_is_read() {
    // Version 4 (33 modules + quiet zone = 41) on about 100-120 pixels: 2.4-2.9 px per
    // module, rotated about 20 degrees and seen at an angle (one side shorter).
    let quad = [(60.0, 40.0), (170.0, 80.0), (140.0, 185.0), (25.0, 140.0)];
    let code = read_uri(220, 220, quad, 30, 220);
    // The reported corners are the code's own (inside the quiet zone): 4 of 41 modules in
    // from the drawn quad's corners, within two pixels.
    let inner = |a: (f64, f64), b: (f64, f64), c: (f64, f64)| {
        let t = 4.0 / 41.0;
        (
            a.0 + (b.0 - a.0) * t + (c.0 - a.0) * t,
            a.1 + (b.1 - a.1) * t + (c.1 - a.1) * t,
        )
    };
    let expected = inner(quad[0], quad[1], quad[3]);
    let got = code.corners[0];
    assert!(
        (f64::from(got.x) + 0.5 - expected.0).abs() < 2.0
            && (f64::from(got.y) + 0.5 - expected.1).abs() < 2.0,
        "top-left corner {got:?}, expected about {expected:?}"
    );
}

#[test]
fn a_code_seen_at_a_steep_angle_is_read() {
    // The near side (bottom) is 1.6 times as wide as the far side (top): a phone held low,
    // as the corpus's "perspective" frames.
    let quad = [(60.0, 30.0), (180.0, 30.0), (215.0, 200.0), (25.0, 200.0)];
    read_uri(240, 220, quad, 30, 220);
}

#[test]
fn a_code_seen_nearly_edge_on_and_sheared_is_read() {
    // The top-left finder nearest, the code's sides 130-150 degrees apart at it (as in
    // zxing-cpp's photo `30a`): each finder's run along the rows is no measure of its
    // modules along the code's sides.
    for quad in [
        [(115.0, 105.0), (330.0, 15.0), (215.0, 235.0), (45.0, 300.0)],
        [(110.0, 110.0), (330.0, 30.0), (230.0, 220.0), (40.0, 300.0)],
        [(120.0, 100.0), (320.0, 20.0), (240.0, 200.0), (50.0, 290.0)],
        [(100.0, 120.0), (330.0, 20.0), (200.0, 250.0), (40.0, 310.0)],
    ] {
        let codes = read(&frame(URI, 350, 330, quad, 30, 220), 350, 330);
        let payloads: Vec<&str> = codes.iter().map(|c| c.payload.as_str()).collect();
        assert_eq!(payloads, [URI], "{quad:?}");
    }
}

#[test]
fn a_code_seen_close_and_steep_is_read_though_its_nearest_side_is_its_longest() {
    // The bottom-left corner nearest and the top-right farthest, the finders' modules about
    // twofold apart (as in zxing-cpp's photo `fix-finderpattern-order`): the side from the
    // top-left finder to the bottom-left one is longer than the diagonal, so the longest side
    // of their triangle no longer marks the top-left. Drawn as seen, and turned half a turn.
    let n = qrcode::QrCode::new(URI.as_bytes()).unwrap().width() as f64;
    let (w, h) = (500, 400);
    let seen = [(53.0, 243.0), (227.0, 67.0), (467.0, 115.0), (387.0, 360.0)];
    let turned = seen.map(|(x, y)| (w as f64 - x, h as f64 - y));
    for code in [seen, turned] {
        let modules = [(0.0, 0.0), (n, 0.0), (n, n), (0.0, n)];
        let at = Homography::from_points(&modules, &code).unwrap();
        let [tl, tr, bl] = [(3.5, 3.5), (n - 3.5, 3.5), (3.5, n - 3.5)].map(|(u, v)| at.map(u, v));
        assert!(
            dist(tl, bl) > dist(tr, bl),
            "not the case this test is for: {code:?}"
        );
        assert_eq!(payloads(&drawn_through(&at, w, h), w, h), [URI], "{code:?}");
    }
}

#[test]
fn a_logo_over_the_alignment_pattern_of_a_code_seen_at_a_steep_angle_is_read() {
    // The top-left corner nearest (its finder 1.3 times the others' size), and a light
    // square over the bottom-right alignment pattern (version 5: centred on module 30) and
    // the modules around it: the fitted perspective reads the finder and timing patterns
    // right but not the far corner, which the finders' apparent sizes place.
    let n = qrcode::QrCode::new(URI.as_bytes()).unwrap().width() as i64;
    let logo = |x: i64, y: i64| (n - 10..n - 4).contains(&x) && (n - 10..n - 4).contains(&y);
    for quad in [
        [(20.0, 20.0), (210.0, 45.0), (185.0, 185.0), (45.0, 210.0)],
        [(15.0, 15.0), (215.0, 35.0), (190.0, 190.0), (35.0, 215.0)],
    ] {
        let pixels = covered_frame(URI, 230, 230, quad, 30, 220, &logo);
        let codes = read(&pixels, 230, 230);
        let payloads: Vec<&str> = codes.iter().map(|c| c.payload.as_str()).collect();
        assert_eq!(payloads, [URI], "{quad:?}");
    }
}

#[test]
fn the_far_corner_is_where_the_finders_outer_edges_meet() {
    // The code drawn at a steep angle, its far corner known from the drawing; the search
    // starts from a transform whose far corner is two modules off (as a fit's can be) and
    // must land within a tenth of a module of the drawn one.
    let n = qrcode::QrCode::new(URI.as_bytes()).unwrap().width();
    let (side, d) = ((n + 8) as f64, n as f64);
    let quad = [(20.0, 20.0), (210.0, 45.0), (185.0, 185.0), (45.0, 210.0)];
    let pixels = frame(URI, 230, 230, quad, 30, 220);
    let image = Luma::new(&pixels, 230, 230, 230).unwrap();
    let thresholds = Thresholds::from_blocks(&Blocks::measure(image), 1, FLAT_CAMERA);
    let bits = Bits {
        image,
        thresholds: &thresholds,
    };
    let square = [(0.0, 0.0), (side, 0.0), (side, side), (0.0, side)];
    // Module coordinates of the code (its quiet zone outside) to the frame.
    let drawn = Homography::from_points(&square.map(|(u, v)| (u - 4.0, v - 4.0)), &quad).unwrap();
    let truth = drawn.map(d, d);
    // The code's corners where they are drawn, but the far one where (d - 2, d - 2) is.
    let off = Homography::from_points(
        &[(0.0, 0.0), (d, 0.0), (0.0, d), (d, d)],
        &[(0.0, 0.0), (d, 0.0), (0.0, d), (d - 2.0, d - 2.0)].map(|(u, v)| drawn.map(u, v)),
    )
    .unwrap();
    let found = corner::far_corner(bits, &off, n, false).unwrap();
    let module = sample::dist(drawn.map(d - 1.0, d), truth);
    assert!(
        sample::dist(found, truth) < module / 10.0,
        "found {found:?}, drawn {truth:?}, the transform put it at {:?}",
        off.map(d, d)
    );
}

#[test]
fn a_code_whose_third_finder_the_rows_miss_is_read_from_the_other_two() {
    // 6 px per module, straight on; light lines one pixel wide along the module boundaries
    // of the top-right finder cut every row through it into one-module runs, so the row
    // scan cannot see it, while each module's centre still reads right.
    let n = qrcode::QrCode::new(URI.as_bytes()).unwrap().width();
    let side = (n + 8) as f64 * 6.0;
    let size = side as usize + 20;
    let quad = [
        (10.0, 10.0),
        (10.0 + side, 10.0),
        (10.0 + side, 10.0 + side),
        (10.0, 10.0 + side),
    ];
    let mut pixels = frame(URI, size, size, quad, 30, 220);
    let finder_left = 10 + (4 + n - 7) * 6;
    for y in 10 + 4 * 6..10 + 11 * 6 {
        for k in 1..7 {
            pixels[y * size + finder_left + 6 * k] = 220;
        }
    }
    let codes = read(&pixels, size, size);
    assert_eq!(codes.len(), 1);
    assert_eq!(codes[0].payload, URI);
}

#[test]
fn a_dark_mode_code_is_read_in_the_same_pass() {
    let quad = [(20.0, 20.0), (200.0, 20.0), (200.0, 200.0), (20.0, 200.0)];
    read_uri(220, 220, quad, 230, 25);
}

proptest::proptest! {
    // A fixed seed: the same 48 cases on every run, so that CI cannot fail by chance.
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 48,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x006a_6574_6f6e),
        ..proptest::prelude::ProptestConfig::default()
    })]

    /// Any code the corpus's camera conditions can produce without blur or noise: versions
    /// 3 to 8, turned any way, tilted (one side up to 1.5 times the other, and up to 1.1
    /// across), at least 3 to 6 pixels per module on the short side. It is read, and read
    /// right (a misread would be worse than a miss).
    #[test]
    fn a_turned_tilted_code_is_read_exactly(
        angle in 0.0f64..std::f64::consts::TAU,
        px in 3.0f64..6.0,
        squeeze in (0.67f64..1.0, 0.9f64..1.0),
        side in 0usize..4,
        secret in "[A-Z2-7]{16,120}",
    ) {
        let uri = format!("otpauth://totp/Omnivox:2412345?secret={secret}&issuer=Omnivox");
        let n = qrcode::QrCode::new(uri.as_bytes()).unwrap().width() as f64 + 8.0;
        let half = n * px / (squeeze.0 * squeeze.1) / 2.0;
        let mut corners = [(-half, -half), (half, -half), (half, half), (-half, half)];
        // The far side is shorter, a plane seen at an angle; and a second, milder tilt
        // across it.
        for (s, k) in [(side, squeeze.0), ((side + 1) % 4, squeeze.1)] {
            for i in [s, (s + 1) % 4] {
                corners[i] = (corners[i].0 * k, corners[i].1 * k);
            }
        }
        let (sin, cos) = angle.sin_cos();
        let size = (2.0 * half * 1.5).ceil() as usize + 20;
        let c = size as f64 / 2.0;
        let quad = corners.map(|(x, y)| (c + x * cos - y * sin, c + x * sin + y * cos));
        let pixels = frame(&uri, size, size, quad, 25, 225);
        let codes = read(&pixels, size, size);
        let payloads: Vec<String> = codes.into_iter().map(|c| c.payload).collect();
        proptest::prop_assert_eq!(payloads, vec![uri]);
    }
}

#[test]
fn two_codes_side_by_side_are_both_read() {
    let other = "otpauth://hotp/GitHub:alice?secret=GEZDGNBVGY3TQOJQ&issuer=GitHub&counter=7";
    let left = frame(
        URI,
        200,
        200,
        [(10.0, 10.0), (190.0, 10.0), (190.0, 190.0), (10.0, 190.0)],
        20,
        235,
    );
    let right = frame(
        other,
        200,
        200,
        [(10.0, 10.0), (190.0, 10.0), (190.0, 190.0), (10.0, 190.0)],
        20,
        235,
    );
    let mut pixels = Vec::with_capacity(400 * 200);
    for y in 0..200 {
        pixels.extend_from_slice(&left[y * 200..(y + 1) * 200]);
        pixels.extend_from_slice(&right[y * 200..(y + 1) * 200]);
    }
    let mut payloads: Vec<String> = read(&pixels, 400, 200)
        .into_iter()
        .map(|c| c.payload)
        .collect();
    payloads.sort();
    assert_eq!(payloads, vec![other.to_string(), URI.to_string()]);
}

#[test]
fn a_group_of_finders_is_read_once_per_level() {
    let f = |x: f32, y: f32| Finder {
        x,
        y,
        module: 3.0,
        inverted: false,
        count: 2,
    };
    let group = [f(20.0, 20.0), f(100.0, 20.0), f(20.0, 100.0)];
    let mut tried = Tried::default();
    assert!(tried.first_time(group));
    // The same finders found again by another pass, a pixel or two apart.
    assert!(!tried.first_time(group.map(|g| f(g.x + 1.5, g.y - 2.0))));
    // Another code's, or the same place in the other polarity.
    assert!(tried.first_time(group.map(|g| f(g.x + 10.0, g.y))));
    assert!(tried.first_time(group.map(|g| Finder {
        inverted: true,
        ..g
    })));
}

#[test]
fn a_code_placed_whose_data_does_not_read_is_not_handed_to_the_passes_for_unseen_finders() {
    // A light square over most of the data: the finder, timing and alignment patterns read, the
    // data cannot. The dark-page thresholds, the doubled frame and `rqrr`'s locator are for
    // finders ours did not see or place, so the level says they are not needed; on a blank
    // page, where nothing was placed, they still are.
    let n = qrcode::QrCode::new(URI.as_bytes()).unwrap().width() as i64;
    let data = |x: i64, y: i64| (9..n - 9).contains(&x) && (9..n - 9).contains(&y);
    let quad = [(15.0, 15.0), (215.0, 15.0), (215.0, 215.0), (15.0, 215.0)];
    let blank = vec![220; 230 * 230];
    for (pixels, placed) in [
        (covered_frame(URI, 230, 230, quad, 30, 220, &data), true),
        (blank, false),
    ] {
        let image = Luma::new(&pixels, 230, 230, 230).unwrap();
        let mut found = Vec::new();
        let level = crate::scan::run_ours(image, 1.0, 1, &mut found, &|| true);
        assert!(found.is_empty());
        assert_eq!(level.map(|l| l.placed_only()), Some(placed));
    }
}

#[test]
fn noise_alone_gives_nothing() {
    // A deterministic pseudo-random frame (xorshift): finder-like runs appear, no code.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let pixels: Vec<u8> = (0..320 * 240)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 56) as u8
        })
        .collect();
    assert!(read(&pixels, 320, 240).is_empty());
}

/// [`URI`]'s modules (0 to its width across) to a `w`×`h` frame, as a camera `distance` code
/// widths away sees them, the page tilted `tilt` radians about an axis at `axis` radians in its
/// plane and the picture turned `spin` radians, the code filling 85% of the frame's shorter
/// side: as the corpus's `steep` photos are drawn (scripts/scan/corpus.py).
fn seen_close(
    (tilt, axis, distance, spin): (f64, f64, f64, f64),
    w: usize,
    h: usize,
) -> Homography {
    let n = qrcode::QrCode::new(URI.as_bytes()).unwrap().width() as f64;
    let (w, h) = (w as f64, h as f64);
    let (a, c, s) = ((axis.cos(), axis.sin()), tilt.cos(), tilt.sin());
    // Rodrigues' rotation of a point of the plane z = 0 about the axis (a.0, a.1, 0).
    let project = |(x, y): (f64, f64)| {
        let along = x * a.0 + y * a.1;
        let (px, py) = (x - along * a.0, y - along * a.1);
        let z = s * (a.0 * py - a.1 * px);
        let (rx, ry) = (along * a.0 + c * px, along * a.1 + c * py);
        let (u, v) = (rx / (z + distance), ry / (z + distance));
        (
            u * spin.cos() - v * spin.sin(),
            u * spin.sin() + v * spin.cos(),
        )
    };
    let corners = [(-0.5, -0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, 0.5)].map(project);
    let (lo, hi) = corners.iter().fold(
        ((f64::MAX, f64::MAX), (f64::MIN, f64::MIN)),
        |(lo, hi), &(x, y)| ((lo.0.min(x), lo.1.min(y)), (hi.0.max(x), hi.1.max(y))),
    );
    let scale = 0.85 * (w / (hi.0 - lo.0)).min(h / (hi.1 - lo.1));
    let mid = ((lo.0 + hi.0) / 2.0, (lo.1 + hi.1) / 2.0);
    let seen = corners.map(|(x, y)| ((x - mid.0) * scale + w / 2.0, (y - mid.1) * scale + h / 2.0));
    Homography::from_points(&[(0.0, 0.0), (n, 0.0), (n, n), (0.0, n)], &seen).unwrap()
}

#[test]
fn codes_seen_close_at_55_degrees_are_read() {
    // As the corpus's `steep` photos: the page 1.3 code widths from the camera, tilted 55°
    // about four axes, the picture turned three ways. Along the rows, the nearest finder looks
    // up to 2.5 times the size of the farthest, and in some, the top-left finder is not the
    // corner opposite the longest side of their triangle. (Not every such view reads: turned
    // a fourth way, 0.5 radians, the first axis's does not.)
    let n = qrcode::QrCode::new(URI.as_bytes()).unwrap().width() as f64;
    let (w, h) = (640, 480);
    let (mut sizes_apart, mut not_opposite) = (0, 0);
    for axis in [0.3, 1.1, 1.9, 2.7] {
        for spin in [2.0, 3.5, 5.0] {
            let view = (55f64.to_radians(), axis, 1.3, spin);
            let at = seen_close(view, w, h);
            let finders = [(3.5, 3.5), (n - 3.5, 3.5), (3.5, n - 3.5)];
            // Each finder's size as the rows see it: its width along the frame's x axis.
            let size = |(u, v): (f64, f64)| {
                let xs = [(-3.5, -3.5), (3.5, -3.5), (3.5, 3.5), (-3.5, 3.5)]
                    .map(|(du, dv)| at.map(u + du, v + dv).0);
                xs.iter().copied().fold(f64::MIN, f64::max)
                    - xs.iter().copied().fold(f64::MAX, f64::min)
            };
            let sizes = finders.map(size);
            let (lo, hi) = (
                sizes.iter().copied().fold(f64::MAX, f64::min),
                sizes.iter().copied().fold(0.0, f64::max),
            );
            sizes_apart += usize::from(hi > 2.2 * lo);
            let [tl, tr, bl] = finders.map(|(u, v)| at.map(u, v));
            not_opposite += usize::from(dist(tr, bl) < dist(tl, bl).max(dist(tl, tr)));
            assert_eq!(payloads(&drawn_through(&at, w, h), w, h), [URI], "{view:?}");
        }
    }
    assert!(
        sizes_apart > 0 && not_opposite > 0,
        "not the cases this test is for: {sizes_apart} with finders' sizes over 2.2 apart, \
         {not_opposite} with the top-left not opposite the longest side"
    );
}

#[test]
fn codes_seen_at_65_degrees_get_their_version_from_their_finders_widths_along_their_sides() {
    // The page tilted 65°, the picture turned four ways: along the rows, a turned and sheared
    // finder looks wider or narrower than its modules along the code's sides, and the version
    // estimated from those sizes misses the code's by more than the fit ranks (none of these
    // views reads that way).
    let (w, h) = (640, 480);
    for spin in [0.5, 2.0, 3.5, 5.0] {
        let view = (65f64.to_radians(), 1.9, 1.3, spin);
        let pixels = drawn_through(&seen_close(view, w, h), w, h);
        assert_eq!(payloads(&pixels, w, h), [URI], "{view:?}");
    }
}

#[test]
fn a_finders_width_along_a_line_is_its_seven_modules_at_any_angle() {
    // A finder drawn through a steep perspective: its width along the line to another finder's
    // centre is the distance between the points 3.5 modules either side of its centre on that
    // line, within a pixel.
    let n = qrcode::QrCode::new(URI.as_bytes()).unwrap().width() as f64;
    let (w, h) = (640, 480);
    for spin in [0.5, 2.0, 3.5, 5.0] {
        let at = seen_close((60f64.to_radians(), 1.1, 1.3, spin), w, h);
        let pixels = drawn_through(&at, w, h);
        let image = Luma::new(&pixels, w as u32, h as u32, w as u32).unwrap();
        let thresholds = Thresholds::from_blocks(&Blocks::measure(image), 1, FLAT_CAMERA);
        let bits = Bits {
            image,
            thresholds: &thresholds,
        };
        for ((u, v), (tu, tv)) in [
            ((3.5, 3.5), (n - 3.5, 3.5)),
            ((n - 3.5, 3.5), (3.5, 3.5)),
            ((3.5, n - 3.5), (3.5, 3.5)),
        ] {
            let (centre, to) = (at.map(u, v), at.map(tu, tv));
            let along = (
                (to.0 - centre.0) / dist(centre, to),
                (to.1 - centre.1) / dist(centre, to),
            );
            let (du, dv) = (
                (tu - u) / dist((u, v), (tu, tv)),
                (tv - v) / dist((u, v), (tu, tv)),
            );
            let drawn = dist(
                at.map(u - 3.5 * du, v - 3.5 * dv),
                at.map(u + 3.5 * du, v + 3.5 * dv),
            );
            let width = sample::width_along(bits, centre, along, 100.0, false).unwrap();
            assert!(
                (width - drawn).abs() < 1.0,
                "{width} against {drawn}, spin {spin}, finder at ({u}, {v})"
            );
        }
    }
}
