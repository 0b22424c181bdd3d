//! `otp`: a terminal authenticator that keeps TOTP/HOTP/Steam secrets in an
//! age-encrypted TOML vault.
//!
//! Data flows: CLI (`cli`) → command (`cmd`) → vault (`vault`: lock →
//! decrypt → change → encrypt → atomic save) → pure logic (`model`, `otp`,
//! `uri`, `import`, `export`) → output.
//!
//! The modules form layers, lowest first. A module uses its own layer and
//! the ones below, never one above, and no two modules use each other, even
//! through others. This list is the one place the layers are written:
//! tests/layers.rs reads it and checks both rules against the code.
//!
//! 1. foundation: `model` (accounts, the vault document, label identity,
//!    QUERY resolution, what a reader yields, the otp-json schema), `text`
//!    (text made safe for a terminal), `duration` (durations for people), `base64`,
//!    `error`, `contain`, `harden`;
//! 2. pure logic: `otp`, `uri`, `migration`, `qr`, `import`, `export`:
//!    bytes, time and randomness come in as arguments;
//! 3. storage: `vault` (keys, lock and atomic save, the fast path of
//!    `otp code`, merging two copies), `config`;
//! 4. the outside world: `term` (the terminal), `clipboard`, `screen`,
//!    `agent`, `picker` (the live list of codes on the terminal);
//! 5. commands: `cmd` (one file per command; the clock, the environment,
//!    where a passphrase comes from), `complete`, `cli`, `docs`.
//!
//! Only `term` and the command layer prompt or print; the storage layer
//! reads and writes the vault's files and asks `cmd` for what it needs
//! (a passphrase through `vault::keys::AskPassphrase`).

#![forbid(unsafe_code)]

pub mod agent;
pub mod base64;
pub mod cli;
pub mod clipboard;
pub mod cmd;
pub mod complete;
pub mod config;
pub mod contain;
pub mod docs;
pub mod duration;
pub mod error;
pub mod export;
pub mod harden;
pub mod import;
pub mod migration;
pub mod model;
pub mod otp;
pub mod picker;
pub mod qr;
pub mod screen;
pub mod term;
pub mod text;
pub mod uri;
pub mod vault;
