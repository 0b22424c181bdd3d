//! The plaintext of an otp backup: TOML that `age -d` turns into something a
//! person can read, starting with a `[backup]` table that says what it is.
//!
//! ```toml
//! # otp backup (format 1) ...
//! [backup]
//! format = 1
//! created = "2025-01-02T03:04:05Z"
//! tool = "otp 0.1.0"
//! accounts = 2
//! trashed = 0
//! changes = 17
//! vault_schema = 1
//! vault_id = "3f2a…"   # the vault's id (absent in backups of older otp)
//! recipients = ["age1..."]
//!
//! [[accounts]]   # exactly the vault's account tables
//! ...
//! [[trash]]
//! ...
//! ```
//!
//! A safety-net snapshot is the same document with `snapshot = "purge"`
//! (the command it was taken before). [`parse`] also reads a plain vault
//! plaintext, so a copy of `vault.age` can be recovered from too.
//!
//! A backup folder is often shared or synced, and anyone who knows one of
//! the vault's public keys can write a file that the vault's key opens. So
//! a backup of a vault that has an authentication key (src/model/auth.rs)
//! starts with a tag line, `tag = "<64 hex digits>"`: HMAC-SHA256 under
//! the vault's key of [`auth::BACKUP_DOMAIN`] and the rest of the text,
//! byte for byte. The key itself is never in a backup (an exported backup
//! may go to other people's keys). [`proof`] says whether a file read
//! back was written by one of the vault's own machines; what each command
//! does with a file that was not is in docs/trust.md. Older otp reads a
//! tagged backup as before (the tag is one more top-level key).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::error::Fail;
use crate::model::auth::{self, AuthKey, Proof};
use crate::model::label;
use crate::model::{Account, Generator, Roles, SCHEMA_VERSION, Trashed, Vault};

/// Version of the backup document. Readers refuse newer versions.
pub const FORMAT_VERSION: u32 = 1;

const HEADER: &str = "# otp backup (format 1). It holds second-factor secrets.\n\
# Restore with `otp recover FILE`; without otp, every [[accounts]] table has\n\
# what an authenticator app needs (secret in base32, type, algorithm, digits,\n\
# period or counter).\n\n";

/// The `[backup]` table: everything needed to judge a backup without
/// reading its accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub format: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub created: OffsetDateTime,
    pub tool: String,
    /// Live accounts in the backup.
    pub accounts: u64,
    /// Accounts in the trash in the backup.
    pub trashed: u64,
    /// The vault's change counter when the backup was taken.
    pub changes: u64,
    pub vault_schema: u32,
    /// The id of the vault it was taken of (`Vault::vault_id`); absent in
    /// backups written before vaults had ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vault_id: Option<String>,
    /// Who the vault (and this backup) is encrypted to.
    #[serde(default)]
    pub recipients: Vec<String>,
    /// Set on safety-net snapshots: the command it was taken before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
    /// On a snapshot: the change id of the change it was taken before
    /// (`Vault::pending_change`). It undoes that change only, on a vault
    /// whose last change it is — never one another machine made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undoes: Option<String>,
    /// Written with `otp backup --force` after the vault shrank (the file
    /// name says so too, but only this is authenticated).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub forced: bool,
    /// Random per backup written into a backup folder: two backups are
    /// never the same text, so copies of one (same tag) count once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup_id: Option<String>,
    /// The vault's key roles, so a restore on a new machine rebuilds them.
    #[serde(flatten)]
    pub roles: Roles,
}

#[derive(Deserialize)]
struct Document {
    backup: Meta,
    #[serde(default)]
    accounts: Vec<Account>,
    #[serde(default)]
    trash: Vec<Trashed>,
}

/// [`Document`] as written: the vault's accounts borrowed, not copied.
#[derive(Serialize)]
struct DocumentRef<'a> {
    backup: Meta,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    accounts: &'a [Account],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    trash: &'a [Trashed],
}

/// What a backup (or a vault copy) holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Contents {
    /// `None` for a plain vault copy.
    pub meta: Option<Meta>,
    pub accounts: Vec<Account>,
    pub trash: Vec<Trashed>,
    pub recipients: Vec<String>,
    pub roles: Roles,
    pub changes: u64,
    /// The id of the vault it holds (see [`Meta::vault_id`]).
    pub vault_id: Option<String>,
    /// A vault copy's own authentication key, to check its tag with
    /// ([`proof`]); never set for a backup, which does not carry it.
    pub copy_key: Option<AuthKey>,
}

