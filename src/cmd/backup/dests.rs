//! Backup destinations: `backup_dirs` (and `backup_dir`), whether each is
//! reachable, and how fresh each one's newest backup of this vault is: the
//! newest that proves it is one ([`walk`]), not the newest file name.

use std::path::{Path, PathBuf};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Found, age, examine, list, stem};
use crate::cmd::{Ctx, now};
use crate::export::files::{self, BackupName};
use crate::model::Vault;
use crate::vault::store;

/// One folder backups go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    pub path: PathBuf,
    /// Created when missing: the default folder, `backup_dir`, `--dir`. A
    /// `backup_dirs` entry is not: a missing one is an unplugged disk or an
    /// unmounted share, and creating it would put the "off-site" backup on
    /// the local disk, under the empty mount point.
    pub create: bool,
}

/// Every destination, in order: `backup_dir` (if set), then `backup_dirs`;
/// the default `<data dir>/backups` when neither is set.
pub fn destinations(ctx: &Ctx) -> Vec<Destination> {
    let mut out: Vec<Destination> = Vec::new();
    if let Some(d) = &ctx.config.backup_dir {
        out.push(Destination {
            path: d.clone(),
            create: true,
        });
    }
    for d in ctx.config.backup_dirs.iter().flatten() {
        if !out.iter().any(|o| &o.path == d) {
            out.push(Destination {
                path: d.clone(),
                create: false,
            });
        }
    }
    if out.is_empty() {
        out.push(Destination {
            path: ctx.data_dir.join("backups"),
            create: true,
        });
    }
    out
}

/// `Err` says why backups cannot go to `d` now.
pub fn reachable(d: &Destination) -> Result<(), String> {
    match std::fs::metadata(&d.path) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err("it is not a folder".into()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && d.create => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(
            "it does not exist (a disk not plugged in, a share not mounted?); otp does not create backup_dirs folders: create it once with mkdir"
                .into(),
        ),
        Err(e) => Err(e.to_string()),
    }
}

/// The files named as this vault's backups or snapshots in `dir`, newest
/// name first, each opened with `identities` and examined ([`examine`]),
/// and which of them is the newest backup (not snapshot) of this vault by
/// what the backups say inside. A name is only a claim, so this reads on
/// past the first backup found while names still claim to be newer than
/// the newest found so far (a forged file, or an old backup copied under a
/// newer name); with `all`, every file. Snapshots that are this vault's
/// are left out.
pub fn walk(
    ctx: &Ctx,
    vault: &Vault,
    dir: &Path,
    identities: &[Box<dyn age::Identity>],
    all: bool,
) -> (Vec<(String, Found)>, Option<usize>) {
    let mut found: Vec<(String, Found)> = Vec::new();
    let mut newest: Option<(usize, (OffsetDateTime, u64, u32))> = None;
    for (file, n) in mine(ctx, vault, dir) {
        if let Some((_, (time, _, _))) = newest
            && !all
            && n.time < time
        {
            break;
        }
        let f = examine(dir, &file, &n, identities, vault);
        let order = match &f {
            Found::Mine { name, .. } if name.snapshot.is_some() => continue,
            Found::Mine { name, .. } => Some((name.time, name.changes, name.seq)),
            _ => None,
        };
        found.push((file, f));
        if let Some(o) = order
            && newest.is_none_or(|(_, best)| o > best)
        {
            newest = Some((found.len() - 1, o));
        }
    }
    (found, newest.map(|(i, _)| i))
}

/// What [`newest`] finds: the newest backup's file name and what it says
/// inside, and (file name, why) for each file that is not a backup of
/// this vault.
pub type Newest = (Option<(String, BackupName)>, Vec<(String, String)>);

/// The newest backup of this vault in `dir` ([`walk`]): its file name and
/// what it says inside; and the files named newer that are not backups of
/// this vault (forged, unproven, damaged), with why.
pub fn newest(
    ctx: &Ctx,
    vault: &Vault,
    dir: &Path,
    identities: &[Box<dyn age::Identity>],
) -> Newest {
    let (found, newest) = walk(ctx, vault, dir, identities, false);
    let mut bad = Vec::new();
    let mut best = None;
    for (i, (file, f)) in found.into_iter().enumerate() {
        match f {
            Found::Mine { name, .. } if Some(i) == newest => best = Some((file, name)),
            Found::Mine { .. } => {}
            other => bad.push((file, other.why_not())),
        }
    }
    (best, bad)
}

/// This vault's backups and snapshots in `dir` (by the vault id in their
/// names), newest first.
pub fn mine(ctx: &Ctx, vault: &Vault, dir: &Path) -> Vec<(String, BackupName)> {
    let tag = vault.vault_id.as_deref().and_then(files::id_tag);
    let mut v: Vec<(String, BackupName)> = list(dir, &stem(ctx))
        .into_iter()
        .filter(|(_, n)| tag.is_some() && n.vault == tag)
        .collect();
    v.sort_by_key(|(_, n)| std::cmp::Reverse((n.time, n.seq)));
    v
}

