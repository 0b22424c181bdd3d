//! `otp backup`, and the backup machinery other commands share: writing an
//! encrypted backup or safety-net snapshot into the backup folder,
//! retention, the last-backup record `otp status` reads, and the hook that
//! runs after every change (reminder or `auto_backup`).
//!
//! Freshness never needs a key: the last backup's time, change counter and
//! account count are kept in `<vault stem>.last-backup.toml` beside the
//! vault, and every backup's file name carries the same facts.
//!
//! What it trusts: a backup folder is untrusted storage (often shared or
//! synced), and a file name is only a claim. Retention, `--verify`,
//! `otp drill` and `otp status` count a file as a backup of this vault only
//! when its tag proves one of the vault's machines wrote it ([`examine`]),
//! and then go by what the backup says inside (time, changes, accounts,
//! forced), never by its name. A file that does not prove itself is never
//! counted and never removed (docs/trust.md).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::cli::BackupArgs;
use crate::cmd::{Ctx, now, out};
use crate::error::Fail;
use crate::export::backup;
use crate::export::files::{self, BackupName};
use crate::model::Vault;
use crate::model::auth::Proof;
use crate::term;
use crate::vault::keys::{self, Unlocked};
use crate::vault::{read, store};

pub mod dests;
mod verify;

pub use dests::Destination;

pub fn run(ctx: &Ctx, args: BackupArgs) -> Result<()> {
    let (mut vault, unlocked) = ctx.load()?;
    if args.verify {
        let dests = match &args.dir {
            Some(dir) => vec![Destination {
                path: dir.clone(),
                create: false,
            }],
            None => dests::destinations(ctx),
        };
        return verify::run(ctx, &vault, &unlocked, &dests, args.all);
    }
    if vault.vault_id.is_none() {
        // A vault from before vault ids: give it one first, so its backups
        // carry it and retention can tell them from other vaults'.
        vault = ctx.give_id(&unlocked)?;
    }
    let dests = match &args.dir {
        Some(dir) => vec![Destination {
            path: dir.clone(),
            create: true,
        }],
        None => dests::destinations(ctx),
    };
    if dests.len() == 1 {
        // One folder: its failure is the command's.
        if let Err(why) = dests::reachable(&dests[0]) {
            return Err(Fail::error(format!(
                "cannot back up to {}: {why}",
                dests[0].path.display()
            ))
            .into());
        }
        let w = write_backup(ctx, &vault, &unlocked, &dests[0].path, args.force, None)?;
        backed_up(ctx, &vault, &w);
        return out(&format!("{}\n", w.path.display()));
    }
    let mut paths = String::new();
    let mut bad_read_back = false;
    for d in &dests {
        if let Err(why) = dests::reachable(d) {
            term::warn(&format!(
                "skipped the backup folder {}: {why}",
                d.path.display()
            ));
            continue;
        }
        match write_checked(ctx, &vault, &unlocked, &d.path, args.force, None) {
            Ok(Ok(w)) => {
                backed_up(ctx, &vault, &w);
                paths.push_str(&format!("{}\n", w.path.display()));
            }
            Ok(Err(fail)) => {
                bad_read_back = true;
                term::warn(&fail.message);
            }
            Err(e) => term::warn(&format!("no backup in {}: {e:#}", d.path.display())),
        }
    }
    out(&paths)?;
    if bad_read_back {
        return Err(
            Fail::error("a backup did not read back as this vault (see above)")
                .hint("check that disk or folder, then run `otp backup` again")
                .into(),
        );
    }
    if paths.is_empty() {
        return Err(Fail::error(
            "no backup was written: no backup folder could be used (see above)",
        )
        .hint("plug in or mount a backup disk, or fix backup_dirs in the config")
        .into());
    }
    Ok(())
}

/// What `otp backup` says about one backup written.
fn backed_up(ctx: &Ctx, vault: &Vault, w: &Written) {
    term::note(&format!(
        "Backed up {} account(s) ({} in the trash) to {}",
        vault.accounts.len(),
        vault.trash.len(),
        w.path.display()
    ));
    if let Some(key) = &w.key_copy {
        term::note(&format!(
            "The key file is kept beside it ({}): with your passphrase it opens these backups on a new machine.",
            key.display()
        ));
    }
    report(ctx, w);
}

