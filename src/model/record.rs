//! The record of the vault at its own path: which version of it this
//! machine last wrote or accepted, and the check every open of the vault
//! makes against it ([`judge`]). Pure: the record, the vault and the time
//! come in as arguments; src/cmd/trust.rs reads and writes the file.
//!
//! The vault may live in a folder that others can write (Syncthing,
//! Dropbox, Nextcloud): whoever can write there can put a vault made with
//! your public key in its place, or an older version of yours. A tag
//! (src/model/auth.rs) proves a version was written with *some* key; the
//! record, kept in this machine's own data folder, says *which* key (a
//! fingerprint, never the key), which vault (its id) and how far this
//! machine has seen it (the version vector and change id). So:
//!
//! - a vault whose tag does not match its content, or that has no key
//!   while the record has one, or whose key or id is not the recorded one,
//!   is refused ([`Wrong`]);
//! - a version the record's vector dominates is a rollback, refused;
//! - a version that dominates the record was written by another of your
//!   machines through the folder: taken ([`Verdict::Ahead`]);
//! - a version neither ahead nor behind ([`Verdict::Diverged`]) was made in
//!   parallel with this machine's last one: read, but never written over
//!   until this machine's version is folded back in (docs/trust.md);
//! - no record yet: trust on first use ([`Verdict::FirstUse`]), written
//!   down as such.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::Vault;
use super::auth::{self, AuthKey, Order};

/// What the key fingerprint is computed over: HMAC-SHA256 under the
/// vault's authentication key of this label alone. It names the key
/// without revealing it, and never equals a tag of a vault, backup or
/// record (other domains).
pub const KEY_PRINT_DOMAIN: &[u8] = b"otp vault key fingerprint 1\n";

/// The fingerprint of an authentication key (64 hex digits).
pub fn key_print(key: &AuthKey) -> String {
    key.tag_in(KEY_PRINT_DOMAIN, b"")
}

/// How the recorded version came to be trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum How {
    /// This machine wrote it.
    Written,
    /// Another of your machines wrote it (it was ahead of the record, or
    /// `otp sync` took it).
    Accepted,
    /// There was no record: trusted on first use.
    FirstUse,
    /// The user took it as it was with `otp sync accept`.
    AcceptedByYou,
}

impl How {
    pub fn says(self) -> &'static str {
        match self {
            How::Written => "written here",
            How::Accepted => "written by another of your machines, accepted",
            How::FirstUse => "trusted on first use",
            How::AcceptedByYou => "accepted by you (`otp sync accept`)",
        }
    }
}

/// The record file's content (`<vault file>.<path hash>.trust` in the data
/// folder, docs/files.md). It holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    /// The vault's path, for people reading the file.
    pub vault: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vault_id: Option<String>,
    /// [`key_print`] of the vault's authentication key; none while the
    /// vault had no key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub changes: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_id: Option<String>,
    #[serde(default)]
    pub versions: Vec<String>,
    pub how: How,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

impl Record {
    /// The record of `vault` (at `path`), trusted `how`, at `now`.
    pub fn of(vault: &Vault, path: &str, how: How, now: OffsetDateTime) -> Record {
        Record {
            vault: path.to_string(),
            vault_id: vault.vault_id.clone(),
            key: vault.auth_key.as_ref().map(key_print),
            changes: vault.changes,
            change_id: vault.change_id.clone(),
            versions: vault.versions.clone(),
            how,
            at: now,
        }
    }

    /// The record's text.
    pub fn to_toml(&self) -> String {
        format!(
            "# The version of this vault this machine last wrote or accepted (docs/trust.md).\n{}",
            toml::to_string(self).expect("a record serialises")
        )
    }

    /// Reads a record's text; `None` when it is not one.
    pub fn parse(text: &str) -> Option<Record> {
        toml::from_str(text).ok()
    }
}

