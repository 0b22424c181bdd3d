//! Decoding the image file into greyscale, and the pixel operations the
//! decoding pipeline needs on the result.

use std::io::Cursor;

#[cfg(test)]
use image::ImageEncoder;
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
    let decoded = crate::contain::contained(|| reader.decode())
        .ok_or_else(|| QrError::Corrupt("the image decoder failed on this file".into()))?;
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
    // Per row, the inside is one run of pixels: found from its ends, then
    // filled as a slice (the per-pixel test with a heap vector cost more
    // than the detector run in debug builds).
    let inside = |x: u32, y: u32| {
        let p = (f64::from(x) + 0.5, f64::from(y) + 0.5);
        let s = [0, 1, 2, 3].map(|i| side(quad[i], quad[(i + 1) % 4], p));
        s.iter().all(|&v| v >= 0.0) || s.iter().all(|&v| v <= 0.0)
    };
    let width = img.width() as usize;
    let px: &mut [u8] = img;
    for y in y0..y1 {
        let Some(first) = (x0..x1).find(|&x| inside(x, y)) else {
            continue;
        };
        let last = (first..x1).rev().find(|&x| inside(x, y)).unwrap_or(first);
        let row = y as usize * width;
        px[row + first as usize..=row + last as usize].fill(255);
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

/// Catmull-Rom (bicubic) enlargement by an integer factor, pixel centres
/// kept aligned. Its slight sharpening helps the detector find small codes;
/// being separable with fixed weights per phase, it costs a fraction of
/// `imageops::resize`.
pub(crate) fn enlarge(img: &GrayImage, k: u32) -> GrayImage {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let k = k.max(1) as usize;
    // Weights of the 4 source taps (offsets -1..=2 from floor) per phase.
    let weights: Vec<(isize, [f32; 4])> = (0..k)
        .map(|phase| {
            let u = (phase as f32 + 0.5) / k as f32 - 0.5;
            let base = u.floor();
            let t = u - base;
            let cubic = |d: f32| {
                let d = d.abs();
                if d <= 1.0 {
                    1.5 * d * d * d - 2.5 * d * d + 1.0
                } else if d < 2.0 {
                    -0.5 * d * d * d + 2.5 * d * d - 4.0 * d + 2.0
                } else {
                    0.0
                }
            };
            (
                base as isize,
                [cubic(t + 1.0), cubic(t), cubic(1.0 - t), cubic(2.0 - t)],
            )
        })
        .collect();
    let tap = |i: isize, len: usize| i.clamp(0, len as isize - 1) as usize;
    let px = img.as_raw();
    // Horizontal pass: h rows of w*k.
    let mut rows = vec![0f32; h * w * k];
    for y in 0..h {
        let src = &px[y * w..(y + 1) * w];
        for x in 0..w {
            for (phase, (base, wt)) in weights.iter().enumerate() {
                let c = x as isize + base;
                let v: f32 = (0..4)
                    .map(|i| wt[i] * f32::from(src[tap(c - 1 + i as isize, w)]))
                    .sum();
                rows[y * w * k + x * k + phase] = v;
            }
        }
    }
    // Vertical pass.
    let ow = w * k;
    let mut out = vec![0u8; ow * h * k];
    for y in 0..h {
        for (phase, (base, wt)) in weights.iter().enumerate() {
            let c = y as isize + base;
            let taps = [0, 1, 2, 3].map(|i| tap(c - 1 + i as isize, h) * ow);
            let dst = &mut out[(y * k + phase) * ow..(y * k + phase + 1) * ow];
            for (x, d) in dst.iter_mut().enumerate() {
                let v: f32 = (0..4).map(|i| wt[i] * rows[taps[i] + x]).sum();
                *d = v.round().clamp(0.0, 255.0) as u8;
            }
        }
    }
    GrayImage::from_raw(ow as u32, (h * k) as u32, out).unwrap_or_else(|| img.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enlarging_keeps_flat_areas_flat_and_sizes_exact() {
        let flat = GrayImage::from_pixel(5, 3, image::Luma([77]));
        let big = enlarge(&flat, 3);
        assert_eq!(big.dimensions(), (15, 9));
        assert!(big.pixels().all(|p| p.0[0] == 77));
        let ramp = GrayImage::from_fn(8, 1, |x, _| image::Luma([(x * 30) as u8]));
        let big = enlarge(&ramp, 2);
        let row: Vec<u8> = big.pixels().take(16).map(|p| p.0[0]).collect();
        assert!(row.windows(2).all(|w| w[0] <= w[1]), "{row:?}");
    }

    #[test]
    fn transparent_pixels_become_white() {
        let img = image::RgbaImage::from_fn(4, 4, |x, _| {
            image::Rgba([0, 0, 0, if x < 2 { 0 } else { 255 }])
        });
        let luma = to_luma_on_white(DynamicImage::ImageRgba8(img));
        assert_eq!(luma.get_pixel(0, 0).0[0], 255);
        assert_eq!(luma.get_pixel(3, 0).0[0], 0);
    }

    #[test]
    fn oversized_images_are_refused_before_decoding() {
        // A PNG header claiming 100000 x 100000 pixels.
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(&[0u8; 4], 2, 2, image::ExtendedColorType::L8)
            .unwrap();
        png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        assert!(matches!(
            load(&png),
            Err(QrError::TooLarge | QrError::Corrupt(_))
        ));
    }
}
