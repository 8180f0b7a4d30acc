//! QR codes from camera frames and image files: located and decoded by our own pipeline, with
//! `rqrr`'s locator as the last resort for image files.
//!
//! `rqrr` alone thresholds each row on its own, never reads inverted (dark-mode) codes, misses
//! codes below about 3.5 pixels per module, slows down on large noisy images and can panic; its
//! decoder joins every segment into one byte string, and its table misplaces version 21's
//! alignment patterns (docs/adr/0003-scanner-rqrr-limits.md). So, level by level:
//!
//! 1. **Local 2D adaptive thresholds** (8×8 block statistics, one pass over the frame, read in
//!    place whatever its row stride).
//! 2. **Our locator** (`scan/finder.rs`, `scan/detect.rs`): finder patterns from row runs in
//!    both polarities at once, grouped in threes (or a third looked for from two), the version
//!    and the perspective fitted to the finder and timing patterns, the alignment pattern found,
//!    and every module sampled from the gray pixels into a grid that our decoder (`payload`)
//!    corrects and reads. This reads small (2 pixels per module), blurred, tilted, dense and
//!    dark-mode codes in a few milliseconds. A code placed whose data does not read is read
//!    again through its transform refined to all its function patterns (wavy paper), at the
//!    frame's own size.
//! 3. **Fallbacks for image files** ([`ScanOptions::thorough`]), when our locator read nothing:
//!    our locator again with thresholds that take flat areas for a dark page (light modules on
//!    a pale card), and on a small image doubled (neither where ours placed a code it could not
//!    read and saw no other finders); then `rqrr`'s own locator on the frame, in the
//!    polarities where ours saw finders outside the codes it placed and could not read, through
//!    `PreparedImage::prepare_from_bitmap` on the same thresholds.
//! 4. **A scale pyramid**: the frame at full size, then halved until a code is found (very large
//!    modules), and for small image files doubled.
//! 5. **De-duplication**: a code found by several passes is reported once.
//! 6. **A time budget** ([`ScanOptions::budget`]): no new pass or group of finders is tried once
//!    it is spent.
//! 7. **Containment**: a panic inside `rqrr` or our locator ends that pass with "nothing found",
//!    never a crash.
//!
//! ```
//! use jeton_core::{draw, scan};
//!
//! let uri = "otpauth://totp/Omnivox:2412345?secret=JBSWY3DPEHPK3PXP&issuer=Omnivox";
//! let png = draw::png(uri, 4).unwrap();
//! let codes = scan::scan_image(&png).unwrap();
//! assert_eq!(codes.len(), 1);
//! assert_eq!(codes[0].payload, uri);
//! // What it means is the intake's job, not the scanner's:
//! assert!(matches!(
//!     jeton_core::intake::Content::classify(&codes[0].payload),
//!     jeton_core::intake::Content::Account(_)
//! ));
//! ```

mod binarize;
mod detect;
mod file;
mod finder;
mod frame;
mod pass;
mod payload;

use std::time::{Duration, Instant};

pub use file::MAX_PIXELS;

use frame::{Gray, Luma};
use pass::PassCode;

/// A point in the scanned image, in pixels from its top-left corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    /// Pixels to the right.
    pub x: f32,
    /// Pixels down.
    pub y: f32,
}

/// One QR code found in an image: what it carries, not what that means
/// (the `intake` module, a layer above, says).
///
/// `Debug` shows the payload's length only: it may hold a secret.
#[derive(Clone, PartialEq)]
pub struct ScannedCode {
    /// The text the code carries, exactly as decoded: in the character set its ECI designators
    /// name (ISO/IEC 18004), Kanji mode as Shift_JIS, and byte segments without a designator
    /// guessed (UTF-8, else Shift_JIS when the bytes look Japanese, else ISO-8859-1). For bytes
    /// that are no text (see [`ScannedCode::bytes`]), their ISO-8859-1 reading.
    pub payload: String,
    /// The payload's bytes when they are no text: binary data (ECI 899), bytes invalid in the
    /// character set the code names, or, without a designator, bytes that are neither UTF-8,
    /// Shift_JIS nor ISO-8859-1 text. `None` for text.
    pub bytes: Option<Vec<u8>>,
    /// The code's corners in the image: top-left, top-right, bottom-right, bottom-left as the code
    /// is drawn (its finder patterns are at the first, second and fourth).
    pub corners: [Point; 4],
}

impl std::fmt::Debug for ScannedCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScannedCode")
            .field(
                "payload",
                &format_args!("<{} bytes, redacted>", self.payload.len()),
            )
            .field("corners", &self.corners)
            .finish()
    }
}