/// The metadata for a backup of `vault` taken at `now`.
pub fn meta_for(vault: &Vault, now: OffsetDateTime, snapshot: Option<&str>) -> Meta {
    Meta {
        format: FORMAT_VERSION,
        created: now,
        tool: super::tool_version(),
        accounts: vault.accounts.len() as u64,
        trashed: vault.trash.len() as u64,
        changes: vault.changes,
        vault_schema: SCHEMA_VERSION,
        vault_id: vault.vault_id.clone(),
        recipients: vault.recipients.clone(),
        snapshot: snapshot.map(str::to_string),
        undoes: snapshot.and(vault.pending_change.clone()),
        forced: false,
        backup_id: None,
        roles: vault.roles.clone(),
    }
}

/// The backup document for `vault` (to be encrypted by the caller),
/// after a tag line when the vault has an authentication key.
pub fn to_text(vault: &Vault, meta: Meta) -> Zeroizing<String> {
    let doc = DocumentRef {
        backup: meta,
        accounts: &vault.accounts,
        trash: &vault.trash,
    };
    let body = Zeroizing::new(toml::to_string(&doc).expect("the backup model always serializes"));
    let text = Zeroizing::new(format!("{HEADER}{}", body.as_str()));
    match &vault.auth_key {
        Some(key) => auth::seal_in(auth::BACKUP_DOMAIN, key, &text),
        None => text,
    }
}

/// What a decrypted backup or vault copy (`text`, read as `c`) proves
/// against `key`, the authentication key of the vault on this machine
/// (`None`: it has none yet, and nothing can be proven).
///
/// - A backup: [`Proof::Authentic`] when its tag is `key`'s,
///   [`Proof::Unsealed`] without a tag (an otp from before tags, or not
///   otp), else [`Proof::Forged`] (another key's tag: a forgery, or a
///   backup of another vault).
/// - A vault copy: as the sync remote is checked ([`auth::check`]).
pub fn proof(text: &str, c: &Contents, key: Option<&AuthKey>) -> Proof {
    let Some(key) = key else {
        return Proof::Unsealed;
    };
    if c.meta.is_none() {
        return auth::check(text, c.copy_key.as_ref(), key);
    }
    match auth::split(text) {
        None => Proof::Unsealed,
        Some((tag, body)) if key.verifies_in(auth::BACKUP_DOMAIN, body.as_bytes(), tag) => {
            Proof::Authentic
        }
        Some(_) => Proof::Forged,
    }
}

/// Reads a decrypted backup, or a decrypted vault.
///
/// A backup of this format is read in one pass over the text (a vault copy
/// in two: it is then read as a vault). Anything else — a newer format, a
/// damaged or foreign file — goes to [`parse_slowly`], which looks at the
/// file step by step to say what is wrong with it.
pub fn parse(text: &str) -> Result<Contents, Fail> {
    /// A backup, or (no `[backup]` table) perhaps a vault.
    #[derive(Deserialize)]
    struct Either {
        backup: Option<Meta>,
        version: Option<serde::de::IgnoredAny>,
        #[serde(default)]
        accounts: Vec<Account>,
        #[serde(default)]
        trash: Vec<Trashed>,
    }
    match toml::from_str::<Either>(text) {
        Ok(Either {
            backup: Some(meta),
            accounts,
            trash,
            ..
        }) if meta.format <= FORMAT_VERSION && meta.vault_schema <= SCHEMA_VERSION => {
            Ok(Contents {
                recipients: meta.recipients.clone(),
                roles: meta.roles.clone(),
                changes: meta.changes,
                vault_id: meta.vault_id.clone(),
                meta: Some(meta),
                accounts,
                trash,
                copy_key: None,
            })
        }
        Ok(Either {
            backup: None,
            version,
            ..
        }) => read_vault_copy(text, version.is_some()),
        // A newer format, or one that does not read: say which, and why.
        _ => parse_slowly(text),
    }
}

fn not_ours(detail: String) -> Fail {
    Fail::error(format!(
        "the file decrypted, but it is not an otp backup: {detail}"
    ))
}

