//! Whether a version of the vault that arrives from outside — the sync
//! remote, the other side of a `git pull`, a file-sync conflict copy — may
//! be taken (docs/sync.md, "What the remote can and cannot do").
//!
//! Trusted: the vault on this machine (its own file, read under its lock)
//! and the key it carries (src/model/auth.rs). Not trusted: everything
//! else. A version is taken only when it is tagged with this vault's key
//! and is not older than this machine's (its version vector is not
//! dominated by this machine's), and a passphrase key file only when such a
//! version names it by its hash. Everything else is refused with exit 6,
//! before anything is written.
//!
//! The one exception is the first exchange after otp learnt to
//! authenticate: a vault on this machine with no key yet takes the key
//! of a version that carries one and is tagged with it (trust on first
//! use), provided it has this vault's id and adds no recipient.

use anyhow::Result;

use crate::error::{Code, Fail};
use crate::model::Vault;
use crate::model::auth::{self, Order, Proof};
use crate::text::sanitize;

/// A version from outside that may be taken.
pub struct Vetted {
    pub vault: Vault,
    pub order: Order,
    /// This machine had no key: the version's key was taken on first use.
    pub first_use: bool,
}

/// Why a version from outside was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// Tagged, but not with this vault's key (or not tagged right).
    Forged,
    /// No tag or no key: not proven to come from one of the user's machines.
    Unproven,
    /// Authentic but older than this machine's version: a rollback.
    RolledBack,
    /// A passphrase key file that no authenticated version names.
    ForeignKeyFile,
    /// First use of a key, but the version adds recipients or is of
    /// another vault id.
    FirstUseRefused,
}

impl Why {
    pub fn says(self) -> &'static str {
        match self {
            Why::Forged => {
                "is forged: it is not tagged with this vault's authentication key, so none of your machines wrote it"
            }
            Why::Unproven => {
                "carries no proof that one of your machines wrote it (no authentication tag): it was written by someone else, or by an otp older than this one"
            }
            Why::RolledBack => {
                "is an older version of the vault offered as new (a rollback): this machine already has everything in it and more"
            }
            Why::ForeignKeyFile => {
                "comes with a passphrase key file that no version of the vault from your machines names (a foreign or replayed key file)"
            }
            Why::FirstUseRefused => {
                "brings the vault's first authentication key, but also a recipient this machine never had or another vault id; it is not taken on first use"
            }
        }
    }

    /// The short word `otp status` shows.
    pub fn word(self) -> &'static str {
        match self {
            Why::Forged => "forged",
            Why::Unproven => "unauthenticated",
            Why::RolledBack => "rolled back",
            Why::ForeignKeyFile => "foreign key file",
            Why::FirstUseRefused => "unauthenticated",
        }
    }
}

/// The refusal, exit 6: `what` (e.g. "the remote's vault at commit
/// 1234abc") and why; `hint` says the way out.
pub fn refusal(what: &str, why: Why, hint: &str) -> anyhow::Error {
    Fail::new(
        Code::Unproven,
        format!(
            "{} {}; nothing was written here and nothing was pushed",
            sanitize(what),
            why.says()
        ),
    )
    .hint(hint)
    .into()
}