/// Why an image could not be scanned. Finding no code is not an error: the scan returns an empty
/// list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScanError {
    /// The frame's dimensions do not match its buffer.
    #[error(
        "the frame is not valid: {width}x{height} pixels with a row stride of {row_stride} needs \
         at least {needed} bytes, got {len} (and the stride must be at least the width)"
    )]
    InvalidFrame {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// Bytes from one row to the next.
        row_stride: u32,
        /// Bytes the frame needs.
        needed: u64,
        /// Bytes given.
        len: usize,
    },
    /// The image is empty (no pixels).
    #[error("the image has no pixels ({width}x{height})")]
    Empty {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// More pixels than the scanner accepts (a decompression bomb, or a huge photo).
    #[error(
        "the image is too large to scan: {width}x{height} pixels, more than {MAX_PIXELS} pixels; \
         take a screenshot or a smaller photo"
    )]
    TooLarge {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// Not a PNG, JPEG, GIF or WebP file.
    #[error("this file is not a PNG, JPEG, GIF or WebP image")]
    UnsupportedFormat,
    /// A PNG, JPEG, GIF or WebP file whose data is broken.
    #[error("the image cannot be read: {0}")]
    Unreadable(String),
}

/// How hard a scan tries.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanOptions {
    /// No new pass starts once this much time has gone by (a pass that started finishes).
    pub budget: Duration,
    /// Also try `rqrr`'s own locator where ours finds nothing, and read small images at twice
    /// their size. Camera frames skip these (the next frame gets another chance); image files,
    /// read once, use them.
    pub thorough: bool,
}

impl ScanOptions {
    /// For camera frames ([`scan_frame`]): 100 ms at most, not thorough, so that a frame with no
    /// code returns quickly and the preview stays fluid.
    pub fn frame() -> Self {
        Self {
            budget: Duration::from_millis(100),
            thorough: false,
        }
    }

    /// For image files ([`scan_image`]): 1 s at most, thorough.
    pub fn image() -> Self {
        Self {
            budget: Duration::from_millis(1000),
            thorough: true,
        }
    }
}

impl Default for ScanOptions {
    /// [`ScanOptions::frame`].
    fn default() -> Self {
        Self::frame()
    }
}

/// Reads every QR code in a camera frame's luma (Y) plane, as Android's `ImageProxy` and iOS's
/// `CVPixelBuffer` hand it over: `height` rows of `row_stride` bytes, of which the first `width`
/// are pixels (the last row may stop at `width`). The frame is read in place, not copied.
pub fn scan_frame(
    luma: &[u8],
    width: u32,
    height: u32,
    row_stride: u32,
) -> Result<Vec<ScannedCode>, ScanError> {
    scan_frame_with(luma, width, height, row_stride, &ScanOptions::frame())
}

/// [`scan_frame`] with explicit options.
pub fn scan_frame_with(
    luma: &[u8],
    width: u32,
    height: u32,
    row_stride: u32,
    options: &ScanOptions,
) -> Result<Vec<ScannedCode>, ScanError> {
    let frame = Luma::new(luma, width, height, row_stride)?;
    Ok(scan_luma(frame, options))
}

/// Reads every QR code in an image file's bytes: PNG, JPEG, GIF (first frame) or WebP. The pixel
/// count is checked against [`MAX_PIXELS`] from the header, before any pixel is decoded.
pub fn scan_image(bytes: &[u8]) -> Result<Vec<ScannedCode>, ScanError> {
    scan_image_with(bytes, &ScanOptions::image())
}

/// [`scan_image`] with explicit options.
pub fn scan_image_with(bytes: &[u8], options: &ScanOptions) -> Result<Vec<ScannedCode>, ScanError> {
    let gray = file::decode_luma(bytes)?;
    Ok(scan_luma(gray.view(), options))
}

