//! How old the last backup is, without a key: the last-backup record
//! beside the vault, the reminder after a change, and what `otp status`
//! shows about backups.

use super::*;

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

/// The last backup recorded beside the vault (no key needed).
pub fn last_recorded(ctx: &Ctx) -> Option<LastBackup> {
    std::fs::read_to_string(state_path(ctx))
        .ok()
        .and_then(|t| toml::from_str(&t).ok())
}

pub fn freshness(ctx: &Ctx, vault: &Vault) -> Freshness {
    let last = last_recorded(ctx);
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
    map.insert("keyless_copies".into(), keyless::status_json(ctx));
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
    text.push_str(&keyless::status_text(ctx));
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
