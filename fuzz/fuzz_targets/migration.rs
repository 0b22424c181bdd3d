//! Google Authenticator migration links and payloads.
//! The check is `otp_fuzz::migration` (fuzz/checks.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| otp_fuzz::migration(data));