/// Runs the passes, cheapest first, until the budget is spent or a pass has found codes: our
/// locator on the frame, then on each halved level (codes whose modules are too large for the
/// thresholds' window, and cheap retries of blurred or noisy frames), then (image files only)
/// ours on the frame with dark-page thresholds and on the doubled frame of a small image, and
/// last `rqrr`'s slower locator on the frame.
fn scan_luma(frame: Luma<'_>, options: &ScanOptions) -> Vec<ScannedCode> {
    let start = Instant::now();
    let mut found: Vec<PassCode> = Vec::new();
    let in_budget = || start.elapsed() < options.budget;

    // Our locator: the frame as it is, then halved until a level is too small.
    let full = run_ours(frame, 1.0, 1, &mut found, &in_budget);
    let mut level: Option<Gray> = None;
    let mut scale = 1.0f32;
    while found.is_empty() && in_budget() {
        let source = level.as_ref().map_or(frame, Gray::view);
        if source.width < 2 * MIN_LEVEL_SIDE || source.height < 2 * MIN_LEVEL_SIDE {
            break;
        }
        let half = frame::half(source);
        scale *= 2.0;
        run_ours(half.view(), scale, 2, &mut found, &in_budget);
        level = Some(half);
    }

    // Image files: light modules on a flat light page (a pale background, not paper-white) need
    // thresholds that take flat areas for a dark page, or the code's surroundings read as light
    // as its modules. Neither this pass nor the doubled one is for a frame where ours placed a
    // code and saw no other finders ([`Fallback::placed_only`]).
    let placed_only = full.as_ref().is_some_and(Fallback::placed_only);
    let dark_page = found.is_empty() && options.thorough && !placed_only && in_budget();
    if let Some(full) = full.as_ref().filter(|_| dark_page) {
        run_on_dark_page(frame, &full.blocks, &mut found, &in_budget);
    }

    // Small images: codes of a few pixels per module read better doubled. Our locator there
    // costs less than `rqrr`'s on the frame, and goes first.
    if found.is_empty()
        && options.thorough
        && !placed_only
        && in_budget()
        && (frame.width as u64) * (frame.height as u64) <= MAX_UPSCALED_SOURCE
    {
        run_ours(frame::double(frame).view(), 0.5, 2, &mut found, &in_budget);
    }

    // rqrr's own locator backs ours up on image files (read once), on the frame as it is, in the
    // polarities where ours saw finders ([`Fallback`]); camera frames rely on ours alone (a frame
    // it misses is followed by another in 33 ms). On the halved and doubled levels it read
    // nothing that ours had not, on the photos or any synthetic corpus, at 3–5 ms a level.
    if let Some(full) = &full
        && options.thorough
        && found.is_empty()
        && in_budget()
    {
        run_rqrr(frame, full, &mut found, &in_budget);
    }

    found
        .into_iter()
        .map(|f| ScannedCode {
            payload: f.payload,
            bytes: f.bytes,
            corners: f.corners,
        })
        .collect()
}

/// Below this many pixels on a side, a level is not worth scanning.
const MIN_LEVEL_SIDE: usize = 64;

/// Images up to this many pixels are also scanned at twice their size.
const MAX_UPSCALED_SOURCE: u64 = 1024 * 768;

/// Adds codes read on a level whose pixels are `scale` frame pixels; `true` when there were any.
fn add_scaled(codes: Vec<PassCode>, scale: f32, found: &mut Vec<PassCode>) -> bool {
    let any = !codes.is_empty();
    for code in codes {
        let corners = code.corners.map(|p| Point {
            x: (p.x + 0.5) * scale - 0.5,
            y: (p.y + 0.5) * scale - 0.5,
        });
        add_unique(found, PassCode { corners, ..code });
    }
    any
}

/// Our locator on one pyramid level, first with camera-noise flatness, then for very low
/// contrast; `scale` maps level pixels to frame pixels; `radius` is the thresholds' window in
/// blocks (the full-size level uses a small window for blurred edges, coarser levels a larger
/// one). When it read nothing, returns what `rqrr`'s locator may run on later.
fn run_ours(
    level: Luma<'_>,
    scale: f32,
    radius: usize,
    found: &mut Vec<PassCode>,
    in_budget: &dyn Fn() -> bool,
) -> Option<Fallback> {
    let blocks = binarize::Blocks::measure(level);
    let thresholds = binarize::Thresholds::from_blocks(&blocks, radius, binarize::FLAT_CAMERA);
    // Our locator is contained like rqrr: a bug there must cost a frame, never the app.
    // A group of finders read without success by the first pass is not read again by the second.
    let tried = std::cell::RefCell::new(if scale == 1.0 {
        detect::Tried::refining()
    } else {
        detect::Tried::default()
    });
    let locate = |thresholds: &binarize::Thresholds, sparser: usize, despeckle: bool| {
        pass::contained(|| {
            detect::decode_all(
                level,
                thresholds,
                sparser,
                despeckle,
                &mut tried.borrow_mut(),
                in_budget,
            )
        })
        .unwrap_or_default()
    };
    if add_scaled(locate(&thresholds, 0, false), scale, found) || !in_budget() {
        return None;
    }
    // Very low contrast leaves camera noise in the thresholds, and many false runs to check;
    // such codes are seldom small, so fewer rows are read (at full size one in six or seven,
    // three or more through a finder's centre once modules are 3 pixels; coarser levels one in
    // four), without single-pixel specks.
    let low = binarize::Thresholds::from_blocks(&blocks, radius, binarize::FLAT_LOW_CONTRAST);
    let sparser = if scale == 1.0 { 4 } else { 2 };
    if add_scaled(locate(&low, sparser, true), scale, found) {
        return None;
    }
    let tried = tried.borrow();
    Some(Fallback {
        blocks,
        thresholds: low,
        polarities: [false, true]
            .into_iter()
            .filter(|&inverted| tried.finders_seen(inverted) >= RQRR_FINDERS)
            .collect(),
        placed: tried.placed(),
    })
}