/// What one backup write did.
pub struct Written {
    pub path: PathBuf,
    pub deleted: Vec<PathBuf>,
    /// (accounts now, accounts in the reference backup) when pruning was held.
    pub held: Option<(u64, u64)>,
    /// Where the vault's key file was copied (passphrase vaults).
    pub key_copy: Option<PathBuf>,
}

fn report(ctx: &Ctx, w: &Written) {
    if !w.deleted.is_empty() {
        term::note(&format!(
            "Removed {} old backup(s), keeping the newest {}.",
            w.deleted.len(),
            ctx.config.backup_keep.max(1)
        ));
    }
    warn_held(w);
}

fn warn_held(w: &Written) {
    if let Some((now, before)) = w.held {
        term::warn(&format!(
            "the vault has {now} account(s), but an earlier backup has {before}: no older backup was removed. \
             If those accounts are really gone, run `otp backup --force` to let new backups replace old ones."
        ));
    }
}

/// The first backup folder (`backup_dir`, else the first of
/// `backup_dirs`, else `<data dir>/backups`): where safety-net snapshots go.
pub fn backup_dir(ctx: &Ctx) -> PathBuf {
    dests::destinations(ctx)
        .into_iter()
        .next()
        .map(|d| d.path)
        .unwrap_or_else(|| ctx.data_dir.join("backups"))
}

/// The vault file's name without `.age`: the prefix of its backups.
pub fn stem(ctx: &Ctx) -> String {
    let name = ctx
        .vault_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "vault".into());
    name.strip_suffix(".age").unwrap_or(&name).to_string()
}

/// The armored, encrypted backup document for `vault`, carrying `sealed`
/// (the passphrase-sealed key file, [`sealed_key`]) in its header.
pub fn encrypted_backup(
    vault: &Vault,
    at: OffsetDateTime,
    snapshot: Option<&str>,
    sealed: Option<Vec<u8>>,
) -> Result<Vec<u8>> {
    encrypt_meta(vault, backup::meta_for(vault, at, snapshot), sealed)
}

/// [`encrypted_backup`] with its `[backup]` table given.
fn encrypt_meta(vault: &Vault, meta: backup::Meta, sealed: Option<Vec<u8>>) -> Result<Vec<u8>> {
    let text = backup::to_text(vault, meta);
    let mut recipients = keys::parse_recipients(&vault.recipients)?;
    if recipients.is_empty() {
        return Err(Fail::error("the vault lists no recipients to encrypt the backup to").into());
    }
    if let Some(sealed) = sealed {
        let inner = recipients.remove(0);
        recipients.insert(
            0,
            Box::new(crate::export::sealed::Carrier { inner, sealed }),
        );
    }
    keys::encrypt(text.as_bytes(), &recipients, true)
}

/// A passphrase vault's key file (`vault.identity.age`, sealed with the
/// passphrase), which every backup carries so that it restores on a new
/// machine with the passphrase alone; None for an identity vault.
pub fn sealed_key(ctx: &Ctx) -> Option<Vec<u8>> {
    std::fs::read(ctx.key_file())
        .ok()
        .filter(|b| keys::is_age_file(b) && b.len() <= crate::export::sealed::MAX_SEALED)
}

/// Backups of this vault in `dir`, by file name; other files are ignored.
pub fn list(dir: &Path, stem: &str) -> Vec<(String, BackupName)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            let parsed = BackupName::parse(stem, &name)?;
            Some((name, parsed))
        })
        .collect()
}

/// Writes a backup (or, with `snapshot`, a safety-net snapshot) of `vault`
/// into `dir`, copies the key file beside it, applies retention and, for a
/// backup, records it as the last one.
pub fn write_backup(
    ctx: &Ctx,
    vault: &Vault,
    unlocked: &Unlocked,
    dir: &Path,
    force: bool,
    snapshot: Option<&str>,
) -> Result<Written> {
    Ok(write_checked(ctx, vault, unlocked, dir, force, snapshot)??)
}

