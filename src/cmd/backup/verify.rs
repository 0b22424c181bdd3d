//! `otp backup --verify [--all]`: open the newest (or every) backup of each
//! destination with the vault's key and compare it with the vault.
//!
//! The result is recorded, without secrets, in
//! `<vault stem>.last-verify.toml` beside the vault for `otp status`.

use std::path::{Path, PathBuf};

use anyhow::Result;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::dests::{self, Destination};
use super::{age, open_backup, stem};
use crate::cmd::{Ctx, now, out};
use crate::error::Fail;
use crate::export::backup;
use crate::model::Vault;
use crate::term;
use crate::text::sanitize;
use crate::vault::keys::Unlocked;
use crate::vault::store;

/// The last `otp backup --verify`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LastVerify {
    #[serde(with = "time::serde::rfc3339")]
    pub time: OffsetDateTime,
    /// Every destination's newest backup was good.
    pub ok: bool,
    /// How many backup files were opened.
    pub checked: u64,
    /// One line per problem found (file and what is wrong).
    #[serde(default)]
    pub problems: Vec<String>,
}

fn state_path(ctx: &Ctx) -> PathBuf {
    ctx.vault_path
        .with_file_name(format!("{}.last-verify.toml", stem(ctx)))
}

pub fn last(ctx: &Ctx) -> Option<LastVerify> {
    std::fs::read_to_string(state_path(ctx))
        .ok()
        .and_then(|t| toml::from_str(&t).ok())
}

/// The verdict on one backup file: `Ok` with what it holds, or what is wrong.
fn judge(path: &Path, unlocked: &Unlocked, vault: &Vault, newest: bool) -> Result<String, String> {
    let contents = open_backup(path, &unlocked.identities)
        .map_err(|why| format!("damaged or unreadable: {why}"))?;
    let cmp = backup::compare(&contents, vault);
    if cmp.foreign {
        return Err(cmp.describe());
    }
    // Only the newest must hold every account the vault has now; an older
    // one is good when it is whole and this vault's.
    if newest && !cmp.good() {
        return Err(cmp.describe());
    }
    Ok(format!(
        "{} account(s); {}",
        contents.accounts.len(),
        cmp.describe()
    ))
}

pub fn run(
    ctx: &Ctx,
    vault: &Vault,
    unlocked: &Unlocked,
    destinations: &[Destination],
    all: bool,
) -> Result<()> {
    let mut lines = String::new();
    let mut problems = Vec::new();
    let mut newest_bad = 0usize;
    let mut checked = 0u64;
    let mut reached = 0usize;
    for d in destinations {
        let shown = sanitize(&d.path.display().to_string());
        if let Err(why) = dests::reachable(d).and_then(|()| {
            d.path
                .is_dir()
                .then_some(())
                .ok_or_else(|| "it does not exist".to_string())
        }) {
            term::warn(&format!("cannot check the backup folder {shown}: {why}"));
            continue;
        }
        reached += 1;
        let mine: Vec<_> = dests::mine(ctx, vault, &d.path)
            .into_iter()
            .filter(|(_, n)| n.snapshot.is_none())
            .collect();
        let others =
            super::list(&d.path, &stem(ctx)).len() - dests::mine(ctx, vault, &d.path).len();
        if others > 0 {
            term::note(&format!(
                "{shown}: {others} backup(s) of other vaults (or from before vault ids) were not checked"
            ));
        }
        if mine.is_empty() {
            let what = format!("{shown}\tno backup of this vault");
            lines.push_str(&format!("NONE\t{what}\n"));
            problems.push(what);
            newest_bad += 1;
            continue;
        }
        let take = if all { mine.len() } else { 1 };
        for (i, (file, _)) in mine.iter().take(take).enumerate() {
            let path = d.path.join(file);
            let shown = sanitize(&path.display().to_string());
            checked += 1;
            match judge(&path, unlocked, vault, i == 0) {
                Ok(what) => lines.push_str(&format!("ok\t{shown}\t{what}\n")),
                Err(why) => {
                    let why = sanitize(&why);
                    lines.push_str(&format!("BAD\t{shown}\t{why}\n"));
                    problems.push(format!("{shown}: {why}"));
                    if i == 0 {
                        newest_bad += 1;
                    }
                }
            }
        }
    }
    out(&lines)?;
    if reached == 0 {
        return Err(Fail::error("no backup folder could be checked (see above)")
            .hint("plug in or mount a backup disk, or fix backup_dirs in the config")
            .into());
    }
    let result = LastVerify {
        time: now(),
        ok: newest_bad == 0,
        checked,
        problems,
    };
    let text = toml::to_string(&result).unwrap_or_default();
    if let Err(e) = store::write_atomic(&state_path(ctx), text.as_bytes()) {
        term::warn(&format!("cannot record the check for `otp status`: {e:#}"));
    }
    if newest_bad > 0 {
        return Err(Fail::error(format!(
            "the newest backup of {newest_bad} folder(s) is not good (see above)"
        ))
        .hint("run `otp backup` to write a good one, and check the disk of any damaged file")
        .into());
    }
    term::note(&format!(
        "Checked {checked} backup(s): the newest of every folder opens and holds every account."
    ));
    Ok(())
}

/// `otp status` line on the last check.
pub fn status_text(ctx: &Ctx) -> String {
    match last(ctx) {
        None => "verified:   never (run `otp backup --verify`)\n".into(),
        Some(l) => format!(
            "verified:   {} ({} ago): {}\n",
            l.time.format(&Rfc3339).unwrap_or_default(),
            age(l.time, now()),
            if l.ok {
                format!("ok, {} backup(s) checked", l.checked)
            } else {
                format!("FAILED: {}", l.problems.join("; "))
            }
        ),
    }
}

/// `otp status --json`: `last_verify` (`time`, `age_seconds`, `ok`,
/// `checked`, `problems`, or null).
pub fn status_json(ctx: &Ctx) -> serde_json::Value {
    match last(ctx) {
        None => serde_json::Value::Null,
        Some(l) => serde_json::json!({
            "time": l.time.format(&Rfc3339).unwrap_or_default(),
            "age_seconds": (now() - l.time).whole_seconds().max(0),
            "ok": l.ok,
            "checked": l.checked,
            "problems": l.problems,
        }),
    }
}
