//! From a fitted grid to text: sampling every module's brightness, turning
//! brightness into bits a few different ways, and handing each bit grid to
//! rqrr for format reading and error correction.

use image::GrayImage;
use rqrr::BitGrid;

use super::geometry::{Homography, Pt};

/// Samples the modules a few ways and lets rqrr try each.
pub(crate) fn decode(img: &GrayImage, h: &Homography, size: usize, invert: bool) -> Option<String> {
    let centre = sample(img, h, size, invert, 0.15);
    let area = sample(img, h, size, invert, 0.3);
    let sharp = sharpen(&centre, size, 1.0);
    let sharper = sharpen(&centre, size, 3.0);
    for values in [&centre, &area, &sharp, &sharper] {
        for bits in [threshold_local(values, size), threshold_global(values)] {
            if let Some(text) = read_grid(Bits { size, bits }) {
                return Some(text);
            }
        }
    }
    None
}

/// rqrr's format reading and error correction on one bit grid; a panic in
/// it (a port of C code, given grids we sampled) is a grid not read.
fn read_grid(grid: impl BitGrid) -> Option<String> {
    crate::contain::contained(|| rqrr::Grid::new(grid).decode().ok())
        .flatten()
        .map(|(_, text)| text)
}

struct Bits {
    size: usize,
    bits: Vec<bool>,
}

impl BitGrid for Bits {
    fn size(&self) -> usize {
        self.size
    }

    fn bit(&self, y: usize, x: usize) -> bool {
        self.bits.get(y * self.size + x).copied().unwrap_or(false)
    }
}

/// Brightness at a sub-pixel position (pixel centres at +0.5); outside is white.
pub(crate) fn bilinear(img: &GrayImage, (x, y): Pt) -> f64 {
    // A degenerate map can send a module anywhere, NaN and infinity too.
    let inside = |c: f64, len: u32| c > -2.0 && c < f64::from(len) + 2.0;
    if !inside(x, img.width()) || !inside(y, img.height()) {
        return 255.0;
    }
    let (u, v) = (x - 0.5, y - 0.5);
    let (x0, y0) = (u.floor(), v.floor());
    let (fx, fy) = (u - x0, v - y0);
    let (w, h) = (i64::from(img.width()), i64::from(img.height()));
    let px = img.as_raw();
    let at = |dx: i64, dy: i64| {
        let (px_x, px_y) = (x0 as i64 + dx, y0 as i64 + dy);
        if px_x < 0 || px_y < 0 || px_x >= w || px_y >= h {
            255.0
        } else {
            px.get((px_y * w + px_x) as usize)
                .map_or(255.0, |&v| f64::from(v))
        }
    };
    let top = at(0, 0) * (1.0 - fx) + at(1, 0) * fx;
    let bottom = at(0, 1) * (1.0 - fx) + at(1, 1) * fx;
    top * (1.0 - fy) + bottom * fy
}

/// Brightness of every module (dark is low), `size * size` values: the mean
/// of five points within `spread` modules of the centre.
fn sample(img: &GrayImage, h: &Homography, size: usize, invert: bool, spread: f64) -> Vec<f64> {
    let mut out = Vec::with_capacity(size * size);
    for y in 0..size {
        for x in 0..size {
            let (cx, cy) = (x as f64 + 0.5, y as f64 + 0.5);
            let mut v = 0.0;
            for (dx, dy) in [
                (0.0, 0.0),
                (-spread, 0.0),
                (spread, 0.0),
                (0.0, -spread),
                (0.0, spread),
            ] {
                v += bilinear(img, h.map((cx + dx, cy + dy)));
            }
            v /= 5.0;
            out.push(if invert { 255.0 - v } else { v });
        }
    }
    out
}

/// Undoes some blur: each module pushed away from the mean of its four
/// neighbours, which blur had pulled it towards.
fn sharpen(values: &[f64], size: usize, amount: f64) -> Vec<f64> {
    let at = |x: usize, y: usize| values.get(y * size + x).copied().unwrap_or(255.0);
    let mut out = Vec::with_capacity(values.len());
    for y in 0..size {
        for x in 0..size {
            let v = at(x, y);
            let n = [
                if x > 0 { at(x - 1, y) } else { 255.0 },
                if x + 1 < size { at(x + 1, y) } else { 255.0 },
                if y > 0 { at(x, y - 1) } else { 255.0 },
                if y + 1 < size { at(x, y + 1) } else { 255.0 },
            ];
            out.push(v + amount * (v - n.iter().sum::<f64>() / 4.0));
        }
    }
    out
}