/// [`write_backup`], telling a backup that did not read back as the vault
/// (`Ok(Err(..))`: it was set aside) from one that could not be written.
pub fn write_checked(
    ctx: &Ctx,
    vault: &Vault,
    unlocked: &Unlocked,
    dir: &Path,
    force: bool,
    snapshot: Option<&str>,
) -> Result<Result<Written, Fail>> {
    let at = now().replace_nanosecond(0).unwrap_or_else(|_| now());
    store::create_private_dir(dir)?;
    let stem = stem(ctx);
    let all = list(dir, &stem);
    // Retention counts and prunes only this vault's backups: never another
    // vault's sharing the folder (and file name), never one without an id,
    // and (once the vault has an authentication key) never a file that does
    // not prove it is one: a planted "newer" file cannot push a real
    // backup out.
    let tag = vault.vault_id.as_deref().and_then(files::id_tag);
    let named: Vec<(String, BackupName)> = all
        .iter()
        .filter(|(_, n)| tag.is_some() && n.vault == tag)
        .cloned()
        .collect();
    let (mut existing, unproven) = counted(dir, &named, unlocked, vault);
    if !unproven.is_empty() {
        term::warn(&format!(
            "{} file(s) in {} are named as backups of this vault but could not be proven to be (forged, or not written by your machines): {}. \
             They were not counted or removed; run `otp backup --verify` (docs/trust.md)",
            unproven.len(),
            dir.display(),
            crate::text::sanitize(&unproven.join(", "))
        ));
    }
    let accounts = vault.accounts.len() as u64;
    let forced = force
        && snapshot.is_none()
        && files::reference(&existing, "").is_some_and(|r| files::shrank(accounts, r));
    let mut meta = backup::meta_for(vault, at, snapshot);
    meta.forced = forced;
    meta.backup_id = Some(crate::model::auth::hex_id(crate::cmd::random8()));
    let data = encrypt_meta(vault, meta, sealed_key(ctx))?;
    let mut name = BackupName {
        time: at,
        changes: vault.changes,
        accounts,
        vault: tag.clone(),
        forced,
        snapshot: snapshot.map(str::to_string),
        // Later in the same second sorts later, whatever the rest of the name.
        seq: all
            .iter()
            .filter(|(_, n)| n.time == at)
            .map(|(_, n)| n.seq.saturating_add(1))
            .max()
            .unwrap_or(1),
    };
    let (file, path) = loop {
        let file = name.file_name(&stem);
        let path = dir.join(&file);
        if !path.exists() {
            break (file, path);
        }
        name.seq += 1;
    };
    store::write_new(&path, &data)?;
    // Read back before anything is pruned or recorded: a backup is only
    // counted once it has been decrypted and found to be the vault.
    if let Err(why) = read_back(&path, unlocked, vault) {
        let aside = set_aside(&path);
        return Ok(Err(Fail::error(format!(
            "the backup written to {} does not read back as this vault: {why}. {}; no older backup was removed",
            path.display(),
            match &aside {
                Ok(p) => format!("It was kept aside as {}", p.display()),
                Err(e) => format!("It could not be moved aside ({e})"),
            }
        ))
        .hint("check that disk or folder, then run `otp backup` again")));
    }
    let key_copy = copy_key_file(ctx, dir)?;
    existing.push((file.clone(), name));
    let pruning = match tag {
        Some(_) => files::prune(&existing, &file, ctx.config.backup_keep, force),
        // A vault without an id (or with a hand-made one) cannot tell its
        // backups from others': it prunes nothing.
        None => files::Pruning::default(),
    };
    let mut deleted = Vec::new();
    for f in pruning.delete {
        let p = dir.join(&f);
        match std::fs::remove_file(&p) {
            Ok(()) => deleted.push(p),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => term::warn(&format!(
                "cannot remove the old backup {}: {e}",
                p.display()
            )),
        }
    }
    if snapshot.is_none() {
        record(ctx, vault, at, &path.display().to_string());
    }
    Ok(Ok(Written {
        path,
        deleted,
        held: pruning.held,
        key_copy,
    }))
}

/// Reads a backup file back, decrypts it with the key that unlocked the
/// vault, and checks it holds exactly `vault` (accounts, trash, vault id)
/// and, for a vault with an authentication key, that its tag proves it.
pub fn read_back(path: &Path, unlocked: &Unlocked, vault: &Vault) -> Result<(), String> {
    let Opened {
        contents, proof, ..
    } = open_backup(path, &unlocked.identities, vault)?;
    if vault.auth_key.is_some() && !proof.is_authentic() {
        return Err("its tag does not verify".into());
    }
    backup::holds_exactly(&contents, vault)
}

