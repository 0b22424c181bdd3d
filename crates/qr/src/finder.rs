//! Locating codes ourselves where rqrr locates nothing: finder patterns
//! found by their 1:1:3:1:1 run lengths along rows, confirmed by a
//! vertical and a second horizontal scan through their centre (as ZXing
//! does), then grouped in threes into codes for `sample` to read.
//!
//! rqrr finds finder patterns by flood-filling connected regions, and gives
//! up on a code when it cannot also find its bottom-right alignment pattern
//! the same way. On dense codes with 3–4 px modules under perspective, blur
//! or JPEG the separator rings touch the data and the regions merge: rqrr
//! then locates nothing, while the run lengths through each finder's centre
//! still show its shape.

use super::geometry::{Homography, Located, Pt, dist};

/// A finder pattern candidate, in bitmap pixel coordinates.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Finder {
    pub centre: Pt,
    /// Module size in pixels.
    pub module: f64,
    /// How many row scans confirmed it.
    pub hits: u32,
}

/// More candidates than this: the bitmap is noise, not a picture of codes.
const MAX_CANDIDATES: usize = 4000;
/// How many of the best candidates are grouped into codes.
const GROUPED: usize = 14;

/// Finder pattern candidates in a bitmap (`dark[y * w + x]`), the most
/// often confirmed first. Only candidates seen on more than one row count.
pub(crate) fn finders(dark: &[bool], w: usize, h: usize) -> Vec<Finder> {
    if w < 7 || h < 7 || dark.len() < w * h {
        return Vec::new();
    }
    let mut found: Vec<Finder> = Vec::new();
    let mut runs: Vec<(usize, usize)> = Vec::with_capacity(w);
    // Every other row on big bitmaps (as ZXing skips rows): a finder's
    // centre still spans several, and the scan's cost halves.
    let step = if h > 1200 { 2 } else { 1 };
    for y in (0..h).step_by(step) {
        let row = &dark[y * w..(y + 1) * w];
        // Runs of alternating colour: (start, length); dark runs at even
        // positions when the row starts dark.
        runs.clear();
        let mut start = 0;
        for x in 1..=w {
            if x == w || row[x] != row[start] {
                runs.push((start, x - start));
                start = x;
            }
        }
        let first_dark = usize::from(!row[0]);
        for i in (first_dark..runs.len().saturating_sub(4)).step_by(2) {
            let counts = [0, 1, 2, 3, 4].map(|k| runs[i + k].1);
            if !finder_ratios(counts) {
                continue;
            }
            let (s, len) = runs[i + 2];
            let cx = s as f64 + len as f64 / 2.0;
            let total: usize = counts.iter().sum();
            if let Some(f) = confirm(dark, w, h, cx, y, total) {
                add(&mut found, f);
                if found.len() > MAX_CANDIDATES {
                    return Vec::new();
                }
            }
        }
    }
    found.retain(|f| f.hits >= 2);
    found.sort_by_key(|f| std::cmp::Reverse(f.hits));
    found
}

/// Run lengths in the proportions 1:1:3:1:1, each within half a module.
fn finder_ratios(c: [usize; 5]) -> bool {
    let total: usize = c.iter().sum();
    if total < 7 {
        return false;
    }
    let m = total as f64 / 7.0;
    let tol = m / 2.0;
    let near = |v: usize, k: f64| (v as f64 - k * m).abs() < k * tol;
    near(c[0], 1.0) && near(c[1], 1.0) && near(c[2], 3.0) && near(c[3], 1.0) && near(c[4], 1.0)
}

/// Run lengths through (x, y) along (dx, dy), both ways: the centre run and
/// two runs on either side, and where the centre run's middle is (as the
/// offset along the direction from (x, y)). None unless all five runs end
/// inside the image and none is longer than `max`.
fn cross(
    dark: &[bool],
    (w, h): (usize, usize),
    (x, y): (usize, usize),
    (dx, dy): (isize, isize),
    max: usize,
) -> Option<([usize; 5], f64)> {
    let at = |k: isize| -> Option<bool> {
        let px = x.checked_add_signed(dx * k)?;
        let py = y.checked_add_signed(dy * k)?;
        (px < w && py < h).then(|| dark[py * w + px])
    };
    if at(0) != Some(true) {
        return None;
    }
    // Walks from the centre one way: the centre run's extent that way, then
    // the lengths of the light ring and the dark ring beyond it.
    let walk = |sign: isize| -> Option<(usize, usize, usize)> {
        let mut k = 0isize;
        let mut lens = [0usize; 3];
        for (part, want) in [(0, true), (1, false), (2, true)] {
            while at(sign * k) == Some(want) {
                lens[part] += 1;
                if lens[part] > max {
                    return None;
                }
                k += 1;
            }
            // The outer dark ring may end at the image's edge; the others
            // must end in the image.
            if at(sign * k).is_none() && part < 2 || lens[part] == 0 {
                return None;
            }
        }
        Some((lens[0], lens[1], lens[2]))
    };
    let (c_fwd, l_fwd, d_fwd) = walk(1)?;
    let (c_back, l_back, d_back) = walk(-1)?;
    let centre = c_fwd + c_back - 1;
    let counts = [d_back, l_back, centre, l_fwd, d_fwd];
    // The centre run covers offsets -(c_back - 1) ..= c_fwd - 1.
    let mid = (c_fwd as f64 - c_back as f64) / 2.0;
    Some((counts, mid))
}