/// What an open of the vault sees in it: the fields the check needs.
#[derive(Debug, Clone, Copy)]
pub struct Seen<'a> {
    pub vault_id: Option<&'a str>,
    pub key: Option<&'a AuthKey>,
    /// Whether the text's tag is the tag of its body under `key`.
    pub sealed: bool,
    pub changes: u64,
    pub change_id: Option<&'a str>,
    pub versions: &'a [String],
}

impl<'a> Seen<'a> {
    /// What `vault`, parsed from the plaintext `text`, shows.
    pub fn of(vault: &'a Vault, text: &str) -> Seen<'a> {
        Seen {
            vault_id: vault.vault_id.as_deref(),
            key: vault.auth_key.as_ref(),
            sealed: auth::self_consistent(text, vault.auth_key.as_ref()),
            changes: vault.changes,
            change_id: vault.change_id.as_deref(),
            versions: &vault.versions,
        }
    }
}

/// A vault that may be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The version the record names.
    Same,
    /// Newer than the record: another of your machines wrote it. The
    /// record moves to it.
    Ahead,
    /// No record (or one from before the vault had a key): trusted on
    /// first use, and recorded.
    FirstUse,
    /// No key, and none recorded: nothing can be proven (as before
    /// authentication); recorded.
    Unkeyed,
    /// Authentic, but neither ahead of the record nor behind it: another
    /// machine's version, made in parallel with this machine's last one,
    /// which it does not hold. Read; never written over.
    Diverged,
}

/// A vault that is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wrong {
    /// Its tag is not the tag of its content under its own key.
    Altered,
    /// No key (or no tag), where the record has one.
    Unproven,
    /// Tagged with a key that is not the recorded one.
    OtherKey,
    /// Another vault id than the recorded one.
    OtherVault,
    /// Older than the recorded version.
    RolledBack,
}

