//! Where a code is: plane projective maps (homographies) from QR module
//! coordinates to image pixels, fitted to any number of point pairs, and the
//! detector's rough location of a code.

pub(crate) type Pt = (f64, f64);

pub(crate) fn dist(a: Pt, b: Pt) -> f64 {
    ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
}

/// A code as located by the detector, in the coordinates of the image the
/// sampler reads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Located {
    /// Outer corners: top-left, top-right, bottom-right, bottom-left.
    pub corners: [Pt; 4],
    /// Modules per side as the detector measured it (may be off by 4).
    pub size: usize,
    /// Light modules on a dark background.
    pub invert: bool,
}

impl Located {
    pub fn centre(&self) -> Pt {
        let (x, y) = self
            .corners
            .iter()
            .fold((0.0, 0.0), |a, p| (a.0 + p.0, a.1 + p.1));
        (x / 4.0, y / 4.0)
    }

    pub fn extent(&self) -> f64 {
        let [a, _, c, _] = self.corners;
        dist(a, c)
    }

    /// The same code seen in an image `factor` times smaller.
    pub fn scaled(&self, factor: f64) -> Located {
        Located {
            corners: self.corners.map(|(x, y)| (x * factor, y * factor)),
            ..*self
        }
    }

    /// The same code seen in an image whose origin is at `origin`.
    pub fn moved(&self, origin: Pt) -> Located {
        Located {
            corners: self.corners.map(|(x, y)| (x + origin.0, y + origin.1)),
            ..*self
        }
    }

    /// Roughly the same place and size: the same code found twice.
    pub fn same_place(&self, other: &Located) -> bool {
        dist(self.centre(), other.centre()) < self.extent().min(other.extent()) / 4.0
    }

    /// Whether `p` lies inside the code, or within `margin` modules of it.
    pub fn contains(&self, p: Pt, margin: f64) -> bool {
        let c = self.centre();
        let grow = 1.0 + 2.0 * margin / self.size.max(1) as f64;
        let q = self
            .corners
            .map(|k| (c.0 + (k.0 - c.0) * grow, c.1 + (k.1 - c.1) * grow));
        let side = |a: Pt, b: Pt| (b.0 - a.0) * (p.1 - a.1) - (b.1 - a.1) * (p.0 - a.0);
        let s = [0, 1, 2, 3].map(|i| side(q[i], q[(i + 1) % 4]));
        s.iter().all(|&v| v >= 0.0) || s.iter().all(|&v| v <= 0.0)
    }

    /// Every corner within a twentieth of the size: the same guess again.
    pub fn same_corners(&self, other: &Located) -> bool {
        let tol = self.extent().min(other.extent()) / 20.0;
        self.size == other.size
            && self.invert == other.invert
            && self
                .corners
                .iter()
                .zip(&other.corners)
                .all(|(a, b)| dist(*a, *b) < tol)
    }
}

/// `(x, y) -> ((a x + b y + c) / (g x + h y + 1), (d x + e y + f) / (g x + h y + 1))`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Homography([f64; 8]);

impl Homography {
    pub fn map(&self, (x, y): Pt) -> Pt {
        let [a, b, c, d, e, f, g, h] = self.0;
        let w = g * x + h * y + 1.0;
        ((a * x + b * y + c) / w, (d * x + e * y + f) / w)
    }

    /// Least-squares fit mapping each `from` point to its `to` point: exact
    /// for four pairs, an affine map for three, `None` for fewer or for
    /// degenerate layouts.
    pub fn fit(pairs: &[(Pt, Pt)]) -> Option<Self> {
        if pairs.len() < 3 {
            return None;
        }
        let unknowns = if pairs.len() == 3 { 6 } else { 8 };
        // Normalise both point sets so the equations are well conditioned.
        let (nf, nt) = (
            Norm::of(pairs.iter().map(|p| p.0)),
            Norm::of(pairs.iter().map(|p| p.1)),
        );
        let mut ata = [[0f64; 9]; 8];
        for &(f, t) in pairs {
            let ((x, y), (u, v)) = (nf.apply(f), nt.apply(t));
            for row in [
                [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u],
                [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v],
            ] {
                for i in 0..unknowns {
                    for j in 0..unknowns {
                        ata[i][j] += row[i] * row[j];
                    }
                    ata[i][8] += row[i] * row[8];
                }
            }
        }
        let sol = solve(&mut ata, unknowns)?;
        let mut h = [0.0; 8];
        h[..unknowns].copy_from_slice(&sol[..unknowns]);
        Some(Homography(h).denormalise(&nf, &nt))
    }

