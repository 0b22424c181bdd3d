//! Drawing a link as a QR code: for the terminal (so a phone can scan it off
//! the screen), as a PNG file, and as inline SVG for a printed page.

use image::codecs::png::PngEncoder;
use image::{GrayImage, ImageEncoder, Luma};
use qrcode::{Color, EcLevel, QrCode};

use super::QrError;

/// Light modules around the code; the standard asks for 4.
const QUIET: usize = 4;
/// Widest code (without quiet zone) that fits an 80-column terminal.
const TERMINAL_MODULES: usize = 80 - 2 * QUIET;
/// PNG pixels per module: big enough for any scanner, small files.
const PNG_SCALE: u32 = 8;

/// Black on bright white, whatever the terminal's theme: phone scanners
/// expect dark modules on a light background.
const DARK_ON_LIGHT: &str = "\x1b[30;107m";
const RESET: &str = "\x1b[0m";

/// The module matrix with its quiet zone: `true` is dark.
struct Matrix {
    side: usize,
    dark: Vec<bool>,
}

impl Matrix {
    /// Medium error correction scans well off a screen; low is used when
    /// it is the only way to stay within `max_modules` (or to fit at all).
    fn new(text: &str, max_modules: usize) -> Result<Self, QrError> {
        let medium = QrCode::with_error_correction_level(text, EcLevel::M).ok();
        let code = match medium {
            Some(m) if m.width() <= max_modules => m,
            m => QrCode::with_error_correction_level(text, EcLevel::L)
                .ok()
                .filter(|l| m.is_none() || l.width() <= max_modules)
                .or(m)
                .ok_or(QrError::TooLong)?,
        };
        let n = code.width();
        let side = n + 2 * QUIET;
        let colors = code.to_colors();
        let mut dark = vec![false; side * side];
        for y in 0..n {
            for x in 0..n {
                if colors.get(y * n + x) == Some(&Color::Dark) {
                    dark[(y + QUIET) * side + x + QUIET] = true;
                }
            }
        }
        Ok(Matrix { side, dark })
    }

    fn at(&self, x: usize, y: usize) -> bool {
        x < self.side && y < self.side && self.dark[y * self.side + x]
    }
}

/// `text` as a QR code made of text lines, quiet zone included.
///
/// With `unicode`, each character holds two modules stacked (`▀ ▄ █` and
/// space), drawn black on white with ANSI colours so that it scans on dark
/// and light terminal themes alike; a typical otpauth link is 50–60 columns
/// wide, and up to about 400 characters fit in 80 columns (a Google
/// export link of 3 or 4 accounts). Without,
/// each module is two ASCII characters (`##` dark, spaces light), no escape
/// codes: it scans on a light-background terminal.
pub fn to_terminal(text: &str, unicode: bool) -> Result<String, QrError> {
    let m = Matrix::new(text, TERMINAL_MODULES)?;
    let mut out = String::new();
    if unicode {
        for y in (0..m.side).step_by(2) {
            out.push_str(DARK_ON_LIGHT);
            for x in 0..m.side {
                out.push(match (m.at(x, y), m.at(x, y + 1)) {
                    (true, true) => '█',
                    (true, false) => '▀',
                    (false, true) => '▄',
                    (false, false) => ' ',
                });
            }
            out.push_str(RESET);
            out.push('\n');
        }
    } else {
        for y in 0..m.side {
            for x in 0..m.side {
                out.push_str(if m.at(x, y) { "##" } else { "  " });
            }
            out.push('\n');
        }
    }
    Ok(out)
}

/// `text` as a greyscale PNG: 8 px per module, 4-module quiet zone.
pub fn to_png(text: &str) -> Result<Vec<u8>, QrError> {
    let img = render(text, PNG_SCALE)?;
    let mut png = Vec::new();
    PngEncoder::new(&mut png)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::L8,
        )
        .map_err(|e| QrError::Corrupt(e.to_string()))?;
    Ok(png)
}

/// `text` as an SVG element, for a page to print: one path of the dark
/// modules on a white square, quiet zone included. Its `viewBox` counts
/// modules, so the page sizes it; the second value is the side in modules
/// (quiet zone included), for the page to choose a size per module. The
/// text of an SVG is plain ASCII and holds no part of `text`.
pub fn to_svg(text: &str) -> Result<(String, usize), QrError> {
    let m = Matrix::new(text, usize::MAX)?;
    let mut path = String::new();
    for y in 0..m.side {
        let mut x = 0;
        while x < m.side {
            if !m.at(x, y) {
                x += 1;
                continue;
            }
            let start = x;
            while x < m.side && m.at(x, y) {
                x += 1;
            }
            path.push_str(&format!("M{start} {y}h{}v1h-{}z", x - start, x - start));
        }
    }
    let side = m.side;
    Ok((
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {side} {side}\" \
             shape-rendering=\"crispEdges\"><rect width=\"{side}\" height=\"{side}\" fill=\"#fff\"/>\
             <path fill=\"#000\" d=\"{path}\"/></svg>"
        ),
        side,
    ))
}

/// `text` as an image, `scale` px per module.
pub(crate) fn render(text: &str, scale: u32) -> Result<GrayImage, QrError> {
    let m = Matrix::new(text, usize::MAX)?;
    let side = u32::try_from(m.side).map_err(|_| QrError::TooLong)? * scale;
    Ok(GrayImage::from_fn(side, side, |x, y| {
        let dark = m.at((x / scale) as usize, (y / scale) as usize);
        Luma([if dark { 0 } else { 255 }])
    }))
}