/// Whether `dir` is on the same filesystem as the vault (`None`: cannot tell).
pub fn same_filesystem(ctx: &Ctx, dir: &Path) -> Option<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let vault = store::resolve_link(&ctx.vault_path).ok()?;
        let vault_dir = match vault.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let a = std::fs::metadata(vault_dir).ok()?.dev();
        let b = std::fs::metadata(dir).ok()?.dev();
        Some(a == b)
    }
    #[cfg(not(unix))]
    {
        let _ = (ctx, dir);
        None
    }
}

/// What `otp status` says about one destination.
pub struct DestStatus {
    pub path: PathBuf,
    pub problem: Option<String>,
    pub newest: Option<(String, BackupName)>,
    /// Files named newer than `newest` that are not backups of this vault.
    pub not_backups: Vec<(String, String)>,
    pub same_filesystem: Option<bool>,
}

pub fn statuses(
    ctx: &Ctx,
    vault: &Vault,
    identities: &[Box<dyn age::Identity>],
) -> Vec<DestStatus> {
    destinations(ctx)
        .into_iter()
        .map(|d| {
            let problem = reachable(&d).err();
            let (newest, not_backups) = newest(ctx, vault, &d.path, identities);
            let same_filesystem = if d.path.exists() {
                same_filesystem(ctx, &d.path)
            } else {
                None
            };
            DestStatus {
                path: d.path,
                problem,
                newest,
                not_backups,
                same_filesystem,
            }
        })
        .collect()
}

/// True when every destination that exists sits on the vault's disk.
pub fn all_on_vault_disk(statuses: &[DestStatus]) -> bool {
    let known: Vec<bool> = statuses.iter().filter_map(|s| s.same_filesystem).collect();
    !known.is_empty() && known.iter().all(|&same| same)
}

/// The warning for [`all_on_vault_disk`].
pub const SAME_DISK: &str = "every backup folder is on the same disk as the vault: these backups die with this disk. \
     Add a folder on another disk (a USB stick, a network share) to backup_dirs in the config";

/// `otp status` lines, one per destination.
pub fn status_text(statuses: &[DestStatus], vault: &Vault, at: OffsetDateTime) -> String {
    let mut text = String::new();
    for s in statuses {
        let state = match (&s.problem, &s.newest) {
            (Some(p), _) => format!("UNREACHABLE: {p}"),
            (None, None) => "no backup of this vault yet".to_string(),
            (None, Some((_, n))) => {
                let behind = vault.changes.saturating_sub(n.changes);
                format!(
                    "newest {} ({} ago), {}",
                    n.time.format(&Rfc3339).unwrap_or_default(),
                    age(n.time, at),
                    if behind == 0 {
                        "up to date".to_string()
                    } else {
                        format!("{behind} change(s) behind")
                    }
                )
            }
        };
        let disk = match s.same_filesystem {
            Some(true) => " [vault's disk]",
            _ => "",
        };
        text.push_str(&format!("  {}{disk}: {state}\n", s.path.display()));
        for (file, why) in &s.not_backups {
            text.push_str(&format!(
                "    not counted: {}: {}\n",
                crate::text::sanitize(file),
                crate::text::sanitize(why)
            ));
        }
    }
    if all_on_vault_disk(statuses) {
        text.push_str(&format!("  warning: {SAME_DISK}\n"));
    }
    text
}

/// `otp status --json`: `backup_destinations` (one object per destination) and
/// `backups_only_on_vault_disk`.
pub fn status_json(
    statuses: &[DestStatus],
    vault: &Vault,
) -> serde_json::Map<String, serde_json::Value> {
    let dirs: Vec<serde_json::Value> = statuses
        .iter()
        .map(|s| {
            let newest = s.newest.as_ref().map(|(f, n)| {
                serde_json::json!({
                    "file": f,
                    "time": n.time.format(&Rfc3339).unwrap_or_default(),
                    "age_seconds": (now() - n.time).whole_seconds().max(0),
                    "changes": n.changes,
                    "accounts": n.accounts,
                })
            });
            serde_json::json!({
                "path": s.path,
                "reachable": s.problem.is_none(),
                "problem": s.problem,
                "newest": newest,
                "changes_behind": s.newest.as_ref().map(|(_, n)| vault.changes.saturating_sub(n.changes)),
                "not_counted": s.not_backups.iter().map(|(f, why)| serde_json::json!({"file": f, "why": why})).collect::<Vec<_>>(),
                "same_filesystem_as_vault": s.same_filesystem,
            })
        })
        .collect();
    let mut map = serde_json::Map::new();
    map.insert("backup_destinations".into(), serde_json::json!(dirs));
    map.insert(
        "backups_only_on_vault_disk".into(),
        serde_json::json!(all_on_vault_disk(statuses)),
    );
    map
}