/// A backup file decrypted with `identities` and parsed, with what it
/// proves against `vault`'s authentication key ([`backup::proof`]); `Err`
/// says what is wrong with it (unreadable, not decryptable, damaged, not a
/// backup).
pub fn open_backup(
    path: &Path,
    identities: &[Box<dyn age::Identity>],
    vault: &Vault,
) -> Result<Opened, String> {
    let data = read::read_capped(path, read::MAX_DOCUMENT).map_err(|e| e.to_string())?;
    let plain = keys::decrypt(&data, identities).map_err(|e| format!("{e:#}"))?;
    let text =
        std::str::from_utf8(&plain).map_err(|_| "it decrypted, but is not text".to_string())?;
    let contents = backup::parse(text).map_err(|e| e.message)?;
    let proof = backup::proof(text, &contents, vault.auth_key.as_ref());
    let tag = crate::model::auth::split(text).map(|(t, _)| t.to_string());
    Ok(Opened {
        contents,
        proof,
        tag,
    })
}

/// A backup file opened ([`open_backup`]).
pub struct Opened {
    pub contents: backup::Contents,
    /// What it proves against the vault's authentication key.
    pub proof: Proof,
    /// Its tag, if it has one: the same for every copy of one backup.
    pub tag: Option<String>,
}

/// What a file named as one of this vault's backups turns out to be.
pub enum Found {
    /// A backup of this vault: proven by its tag (`proven`), or, while the
    /// vault has no authentication key yet, merely opened and naming this
    /// vault (nothing can be proven then). `name` holds what the backup
    /// says inside, not what its file name claims.
    Mine {
        name: BackupName,
        tag: Option<String>,
        contents: Box<backup::Contents>,
        proven: bool,
    },
    /// It opens, but has no tag: written by an otp from before backups
    /// were tagged, or not by one of your machines. Proves nothing.
    Unsealed,
    /// A tag this vault's key does not make, or it names another vault:
    /// not written by one of your machines as a backup of this vault.
    Forged(String),
    /// It cannot be read, opened or parsed.
    Unreadable(String),
}

impl Found {
    /// The one-line verdict on a file that is not a backup of this vault.
    pub fn why_not(&self) -> String {
        match self {
            Found::Mine { .. } => String::new(),
            Found::Unsealed => "UNPROVEN: it has no tag (written by an otp from before backups were tagged, or not by one of your machines); not counted as a backup of this vault".into(),
            Found::Forged(why) => format!("FORGED: {why}; not written by one of your machines as a backup of this vault"),
            Found::Unreadable(why) => format!("damaged or unreadable: {why}"),
        }
    }
}

/// Opens `dir/file` (named as one of `vault`'s backups, `named`) with
/// `identities` and says what it is.
pub fn examine(
    dir: &Path,
    file: &str,
    named: &BackupName,
    identities: &[Box<dyn age::Identity>],
    vault: &Vault,
) -> Found {
    let path = dir.join(file);
    let Opened {
        contents,
        proof,
        tag,
    } = match open_backup(&path, identities, vault) {
        Ok(x) => x,
        Err(why) => return Found::Unreadable(why),
    };
    let Some(meta) = contents.meta.clone() else {
        return Found::Forged("it is a vault copy, not a backup".into());
    };
    let keyed = vault.auth_key.is_some();
    match proof {
        Proof::Authentic => {}
        Proof::Unsealed if !keyed => {}
        Proof::Unsealed => return Found::Unsealed,
        Proof::Forged => {
            return Found::Forged("its tag is not made by this vault's key".into());
        }
    }
    if !vault.is_same_vault(contents.vault_id.as_deref()) {
        return Found::Forged("it holds another vault (its vault id differs)".into());
    }
    let name = BackupName {
        time: meta.created,
        changes: meta.changes,
        accounts: contents.accounts.len() as u64,
        vault: named.vault.clone(),
        forced: meta.forced,
        snapshot: meta.snapshot.clone(),
        seq: named.seq,
    };
    Found::Mine {
        name,
        tag,
        contents: Box::new(contents),
        proven: proof.is_authentic(),
    }
}

