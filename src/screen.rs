//! Reading the screen for `otp add --screen` and `otp import --screen`:
//! every X11 screen is captured into memory (in strips, straight into one
//! greyscale buffer per screen) and handed to the QR decoder. Nothing is
//! written to disk; the buffers otp holds are zeroized once decoded.
//!
//! Wayland: X11 clients see only what XWayland draws, so windows of native
//! Wayland applications are not in the capture; the desktop portal's
//! screenshot interface writes a file, which this command refuses to do.
//! The error messages say what to do instead (docs/screen.md). Other
//! systems: not supported yet.

use std::fmt;

use image::GrayImage;
use zeroize::Zeroize;

/// One screen's pixels as greyscale. Zeroized when dropped.
pub struct Capture {
    /// "screen 0", "screen 1", ... (X11 screens of the display).
    pub name: String,
    pub image: GrayImage,
}

impl Capture {
    /// Overwrites the pixels with zeros.
    fn wipe(&mut self) {
        let pixels: &mut [u8] = &mut self.image;
        pixels.zeroize();
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.wipe();
    }
}

impl fmt::Debug for Capture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Capture({}, {}x{})",
            self.name,
            self.image.width(),
            self.image.height()
        )
    }
}

/// Why there is no capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScreenError {
    /// Neither DISPLAY nor WAYLAND_DISPLAY: a console or an SSH session.
    NoDisplay,
    /// A Wayland session without XWayland (WAYLAND_DISPLAY, no DISPLAY).
    WaylandOnly,
    /// DISPLAY is set but the X server cannot be reached; the text says why.
    Connect(String),
    /// The X server refused or failed the capture; the text says why.
    Capture(String),
    /// No screen capture on this operating system.
    Unsupported,
}

impl fmt::Display for ScreenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScreenError::NoDisplay => {
                write!(f, "no display to read the screen from (DISPLAY is not set)")
            }
            ScreenError::WaylandOnly => write!(
                f,
                "reading the screen of a Wayland session is not supported yet (only X11 and XWayland: DISPLAY is not set)"
            ),
            ScreenError::Connect(why) => write!(f, "cannot connect to the X display: {why}"),
            ScreenError::Capture(why) => write!(f, "cannot capture the screen: {why}"),
            ScreenError::Unsupported => {
                write!(f, "reading the screen is not supported on this system")
            }
        }
    }
}

impl std::error::Error for ScreenError {}

/// Captures every screen of the X display named by `display` (DISPLAY);
/// `wayland` is whether WAYLAND_DISPLAY is set, for the error message.
pub fn capture(display: Option<&str>, wayland: bool) -> Result<Vec<Capture>, ScreenError> {
    if !x11::SUPPORTED {
        return Err(ScreenError::Unsupported);
    }
    match display.filter(|d| !d.is_empty()) {
        None if wayland => Err(ScreenError::WaylandOnly),
        None => Err(ScreenError::NoDisplay),
        Some(name) => x11::capture(name),
    }
}

#[cfg(all(
    unix,
    not(any(target_os = "macos", target_os = "android", target_os = "emscripten"))
))]
mod x11 {
    use image::GrayImage;
    use x11rb::connection::Connection;
    use x11rb::image::{BitsPerPixel, Image, ImageOrder, PixelLayout, ScanlinePad};
    use x11rb::protocol::xproto::{
        ConnectionExt, ImageFormat, Screen, Setup, VisualClass, Visualtype,
    };
    use x11rb::rust_connection::RustConnection;
    use zeroize::Zeroize;

    use super::{Capture, ScreenError};

    pub const SUPPORTED: bool = true;

    /// Bytes asked for per GetImage request: each strip is converted and
    /// zeroized before the next is fetched, so the raw (4 bytes a pixel)
    /// copy never exists whole.
    const STRIP_BYTES: usize = 4 << 20;

    pub fn capture(display: &str) -> Result<Vec<Capture>, ScreenError> {
        // x11rb adds the display number to 6000 for the TCP port in a u16:
        // DISPLAY=:60000 overflows (a panic in debug builds).
        let connected =
            crate::contain::contained(|| x11rb::connect(Some(display))).ok_or_else(|| {
                ScreenError::Connect(format!("{display}: not a display name x11rb can use"))
            })?;
        let (conn, _) = connected.map_err(|e| ScreenError::Connect(format!("{display}: {e}")))?;
        let setup = conn.setup();
        let mut out = Vec::new();
        for (i, screen) in setup.roots.iter().enumerate() {
            out.push(Capture {
                name: format!("screen {i}"),
                image: capture_screen(&conn, setup, screen)?,
            });
        }
        Ok(out)
    }

