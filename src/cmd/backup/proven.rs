//! The local record of backup files already proven, so retention does not
//! decrypt every backup of the folder on every `otp backup` (30 backups of
//! a 1,000-account vault cost about half a second to open; bench/README.md).
//!
//! What it trusts, and why a planted record can do nothing: the record is
//! kept in this machine's data folder (`<vault file name>.proven`, beside
//! the writer id), and is sealed with the vault's authentication key in its
//! own domain ([`PROVEN_DOMAIN`]): a record that does not verify, or was
//! made for another vault id or another unlocking key, is ignored whole.
//! A verified record only says "this exact file was proven": an entry
//! counts only while the file's size, mtime, ctime, inode and device are
//! what they were when it was proven, and ctime cannot be set back by
//! anyone who merely writes into the folder, so a file changed, replaced
//! or renamed since is opened again. Only proven backups of this vault
//! are remembered; forged, unproven and damaged files are examined every
//! time. So the record can make a run faster, never make a file count that
//! [`examine`](super::examine) would not count: tests/backup_trust.rs
//! compares both answers.

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::cmd::Ctx;
use crate::export::files::BackupName;
use crate::model::Vault;
use crate::model::auth::{self, AuthKey, PROVEN_DOMAIN};
use crate::vault::keys::Unlocked;
use crate::vault::store;

/// What identifies one version of a file: if any of it changed, the file
/// is opened again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    size: u64,
    mtime: i64,
    mtime_ns: i64,
    ctime: i64,
    ctime_ns: i64,
    ino: u64,
    dev: u64,
}

/// The stamp of `path` when it is a regular file (not followed through a
/// link: examine refuses links and special files anyway).
pub fn stamp(path: &Path) -> Option<Stamp> {
    let m = std::fs::symlink_metadata(path).ok()?;
    m.file_type().is_file().then(|| Stamp {
        size: m.size(),
        mtime: m.mtime(),
        mtime_ns: m.mtime_nsec(),
        ctime: m.ctime(),
        ctime_ns: m.ctime_nsec(),
        ino: m.ino(),
        dev: m.dev(),
    })
}

/// One proven backup: its file's stamp and what it says inside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Entry {
    stamp: Stamp,
    tag: Option<String>,
    created_ns: i128,
    changes: u64,
    accounts: u64,
    forced: bool,
    snapshot: Option<String>,
}

/// The record's body (sealed as a whole).
#[derive(Default, Serialize, Deserialize)]
struct Body {
    /// The vault id it was made for.
    vault: String,
    /// The unlocking key's recipients (sorted) it was made with: whether a
    /// file opens depends on the key, so another key starts afresh.
    keys: Vec<String>,
    /// Folder → file name → entry.
    folders: BTreeMap<String, BTreeMap<String, Entry>>,
}

/// The record, loaded for one run.
pub struct Proven {
    path: PathBuf,
    key: Option<AuthKey>,
    body: Body,
    /// Per folder, the entries hit or added in this run: what is saved.
    used: BTreeMap<String, BTreeMap<String, Entry>>,
}

impl Proven {
    /// A record that remembers nothing and is never saved.
    pub fn none() -> Proven {
        Proven {
            path: PathBuf::new(),
            key: None,
            body: Body::default(),
            used: BTreeMap::new(),
        }
    }

    /// Loads this vault's record; one that is missing, damaged, forged or
    /// made for another vault or key is an empty one. A vault without an
    /// authentication key, or a key whose recipients cannot be told,
    /// remembers nothing.
    pub fn load(ctx: &Ctx, vault: &Vault, unlocked: &Unlocked) -> Proven {
        let (Some(key), Some(id)) = (vault.auth_key.clone(), vault.vault_id.clone()) else {
            return Proven::none();
        };
        let mut keys = unlocked.recipients.list();
        if keys.is_empty() {
            return Proven::none();
        }
        keys.sort();
        let mut name = ctx
            .vault_path
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        name.push(".proven");
        let path = ctx.data_dir.join(name);
        let body = read_body(&path, &key)
            .filter(|b| b.vault == id && b.keys == keys)
            .unwrap_or(Body {
                vault: id,
                keys,
                folders: BTreeMap::new(),
            });
        Proven {
            path,
            key: Some(key),
            body,
            used: BTreeMap::new(),
        }
    }

