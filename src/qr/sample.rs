//! Reading a code that rqrr located but could not decode.
//!
//! rqrr fits its grid from the three finder patterns and one alignment
//! pattern, then reads one thresholded pixel per module: on blurred, small
//! or distorted codes a fraction of a module of error is enough to fail, and
//! its module count is often off. Here the fit is redone on the greyscale
//! image: each finder and alignment pattern is matched against its ideal
//! shape (normalised cross-correlation, so lighting does not matter), the
//! module count is chosen by how well the timing patterns match, and a
//! homography is fitted to all the patterns found. `modules` then samples
//! and thresholds every module.

use image::GrayImage;

use super::geometry::{Homography, Located, Pt, dist};
use super::modules::{alignment_positions, bilinear, decode};

/// The greyscale image, seen so that dark modules are dark.
#[derive(Clone, Copy)]
struct View<'a> {
    img: &'a GrayImage,
    invert: bool,
}

impl View<'_> {
    fn at(&self, p: Pt) -> f64 {
        let v = bilinear(self.img, p);
        if self.invert { 255.0 - v } else { v }
    }
}

/// A square pattern's ideal brightness (1 light, 0 dark) by ring.
struct Pattern {
    /// Rings around the centre module that are compared.
    half: i32,
    light: fn(i32) -> bool,
}

/// A finder with its light separator ring: 9×9 modules.
const FINDER: Pattern = Pattern {
    half: 4,
    light: |r| r == 2 || r == 4,
};
const ALIGNMENT: Pattern = Pattern {
    half: 2,
    light: |r| r == 1,
};

/// Tries to read the located code; the decoded text on success.
pub(crate) fn read(img: &GrayImage, loc: &Located) -> Option<String> {
    let view = View {
        img,
        invert: loc.invert,
    };
    let s = loc.size as f64;
    let square = [(0.0, 0.0), (s, 0.0), (s, s), (0.0, s)];
    let pairs: Vec<(Pt, Pt)> = square.into_iter().zip(loc.corners).collect();
    let h0 = Homography::fit(&pairs)?;
    let finders = find_finders(view, &h0, s)?;
    // Rank the plausible module counts by how much rows and columns 6 look
    // like timing patterns.
    let [(p0, k0), (p1, k1), (p2, k2)] = finders;
    let pitch = (k0 + k1 + k2) / 3.0;
    let estimate = (dist(p0, p1) + dist(p0, p2)) / 2.0 / pitch + 7.0;
    let mut candidates: Vec<(f64, usize, Homography)> = (0..40)
        .map(|v| 21 + 4 * v)
        .filter(|&z| (z as f64) > estimate * 0.75 && (z as f64) < estimate * 1.33)
        .filter_map(|z| {
            let a = finder_map([p0, p1, p2], z)?;
            Some((timing_score(view, &a, z), z, a))
        })
        .collect();
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
    candidates.iter().take(2).find_map(|&(_, size, a)| {
        let h = with_alignments(view, a, [p0, p1, p2], size);
        decode(img, &h, size, loc.invert)
    })
}

/// The affine module map fixed by the three finder centres alone.
fn finder_map(finders: [Pt; 3], size: usize) -> Option<Homography> {
    Homography::fit(&finder_anchors(finders, size))
}

fn finder_anchors(finders: [Pt; 3], size: usize) -> [(Pt, Pt); 3] {
    let z = size as f64;
    [
        ((3.5, 3.5), finders[0]),
        ((z - 3.5, 3.5), finders[1]),
        ((3.5, z - 3.5), finders[2]),
    ]
}

