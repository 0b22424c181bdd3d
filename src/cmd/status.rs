//! `otp status`: where the vault is, how it opens, what it holds.

use anyhow::Result;

use crate::cli::StatusArgs;
use crate::cmd::backup::{age, backup_dir, freshness, reminder};
use crate::cmd::{Ctx, now, out};

pub fn run(ctx: &Ctx, args: StatusArgs) -> Result<()> {
    let (vault, unlocked) = ctx.load()?;
    let method = unlocked.method.to_string();
    let fresh = freshness(ctx, &vault);
    if args.json {
        let last = fresh.last.as_ref().map(|l| {
            serde_json::json!({
                "time": l.time.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
                "age_seconds": (now() - l.time).whole_seconds().max(0),
                "path": l.path,
                "exists": !fresh.missing,
                "changes": l.changes,
                "accounts": l.accounts,
            })
        });
        let value = serde_json::json!({
            "vault": ctx.vault_path,
            "accounts": vault.accounts.len(),
            "trash": vault.trash.len(),
            "unlock": method,
            "changes": vault.changes,
            "recipients": vault.recipients.len(),
            "backup_dir": backup_dir(ctx),
            "last_backup": last,
            "changes_since_backup": fresh.changes_since,
            "backup_out_of_date": fresh.out_of_date,
        });
        return out(&format!("{}\n", serde_json::to_string_pretty(&value)?));
    }
    let text = format!(
        "vault:      {}\naccounts:   {}\ntrash:      {}\nunlock:     {method}\nrecipients: {}\nchanges:    {}\n",
        ctx.vault_path.display(),
        vault.accounts.len(),
        vault.trash.len(),
        vault.recipients.len(),
        vault.changes,
    );
    let last = match &fresh.last {
        None => "never".to_string(),
        Some(l) => format!(
            "{} ({} ago) {}{}",
            l.time
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
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
    out(&format!(
        "{text}backup:     {last}\nfreshness:  {state}\nbackup dir: {}\n",
        backup_dir(ctx).display()
    ))
}
