//! QR codes: reading OTP links out of images ([`decode_image`]) and drawing
//! links as codes for a phone to scan ([`to_terminal`], [`to_png`],
//! [`to_svg`]).
//!
//! The reader and the writer are the workspace's `otp-qr` crate
//! (crates/qr), compiled optimised even in a debug build; this module hands
//! it what only otp knows: which links are one part of a Google
//! Authenticator export split over several codes (the reader keeps
//! searching an image while a part it has seen the batch of is missing).

pub use otp_qr::{Decoded, QrError, is_otp, to_png, to_svg, to_terminal};

/// A link's place in a multi-code Google Authenticator export, from
/// [`crate::migration::parse`]; None for anything else.
fn part_of(text: &str) -> Option<otp_qr::Part> {
    crate::migration::parse(text).ok().map(|b| otp_qr::Part {
        batch: b.batch_id,
        index: b.batch_index,
        size: b.batch_size,
    })
}

/// Every distinct `otpauth://` and `otpauth-migration://` payload found in
/// the image (PNG, JPEG, WebP, GIF or BMP), in the order found.
pub fn decode_image(bytes: &[u8]) -> Result<Vec<String>, QrError> {
    otp_qr::decode_image(bytes, part_of)
}

/// [`decode_image`], telling `trace` which stage ran and what it found (for
/// `--verbose` output and benchmarks). Trace lines never contain payloads.
pub fn decode_image_traced(
    bytes: &[u8],
    trace: &mut dyn FnMut(&str),
) -> Result<Vec<String>, QrError> {
    otp_qr::decode_image_traced(bytes, part_of, trace)
}

/// [`decode_image_traced`], also saying how many codes were seen but not
/// read ([`Decoded`]).
pub fn decode_image_all(bytes: &[u8], trace: &mut dyn FnMut(&str)) -> Result<Decoded, QrError> {
    otp_qr::decode_image_all(bytes, part_of, trace)
}

/// Every OTP link in pixels already in memory (a screen capture,
/// greyscale), searched until a whole search finds nothing new: a screen
/// may show several unrelated codes.
pub fn decode_luma(img: &image::GrayImage) -> Result<Vec<String>, QrError> {
    otp_qr::decode_luma(img, part_of)
}

/// [`decode_luma`], also saying how many codes were seen but not read.
pub fn decode_luma_all(img: &image::GrayImage) -> Result<Decoded, QrError> {
    otp_qr::decode_luma_all(img, part_of)
}

/// The reader's tests that need otp's export format (crates/qr has the
/// others), and the helpers other modules' tests draw codes with.
#[cfg(test)]
pub(crate) mod tests {
    use image::{GrayImage, ImageEncoder, Luma};

    use super::*;

    pub(crate) const URI: &str = "otpauth://totp/ACME%20Co:john.doe@example.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30";

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/qr/");

    fn fixture(name: &str) -> Vec<u8> {
        std::fs::read(format!("{DIR}{name}")).unwrap()
    }

    pub(crate) fn png(img: &GrayImage) -> Vec<u8> {
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(
                img.as_raw(),
                img.width(),
                img.height(),
                image::ExtendedColorType::L8,
            )
            .unwrap();
        out
    }

    fn decodes_to(bytes: &[u8], want: &str) {
        let got = decode_image(bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got, [want.to_string()]);
    }