    fn capture_screen(
        conn: &RustConnection,
        setup: &Setup,
        screen: &Screen,
    ) -> Result<GrayImage, ScreenError> {
        let (w, h) = (screen.width_in_pixels, screen.height_in_pixels);
        let fail = |e: &dyn std::fmt::Display| ScreenError::Capture(e.to_string());
        let palette = palette(conn, screen)?;
        let mut grey = GrayImage::new(u32::from(w), u32::from(h));
        let rows =
            u16::try_from((STRIP_BYTES / (usize::from(w).max(1) * 4)).max(1)).unwrap_or(u16::MAX);
        let mut y = 0u16;
        while y < h {
            let n = rows.min(h - y);
            let y_signed = i16::try_from(y).map_err(|e| fail(&e))?;
            let mut raw = conn
                .get_image(ImageFormat::Z_PIXMAP, screen.root, 0, y_signed, w, n, !0)
                .map_err(|e| fail(&e))?
                .raw_reply()
                .map_err(|e| fail(&e))?;
            let converted = strip_to_luma(setup, &raw, w, n, &palette);
            raw.zeroize();
            let mut strip = converted.ok_or_else(|| {
                ScreenError::Capture(
                    "the X server sent pixels in a format otp does not read".into(),
                )
            })?;
            let start = usize::from(y) * usize::from(w);
            grey.as_mut()[start..start + strip.len()].copy_from_slice(&strip);
            strip.zeroize();
            y += n;
        }
        Ok(grey)
    }

    /// How a pixel value becomes a grey level on this screen.
    pub(super) enum Palette {
        /// TrueColor / DirectColor: the value holds the colour components.
        Layout(PixelLayout),
        /// A colour map (PseudoColor, GrayScale, ...): grey of each value.
        Table(Vec<u8>),
    }

    impl Palette {
        fn grey(&self, pixel: u32) -> u8 {
            match self {
                Palette::Layout(layout) => {
                    let (r, g, b) = layout.decode(pixel);
                    luma(r, g, b)
                }
                Palette::Table(t) => usize::try_from(pixel)
                    .ok()
                    .and_then(|i| t.get(i))
                    .copied()
                    .unwrap_or(0),
            }
        }
    }

    /// Rec. 601 luma of 16-bit components, as 8 bits.
    fn luma(r: u16, g: u16, b: u16) -> u8 {
        let y = (299 * u32::from(r) + 587 * u32::from(g) + 114 * u32::from(b)) / 1000;
        (y >> 8) as u8
    }

    fn root_visual(screen: &Screen) -> Option<(u8, Visualtype)> {
        screen.allowed_depths.iter().find_map(|d| {
            d.visuals
                .iter()
                .find(|v| v.visual_id == screen.root_visual)
                .map(|v| (d.depth, *v))
        })
    }

    fn palette(conn: &impl Connection, screen: &Screen) -> Result<Palette, ScreenError> {
        let (depth, visual) = root_visual(screen)
            .ok_or_else(|| ScreenError::Capture("the root window has no known visual".into()))?;
        if visual.class == VisualClass::TRUE_COLOR || visual.class == VisualClass::DIRECT_COLOR {
            return PixelLayout::from_visual_type(visual)
                .map(Palette::Layout)
                .map_err(|e| ScreenError::Capture(format!("unreadable colour masks: {e}")));
        }
        if depth > 12 {
            return Err(ScreenError::Capture(format!(
                "a {depth}-bit colour-mapped screen"
            )));
        }
        let pixels: Vec<u32> = (0..1u32 << depth).collect();
        let reply = conn
            .query_colors(screen.default_colormap, &pixels)
            .map_err(|e| ScreenError::Capture(e.to_string()))?
            .reply()
            .map_err(|e| ScreenError::Capture(e.to_string()))?;
        Ok(Palette::Table(
            reply
                .colors
                .iter()
                .map(|c| luma(c.red, c.green, c.blue))
                .collect(),
        ))
    }

