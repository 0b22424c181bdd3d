//! Decodes QR images and prints how many OTP payloads each holds (never the
//! payloads themselves); `-v` also prints the pipeline's stages, `--hash`
//! the first 16 hex digits of each payload's SHA-256 (bench/qr_sweep.py
//! checks them against what it encoded). Used by bench/qr.sh and
//! bench/qr_sweep.py.
//!
//! `qrdecode --make-photo OUT.jpg [MODULE_PX]` and `--make-noise OUT.png`
//! write the benchmark's generated 4000×3000 images: a photo-like frame
//! (uneven light, sensor noise, a rotated code with modules of MODULE_PX
//! pixels, default 5, JPEG), and pure per-pixel noise (the input that makes
//! a detector run on the full image take minutes).

use std::process::ExitCode;
use std::time::Instant;

use image::{GrayImage, Luma};

const URI: &str = "otpauth://totp/ACME%20Co:john.doe@example.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--make-photo") => {
            let module = args.get(2).and_then(|m| m.parse().ok()).unwrap_or(5.0);
            return save(make_photo(module), args.get(1), true);
        }
        Some("--make-noise") => return save(make_noise(), args.get(1), false),
        _ => {}
    }
    let mut verbose = false;
    let mut hash = false;
    let mut rc = ExitCode::SUCCESS;
    for arg in args {
        if arg == "-v" {
            verbose = true;
            continue;
        }
        if arg == "--hash" {
            hash = true;
            continue;
        }
        let bytes = match std::fs::read(&arg) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{arg}: {e}");
                rc = ExitCode::FAILURE;
                continue;
            }
        };
        let start = Instant::now();
        let ms = |start: Instant| start.elapsed().as_secs_f64() * 1000.0;
        let mut trace = |line: &str| {
            if verbose {
                eprintln!("  {:>8.1} ms  {line}", ms(start));
            }
        };
        match otp::qr::decode_image_traced(&bytes, &mut trace) {
            Ok(p) => {
                let elapsed = ms(start);
                let hashes: Vec<String> = if hash {
                    p.iter().map(|t| short_sha256(t)).collect()
                } else {
                    Vec::new()
                };
                println!(
                    "{arg}: {} payload(s) in {elapsed:.1} ms{}{}",
                    p.len(),
                    if hash { " " } else { "" },
                    hashes.join(",")
                );
            }
            Err(e) => {
                println!("{arg}: error: {e} ({:.1} ms)", ms(start));
                rc = ExitCode::FAILURE;
            }
        }
    }
    rc
}

/// The first 16 hex digits of the SHA-256 of `text`.
fn short_sha256(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn save(img: GrayImage, path: Option<&String>, jpeg: bool) -> ExitCode {
    let Some(path) = path else {
        eprintln!("usage: qrdecode --make-photo|--make-noise OUT");
        return ExitCode::FAILURE;
    };
    let result = if jpeg {
        std::fs::File::create(path)
            .map_err(image::ImageError::IoError)
            .and_then(|f| {
                let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(f, 90);
                enc.encode_image(&img)
            })
    } else {
        img.save(path)
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{path}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Deterministic noise (xorshift64*), roughly normal.
struct Rng(u64);
impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self, sigma: f64) -> f64 {
        ((0..4).map(|_| self.uniform()).sum::<f64>() - 2.0) * sigma * 3f64.sqrt()
    }
}

/// A 4000×3000 frame: light falling off across it, noise, a code with
/// `module` px modules (5: about 330 px wide) printed on paper, rotated 12°.
fn make_photo(module: f64) -> GrayImage {
    let png = otp::qr::to_png(URI).expect("a short URI fits a QR code");
    let code = image::load_from_memory(&png)
        .expect("our own PNG")
        .to_luma8();
    let (cw, ch) = (f64::from(code.width()), f64::from(code.height()));
    let scale = module / 8.0; // to_png draws 8 px per module
    let (s, c) = 12f64.to_radians().sin_cos();
    let (cx, cy) = (2200.0, 1600.0);
    let mut rng = Rng(0x5eed);
    GrayImage::from_fn(4000, 3000, |x, y| {
        let (xf, yf) = (f64::from(x), f64::from(y));
        let light = 70.0 + 110.0 * xf / 4000.0 + 40.0 * yf / 3000.0;
        // Where this pixel falls on the rotated code, in code pixels.
        let (dx, dy) = (xf - cx, yf - cy);
        let u = (c * dx + s * dy) / scale + cw / 2.0;
        let v = (-s * dx + c * dy) / scale + ch / 2.0;
        let paper = if u >= 0.0 && v >= 0.0 && u < cw && v < ch {
            let p = f64::from(code.get_pixel(u as u32, v as u32).0[0]) / 255.0;
            0.25 + 0.95 * p
        } else {
            0.8
        };
        Luma([(light * paper + rng.normal(5.0)).clamp(0.0, 255.0) as u8])
    })
}

fn make_noise() -> GrayImage {
    let mut rng = Rng(0xbad);
    GrayImage::from_fn(4000, 3000, |_, _| Luma([(rng.uniform() * 256.0) as u8]))
}
