//! Image files (PNG, JPEG, GIF, WebP) to gray pixels, refusing bombs before they allocate.

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, ImageReader, Limits};

use super::ScanError;
use super::frame::Gray;

/// The most pixels an image or frame may have: 40 million, more than a 36-megapixel photo.
/// Larger images are refused before their pixels are decoded.
pub const MAX_PIXELS: u64 = 40_000_000;

/// Decodes an image file to gray: its pixels over a white background when it has transparency
/// (QR codes saved from web pages often have a transparent background).
pub(crate) fn decode_luma(bytes: &[u8]) -> Result<Gray, ScanError> {
    let format = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .ok()
        .and_then(|reader| reader.format())
        .filter(|f| {
            matches!(
                f,
                ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Gif | ImageFormat::WebP
            )
        })
        .ok_or(ScanError::UnsupportedFormat)?;

    let (width, height) = ImageReader::with_format(Cursor::new(bytes), format)
        .into_dimensions()
        .map_err(unreadable)?;
    if width == 0 || height == 0 {
        return Err(ScanError::Empty { width, height });
    }
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(ScanError::TooLarge { width, height });
    }

    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(width);
    limits.max_image_height = Some(height);
    // The largest decoded form (16-bit RGBA) plus the decoder's own working memory.
    limits.max_alloc = Some(MAX_PIXELS * 8 + (64 << 20));
    reader.limits(limits);
    let image = reader.decode().map_err(unreadable)?;
    Ok(to_gray(image))
}

fn unreadable(error: image::ImageError) -> ScanError {
    ScanError::Unreadable(error.to_string())
}

fn to_gray(image: DynamicImage) -> Gray {
    let (width, height) = (image.width() as usize, image.height() as usize);
    let data = if let DynamicImage::ImageRgb8(rgb) = &image {
        // The common case (JPEG, WebP, PNG photos) in fixed point: `image`'s own conversion goes
        // through floats per pixel and cost as much as decoding a WebP.
        rgb.as_raw()
            .chunks_exact(3)
            .map(|p| luma(p[0], p[1], p[2]))
            .collect()
    } else if let DynamicImage::ImageRgba8(rgba) = &image {
        rgba.as_raw()
            .chunks_exact(4)
            .map(|p| over_white(luma(p[0], p[1], p[2]), p[3]))
            .collect()
    } else if image.color().has_alpha() {
        image
            .into_luma_alpha8()
            .pixels()
            .map(|p| {
                let [l, a] = p.0;
                over_white(l, a)
            })
            .collect()
    } else {
        image.into_luma8().into_raw()
    };
    Gray {
        data,
        width,
        height,
    }
}

/// A gray value of opacity `alpha` over white paper.
fn over_white(l: u8, alpha: u8) -> u8 {
    let (l, a) = (u32::from(l), u32::from(alpha));
    ((l * a + 255 * (255 - a) + 127) / 255) as u8
}

/// The Rec. 709 luma of an sRGB pixel, rounded (the weights `image` uses).
fn luma(r: u8, g: u8, b: u8) -> u8 {
    ((2126 * u32::from(r) + 7152 * u32::from(g) + 722 * u32::from(b) + 5000) / 10_000) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(image: DynamicImage) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        image.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn transparency_is_read_as_white_paper() {
        let mut rgba = image::RgbaImage::new(2, 1);
        rgba.put_pixel(0, 0, image::Rgba([0, 0, 0, 0]));
        rgba.put_pixel(1, 0, image::Rgba([0, 0, 0, 255]));
        let gray = decode_luma(&png(DynamicImage::ImageRgba8(rgba))).unwrap();
        assert_eq!(gray.data, vec![255, 0]);
    }

    #[test]
    fn colour_is_read_as_image_reads_it_within_one_level() {
        // Every 7th level of each channel, against `image`'s own conversion.
        let levels: Vec<u8> = (0..=255u8).step_by(7).chain([255]).collect();
        let n = levels.len();
        let rgb = image::RgbImage::from_fn((n * n) as u32, n as u32, |x, y| {
            let (x, y) = (x as usize, y as usize);
            image::Rgb([levels[x / n], levels[x % n], levels[y]])
        });
        let theirs = DynamicImage::ImageRgb8(rgb.clone()).into_luma8();
        let ours = to_gray(DynamicImage::ImageRgb8(rgb));
        for (a, b) in ours.data.iter().zip(theirs.as_raw()) {
            assert!(a.abs_diff(*b) <= 1, "{a} vs {b}");
        }
        assert_eq!(ours.data.len(), n * n * n);
    }

    #[test]
    fn a_bomb_is_refused_from_its_header() {
        // A valid PNG header claiming 100000 x 100000 pixels, with no pixel data at all.
        let mut bytes = png(DynamicImage::ImageLuma8(image::GrayImage::new(1, 1)));
        bytes[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bytes[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        // Fix the IHDR checksum so that only the size is unusual.
        let crc = crc32(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        assert_eq!(
            decode_luma(&bytes).err(),
            Some(ScanError::TooLarge {
                width: 100_000,
                height: 100_000
            })
        );
    }

    #[test]
    fn text_is_not_an_image() {
        assert_eq!(
            decode_luma(b"otpauth://totp/x?secret=AAAA").err(),
            Some(ScanError::UnsupportedFormat)
        );
        assert!(matches!(
            decode_luma(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Err(ScanError::Unreadable(_))
        ));
    }

    /// CRC-32 (ISO-HDLC), as PNG chunks use it.
    fn crc32(data: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}