/// The vertical scan through a row hit's centre, then the horizontal one
/// through the vertical centre: a finder, or None.
fn confirm(dark: &[bool], w: usize, h: usize, cx: f64, y: usize, total: usize) -> Option<Finder> {
    let x = cx as usize;
    let max = total * 2;
    let (vc, vmid) = cross(dark, (w, h), (x, y), (0, 1), max)?;
    let vtotal: usize = vc.iter().sum();
    if !finder_ratios(vc) || !similar(vtotal as f64, total as f64, 2.0) {
        return None;
    }
    let cy = y as f64 + 0.5 + vmid;
    let (hc, hmid) = cross(dark, (w, h), (x, cy as usize), (1, 0), max)?;
    let htotal: usize = hc.iter().sum();
    if !finder_ratios(hc) {
        return None;
    }
    let cx = x as f64 + 0.5 + hmid;
    Some(Finder {
        centre: (cx, cy),
        module: (htotal + vtotal) as f64 / 14.0,
        hits: 1,
    })
}

fn similar(a: f64, b: f64, factor: f64) -> bool {
    a > 0.0 && b > 0.0 && a.max(b) <= factor * a.min(b)
}

/// Merges `f` into a candidate at the same place and scale, or adds it.
/// Rows are scanned top down, so candidates are in about the order of
/// their centres' y: the search stops where they are far above `f`.
fn add(found: &mut Vec<Finder>, f: Finder) {
    for g in found.iter_mut().rev() {
        if g.centre.1 < f.centre.1 - 20.0 * f.module {
            break;
        }
        let m = g.module.max(f.module);
        if (g.centre.0 - f.centre.0).abs() <= m
            && (g.centre.1 - f.centre.1).abs() <= m
            && similar(g.module, f.module, 1.5)
        {
            let n = f64::from(g.hits);
            let mix = |a: f64, b: f64| (a * n + b) / (n + 1.0);
            g.centre = (mix(g.centre.0, f.centre.0), mix(g.centre.1, f.centre.1));
            g.module = mix(g.module, f.module);
            g.hits += 1;
            return;
        }
    }
    found.push(f);
}

/// Codes that three of the finders could be the corners of, most
/// plausible first, at most `limit`; corners in bitmap coordinates.
pub(crate) fn codes(finders: &[Finder], invert: bool, limit: usize) -> Vec<Located> {
    let f = &finders[..finders.len().min(GROUPED)];
    let mut out: Vec<(f64, Located)> = Vec::new();
    for i in 0..f.len() {
        for j in i + 1..f.len() {
            for k in j + 1..f.len() {
                if let Some(c) = group([f[i], f[j], f[k]], invert) {
                    out.push(c);
                }
            }
        }
    }
    out.sort_by(|a, b| a.0.total_cmp(&b.0));
    out.into_iter().take(limit).map(|c| c.1).collect()
}

/// How many finders a census groups: a page of 20 codes shows 60.
const CENSUS: usize = 96;
/// Groups worse than this are not counted as codes in a census: a square
/// code in up to about 40 % perspective scores below it, three finder
/// lookalikes seen on a row or two each do not.
pub(crate) const PLAUSIBLE: f64 = 1.0;