/// A file without a `[backup]` table: a vault (it has a `version`), or
/// not ours.
fn read_vault_copy(text: &str, has_version: bool) -> Result<Contents, Fail> {
    if !has_version {
        return Err(not_ours("it has no [backup] table".into()));
    }
    let vault = Vault::parse(text).map_err(|e| not_ours(e.to_string()))?;
    Ok(Contents {
        meta: None,
        roles: vault.roles.clone(),
        accounts: vault.accounts,
        trash: vault.trash,
        recipients: vault.recipients,
        changes: vault.changes,
        vault_id: vault.vault_id,
        copy_key: vault.auth_key,
    })
}

/// [`parse`] step by step: is it TOML, a backup or a vault, of a format
/// this otp reads, with valid contents — the error says which step failed.
fn parse_slowly(text: &str) -> Result<Contents, Fail> {
    #[derive(Deserialize)]
    struct Probe {
        backup: Option<toml::Value>,
        version: Option<toml::Value>,
    }
    let probe: Probe = toml::from_str(text).map_err(|e| not_ours(e.message().to_string()))?;
    if probe.backup.is_none() {
        return read_vault_copy(text, probe.version.is_some());
    }
    #[derive(Deserialize)]
    struct Version {
        backup: VersionInner,
    }
    #[derive(Deserialize)]
    struct VersionInner {
        format: u32,
        #[serde(default)]
        vault_schema: Option<u32>,
    }
    let v: Version = toml::from_str(text)
        .map_err(|e| not_ours(format!("its [backup] table is invalid: {}", e.message())))?;
    let schema = v.backup.vault_schema.unwrap_or(0);
    if v.backup.format > FORMAT_VERSION || schema > SCHEMA_VERSION {
        return Err(Fail::error(format!(
            "this backup was written by a newer otp (backup format {}, vault schema {schema}); this otp reads backup format {FORMAT_VERSION} and vault schema {SCHEMA_VERSION} at most",
            v.backup.format
        ))
        .hint("restore it with a newer otp (the one that wrote it, or later); nothing was changed"));
    }
    let doc: Document = toml::from_str(text)
        .map_err(|e| not_ours(format!("its contents are invalid: {}", e.message())))?;
    Ok(Contents {
        recipients: doc.backup.recipients.clone(),
        roles: doc.backup.roles.clone(),
        changes: doc.backup.changes,
        vault_id: doc.backup.vault_id.clone(),
        meta: Some(doc.backup),
        accounts: doc.accounts,
        trash: doc.trash,
        copy_key: None,
    })
}

/// Whether a backup read back holds exactly `vault`: the same vault id,
/// accounts and trash. `Err` says what differs (labels only, no secrets).
pub fn holds_exactly(c: &Contents, vault: &Vault) -> Result<(), String> {
    if c.meta.is_none() {
        return Err("it is not a backup (no [backup] table)".into());
    }
    if c.vault_id != vault.vault_id {
        return Err("it names another vault".into());
    }
    if c.accounts != vault.accounts || c.trash != vault.trash {
        let d = compare(c, vault);
        return Err(format!(
            "its accounts differ from the vault's ({})",
            d.describe()
        ));
    }
    Ok(())
}

/// How a backup compares with the vault now, by what gives codes: an
/// account is held when the backup has one with the same key and way of
/// computing codes (see [`crate::model::Token::same_generator`]), whatever
/// its label or HOTP counter.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// The backup is of another vault (a different vault id, or none).
    pub foreign: bool,
    /// Labels of the vault's accounts the backup does not hold.
    pub missing: Vec<String>,
    /// Labels of the backup's accounts the vault no longer has.
    pub only_in_backup: Vec<String>,
}

impl Comparison {
    /// Good: of this vault, holding every account it has now.
    pub fn good(&self) -> bool {
        !self.foreign && self.missing.is_empty()
    }

    /// One line: what is missing and what only the backup has.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.foreign {
            parts.push("it is a backup of another vault".to_string());
        }
        let list = |v: &[String]| {
            let shown: Vec<String> = v.iter().take(5).map(|l| crate::text::sanitize(l)).collect();
            let more = v.len().saturating_sub(5);
            if more > 0 {
                format!("{} and {more} more", shown.join(", "))
            } else {
                shown.join(", ")
            }
        };
        if !self.missing.is_empty() {
            parts.push(format!(
                "{} account(s) missing from the backup: {}",
                self.missing.len(),
                list(&self.missing)
            ));
        }
        if !self.only_in_backup.is_empty() {
            parts.push(format!(
                "{} account(s) only in the backup: {}",
                self.only_in_backup.len(),
                list(&self.only_in_backup)
            ));
        }
        if parts.is_empty() {
            "it holds every account".into()
        } else {
            parts.join("; ")
        }
    }
}