/// Pixel centre and module pitch (pixels) of the top-left, top-right and
/// bottom-left finder patterns. rqrr's map puts each finder's outer corner
/// right but its module pitch may be wrong, so each finder is searched at a
/// range of scales from its corner.
fn find_finders(view: View, h0: &Homography, s: f64) -> Option<[(Pt, f64); 3]> {
    let mut out = [((0.0, 0.0), 0.0); 3];
    for (slot, corner) in out
        .iter_mut()
        .zip([(0.0, 0.0), (s - 7.0, 0.0), (0.0, s - 7.0)])
    {
        // Widen the search only when the near one finds nothing convincing.
        let mut best = (1.0, (0.0, 0.0), f64::MIN);
        for range in [1.5, 3.5] {
            for step in 0..=10 {
                let k = 0.6 + 0.1 * f64::from(step);
                let c = (corner.0 + 3.5 * k, corner.1 + 3.5 * k);
                let (d, q) = search(view, h0, c, k, &FINDER, range, 0.25);
                if q > best.2 {
                    best = (k, (c.0 + d.0, c.1 + d.1), q);
                }
            }
            if best.2 >= 0.75 {
                break;
            }
        }
        let (k, c, _) = best;
        let (d, q) = search(view, h0, c, k, &FINDER, 0.5, 0.1);
        if q < 0.4 {
            return None;
        }
        let c = (c.0 + d.0, c.1 + d.1);
        let p = h0.map(c);
        let pitch =
            k * (dist(p, h0.map((c.0 + 1.0, c.1))) + dist(p, h0.map((c.0, c.1 + 1.0)))) / 2.0;
        *slot = (p, pitch);
    }
    Some(out)
}

