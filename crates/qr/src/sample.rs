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

/// [`read`] for a code grouped from finder patterns we found ourselves
/// (`finder`), most of which are not codes: first a cheap check that a
/// finder pattern really sits at each of the three corners where the
/// group puts one (on noise, the search that `read` starts with costs
/// tens of milliseconds per group).
pub(crate) fn read_guess(img: &GrayImage, loc: &Located) -> Option<String> {
    let (view, s, h0) = corner_map(img, loc)?;
    let plausible = [(3.5, 3.5), (s - 3.5, 3.5), (3.5, s - 3.5)]
        .into_iter()
        .all(|c| search(view, &h0, c, 1.0, &FINDER, 0.75, 0.25).1 >= 0.45);
    if plausible {
        read_mapped(img, loc, view, s, &h0)
    } else {
        None
    }
}

/// Tries to read the located code; the decoded text on success.
pub(crate) fn read(img: &GrayImage, loc: &Located) -> Option<String> {
    let (view, s, h0) = corner_map(img, loc)?;
    read_mapped(img, loc, view, s, &h0)
}

/// The module map fixed by the located code's four corners, with the view
/// of `img` in the code's polarity and the code's size in modules.
fn corner_map<'a>(img: &'a GrayImage, loc: &Located) -> Option<(View<'a>, f64, Homography)> {
    let view = View {
        img,
        invert: loc.invert,
    };
    let s = loc.size as f64;
    let square = [(0.0, 0.0), (s, 0.0), (s, s), (0.0, s)];
    let pairs: Vec<(Pt, Pt)> = square.into_iter().zip(loc.corners).collect();
    Some((view, s, Homography::fit(&pairs)?))
}

