//! The fast path of `otp code` against the full parse (differential).
//! The check is `otp::fuzzing::vault_fast_path` (src/fuzzing.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| otp::fuzzing::vault_fast_path(data));
