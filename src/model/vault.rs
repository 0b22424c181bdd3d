//! The vault document: the plaintext of `vault.age` (schema version 1),
//! its accounts and trash, and the ids it hands out. Pure: text in, text
//! out; unlocking, reading and saving the file is the storage layer's
//! (src/vault/).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::auth::{self, AuthKey};
use super::query::resolve;
use super::{Account, label};
use crate::error::Fail;

pub const SCHEMA_VERSION: u32 = 1;

/// The plaintext of `vault.age`.
///
/// Field order is the file's layout, and the fast path of `otp code`
/// (src/vault/index.rs) reads only that exact layout (its `TOP`, `ACCOUNT`, `CODE`
/// and `TRASH` field lists), falling back to a full parse for anything
/// else. A field added here must be added there too, or every `otp code`
/// takes the slow path (index's tests check that the writer's output is
/// read).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vault {
    pub version: u32,
    /// Bumped by every change; backups record it so staleness is a subtraction.
    #[serde(default)]
    pub changes: u64,
    /// This vault's identity: random, made by `otp init` (or on the first
    /// save of a vault written before it existed) and never changed. Every
    /// backup and snapshot carries it, so `otp recover` can tell an undo of
    /// this vault from a file of another one with the same key, and
    /// retention prunes only this vault's backups.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vault_id: Option<String>,
    /// Everyone the vault is encrypted to (age, SSH or plugin recipients).
    #[serde(default)]
    pub recipients: Vec<String>,
    /// What some of `recipients` are (recovery key, key file): written in
    /// the vault's top table, and in every backup's `[backup]` table.
    #[serde(flatten)]
    pub roles: Roles,
    /// When `otp drill` last ran, and what it found (`passed`, `passed with
    /// the vault's own key`, or `failed: …`). Recorded without counting as
    /// a change: no account changed.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub last_drill: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_drill_result: Option<String>,
    /// The key that tags every version of this vault (src/model/auth.rs):
    /// random, made by `otp init` or on the first save of an older vault,
    /// written nowhere but here, inside the encrypted vault.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth_key: Option<AuthKey>,
    /// A random id of the change that made this version: an undo snapshot
    /// names it, and applies only to the version it was taken of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_id: Option<String>,
    /// The change id of the version this one was made from (the chain):
    /// an undo snapshot applies only when it holds that version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_change: Option<String>,
    /// The version vector, `writer:count` for each machine that wrote the
    /// vault ([`auth::order`] tells newer from older from diverged).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<String>,
    /// The SHA-256 of the passphrase key file (`vault.identity.age`) that
    /// goes with this version: a key file from outside is taken only when
    /// an authenticated vault names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_file_hash: Option<String>,
    /// When `otp export --format sheet` last wrote an emergency sheet, and
    /// when `otp drill --sheet` last read one back, with what it found
    /// (`passed: …` or `failed: …`). Recorded without counting as a change.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub sheet_printed: Option<OffsetDateTime>,
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub sheet_drill: Option<OffsetDateTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet_drill_result: Option<String>,
    #[serde(default)]
    pub accounts: Vec<Account>,
    #[serde(default)]
    pub trash: Vec<Trashed>,
    /// The change id the next saved version will have, chosen before a
    /// command changes the vault so that the safety-net snapshot it takes
    /// can name the change it undoes. Never written.
    #[serde(skip)]
    pub pending_change: Option<String>,
}

/// A deleted account, kept until purged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trashed {
    #[serde(with = "time::serde::rfc3339")]
    pub deleted: OffsetDateTime,
    pub account: Account,
}

/// Which of a vault's recipients play a role: the break-glass recovery key
/// and the passphrase-protected key file's. The vault and its backups
/// (in their `[backup]` table) both carry it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roles {
    /// Which of `recipients` is the break-glass recovery key (`otp recovery-key`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recovery: Option<String>,
    /// When the last recovery key was revoked: backups older than this still
    /// open with it, and `otp status` says so.
    #[serde(
        default,
        with = "time::serde::rfc3339::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub recovery_revoked: Option<OffsetDateTime>,
    /// Which of `recipients` belongs to the passphrase-protected key file
    /// (`vault.identity.age`), so `otp passwd --identity` can replace it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_file_recipient: Option<String>,
}

