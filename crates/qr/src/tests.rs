//! Decoder tests: real fixtures, and hard cases generated from our own
//! encoder with image transforms (rotation, blur, noise, JPEG, perspective,
//! inversion, a small code in a big photo-like frame). Those that need
//! otp's Google Authenticator export format are in src/qr.rs.

use image::codecs::jpeg::JpegEncoder;
use image::{GrayImage, ImageEncoder, Luma, imageops};

use super::encode::render;
use super::geometry::Homography;
use super::*;

// The fixtures are the workspace's (tests/fixtures/qr/README.md).
const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/qr/");
pub(crate) const URI: &str = "otpauth://totp/ACME%20Co:john.doe@example.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DIR}{name}")).unwrap()
}

fn png(img: &GrayImage) -> Vec<u8> {
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

fn jpeg(img: &GrayImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, quality)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::L8,
        )
        .unwrap();
    out
}

/// Deterministic noise source (xorshift64*).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Roughly normal with standard deviation `sigma`.
    fn normal(&mut self, sigma: f64) -> f64 {
        let s: f64 = (0..4)
            .map(|_| (self.next() >> 11) as f64 / (1u64 << 53) as f64)
            .sum();
        (s - 2.0) * sigma * 3f64.sqrt()
    }
}

fn add_noise(img: &mut GrayImage, sigma: f64, seed: u64) {
    let mut rng = Rng(seed);
    for p in img.pixels_mut() {
        p.0[0] = (f64::from(p.0[0]) + rng.normal(sigma)).clamp(0.0, 255.0) as u8;
    }
}

/// Maps each output pixel through `inv` (output → input coordinates) with
/// bilinear sampling; outside the input is `bg`.
fn warp(
    src: &GrayImage,
    w: u32,
    h: u32,
    bg: u8,
    inv: impl Fn(f64, f64) -> (f64, f64),
) -> GrayImage {
    GrayImage::from_fn(w, h, |x, y| {
        let (u, v) = inv(f64::from(x) + 0.5, f64::from(y) + 0.5);
        let (u, v) = (u - 0.5, v - 0.5);
        let (x0, y0) = (u.floor(), v.floor());
        let (fx, fy) = (u - x0, v - y0);
        let at = |dx: f64, dy: f64| {
            let (px, py) = (x0 + dx, y0 + dy);
            if px < 0.0 || py < 0.0 || px >= f64::from(src.width()) || py >= f64::from(src.height())
            {
                f64::from(bg)
            } else {
                f64::from(src.get_pixel(px as u32, py as u32).0[0])
            }
        };
        let top = at(0.0, 0.0) * (1.0 - fx) + at(1.0, 0.0) * fx;
        let bottom = at(0.0, 1.0) * (1.0 - fx) + at(1.0, 1.0) * fx;
        Luma([(top * (1.0 - fy) + bottom * fy).round() as u8])
    })
}

fn rotate(src: &GrayImage, degrees: f64) -> GrayImage {
    let (s, c) = degrees.to_radians().sin_cos();
    let (w, h) = (f64::from(src.width()), f64::from(src.height()));
    let side = (w.max(h) * 1.5) as u32;
    let (cx, cy) = (f64::from(side) / 2.0, f64::from(side) / 2.0);
    warp(src, side, side, 255, |x, y| {
        let (dx, dy) = (x - cx, y - cy);
        (c * dx + s * dy + w / 2.0, -s * dx + c * dy + h / 2.0)
    })
}

/// The source seen at an angle: a true perspective map of its corners onto
/// the quadrilateral `quad` (given as fractions of the source size) in an
/// output 200 px larger.
pub(crate) fn perspective(src: &GrayImage, quad: [(f64, f64); 4]) -> GrayImage {
    let (w, h) = (f64::from(src.width()), f64::from(src.height()));
    let corners = [(0.0, 0.0), (w, 0.0), (w, h), (0.0, h)];
    let pairs: Vec<_> = quad
        .iter()
        .map(|&(x, y)| (x * w + 100.0, y * h + 100.0))
        .zip(corners)
        .collect();
    let out_to_src = Homography::fit(&pairs).unwrap();
    warp(src, src.width() + 200, src.height() + 200, 255, |x, y| {
        out_to_src.map((x, y))
    })
}

