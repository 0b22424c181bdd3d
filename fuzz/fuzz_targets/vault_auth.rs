//! The authenticated-version format of the vault: tags, their checks and
//! version vectors. The check is `otp_fuzz::vault_auth` (fuzz/checks.rs).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| otp_fuzz::vault_auth(data));
