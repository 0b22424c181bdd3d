//! Finding OTP links in an image: decoding the file, then a pipeline of
//! detector runs, cheapest first, that stops as soon as every code it has
//! located is read and an OTP link is among them.
//!
//! Big photos are searched at about 1000 px first (shrunk with an area
//! average, which also removes sensor noise: rqrr on a noisy 12 MP image can
//! take minutes), then 2000 px, then at full size in 1024 px tiles. Images of
//! up to 1200 px are searched as they are, then enlarged 2× for codes with
//! one- or two-pixel modules (and 3× when a code was located but not read).
//! Each stage tries several thresholdings (`binarize`) in both polarities;
//! codes already read are painted over so the next run can find the others
//! (an export screenshot often holds two); codes rqrr locates but cannot
//! read go to our own reader (`sample`), and where rqrr finds nothing, so
//! do codes grouped from finder patterns we find ourselves (`finder`).
//!
//! Everything is deterministic: the work is bounded by the stage plan, not
//! by a clock, so results do not depend on the machine's load.

use image::GrayImage;
use image::imageops;

use super::QrError;
use super::binarize::{Method, detect, local_mean_both, noise_sigma};
use super::finder::{self, Finder};
use super::geometry::{Located, Pt};
use super::picture::{enlarge, load, paint_white, shrink};
use super::sample;

/// What an image held: its OTP links, and how many more codes it seems to
/// show that could not be read (groups of three finder patterns outside
/// every code read). Never silent: a caller imports the links and says
/// that `unread` codes were left behind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Decoded {
    /// Every distinct OTP link, in the order found.
    pub links: Vec<String>,
    /// Codes read, OTP links or not.
    pub read: usize,
    /// Codes seen but not read.
    pub unread: usize,
}

impl Decoded {
    /// "the picture seems to hold about 6 codes; 3 were read", or None
    /// when every code seen was read.
    pub fn unread_note(&self) -> Option<String> {
        (self.unread > 0).then(|| {
            format!(
                "the picture seems to hold about {} codes; {} {} read",
                self.read + self.unread,
                self.read,
                if self.read == 1 { "was" } else { "were" }
            )
        })
    }
}

/// One code of a payload split over several codes (a Google Authenticator
/// export of many accounts): its batch, its place in the batch, and how
/// many codes the batch has. While a batch seen in an image is missing
/// parts, the search goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Part {
    pub batch: i32,
    pub index: i32,
    pub size: i32,
}

/// Tells a payload that is one [`Part`] of several from a whole one (None).
/// otp passes its Google Authenticator export parser (src/qr.rs); a
/// caller that has none passes `|_| None`.
pub type PartOf = fn(&str) -> Option<Part>;

/// Every distinct `otpauth://` and `otpauth-migration://` payload found in
/// the image (PNG, JPEG, WebP, GIF or BMP), in the order found.
pub fn decode_image(bytes: &[u8], part_of: PartOf) -> Result<Vec<String>, QrError> {
    decode_image_traced(bytes, part_of, &mut |_| {})
}

/// [`decode_image`], telling `trace` which stage ran and what it found (for
/// `--verbose` output and benchmarks). Trace lines never contain payloads.
pub fn decode_image_traced(
    bytes: &[u8],
    part_of: PartOf,
    trace: &mut dyn FnMut(&str),
) -> Result<Vec<String>, QrError> {
    decode_image_all(bytes, part_of, trace).map(|d| d.links)
}

/// [`decode_image_traced`], also saying how many codes were seen but not
/// read ([`Decoded`]).
pub fn decode_image_all(
    bytes: &[u8],
    part_of: PartOf,
    trace: &mut dyn FnMut(&str),
) -> Result<Decoded, QrError> {
    let img = load(bytes)?;
    decode_luma_traced(&img, false, part_of, trace)
}

