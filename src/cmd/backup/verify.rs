//! `otp backup --verify [--all]`: open the newest (or every) backup of each
//! destination with the vault's key and compare it with the vault.
//!
//! The result is recorded, without secrets, in
//! `<vault stem>.last-verify.toml` beside the vault for `otp status`.

use std::path::PathBuf;

use anyhow::Result;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::dests::{self, Destination};
use super::{Found, age, stem};
use crate::cmd::{Ctx, now, out};
use crate::error::{Code, Fail};
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
    /// Every destination's newest backup was good, and no file was forged.
    pub ok: bool,
    /// How many backup files were opened.
    pub checked: u64,
    /// One line per problem found (file and what is wrong).
    #[serde(default)]
    pub problems: Vec<String>,
    /// The check was `otp backup` reading back what it had just written
    /// (the newest backup of each folder it wrote), not `--verify`.
    #[serde(default)]
    pub at_write: bool,
}

/// Records that `otp backup` read back the `checked` backup(s) it wrote
/// (one per folder reached) and found them to be the vault, or the
/// `problems` it found: the same check `--verify` makes of each folder's
/// newest backup.
pub fn record_at_write(ctx: &Ctx, checked: u64, problems: Vec<String>) {
    let result = LastVerify {
        time: now(),
        ok: problems.is_empty(),
        checked,
        problems,
        at_write: true,
    };
    let text = toml::to_string(&result).unwrap_or_default();
    if let Err(e) = store::write_atomic(&state_path(ctx), text.as_bytes()) {
        term::warn(&format!("cannot record the check for `otp status`: {e:#}"));
    }
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

/// What is wrong with a backup of this vault.
enum Wrong {
    /// Whole, proven and this vault's, but older than the vault: it
    /// lacks accounts added since. Run `otp backup`; nothing is damaged.
    Stale(String),
    /// Not what it should be: another vault's, or missing accounts it
    /// claims to have been written with.
    Bad(String),
}

/// The verdict on a backup of this vault: `Ok` with what it holds, or
/// what is wrong.
fn judge(contents: &backup::Contents, vault: &Vault, newest: bool) -> Result<String, Wrong> {
    let cmp = backup::compare(contents, vault);
    if cmp.foreign {
        return Err(Wrong::Bad(cmp.describe()));
    }
    // Only the newest must hold every account the vault has now; an older
    // one is good when it is whole and this vault's.
    if newest && !cmp.good() {
        let made_at = contents.meta.as_ref().map(|m| m.changes);
        return Err(match made_at {
            Some(c) if c < vault.changes => Wrong::Stale(format!(
                "older than the vault ({} change(s) behind): {}",
                vault.changes - c,
                cmp.describe()
            )),
            _ => Wrong::Bad(cmp.describe()),
        });
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
    let mut newest_stale = 0usize;
    let mut forged = 0usize;
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
        let named = dests::mine(ctx, vault, &d.path).len();
        let others = super::list(&d.path, &stem(ctx)).len() - named;
        if others > 0 {
            term::note(&format!(
                "{shown}: {others} backup(s) of other vaults (or from before vault ids) were not checked"
            ));
        }
        // Newest name first, down to the newest backup that proves it is
        // this vault's (every file with --all): a forged file named newer
        // is reported, never taken for the newest backup.
        let (walked, newest_at) = dests::walk(ctx, vault, &d.path, &unlocked.identities, all);
        let newest_seen = newest_at.is_some();
        let mut folder_bad = false;
        let mut folder_stale = false;
        for (i, (file, found)) in walked.into_iter().enumerate() {
            let path = d.path.join(&file);
            let shown = sanitize(&path.display().to_string());
            checked += 1;
            let verdict = match &found {
                Found::Mine { contents, .. } => {
                    let newest = Some(i) == newest_at;
                    judge(contents, vault, newest).map_err(|w| (w, newest))
                }
                Found::Forged(_) => {
                    forged += 1;
                    Err((Wrong::Bad(found.why_not()), false))
                }
                // Named newer than the newest backup (on a new machine it
                // would be the one picked): the folder is not good.
                _ => Err((Wrong::Bad(found.why_not()), newest_at.is_none_or(|n| i < n))),
            };
            match verdict {
                Ok(what) => lines.push_str(&format!("ok\t{shown}\t{what}\n")),
                Err((Wrong::Stale(why), newest)) => {
                    let why = sanitize(&why);
                    lines.push_str(&format!("STALE\t{shown}\t{why}\n"));
                    problems.push(format!("{shown}: STALE: {why}"));
                    folder_stale |= newest;
                }
                Err((Wrong::Bad(why), newest)) => {
                    let why = sanitize(&why);
                    let mark = if matches!(found, Found::Forged(_)) {
                        "FORGED"
                    } else {
                        "BAD"
                    };
                    lines.push_str(&format!("{mark}\t{shown}\t{why}\n"));
                    problems.push(format!("{shown}: {why}"));
                    folder_bad |= newest;
                }
            }
        }
        if !newest_seen {
            let what = if named == 0 {
                format!("{shown}\tno backup of this vault")
            } else {
                format!("{shown}\tno backup that proves it is this vault's")
            };
            lines.push_str(&format!("NONE\t{what}\n"));
            problems.push(what);
            folder_bad = true;
        }
        newest_bad += usize::from(folder_bad);
        newest_stale += usize::from(folder_stale && !folder_bad);
    }
    out(&lines)?;
    if reached == 0 {
        return Err(Fail::error("no backup folder could be checked (see above)")
            .hint("plug in or mount a backup disk, or fix backup_dirs in the config")
            .into());
    }
    let result = LastVerify {
        time: now(),
        ok: newest_bad == 0 && newest_stale == 0 && forged == 0,
        checked,
        problems,
        at_write: false,
    };
    let text = toml::to_string(&result).unwrap_or_default();
    if let Err(e) = store::write_atomic(&state_path(ctx), text.as_bytes()) {
        term::warn(&format!("cannot record the check for `otp status`: {e:#}"));
    }
    if forged > 0 {
        return Err(Fail::new(
            Code::Unproven,
            format!(
                "{forged} file(s) named as backups of this vault are forged: they were not written by one of your machines (see above)"
            ),
        )
        .hint("someone who knows one of your public keys wrote them into the backup folder: delete them, and keep that folder out of others' reach; your own backups were not touched (docs/trust.md)")
        .into());
    }
    if newest_bad > 0 {
        return Err(Fail::error(format!(
            "the newest backup of {newest_bad} folder(s) is not good, or a file named newer is not a backup of this vault (see above)"
        ))
        .hint("run `otp backup` to write a good one, and check the disk of any damaged file")
        .into());
    }
    if newest_stale > 0 {
        return Err(Fail::error(format!(
            "the newest backup of {newest_stale} folder(s) is older than the vault: it opens and is yours, but lacks what changed since (STALE, see above)"
        ))
        .hint("run `otp backup` to write a current one; nothing is damaged")
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
            if l.ok && l.at_write {
                format!(
                    "ok, {} backup(s) read back when `otp backup` wrote them",
                    l.checked
                )
            } else if l.ok {
                format!("ok, {} backup(s) checked", l.checked)
            } else {
                format!("FAILED: {}", l.problems.join("; "))
            }
        ),
    }
}

/// `otp status --json`: `last_verify` (`time`, `age_seconds`, `ok`,
/// `checked`, `problems`, `at_write`, or null).
pub fn status_json(ctx: &Ctx) -> serde_json::Value {
    match last(ctx) {
        None => serde_json::Value::Null,
        Some(l) => serde_json::json!({
            "time": l.time.format(&Rfc3339).unwrap_or_default(),
            "age_seconds": (now() - l.time).whole_seconds().max(0),
            "ok": l.ok,
            "checked": l.checked,
            "problems": l.problems,
            "at_write": l.at_write,
        }),
    }
}
