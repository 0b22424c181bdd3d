//! The `qr-image` format: a picture (PNG, JPEG, WebP, GIF, BMP) holding QR
//! codes of `otpauth://` or `otpauth-migration://` links — a sign-up page
//! screenshot, a phone photo of a screen, a Google Authenticator export.
//!
//! Finding and reading the codes is `crate::qr`'s job; this turns the links
//! into accounts. A Google export split over several screenshots imports
//! the parts present and names the missing ones (as skipped entries);
//! [`scan`] lets the command layer group batches over several images.

use super::migration_text::Scanned;
use super::{Format, ImportError, Passwords};
use crate::model::{Parsed, Skipped};
use crate::qr::{self, QrError};

pub const FORMAT: Format = Format {
    name: "qr-image",
    title: "QR code image (PNG, JPEG, WebP, GIF, BMP)",
    detect,
    parse,
};

/// Magic bytes of the image formats we decode.
fn detect(data: &[u8]) -> bool {
    data.starts_with(b"\x89PNG\r\n\x1a\n")
        || data.starts_with(b"\xff\xd8\xff")
        || data.starts_with(b"GIF87a")
        || data.starts_with(b"GIF89a")
        || (data.starts_with(b"BM") && data.len() > 26)
        || (data.starts_with(b"RIFF") && data.get(8..12) == Some(b"WEBP"))
}

/// Decodes the image's codes without grouping batches.
pub fn scan(data: &[u8]) -> Result<Scanned, ImportError> {
    let decoded = qr::decode_image_all(data, &mut |_| {}).map_err(|e| match e {
        QrError::NotImage | QrError::NotOtp => ImportError::Unsupported(e.to_string()),
        _ => ImportError::Malformed(e.to_string()),
    })?;
    let links = &decoded.links;
    let mut scanned = Scanned::default();
    for (i, link) in links.iter().enumerate() {
        let place = if links.len() == 1 {
            "the QR code".to_string()
        } else {
            format!("QR code {}", i + 1)
        };
        scanned.add(link, &place)?;
    }
    scanned.other.skipped.extend(unread(&decoded, ""));
    Ok(scanned)
}

/// The codes an image showed but that could not be read, as entries left
/// out (each is an account, or a part of an export, not imported); `place`
/// ("", " on the screen") says where they were.
pub fn unread(decoded: &qr::Decoded, place: &str) -> Vec<Skipped> {
    let Some(note) = decoded.unread_note() else {
        return Vec::new();
    };
    (1..=decoded.unread)
        .map(|i| Skipped {
            label: format!("QR code not read{place} ({i} of {})", decoded.unread),
            reason: format!(
                "{note} — a sharper or closer picture of the others, or import them one by one"
            ),
        })
        .collect()
}

fn parse(data: &[u8], _passwords: &mut Passwords<'_>) -> Result<Parsed, ImportError> {
    scan(data).map(Scanned::into_parsed)
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use image::ImageFormat;
    use proptest::prelude::*;

    use super::*;
    use crate::import::shared::testkit;

    fn fixture(name: &str) -> Vec<u8> {
        testkit::fixture(&format!("qr/{name}"))
    }

    fn run(data: &[u8]) -> Result<Parsed, ImportError> {
        testkit::parse_with(&FORMAT, data, &[])
    }

    #[test]
    fn google_export_screenshot() {
        let data = fixture("example_export.png");
        assert!(detect(&data));
        let p = run(&data).unwrap();
        let got: Vec<(String, String)> = p
            .entries
            .iter()
            .map(|e| (e.label(), e.token.secret.to_base32()))
            .collect();
        let want = [
            ("Test1:test1@example1.com", "JBSWY3DPEHPK3PXP"),
            ("Test2:test2@example2.com", "JBSWY3DPEHPK3PXQ"),
            ("Test3:test3@example3.com", "JBSWY3DPEHPK3PXR"),
        ];
        assert_eq!(got, want.map(|(a, b)| (a.to_string(), b.to_string())));
    }

    #[test]
    fn two_codes_of_one_export_in_one_screenshot() {
        for f in ["Exported-QR-codes.webp", "Exported-QR-codes_300px.webp"] {
            let p = run(&fixture(f)).unwrap();
            assert!(p.skipped.is_empty(), "{f}");
            let names: Vec<&str> = p.entries.iter().map(|e| e.name.as_str()).collect();
            assert_eq!(names.len(), 20, "{f}");
            assert_eq!(
                (names[0], names[9], names[10], names[19]),
                ("Test1", "test10", "test11", "testscan"),
                "{f}"
            );
            assert_eq!(
                p.entries[19].token.secret.to_base32(),
                "MSABKAEWAHABGAEGACI26T6Q"
            );
        }
    }

    #[test]
    fn plain_otpauth_code() {
        let p = run(&fixture("dim13_example.png")).unwrap();
        assert_eq!(p.entries.len(), 1);
        assert_eq!(p.entries[0].label(), "Example:alice@google.com");
    }

    #[test]
    fn every_image_format_is_detected_and_read() {
        let png = qr::to_png(qr::tests::URI).unwrap();
        // RGB: GIF cannot be written from greyscale.
        let img = image::DynamicImage::ImageRgb8(image::load_from_memory(&png).unwrap().to_rgb8());
        for format in [
            ImageFormat::Png,
            ImageFormat::Jpeg,
            ImageFormat::Gif,
            ImageFormat::Bmp,
            ImageFormat::WebP,
        ] {
            let mut bytes = Vec::new();
            img.write_to(&mut Cursor::new(&mut bytes), format).unwrap();
            assert!(detect(&bytes), "{format:?}");
            assert_eq!(run(&bytes).unwrap().entries.len(), 1, "{format:?}");
        }
    }

    #[test]
    fn clean_errors_for_what_is_not_an_otp_image() {
        let err = run(&fixture("qr_but_without_otp.png"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "unsupported: a QR code was found but it is not an otpauth:// or otpauth-migration:// link"
        );
        let err = run(&fixture(
            "Transfer-accounts-option-in-the-Google-Authenticator.webp",
        ))
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("malformed file: no QR code found"),
            "{err}"
        );
        let masquerade = fixture("text_masquerading_as_image.jpeg");
        assert!(!detect(&masquerade));
        assert!(matches!(run(&masquerade), Err(ImportError::Unsupported(_))));
        for text in ["example_export.txt", "empty_file.txt"] {
            assert!(!detect(&fixture(text)), "{text}");
        }
    }

    #[test]
    fn registered() {
        assert!(super::super::by_name("qr-image").is_some());
        assert_eq!(
            super::super::detect(&fixture("example_export.png")).map(|f| f.name),
            Some("qr-image")
        );
    }

    proptest! {
        // Each case decodes an image: few cases, small images.
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn mutated_images_never_panic(idx in 0usize..600, byte in any::<u8>(), cut in 0usize..700, pick in 0usize..2) {
            let name = ["dim13_example.png", "qr_but_without_otp.png"][pick];
            let mut data = fixture(name);
            let i = idx % data.len();
            data[i] = byte;
            data.truncate(cut.max(8));
            let _ = detect(&data);
            let _ = run(&data);
        }
    }
}
