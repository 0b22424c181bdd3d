//! Google Authenticator migration links and payloads.
//! The check is `otp::fuzzing::migration` (src/fuzzing.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| otp::fuzzing::migration(data));