/// Every group of three of the `finders` (the most confirmed first) that
/// could be a code, best first, each with the indices of its finders.
/// Only finders within a code's reach of each other are grouped, so a page
/// of many codes costs about as much per code as a page of one.
pub(crate) fn census(finders: &[Finder], invert: bool) -> Vec<(f64, Located, [usize; 3])> {
    let f = &finders[..finders.len().min(CENSUS)];
    // The widest code (177 modules) spans 170 modules between finder
    // centres, diagonally 241.
    let reach = |a: &Finder, b: &Finder| dist(a.centre, b.centre) <= 245.0 * a.module.max(b.module);
    let mut out = Vec::new();
    for i in 0..f.len() {
        for j in i + 1..f.len() {
            if !reach(&f[i], &f[j]) || !similar(f[i].module, f[j].module, 2.0) {
                continue;
            }
            for k in j + 1..f.len() {
                if !reach(&f[i], &f[k]) || !reach(&f[j], &f[k]) {
                    continue;
                }
                if let Some((bad, at)) = group([f[i], f[j], f[k]], invert) {
                    // A code holds no other finder pattern as often seen
                    // as its own (its data may make a lookalike seen on a
                    // few rows); three corners of neighbouring codes on a
                    // page hold several.
                    let hits = f[i].hits.min(f[j].hits).min(f[k].hits);
                    let inside = (0..f.len())
                        .filter(|&m| {
                            m != i
                                && m != j
                                && m != k
                                && 3 * f[m].hits >= 2 * hits
                                && similar(f[m].module, f[i].module, 1.25)
                                && at.contains(f[m].centre, 0.0)
                        })
                        .count();
                    // A census counts codes: a skewed triangle of three
                    // lookalikes weighs more here than for a guess.
                    let [a, b, _, d] = at.corners;
                    let (ab, ad) = ((b.0 - a.0, b.1 - a.1), (d.0 - a.0, d.1 - a.1));
                    let cos = (ab.0 * ad.0 + ab.1 * ad.1) / (dist(a, b) * dist(a, d));
                    let skew = if cos.is_finite() { cos.abs() } else { 1.0 };
                    out.push((bad + skew + inside as f64, at, [i, j, k]));
                }
            }
        }
    }
    // Equally good groups: the bigger first. Between the codes of a page,
    // a corner of three neighbours' finders makes a square as good as a
    // code's own, of the smallest size.
    let key = |g: &(f64, Located, [usize; 3])| ((g.0 * 20.0).round(), -g.1.extent());
    out.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        ka.0.total_cmp(&kb.0).then(ka.1.total_cmp(&kb.1))
    });
    out
}

/// The plausible groups of a [`census`] that share no finder, best first:
/// roughly the codes a bitmap shows.
pub(crate) fn disjoint(groups: &[(f64, Located, [usize; 3])]) -> Vec<Located> {
    let mut used: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    for (bad, at, three) in groups {
        if *bad > PLAUSIBLE {
            break;
        }
        if three.iter().any(|i| used.contains(i)) {
            continue;
        }
        used.extend_from_slice(three);
        out.push(*at);
    }
    out
}