/// Compares a backup's accounts with the vault's (see [`Comparison`]).
///
/// An account is held by a backup account with its label identity and
/// generator; what is left is then paired by generator alone (an account
/// renamed since the backup is still held). Each backup account holds one
/// vault account: the same secret under two labels is two accounts, so a
/// backup with only one of them misses the other.
pub fn compare(c: &Contents, vault: &Vault) -> Comparison {
    type Labelled<'a> = (String, Generator<'a>);
    fn labelled(a: &Account) -> Labelled<'_> {
        (label::key(&a.issuer, &a.name), a.generator())
    }
    let mut by_label: HashMap<Labelled<'_>, usize> = HashMap::new();
    for b in &c.accounts {
        *by_label.entry(labelled(b)).or_default() += 1;
    }
    let mut vault_by_label: HashMap<Labelled<'_>, usize> = HashMap::new();
    for a in &vault.accounts {
        *vault_by_label.entry(labelled(a)).or_default() += 1;
    }
    // Pass 1: same label identity and generator, one for one.
    fn take<'a>(counts: &mut HashMap<Labelled<'a>, usize>, key: &Labelled<'a>) -> bool {
        counts
            .get_mut(key)
            .filter(|n| **n > 0)
            .map(|n| *n -= 1)
            .is_some()
    }
    let vault_left: Vec<&Account> = vault
        .accounts
        .iter()
        .filter(|a| !take(&mut by_label, &labelled(a)))
        .collect();
    let backup_left: Vec<&Account> = c
        .accounts
        .iter()
        .filter(|b| !take(&mut vault_by_label, &labelled(b)))
        .collect();
    // Pass 2: what is left, by generator alone (renamed since).
    let mut left_in_backup: HashMap<Generator<'_>, usize> = HashMap::new();
    for b in &backup_left {
        *left_in_backup.entry(b.generator()).or_default() += 1;
    }
    let mut left_in_vault: HashMap<Generator<'_>, usize> = HashMap::new();
    for a in &vault_left {
        *left_in_vault.entry(a.generator()).or_default() += 1;
    }
    fn unpaired<'a>(counts: &mut HashMap<Generator<'a>, usize>, a: &'a Account) -> bool {
        match counts.get_mut(&a.generator()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        }
    }
    Comparison {
        foreign: !vault.is_same_vault(c.vault_id.as_deref()),
        missing: vault_left
            .iter()
            .filter(|a| unpaired(&mut left_in_backup, a))
            .map(|a| a.label())
            .collect(),
        only_in_backup: backup_left
            .iter()
            .filter(|b| unpaired(&mut left_in_vault, b))
            .map(|b| b.label())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Entry, Secret, Token};
    use proptest::prelude::*;

    fn vault() -> Vault {
        let mut v = Vault::new(vec!["age1example".into()]);
        v.changes = 7;
        let t = Token::totp(Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap());
        v.accounts.push(Account::from_entry(
            Entry::new("GitHub", "alice", t.clone()),
            "aaaa1111".into(),
            OffsetDateTime::UNIX_EPOCH,
        ));
        v.trash.push(Trashed {
            deleted: OffsetDateTime::UNIX_EPOCH,
            account: Account::from_entry(
                Entry::new("Old", "bob", t),
                "bbbb2222".into(),
                OffsetDateTime::UNIX_EPOCH,
            ),
        });
        v
    }

    #[test]
    fn round_trip_with_readable_header() {
        let v = vault();
        let text = to_text(&v, meta_for(&v, OffsetDateTime::UNIX_EPOCH, None));
        assert!(text.starts_with("# otp backup"));
        assert!(text.contains("[backup]\nformat = 1\n"));
        assert!(text.contains("changes = 7"));
        assert!(text.contains("[[accounts]]"));
        let c = parse(&text).unwrap();
        assert_eq!(c.accounts, v.accounts);
        assert_eq!(c.trash, v.trash);
        assert_eq!(c.changes, 7);
        assert_eq!(c.recipients, v.recipients);
        let m = c.meta.unwrap();
        assert_eq!((m.accounts, m.trashed, m.snapshot), (1, 1, None));
    }

    #[test]
    fn key_roles_travel_with_the_backup() {
        let mut v = vault();
        v.recipients.push("age1recovery".into());
        v.roles.recovery = Some("age1recovery".into());
        v.roles.key_file_recipient = Some("age1example".into());
        let text = to_text(&v, meta_for(&v, OffsetDateTime::UNIX_EPOCH, None));
        let c = parse(&text).unwrap();
        assert_eq!(c.roles, v.roles);
        assert_eq!(parse(&v.to_toml()).unwrap().roles, v.roles);
    }

    #[test]
    fn snapshot_marker_round_trips() {
        let v = vault();
        let text = to_text(&v, meta_for(&v, OffsetDateTime::UNIX_EPOCH, Some("purge")));
        assert_eq!(
            parse(&text).unwrap().meta.unwrap().snapshot.as_deref(),
            Some("purge")
        );
    }

    #[test]
    fn the_vault_id_travels_with_backups_and_copies() {
        let mut v = vault();
        let old = to_text(&v, meta_for(&v, OffsetDateTime::UNIX_EPOCH, None));
        assert!(!old.contains("vault_id"));
        assert_eq!(parse(&old).unwrap().vault_id, None);
        v.ensure_id(|| [7; 16]);
        let text = to_text(&v, meta_for(&v, OffsetDateTime::UNIX_EPOCH, Some("add")));
        let c = parse(&text).unwrap();
        assert_eq!(c.vault_id, v.vault_id);
        assert_eq!(c.meta.unwrap().vault_id, v.vault_id);
        assert_eq!(parse(&v.to_toml()).unwrap().vault_id, v.vault_id);
    }

    #[test]
    fn a_backup_read_back_must_hold_exactly_the_vault() {
        let mut v = vault();
        v.ensure_id(|| [3; 16]);
        let text = to_text(&v, meta_for(&v, OffsetDateTime::UNIX_EPOCH, None));
        assert_eq!(holds_exactly(&parse(&text).unwrap(), &v), Ok(()));
        // An account lost, the trash lost, another vault, a plain copy.
        let mut fewer = v.clone();
        fewer.accounts.clear();
        let t = to_text(&fewer, meta_for(&fewer, OffsetDateTime::UNIX_EPOCH, None));
        let err = holds_exactly(&parse(&t).unwrap(), &v).unwrap_err();
        assert!(
            err.contains("missing from the backup: GitHub:alice"),
            "{err}"
        );
        let mut no_trash = v.clone();
        no_trash.trash.clear();
        let t = to_text(
            &no_trash,
            meta_for(&no_trash, OffsetDateTime::UNIX_EPOCH, None),
        );
        assert!(holds_exactly(&parse(&t).unwrap(), &v).is_err());
        let mut other = v.clone();
        other.vault_id = Some("ff".repeat(16));
        let t = to_text(&other, meta_for(&other, OffsetDateTime::UNIX_EPOCH, None));
        assert!(
            holds_exactly(&parse(&t).unwrap(), &v)
                .unwrap_err()
                .contains("another vault")
        );
        assert!(holds_exactly(&parse(&v.to_toml()).unwrap(), &v).is_err());
    }

    #[test]
    fn comparison_goes_by_what_gives_codes() {
        let mut v = vault();
        v.ensure_id(|| [3; 16]);
        let text = to_text(&v, meta_for(&v, OffsetDateTime::UNIX_EPOCH, None));
        let c = parse(&text).unwrap();
        assert!(compare(&c, &v).good());
        // Renamed since, or an HOTP counter moved: still held.
        let mut later = v.clone();
        later.accounts[0].name = "renamed".into();
        later.accounts[0].counter = 9;
        assert!(compare(&c, &later).good());
        // Added since: missing; removed since: only in the backup.
        let t = Token::totp(Secret::from_base32("GEZDGNBVGY3TQOJQ").unwrap());
        later.accounts.push(Account::from_entry(
            Entry::new("New", "n", t),
            "cccc3333".into(),
            OffsetDateTime::UNIX_EPOCH,
        ));
        let d = compare(&c, &later);
        assert_eq!(d.missing, vec!["New:n".to_string()]);
        assert!(!d.good());
        let mut gone = v.clone();
        gone.accounts.clear();
        let d = compare(&c, &gone);
        assert!(d.good());
        assert_eq!(d.only_in_backup, vec!["GitHub:alice".to_string()]);
        // The same secret under another label is another account: a backup
        // with only one of them misses the other.
        let mut twin = v.clone();
        let mut second = twin.accounts[0].clone();
        second.issuer = "Work".into();
        second.id = "dddd4444".into();
        twin.accounts.push(second);
        let d = compare(&c, &twin);
        assert_eq!(d.missing, vec!["Work:alice".to_string()]);
        assert!(d.only_in_backup.is_empty());
        // Both renamed since: still both held by a backup that has both.
        let both = parse(&to_text(
            &twin,
            meta_for(&twin, OffsetDateTime::UNIX_EPOCH, None),
        ))
        .unwrap();
        let mut renamed = twin.clone();
        renamed.accounts[0].name = "a2".into();
        renamed.accounts[1].name = "a3".into();
        assert!(compare(&both, &renamed).good());
        assert!(compare(&both, &renamed).only_in_backup.is_empty());
        // Another vault's backup is never good.
        let mut other = v.clone();
        other.vault_id = Some("ff".repeat(16));
        assert!(compare(&c, &other).foreign);
        assert!(!compare(&c, &other).good());
    }

    #[test]
    fn a_backup_of_a_keyed_vault_proves_where_it_came_from() {
        let mut v = vault();
        v.ensure_id(|| [4; 16]);
        v.ensure_auth_key(|| [6; 32]);
        let key = v.auth_key.clone();
        let text = to_text(&v, meta_for(&v, OffsetDateTime::UNIX_EPOCH, None));
        assert!(text.starts_with("tag = \""), "{}", &text[..20]);
        assert!(
            !text.contains(&"06".repeat(32)),
            "the key is never in a backup"
        );
        let c = parse(&text).unwrap();
        assert_eq!(c.accounts, v.accounts);
        assert_eq!(proof(&text, &c, key.as_ref()), Proof::Authentic);
        // Nothing to check with: nothing proven.
        assert_eq!(proof(&text, &c, None), Proof::Unsealed);
        // One byte of the body changed; the same document under another
        // key (an attacker's, or another vault's); no tag at all.
        let changed = text.replace("changes = 7", "changes = 8");
        assert_eq!(
            proof(&changed, &parse(&changed).unwrap(), key.as_ref()),
            Proof::Forged
        );
        let mut stranger = v.clone();
        stranger.auth_key = Some(AuthKey::from_bytes([9; 32]));
        let forged = to_text(
            &stranger,
            meta_for(&stranger, OffsetDateTime::UNIX_EPOCH, None),
        );
        assert_eq!(
            proof(&forged, &parse(&forged).unwrap(), key.as_ref()),
            Proof::Forged
        );
        let mut old = v.clone();
        old.auth_key = None;
        let plain = to_text(&old, meta_for(&old, OffsetDateTime::UNIX_EPOCH, None));
        assert_eq!(
            proof(&plain, &parse(&plain).unwrap(), key.as_ref()),
            Proof::Unsealed
        );
        // A vault version's tag is not a backup's (separate domains).
        let body = auth::split(&text).unwrap().1;
        let as_version = auth::seal(key.as_ref().unwrap(), body);
        assert_eq!(
            proof(&as_version, &parse(&as_version).unwrap(), key.as_ref()),
            Proof::Forged
        );
        // A vault copy is checked as the vault: by its own key and tag.
        let copy = v.to_sealed_toml();
        let c = parse(&copy).unwrap();
        assert_eq!(proof(&copy, &c, key.as_ref()), Proof::Authentic);
        let copy = stranger.to_sealed_toml();
        assert_eq!(
            proof(&copy, &parse(&copy).unwrap(), key.as_ref()),
            Proof::Forged
        );
    }

    #[test]
    fn the_forced_mark_is_inside_the_backup() {
        let v = vault();
        let mut meta = meta_for(&v, OffsetDateTime::UNIX_EPOCH, None);
        assert!(!to_text(&v, meta.clone()).contains("forced"));
        meta.forced = true;
        let text = to_text(&v, meta);
        assert!(parse(&text).unwrap().meta.unwrap().forced);
    }

    #[test]
    fn vault_copies_are_read_too() {
        let v = vault();
        let c = parse(&v.to_toml()).unwrap();
        assert!(c.meta.is_none());
        assert_eq!(c.accounts, v.accounts);
        assert_eq!(c.changes, 7);
    }

    #[test]
    fn newer_formats_and_other_files_are_refused() {
        let err = parse("[backup]\nformat = 2\n").unwrap_err();
        assert!(err.message.contains("newer otp"), "{}", err.message);
        assert!(
            parse("hello = 1")
                .unwrap_err()
                .message
                .contains("not an otp backup")
        );
        assert!(parse("not toml [").is_err());
    }

    #[test]
    fn errors_never_echo_secrets() {
        let v = vault();
        let text = to_text(&v, meta_for(&v, OffsetDateTime::UNIX_EPOCH, None));
        let broken = text.replace("digits = 6", "digits = \"six\"");
        let err = parse(&broken).unwrap_err();
        assert!(!err.message.contains("JBSWY3DP"), "{}", err.message);
    }

    /// The one-pass reading answers exactly as the step-by-step one.
    fn same_as_slowly(text: &str) -> Result<(), TestCaseError> {
        let (fast, slow) = (parse(text), parse_slowly(text));
        match (&fast, &slow) {
            (Ok(a), Ok(b)) => prop_assert_eq!(a, b),
            (Err(a), Err(b)) => prop_assert_eq!((&a.message, &a.hint), (&b.message, &b.hint)),
            _ => prop_assert!(false, "{text:?}: {:?} vs {:?}", fast.is_ok(), slow.is_ok()),
        }
        Ok(())
    }

    #[test]
    fn one_pass_and_step_by_step_agree() {
        let mut v = vault();
        v.ensure_id(|| [9; 16]);
        v.roles.recovery = Some("age1example".into());
        let backup = to_text(&v, meta_for(&v, OffsetDateTime::UNIX_EPOCH, Some("add")));
        let newer = backup.replace("format = 1", "format = 2");
        let newer_schema = backup.replace("vault_schema = 1", "vault_schema = 2");
        let vault_v2 = v.to_toml().replace("version = 1", "version = 2");
        for text in [
            backup.as_str(),
            &newer,
            &newer_schema,
            &backup.replace("digits = 6", "digits = \"six\""),
            &backup.replace("format = 1\n", ""),
            &v.to_toml(),
            &vault_v2,
            &v.to_toml().replace("version = 1\n", ""),
            "version = 1\naccounts = 3\n",
            "hello = 1",
            "not toml [",
            "",
            "backup = 3\nversion = 1\n",
        ] {
            same_as_slowly(text).unwrap();
        }
        assert!(parse(&newer).unwrap_err().message.contains("newer otp"));
        let err = parse(&backup.replace("vault_schema = 1", "vault_schema = 7"))
            .unwrap_err()
            .message;
        assert!(
            err.contains("backup format 1, vault schema 7")
                && err.contains("reads backup format 1 and vault schema 1 at most"),
            "{err}"
        );
        let err = parse(&vault_v2).unwrap_err().message;
        assert!(err.contains("schema version 2"), "{err}");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn parse_never_panics(s in any::<String>()) {
            let _ = parse(&s);
        }

        #[test]
        fn mutated_files_read_alike_in_one_pass_and_step_by_step(
            pos in 0usize..2000,
            byte in 0x20u8..0x7f,
            copy in any::<bool>(),
        ) {
            let v = vault();
            let text = if copy {
                Zeroizing::new(v.to_toml())
            } else {
                to_text(&v, meta_for(&v, OffsetDateTime::UNIX_EPOCH, None))
            };
            let mut bytes = text.as_bytes().to_vec();
            let i = pos % bytes.len();
            bytes[i] = byte;
            same_as_slowly(&String::from_utf8_lossy(&bytes))?;
        }

        #[test]
        fn mutated_backups_never_panic(pos in 0usize..2000, byte in any::<u8>()) {
            let v = vault();
            let mut text = to_text(&v, meta_for(&v, OffsetDateTime::UNIX_EPOCH, None)).as_bytes().to_vec();
            if !text.is_empty() {
                let i = pos % text.len();
                text[i] = byte;
            }
            let _ = parse(&String::from_utf8_lossy(&text));
        }
    }
}
