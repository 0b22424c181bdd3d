//! Panic containment for third-party code fed untrusted input: a panic in
//! it becomes "could not read this", never a crash, and never the default
//! `thread 'main' panicked at …` message on the user's terminal. It lives
//! in the QR crate (crates/qr/src/contain.rs, where it guards rqrr and the
//! image decoders, and where its tests are); the rest of otp (the X11
//! connection of `--screen`) uses it from here.

pub use otp_qr::contain::contained;
