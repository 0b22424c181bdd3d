//! Turning a greyscale image into black and white for the QR detector, and
//! running the detector on the result.
//!
//! rqrr's own thresholding (a running average along each row) fails on
//! uneven lighting, blur and small modules, so the pipeline in `decode` also
//! feeds it bitmaps made here: a local mean over a square window (integral
//! image, so any window size costs the same) and a global Otsu threshold.

use image::GrayImage;
use rqrr::{BitGrid, PreparedImage};

use super::finder;
use super::geometry::{Homography, Located, Pt};

/// How a greyscale image is turned into a bitmap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Method {
    /// rqrr's built-in row average.
    Native,
    /// Black where the mean of the square of side `2 * smooth + 1` around a
    /// pixel (the pixel itself for 0) is darker than the mean of the square
    /// of side `2 * radius + 1` by more than `offset` grey levels.
    LocalMean {
        radius: u32,
        smooth: u32,
        offset: i32,
    },
    /// One threshold for the whole image (Otsu's method).
    Global,
}

/// What one detector run found.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// Decoded texts, and where each code was.
    pub read: Vec<(String, Located)>,
    /// Codes that were located but could not be read: worth a closer look.
    pub unread: Vec<Located>,
    /// Where rqrr read nothing: codes grouped from finder patterns we found
    /// ourselves (`finder`), most plausible first; many are not codes.
    pub guessed: Vec<Located>,
}

/// How many finder-pattern groups one detector run hands to the sampler.
const GUESSES: usize = 3;

/// Thresholds `img` with `method` (dark-on-light, or light-on-dark when
/// `invert`) and reads every code rqrr can locate; with `guess`, also
/// groups finder patterns into codes where rqrr read nothing.
pub(crate) fn detect(img: &GrayImage, method: Method, invert: bool, guess: bool) -> Found {
    let (w, h) = (img.width() as usize, img.height() as usize);
    if w < 21 || h < 21 {
        return Found::default();
    }
    // rqrr is a port of C code; a panic in it must not take the caller down.
    crate::contain::contained(|| {
        let px = img.as_raw();
        // The bitmap rqrr gets (dark is true), except for its own threshold.
        let dark: Option<Vec<bool>> = match method {
            Method::Native => None,
            Method::LocalMean {
                radius,
                smooth,
                offset,
            } => Some(
                local_mean(img, radius, smooth, offset)
                    .into_iter()
                    .map(|b| b != invert)
                    .collect(),
            ),
            Method::Global => {
                let t = otsu(img);
                Some(px.iter().map(|&v| (v <= t) != invert).collect())
            }
        };
        let mut prepared = match &dark {
            None => PreparedImage::prepare_from_greyscale(w, h, |x, y| {
                let v = px.get(y * w + x).copied().unwrap_or(255);
                if invert { 255 - v } else { v }
            }),
            Some(bits) => PreparedImage::prepare_from_bitmap(w, h, |x, y| {
                bits.get(y * w + x).copied().unwrap_or(false)
            }),
        };
        let mut found = Found::default();
        for grid in prepared.detect_grids() {
            match grid.decode() {
                Ok((_, text)) => {
                    if let Some(at) = located(&grid.bounds, grid.grid.size(), invert) {
                        found.read.push((text, at));
                    }
                }
                Err(_) => found
                    .unread
                    .extend(located(&grid.bounds, grid.grid.size(), invert)),
            }
        }
        if let (true, true, Some(bits)) = (guess, found.read.is_empty(), &dark) {
            found.guessed = finder::codes(&finder::finders(bits, w, h), invert, GUESSES);
        }
        found
    })
    .unwrap_or_default()
}

/// rqrr's bounds are its grid map taken at module coordinates 0 and
/// `size + 1`; the code's outer corners are at 0 and `size`.
fn located(bounds: &[rqrr::Point; 4], size: usize, invert: bool) -> Option<Located> {
    let s = size as f64;
    let grid = [
        (0.0, 0.0),
        (s + 1.0, 0.0),
        (s + 1.0, s + 1.0),
        (0.0, s + 1.0),
    ];
    let pairs: Vec<(Pt, Pt)> = grid
        .into_iter()
        .zip(bounds.iter().map(|p| (f64::from(p.x), f64::from(p.y))))
        .collect();
    let h = Homography::fit(&pairs)?;
    let corners = [(0.0, 0.0), (s, 0.0), (s, s), (0.0, s)].map(|p| h.map(p));
    Some(Located {
        corners,
        size,
        invert,
    })
}

/// Black (true) where a pixel (or its `smooth` neighbourhood) is darker
/// than its wider neighbourhood by more than `offset`. Flat areas stay white
/// whatever their noise, which keeps the detector from drowning in speckles.
pub(crate) fn local_mean(img: &GrayImage, radius: u32, smooth: u32, offset: i32) -> Vec<bool> {
    local_mean_with(img, radius, smooth, offset, false).0
}

