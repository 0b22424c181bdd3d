//! QR codes for otp: reading OTP links out of images ([`decode_image`]) and
//! drawing links as codes for a phone to scan ([`to_terminal`], [`to_png`],
//! [`to_svg`]).
//!
//! A crate of its own so that a debug build (the tests' build) can compile
//! this pixel-by-pixel code optimised (`[profile.dev.package.otp-qr]` in the
//! workspace's Cargo.toml), as it does rqrr and image: unoptimised, reading
//! one test image takes seconds. otp uses it through its `qr` module
//! (src/qr.rs), which tells it how to recognise one part of a
//! Google Authenticator export split over several codes ([`PartOf`]).

mod binarize;
pub mod contain;
mod decode;
mod encode;
mod finder;
mod geometry;
mod modules;
mod picture;
mod sample;
#[cfg(test)]
mod tests;

use std::fmt;

pub use decode::{
    Decoded, Part, PartOf, decode_image, decode_image_all, decode_image_traced, decode_luma,
    decode_luma_all, is_otp,
};
pub use encode::{to_png, to_svg, to_terminal};

/// Why no OTP link came out of an image. Messages never contain payloads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QrError {
    /// Not a PNG, JPEG, WebP, GIF or BMP file.
    NotImage,
    /// An image file that could not be decoded; the text says why.
    Corrupt(String),
    /// Wider or taller than we are willing to decode.
    TooLarge,
    /// No QR code could be read.
    NoCode,
    /// QR codes were read, but none holds an OTP link.
    NotOtp,
    /// The text is too long for a QR code.
    TooLong,
}

impl fmt::Display for QrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QrError::NotImage => write!(
                f,
                "not an image this program reads (PNG, JPEG, WebP, GIF or BMP)"
            ),
            QrError::Corrupt(why) => write!(f, "the image is damaged: {why}"),
            QrError::TooLarge => write!(f, "the image is too large to decode"),
            QrError::NoCode => write!(
                f,
                "no QR code found in the image (try a sharper, closer or larger picture of the code)"
            ),
            QrError::NotOtp => write!(
                f,
                "a QR code was found but it is not an otpauth:// or otpauth-migration:// link"
            ),
            QrError::TooLong => write!(f, "the text is too long for a QR code"),
        }
    }
}

impl std::error::Error for QrError {}
