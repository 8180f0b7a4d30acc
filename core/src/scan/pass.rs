//! One pass of `rqrr` over one binarized image, with its panics contained.

use std::panic::{AssertUnwindSafe, catch_unwind};

use rqrr::PreparedImage;

use super::Point;
use super::binarize::Thresholds;
use super::frame::Luma;
use super::payload;

/// A code decoded: its payload and corners, in the coordinates of the image it was read from
/// (a pass's level, or the frame once scaled back).
pub(crate) struct PassCode {
    pub payload: String,
    /// The payload's bytes when they are no text (see [`super::ScannedCode::bytes`]).
    pub bytes: Option<Vec<u8>>,
    pub corners: [Point; 4],
    /// Modules on a side of the code.
    pub modules: usize,
}

/// Finds and decodes every code in `image` binarized with `thresholds` (black and white swapped
/// when `inverted`). A panic inside `rqrr` (rqrr#54) ends the pass, or that one code, with
/// nothing found.
pub(crate) fn decode_all(
    image: Luma<'_>,
    thresholds: &Thresholds,
    inverted: bool,
) -> Vec<PassCode> {
    let mut prepared = PreparedImage::prepare_from_bitmap(image.width, image.height, |x, y| {
        thresholds.is_black(x, y, image.data[y * image.stride + x]) != inverted
    });
    let Some(grids) = contained(|| prepared.detect_grids()) else {
        return Vec::new();
    };
    grids
        .iter()
        .filter_map(|grid| {
            let payload = contained(|| payload::decode_any(&grid.grid))??;
            Some(PassCode {
                payload: payload.text,
                bytes: payload.bytes,
                corners: grid.bounds.map(|p| Point {
                    x: p.x as f32,
                    y: p.y as f32,
                }),
                modules: rqrr::BitGrid::size(&grid.grid),
            })
        })
        .collect()
}

/// Whether `image` binarized with `thresholds` changes colour along its rows so often (on
/// average every few pixels, as noise does) that `rqrr`'s locator would drown: it floods every
/// region and groups every finder-like one, with no budget inside a pass (a 1500×1500 noise
/// image cost 23 s). A code it could read has modules of 3.5 pixels or more, so even a code
/// filling the whole image changes colour at most every 7 pixels on average. Every fourth row
/// is counted.
pub(crate) fn too_busy(image: Luma<'_>, thresholds: &Thresholds) -> bool {
    let (mut changes, mut pixels) = (0u64, 0u64);
    for y in (0..image.height).step_by(4) {
        let Some(row) = image
            .data
            .get(y * image.stride..y * image.stride + image.width)
        else {
            break;
        };
        let mut previous = None;
        for (x, &value) in row.iter().enumerate() {
            let black = thresholds.is_black(x, y, value);
            changes += u64::from(previous.is_some_and(|p| p != black));
            previous = Some(black);
        }
        pixels += image.width as u64;
    }
    changes * 100 > pixels * MAX_CHANGES_PERCENT
}

/// At most this many colour changes per hundred pixels along the rows for `rqrr`'s locator.
const MAX_CHANGES_PERCENT: u64 = 20;

/// Runs `f`, turning a panic into `None`. `rqrr`'s state is dropped after a panic, never reused.
pub(crate) fn contained<T>(f: impl FnOnce() -> T) -> Option<T> {
    catch_unwind(AssertUnwindSafe(f)).ok()
}