/// Refits the finder-based map `h` to every alignment pattern that can be
/// found where it predicts one, dropping those that disagree with the rest.
/// The bottom-right one comes first, searched widely: perspective moves it
/// most from where three finders alone place it.
fn with_alignments(view: View, h: Homography, finders: [Pt; 3], size: usize) -> Homography {
    let mut anchors: Vec<(Pt, Pt)> = finder_anchors(finders, size).to_vec();
    let positions = alignment_positions(size);
    let Some(&last) = positions.last() else {
        return h;
    };
    let mut h = h;
    let corner = (f64::from(last) + 0.5, f64::from(last) + 0.5);
    let (d, q) = search(view, &h, corner, 1.0, &ALIGNMENT, 2.5, 0.25);
    if q >= 0.5 {
        let c = (corner.0 + d.0, corner.1 + d.1);
        let (d, _) = search(view, &h, c, 1.0, &ALIGNMENT, 0.5, 0.1);
        let mut four = anchors.clone();
        four.push((corner, h.map((c.0 + d.0, c.1 + d.1))));
        h = Homography::fit(&four).unwrap_or(h);
    }
    for &y in positions {
        for &x in positions {
            // Three of the corners are finder patterns.
            let corner_of = |a: u8, b: u8| (a == 6 || a == last) && (b == 6 || b == last);
            if corner_of(x, y) && !(x == last && y == last) {
                continue;
            }
            let c = (f64::from(x) + 0.5, f64::from(y) + 0.5);
            let (d, q) = search(view, &h, c, 1.0, &ALIGNMENT, 1.0, 0.25);
            // A best match at the edge of the search is a lookalike in the data.
            if q < 0.5 || d.0.abs().max(d.1.abs()) > 0.8 {
                continue;
            }
            let near = (c.0 + d.0, c.1 + d.1);
            let (d, _) = search(view, &h, near, 1.0, &ALIGNMENT, 0.3, 0.1);
            anchors.push((c, h.map((near.0 + d.0, near.1 + d.1))));
        }
    }
    let mut best = h;
    while anchors.len() > 3 {
        let Some(fit) = Homography::fit(&anchors) else {
            break;
        };
        best = fit;
        // The alignment anchor furthest from the fit, in modules.
        let worst = (3..anchors.len())
            .map(|i| {
                let (c, p) = anchors[i];
                let q = fit.map(c);
                (i, dist(p, q) / dist(q, fit.map((c.0 + 1.0, c.1))).max(1e-9))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match worst {
            Some((i, r)) if r > 0.4 => {
                anchors.remove(i);
            }
            _ => break,
        }
    }
    best
}

/// How much row and column 6 look like timing patterns (alternating, dark
/// on even positions): correlation in [-1, 1].
fn timing_score(view: View, h: &Homography, size: usize) -> f64 {
    let mut pairs = Vec::new();
    for i in 8..size.saturating_sub(8) {
        let ideal = if i % 2 == 0 { 0.0 } else { 1.0 };
        let p = i as f64 + 0.5;
        pairs.push((ideal, view.at(h.map((p, 6.5)))));
        pairs.push((ideal, view.at(h.map((6.5, p)))));
    }
    correlation(&pairs)
}

/// How well `pattern` centred at module position `c` of `h`, with modules
/// `k` times the size `h` has there, matches the image: in [-1, 1].
fn score(view: View, h: &Homography, c: Pt, k: f64, pattern: &Pattern) -> f64 {
    let n = pattern.half;
    let mut pairs = Vec::with_capacity(81);
    for j in -n..=n {
        for i in -n..=n {
            let ideal = if (pattern.light)(i.abs().max(j.abs())) {
                1.0
            } else {
                0.0
            };
            pairs.push((
                ideal,
                view.at(h.map((c.0 + k * f64::from(i), c.1 + k * f64::from(j)))),
            ));
        }
    }
    correlation(&pairs)
}

/// The shift from `c` (within ±`range` modules, in steps of `step`) that
/// best aligns `pattern`, and its score. On sharp images the best score is
/// a plateau: the centre of the plateau is returned.
fn search(
    view: View,
    h: &Homography,
    c: Pt,
    k: f64,
    pattern: &Pattern,
    range: f64,
    step: f64,
) -> (Pt, f64) {
    let steps = (range / step).round() as i32;
    let mut scores = Vec::new();
    for j in -steps..=steps {
        for i in -steps..=steps {
            let d = (f64::from(i) * step, f64::from(j) * step);
            scores.push((d, score(view, h, (c.0 + d.0, c.1 + d.1), k, pattern)));
        }
    }
    let best = scores.iter().map(|s| s.1).fold(f64::MIN, f64::max);
    let near: Vec<Pt> = scores
        .iter()
        .filter(|s| s.1 >= best - 0.01)
        .map(|s| s.0)
        .collect();
    let n = near.len().max(1) as f64;
    let d = near
        .iter()
        .fold((0.0, 0.0), |a, p| (a.0 + p.0 / n, a.1 + p.1 / n));
    (d, best)
}

/// Pearson correlation of (ideal, observed) pairs; 0 when either is flat.
fn correlation(pairs: &[(f64, f64)]) -> f64 {
    let n = pairs.len() as f64;
    let (mut st, mut ss, mut stt, mut sss, mut sts) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for &(t, s) in pairs {
        st += t;
        ss += s;
        stt += t * t;
        sss += s * s;
        sts += t * s;
    }
    let cov = sts - st * ss / n;
    let var = (stt - st * st / n) * (sss - ss * ss / n);
    if n < 2.0 || var <= 1e-9 {
        0.0
    } else {
        cov / var.sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::qr::encode::render;
    use crate::qr::tests::URI;

    #[test]
    fn reads_a_clean_code_and_corrects_the_module_count() {
        let img = render(URI, 5).unwrap();
        let size = (img.width() / 5 - 8) as usize;
        let n = size as f64;
        let px = |m: f64| 20.0 + 5.0 * m;
        let exact = Homography::fit(&[
            ((0.0, 0.0), (px(0.0), px(0.0))),
            ((n, 0.0), (px(n), px(0.0))),
            ((0.0, n), (px(0.0), px(n))),
            ((n, n), (px(n), px(n))),
        ])
        .unwrap();
        let view = View {
            img: &img,
            invert: false,
        };
        assert!(timing_score(view, &exact, size) > 0.9);
        // As rqrr reports a wrong count: its map puts the finders' outer
        // corners right, at module 0 and `wrong - 7`, with the pitch that
        // count implies.
        for wrong in [size, size - 8, size + 4, size + 20] {
            let w = wrong as f64;
            let h = Homography::fit(&[
                ((0.0, 0.0), (px(0.0), px(0.0))),
                ((w - 7.0, 0.0), (px(n - 7.0), px(0.0))),
                ((0.0, w - 7.0), (px(0.0), px(n - 7.0))),
                ((w - 7.0, w - 7.0), (px(n - 7.0), px(n - 7.0))),
            ])
            .unwrap();
            let corners = [(0.0, 0.0), (w, 0.0), (w, w), (0.0, w)].map(|p| h.map(p));
            let loc = Located {
                corners,
                size: wrong,
                invert: false,
            };
            assert_eq!(read(&img, &loc).as_deref(), Some(URI), "{wrong}");
        }
    }
}