/// [`read`] from the corners' module map `h0`.
fn read_mapped(
    img: &GrayImage,
    loc: &Located,
    view: View<'_>,
    s: f64,
    h0: &Homography,
) -> Option<String> {
    let finders = find_finders(view, h0, s)?;
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
    // The finders' affine map misplaces the timing patterns of a big code
    // under perspective by more than a module, so the nearest sizes to the
    // finders' spacing are tried too, and every size is judged again with
    // the map refitted through its alignment patterns.
    let mut sizes: Vec<(usize, Homography)> =
        candidates.iter().take(2).map(|c| (c.1, c.2)).collect();
    let mut near: Vec<&(f64, usize, Homography)> = candidates.iter().collect();
    near.sort_by(|a, b| {
        (a.1 as f64 - estimate)
            .abs()
            .total_cmp(&(b.1 as f64 - estimate).abs())
    });
    for c in near.into_iter().take(3) {
        if !sizes.iter().any(|s| s.0 == c.1) {
            sizes.push((c.1, c.2));
        }
    }
    let mut refitted: Vec<(f64, usize, Homography)> = sizes
        .into_iter()
        .map(|(size, a)| {
            let h = with_alignments(view, a, finders, size);
            (timing_score(view, &h, size), size, h)
        })
        .collect();
    refitted.sort_by(|a, b| b.0.total_cmp(&a.0));
    refitted
        .iter()
        .take(3)
        .find_map(|&(_, size, h)| decode(img, &h, size, loc.invert))
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
fn find_finders(view: View<'_>, h0: &Homography, s: f64) -> Option<[(Pt, f64); 3]> {
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

/// Refits the map through the code's alignment patterns. They are searched
/// nearest the finders first, each where the map fitted to those found so
/// far predicts it, so the far ones are found even under strong
/// perspective (as zxing-cpp does). The first map comes from the finders'
/// centres and their module pitches: a pitch that grows from one finder to
/// the next is perspective, which the centres alone cannot show (on a
/// dense code an affine map from them can miss the far corner by ten
/// modules).
fn with_alignments(
    view: View<'_>,
    h: Homography,
    finders: [(Pt, f64); 3],
    size: usize,
) -> Homography {
    let centres = finders.map(|f| f.0);
    let mut anchors: Vec<(Pt, Pt)> = finder_anchors(centres, size).to_vec();
    let positions = alignment_positions(size);
    let Some(&last) = positions.last() else {
        return h;
    };
    let pitched = pitch_anchors(finders, size);
    let mut h = Homography::fit(&pitched).unwrap_or(h);
    // Three of the corners are finder patterns.
    let finder_at = |a: u8, b: u8| (a == 6 || a == last) && (b == 6 || b == last);
    let mut todo: Vec<Pt> = positions
        .iter()
        .flat_map(|&y| positions.iter().map(move |&x| (x, y)))
        .filter(|&(x, y)| !finder_at(x, y) || (x == last && y == last))
        .map(|(x, y)| (f64::from(x) + 0.5, f64::from(y) + 0.5))
        .collect();
    todo.sort_by(|a, b| (a.0 + a.1).total_cmp(&(b.0 + b.1)));
    for c in todo {
        let (d, q) = search(view, &h, c, 1.0, &ALIGNMENT, 2.5, 0.25);
        // A best match at the edge of the search is a lookalike in the data.
        if q < 0.5 || d.0.abs().max(d.1.abs()) > 2.1 {
            continue;
        }
        let near = (c.0 + d.0, c.1 + d.1);
        let (d, _) = search(view, &h, near, 1.0, &ALIGNMENT, 0.3, 0.1);
        anchors.push((c, h.map((near.0 + d.0, near.1 + d.1))));
        // Until three alignment patterns pin the perspective down, the
        // pitches still count.
        let found = anchors.len() - 3;
        h = if found < 3 {
            refit(&mut anchors, &pitched[3..]).unwrap_or(h)
        } else {
            refit(&mut anchors, &[]).unwrap_or(h)
        };
    }
    h
}

/// The finder centres, and a point three modules from each towards the
/// neighbouring finders at that finder's own module pitch.
fn pitch_anchors(finders: [(Pt, f64); 3], size: usize) -> Vec<(Pt, Pt)> {
    let [(tl, k0), (tr, k1), (bl, k2)] = finders;
    let z = size as f64;
    let toward = |from: Pt, to: Pt, pixels: f64| {
        let d = dist(from, to).max(1e-9);
        (
            from.0 + (to.0 - from.0) * pixels / d,
            from.1 + (to.1 - from.1) * pixels / d,
        )
    };
    let mut out = finder_anchors([tl, tr, bl], size).to_vec();
    out.extend([
        ((6.5, 3.5), toward(tl, tr, 3.0 * k0)),
        ((3.5, 6.5), toward(tl, bl, 3.0 * k0)),
        ((z - 6.5, 3.5), toward(tr, tl, 3.0 * k1)),
        ((3.5, z - 6.5), toward(bl, tl, 3.0 * k2)),
    ]);
    out
}

/// The map through `anchors` (three finders first, then alignment
/// patterns) and `extra` points, dropping the alignment anchors that lie
/// more than 0.4 of a module from it, worst first.
fn refit(anchors: &mut Vec<(Pt, Pt)>, extra: &[(Pt, Pt)]) -> Option<Homography> {
    loop {
        let mut all = anchors.clone();
        all.extend_from_slice(extra);
        let fit = Homography::fit(&all)?;
        // The alignment anchor furthest from the fit, in modules.
        let worst = (3..anchors.len())
            .map(|i| {
                let (c, p) = anchors[i];
                let q = fit.map(c);
                (i, dist(p, q) / dist(q, fit.map((c.0 + 1.0, c.1))).max(1e-9))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match worst {
            Some((i, r)) if r > 0.4 || !r.is_finite() => {
                anchors.remove(i);
            }
            _ => return Some(fit),
        }
    }
}

/// How much row and column 6 look like timing patterns (alternating, dark
/// on even positions): correlation in [-1, 1].
fn timing_score(view: View<'_>, h: &Homography, size: usize) -> f64 {
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
fn score(view: View<'_>, h: &Homography, c: Pt, k: f64, pattern: &Pattern) -> f64 {
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
    view: View<'_>,
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
    use crate::encode::render;
    use crate::finder;
    use crate::tests::{URI, perspective};
    use proptest::prelude::*;

    /// A link the size and alphabet of a Google Authenticator export of ten
    /// accounts (base64 in the link), denser than the benchmark's: 125
    /// modules (version 27), 22 alignment patterns.
    fn dense_text() -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut x: u64 = 123_456;
        let data: String = (0..DENSE_DATA)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                char::from(ALPHABET[(x % 62) as usize])
            })
            .collect();
        format!("otpauth-migration://offline?data={data}")
    }
    const DENSE_DATA: usize = 1050;

    /// Locates `img`'s code from its finder patterns alone (a plain
    /// threshold; no rqrr) and reads it with the sampler.
    fn read_by_finders(img: &GrayImage) -> Option<String> {
        let (w, h) = (img.width() as usize, img.height() as usize);
        let dark: Vec<bool> = img.as_raw().iter().map(|&v| v < 128).collect();
        let found = finder::finders(&dark, w, h);
        finder::codes(&found, false, 3)
            .iter()
            .find_map(|loc| read(img, loc))
    }

    /// The code on a white frame a third of its side wide, the frame seen
    /// at an angle: its corners moved to `quad` (fractions of its side).
    fn tilted(code: &GrayImage, quad: [(f64, f64); 4]) -> GrayImage {
        let pad = code.width() / 3;
        let side = code.width() + 2 * pad;
        let mut frame = GrayImage::from_pixel(side, side, image::Luma([255]));
        image::imageops::overlay(&mut frame, code, i64::from(pad), i64::from(pad));
        perspective(&frame, quad)
    }

    #[test]
    fn reads_a_dense_code_under_strong_perspective() {
        // bench/qr_sweep.py's perspective cases of 25 % and 40 % (the top
        // edge shortened, a slight turn), which plain rqrr does not even
        // locate: the far corner is about ten modules from where the
        // finders' affine map puts it, and the alignment patterns must
        // carry the perspective there.
        let text = dense_text();
        let code = render(&text, 4).unwrap();
        assert_eq!(code.width(), (125 + 8) * 4, "version 27, quiet zone");
        for t in [0.25, 0.4] {
            let quad = [
                (t / 2.0, 0.2 * t),
                (1.0 - 0.3 * t, 0.0),
                (1.0, 1.0),
                (0.0, 1.0 - 0.1 * t),
            ];
            let img = tilted(&code, quad);
            assert_eq!(read_by_finders(&img).as_deref(), Some(text.as_str()), "{t}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(12))]

        /// Any perspective within bounds (each corner of the frame moved
        /// inwards by up to 15 % of its side) on a dense code reads back
        /// exactly.
        #[test]
        fn random_perspective_reads_back(
            moves in proptest::collection::vec(0.0f64..0.15, 8),
        ) {
            let text = dense_text();
            let code = render(&text, 4).unwrap();
            let base = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)];
            let quad: [(f64, f64); 4] = std::array::from_fn(|i| {
                let (x, y) = base[i];
                let inward = |c: f64, m: f64| if c == 0.0 { m } else { 1.0 - m };
                (inward(x, moves[2 * i]), inward(y, moves[2 * i + 1]))
            });
            let img = tilted(&code, quad);
            prop_assert_eq!(read_by_finders(&img), Some(text), "{:?}", quad);
        }
    }

    #[test]
    fn degenerate_locations_read_nothing_and_never_panic() {
        let img = render(URI, 4).unwrap();
        let bad = [
            [(f64::NAN, 0.0), (10.0, 0.0), (10.0, 10.0), (0.0, 10.0)],
            [(f64::INFINITY, f64::NEG_INFINITY); 4],
            [(5.0, 5.0); 4],
            [(0.0, 0.0), (1e300, 0.0), (1e300, 1e300), (0.0, 1e300)],
            [(0.0, 0.0), (1e-300, 0.0), (1e-300, 1e-300), (0.0, 1e-300)],
            [(0.0, 0.0), (50.0, 50.0), (100.0, 100.0), (150.0, 150.0)],
            [(-1e12, -1e12), (1e12, -1e12), (1e12, 1e12), (-1e12, 1e12)],
        ];
        for corners in bad {
            for size in [0, 21, 113, 177, usize::MAX] {
                let loc = Located {
                    corners,
                    size,
                    invert: false,
                };
                assert_eq!(read(&img, &loc), None, "{corners:?} {size}");
            }
        }
        // The sampler's pixel reads: anything off the image is white.
        for p in [
            (f64::NAN, 1.0),
            (1e300, 1e300),
            (-1e300, 3.0),
            (f64::INFINITY, 0.0),
        ] {
            assert_eq!(bilinear(&img, p), 255.0);
        }
        // Alignment fitting from finders with absurd pitches and places.
        let view = View {
            img: &img,
            invert: false,
        };
        let h = finder_map([(0.0, 0.0), (100.0, 0.0), (0.0, 100.0)], 113).unwrap();
        for finders in [
            [
                ((0.0, 0.0), f64::NAN),
                ((1e300, 0.0), 0.0),
                ((0.0, -1e300), f64::INFINITY),
            ],
            [((3.0, 3.0), 0.0); 3],
        ] {
            let _ = with_alignments(view, h, finders, 113);
        }
    }

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