impl Vault {
    pub fn new(recipients: Vec<String>) -> Self {
        Vault {
            version: SCHEMA_VERSION,
            changes: 0,
            vault_id: None,
            recipients,
            roles: Roles::default(),
            last_drill: None,
            last_drill_result: None,
            auth_key: None,
            change_id: None,
            previous_change: None,
            versions: Vec::new(),
            key_file_hash: None,
            sheet_printed: None,
            sheet_drill: None,
            sheet_drill_result: None,
            accounts: Vec::new(),
            trash: Vec::new(),
            pending_change: None,
        }
    }

    /// Gives the vault an authentication key if it has none; `random`
    /// supplies the bytes. Returns whether it made one.
    pub fn ensure_auth_key(&mut self, random: impl FnOnce() -> [u8; 32]) -> bool {
        if self.auth_key.is_some() {
            return false;
        }
        self.auth_key = Some(AuthKey::from_bytes(random()));
        true
    }

    /// Makes this the next version, written by `writer`: a fresh change
    /// id, and the writer's count in the version vector one higher.
    pub fn next_version(&mut self, writer: &str, change_id: [u8; 8]) {
        self.previous_change = self.change_id.take();
        self.change_id = Some(
            self.pending_change
                .take()
                .unwrap_or_else(|| auth::hex_id(change_id)),
        );
        self.versions = auth::bump(&self.versions, writer);
    }

    /// The plaintext to encrypt: the TOML, after a tag line when the vault
    /// has an authentication key ([`auth::seal`]).
    pub fn to_sealed_toml(&self) -> zeroize::Zeroizing<String> {
        let body = zeroize::Zeroizing::new(self.to_toml());
        match &self.auth_key {
            Some(key) => auth::seal(key, &body),
            None => body,
        }
    }

    /// What a plaintext from outside (`text`, parsed as `self`) proves
    /// against `ours`, the vault on this machine: authentic only when it
    /// is tagged with `ours`' key.
    pub fn proof(&self, text: &str, ours: &Vault) -> auth::Proof {
        match &ours.auth_key {
            Some(key) => auth::check(text, self.auth_key.as_ref(), key),
            None => auth::Proof::Unsealed,
        }
    }

    /// How this version (from outside) relates to `ours`.
    pub fn order_against(&self, ours: &Vault) -> auth::Order {
        auth::order(
            &ours.versions,
            ours.change_id.as_deref(),
            &self.versions,
            self.change_id.as_deref(),
        )
    }

    /// Parses vault plaintext, checking the schema version. One pass over
    /// the text; only a file that does not parse is looked at again, to say
    /// whether it is a newer schema or a damaged vault.
    pub fn parse(text: &str) -> anyhow::Result<Vault> {
        let newer = |version: u32| -> anyhow::Error {
            Fail::error(format!(
                "the vault uses schema version {version}, but this otp reads version {SCHEMA_VERSION}"
            ))
            .hint("upgrade otp")
            .into()
        };
        let invalid = match toml::from_str::<Vault>(text) {
            Ok(vault) if vault.version == SCHEMA_VERSION => return Ok(vault),
            Ok(vault) => return Err(newer(vault.version)),
            Err(e) => e,
        };
        #[derive(Deserialize)]
        struct Probe {
            version: u32,
        }
        let probe: Probe = toml::from_str(text).map_err(|e| {
            Fail::error(format!(
                "the vault decrypted but its contents are not a valid otp vault: {}",
                e.message()
            ))
            .hint("restore it from a backup with `otp recover BACKUP`")
        })?;
        if probe.version != SCHEMA_VERSION {
            return Err(newer(probe.version));
        }
        Err(Fail::error(format!(
            "the vault's contents are invalid: {}",
            invalid.message()
        ))
        .hint("restore it from a backup with `otp recover BACKUP`")
        .into())
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("the vault model always serializes")
    }

