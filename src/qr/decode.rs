//! Finding OTP links in an image: decoding the file, then a pipeline of
//! detector runs that stops at the first stage that yields an OTP payload.
//!
//! Stages, cheapest first: a working copy of at most ~1000 px (big photos are
//! shrunk with an area average, which also removes sensor noise — running the
//! detector on a noisy 12 MP image can take minutes); close-ups of codes
//! that were located but not read; 2000 px; full size; and 2× / 3× enlargements
//! of small images. Each stage tries several thresholdings and both
//! polarities.

use std::io::Cursor;

use image::imageops::{self, FilterType};
use image::{DynamicImage, GrayImage, ImageReader, Limits};

use super::QrError;
use super::binarize::{Method, detect, noise_sigma};
use super::geometry::{Located, Pt};
use super::sample;

/// Larger images are refused: decoding them would take too much memory.
const MAX_SIDE: u32 = 16_384;
const MAX_ALLOC: u64 = 768 * 1024 * 1024;

/// Every distinct `otpauth://` and `otpauth-migration://` payload found in
/// the image (PNG, JPEG, WebP, GIF or BMP), in the order found.
pub fn decode_image(bytes: &[u8]) -> Result<Vec<String>, QrError> {
    decode_image_traced(bytes, &mut |_| {})
}

/// [`decode_image`], telling `trace` which stage ran and what it found (for
/// `--verbose` output and benchmarks). Trace lines never contain payloads.
pub fn decode_image_traced(
    bytes: &[u8],
    trace: &mut dyn FnMut(&str),
) -> Result<Vec<String>, QrError> {
    let img = load(bytes)?;
    trace(&format!("image {}x{}", img.width(), img.height()));
    let mut scan = Scan {
        original: &img,
        texts: Vec::new(),
        seen: Vec::new(),
        read: Vec::new(),
        unresolved: Vec::new(),
        trace,
    };
    scan.run();
    let otp: Vec<String> = scan.texts.iter().filter(|t| is_otp(t)).cloned().collect();
    match (otp.is_empty(), scan.texts.is_empty()) {
        (false, _) => Ok(otp),
        (true, false) => Err(QrError::NotOtp),
        (true, true) => Err(QrError::NoCode),
    }
}

/// Whether a QR payload is an OTP link this crate reads.
pub fn is_otp(text: &str) -> bool {
    let t = text.trim_start();
    ["otpauth://", "otpauth-migration://"]
        .iter()
        .any(|p| t.get(..p.len()).is_some_and(|s| s.eq_ignore_ascii_case(p)))
}

fn load(bytes: &[u8]) -> Result<GrayImage, QrError> {
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

#[derive(Clone, Copy, PartialEq)]
enum Pass {
    /// Every thresholding, both polarities.
    Thorough,
    /// The three best thresholdings, dark on light.
    Quick,
}

struct Scan<'t> {
    original: &'t GrayImage,
    texts: Vec<String>,
    /// Codes already read or handed to the sampler, in original coordinates.
    seen: Vec<Located>,
    /// Codes read, in original coordinates.
    read: Vec<Located>,
    /// Codes located but not read (yet).
    unresolved: Vec<Located>,
    trace: &'t mut dyn FnMut(&str),
}