// The tests here hold no multi-part export whose parts must all be found
// (src/qr.rs's tests have those, with otp's parser): no payload is a part.
fn decode_image(bytes: &[u8]) -> Result<Vec<String>, QrError> {
    super::decode_image(bytes, |_| None)
}

fn decode_image_all(bytes: &[u8], trace: &mut dyn FnMut(&str)) -> Result<Decoded, QrError> {
    super::decode_image_all(bytes, |_| None, trace)
}

fn decode_luma(img: &GrayImage) -> Result<Vec<String>, QrError> {
    super::decode_luma(img, |_| None)
}

fn decodes_to(bytes: &[u8], want: &str) {
    let got = decode_image(bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got, [want.to_string()]);
}

#[test]
fn real_fixtures_decode() {
    let cases = [
        (
            "dim13_example.png",
            "otpauth://totp/Example:alice@google.com?issuer=Example&period=30&secret=JBSWY3DPEHPK3PXP",
        ),
        (
            "qr_camera_frame_1600x1200.png",
            "otpauth://totp/neo4j:Charlotte?secret=B33WS2ALPT34K4BNY24AYROE4M&issuer=neo4j&algorithm=SHA1&digits=6&period=30",
        ),
        (
            "qr_camera_frame_strided_1840x1380.jpg",
            "otpauth://totp/neo4j:Charlotte?secret=B33WS2ALPT34K4BNY24AYROE4M&issuer=neo4j&algorithm=SHA1&digits=6&period=30",
        ),
        (
            "example_export.png",
            "otpauth-migration://offline?data=CjMKCkhlbGxvId6tvu8SGFRlc3QxOnRlc3QxQGV4YW1wbGUxLmNvbRoFVGVzdDEgASgBMAIKMwoKSGVsbG8h3q2%2B8BIYVGVzdDI6dGVzdDJAZXhhbXBsZTIuY29tGgVUZXN0MiABKAEwAgozCgpIZWxsbyHerb7xEhhUZXN0Mzp0ZXN0M0BleGFtcGxlMy5jb20aBVRlc3QzIAEoATACEAEYASAAKI3orYEE",
        ),
    ];
    for (file, want) in cases {
        decodes_to(&fixture(file), want);
    }
}

#[test]
fn images_without_an_otp_code_are_clean_errors() {
    assert_eq!(
        decode_image(&fixture("qr_but_without_otp.png")),
        Err(QrError::NotOtp)
    );
    assert_eq!(
        decode_image(&fixture("text_masquerading_as_image.jpeg")),
        Err(QrError::NotImage)
    );
    for f in [
        "Export-account-option-in-the-Google-Authenticator.webp",
        "Transfer-accounts-option-in-the-Google-Authenticator.webp",
    ] {
        assert_eq!(decode_image(&fixture(f)), Err(QrError::NoCode), "{f}");
    }
    assert_eq!(decode_image(b""), Err(QrError::NotImage));
    let mut truncated = fixture("dim13_example.png");
    truncated.truncate(200);
    assert!(matches!(decode_image(&truncated), Err(QrError::Corrupt(_))));
}

#[test]
fn encoder_output_decodes_back() {
    decodes_to(&to_png(URI).unwrap(), URI);
    let long = format!("otpauth-migration://offline?data={}", "A".repeat(900));
    decodes_to(&to_png(&long).unwrap(), &long);
    assert_eq!(to_png(&"x".repeat(5000)), Err(QrError::TooLong));
}

