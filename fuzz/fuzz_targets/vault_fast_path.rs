//! The fast path of `otp code` against the full parse (differential).
//! The check is `otp_fuzz::vault_fast_path` (fuzz/checks.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| otp_fuzz::vault_fast_path(data));
