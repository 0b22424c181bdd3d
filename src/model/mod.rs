//! The data model, at the bottom of the layers (src/lib.rs):
//! pure types and rules every other layer shares, with no I/O.
//!
//! - `account`: what an account is (`Secret`, `Token`, `Entry`, `Account`),
//!   in the vault and on its way in;
//! - `vault`: the vault document (`Vault`, `Roles`, `Trashed`), the
//!   plaintext of `vault.age`, and its ids;
//! - [`auth`]: proof that a version of the vault came from one of the
//!   user's machines (its tag), and which of two versions is newer;
//! - [`record`]: which version of the vault at its own path this machine
//!   last wrote or accepted, and the check every open makes against it;
//! - `parsed`: what reading a file of accounts yields (`Parsed`,
//!   `Skipped`);
//! - [`label`](mod@label): label identity, when two labels are the same;
//! - [`query`]: how a QUERY picks one account;
//! - [`otp_json`]: otp's JSON export schema (written by `export`, read by
//!   `import`).

mod account;
pub mod auth;
pub mod label;
pub mod otp_json;
mod parsed;
pub mod query;
pub mod record;
mod vault;

pub use account::{
    Account, Algorithm, DEFAULT_DIGITS, DEFAULT_PERIOD, Entry, Generator, Kind, MOTP_DIGITS,
    MOTP_PERIOD, ModelError, Pin, RecoveryCode, STEAM_DIGITS, Secret, Token, YANDEX_DIGITS,
    YANDEX_KEY_LEN, YANDEX_PERIOD, label,
};
pub use parsed::{Parsed, Skipped};
pub use vault::{
    Roles, SCHEMA_VERSION, Trashed, Vault, id_from_bytes, same_label, vault_id_from_bytes,
};

/// Vaults for unit tests of the version checks (model::record and the
/// sync's vetting): keyed with `key`, one version written by "aa".
#[cfg(test)]
pub(crate) mod fixtures {
    use super::Vault;

    pub(crate) fn vault(key: u8) -> Vault {
        let mut v = Vault::new(vec!["age1a".into()]);
        v.ensure_id(|| [1; 16]);
        v.ensure_auth_key(|| [key; 32]);
        v.next_version("aa", [1; 8]);
        v
    }

    /// `v` sealed (tag line first) and read back, with its text.
    pub(crate) fn sealed(v: &Vault) -> (Vault, String) {
        let text = v.to_sealed_toml().to_string();
        (Vault::parse(&text).unwrap(), text)
    }
}
