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

mod auto;
mod examine;
pub mod freshness;
pub mod keyless;
mod proven;
mod verify;
mod write;

pub use auto::{after_change, backup_everywhere};
pub use dests::Destination;
use examine::counted;
pub use examine::{Found, Opened, examine, list, open_backup};
pub use freshness::{
    Freshness, LastBackup, age, freshness, record, reminder, state_path, status_json, status_text,
};
pub use verify::{status_json as verify_status_json, status_text as verify_status_text};
pub use write::{
    encrypted_backup, read_back, sealed_key, snapshot, undo_note, write_backup, write_checked,
};

pub fn run(ctx: &Ctx, args: BackupArgs) -> Result<()> {
    // A passphrase vault under cron: copy it as it is, never ask.
    if keyless::no_key_at_hand(ctx) {
        return keyless::run(ctx, &args);
    }
    let (mut vault, unlocked) = ctx.load()?;
    // Key-less copies made while no key was at hand are proven first.
    keyless::verify_pending(ctx, &vault, &unlocked);
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
        let w = match write_checked(ctx, &vault, &unlocked, &dests[0].path, args.force, None)? {
            Ok(w) => w,
            Err(fail) => {
                verify::record_at_write(ctx, 1, vec![fail.message.clone()]);
                return Err(fail.into());
            }
        };
        verify::record_at_write(ctx, 1, Vec::new());
        backed_up(ctx, &vault, &w);
        return out(&format!("{}\n", w.path.display()));
    }
    let mut paths = String::new();
    let mut bad_read_back = false;
    let (mut read_back, mut problems) = (0u64, Vec::new());
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
                read_back += 1;
                backed_up(ctx, &vault, &w);
                paths.push_str(&format!("{}\n", w.path.display()));
            }
            Ok(Err(fail)) => {
                bad_read_back = true;
                read_back += 1;
                problems.push(fail.message.clone());
                term::warn(&fail.message);
            }
            Err(e) => term::warn(&format!("no backup in {}: {e:#}", d.path.display())),
        }
    }
    if read_back > 0 {
        verify::record_at_write(ctx, read_back, problems);
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

#[cfg(test)]
mod tests {
    use super::write::set_aside;
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