    /// The grey levels of a raw GetImage (ZPixmap) reply of `w` × `n`
    /// pixels, or None when its format is not one the setup describes.
    pub(super) fn strip_to_luma(
        setup: &Setup,
        raw: &[u8],
        w: u16,
        n: u16,
        palette: &Palette,
    ) -> Option<Vec<u8>> {
        // The reply: 1, depth, sequence (2), length (4), visual (4), 20
        // bytes of padding, then the pixels.
        let depth = *raw.get(1)?;
        let data = raw.get(32..)?;
        let format = setup.pixmap_formats.iter().find(|f| f.depth == depth)?;
        let pad = ScanlinePad::try_from(format.scanline_pad).ok()?;
        let bpp = BitsPerPixel::try_from(format.bits_per_pixel).ok()?;
        let order = ImageOrder::try_from(setup.image_byte_order).ok()?;
        let pad_bits = usize::from(format.scanline_pad).max(8);
        let row_bits = usize::from(w) * usize::from(format.bits_per_pixel);
        let stride = row_bits.div_ceil(pad_bits) * pad_bits / 8;
        let need = stride * usize::from(n);
        let data = data.get(..need)?;
        let img = Image::new(
            w,
            n,
            pad,
            depth,
            bpp,
            order,
            std::borrow::Cow::Borrowed(data),
        )
        .ok()?;
        let mut out = Vec::with_capacity(usize::from(w) * usize::from(n));
        for y in 0..n {
            for x in 0..w {
                out.push(palette.grey(img.get_pixel(x, y)));
            }
        }
        Some(out)
    }

    #[cfg(test)]
    mod tests {
        use std::borrow::Cow;

        use x11rb::image::ColorComponent;
        use x11rb::protocol::xproto::{Format, ImageOrder as Order, Setup};

        use super::*;

        fn setup(depth: u8, bpp: u8, order: Order) -> Setup {
            Setup {
                image_byte_order: order,
                pixmap_formats: vec![Format {
                    depth,
                    bits_per_pixel: bpp,
                    scanline_pad: 32,
                }],
                ..Setup::default()
            }
        }

        /// A GetImage reply of `img`, as the server sends it.
        fn reply(depth: u8, img: &Image<'_>) -> Vec<u8> {
            let mut raw = vec![0u8; 32];
            raw[0] = 1;
            raw[1] = depth;
            raw.extend_from_slice(img.data());
            raw
        }

        #[test]
        fn true_colour_formats_give_the_same_grey() {
            // 24-bit in 32 (the usual), 24 packed, and 16-bit (5-6-5);
            // both byte orders; a width whose rows need padding.
            let (w, h) = (5u16, 3u16);
            let colour =
                |x: u16, y: u16| -> (u16, u16, u16) { (x * 12000, y * 20000, (x + y) * 9000) };
            for (depth, bpp, layout) in [
                (24, BitsPerPixel::B32, (8, 16, 8, 8, 8, 0)),
                (24, BitsPerPixel::B24, (8, 16, 8, 8, 8, 0)),
                (16, BitsPerPixel::B16, (5, 11, 6, 5, 5, 0)),
            ] {
                let (rw, rs, gw, gs, bw, bs) = layout;
                let layout = PixelLayout::new(
                    ColorComponent::new(rw, rs).unwrap(),
                    ColorComponent::new(gw, gs).unwrap(),
                    ColorComponent::new(bw, bs).unwrap(),
                );
                for order in [ImageOrder::LsbFirst, ImageOrder::MsbFirst] {
                    let mut img = Image::allocate(w, h, ScanlinePad::Pad32, depth, bpp, order);
                    for y in 0..h {
                        for x in 0..w {
                            img.put_pixel(x, y, layout.encode(colour(x, y)));
                        }
                    }
                    let xorder = match order {
                        ImageOrder::LsbFirst => Order::LSB_FIRST,
                        ImageOrder::MsbFirst => Order::MSB_FIRST,
                    };
                    let got = strip_to_luma(
                        &setup(depth, u8::from(bpp), xorder),
                        &reply(depth, &img),
                        w,
                        h,
                        &Palette::Layout(layout),
                    )
                    .unwrap();
                    let want: Vec<u8> = (0..h)
                        .flat_map(|y| (0..w).map(move |x| (x, y)))
                        .map(|(x, y)| {
                            let (r, g, b) = layout.decode(layout.encode(colour(x, y)));
                            luma(r, g, b)
                        })
                        .collect();
                    assert_eq!(got, want, "depth {depth} {bpp:?} {order:?}");
                    // Quantised to the format's bits, the grey is still
                    // close to that of the full colour.
                    let exact: Vec<u8> = (0..h)
                        .flat_map(|y| (0..w).map(move |x| (x, y)))
                        .map(|(x, y)| {
                            let (r, g, b) = colour(x, y);
                            luma(r, g, b)
                        })
                        .collect();
                    assert!(got.iter().zip(&exact).all(|(a, b)| a.abs_diff(*b) <= 8));
                }
            }
        }