    /// The one account QUERY selects (see [`resolve`]).
    pub fn find(&self, query: &str) -> Result<usize, Fail> {
        resolve(&self.accounts, query)
    }

    /// A fresh id that no account (live or trashed) uses; `random` supplies bytes.
    pub fn new_id(&self, mut random: impl FnMut() -> [u8; 8]) -> String {
        loop {
            let id = id_from_bytes(random());
            let taken = self.accounts.iter().any(|a| a.id == id)
                || self.trash.iter().any(|t| t.account.id == id);
            if !taken {
                return id;
            }
        }
    }

    /// `count` new account ids, unique in the vault (trash included) and
    /// among themselves, in one pass over the vault: [`Vault::new_id`] per
    /// account would make a large import quadratic.
    pub fn new_ids(&self, count: usize, mut random: impl FnMut() -> [u8; 8]) -> Vec<String> {
        let mut taken: std::collections::HashSet<String> = self
            .accounts
            .iter()
            .map(|a| a.id.clone())
            .chain(self.trash.iter().map(|t| t.account.id.clone()))
            .collect();
        let mut ids = Vec::with_capacity(count);
        while ids.len() < count {
            let id = id_from_bytes(random());
            if taken.insert(id.clone()) {
                ids.push(id);
            }
        }
        ids
    }

    /// Gives the vault an id if it has none (a vault written before ids
    /// existed); `random` supplies the bytes. Returns whether it made one.
    pub fn ensure_id(&mut self, random: impl FnOnce() -> [u8; 16]) -> bool {
        if self.vault_id.is_some() {
            return false;
        }
        self.vault_id = Some(vault_id_from_bytes(random()));
        true
    }

    /// Whether `other` (an id read from a backup or snapshot) names this
    /// vault. A file without an id, or a vault without one, never does.
    pub fn is_same_vault(&self, other: Option<&str>) -> bool {
        matches!((self.vault_id.as_deref(), other), (Some(a), Some(b)) if a == b)
    }

    /// Index of an account with the same label ([`label::same`]).
    pub fn find_label(&self, issuer: &str, name: &str) -> Option<usize> {
        self.accounts
            .iter()
            .position(|a| same_label(&a.issuer, &a.name, issuer, name))
    }
}

/// Two labels that name the same account ([`label::same`]).
pub fn same_label(issuer_a: &str, name_a: &str, issuer_b: &str, name_b: &str) -> bool {
    label::same(issuer_a, name_a, issuer_b, name_b)
}