/// Checks what an open sees against the record (none: first use).
pub fn judge(record: Option<&Record>, seen: &Seen<'_>) -> Result<Verdict, Wrong> {
    let Some(key) = seen.key else {
        return match record {
            Some(r) if r.key.is_some() => Err(Wrong::Unproven),
            Some(r)
                if r.changes == seen.changes
                    && r.change_id.as_deref() == seen.change_id
                    && r.versions == seen.versions
                    && r.vault_id.as_deref() == seen.vault_id =>
            {
                Ok(Verdict::Same)
            }
            _ => Ok(Verdict::Unkeyed),
        };
    };
    if !seen.sealed {
        return Err(Wrong::Altered);
    }
    let Some(record) = record else {
        return Ok(Verdict::FirstUse);
    };
    let other_id = match (record.vault_id.as_deref(), seen.vault_id) {
        (Some(a), Some(b)) => a != b,
        (Some(_), None) => true,
        (None, _) => false,
    };
    match &record.key {
        // The record is from before the vault had a key: the key is
        // trusted on first use, for this vault only.
        None if other_id => return Err(Wrong::OtherVault),
        None => return Ok(Verdict::FirstUse),
        Some(k) if *k != key_print(key) => return Err(Wrong::OtherKey),
        Some(_) => {}
    }
    if other_id {
        return Err(Wrong::OtherVault);
    }
    match auth::order(
        &record.versions,
        record.change_id.as_deref(),
        seen.versions,
        seen.change_id,
    ) {
        Order::Same => Ok(Verdict::Same),
        Order::Newer => Ok(Verdict::Ahead),
        Order::Older => Err(Wrong::RolledBack),
        Order::Diverged => Ok(Verdict::Diverged),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fixtures::{sealed, vault};

    fn at() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap()
    }

    fn judged(record: Option<&Record>, v: &Vault) -> Result<Verdict, Wrong> {
        let (v, text) = sealed(v);
        judge(record, &Seen::of(&v, &text))
    }

    #[test]
    fn the_recorded_version_and_newer_ones_pass_older_and_forged_do_not() {
        let ours = vault(1);
        let record = Record::of(&ours, "/v", How::Written, at());
        assert_eq!(judged(Some(&record), &ours), Ok(Verdict::Same));
        let mut newer = ours.clone();
        newer.next_version("bb", [2; 8]);
        assert_eq!(judged(Some(&record), &newer), Ok(Verdict::Ahead));
        let moved = Record::of(&newer, "/v", How::Accepted, at());
        assert_eq!(judged(Some(&moved), &ours), Err(Wrong::RolledBack));
        // Made in parallel: another machine's version without ours.
        let mut mine = ours.clone();
        mine.next_version("aa", [3; 8]);
        let mine_record = Record::of(&mine, "/v", How::Written, at());
        assert_eq!(judged(Some(&mine_record), &newer), Ok(Verdict::Diverged));
        // Another key (a vault made with the public key), another id.
        assert_eq!(judged(Some(&record), &vault(2)), Err(Wrong::OtherKey));
        let mut other_id = ours.clone();
        other_id.vault_id = Some("ff".repeat(16));
        assert_eq!(judged(Some(&record), &other_id), Err(Wrong::OtherVault));
        // The key dropped: nothing proven where the record had a key.
        let mut keyless = ours.clone();
        keyless.auth_key = None;
        assert_eq!(judged(Some(&record), &keyless), Err(Wrong::Unproven));
    }

    #[test]
    fn a_tag_that_does_not_match_is_refused_even_on_first_use() {
        let (v, text) = sealed(&vault(1));
        let edited = text.replace("changes = 0", "changes = 7");
        assert_ne!(edited, text);
        let v2 = Vault::parse(&edited).unwrap();
        assert_eq!(judge(None, &Seen::of(&v2, &edited)), Err(Wrong::Altered));
        // Untagged text that carries a key: not sealed.
        let body = v.to_toml();
        assert_eq!(judge(None, &Seen::of(&v, &body)), Err(Wrong::Altered));
        assert_eq!(judge(None, &Seen::of(&v, &text)), Ok(Verdict::FirstUse));
    }

    #[test]
    fn keyless_vaults_are_taken_as_before_until_a_key_is_recorded() {
        let mut old = vault(1);
        old.auth_key = None;
        assert_eq!(judged(None, &old), Ok(Verdict::Unkeyed));
        let record = Record::of(&old, "/v", How::FirstUse, at());
        assert_eq!(record.key, None);
        assert_eq!(judged(Some(&record), &old), Ok(Verdict::Same));
        let mut saved = old.clone();
        saved.next_version("aa", [9; 8]);
        assert_eq!(judged(Some(&record), &saved), Ok(Verdict::Unkeyed));
        // Its first key is taken for this vault, not for another.
        assert_eq!(judged(Some(&record), &vault(3)), Ok(Verdict::FirstUse));
        let mut other = vault(3);
        other.vault_id = Some("ee".repeat(16));
        assert_eq!(judged(Some(&record), &other), Err(Wrong::OtherVault));
    }

    #[test]
    fn the_record_round_trips_and_names_the_key_without_holding_it() {
        let v = vault(0xab);
        let record = Record::of(&v, "/home/me/vault.age", How::FirstUse, at());
        let text = record.to_toml();
        assert!(text.contains("how = \"first-use\""), "{text}");
        assert!(!text.contains(&"ab".repeat(32)), "{text}");
        assert_eq!(Record::parse(&text), Some(record.clone()));
        assert_eq!(Record::parse("vault = 1\n"), None);
        assert_eq!(
            Record::parse(&format!("{text}extra = 1\n")),
            None,
            "unknown keys are not a record"
        );
        // The fingerprint is not a tag of an empty vault body.
        let key = v.auth_key.as_ref().unwrap();
        assert_ne!(key_print(key), key.tag(b""));
        assert_eq!(key_print(key).len(), 64);
    }
}