        #[test]
        fn colour_mapped_screens_use_the_table() {
            let mut img = Image::allocate(
                3,
                2,
                ScanlinePad::Pad32,
                8,
                BitsPerPixel::B8,
                ImageOrder::LsbFirst,
            );
            for (i, (x, y)) in [(0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (2, 1)]
                .into_iter()
                .enumerate()
            {
                img.put_pixel(x, y, i as u32);
            }
            let table: Vec<u8> = (0..=255u8).map(|v| 255 - v).collect();
            let got = strip_to_luma(
                &setup(8, 8, Order::LSB_FIRST),
                &reply(8, &img),
                3,
                2,
                &Palette::Table(table),
            )
            .unwrap();
            assert_eq!(got, [255, 254, 253, 252, 251, 250]);
        }

        #[test]
        fn short_or_foreign_replies_are_refused() {
            let img = Image::new(
                2,
                2,
                ScanlinePad::Pad32,
                24,
                BitsPerPixel::B32,
                ImageOrder::LsbFirst,
                Cow::Owned(vec![0; 16]),
            )
            .unwrap();
            let layout = PixelLayout::new(
                ColorComponent::new(8, 16).unwrap(),
                ColorComponent::new(8, 8).unwrap(),
                ColorComponent::new(8, 0).unwrap(),
            );
            let s = setup(24, 32, Order::LSB_FIRST);
            let full = reply(24, &img);
            let p = Palette::Layout(layout);
            assert!(strip_to_luma(&s, &full, 2, 2, &p).is_some());
            assert!(strip_to_luma(&s, &full[..full.len() - 1], 2, 2, &p).is_none());
            assert!(strip_to_luma(&s, &full[..20], 2, 2, &p).is_none());
            let mut other_depth = full.clone();
            other_depth[1] = 15;
            assert!(strip_to_luma(&s, &other_depth, 2, 2, &p).is_none());
        }
    }
}

#[cfg(not(all(
    unix,
    not(any(target_os = "macos", target_os = "android", target_os = "emscripten"))
)))]
mod x11 {
    use super::{Capture, ScreenError};

    pub const SUPPORTED: bool = false;

    pub fn capture(_display: &str) -> Result<Vec<Capture>, ScreenError> {
        Err(ScreenError::Unsupported)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_display_is_a_clear_error() {
        assert_eq!(capture(None, false).unwrap_err(), ScreenError::NoDisplay);
        assert_eq!(
            capture(Some(""), false).unwrap_err(),
            ScreenError::NoDisplay
        );
        assert_eq!(capture(None, true).unwrap_err(), ScreenError::WaylandOnly);
    }

    #[test]
    fn an_unreachable_display_is_an_error_not_a_panic() {
        // Display numbers no server listens on; the second overflows the
        // TCP port x11rb computes.
        for display in [":59999", ":65000", "nonsense"] {
            let err = capture(Some(display), false).unwrap_err();
            assert!(matches!(err, ScreenError::Connect(_)), "{display}: {err:?}");
        }
    }

    #[test]
    fn captures_are_zeroized_when_dropped() {
        let mut c = Capture {
            name: "screen 0".into(),
            image: GrayImage::from_pixel(4, 4, image::Luma([200])),
        };
        // What Drop does, observed before the memory is freed.
        c.wipe();
        assert!(c.image.iter().all(|&p| p == 0));
    }
}