/// Dark where darker than the mean of the surrounding 9×9 modules (QR data
/// is about half dark, so the local mean sits between the two levels).
fn threshold_local(values: &[f64], size: usize) -> Vec<bool> {
    let r = 4usize;
    let mut out = Vec::with_capacity(values.len());
    for y in 0..size {
        for x in 0..size {
            let (y0, y1) = (y.saturating_sub(r), (y + r + 1).min(size));
            let (x0, x1) = (x.saturating_sub(r), (x + r + 1).min(size));
            let mut sum = 0.0;
            for yy in y0..y1 {
                sum += values[yy * size + x0..yy * size + x1].iter().sum::<f64>();
            }
            let mean = sum / ((y1 - y0) * (x1 - x0)) as f64;
            out.push(values[y * size + x] < mean);
        }
    }
    out
}

/// Dark where below the best two-class split of all module values.
fn threshold_global(values: &[f64]) -> Vec<bool> {
    let mut sorted: Vec<f64> = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    let total: f64 = sorted.iter().sum();
    let (mut best, mut t, mut left) = (f64::MIN, 128.0, 0.0);
    for i in 1..n {
        left += sorted[i - 1];
        let (wl, wr) = (i as f64, (n - i) as f64);
        let d = left / wl - (total - left) / wr;
        let between = wl * wr * d * d;
        if between > best {
            best = between;
            t = (sorted[i - 1] + sorted[i]) / 2.0;
        }
    }
    values.iter().map(|&v| v < t).collect()
}

/// Alignment pattern centre coordinates for a code of `size` modules.
pub(crate) fn alignment_positions(size: usize) -> &'static [u8] {
    const TABLE: [&[u8]; 40] = [
        &[],
        &[6, 18],
        &[6, 22],
        &[6, 26],
        &[6, 30],
        &[6, 34],
        &[6, 22, 38],
        &[6, 24, 42],
        &[6, 26, 46],
        &[6, 28, 50],
        &[6, 30, 54],
        &[6, 32, 58],
        &[6, 34, 62],
        &[6, 26, 46, 66],
        &[6, 26, 48, 70],
        &[6, 26, 50, 74],
        &[6, 30, 54, 78],
        &[6, 30, 56, 82],
        &[6, 30, 58, 86],
        &[6, 34, 62, 90],
        &[6, 28, 50, 72, 94],
        &[6, 26, 50, 74, 98],
        &[6, 30, 54, 78, 102],
        &[6, 28, 54, 80, 106],
        &[6, 32, 58, 84, 110],
        &[6, 30, 58, 86, 114],
        &[6, 34, 62, 90, 118],
        &[6, 26, 50, 74, 98, 122],
        &[6, 30, 54, 78, 102, 126],
        &[6, 26, 52, 78, 104, 130],
        &[6, 30, 56, 82, 108, 134],
        &[6, 34, 60, 86, 112, 138],
        &[6, 30, 58, 86, 114, 142],
        &[6, 34, 62, 90, 118, 146],
        &[6, 30, 54, 78, 102, 126, 150],
        &[6, 24, 50, 76, 102, 128, 154],
        &[6, 28, 54, 80, 106, 132, 158],
        &[6, 32, 58, 84, 110, 136, 162],
        &[6, 26, 54, 82, 110, 138, 166],
        &[6, 30, 58, 86, 114, 142, 170],
    ];
    TABLE
        .get(size.saturating_sub(21) / 4)
        .copied()
        .unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A grid that makes rqrr panic when it reads it.
    struct Exploding;

    impl BitGrid for Exploding {
        fn size(&self) -> usize {
            21
        }
        fn bit(&self, _: usize, _: usize) -> bool {
            panic!("a bug in the decoder")
        }
    }

    #[test]
    fn a_panic_in_rqrr_is_a_grid_not_read() {
        assert_eq!(read_grid(Exploding), None);
    }
}