/// The files of `named` that retention may count (with what they say
/// inside, each backup once however many copies of it there are), and the
/// names of those that could not be proven to be this vault's. A vault
/// without an authentication key goes by file names, as before tags.
fn counted(
    dir: &Path,
    named: &[(String, BackupName)],
    unlocked: &Unlocked,
    vault: &Vault,
) -> (Vec<(String, BackupName)>, Vec<String>) {
    if vault.auth_key.is_none() {
        return (named.to_vec(), Vec::new());
    }
    let mut seen = std::collections::HashSet::new();
    let mut counted = Vec::new();
    let mut unproven = Vec::new();
    for (file, n) in named {
        match examine(dir, file, n, &unlocked.identities, vault) {
            Found::Mine { name, tag, .. } => {
                if seen.insert(tag) {
                    counted.push((file.clone(), name));
                }
            }
            // Damaged files are left as they were: not counted, not removed,
            // and not blamed on anyone.
            Found::Unreadable(_) | Found::Unsealed => {}
            Found::Forged(_) => unproven.push(file.clone()),
        }
    }
    (counted, unproven)
}

/// Moves a backup that failed its check out of the way, under a name that
/// says so (`…-unverified.age`) and that retention never counts or prunes.
fn set_aside(path: &Path) -> std::io::Result<PathBuf> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(".age").unwrap_or(&name);
    let aside = path.with_file_name(format!("{stem}-unverified.age"));
    std::fs::rename(path, &aside)?;
    Ok(aside)
}

/// Copies `vault.identity.age` into `dir` when it is missing or outdated
/// there: without it a passphrase vault's backups cannot be opened.
fn copy_key_file(ctx: &Ctx, dir: &Path) -> Result<Option<PathBuf>> {
    let key = ctx.key_file();
    let Ok(bytes) = std::fs::read(&key) else {
        return Ok(None);
    };
    let Some(name) = key.file_name() else {
        return Ok(None);
    };
    let dest = dir.join(name);
    let same_file = match (dest.canonicalize(), key.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same_file && std::fs::read(&dest).ok().as_deref() != Some(&bytes[..]) {
        store::write_atomic(&dest, &bytes)
            .with_context(|| format!("cannot copy the key file into {}", dir.display()))?;
    }
    Ok(Some(dest))
}

/// A safety-net snapshot of `vault` (as it is before `op`) in the backup
/// folder; `otp recover` on it undoes `op`.
pub fn snapshot(ctx: &Ctx, vault: &Vault, unlocked: &Unlocked, op: &str) -> Result<PathBuf> {
    let w = write_backup(ctx, vault, unlocked, &backup_dir(ctx), false, Some(op))
        .context("cannot write the safety-net snapshot; nothing was changed")?;
    Ok(w.path)
}

/// The one line that tells the user how to undo with a snapshot.
pub fn undo_note(path: &Path) {
    term::note(&format!(
        "The previous vault is kept in {}; to undo: otp recover '{}'",
        path.display(),
        path.display()
    ));
}

/// The last backup taken (`otp backup`, `auto_backup`, `otp export`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LastBackup {
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    pub changes: u64,
    pub accounts: u64,
    /// The file, or `stdout` for `otp export` without `-o`.
    pub path: String,
}

/// `<vault stem>.last-backup.toml` beside the vault.
pub fn state_path(ctx: &Ctx) -> PathBuf {
    ctx.vault_path
        .with_file_name(format!("{}.last-backup.toml", stem(ctx)))
}

/// Records a backup of `vault` as the last one. A failure only warns: the
/// backup itself was written.
pub fn record(ctx: &Ctx, vault: &Vault, at: OffsetDateTime, path: &str) {
    let last = LastBackup {
        time: at,
        changes: vault.changes,
        accounts: vault.accounts.len() as u64,
        path: path.to_string(),
    };
    let text = toml::to_string(&last).unwrap_or_default();
    if let Err(e) = store::write_atomic(&state_path(ctx), text.as_bytes()) {
        term::warn(&format!("cannot record the backup for `otp status`: {e:#}"));
    }
}

/// How current the last backup is.
#[derive(Debug, Clone)]
pub struct Freshness {
    pub last: Option<LastBackup>,
    /// The recorded backup file no longer exists.
    pub missing: bool,
    /// Changes since the last backup (`None` if the record is of a later
    /// vault state than this vault, e.g. a vault re-created since).
    pub changes_since: Option<u64>,
    pub out_of_date: bool,
}

