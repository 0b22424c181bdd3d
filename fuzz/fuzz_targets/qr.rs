//! The QR decoder (crates/qr, through src/qr.rs) on any bytes as an image.
//! The check is `otp_fuzz::qr` (fuzz/checks.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| otp_fuzz::qr(data));