/// A level where our locator read nothing, for the passes after it: the level's block
/// statistics; for `rqrr`'s locator, its low-contrast thresholds and the polarities (`true`:
/// light on dark) in which ours saw at least [`RQRR_FINDERS`] finder patterns outside the codes
/// it placed and could not read; whether it placed any such code. `rqrr`'s locator reads codes
/// whose finders ours saw but could not place (a steep perspective, a third finder hidden);
/// where ours saw fewer, it read none on the photos or the synthetic corpus, and it is the
/// slowest pass. A code ours placed, its data unread even through the refined transform, is not
/// handed to it again: of the six such codes on fabric in the photos it read one, at 8 ms a
/// photo, where the refinement reads two in 1–2 ms (docs/performance.md).
struct Fallback {
    blocks: binarize::Blocks,
    thresholds: binarize::Thresholds,
    polarities: Vec<bool>,
    placed: bool,
}

impl Fallback {
    /// Whether ours placed a code on the level (its finder and timing patterns read) that did
    /// not decode, even through the refined transform, and saw too few finders elsewhere for
    /// `rqrr`'s locator. The dark-page thresholds and the doubled frame are for codes whose
    /// finders ours could not see or place (a pale card, modules of a pixel or two): here it saw
    /// and placed them. On the photos and the synthetic corpora both passes read nothing there
    /// (the doubled frame placed the same code again), at 14–18 M instructions a photo, 30% of
    /// a fabric photo's scan (docs/performance.md).
    fn placed_only(&self) -> bool {
        self.placed && self.polarities.is_empty()
    }
}

/// See [`Fallback`].
const RQRR_FINDERS: usize = 2;

/// Our locator on the full-size frame with thresholds that take flat blocks for a dark page
/// ([`binarize::Thresholds::on_dark_page`]): a light-on-dark code whose surroundings are flat
/// but lighter than the thresholds for paper expect.
fn run_on_dark_page(
    frame: Luma<'_>,
    blocks: &binarize::Blocks,
    found: &mut Vec<PassCode>,
    in_budget: &dyn Fn() -> bool,
) {
    let thresholds = binarize::Thresholds::on_dark_page(blocks, 1, binarize::FLAT_CAMERA);
    let codes = pass::contained(|| {
        detect::decode_all(
            frame,
            &thresholds,
            0,
            false,
            &mut detect::Tried::default(),
            in_budget,
        )
    })
    .unwrap_or_default();
    add_scaled(codes, 1.0, found);
}

/// `rqrr`'s own locator on the frame binarized with the fallback's thresholds, in its
/// polarities; not on a noisy frame (it has no budget inside a pass and drowns in noise).
fn run_rqrr(
    frame: Luma<'_>,
    fallback: &Fallback,
    found: &mut Vec<PassCode>,
    in_budget: &dyn Fn() -> bool,
) {
    let thresholds = &fallback.thresholds;
    if fallback.polarities.is_empty() || pass::too_busy(frame, thresholds) {
        return;
    }
    for &inverted in &fallback.polarities {
        if !in_budget() {
            return;
        }
        add_scaled(pass::decode_all(frame, thresholds, inverted), 1.0, found);
    }
}

/// Adds a code unless the same payload was already found at about the same place.
fn add_unique(found: &mut Vec<PassCode>, code: PassCode) {
    let center = centroid(&code.corners);
    let size = side(&code.corners);
    let duplicate = found.iter().any(|f| {
        let c = centroid(&f.corners);
        f.payload == code.payload
            && f.bytes == code.bytes
            && (c.x - center.x).hypot(c.y - center.y) < size.max(side(&f.corners)) / 2.0
    });
    if !duplicate {
        found.push(code);
    }
}

fn centroid(corners: &[Point; 4]) -> Point {
    let (sx, sy) = corners
        .iter()
        .fold((0.0, 0.0), |(sx, sy), p| (sx + p.x, sy + p.y));
    Point {
        x: sx / 4.0,
        y: sy / 4.0,
    }
}

fn side(corners: &[Point; 4]) -> f32 {
    let [a, b, ..] = corners;
    (b.x - a.x).hypot(b.y - a.y)
}
