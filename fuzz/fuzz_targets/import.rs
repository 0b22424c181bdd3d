//! Every importer's parser (src/import/).
//! The check is `otp_fuzz::import` (fuzz/checks.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| otp_fuzz::import(data));