impl Scan<'_> {
    /// An OTP payload was found and no multi-code export is known to be
    /// missing a part that may still be elsewhere in the image.
    fn complete(&self) -> bool {
        let mut any = false;
        let mut parts: Vec<(i32, i32, i32)> = Vec::new();
        for t in self.texts.iter().filter(|t| is_otp(t)) {
            any = true;
            if let Ok(b) = crate::migration::parse(t) {
                parts.push((b.batch_id, b.batch_index, b.batch_size));
            }
        }
        any && parts.iter().all(|&(id, _, size)| {
            let have = parts
                .iter()
                .filter(|p| p.0 == id)
                .map(|p| p.1)
                .collect::<std::collections::BTreeSet<_>>();
            have.len() >= usize::try_from(size).unwrap_or(0)
        })
    }

    fn run(&mut self) {
        let img = self.original;
        let side = img.width().max(img.height());
        if side <= 1200 {
            if self.stage("original", img, Pass::Thorough) {
                return;
            }
            // Small codes: modules of one or two pixels need enlarging
            // before the detector's thresholds can see them.
            for k in [2, 3] {
                // Unless something was located already, ×3 gets the quick
                // pass: this is where images without any code end up.
                let pass = if k == 3 && self.seen.is_empty() {
                    Pass::Quick
                } else {
                    Pass::Thorough
                };
                let big = imageops::resize(
                    img,
                    img.width() * k,
                    img.height() * k,
                    FilterType::CatmullRom,
                );
                if self.stage(&format!("x{k}"), &big, pass) {
                    return;
                }
            }
            return;
        }
        // Big photos: a shrunken copy first (fast, and averaging removes
        // sensor noise), then larger ones for codes too small to survive.
        if self.stage("1000px", &shrink(img, 1000), Pass::Thorough) {
            return;
        }
        if side > 2400 && self.stage("2000px", &shrink(img, 2000), Pass::Quick) {
            return;
        }
        self.tiles(img);
    }

    /// Full resolution, in overlapping tiles: rqrr's cost grows with the
    /// number of candidate patterns times the image size, which on a noisy
    /// 12 MP image runs into minutes; tiles bound the image size.
    fn tiles(&mut self, img: &GrayImage) {
        const TILE: u32 = 1024;
        const STEP: u32 = 768;
        let (w, h) = img.dimensions();
        let starts = |len: u32| -> Vec<u32> {
            let mut v: Vec<u32> = (0..len.saturating_sub(TILE))
                .step_by(STEP as usize)
                .collect();
            v.push(len.saturating_sub(TILE));
            v
        };
        for y in starts(h) {
            for x in starts(w) {
                let tile = imageops::crop_imm(img, x, y, TILE.min(w), TILE.min(h)).to_image();
                if self.run_method(
                    &format!("tile {x},{y}"),
                    &tile,
                    (f64::from(x), f64::from(y)),
                    1.0,
                    Method::LocalMean {
                        radius: 24,
                        smooth: 1,
                        offset: 6,
                    },
                    false,
                ) {
                    return;
                }
            }
        }
    }

    /// Runs the detector with each thresholding on `img` (a scaled copy of
    /// the original), and the sampler on codes it locates but cannot read.
    /// Returns whether the search is over.
    fn stage(&mut self, name: &str, img: &GrayImage, pass: Pass) -> bool {
        let side = img.width().max(img.height());
        let scale = f64::from(self.original.width()) / f64::from(img.width());
        // Offsets above the noise keep flat areas white.
        let sigma = noise_sigma(img);
        let offset = |base: f64, k: f64| (base.max(k * sigma)).min(30.0) as i32;
        let large = (side / 24).max(4);
        let mut methods = vec![
            Method::Native,
            Method::LocalMean {
                radius: large,
                smooth: 1,
                offset: offset(3.0, 1.0),
            },
            Method::LocalMean {
                radius: large,
                smooth: 0,
                offset: offset(6.0, 2.0),
            },
        ];
        if pass == Pass::Thorough {
            methods.extend([
                Method::LocalMean {
                    radius: (side / 64).max(3),
                    smooth: 0,
                    offset: offset(4.0, 1.5),
                },
                Method::Global,
            ]);
        }
        let polarities: &[bool] = if pass == Pass::Thorough {
            &[false, true]
        } else {
            &[false]
        };
        // Runs since the last one that read or located something new.
        let mut idle = 0;
        for &invert in polarities {
            for &m in &methods {
                // Once codes are read and nothing else shows up, the rest
                // of the image most likely holds no other code.
                if idle >= 2 && !self.texts.is_empty() && self.unresolved.is_empty() {
                    return true;
                }
                let before = (self.texts.len(), self.seen.len());
                if self.run_method(name, img, (0.0, 0.0), scale, m, invert) {
                    return true;
                }
                idle = if before == (self.texts.len(), self.seen.len()) {
                    idle + 1
                } else {
                    0
                };
            }
        }
        // Something was read and every code located was read: a bigger
        // scale would only find the same codes again.
        !self.texts.is_empty() && self.unresolved.is_empty()
    }

    /// One detector run on `img`, whose pixel (x, y) is original pixel
    /// `origin + scale * (x, y)`. Returns whether the search is over.
    fn run_method(
        &mut self,
        name: &str,
        img: &GrayImage,
        origin: Pt,
        scale: f64,
        m: Method,
        invert: bool,
    ) -> bool {
        // Codes already read are painted over: their finder patterns would
        // otherwise pair up with those of a code not read yet.
        let masked;
        let img = if self.read.is_empty() {
            img
        } else {
            let mut copy = img.clone();
            for quad in &self.read {
                let local = quad.moved((-origin.0, -origin.1)).scaled(1.0 / scale);
                paint_white(&mut copy, &local);
            }
            masked = copy;
            &masked
        };
        let found = detect(img, m, invert);
        let to_original = |l: &Located| l.scaled(scale).moved(origin);
        for (text, at) in &found.read {
            let at = to_original(at);
            self.unresolved.retain(|u| !u.same_place(&at));
            self.seen.push(at);
            self.read.push(at);
            self.add(text);
        }
        let mut sampled = 0;
        for at in found.unread.iter().map(to_original) {
            if self.seen.iter().any(|s| s.same_place(&at)) {
                continue;
            }
            self.seen.push(at);
            sampled += 1;
            match sample::read(self.original, &at) {
                Some(text) => {
                    self.read.push(at);
                    self.add(&text);
                }
                None => self.unresolved.push(at),
            }
        }
        (self.trace)(&format!(
            "{name} {}x{} {m:?} invert={invert}: {} read, {} located, {} sampled; {} payload(s) so far",
            img.width(),
            img.height(),
            found.read.len(),
            found.unread.len(),
            sampled,
            self.texts.len()
        ));
        self.complete()
    }

    fn add(&mut self, text: &str) {
        if !self.texts.iter().any(|t| t == text) {
            self.texts.push(text.to_string());
        }
    }
}

/// Whitens the code at `at`, with a margin of a module and a half.
fn paint_white(img: &mut GrayImage, at: &Located) {
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
fn shrink(img: &GrayImage, side: u32) -> GrayImage {
    let (w, h) = img.dimensions();
    let long = w.max(h);
    if long <= side {
        return img.clone();
    }
    let nw = (u64::from(w) * u64::from(side) / u64::from(long)).max(1) as u32;
    let nh = (u64::from(h) * u64::from(side) / u64::from(long)).max(1) as u32;
    imageops::thumbnail(img, nw, nh)
}
