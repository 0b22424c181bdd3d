//! Every importer's parser (src/import/).
//! The check is `otp::fuzzing::import` (src/fuzzing.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| otp::fuzzing::import(data));