#[test]
fn terminal_drawing_is_a_scannable_code() {
    let text = to_terminal(URI, true).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let width = lines[0]
        .trim_start_matches("\x1b[30;107m")
        .trim_end_matches("\x1b[0m")
        .chars()
        .count();
    assert!(width <= 80, "{width} columns");
    // Rebuild the modules from the characters and decode them.
    let mut rows: Vec<Vec<bool>> = Vec::new();
    for l in &lines {
        let l = l
            .trim_start_matches("\x1b[30;107m")
            .trim_end_matches("\x1b[0m");
        let (top, bottom): (Vec<bool>, Vec<bool>) = l
            .chars()
            .map(|c| (matches!(c, '█' | '▀'), matches!(c, '█' | '▄')))
            .unzip();
        rows.push(top);
        rows.push(bottom);
    }
    let img = GrayImage::from_fn(width as u32 * 6, rows.len() as u32 * 6, |x, y| {
        Luma([if rows[(y / 6) as usize][(x / 6) as usize] {
            0
        } else {
            255
        }])
    });
    decodes_to(&png(&img), URI);

    let ascii = to_terminal(URI, false).unwrap();
    assert!(ascii.is_ascii() && ascii.contains("##"));
    let rows: Vec<&[u8]> = ascii.lines().map(str::as_bytes).collect();
    let img = GrayImage::from_fn(rows[0].len() as u32 * 3, rows.len() as u32 * 6, |x, y| {
        Luma([if rows[(y / 6) as usize][(x / 3) as usize] == b'#' {
            0
        } else {
            255
        }])
    });
    decodes_to(&png(&img), URI);
}

#[test]
fn hard_case_rotated() {
    decodes_to(&png(&rotate(&render(URI, 6).unwrap(), 23.0)), URI);
}

// The hard cases below are beyond zbarimg 0.23 and plain rqrr (checked
// with the ignored `compare_with_zbarimg` test), except where noted.

#[test]
fn hard_case_blurred() {
    // Gaussian σ of 5/8 of a module: the sampler's sharpening is needed.
    let img = imageops::blur(&render(URI, 8).unwrap(), 5.0);
    decodes_to(&png(&img), URI);
}

#[test]
fn hard_case_noisy() {
    let mut img = render(URI, 6).unwrap();
    add_noise(&mut img, 80.0, 7);
    decodes_to(&png(&img), URI);
}

#[test]
fn hard_case_jpeg_compressed() {
    // zbarimg reads this one; plain rqrr does not.
    let img = imageops::blur(&render(URI, 4).unwrap(), 0.8);
    decodes_to(&jpeg(&img, 5), URI);
}

#[test]
fn hard_case_small_rotated_blurred_noisy() {
    let mut img = imageops::blur(&rotate(&render(URI, 3).unwrap(), 23.0), 1.2);
    add_noise(&mut img, 25.0, 5);
    decodes_to(&png(&img), URI);
}

#[test]
fn hard_case_perspective() {
    let img = render(URI, 7).unwrap();
    // Camera tilted up and to the side: the top edge 55 % of the bottom one.
    let quad = [(0.3, 0.05), (0.85, 0.15), (1.0, 1.0), (0.0, 0.95)];
    decodes_to(&png(&perspective(&img, quad)), URI);
}

#[test]
fn hard_case_inverted() {
    let mut img = render(URI, 5).unwrap();
    imageops::invert(&mut img);
    decodes_to(&png(&img), URI);
}

#[test]
fn hard_case_small_code_in_a_12_megapixel_photo() {
    // A dim, noisy, unevenly lit 4000x3000 frame with a ~260 px code in it.
    let code = rotate(&render(URI, 4).unwrap(), 8.0);
    let mut rng = Rng(99);
    let mut frame = GrayImage::from_fn(4000, 3000, |x, y| {
        let light = 60.0 + 90.0 * f64::from(x) / 4000.0 + 40.0 * f64::from(y) / 3000.0;
        Luma([(light + rng.normal(6.0)).clamp(0.0, 255.0) as u8])
    });
    for (x, y, p) in code.enumerate_pixels() {
        let (fx, fy) = (2700 + x, 1900 + y);
        let light = f64::from(frame.get_pixel(fx, fy).0[0]);
        // Paper lit like its surroundings: white is twice the ambient level.
        let v = (f64::from(p.0[0]) / 255.0 * light * 1.6 + light * 0.2).min(255.0);
        frame.put_pixel(fx, fy, Luma([v as u8]));
    }
    decodes_to(&jpeg(&frame, 85), URI);
}

