//! The authenticated-version format of the vault: tags, their checks and
//! version vectors. The check is `otp::fuzzing::vault_auth` (src/fuzzing.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| otp::fuzzing::vault_auth(data));
