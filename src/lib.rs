//! `otp`: a terminal authenticator that keeps TOTP/HOTP/Steam secrets in an
//! age-encrypted TOML vault.
//!
//! Data flows: CLI (`cli`) → command (`cmd`) → vault (`vault`: lock →
//! decrypt → change → encrypt → atomic save) → pure logic (`model`, `otp`,
//! `uri`, `import`) → output. Only `cmd` and `term` touch the clock, the
//! terminal and the disk.

#![forbid(unsafe_code)]

pub mod agent;
pub mod cli;
pub mod clipboard;
pub mod cmd;
pub mod complete;
pub mod config;
pub mod contain;
pub mod docs;
pub mod error;
pub mod export;
#[doc(hidden)]
pub mod fuzzing;
pub mod harden;
pub mod import;
pub mod migration;
pub mod model;
pub mod otp;
pub mod qr;
pub mod screen;
pub mod term;
pub mod text;
pub mod uri;
pub mod vault;