    /// Undoes the normalisations: result = T⁻¹ · H · F.
    fn denormalise(self, f: &Norm, t: &Norm) -> Self {
        let [a, b, c, d, e, ff, g, h] = self.0;
        let m = [[a, b, c], [d, e, ff], [g, h, 1.0]];
        let fm = [
            [f.s, 0.0, -f.s * f.cx],
            [0.0, f.s, -f.s * f.cy],
            [0.0, 0.0, 1.0],
        ];
        let ti = [
            [1.0 / t.s, 0.0, t.cx],
            [0.0, 1.0 / t.s, t.cy],
            [0.0, 0.0, 1.0],
        ];
        let r = mul(&ti, &mul(&m, &fm));
        let k = r[2][2];
        Homography([
            r[0][0] / k,
            r[0][1] / k,
            r[0][2] / k,
            r[1][0] / k,
            r[1][1] / k,
            r[1][2] / k,
            r[2][0] / k,
            r[2][1] / k,
        ])
    }
}

/// Centre on the mean and scale to a mean distance of √2.
struct Norm {
    cx: f64,
    cy: f64,
    s: f64,
}

impl Norm {
    fn of(points: impl Iterator<Item = Pt> + Clone) -> Self {
        let n = points.clone().count().max(1) as f64;
        let (cx, cy) = points
            .clone()
            .fold((0.0, 0.0), |a, p| (a.0 + p.0 / n, a.1 + p.1 / n));
        let d = points
            .map(|p| ((p.0 - cx).powi(2) + (p.1 - cy).powi(2)).sqrt())
            .sum::<f64>()
            / n;
        Norm {
            cx,
            cy,
            s: if d > 1e-9 {
                std::f64::consts::SQRT_2 / d
            } else {
                1.0
            },
        }
    }

    fn apply(&self, p: Pt) -> Pt {
        ((p.0 - self.cx) * self.s, (p.1 - self.cy) * self.s)
    }
}

fn mul(a: &[[f64; 3]; 3], b: &[[f64; 3]; 3]) -> [[f64; 3]; 3] {
    let mut r = [[0.0; 3]; 3];
    for (i, row) in r.iter_mut().enumerate() {
        for (j, cell) in row.iter_mut().enumerate() {
            *cell = (0..3).map(|k| a[i][k] * b[k][j]).sum();
        }
    }
    r
}

/// Gaussian elimination with partial pivoting on the first `n` unknowns of
/// an augmented matrix (column 8 is the right-hand side).
fn solve(m: &mut [[f64; 9]; 8], n: usize) -> Option<[f64; 8]> {
    for col in 0..n {
        let pivot = (col..n).max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))?;
        if m[pivot][col].abs() < 1e-12 {
            return None;
        }
        m.swap(col, pivot);
        let pivot_row = m[col];
        for (r, row) in m.iter_mut().enumerate().take(n) {
            if r != col {
                let k = row[col] / pivot_row[col];
                for (v, p) in row.iter_mut().zip(pivot_row).skip(col) {
                    *v -= k * p;
                }
            }
        }
    }
    let mut x = [0.0; 8];
    for i in 0..n {
        x[i] = m[i][8] / m[i][i];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_a_perspective_exactly() {
        let truth = Homography([1.2, 0.1, 30.0, -0.05, 0.9, 12.0, 0.001, 0.0005]);
        let pts: Vec<(Pt, Pt)> = [
            (0.0, 0.0),
            (40.0, 0.0),
            (40.0, 40.0),
            (0.0, 40.0),
            (20.0, 7.0),
            (3.0, 33.0),
        ]
        .iter()
        .map(|&p| (p, truth.map(p)))
        .collect();
        for n in [4, 6] {
            let h = Homography::fit(&pts[..n]).unwrap();
            let (a, b) = (h.map((17.0, 23.0)), truth.map((17.0, 23.0)));
            assert!(
                (a.0 - b.0).abs() < 1e-6 && (a.1 - b.1).abs() < 1e-6,
                "{n}: {a:?} {b:?}"
            );
        }
        // Three points give an affine map; collinear ones give nothing.
        assert!(Homography::fit(&pts[..3]).is_some());
        let line: Vec<(Pt, Pt)> = (0..5)
            .map(|i| ((f64::from(i), f64::from(i)), (0.0, 0.0)))
            .collect();
        assert!(Homography::fit(&line).is_none());
    }
}
