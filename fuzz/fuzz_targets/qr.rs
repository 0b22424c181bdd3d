//! The QR decoder (src/qr) on any bytes as an image.
//! The check is `otp::fuzzing::qr` (src/fuzzing.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| otp::fuzzing::qr(data));
