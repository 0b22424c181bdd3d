//! Decoding the image file into greyscale, and the pixel operations the
//! decoding pipeline needs on the result.

use std::io::Cursor;

use image::imageops;
use image::{DynamicImage, GrayImage, ImageReader, Limits};

use super::QrError;
use super::geometry::{Located, Pt};

/// Larger images are refused: decoding them would take too much memory.
const MAX_SIDE: u32 = 16_384;
const MAX_ALLOC: u64 = 768 * 1024 * 1024;

/// The image as greyscale; errors say why there is none.
pub(crate) fn load(bytes: &[u8]) -> Result<GrayImage, QrError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|_| QrError::NotImage)?;
    if reader.format().is_none() {
        return Err(QrError::NotImage);
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    reader.limits(limits);
    // The decoders are fuzzed upstream, but a panic on some odd file must
    // still not take the caller down.
    let decoded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| reader.decode()))
        .map_err(|_| QrError::Corrupt("the image decoder failed on this file".into()))?;
    let img = decoded.map_err(|e| match e {
        image::ImageError::Limits(_) => QrError::TooLarge,
        image::ImageError::Unsupported(_) => QrError::NotImage,
        other => QrError::Corrupt(other.to_string()),
    })?;
    Ok(to_luma_on_white(img))
}

/// Greyscale, with transparency composited onto white: a transparent PNG
/// has black (0,0,0,0) pixels under its see-through background.
fn to_luma_on_white(img: DynamicImage) -> GrayImage {
    if !img.color().has_alpha() {
        return img.into_luma8();
    }
    let la = img.into_luma_alpha8();
    let (w, h) = la.dimensions();
    let px = la
        .pixels()
        .map(|p| {
            let [l, a] = p.0;
            let (l, a) = (u32::from(l), u32::from(a));
            ((l * a + 255 * (255 - a)) / 255) as u8
        })
        .collect();
    GrayImage::from_raw(w, h, px).unwrap_or_else(|| GrayImage::new(1, 1))
}

/// Whitens the code at `at`, with a margin of a module and a half.
pub(crate) fn paint_white(img: &mut GrayImage, at: &Located) {
    let c = at.centre();
    let grow = 1.0 + 3.0 / at.size.max(1) as f64;
    let quad = at
        .corners
        .map(|p| (c.0 + (p.0 - c.0) * grow, c.1 + (p.1 - c.1) * grow));
    let (w, h) = (f64::from(img.width()), f64::from(img.height()));
    let x0 = quad
        .iter()
        .map(|p| p.0)
        .fold(f64::MAX, f64::min)
        .clamp(0.0, w) as u32;
    let x1 = quad
        .iter()
        .map(|p| p.0)
        .fold(f64::MIN, f64::max)
        .clamp(0.0, w) as u32;
    let y0 = quad
        .iter()
        .map(|p| p.1)
        .fold(f64::MAX, f64::min)
        .clamp(0.0, h) as u32;
    let y1 = quad
        .iter()
        .map(|p| p.1)
        .fold(f64::MIN, f64::max)
        .clamp(0.0, h) as u32;
    // Inside a convex quad: on the same side of all four edges.
    let side = |a: Pt, b: Pt, p: Pt| (b.0 - a.0) * (p.1 - a.1) - (b.1 - a.1) * (p.0 - a.0);
    for y in y0..y1 {
        for x in x0..x1 {
            let p = (f64::from(x) + 0.5, f64::from(y) + 0.5);
            let s: Vec<f64> = (0..4)
                .map(|i| side(quad[i], quad[(i + 1) % 4], p))
                .collect();
            if s.iter().all(|&v| v >= 0.0) || s.iter().all(|&v| v <= 0.0) {
                img.put_pixel(x, y, image::Luma([255]));
            }
        }
    }
}

/// Area-average downscale so that the longer side is `side` px.
pub(crate) fn shrink(img: &GrayImage, side: u32) -> GrayImage {
    let (w, h) = img.dimensions();
    let long = w.max(h);
    if long <= side {
        return img.clone();
    }
    let nw = (u64::from(w) * u64::from(side) / u64::from(long)).max(1) as u32;
    let nh = (u64::from(h) * u64::from(side) / u64::from(long)).max(1) as u32;
    imageops::thumbnail(img, nw, nh)
}
