//! otpauth:// URIs: parse, and round trip through otp's own URI.
//! The check is `otp_fuzz::otpauth_uri` (fuzz/checks.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| otp_fuzz::otpauth_uri(data));
