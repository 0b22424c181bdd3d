//! What the importers share: crypto wrappers with KDF cost caps, entry
//! building and validation, leak-free JSON access, the container formats
//! apps store accounts in (SQLite, SQLCipher, zip, Android preferences, Java
//! serialization), otpauth URIs as apps write them, text files and images of
//! links, and test support.

pub(crate) mod crypto;
pub(crate) mod csv;
pub(crate) mod entry;
pub(crate) mod freeotp_token;
pub(crate) mod javaser;
pub(crate) mod json;
pub(crate) mod links;
pub(crate) mod otpauth;
pub(crate) mod prefs;
pub(crate) mod sqlcipher;
pub(crate) mod sqlite;
#[cfg(test)]
pub(crate) mod testkit;
pub(crate) mod zipfile;