/// Checks `theirs` (parsed from the plaintext `text`) against `ours`, the
/// vault on this machine, or `None` when this machine cannot open its own
/// version (its key was added on another machine since).
pub fn vet(ours: Option<&Vault>, theirs: Vault, text: &str) -> Result<Vetted, Why> {
    let ours_key = ours.and_then(|o| o.auth_key.as_ref());
    match ours_key {
        Some(_) => {
            let ours = ours.expect("has a key");
            match theirs.proof(text, ours) {
                Proof::Authentic => {}
                Proof::Unsealed => return Err(Why::Unproven),
                Proof::Forged => return Err(Why::Forged),
            }
            let order = theirs.order_against(ours);
            if order == Order::Older {
                return Err(Why::RolledBack);
            }
            Ok(Vetted {
                vault: theirs,
                order,
                first_use: false,
            })
        }
        None => {
            if theirs.auth_key.is_none() {
                // Neither side has a key yet: as before authentication
                // existed (the caller makes one and says so).
                let order = match ours {
                    Some(o) => theirs.order_against(o),
                    None => Order::Newer,
                };
                return Ok(Vetted {
                    vault: theirs,
                    order: if order == Order::Older {
                        Order::Diverged
                    } else {
                        order
                    },
                    first_use: false,
                });
            }
            if !auth::self_consistent(text, theirs.auth_key.as_ref()) {
                return Err(Why::Forged);
            }
            if let Some(ours) = ours {
                let other_id = match (&ours.vault_id, &theirs.vault_id) {
                    (Some(a), Some(b)) => a != b,
                    (Some(_), None) => true,
                    _ => false,
                };
                let new_recipient = theirs
                    .recipients
                    .iter()
                    .any(|r| !ours.recipients.contains(r));
                if other_id || new_recipient {
                    return Err(Why::FirstUseRefused);
                }
            }
            Ok(Vetted {
                vault: theirs,
                order: Order::Diverged,
                first_use: true,
            })
        }
    }
}

/// Whether the key file `data` from outside may be taken with the vetted
/// version `theirs`: it must be the one `theirs` names.
pub fn key_file_named(theirs: &Vault, data: &[u8]) -> bool {
    theirs
        .key_file_hash
        .as_deref()
        .is_some_and(|h| h == auth::file_hash(data))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{sealed, vault};

    #[test]
    fn only_newer_or_parallel_versions_tagged_with_our_key_pass() {
        let ours = vault(1);
        let mut newer = ours.clone();
        newer.next_version("bb", [2; 8]);
        let (v, t) = sealed(&newer);
        assert_eq!(vet(Some(&ours), v, &t).unwrap().order, Order::Newer);
        let (v, t) = sealed(&ours);
        assert_eq!(vet(Some(&ours), v, &t).unwrap().order, Order::Same);
        // Ours moved on: the old one is a rollback.
        let mut moved = ours.clone();
        moved.next_version("aa", [3; 8]);
        let (v, t) = sealed(&ours);
        assert_eq!(vet(Some(&moved), v, &t).err(), Some(Why::RolledBack));
        // Another key; no key; no tag.
        let (v, t) = sealed(&vault(2));
        assert_eq!(vet(Some(&ours), v, &t).err(), Some(Why::Forged));
        let mut keyless = ours.clone();
        keyless.auth_key = None;
        let (v, t) = sealed(&keyless);
        assert_eq!(vet(Some(&ours), v, &t).err(), Some(Why::Unproven));
        let body = ours.to_toml();
        let v = Vault::parse(&body).unwrap();
        assert_eq!(vet(Some(&ours), v, &body).err(), Some(Why::Unproven));
    }

    #[test]
    fn first_use_takes_a_key_only_for_this_vault_and_its_recipients() {
        let mut ours = vault(1);
        ours.auth_key = None;
        let (v, t) = sealed(&vault(5));
        let got = vet(Some(&ours), v, &t).unwrap();
        assert!(got.first_use);
        let mut extra = vault(5);
        extra.recipients.push("age1attacker".into());
        let (v, t) = sealed(&extra);
        assert_eq!(vet(Some(&ours), v, &t).err(), Some(Why::FirstUseRefused));
        let mut other = vault(5);
        other.vault_id = Some("ff".repeat(16));
        let (v, t) = sealed(&other);
        assert_eq!(vet(Some(&ours), v, &t).err(), Some(Why::FirstUseRefused));
        // A key the file is not tagged with.
        let (v, t) = sealed(&vault(5));
        let t = format!(
            "tag = \"{}\"\n{}",
            "0".repeat(64),
            auth::split(&t).unwrap().1
        );
        assert_eq!(vet(Some(&ours), v, &t).err(), Some(Why::Forged));
    }

    #[test]
    fn a_key_file_is_taken_only_when_named() {
        let mut v = vault(1);
        assert!(!key_file_named(&v, b"k"));
        v.key_file_hash = Some(auth::file_hash(b"k"));
        assert!(key_file_named(&v, b"k"));
        assert!(!key_file_named(&v, b"other"));
    }
}