/// [`local_mean`], and the same for light on dark (lighter than the wider
/// neighbourhood by more than `offset`), from one summed-area table.
pub(crate) fn local_mean_both(
    img: &GrayImage,
    radius: u32,
    smooth: u32,
    offset: i32,
) -> (Vec<bool>, Vec<bool>) {
    local_mean_with(img, radius, smooth, offset, true)
}

fn local_mean_with(
    img: &GrayImage,
    radius: u32,
    smooth: u32,
    offset: i32,
    light: bool,
) -> (Vec<bool>, Vec<bool>) {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let sums = integral(img);
    let stride = w + 1;
    let (r, sm) = (radius as usize, smooth as usize);
    let px = img.as_raw();
    let mut dark = vec![false; w * h];
    let mut lit = if light {
        vec![false; w * h]
    } else {
        Vec::new()
    };
    let off = i64::from(offset);
    for y in 0..h {
        let (y0, y1) = (y.saturating_sub(r), (y + r + 1).min(h));
        let (sy0, sy1) = (y.saturating_sub(sm), (y + sm + 1).min(h));
        let (top, bottom) = (&sums[y0 * stride..], &sums[y1 * stride..]);
        let (stop, sbottom) = (&sums[sy0 * stride..], &sums[sy1 * stride..]);
        let row = &px[y * w..(y + 1) * w];
        for x in 0..w {
            // Sum and area of the box [x0, x1) × [y0, y1).
            let (x0, x1) = (x.saturating_sub(r), (x + r + 1).min(w));
            let big = (bottom[x1] + top[x0] - bottom[x0] - top[x1]) as i64;
            let n = ((x1 - x0) * (y1 - y0)) as i64;
            let (small, m) = if sm == 0 {
                (i64::from(row[x]), 1)
            } else {
                let (sx0, sx1) = (x.saturating_sub(sm), (x + sm + 1).min(w));
                (
                    (sbottom[sx1] + stop[sx0] - sbottom[sx0] - stop[sx1]) as i64,
                    ((sx1 - sx0) * (sy1 - sy0)) as i64,
                )
            };
            // small/m < big/n - offset, without division.
            dark[y * w + x] = small * n < (big - off * n) * m;
            if light {
                lit[y * w + x] = small * n > (big + off * n) * m;
            }
        }
    }
    (dark, lit)
}

/// Summed-area table with a zero first row and column.
fn integral(img: &GrayImage) -> Vec<u64> {
    let (w, h) = (img.width() as usize, img.height() as usize);
    let px = img.as_raw();
    let stride = w + 1;
    let mut sums = vec![0u64; stride * (h + 1)];
    for y in 0..h {
        let mut row = 0u64;
        for x in 0..w {
            row += u64::from(px[y * w + x]);
            sums[(y + 1) * stride + x + 1] = sums[y * stride + x + 1] + row;
        }
    }
    sums
}

/// Pixel noise (standard deviation, grey levels), from the median difference
/// between horizontal neighbours: edges are too rare to move the median.
pub(crate) fn noise_sigma(img: &GrayImage) -> f64 {
    let mut hist = [0u64; 256];
    let w = img.width() as usize;
    for row in img.as_raw().chunks(w.max(1)) {
        for pair in row.windows(2) {
            hist[usize::from(pair[0].abs_diff(pair[1]))] += 1;
        }
    }
    let total: u64 = hist.iter().sum();
    let mut seen = 0;
    for (d, &c) in hist.iter().enumerate() {
        seen += c;
        if seen * 2 >= total {
            // The difference of two samples has σ√2, and its median absolute
            // value is 0.674 of that.
            return d as f64 / (0.674 * std::f64::consts::SQRT_2);
        }
    }
    0.0
}

/// Otsu's threshold: the grey level that best separates two classes.
pub(crate) fn otsu(img: &GrayImage) -> u8 {
    let mut hist = [0u64; 256];
    for &v in img.as_raw() {
        hist[usize::from(v)] += 1;
    }
    let total: u64 = hist.iter().sum();
    let sum_all: f64 = hist
        .iter()
        .enumerate()
        .map(|(i, &c)| i as f64 * c as f64)
        .sum();
    let (mut w_b, mut sum_b, mut best, mut best_t) = (0u64, 0f64, -1f64, 127u8);
    for (t, &c) in hist.iter().enumerate() {
        w_b += c;
        if w_b == 0 {
            continue;
        }
        let w_f = total - w_b;
        if w_f == 0 {
            break;
        }
        sum_b += t as f64 * c as f64;
        let m_b = sum_b / w_b as f64;
        let m_f = (sum_all - sum_b) / w_f as f64;
        let between = w_b as f64 * w_f as f64 * (m_b - m_f) * (m_b - m_f);
        if between > best {
            best = between;
            best_t = t as u8;
        }
    }
    best_t
}