/// Every OTP link in pixels already in memory (a screen capture,
/// greyscale). Unlike [`decode_image`], which stops once it has an OTP
/// link (and every part of an export it has seen), this searches again,
/// with the codes read painted over, until a whole search finds nothing
/// new: a screen may show several unrelated codes.
pub fn decode_luma(img: &GrayImage, part_of: PartOf) -> Result<Vec<String>, QrError> {
    decode_luma_all(img, part_of).map(|d| d.links)
}

/// [`decode_luma`], also saying how many codes were seen but not read.
pub fn decode_luma_all(img: &GrayImage, part_of: PartOf) -> Result<Decoded, QrError> {
    decode_luma_traced(img, true, part_of, &mut |_| {})
}

fn decode_luma_traced(
    img: &GrayImage,
    every: bool,
    part_of: PartOf,
    trace: &mut dyn FnMut(&str),
) -> Result<Decoded, QrError> {
    trace(&format!("image {}x{}", img.width(), img.height()));
    let mut scan = Scan {
        original: img,
        part_of,
        round_start: 0,
        texts: Vec::new(),
        seen: Vec::new(),
        read: Vec::new(),
        unresolved: Vec::new(),
        guessed: Vec::new(),
        guessing: true,
        census: None,
        unread: None,
        trace,
    };
    loop {
        scan.round_start = scan.texts.len();
        scan.run();
        if !every || scan.texts.len() == scan.round_start {
            break;
        }
        (scan.trace)("searching again for other codes");
    }
    let unread = if scan.texts.is_empty() {
        0
    } else {
        scan.census()
    };
    (scan.trace)(&format!(
        "{} code(s) read, {unread} seen but not read",
        scan.read.len()
    ));
    let otp: Vec<String> = scan.texts.iter().filter(|t| is_otp(t)).cloned().collect();
    match (otp.is_empty(), scan.texts.is_empty()) {
        (false, _) => Ok(Decoded {
            links: otp,
            read: scan.read.len(),
            unread,
        }),
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

#[derive(Clone, Copy, PartialEq)]
enum Pass {
    /// Every thresholding, both polarities.
    Thorough,
    /// An enlarged copy: as thorough, but without rqrr's own threshold on
    /// the inverted image. On noisy images that bitmap is one huge dark
    /// region with thousands of holes, and rqrr's region cache thrashes on
    /// it (seconds per run at ×2); the other thresholdings read the small
    /// inverted codes ×2 is for.
    Enlarged,
    /// The three best thresholdings, dark on light.
    Quick,
}

struct Scan<'t> {
    original: &'t GrayImage,
    /// Which payloads are one part of several ([`PartOf`]).
    part_of: PartOf,
    /// Payloads found before this search round (see [`decode_luma`]).
    round_start: usize,
    texts: Vec<String>,
    /// Codes already read or handed to the sampler, in original coordinates.
    seen: Vec<Located>,
    /// Codes read, in original coordinates.
    read: Vec<Located>,
    /// Codes located but not read (yet).
    unresolved: Vec<Located>,
    /// Finder-pattern groups already handed to the sampler.
    guessed: Vec<Located>,
    /// Whether detector runs also group finder patterns themselves.
    guessing: bool,
    /// The census's finder patterns (light on dark or not, at each scale),
    /// in original coordinates: found once per image.
    census: Option<Vec<(bool, Vec<Finder>)>>,
    /// The last census: codes read then, and the codes seen but not read.
    unread: Option<(usize, Vec<Located>)>,
    trace: &'t mut dyn FnMut(&str),
}

/// The census looks at the image at up to this size.
const CENSUS_SIDE: u32 = 2000;
/// At most this many finder groups of a census go to the sampler.
const CENSUS_TRIES: usize = 64;

impl Scan<'_> {
    /// An OTP payload was found (in this round) and no multi-code export
    /// is known to be missing a part that may still be elsewhere in the
    /// image.
    fn complete(&mut self) -> bool {
        self.otp_complete() && self.census() == 0
    }

    /// [`Self::complete`] but for the codes seen and not read.
    fn otp_complete(&self) -> bool {
        let any = self.texts[self.round_start..].iter().any(|t| is_otp(t));
        let mut parts: Vec<(i32, i32, i32)> = Vec::new();
        for t in self.texts.iter().filter(|t| is_otp(t)) {
            if let Some(p) = (self.part_of)(t) {
                parts.push((p.batch, p.index, p.size));
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
        self.guessing = true;
        let img = self.original;
        let side = img.width().max(img.height());
        if side <= 1200 {
            if self.stage("original", img, Pass::Thorough) {
                return;
            }
            // Small codes: modules of one or two pixels need enlarging
            // before the detector's thresholds can see them.
            for k in [2, 3] {
                // ×3 only for a code located but not read yet: images
                // without any code end up here, and in the benchmark's
                // sweep and fixtures ×3 never read one that ×2 had not
                // located (bench/qr.md).
                if k == 3 && self.seen.is_empty() {
                    break;
                }
                let big = enlarge(img, k);
                if self.stage(&format!("x{k}"), &big, Pass::Enlarged) {
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
        // No finder-pattern groups here: the codes only tiles find are
        // small ones rqrr locates, and on a noisy 12 MP image sixteen more
        // scans cost more than they find.
        self.guessing = false;
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
                        offset: noise_sigma(&tile).clamp(5.0, 40.0) as i32,
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
        if pass != Pass::Quick {
            methods.extend([
                Method::LocalMean {
                    radius: (side / 64).max(3),
                    smooth: 0,
                    offset: offset(4.0, 1.5),
                },
                Method::Global,
            ]);
        }
        let polarities: &[bool] = if pass != Pass::Quick {
            &[false, true]
        } else {
            &[false]
        };
        // Runs since the last one that read or located something new.
        let mut idle = 0;
        for &invert in polarities {
            for &m in &methods {
                if pass == Pass::Enlarged && invert && m == Method::Native {
                    continue;
                }
                // Once codes are read and nothing else shows up, the rest
                // of the image most likely holds no other code.
                if idle >= 2 && self.settled() {
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
        self.settled()
    }

    /// Something was read this round, and every code located or seen by
    /// the census was read.
    fn settled(&mut self) -> bool {
        self.found_new() && self.unresolved.is_empty() && self.census() == 0
    }

    /// How many codes the picture seems to hold that are not read: groups
    /// of three finder patterns (`finder::census`) none of which lies in a
    /// code read. Each group is first handed to the sampler: on a page of
    /// codes rqrr often pairs one code's finders with its neighbours' and
    /// reads a code or two a run, while every code's finders are plain to
    /// see. Recounted only when a code has been read since.
    fn census(&mut self) -> usize {
        if let Some((at, unread)) = &self.unread
            && *at == self.read.len()
        {
            return unread.len();
        }
        let finders = self
            .census
            .get_or_insert_with(|| census_finders(self.original))
            .clone();
        let counts: Vec<usize> = finders.iter().map(|f| f.1.len()).collect();
        let mut unread = Vec::new();
        let mut tries = 0;
        for (invert, found) in finders {
            let outside =
                |read: &[Located], f: &Finder| !read.iter().any(|r| r.contains(f.centre, 1.5));
            let free: Vec<Finder> = found
                .into_iter()
                .filter(|f| outside(&self.read, f))
                .collect();
            let groups = finder::census(&free, invert);
            for (bad, at, three) in &groups {
                if *bad > finder::PLAUSIBLE || tries >= CENSUS_TRIES {
                    break;
                }
                if three.iter().any(|&i| !outside(&self.read, &free[i]))
                    || self.guessed.iter().any(|g| g.same_corners(at))
                {
                    continue;
                }
                tries += 1;
                self.guessed.push(*at);
                if let Some(text) = sample::read_guess(self.original, at) {
                    self.unresolved.retain(|u| !u.same_place(at));
                    self.seen.push(*at);
                    self.read.push(*at);
                    self.add(&text);
                }
            }
            let left: Vec<_> = groups
                .into_iter()
                .filter(|g| g.2.iter().all(|&i| outside(&self.read, &free[i])))
                .collect();
            for at in finder::disjoint(&left) {
                // The same code seen at another scale is counted once.
                if !unread.iter().any(|u: &Located| u.same_place(&at)) {
                    unread.push(at);
                }
            }
        }
        // A group counted at one scale may have been read at the next.
        unread.retain(|u| !self.read.iter().any(|r| r.contains(u.centre(), 1.5)));
        (self.trace)(&format!(
            "census: finder patterns {counts:?} (dark, light per scale); {} code(s) read, {} group(s) of finder patterns not read, {tries} tried",
            self.read.len(),
            unread.len()
        ));
        let n = unread.len();
        self.unread = Some((self.read.len(), unread));
        n
    }

    /// Whether this round has read a payload.
    fn found_new(&self) -> bool {
        self.texts.len() > self.round_start
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
        let found = detect(img, m, invert, self.guessing);
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
        // Our own finder-pattern groups: a group that is no code is simply
        // not read (it is not "unresolved": most are not codes at all).
        let mut guesses = 0;
        for at in found.guessed.iter().map(to_original) {
            if self.read.iter().any(|r| r.same_place(&at))
                || self.guessed.iter().any(|g| g.same_corners(&at))
            {
                continue;
            }
            self.guessed.push(at);
            guesses += 1;
            if let Some(text) = sample::read_guess(self.original, &at) {
                self.unresolved.retain(|u| !u.same_place(&at));
                self.seen.push(at);
                self.read.push(at);
                self.add(&text);
            }
        }
        (self.trace)(&format!(
            "{name} {}x{} {m:?} invert={invert}: {} read, {} located, {} sampled, {guesses} guessed; {} payload(s) so far",
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

/// The census's finder patterns, in original coordinates, dark on light
/// and light on dark, at each scale the stages search: about 1000 px for
/// a big picture (where a code larger than a full-size tile is read), and
/// the picture itself up to [`CENSUS_SIDE`] (shrunk to it beyond). One
/// local-mean bitmap per scale, scanned in both polarities.
fn census_finders(img: &GrayImage) -> Vec<(bool, Vec<Finder>)> {
    let side = img.width().max(img.height());
    let mut sides = vec![side.min(CENSUS_SIDE)];
    if side > 1200 {
        sides.insert(0, 1000);
    }
    let mut out = Vec::new();
    for target in sides {
        let small;
        let view = if side > target {
            small = shrink(img, target);
            &small
        } else {
            img
        };
        let scale = f64::from(img.width()) / f64::from(view.width());
        let (w, h) = (view.width() as usize, view.height() as usize);
        let radius = (view.width().max(view.height()) / 24).max(4);
        let sigma = noise_sigma(view);
        let offset = sigma.clamp(3.0, 30.0) as i32;
        // The 3x3 smoothing against noise also closes the finders' light
        // rings of modules up to about 5 px: clean pictures (printed
        // pages, screenshots, anything shrunk) go without it.
        let smooth = u32::from(sigma >= 4.0);
        let (dark, light) = local_mean_both(view, radius, smooth, offset);
        for (invert, bits) in [(false, dark), (true, light)] {
            let found = crate::contain::contained(|| {
                finder::finders(&bits, w, h)
                    .into_iter()
                    .map(|f| Finder {
                        centre: (f.centre.0 * scale, f.centre.1 * scale),
                        module: f.module * scale,
                        ..f
                    })
                    .collect()
            })
            .unwrap_or_default();
            out.push((invert, found));
        }
    }
    out
}
