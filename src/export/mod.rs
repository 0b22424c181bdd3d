//! Getting accounts out: every export format, the backup file and its
//! folder, and the pure half of `otp recover`.
//!
//! - [`backup`]: the self-describing TOML document inside an encrypted
//!   backup (`otp export`, `otp backup`, safety-net snapshots).
//! - [`files`]: backup file names (which carry the non-secret metadata that
//!   `otp status` and retention read without any key) and the retention rule.
//! - [`json`]: otp's versioned JSON schema (`--format json`).
//! - [`aegis`]: Aegis vault JSON, plain or password-encrypted.
//! - [`restore`]: the "no existing account" check of `otp recover`.
//! - [`sealed`]: the passphrase-sealed key a backup carries in its header.
//! - [`sheet`]: the printable emergency sheet (`--format sheet`) and the
//!   check of a sheet read back (`otp drill --sheet`).
//!
//! Everything here is pure: time, randomness and keys come in as arguments.

pub mod aegis;
pub mod backup;
pub mod files;
pub mod json;
pub mod restore;
pub mod sealed;
pub mod sheet;

use zeroize::Zeroizing;

use crate::model::Account;

/// `otp export --format uris`: one otpauth:// URI per account and line.
pub fn uris(accounts: &[Account]) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::new());
    for a in accounts {
        out.push_str(&crate::uri::format(&a.to_entry()));
        out.push('\n');
    }
    out
}

/// The version string written into exports.
pub fn tool_version() -> String {
    format!("otp {}", env!("CARGO_PKG_VERSION"))
}