#[test]
fn webcam_photo_of_a_phone_does_not_crash() {
    // Content unpublished: whatever it holds, the answer is a clean result.
    let _ = decode_image(&fixture("cv2_capture_screenshot.png"));
}

/// Writes the hard cases to /tmp and says which decoders read them:
/// `cargo test -p otp-qr --lib compare_with_zbarimg -- --ignored --nocapture`.
#[test]
#[ignore]
fn compare_with_zbarimg() {
    let plain = |img: &GrayImage| {
        let mut p = rqrr::PreparedImage::prepare(img.clone());
        p.detect_grids().iter().any(|g| g.decode().is_ok())
    };
    let quad = [(0.3, 0.05), (0.85, 0.15), (1.0, 1.0), (0.0, 0.95)];
    let mut cases: Vec<(String, GrayImage)> = Vec::new();
    for sigma in [3.0, 4.0, 5.0] {
        cases.push((
            format!("blur{sigma}"),
            imageops::blur(&render(URI, 8).unwrap(), sigma),
        ));
    }
    for sigma in [40.0, 60.0, 80.0] {
        let mut img = render(URI, 6).unwrap();
        add_noise(&mut img, sigma, 7);
        cases.push((format!("noise{sigma}"), img));
    }
    for q in [5u8, 10] {
        let img = imageops::blur(&render(URI, 4).unwrap(), 0.8);
        cases.push((
            format!("jpeg{q}"),
            image::load_from_memory(&jpeg(&img, q)).unwrap().to_luma8(),
        ));
    }
    cases.push((
        "perspective".into(),
        perspective(&render(URI, 7).unwrap(), quad),
    ));
    let mut img = imageops::blur(&rotate(&render(URI, 3).unwrap(), 23.0), 1.2);
    add_noise(&mut img, 25.0, 5);
    cases.push(("small_rotated_blurred_noisy".into(), img));
    let mut inv = render(URI, 5).unwrap();
    imageops::invert(&mut inv);
    cases.push(("inverted".into(), inv));
    for (name, img) in &cases {
        let path = format!("/tmp/qr_{name}.png");
        std::fs::write(&path, png(img)).unwrap();
        let ours = decode_image(&png(img)).is_ok();
        let zbar = std::process::Command::new("zbarimg")
            .args(["-q", "--raw", &path])
            .output()
            .is_ok_and(|o| o.status.success());
        println!(
            "{name:28} plain rqrr={:5} zbarimg={zbar:5} ours={ours}",
            plain(img)
        );
    }
}

#[test]
fn a_screen_gives_every_code_on_it() {
    // A 1920x1080 desktop: two unrelated codes of different sizes far apart
    // and a small third one. A file stops at the first OTP link; a screen
    // capture is searched until nothing new turns up.
    let uris = [
        URI.to_string(),
        "otpauth://totp/GitHub:bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=GitHub".into(),
        "otpauth://totp/Bank:me?secret=JBSWY3DPEHPK3PXP&issuer=Bank".into(),
    ];
    let mut screen = GrayImage::from_pixel(1920, 1080, Luma([235]));
    for (uri, px, x, y) in [
        (&uris[0], 5, 60, 80),
        (&uris[1], 3, 1400, 600),
        (&uris[2], 4, 900, 300),
    ] {
        imageops::overlay(&mut screen, &render(uri, px).unwrap(), x, y);
    }
    let mut got = decode_luma(&screen).unwrap();
    got.sort();
    let mut want = uris.to_vec();
    want.sort();
    assert_eq!(got, want);
    // Nothing on it: the usual error.
    let blank = GrayImage::from_pixel(1920, 1080, Luma([235]));
    assert_eq!(decode_luma(&blank), Err(QrError::NoCode));
}

