//! One check, for the shipped build. `cargo build-static` and
//! `cargo install-static` (.cargo/config.toml) ask for a static executable
//! through the target's rustflags, which cargo silently ignores whenever
//! RUSTFLAGS (or CARGO_ENCODED_RUSTFLAGS, or `build.rustflags`) is set: the
//! result would be an ordinary dynamically linked binary. The aliases also
//! set OTP_EXPECT_STATIC=1; with it, a build whose target is not static stops
//! here and says why, instead.

use std::env;
use std::process::ExitCode;

fn main() -> ExitCode {
    println!("cargo::rerun-if-env-changed=OTP_EXPECT_STATIC");
    if env::var_os("OTP_EXPECT_STATIC").is_none_or(|v| v.is_empty()) {
        return ExitCode::SUCCESS;
    }
    let features = env::var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default();
    if features.split(',').any(|f| f == "crt-static") {
        return ExitCode::SUCCESS;
    }
    // Build scripts inherit RUSTFLAGS; cargo's own CARGO_ENCODED_RUSTFLAGS
    // here is whatever won, so it cannot tell the sources apart.
    let cause = if env::var_os("RUSTFLAGS").is_some_and(|v| !v.is_empty()) {
        "RUSTFLAGS is set, and cargo then ignores the target's rustflags"
    } else {
        "CARGO_ENCODED_RUSTFLAGS or a `build.rustflags` setting overrides the target's rustflags"
    };
    eprintln!(
        "error: this build would not be static ({cause}), so it would not be the \
         binary `cargo build-static` / `cargo install-static` promise.\n\
         hint: unset it and run again, or add `-C target-feature=+crt-static` to it; \
         or build an ordinary binary with `cargo build --release` / `cargo install --path .`"
    );
    ExitCode::FAILURE
}