    #[test]
    fn export_screenshots_give_both_codes() {
        for file in ["Exported-QR-codes.webp", "Exported-QR-codes_300px.webp"] {
            let mut got = decode_image(&fixture(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
            got.sort();
            assert_eq!(got.len(), 2, "{file}");
            assert!(
                got[0].starts_with("otpauth-migration://offline?data=CiMKFC82QH"),
                "{file}"
            );
            assert!(
                got[1].starts_with("otpauth-migration://offline?data=CiQKFC82QH"),
                "{file}"
            );
        }
    }

    /// The dark modules an SVG of [`to_svg`] draws: its path's `M x y h w v1
    /// h-w z` runs, painted at `scale` px per module.
    pub(crate) fn paint_svg(svg: &str, side: usize, scale: u32) -> GrayImage {
        let side = u32::try_from(side).unwrap() * scale;
        let mut img = GrayImage::from_pixel(side, side, Luma([255]));
        let d = svg
            .split(" d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        for run in d.split('z').filter(|r| !r.is_empty()) {
            let nums: Vec<u32> = run
                .split(|c: char| !c.is_ascii_digit())
                .filter(|n| !n.is_empty())
                .map(|n| n.parse().unwrap())
                .collect();
            let (x, y, w) = (nums[0], nums[1], nums[2]);
            assert_eq!(nums[2], nums[4], "{run}");
            for py in y * scale..(y + 1) * scale {
                for px in x * scale..(x + w) * scale {
                    img.put_pixel(px, py, Luma([0]));
                }
            }
        }
        img
    }

    #[test]
    fn svg_output_draws_the_same_code_as_the_png() {
        for text in [
            URI.to_string(),
            format!("otpauth-migration://offline?data={}", "B".repeat(700)),
        ] {
            let (svg, side) = to_svg(&text).unwrap();
            assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"), "{svg}");
            assert!(svg.is_ascii() && !svg.contains("otpauth"));
            // to_png draws 8 px per module.
            let painted = paint_svg(&svg, side, 8);
            let drawn = image::load_from_memory(&to_png(&text).unwrap()).unwrap();
            assert_eq!(painted, drawn.to_luma8());
            decodes_to(&png(&painted), &text);
        }
        assert_eq!(to_svg(&"x".repeat(5000)), Err(QrError::TooLong));
    }

    #[test]
    fn google_export_codes_read_back_as_the_same_accounts() {
        use crate::model::{Algorithm, Entry, Kind, Secret, Token};
        let entries: Vec<Entry> = (0..14u8)
            .map(|i| {
                let mut t = Token::totp(Secret::new(vec![i; 10 + usize::from(i)]));
                if i % 3 == 0 {
                    t.kind = Kind::Hotp;
                    t.counter = u64::from(i) * 1000;
                }
                t.algorithm =
                    [Algorithm::SHA1, Algorithm::SHA256, Algorithm::SHA512][usize::from(i % 3)];
                t.digits = if i % 2 == 0 { 6 } else { 8 };
                Entry::new(format!("Issuer {i}"), format!("user{i}@example.com"), t)
            })
            .collect();
        let (uris, warnings) = crate::migration::encode(&entries, 10, 4242);
        assert!(warnings.is_empty());
        assert_eq!(uris.len(), 2);
        let mut batches = Vec::new();
        for uri in &uris {
            let read = decode_image(&to_png(uri).unwrap()).unwrap();
            assert_eq!(&read, std::slice::from_ref(uri));
            batches.push(crate::migration::parse(&read[0]).unwrap());
        }
        assert_eq!(crate::migration::group(batches).unwrap().entries, entries);
    }

    /// The issue asks that zbarimg (zbar-tools) reads our PNGs; skipped where
    /// it is not installed.
    #[test]
    fn zbarimg_reads_our_pngs() {
        let Ok(dir) = tempfile::tempdir() else { return };
        let long = crate::migration::encode(
            &[crate::model::Entry::new(
                "A",
                "b",
                crate::model::Token::totp(crate::model::Secret::new(vec![7; 20])),
            )],
            10,
            1,
        )
        .0
        .remove(0);
        for (i, text) in [URI, long.as_str()].into_iter().enumerate() {
            let path = dir.path().join(format!("{i}.png"));
            std::fs::write(&path, to_png(text).unwrap()).unwrap();
            let Ok(out) = std::process::Command::new("zbarimg")
                .args(["-q", "--raw"])
                .arg(&path)
                .output()
            else {
                eprintln!("zbarimg not installed: skipped");
                return;
            };
            assert_eq!(String::from_utf8_lossy(&out.stdout).trim_end(), text);
        }
    }

    /// Three typical accounts in a Google export still fit in 80 columns.
    #[test]
    fn a_three_account_export_fits_a_terminal() {
        let entries: Vec<_> = (0..3)
            .map(|i| {
                let t = crate::model::Token::totp(crate::model::Secret::new(vec![i; 20]));
                crate::model::Entry::new("Example Corp", format!("someone{i}@example.com"), t)
            })
            .collect();
        let (uris, _) = crate::migration::encode(&entries, 3, 1);
        let drawn = to_terminal(&uris[0], true).unwrap();
        let first = drawn.lines().next().unwrap();
        let columns = first
            .trim_start_matches("\x1b[30;107m")
            .trim_end_matches("\x1b[0m")
            .chars()
            .count();
        assert!(columns <= 80, "{columns} columns");
        decodes_to(&to_png(&uris[0]).unwrap(), &uris[0]);
    }

    /// Regression fixtures from bench/qr_sweep.py (tests/fixtures/qr/sweep/):
    /// the dense ten-account export under 40 % perspective, and two phone-photo
    /// combinations (perspective, blur, noise, JPEG 30, one of them inverted)
    /// that otp did not read before it located codes from its own finder
    /// pattern scan and fitted the grid through the alignment patterns.
    #[test]
    fn sweep_images_read_back_as_the_generated_accounts() {
        use crate::model::{Entry, Secret, Token};
        use sha1::{Digest, Sha1};
        // bench/qr_sweep.py's migration_export(): secret i is SHA-1("sweep-i").
        let want: Vec<Entry> = (0..10)
            .map(|i| {
                let secret = Sha1::digest(format!("sweep-{i}").as_bytes()).to_vec();
                Entry::new(
                    "Example Corp",
                    format!("someone{i}@example.com"),
                    Token::totp(Secret::new(secret)),
                )
            })
            .collect();
        for file in [
            "sweep/export_perspective-0.4.png",
            "sweep/export_photo-p0.15-b1.0-n16-q30-i1.jpg",
            "sweep/export_photo-p0.3-b1.0-n8-q30-i0.jpg",
        ] {
            let got = decode_image(&fixture(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
            assert_eq!(got.len(), 1, "{file}");
            let batch = crate::migration::parse(&got[0]).unwrap();
            let entries = crate::migration::group(vec![batch]).unwrap().entries;
            assert_eq!(entries, want, "{file}");
        }
    }

    /// The clean fixtures (one of them a two-part export) leave no code seen
    /// but not read.
    #[test]
    fn clean_fixtures_leave_nothing_unread() {
        for name in [
            "dim13_example.png",
            "example_export.png",
            "qr_camera_frame_1600x1200.png",
            "Exported-QR-codes.webp",
        ] {
            let got = decode_image_all(&fixture(name), &mut |_| {}).unwrap();
            assert_eq!(got.unread, 0, "{name}: {got:?}");
        }
    }
}