/// `n` distinct one-account links, as a backup sheet or sign-up page has.
fn grid_uris(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let secret =
                data_encoding::BASE32_NOPAD.encode(format!("grid-secret-{i:02}").as_bytes());
            format!(
                "otpauth://totp/Service{i}:user{i}@example.com?secret={secret}&issuer=Service{i}"
            )
        })
        .collect()
}

/// The codes of `uris` (quiet zone included) side by side in rows of
/// `cols`, `gap` px apart, on white: what ImageMagick's `montage` makes.
fn grid(uris: &[String], px: u32, cols: usize, gap: u32) -> GrayImage {
    let codes: Vec<GrayImage> = uris.iter().map(|u| render(u, px).unwrap()).collect();
    let cell = codes.iter().map(|c| c.width()).max().unwrap_or(0) + gap;
    let rows = uris.len().div_ceil(cols.max(1));
    let mut out = GrayImage::from_pixel(
        cell * cols.min(uris.len()) as u32 + gap,
        cell * rows as u32 + gap,
        Luma([255]),
    );
    for (i, c) in codes.iter().enumerate() {
        let (x, y) = ((i % cols) as u32, (i / cols) as u32);
        imageops::overlay(
            &mut out,
            c,
            i64::from(gap + x * cell),
            i64::from(gap + y * cell),
        );
    }
    out
}

/// A page of one-account codes (a printed backup sheet, a sign-up page):
/// every code is read, not only the first, and none is reported unread.
/// Before the census, a file stopped at its first OTP link: 1 or 2 codes
/// of each grid.
#[test]
fn a_grid_of_codes_gives_every_code() {
    for (n, cols, gap) in [(4, 2, 0), (9, 3, 12), (20, 5, 0)] {
        let uris = grid_uris(n);
        let img = grid(&uris, 6, cols, gap);
        let got = decode_image_all(&png(&img), &mut |_| {}).unwrap();
        let mut links = got.links.clone();
        links.sort();
        let mut want = uris.clone();
        want.sort();
        assert_eq!(links, want, "{n} codes");
        assert_eq!((got.read, got.unread), (n, 0), "{n} codes");
    }
}

/// A code that cannot be read beside codes that can: the census counts it
/// (never a silent partial read). That the clean fixtures count nothing is
/// checked in src/qr.rs (one of them is a two-part export).
#[test]
fn codes_seen_but_not_read_are_counted() {
    let uris = grid_uris(6);
    let mut img = grid(&uris, 6, 3, 0);
    // Scramble the data of two codes (random modules in the middle of
    // each), keeping their finder patterns: seen, not readable.
    let cell = img.width() / 3;
    let mut rng = Rng(7);
    for k in [1u32, 5] {
        let (x0, y0) = ((k % 3) * cell + 78, (k / 3) * cell + 78);
        for my in 0..23 {
            for mx in 0..23 {
                let v = if rng.next().is_multiple_of(2) { 0 } else { 255 };
                for y in 0..6 {
                    for x in 0..6 {
                        img.put_pixel(x0 + mx * 6 + x, y0 + my * 6 + y, Luma([v]));
                    }
                }
            }
        }
    }
    let got = decode_image_all(&png(&img), &mut |_| {}).unwrap();
    assert_eq!((got.links.len(), got.read, got.unread), (4, 4, 2));
    assert_eq!(
        got.unread_note().unwrap(),
        "the picture seems to hold about 6 codes; 4 were read"
    );
}

/// A printed sheet page (150 dpi, modules of about 5 px) where the
/// downscaled stage read three of five clean codes and the census, on a
/// bitmap whose smoothing closed the finders' 1-module light rings at that
/// size, saw no other finder group: otp said nothing of the two left
/// (tests/fixtures/qr/known_misses). Every code is read now.
#[test]
fn a_printed_sheet_page_gives_all_five_codes() {
    let got = decode_image_all(
        &fixture("known_misses/sheet-1.0mm-a4-150dpi-page1.png"),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(
        (got.links.len(), got.read, got.unread),
        (5, 5, 0),
        "{got:?}"
    );
}
