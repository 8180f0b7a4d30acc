//! One pass of `rqrr` over one binarized image, with its panics contained.

use std::panic::{AssertUnwindSafe, catch_unwind};

use rqrr::PreparedImage;

use super::Point;
use super::binarize::Thresholds;
use super::frame::Luma;

/// A code decoded: its payload and corners, in the coordinates of the image it was read from
/// (a pass's level, or the frame once scaled back).
pub(crate) struct PassCode {
    pub payload: String,
    pub corners: [Point; 4],
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
            let mut bytes = Vec::new();
            contained(|| grid.decode_to(&mut bytes))?.ok()?;
            Some(PassCode {
                payload: text(bytes),
                corners: grid.bounds.map(|p| Point {
                    x: p.x as f32,
                    y: p.y as f32,
                }),
            })
        })
        .collect()
}

/// Runs `f`, turning a panic into `None`. `rqrr`'s state is dropped after a panic, never reused.
pub(crate) fn contained<T>(f: impl FnOnce() -> T) -> Option<T> {
    catch_unwind(AssertUnwindSafe(f)).ok()
}

/// The payload as text: UTF-8 as nearly every encoder writes it, else ISO 8859-1, the QR
/// standard's default for byte mode.
pub(crate) fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes)
        .unwrap_or_else(|e| e.into_bytes().iter().map(|&b| char::from(b)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_mode_latin1_is_read_as_latin1() {
        assert_eq!(text(b"caf\xe9".to_vec()), "café");
        assert_eq!(text("café".as_bytes().to_vec()), "café");
    }
}