pub fn freshness(ctx: &Ctx, vault: &Vault) -> Freshness {
    let last: Option<LastBackup> = std::fs::read_to_string(state_path(ctx))
        .ok()
        .and_then(|t| toml::from_str(&t).ok());
    let missing = last
        .as_ref()
        .is_some_and(|l| l.path != "stdout" && !Path::new(&l.path).exists());
    let changes_since = last
        .as_ref()
        .and_then(|l| vault.changes.checked_sub(l.changes));
    let out_of_date = last.is_none() || missing || changes_since != Some(0);
    Freshness {
        last,
        missing,
        changes_since,
        out_of_date,
    }
}

/// "3 days", "5 minutes", ...
pub fn age(since: OffsetDateTime, now: OffsetDateTime) -> String {
    let secs = (now - since).whole_seconds().max(0);
    let (n, unit) = match secs {
        s if s < 60 => return "less than a minute".into(),
        s if s < 3600 => (s / 60, "minute"),
        s if s < 86_400 => (s / 3600, "hour"),
        s => (s / 86_400, "day"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

/// One line on what is not backed up, or `None` when all is.
pub fn reminder(f: &Freshness) -> Option<String> {
    if !f.out_of_date {
        return None;
    }
    let fix = "run `otp backup` (or set auto_backup = true)";
    Some(match (&f.last, f.changes_since) {
        (None, _) => format!("this vault has never been backed up; {fix}"),
        (Some(l), _) if f.missing => format!("the last backup ({}) is gone; {fix}", l.path),
        (Some(l), Some(n)) => format!(
            "{n} change(s) since the last backup ({} ago); {fix}",
            age(l.time, now())
        ),
        (Some(_), None) => {
            format!("the last backup recorded is not of this vault's history; {fix}")
        }
    })
}

/// `otp status --json` fields: `backup_dir`, `last_backup` (or null),
/// `changes_since_backup`, `backup_out_of_date`.
pub fn status_json(
    ctx: &Ctx,
    vault: &Vault,
    unlocked: &Unlocked,
) -> serde_json::Map<String, serde_json::Value> {
    let fresh = freshness(ctx, vault);
    let last = fresh.last.as_ref().map(|l| {
        serde_json::json!({
            "time": l.time.format(&Rfc3339).unwrap_or_default(),
            "age_seconds": (now() - l.time).whole_seconds().max(0),
            "path": l.path,
            "exists": !fresh.missing,
            "changes": l.changes,
            "accounts": l.accounts,
        })
    });
    let mut map = serde_json::Map::new();
    map.insert("backup_dir".into(), serde_json::json!(backup_dir(ctx)));
    map.insert("last_backup".into(), serde_json::json!(last));
    map.insert(
        "changes_since_backup".into(),
        serde_json::json!(fresh.changes_since),
    );
    map.insert(
        "backup_out_of_date".into(),
        serde_json::json!(fresh.out_of_date),
    );
    map.extend(dests::status_json(
        &dests::statuses(ctx, vault, &unlocked.identities),
        vault,
    ));
    map.insert("last_verify".into(), verify::status_json(ctx));
    map
}

/// `otp status` lines on the last backup and whether it is out of date.
pub fn status_text(ctx: &Ctx, vault: &Vault, unlocked: &Unlocked) -> String {
    let fresh = freshness(ctx, vault);
    let last = match &fresh.last {
        None => "never".to_string(),
        Some(l) => format!(
            "{} ({} ago) {}{}",
            l.time.format(&Rfc3339).unwrap_or_default(),
            age(l.time, now()),
            l.path,
            if fresh.missing { " (missing!)" } else { "" }
        ),
    };
    let state = match (reminder(&fresh), fresh.changes_since) {
        (None, _) => "up to date".to_string(),
        (Some(_), Some(n)) if !fresh.missing => {
            format!("OUT OF DATE: {n} change(s) since; run `otp backup`")
        }
        (Some(_), _) => "OUT OF DATE: run `otp backup`".to_string(),
    };
    let mut text = format!(
        "backup:     {last}\nfreshness:  {state}\nbackup dir: {}\n",
        backup_dir(ctx).display()
    );
    text.push_str(&verify::status_text(ctx));
    let statuses = dests::statuses(ctx, vault, &unlocked.identities);
    if statuses.len() > 1
        || dests::all_on_vault_disk(&statuses)
        || statuses.iter().any(|s| !s.not_backups.is_empty())
    {
        text.push_str("backup folders:\n");
        text.push_str(&dests::status_text(&statuses, vault, now()));
    }
    text
}

/// Runs after every saved change: an automatic backup when `auto_backup`
/// is set, else a one-line reminder when changes are not backed up.
/// `unlocked` is the key that opens the vault as saved (`None`: unlock
/// again, for the automatic backup's read-back).
/// A backup of `vault` into every reachable backup folder, as
/// `auto_backup` writes it (a folder that fails is a warning): the paths
/// written.
pub fn backup_everywhere(ctx: &Ctx, vault: &Vault, unlocked: &Unlocked) -> Vec<PathBuf> {
    let mut written = Vec::new();
    for d in dests::destinations(ctx) {
        if let Err(why) = dests::reachable(&d) {
            term::warn(&format!(
                "no automatic backup in {}: {why}",
                d.path.display()
            ));
            continue;
        }
        match write_backup(ctx, vault, unlocked, &d.path, false, None) {
            Ok(w) => {
                warn_held(&w);
                written.push(w.path);
            }
            Err(e) => term::warn(&format!(
                "the automatic backup to {} failed: {e:#}; run `otp backup`",
                d.path.display()
            )),
        }
    }
    written
}

pub fn after_change(ctx: &Ctx, vault: &Vault, unlocked: Option<&Unlocked>) {
    if ctx.config.auto_backup {
        let fresh;
        let unlocked = match unlocked {
            Some(u) => u,
            None => match ctx.unlock() {
                Ok(u) => {
                    fresh = u;
                    &fresh
                }
                Err(e) => {
                    term::warn(&format!(
                        "the automatic backup was not written: {e:#}; run `otp backup`"
                    ));
                    return;
                }
            },
        };
        backup_everywhere(ctx, vault, unlocked);
        return;
    }
    if !ctx.config.backup_warning {
        return;
    }
    if let Some(line) = reminder(&freshness(ctx, vault)) {
        term::warn(&line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Account, Entry, Secret, Token};

    fn key() -> Unlocked {
        let (secret, recipient) = keys::generate_identity();
        let text = keys::identity_file_text(&secret, &recipient, "2026-01-01T00:00:00Z");
        keys::parse_identity_text(text.as_bytes(), Path::new("key.txt")).unwrap()
    }

    #[test]
    fn read_back_finds_damage_and_strangers_and_sets_them_aside() {
        let unlocked = key();
        let mut v = Vault::new(unlocked.recipients.list());
        v.ensure_id(|| [5; 16]);
        let t = Token::totp(Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap());
        v.accounts.push(Account::from_entry(
            Entry::new("GitHub", "alice", t),
            "aaaa2222".into(),
            OffsetDateTime::UNIX_EPOCH,
        ));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("vault-20260101T000000Z-c0-a1.age");
        let data = encrypted_backup(&v, OffsetDateTime::UNIX_EPOCH, None, None).unwrap();
        std::fs::write(&path, &data).unwrap();
        assert_eq!(read_back(&path, &unlocked, &v), Ok(()));
        // Truncated on the way to the disk.
        std::fs::write(&path, &data[..data.len() / 2]).unwrap();
        assert!(read_back(&path, &unlocked, &v).is_err());
        // Another key's file, or another vault's.
        assert!(read_back(&path, &key(), &v).is_err());
        std::fs::write(&path, &data).unwrap();
        let mut other = v.clone();
        other.vault_id = Some("11".repeat(16));
        let err = read_back(&path, &unlocked, &other).unwrap_err();
        assert!(err.contains("another vault"), "{err}");
        let aside = set_aside(&path).unwrap();
        assert!(!path.exists());
        assert_eq!(
            aside.file_name().unwrap(),
            "vault-20260101T000000Z-c0-a1-unverified.age"
        );
        // Never counted as a backup, so never pruned either.
        assert!(list(dir.path(), "vault").is_empty());
    }

    #[test]
    fn ages_read_naturally() {
        let t = OffsetDateTime::UNIX_EPOCH;
        let at = |s: i64| age(t, t + time::Duration::seconds(s));
        assert_eq!(at(5), "less than a minute");
        assert_eq!(at(60), "1 minute");
        assert_eq!(at(7200), "2 hours");
        assert_eq!(at(3 * 86_400 + 5), "3 days");
    }
}
