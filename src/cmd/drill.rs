//! `otp drill [--recovery-key FILE]`: a recovery drill, like a fire drill.
//!
//! Proves, without touching any account, that the recovery key (or, with
//! less to show for it, the vault's own key) opens the newest backup of
//! every backup folder and that the backup holds every account the vault
//! has now. The date and result are recorded in the vault (not as a
//! change: no account changed); `otp status` says when a drill is due.
//!
//! `otp drill --sheet IMAGE...` proves a printed emergency sheet instead:
//! the photos or scans of its pages must give back every account the vault
//! has now, with an equal secret and parameters (`export::sheet::prove`).
//! The pictures are hostile input like any import (read by `crate::qr` and
//! the import readers, which trust nothing in them); they prove the paper
//! only, and change no account.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use zeroize::Zeroizing;

use crate::cli::DrillArgs;
use crate::cmd::backup::{Destination, age, dests, open_backup, sealed_key};
use crate::cmd::{Ctx, now, out};
use crate::error::{Code, Fail};
use crate::export::{backup, sealed, sheet};
use crate::import::ImportError;
use crate::import::migration_text::Scanned;
use crate::model::Vault;
use crate::term;
use crate::text::sanitize;
use crate::vault::keys::{self, Unlocked};

pub fn run(ctx: &Ctx, args: DrillArgs) -> Result<()> {
    if !args.sheet.is_empty() {
        return sheet(ctx, &args.sheet);
    }
    let (vault, unlocked) = ctx.load()?;
    let recovery = match &args.recovery_key {
        Some(path) => Some(recovery_key(ctx, path)?),
        None => None,
    };
    // Only the key the vault records as its recovery key proves the way
    // back in: the everyday key opens the backups too, and proves nothing.
    let wrong_key = recovery.as_ref().and_then(|r| {
        not_the_recovery_key(&vault, &r.recipients.list(), &unlocked.recipients.list())
    });
    let key = recovery.as_ref().unwrap_or(&unlocked);
    // A passphrase vault drilled with its own key: each backup must also
    // carry the key file, so that it opens on a new machine with the
    // passphrase alone.
    let carried = recovery.is_none().then(|| sealed_key(ctx)).flatten();
    let Drilled {
        lines,
        mut problems,
        opened,
        forged,
    } = drill(
        ctx,
        &vault,
        &unlocked,
        key,
        carried.as_deref(),
        &dests::destinations(ctx),
    );
    out(&lines)?;
    if let Some(why) = &wrong_key {
        problems.insert(0, why.clone());
    }
    let passed = problems.is_empty() && opened > 0;
    let result = match (passed, recovery.is_some()) {
        (true, true) => "passed".to_string(),
        (true, false) if carried.is_some() => {
            "passed with the passphrase (each backup carries its key file)".to_string()
        }
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
    if forged > 0 {
        return Err(Fail::new(
            Code::Unproven,
            format!(
                "the recovery drill failed: {forged} file(s) named as backups of this vault are forged (see above)"
            ),
        )
        .hint("someone who knows one of your public keys wrote them into the backup folder: delete them (on a new machine the newest file would be the one restored); your own backups were not touched (docs/trust.md)")
        .into());
    }
    if !passed {
        let hint = if wrong_key.is_some() && vault.roles.recovery.is_none() {
            "make a recovery key with `otp recovery-key add`, store it offline, run `otp backup`, \
             then drill with it"
        } else if wrong_key.is_some() {
            "drill with the recovery key you stored offline; if it is lost, make a new one with \
             `otp recovery-key add`, store it offline, then run `otp backup`"
        } else if problems.iter().any(|p| p.contains("does not open")) {
            // The key is the vault's own recovery key (or its everyday key):
            // what it does not open was written before it was added.
            "this key is good: the backups it does not open were made before it was added, \
             so no backup includes it yet. Run `otp backup`, then drill again \
             (keep the key; do not make a new one)"
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
    } else if carried.is_some() {
        term::note(&format!(
            "Drill passed: the newest backup of {opened} folder(s) holds every account and carries the key file, \
             so it opens on a new machine with your passphrase alone. If the passphrase is ever forgotten, \
             a recovery key is the way in: drill it with `otp drill --recovery-key FILE`."
        ));
    } else {
        term::note(&format!(
            "Drill passed with the vault's own key ({opened} folder(s)). That proves less: a lost laptop takes \
             this key with it. Drill with the key you would really use: `otp drill --recovery-key FILE`."
        ));
    }
    Ok(())
}

/// At most this many labels are named in the recorded result.
const NAMED: usize = 5;

/// `otp drill --sheet`: reads every picture, then checks every account.
fn sheet(ctx: &Ctx, images: &[std::path::PathBuf]) -> Result<()> {
    let (vault, unlocked) = ctx.load()?;
    let mut lines = String::new();
    let mut problems: Vec<String> = Vec::new();
    let mut scanned = Scanned::default();
    for path in images {
        let shown = crate::text::path(path);
        let data = crate::cmd::import::read_input(path)?;
        match crate::import::qr_image::scan(&data) {
            Ok(found) => {
                scanned.batches.extend(found.batches);
                scanned.other.entries.extend(found.other.entries);
                scanned.other.skipped.extend(found.other.skipped);
            }
            Err(e) => {
                let why = match e {
                    ImportError::Malformed(m) | ImportError::Unsupported(m) => m,
                    other => other.to_string(),
                };
                lines.push_str(&format!("FAIL\t{shown}\t{why}\n"));
                problems.push(format!("{shown}: {why}"));
            }
        }
    }
    let google = crate::migration::group_partial(scanned.batches);
    for s in google.skipped.iter().chain(&scanned.other.skipped) {
        let label = sanitize(&s.label);
        lines.push_str(&format!("FAIL\t{label}\t{}\n", sanitize(&s.reason)));
        problems.push(format!("{label}: {}", s.reason));
    }
    let proof = sheet::prove(&vault.accounts, &scanned.other.entries, &google.entries);
    for a in &vault.accounts {
        let label = a.label();
        if proof.missing.contains(&label) {
            lines.push_str(&format!(
                "FAIL\t{}\tits own code is not on the pictures\n",
                sanitize(&label)
            ));
        } else if let Some((_, what)) = proof.different.iter().find(|(l, _)| *l == label) {
            lines.push_str(&format!("FAIL\t{}\t{what}\n", sanitize(&label)));
        } else {
            lines.push_str(&format!("ok\t{}\n", sanitize(&label)));
        }
    }
    for label in &proof.gone {
        lines.push_str(&format!(
            "note\t{}\ton the sheet, no longer in the vault\n",
            sanitize(label)
        ));
    }
    out(&lines)?;
    let n = vault.accounts.len();
    let passed = proof.passed() && problems.is_empty();
    let result = if passed {
        format!("passed: {n} of {n} accounts on {} picture(s)", images.len())
    } else {
        let mut parts = Vec::new();
        if !proof.missing.is_empty() {
            parts.push(format!(
                "{} of {n} accounts not on the pictures ({})",
                proof.missing.len(),
                named(&proof.missing)
            ));
        }
        if !proof.different.is_empty() {
            let labels: Vec<String> = proof.different.iter().map(|(l, _)| l.clone()).collect();
            parts.push(format!(
                "{} account(s) differ from the vault ({})",
                labels.len(),
                named(&labels)
            ));
        }
        if !problems.is_empty() {
            parts.push(format!("{} picture(s) or code(s) not read", problems.len()));
        }
        format!("failed: {}", parts.join("; "))
    };
    ctx.record_without_change(&unlocked, |v| {
        v.sheet_drill = Some(now());
        v.sheet_drill_result = Some(result.clone());
    })?;
    if !passed {
        return Err(Fail::error(format!(
            "the sheet drill failed: {}",
            sanitize(&result)
        ))
        .hint(
            "give a picture of every page; if accounts were added or changed since printing, \
             print a new sheet (`otp export --format sheet --plaintext -o sheet.html`) and drill it",
        )
        .into());
    }
    term::note(&format!(
        "Sheet drill passed: the pictures hold all {n} account(s) with the same secrets and parameters."
    ));
    Ok(())
}

/// The first [`NAMED`] labels, sanitized, and how many more.
fn named(labels: &[String]) -> String {
    let mut shown: Vec<String> = labels.iter().take(NAMED).map(|l| sanitize(l)).collect();
    if labels.len() > NAMED {
        shown.push(format!("and {} more", labels.len() - NAMED));
    }
    shown.join(", ")
}

/// Why the key given to `otp drill --recovery-key` (its recipients
/// `given`) is not the vault's recorded recovery key, saying which key it
/// is (`everyday`: the recipients of the key that unlocked the vault);
/// `None` when it is the recovery key.
fn not_the_recovery_key(vault: &Vault, given: &[String], everyday: &[String]) -> Option<String> {
    let recovery = vault.roles.recovery.as_deref();
    if recovery.is_some_and(|r| given.iter().any(|g| g == r)) {
        return None;
    }
    let holds = |r: &str| given.iter().any(|g| g == r);
    let which = if given.is_empty() {
        "a key whose public key otp cannot work out, so it cannot be told apart from the others"
    } else if vault.roles.key_file_recipient.as_deref().is_some_and(holds)
        || everyday.iter().any(|r| holds(r))
    {
        "the vault's everyday key (the one that unlocks it), not a recovery key"
    } else if vault.recipients.iter().any(|r| holds(r)) {
        "another of the vault's keys (another device's, `otp recipients list`), not its recovery key"
    } else {
        "a key this vault is not encrypted to (another vault's, or a revoked recovery key)"
    };
    Some(match recovery {
        None => format!("this vault has no recovery key; the key given is {which}"),
        Some(_) => format!("the key given is not this vault's recovery key: it is {which}"),
    })
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

/// What a drill found.
struct Drilled {
    /// stdout lines.
    lines: String,
    problems: Vec<String>,
    /// Folders that passed.
    opened: usize,
    /// Files named as this vault's backups that are forged.
    forged: usize,
}

/// Opens the newest backup of each reachable folder (the newest that
/// proves, with the vault's own key `own`, it is this vault's) with `key`
/// and checks it against the vault.
fn drill(
    ctx: &Ctx,
    vault: &Vault,
    own: &Unlocked,
    key: &Unlocked,
    carried: Option<&[u8]>,
    destinations: &[Destination],
) -> Drilled {
    let mut lines = String::new();
    let mut problems = Vec::new();
    let mut opened_ok = 0;
    let mut forged = 0;
    for d in destinations {
        let shown = sanitize(&d.path.display().to_string());
        if !d.path.is_dir() {
            term::warn(&format!(
                "the backup folder {shown} cannot be reached; it was not part of this drill"
            ));
            continue;
        }
        // The newest backup that proves it is this vault's, found with the
        // vault's own key; then the drill's key must open that one. A file
        // named newer that is not a backup of this vault fails the drill:
        // on a new machine it would be the one picked.
        let (newest, not_backups) = dests::newest(ctx, vault, &d.path, &own.identities);
        for (file, why) in &not_backups {
            let shown = sanitize(&d.path.join(file).display().to_string());
            let why = sanitize(why);
            if why.starts_with("FORGED") {
                forged += 1;
            }
            lines.push_str(&format!("FAIL\t{shown}\t{why}\n"));
            problems.push(format!("{shown}: {why}"));
        }
        let Some((file, _)) = newest else {
            let what = format!("{shown}: no backup of this vault");
            lines.push_str(&format!("FAIL\t{shown}\tno backup of this vault\n"));
            problems.push(what);
            continue;
        };
        let path = d.path.join(&file);
        let shown = sanitize(&path.display().to_string());
        // A file that cannot be read says nothing about the key.
        if let Some(why) = crate::vault::read::unreadable(&path, crate::vault::read::MAX_DOCUMENT) {
            lines.push_str(&format!(
                "FAIL\t{shown}\tthe newest backup cannot be read: {why}\n"
            ));
            problems.push(format!("{shown} cannot be read: {why}"));
            continue;
        }
        match open_backup(&path, &key.identities, vault) {
            Err(why) => {
                let why = sanitize(&why);
                lines.push_str(&format!("FAIL\t{shown}\tthe key does not open it: {why}\n"));
                problems.push(format!("the key does not open {shown}"));
            }
            Ok(opened) => {
                let cmp = backup::compare(&opened.contents, vault);
                let key_file = carried.and_then(|want| carries(&path, want).err());
                if let Some(why) = key_file.filter(|_| cmp.good()) {
                    lines.push_str(&format!("FAIL\t{shown}\t{why}\n"));
                    problems.push(format!("{shown}: {why}"));
                } else if cmp.good() {
                    opened_ok += 1;
                    lines.push_str(&format!("ok\t{shown}\t{}\n", cmp.describe()));
                } else {
                    let why = cmp.describe();
                    lines.push_str(&format!("FAIL\t{shown}\t{why}\n"));
                    problems.push(format!("{shown}: {why}"));
                }
            }
        }
    }
    Drilled {
        lines,
        problems,
        opened: opened_ok,
        forged,
    }
}

/// Whether the backup at `path` carries the key file `want` (`export::sealed`).
fn carries(path: &Path, want: &[u8]) -> Result<(), String> {
    let data = std::fs::read(path).map_err(|e| format!("cannot read it: {e}"))?;
    match sealed::find(&data) {
        Some(k) if k == want => Ok(()),
        Some(_) => Err(
            "it carries another key file (sealed with an earlier passphrase?): \
                        on a new machine it may not open with your passphrase"
                .to_string(),
        ),
        None => Err(
            "it does not carry the key file: on a new machine it opens only with \
                     vault.identity.age beside it"
                .to_string(),
        ),
    }
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

/// The time the sheet in the drawer is measured from: the last sheet drill
/// that passed, else the last sheet printed.
fn sheet_since(vault: &Vault) -> Option<OffsetDateTime> {
    let proven = vault.sheet_drill.filter(|_| {
        vault
            .sheet_drill_result
            .as_deref()
            .is_some_and(|r| r.starts_with("passed"))
    });
    proven.or(vault.sheet_printed)
}

/// Accounts added, and accounts changed, after `since`.
fn since_sheet(vault: &Vault, since: OffsetDateTime) -> (usize, usize) {
    let added = vault.accounts.iter().filter(|a| a.created > since).count();
    let changed = vault
        .accounts
        .iter()
        .filter(|a| a.created <= since && a.updated > since)
        .count();
    (added, changed)
}

/// `otp status` lines on the paper emergency sheet; nothing for a vault
/// without accounts.
pub fn sheet_status_text(vault: &Vault, at: OffsetDateTime) -> String {
    if vault.accounts.is_empty() {
        return String::new();
    }
    let when = |t: OffsetDateTime| {
        format!(
            "{} ago ({})",
            age(t, at),
            t.format(&Rfc3339).unwrap_or_default()
        )
    };
    let mut text = match (vault.sheet_printed, vault.sheet_drill) {
        (None, None) => {
            return "emergency sheet: none printed or proven\n  \
                    print one: `otp export --format sheet --plaintext -o sheet.html`, \
                    then photograph it and run `otp drill --sheet PHOTO...`\n"
                .into();
        }
        (Some(p), None) => format!(
            "emergency sheet: printed {}, never proven: photograph every page and run `otp drill --sheet PHOTO...`\n",
            when(p)
        ),
        (printed, Some(d)) => {
            let mut t = format!(
                "emergency sheet: last proven {}: {}\n",
                when(d),
                sanitize(vault.sheet_drill_result.as_deref().unwrap_or("?"))
            );
            if let Some(p) = printed.filter(|p| *p > d) {
                t.push_str(&format!(
                    "  a new sheet was printed {} and not proven yet: `otp drill --sheet PHOTO...`\n",
                    when(p)
                ));
            }
            t
        }
    };
    if let Some(since) = sheet_since(vault) {
        let (added, changed) = since_sheet(vault, since);
        if added + changed > 0 {
            text.push_str(&format!(
                "  warning: {added} account(s) added and {changed} changed since then are not on the paper: print a new sheet\n"
            ));
        }
    }
    text
}

/// `otp status --json`: `sheet` with `printed`, `last_drill` (`time`,
/// `result`) and `added_since`/`changed_since` (null without a sheet).
pub fn sheet_status_json(vault: &Vault) -> serde_json::Value {
    let time = |t: Option<OffsetDateTime>| t.map(|t| t.format(&Rfc3339).unwrap_or_default());
    let (added, changed) = match sheet_since(vault) {
        Some(since) => {
            let (a, c) = since_sheet(vault, since);
            (Some(a), Some(c))
        }
        None => (None, None),
    };
    serde_json::json!({
        "printed": time(vault.sheet_printed),
        "last_drill": vault.sheet_drill.map(|t| serde_json::json!({
            "time": t.format(&Rfc3339).unwrap_or_default(),
            "result": vault.sheet_drill_result,
        })),
        "added_since": added,
        "changed_since": changed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Account, Entry, Secret, Token};

    fn account(name: &str, created: OffsetDateTime) -> Account {
        let token = Token::totp(Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap());
        Account::from_entry(Entry::new("Issuer", name, token), name.into(), created)
    }

    #[test]
    fn only_the_recorded_recovery_key_is_the_recovery_key() {
        let list = |r: &[&str]| r.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut v = Vault::new(vec![]);
        v.recipients = list(&["age1day", "age1laptop", "age1rk"]);
        let everyday = list(&["age1day"]);
        // No recovery key recorded: even the everyday key fails, and says so.
        let why = not_the_recovery_key(&v, &everyday, &everyday).unwrap();
        assert!(why.starts_with("this vault has no recovery key"), "{why}");
        assert!(why.contains("everyday key"), "{why}");
        v.roles.recovery = Some("age1rk".into());
        assert_eq!(
            not_the_recovery_key(&v, &list(&["age1rk"]), &everyday),
            None
        );
        for (given, says) in [
            (list(&["age1day"]), "everyday key"),
            (list(&["age1laptop"]), "another of the vault's keys"),
            (list(&["age1other"]), "not encrypted to"),
            (list(&[]), "cannot work out"),
        ] {
            let why = not_the_recovery_key(&v, &given, &everyday).unwrap();
            assert!(
                why.starts_with("the key given is not this vault's recovery key"),
                "{why}"
            );
            assert!(why.contains(says), "{given:?}: {why}");
        }
        // The key file's recipient is the everyday key even when another
        // key unlocked this run.
        v.roles.key_file_recipient = Some("age1laptop".into());
        let why = not_the_recovery_key(&v, &list(&["age1laptop"]), &[]).unwrap();
        assert!(why.contains("everyday key"), "{why}");
    }

    #[test]
    fn status_says_when_no_sheet_was_printed_or_proven_once_there_are_accounts() {
        let t = OffsetDateTime::UNIX_EPOCH + time::Duration::days(100);
        let mut v = Vault::new(vec![]);
        assert_eq!(sheet_status_text(&v, t), "");
        v.accounts.push(account("a", t));
        assert!(sheet_status_text(&v, t).starts_with("emergency sheet: none printed or proven\n"));
        v.sheet_printed = Some(t);
        let text = sheet_status_text(&v, t + time::Duration::days(2));
        assert!(
            text.contains("printed 2 days ago") && text.contains("never proven"),
            "{text}"
        );
        assert!(!text.contains("warning"), "{text}");
    }

    #[test]
    fn status_reminds_of_accounts_added_since_the_sheet_was_proven() {
        let t = OffsetDateTime::UNIX_EPOCH + time::Duration::days(100);
        let mut v = Vault::new(vec![]);
        v.accounts.push(account("a", t));
        v.sheet_printed = Some(t + time::Duration::hours(1));
        v.sheet_drill = Some(t + time::Duration::days(1));
        v.sheet_drill_result = Some("passed: 1 of 1 accounts on 1 picture(s)".into());
        let text = sheet_status_text(&v, t + time::Duration::days(3));
        assert!(
            text.starts_with("emergency sheet: last proven 2 days ago"),
            "{text}"
        );
        assert!(!text.contains("warning"), "{text}");
        v.accounts.push(account("b", t + time::Duration::days(2)));
        let mut renamed = account("c", t);
        renamed.updated = t + time::Duration::days(2);
        v.accounts.push(renamed);
        let text = sheet_status_text(&v, t + time::Duration::days(3));
        assert!(
            text.contains("warning: 1 account(s) added and 1 changed since then"),
            "{text}"
        );
        let json = sheet_status_json(&v);
        assert_eq!(
            (json["added_since"].as_u64(), json["changed_since"].as_u64()),
            (Some(1), Some(1))
        );
        // A failed drill proves nothing: measured from the printing.
        v.sheet_drill_result = Some("failed: 1 of 2 accounts not on the pictures (b)".into());
        v.sheet_printed = Some(t + time::Duration::days(2) + time::Duration::hours(1));
        let text = sheet_status_text(&v, t + time::Duration::days(3));
        assert!(
            text.contains("a new sheet was printed") && !text.contains("warning"),
            "{text}"
        );
    }

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