/// Three finders as the top-left, top-right and bottom-left corners of a
/// code: a badness score (0 for a perfect square) and the code, or None
/// when they cannot be one.
fn group(three: [Finder; 3], invert: bool) -> Option<(f64, Located)> {
    let modules = three.map(|f| f.module);
    let (lo, hi) = (
        modules.iter().copied().fold(f64::MAX, f64::min),
        modules.iter().copied().fold(f64::MIN, f64::max),
    );
    if !similar(lo, hi, 2.0) {
        return None;
    }
    // The top-left one is opposite the longest side.
    let side = |a: usize, b: usize| dist(three[a].centre, three[b].centre);
    let opposite = [side(1, 2), side(0, 2), side(0, 1)];
    let tl = (0..3).max_by(|&a, &b| opposite[a].total_cmp(&opposite[b]))?;
    let (mut tr, mut bl) = ((tl + 1) % 3, (tl + 2) % 3);
    let (a, b, c) = (three[tl].centre, three[tr].centre, three[bl].centre);
    let (ab, ac) = ((b.0 - a.0, b.1 - a.1), (c.0 - a.0, c.1 - a.1));
    let cross = ab.0 * ac.1 - ab.1 * ac.0;
    // Clockwise in image coordinates (y down): top-right, then bottom-left.
    if cross < 0.0 {
        std::mem::swap(&mut tr, &mut bl);
    }
    let (dab, dac) = (side(tl, tr), side(tl, bl));
    if !similar(dab, dac, 2.0) {
        return None;
    }
    let cos = (ab.0 * ac.0 + ab.1 * ac.1) / (dab * dac);
    if !cos.is_finite() || cos.abs() > 0.6 {
        return None;
    }
    let pitch = (modules[tl] * 2.0 + modules[tr] + modules[bl]) / 4.0;
    let across = (dab + dac) / 2.0 / pitch + 7.0;
    if !(17.0..=185.0).contains(&across) {
        return None;
    }
    // The nearest size a code comes in (21, 25, … 177 modules).
    let size = ((across - 21.0) / 4.0).round().clamp(0.0, 39.0) as usize * 4 + 21;
    let z = size as f64;
    let map = Homography::fit(&[
        ((3.5, 3.5), three[tl].centre),
        ((z - 3.5, 3.5), three[tr].centre),
        ((3.5, z - 3.5), three[bl].centre),
    ])?;
    let corners = [(0.0, 0.0), (z, 0.0), (z, z), (0.0, z)].map(|p| map.map(p));
    if !corners.iter().all(|p| p.0.is_finite() && p.1.is_finite()) {
        return None;
    }
    // Real finders are confirmed on about three modules' worth of rows;
    // lookalikes in the data on a few.
    let hits = three.iter().map(|f| f.hits).min().unwrap_or(1).max(1);
    let badness =
        (dab - dac).abs() / dab.max(dac) + cos.abs() + (hi - lo) / hi + 2.0 / f64::from(hits);
    Some((
        badness,
        Located {
            corners,
            size,
            invert,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::render;
    use crate::tests::URI;

    fn bitmap(img: &image::GrayImage) -> Vec<bool> {
        img.as_raw().iter().map(|&v| v < 128).collect()
    }

    #[test]
    fn finds_the_three_finders_of_a_clean_code() {
        let img = render(URI, 4).unwrap();
        let (w, h) = (img.width() as usize, img.height() as usize);
        let found = finders(&bitmap(&img), w, h);
        let size = w / 4 - 8;
        let at = |m: f64| 16.0 + 4.0 * m;
        let want = [
            (at(3.5), at(3.5)),
            (at(size as f64 - 3.5), at(3.5)),
            (at(3.5), at(size as f64 - 3.5)),
        ];
        for p in want {
            assert!(
                found[..3]
                    .iter()
                    .any(|f| dist(f.centre, p) < 1.0 && (f.module - 4.0).abs() < 0.5),
                "{p:?} not in {found:?}"
            );
        }
        let located = codes(&found, false, 3);
        let first = located.first().expect("a code");
        assert_eq!(first.size, size);
        assert!(dist(first.corners[0], (16.0, 16.0)) < 2.0, "{first:?}");
    }

    #[test]
    fn hostile_bitmaps_give_nothing_or_bounded_work() {
        // Empty, tiny, short buffers, all dark, a checkerboard, and a bitmap
        // full of finder-like rows: no panic, bounded output.
        assert!(finders(&[], 0, 0).is_empty());
        assert!(finders(&[true; 10], 100, 100).is_empty());
        assert!(finders(&[true; 64 * 64], 64, 64).is_empty());
        let checker: Vec<bool> = (0..200 * 200)
            .map(|i| (i / 200 + i % 200) % 2 == 0)
            .collect();
        assert!(finders(&checker, 200, 200).is_empty());
        // Tiled finder patterns: many candidates, few groups tried.
        let tile = render(URI, 1).unwrap();
        let (tw, th) = (tile.width() as usize, tile.height() as usize);
        let (w, h) = (tw * 8, th * 8);
        let many: Vec<bool> = (0..w * h)
            .map(|i| tile.as_raw()[(i / w % th) * tw + i % w % tw] < 128)
            .collect();
        let found = finders(&many, w, h);
        assert!(codes(&found, false, 4).len() <= 4);
        // Degenerate groups: three finders on a line or on one spot.
        let f = |x: f64, y: f64| Finder {
            centre: (x, y),
            module: 4.0,
            hits: 5,
        };
        assert!(codes(&[f(0.0, 0.0), f(50.0, 0.0), f(100.0, 0.0)], false, 4).is_empty());
        assert!(codes(&[f(9.0, 9.0), f(9.0, 9.0), f(9.0, 9.0)], false, 4).is_empty());
        let huge = |x: f64, y: f64| Finder {
            centre: (x, y),
            module: 1e300,
            hits: 5,
        };
        let _ = codes(
            &[huge(0.0, 0.0), huge(1e308, 0.0), huge(0.0, f64::MAX)],
            false,
            4,
        );
        let nan = Finder {
            centre: (f64::NAN, 1.0),
            module: f64::NAN,
            hits: 3,
        };
        assert!(codes(&[nan, f(0.0, 0.0), f(0.0, 100.0)], false, 4).is_empty());
    }
}
