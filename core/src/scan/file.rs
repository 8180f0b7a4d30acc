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
    let data = if image.color().has_alpha() {
        image
            .into_luma_alpha8()
            .pixels()
            .map(|p| {
                let [l, a] = p.0;
                let (l, a) = (u32::from(l), u32::from(a));
                ((l * a + 255 * (255 - a) + 127) / 255) as u8
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
