//! Reading accounts out of other apps' files.
//!
//! Every format is one file in this folder exposing a [`Format`]: a cheap
//! content sniff and a pure parser from bytes (plus a password callback) to
//! [`Parsed`] (`model`). The command layer picks the format (auto-detected or forced
//! with `--format`), asks for passwords, and merges the result into the
//! vault with the duplicate and conflict rules of `plan`.

use std::fmt;

use zeroize::Zeroizing;

pub mod plan;

use crate::model::Parsed;

// Importers for app exports, files and databases.
pub mod aegis;
pub mod andotp;
pub mod authenticator_plus;
pub mod authy;
pub mod battlenet;
pub mod bitwarden;
pub mod cotp;
pub mod duo;
pub mod ente;
pub mod freeotp;
pub mod freeotp_plus;
pub mod google_authenticator;
pub mod lastpass;
pub mod microsoft_authenticator;
pub mod migration_text;
pub mod otp_json;
pub mod proton;
pub mod qr_image;
mod shared;
pub mod steam;
pub mod stratum;
pub mod totp_authenticator;
pub mod twofas;
pub mod uri_list;
pub mod winauth;

#[derive(Debug)]
pub enum ImportError {
    /// The file is encrypted and no password was available.
    NeedPassword,
    /// Decryption failed: wrong password (or a damaged file).
    WrongPassword,
    /// The file is of this format but broken; the text says where and how.
    Malformed(String),
    /// A variant of the format we do not read, and why.
    Unsupported(String),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::NeedPassword => {
                write!(f, "the file is encrypted and no password was given")
            }
            ImportError::WrongPassword => write!(f, "wrong password (or the file is damaged)"),
            ImportError::Malformed(m) => write!(f, "malformed file: {m}"),
            ImportError::Unsupported(m) => write!(f, "unsupported: {m}"),
        }
    }
}

impl std::error::Error for ImportError {}

impl ImportError {
    pub fn malformed(m: impl Into<String>) -> Self {
        ImportError::Malformed(m.into())
    }
}

/// Asks for a password when a format needs one. `what` names the file or
/// slot, for the prompt. Returns `Err(NeedPassword)` when none can be had.
pub type Passwords<'a> = dyn FnMut(&str) -> Result<Zeroizing<String>, ImportError> + 'a;

/// One importable format.
pub struct Format {
    /// The `--format` name (lowercase, dashes).
    pub name: &'static str,
    /// What users call it, for messages.
    pub title: &'static str,
    /// Cheap check on the content: is this file probably of this format?
    pub detect: fn(&[u8]) -> bool,
    /// Pure parse. Never panics, whatever the bytes.
    pub parse: fn(&[u8], &mut Passwords<'_>) -> Result<Parsed, ImportError>,
}

/// All formats, most specific first: detection tries them in this order.
pub static FORMATS: &[Format] = &[
    // Images, by their magic bytes.
    qr_image::FORMAT,
    // Formats recognised by their own structure (otp's own JSON by its
    // "format": "otp-json" marker).
    otp_json::FORMAT,
    aegis::FORMAT,
    twofas::FORMAT,
    bitwarden::FORMAT,
    proton::FORMAT,
    google_authenticator::FORMAT,
    microsoft_authenticator::FORMAT,
    stratum::FORMAT,
    freeotp::FORMAT,
    freeotp_plus::FORMAT,
    authy::FORMAT,
    battlenet::FORMAT,
    steam::FORMAT,
    duo::FORMAT,
    authenticator_plus::FORMAT,
    winauth::FORMAT,
    ente::FORMAT,
    lastpass::FORMAT,
    cotp::FORMAT,
    // Loose sniffs (binary andOTP by its iteration count, TOTP
    // Authenticator by base64 of whole AES blocks): after every exact one.
    andotp::FORMAT,
    totp_authenticator::FORMAT,
    // Generic text formats last.
    migration_text::FORMAT,
    uri_list::FORMAT,
];

/// The format whose `--format` name is `name`.
pub fn by_name(name: &str) -> Option<&'static Format> {
    FORMATS.iter().find(|f| f.name == name)
}

/// The first format whose sniff accepts `data`.
pub fn detect(data: &[u8]) -> Option<&'static Format> {
    FORMATS.iter().find(|f| (f.detect)(data))
}
