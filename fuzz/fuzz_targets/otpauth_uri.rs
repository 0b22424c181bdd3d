//! otpauth:// URIs: parse, and round trip through otp's own URI.
//! The check is `otp::fuzzing::otpauth_uri` (src/fuzzing.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| otp::fuzzing::otpauth_uri(data));
