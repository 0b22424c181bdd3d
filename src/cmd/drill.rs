//! `otp drill [--recovery-key FILE]`: a recovery drill, like a fire drill.
//!
//! Proves, without touching any account, that the recovery key (or, with
//! less to show for it, the vault's own key) opens the newest backup of
//! every backup folder and that the backup holds every account the vault
//! has now. The date and result are recorded in the vault (not as a
//! change: no account changed); `otp status` says when a drill is due.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use zeroize::Zeroizing;

use crate::cli::DrillArgs;
use crate::cmd::backup::{Destination, age, dests, open_backup};
use crate::cmd::{Ctx, now, out};
use crate::error::Fail;
use crate::export::backup;
use crate::model::Vault;
use crate::term;
use crate::text::sanitize;
use crate::vault::keys::{self, Unlocked};

pub fn run(ctx: &Ctx, args: DrillArgs) -> Result<()> {
    let (vault, unlocked) = ctx.load()?;
    let recovery = match &args.recovery_key {
        Some(path) => Some(recovery_key(ctx, path)?),
        None => None,
    };
    let key = recovery.as_ref().unwrap_or(&unlocked);
    let (lines, problems, opened) = drill(ctx, &vault, key, &dests::destinations(ctx));
    out(&lines)?;
    let passed = problems.is_empty() && opened > 0;
    let result = match (passed, recovery.is_some()) {
        (true, true) => "passed".to_string(),
        (true, false) => "passed with the vault's own key".to_string(),
        (false, _) if opened == 0 && problems.is_empty() => {
            "failed: no backup folder could be reached".to_string()
        }
        (false, _) => format!("failed: {}", problems.join("; ")),
    };
    ctx.record_without_change(&unlocked, |v| {
        v.last_drill = Some(now());
        v.last_drill_result = Some(result.clone());
    })?;
    if !passed {
        let hint = if problems.iter().any(|p| p.contains("does not open")) {
            "if this is your recovery key, it is not the one your backups are encrypted to \
             (revoked or replaced?): make a new one with `otp recovery-key add`, store it offline, \
             then run `otp backup`"
        } else {
            "run `otp backup` so the newest backup of every folder holds every account, then drill again"
        };
        return Err(
            Fail::error(format!("the recovery drill failed: {}", sanitize(&result)))
                .hint(hint)
                .into(),
        );
    }
    if recovery.is_some() {
        term::note(&format!(
            "Drill passed: the recovery key opens the newest backup of {opened} folder(s), and each holds every account."
        ));
    } else {
        term::note(&format!(
            "Drill passed with the vault's own key ({opened} folder(s)). That proves less: a lost laptop takes \
             this key with it. Drill with the key you would really use: `otp drill --recovery-key FILE`."
        ));
    }
    Ok(())
}

/// The recovery key: a file, or (`-`) pasted on the terminal or piped in.
fn recovery_key(ctx: &Ctx, path: &Path) -> Result<Unlocked> {
    if path != Path::new("-") {
        return keys::load_identity_file(path, &ctx.passphrases());
    }
    let text = if term::stdin_is_tty() {
        term::prompt_hidden("Paste the recovery key (AGE-SECRET-KEY-1…), then Enter: ")
            .context("cannot read the recovery key")?
    } else {
        let mut s = Zeroizing::new(String::new());
        std::io::stdin()
            .read_to_string(&mut s)
            .context("cannot read the recovery key from stdin")?;
        s
    };
    keys::parse_identity_text(text.trim().as_bytes(), path)
}

/// Opens the newest backup of each reachable folder with `key` and checks
/// it against the vault: stdout lines, problems, folders that passed.
fn drill(
    ctx: &Ctx,
    vault: &Vault,
    key: &Unlocked,
    destinations: &[Destination],
) -> (String, Vec<String>, usize) {
    let mut lines = String::new();
    let mut problems = Vec::new();
    let mut opened = 0;
    for d in destinations {
        let shown = sanitize(&d.path.display().to_string());
        if !d.path.is_dir() {
            term::warn(&format!(
                "the backup folder {shown} cannot be reached; it was not part of this drill"
            ));
            continue;
        }
        let Some((file, _)) = dests::newest(ctx, vault, &d.path) else {
            let what = format!("{shown}: no backup of this vault");
            lines.push_str(&format!("FAIL\t{shown}\tno backup of this vault\n"));
            problems.push(what);
            continue;
        };
        let path = d.path.join(&file);
        let shown = sanitize(&path.display().to_string());
        match open_backup(&path, &key.identities) {
            Err(why) => {
                let why = sanitize(&why);
                lines.push_str(&format!("FAIL\t{shown}\tthe key does not open it: {why}\n"));
                problems.push(format!("the key does not open {shown}"));
            }
            Ok(contents) => {
                let cmp = backup::compare(&contents, vault);
                if cmp.good() {
                    opened += 1;
                    lines.push_str(&format!("ok\t{shown}\t{}\n", cmp.describe()));
                } else {
                    let why = cmp.describe();
                    lines.push_str(&format!("FAIL\t{shown}\t{why}\n"));
                    problems.push(format!("{shown}: {why}"));
                }
            }
        }
    }
    (lines, problems, opened)
}

/// Whether a drill is due: never run, or longer ago than the interval.
pub fn due(vault: &Vault, interval_days: u64, at: OffsetDateTime) -> bool {
    match vault.last_drill {
        None => true,
        Some(t) => (at - t).whole_days() >= i64::try_from(interval_days).unwrap_or(i64::MAX),
    }
}

/// `otp status` lines on the last drill.
pub fn status_text(ctx: &Ctx, vault: &Vault) -> String {
    let at = now();
    let mut text = match (&vault.last_drill, &vault.last_drill_result) {
        (Some(t), result) => format!(
            "last drill: {} ago ({}): {}\n",
            age(*t, at),
            t.format(&Rfc3339).unwrap_or_default(),
            sanitize(result.as_deref().unwrap_or("?"))
        ),
        (None, _) => "last drill: never\n".to_string(),
    };
    if due(vault, ctx.config.drill_interval_days, at) {
        text.push_str(&format!(
            "  warning: a recovery drill is due (every {} days): run `otp drill --recovery-key FILE`\n",
            ctx.config.drill_interval_days
        ));
    }
    text
}

/// `otp status --json`: `last_drill` (`time`, `age_days`, `result`, or
/// null), `drill_due`, `drill_interval_days`.
pub fn status_json(ctx: &Ctx, vault: &Vault) -> serde_json::Map<String, serde_json::Value> {
    let at = now();
    let last = vault.last_drill.map(|t| {
        serde_json::json!({
            "time": t.format(&Rfc3339).unwrap_or_default(),
            "age_days": (at - t).whole_days().max(0),
            "result": vault.last_drill_result,
        })
    });
    let mut map = serde_json::Map::new();
    map.insert("last_drill".into(), serde_json::json!(last));
    map.insert(
        "drill_due".into(),
        serde_json::json!(due(vault, ctx.config.drill_interval_days, at)),
    );
    map.insert(
        "drill_interval_days".into(),
        serde_json::json!(ctx.config.drill_interval_days),
    );
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_drill_is_due_when_never_run_or_older_than_the_interval() {
        let mut v = Vault::new(vec![]);
        let t = OffsetDateTime::UNIX_EPOCH;
        assert!(due(&v, 90, t));
        v.last_drill = Some(t);
        assert!(!due(&v, 90, t + time::Duration::days(89)));
        assert!(due(&v, 90, t + time::Duration::days(90)));
        assert!(!due(&v, u64::MAX, t + time::Duration::days(10_000)));
    }
}