/// A vault id: 128 random bits as 32 lowercase hex digits.
pub fn vault_id_from_bytes(bytes: [u8; 16]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Eight lowercase base32 characters: short enough to type, 40 bits of randomness.
pub fn id_from_bytes(bytes: [u8; 8]) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    bytes
        .iter()
        .map(|b| ALPHABET[(b % 32) as usize] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::query::tests::{account, sample};
    use crate::vault::index;

    #[test]
    fn new_ids_are_unique_and_avoid_the_vault_and_trash() {
        let mut vault = Vault::parse("version = 1\n").unwrap_or_else(|e| panic!("{e}"));
        let taken = [[0u8; 8], [1u8; 8]];
        for (i, bytes) in taken.iter().enumerate() {
            let mut a = Account::from_entry(
                crate::model::Entry::new(
                    "I",
                    format!("n{i}"),
                    crate::model::Token::totp(crate::model::Secret::new(vec![1; 10])),
                ),
                id_from_bytes(*bytes),
                OffsetDateTime::UNIX_EPOCH,
            );
            if i == 1 {
                a.name = "trashed".into();
                vault.trash.push(Trashed {
                    deleted: OffsetDateTime::UNIX_EPOCH,
                    account: a,
                });
            } else {
                vault.accounts.push(a);
            }
        }
        // A source that repeats itself: taken ids and repeats are skipped.
        let mut source = [[0u8; 8], [1u8; 8], [2u8; 8], [2u8; 8], [3u8; 8]].into_iter();
        let ids = vault.new_ids(2, || source.next().unwrap());
        assert_eq!(ids, vec![id_from_bytes([2; 8]), id_from_bytes([3; 8])]);
    }

    #[test]
    fn ids_are_unique_and_short() {
        let v = Vault::new(vec![]);
        let id = v.new_id(|| [1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(id.len(), 8);
        assert!(
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        );
    }

    #[test]
    fn vault_round_trips_through_toml() {
        let mut v = Vault::new(vec!["age1xyz".into()]);
        v.accounts = sample();
        v.trash.push(Trashed {
            deleted: OffsetDateTime::UNIX_EPOCH,
            account: account("eeee5555", "Old", "x"),
        });
        let text = v.to_toml();
        assert!(text.starts_with("version = 1\n"));
        assert_eq!(Vault::parse(&text).unwrap(), v);
    }

    #[test]
    fn key_roles_sit_before_the_accounts_for_the_fast_path() {
        let mut v = Vault::new(vec!["age1a".into(), "age1b".into()]);
        v.roles.key_file_recipient = Some("age1a".into());
        v.roles.recovery = Some("age1b".into());
        v.roles.recovery_revoked = Some(OffsetDateTime::UNIX_EPOCH);
        v.accounts = sample();
        // (An empty trash is written as `trash = []`; a trashed account
        // makes it a table.)
        v.trash.push(Trashed {
            deleted: OffsetDateTime::UNIX_EPOCH,
            account: account("eeee5555", "Old", "x"),
        });
        v.last_drill = Some(OffsetDateTime::UNIX_EPOCH);
        v.last_drill_result = Some("passed".into());
        let text = v.to_toml();
        let accounts = text.find("[[accounts]]").unwrap();
        for key in [
            "recovery =",
            "recovery_revoked =",
            "key_file_recipient =",
            "last_drill =",
            "last_drill_result =",
        ] {
            assert!(text.find(key).unwrap() < accounts, "{text}");
        }
        assert_eq!(index::scan(&text).map(|h| h.len()), Some(4));
        assert_eq!(Vault::parse(&text).unwrap(), v);
        // Absent roles are not written at all.
        let plain = Vault::new(vec!["age1a".into()]).to_toml();
        assert!(
            !plain.contains("recovery") && !plain.contains("key_file"),
            "{plain}"
        );
    }

    #[test]
    fn the_roles_are_written_in_the_top_table_in_their_place() {
        let mut v = Vault::new(vec!["age1a".into(), "age1b".into()]);
        v.changes = 5;
        v.ensure_id(|| [3; 16]);
        v.roles = Roles {
            recovery: Some("age1b".into()),
            recovery_revoked: Some(OffsetDateTime::UNIX_EPOCH),
            key_file_recipient: Some("age1a".into()),
        };
        v.last_drill = Some(OffsetDateTime::UNIX_EPOCH);
        v.last_drill_result = Some("passed".into());
        // Byte for byte what otp wrote when the roles were fields of the
        // vault itself (and what `index`'s TOP list reads).
        assert_eq!(
            v.to_toml(),
            "version = 1\nchanges = 5\nvault_id = \"03030303030303030303030303030303\"\n\
             recipients = [\"age1a\", \"age1b\"]\nrecovery = \"age1b\"\n\
             recovery_revoked = \"1970-01-01T00:00:00Z\"\nkey_file_recipient = \"age1a\"\n\
             last_drill = \"1970-01-01T00:00:00Z\"\nlast_drill_result = \"passed\"\n\
             accounts = []\ntrash = []\n"
        );
        assert_eq!(Vault::parse(&v.to_toml()).unwrap(), v);
        v.roles.recovery = None;
        assert!(!v.to_toml().contains("recovery ="));
    }

    #[test]
    fn vault_ids_are_made_once_and_compared_exactly() {
        let mut v = Vault::new(vec!["age1a".into()]);
        assert!(!v.is_same_vault(None));
        assert!(v.ensure_id(|| [0xab; 16]));
        let id = v.vault_id.clone().unwrap();
        assert_eq!(id, "ab".repeat(16));
        assert!(!v.ensure_id(|| [1; 16]), "an id is never replaced");
        assert_eq!(v.vault_id.as_deref(), Some(id.as_str()));
        assert!(v.is_same_vault(Some(&id)));
        assert!(!v.is_same_vault(None));
        assert!(!v.is_same_vault(Some(&"01".repeat(16))));
        // It round-trips, sits before the accounts, and the fast path reads it.
        v.accounts = sample();
        let text = v.to_toml();
        assert!(text.find("vault_id = ").unwrap() < text.find("[[accounts]]").unwrap());
        assert_eq!(Vault::parse(&text).unwrap(), v);
        assert_eq!(index::scan(&text).map(|h| h.len()), Some(4));
        // A vault without one parses, and is written without one.
        let old = Vault::parse("version = 1\nchanges = 3\nrecipients = []\n").unwrap();
        assert_eq!(old.vault_id, None);
        assert!(!old.to_toml().contains("vault_id"));
    }

    #[test]
    fn a_sealed_vault_is_read_by_the_fast_path_and_checked_by_its_key() {
        let mut v = Vault::new(vec!["age1a".into()]);
        v.ensure_id(|| [3; 16]);
        assert!(v.ensure_auth_key(|| [9; 32]));
        assert!(!v.ensure_auth_key(|| [1; 32]), "a key is never replaced");
        v.roles.key_file_recipient = Some("age1a".into());
        v.key_file_hash = Some(auth::file_hash(b"key file"));
        v.accounts = sample();
        v.next_version("aaaa", [1; 8]);
        let text = v.to_sealed_toml();
        assert!(text.starts_with("tag = \""), "{}", &*text);
        // The fast path reads every field in its place, the full parse
        // gives the vault back, and the text proves itself against the
        // vault it came from.
        assert_eq!(index::scan(&text).map(|h| h.len()), Some(4));
        let back = Vault::parse(&text).unwrap();
        assert_eq!(back, v);
        assert_eq!(back.proof(&text, &v), auth::Proof::Authentic);
        assert_eq!(back.order_against(&v), auth::Order::Same);
        // The next version is newer; a vault with another key cannot vouch.
        let mut next = v.clone();
        next.next_version("aaaa", [2; 8]);
        assert_eq!(next.order_against(&v), auth::Order::Newer);
        assert_eq!(v.order_against(&next), auth::Order::Older);
        let mut stranger = v.clone();
        stranger.auth_key = Some(AuthKey::from_bytes([8; 32]));
        let forged = stranger.to_sealed_toml();
        let parsed = Vault::parse(&forged).unwrap();
        assert_eq!(parsed.proof(&forged, &v), auth::Proof::Forged);
        // A vault without a key writes no tag, and proves nothing.
        let mut old = v.clone();
        old.auth_key = None;
        let plain = old.to_sealed_toml();
        assert!(plain.starts_with("version = 1\n"));
        assert_eq!(
            Vault::parse(&plain).unwrap().proof(&plain, &v),
            auth::Proof::Unsealed
        );
        assert_eq!(v.proof(&text, &old), auth::Proof::Unsealed);
    }

    #[test]
    fn future_schema_is_refused() {
        let err = Vault::parse("version = 2\n").unwrap_err();
        assert!(err.to_string().contains("schema version 2"));
        // A newer schema is named as such even where this one cannot read it.
        let err = Vault::parse("version = 2\naccounts = 5\n").unwrap_err();
        assert!(err.to_string().contains("schema version 2"), "{err}");
    }

    #[test]
    fn a_damaged_vault_is_told_from_an_invalid_one() {
        for (text, says) in [
            ("version = \n", "not a valid otp vault"),
            (
                "changes = 1\n",
                "not a valid otp vault: missing field `version`",
            ),
            (
                "version = 1\naccounts = 5\n",
                "the vault's contents are invalid: invalid type",
            ),
        ] {
            let err = Vault::parse(text).unwrap_err().to_string();
            assert!(err.contains(says), "{text:?}: {err}");
        }
    }
}