    /// What `dir/file` (named `named`) said inside when it was proven, and
    /// its tag, if the record holds it and the file is unchanged since.
    pub fn lookup(
        &mut self,
        dir: &Path,
        file: &str,
        named: &BackupName,
    ) -> Option<(BackupName, Option<String>)> {
        self.key.as_ref()?;
        let folder = folder(dir);
        let entry = self.body.folders.get(&folder)?.get(file)?;
        if stamp(&dir.join(file)).as_ref() != Some(&entry.stamp) {
            return None;
        }
        let time = OffsetDateTime::from_unix_timestamp_nanos(entry.created_ns).ok()?;
        let name = BackupName {
            time,
            changes: entry.changes,
            accounts: entry.accounts,
            vault: named.vault.clone(),
            forced: entry.forced,
            snapshot: entry.snapshot.clone(),
            seq: named.seq,
        };
        let tag = entry.tag.clone();
        self.used
            .entry(folder)
            .or_default()
            .insert(file.to_string(), entry.clone());
        Some((name, tag))
    }

    /// Remembers that `dir/file`, stamped `before` just before it was
    /// opened, was proven to be the backup `name` with `tag`: only if the
    /// file is still exactly that file.
    pub fn remember(
        &mut self,
        dir: &Path,
        file: &str,
        before: Option<Stamp>,
        name: &BackupName,
        tag: Option<String>,
    ) {
        if self.key.is_none() {
            return;
        }
        let Some(before) = before else { return };
        if stamp(&dir.join(file)).as_ref() != Some(&before) {
            return;
        }
        self.used.entry(folder(dir)).or_default().insert(
            file.to_string(),
            Entry {
                stamp: before,
                tag,
                created_ns: name.time.unix_timestamp_nanos(),
                changes: name.changes,
                accounts: name.accounts,
                forced: name.forced,
                snapshot: name.snapshot.clone(),
            },
        );
    }

    /// Saves the record: for each folder looked at in this run, exactly
    /// the files proven in it (files gone or changed drop out); other
    /// folders as they were. A record that cannot be written only costs
    /// time on the next run, so that is not an error.
    pub fn save(mut self) {
        let Some(key) = self.key.take() else { return };
        let used = std::mem::take(&mut self.used);
        let mut changed = false;
        for (folder, entries) in used {
            if self.body.folders.get(&folder) != Some(&entries) {
                changed = true;
                self.body.folders.insert(folder, entries);
            }
        }
        if !changed {
            return;
        }
        let Ok(json) = serde_json::to_string(&self.body) else {
            return;
        };
        let text = auth::seal_in(PROVEN_DOMAIN, &key, &json);
        let _ = store::write_atomic(&self.path, text.as_bytes());
    }

    /// Marks `dir` as looked at in this run, so that a folder where no
    /// file was proven is saved empty.
    pub fn visit(&mut self, dir: &Path) {
        if self.key.is_some() {
            self.used.entry(folder(dir)).or_default();
        }
    }
}

/// The record's key for a folder: its canonical path when it has one.
fn folder(dir: &Path) -> String {
    std::fs::canonicalize(dir)
        .unwrap_or_else(|_| dir.to_path_buf())
        .to_string_lossy()
        .into_owned()
}

/// The record at `path` if it verifies under `key`.
fn read_body(path: &Path, key: &AuthKey) -> Option<Body> {
    let data = crate::vault::read::read_capped(path, crate::vault::read::MAX_DOCUMENT).ok()?;
    let text = std::str::from_utf8(&data).ok()?;
    let (tag, body) = auth::split(text)?;
    if !key.verifies_in(PROVEN_DOMAIN, body.as_bytes(), tag) {
        return None;
    }
    serde_json::from_str(body).ok()
}
