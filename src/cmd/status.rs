//! `otp status`: where the vault is, how it opens, what it holds.

use anyhow::Result;

use crate::agent;
use crate::cli::StatusArgs;
use crate::cmd::{Ctx, backup, drill, out, recipients, recovery_codes, sync};
use crate::config::AgentMode;
use crate::duration::human;
use crate::error::{Code, Fail};
use crate::text::sanitize;
use crate::vault::merge;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// What `otp status` cannot tell without the vault's key.
const LOCKED: &[&str] = &[
    "accounts",
    "trash",
    "changes",
    "recipients",
    "recovery key",
    "accounts at risk",
    "look-alike labels",
    "last drill",
    "emergency sheet",
    "backups' contents",
];

pub fn run(ctx: &Ctx, args: StatusArgs) -> Result<()> {
    // No key at hand (cron, a script, no agent): what the files say.
    if backup::keyless::no_key_at_hand(ctx) {
        return locked(ctx, &args);
    }
    let (vault, unlocked) = ctx.load()?;
    let method = unlocked.method.to_string();
    let at_risk: Vec<String> = recovery_codes::at_risk(&vault)
        .iter()
        .map(|a| a.label())
        .collect();
    let revoked = vault.roles.recovery_revoked.map(|t| t.date().to_string());
    let copies = sync::copies::find(&ctx.vault_path);
    // How this machine came to trust the vault (src/cmd/trust.rs): `load`
    // checked it against the record, and moved the record if it had to.
    let record = ctx.read_record();
    let trusted = record.as_ref().map(|r| {
        (
            r.how.says(),
            r.at.date().to_string(),
            ctx.record_path().display().to_string(),
        )
    });
    // Accounts a QUERY cannot tell apart (two machines each added one).
    let look_alikes: Vec<Vec<(String, String)>> = merge::look_alikes(&vault.accounts)
        .iter()
        .map(|g| g.iter().map(|a| (a.id.clone(), a.label())).collect())
        .collect();
    if args.json {
        let mut value = serde_json::json!({
            "vault": ctx.vault_path,
            "accounts": vault.accounts.len(),
            "trash": vault.trash.len(),
            "unlock": method,
            "changes": vault.changes,
            "recipients": vault.recipients.len(),
            "devices": recipients::device_count(&vault),
            "recovery_key": vault.roles.recovery.is_some(),
            "recovery_key_revoked": revoked,
            "at_risk": at_risk,
            "agent": agent_json(ctx),
            "trusted": trusted.as_ref().map(|(how, since, record)| serde_json::json!({
                "how": how, "at": since, "record": record,
            })),
        });
        if let Some(map) = value.as_object_mut() {
            map.extend(backup::status_json(ctx, &vault, &unlocked));
            map.extend(drill::status_json(ctx, &vault));
            map.insert("sheet".into(), drill::sheet_status_json(&vault));
            map.insert("sync".into(), sync::status(ctx).into());
            map.insert("conflict_copies".into(), serde_json::json!(copies));
            let groups: Vec<Vec<serde_json::Value>> = look_alikes
                .iter()
                .map(|g| {
                    g.iter()
                        .map(|(id, label)| serde_json::json!({"id": id, "label": label}))
                        .collect()
                })
                .collect();
            map.insert("look_alikes".into(), serde_json::json!(groups));
        }
        return out(&format!(
            "{}\n",
            crate::text::json_safe(&serde_json::to_string_pretty(&value)?)
        ));
    }
    let mut text = format!(
        "vault:      {}\naccounts:   {}\ntrash:      {}\nunlock:     {method}\nrecipients: {}\nchanges:    {}\n",
        ctx.vault_path.display(),
        vault.accounts.len(),
        vault.trash.len(),
        vault.recipients.len(),
        vault.changes,
    );
    if let Some((how, since, _)) = &trusted {
        text.push_str(&format!("trusted:    {how} ({since})\n"));
    }
    if let Some(line) = agent_text(ctx) {
        text.push_str(&line);
    }
    text.push_str(&backup::status_text(ctx, &vault, &unlocked));
    text.push_str(&drill::status_text(ctx, &vault));
    text.push_str(&drill::sheet_status_text(&vault, crate::cmd::now()));
    text.push_str(&sync_text(ctx));
    if !copies.is_empty() {
        text.push_str(&format!(
            "conflict copies: {} beside the vault — accounts may exist only there; fold each in with `otp sync merge FILE`\n",
            copies.len()
        ));
        for c in &copies {
            text.push_str(&format!("  {}\n", sanitize(&c.display().to_string())));
        }
    }
    if !look_alikes.is_empty() {
        text.push_str(&format!(
            "look-alike labels: {} — a QUERY for one matches each; give one of each another name (`otp rename ID NEW-NAME`)\n",
            look_alikes.len()
        ));
        for group in &look_alikes {
            let shown: Vec<String> = group
                .iter()
                .map(|(id, label)| format!("{} ({id})", sanitize(label)))
                .collect();
            text.push_str(&format!("  {}\n", shown.join(", ")));
        }
    }
    if vault.roles.recovery.is_some() {
        text.push_str("recovery key: yes\n");
    } else {
        text.push_str("recovery key: none (`otp recovery-key add` makes one)\n");
        if let Some(day) = &revoked {
            text.push_str(&format!(
                "  one was revoked on {day}: backups made before then still open with it\n"
            ));
        }
    }
    if !at_risk.is_empty() {
        text.push_str(&format!(
            "at risk of lockout: {} (no recovery codes, and the vault opens on one device only)\n",
            at_risk.len()
        ));
        for label in &at_risk {
            text.push_str(&format!("  {}\n", sanitize(label)));
        }
    }
    out(&text)
}

/// The `sync:` line: off, or repository, remote, ahead/behind, last sync.
fn sync_text(ctx: &Ctx) -> String {
    let Some(state) = sync::status(ctx) else {
        return "sync:       off (`otp sync init` keeps the vault in git)\n".into();
    };
    let get = |k: &str| state.get(k).and_then(|v| v.as_str()).map(sanitize);
    let mut line = format!(
        "sync:       git in {}",
        get("repository").unwrap_or_default()
    );
    match get("remote") {
        Some(url) => line.push_str(&format!(", remote {url}")),
        None => line.push_str(", no remote"),
    }
    if let (Some(a), Some(b)) = (state["ahead"].as_u64(), state["behind"].as_u64()) {
        line.push_str(&format!(", {a} ahead, {b} behind as of the last fetch"));
    }
    line.push('\n');
    line.push_str(&format!(
        "last sync:  {}\n",
        get("last_sync").unwrap_or_else(|| "never".into())
    ));
    if state["uncommitted"].as_bool() == Some(true) {
        line.push_str("  changes not yet committed: `otp sync` commits them\n");
    }
    if let Some(refused) = get("refused") {
        line.push_str(&format!(
            "  the last sync REFUSED the remote's commit {refused}: nothing was taken from it; `otp sync --push-local` puts this machine's vault back there (docs/sync.md)\n"
        ));
    }
    if state["merge_in_progress"].as_bool() == Some(true) {
        line.push_str("  a git merge is in progress in the vault's folder: finish or abort it\n");
    }
    line
}

/// What the agent does for this vault: None for a vault without a key
/// file (an identity vault never uses the agent).
fn agent_state(ctx: &Ctx) -> Option<Result<Option<agent::Held>, String>> {
    let data = std::fs::read(ctx.key_file()).ok()?;
    let data = zeroize::Zeroizing::new(data);
    if ctx.config.agent == AgentMode::Off {
        return Some(Err("off (agent = \"off\" in the config)".into()));
    }
    let key = agent::KeyRef::new(&ctx.key_file(), &data);
    let paths = ctx.agent_paths();
    Some(match agent::status(&paths, &key) {
        Ok(Some(held)) => Ok(Some(held)),
        Ok(None) if agent::running(&paths) => {
            Err("running, does not hold this vault's key (`otp unlock`)".into())
        }
        Ok(None) => Err("not running (`otp unlock` starts it)".into()),
        Err(e) => Err(format!("{e:#}")),
    })
}

fn agent_text(ctx: &Ctx) -> Option<String> {
    Some(match agent_state(ctx)? {
        Ok(Some(held)) => format!(
            "agent:      holds this vault's key; forgets it after {} without use{}\n",
            human(held.idle_left),
            held.lifetime_left
                .map(|l| format!(", in {} at the latest", human(l)))
                .unwrap_or_default()
        ),
        Ok(None) => "agent:      does not hold this vault's key\n".into(),
        Err(why) => format!("agent:      {why}\n"),
    })
}

fn agent_json(ctx: &Ctx) -> serde_json::Value {
    match agent_state(ctx) {
        None => serde_json::Value::Null,
        Some(Ok(Some(held))) => serde_json::json!({
            "holds_key": true,
            "idle_seconds_left": held.idle_left.as_secs(),
            "lifetime_seconds_left": held.lifetime_left.map(|l| l.as_secs()),
        }),
        Some(Ok(None)) => serde_json::json!({ "holds_key": false }),
        Some(Err(why)) => serde_json::json!({ "holds_key": false, "state": why }),
    }
}

/// `otp status` of a passphrase vault with no key at hand: what the files
/// and records beside it say (the last backup, key-less copies, the last
/// check, sync, the agent, conflict copies), the rest marked locked. Exit
/// 7 (partly done): what needs the key was not shown.
fn locked(ctx: &Ctx, args: &StatusArgs) -> Result<()> {
    let file = std::fs::metadata(&ctx.vault_path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            anyhow::Error::from(
                Fail::error(format!("no vault at {}", ctx.vault_path.display())).hint(
                    "create one with `otp init`, or restore a backup with `otp recover BACKUP`",
                ),
            )
        } else {
            anyhow::Error::from(e).context(format!("cannot read {}", ctx.vault_path.display()))
        }
    })?;
    let written: Option<OffsetDateTime> = file.modified().ok().map(OffsetDateTime::from);
    let last = backup::freshness::last_recorded(ctx);
    let missing = last
        .as_ref()
        .is_some_and(|l| l.path != "stdout" && !std::path::Path::new(&l.path).exists());
    // Without the key the change counter is out of reach: the vault file's
    // own time says whether it was written since the last backup.
    let written_since = match (&last, written) {
        (Some(l), Some(w)) => Some(w > l.time),
        _ => None,
    };
    let copies = sync::copies::find(&ctx.vault_path);
    let unlock = "passphrase: LOCKED (no passphrase source, no terminal to ask on, no agent holding the key)";
    if args.json {
        let value = serde_json::json!({
            "vault": ctx.vault_path,
            "locked": true,
            "locked_fields": LOCKED,
            "unlock": unlock,
            "vault_written": written.map(|w| w.format(&Rfc3339).unwrap_or_default()),
            "agent": agent_json(ctx),
            "backup_dir": backup::backup_dir(ctx),
            "last_backup": last.as_ref().map(|l| serde_json::json!({
                "time": l.time.format(&Rfc3339).unwrap_or_default(),
                "age_seconds": (crate::cmd::now() - l.time).whole_seconds().max(0),
                "path": l.path,
                "exists": !missing,
                "changes": l.changes,
                "accounts": l.accounts,
            })),
            "vault_written_since_backup": written_since,
            "keyless_copies": backup::keyless::status_json(ctx),
            "last_verify": backup::verify_status_json(ctx),
            "sync": sync::status(ctx),
            "conflict_copies": copies,
        });
        out(&format!(
            "{}\n",
            crate::text::json_safe(&serde_json::to_string_pretty(&value)?)
        ))?;
    } else {
        let now = crate::cmd::now();
        let mut text = format!(
            "vault:      {}\nunlock:     {unlock}\n",
            ctx.vault_path.display()
        );
        if let Some(line) = agent_text(ctx) {
            text.push_str(&line);
        }
        text.push_str(&match &last {
            None => "backup:     never\n".to_string(),
            Some(l) => format!(
                "backup:     {} ({} ago) {}{}\n",
                l.time.format(&Rfc3339).unwrap_or_default(),
                backup::age(l.time, now),
                l.path,
                if missing { " (missing!)" } else { "" }
            ),
        });
        text.push_str(&match (written_since, missing) {
            (_, true) | (None, _) => "freshness:  OUT OF DATE: run `otp backup`\n".to_string(),
            (Some(true), false) => format!(
                "freshness:  the vault file was written since ({}): it may hold changes not backed up (the change count is locked)\n",
                written.map(|w| w.format(&Rfc3339).unwrap_or_default()).unwrap_or_default()
            ),
            (Some(false), false) => {
                "freshness:  the vault file has not been written since this backup\n".to_string()
            }
        });
        text.push_str(&format!(
            "backup dir: {}\n",
            backup::backup_dir(ctx).display()
        ));
        text.push_str(&backup::verify_status_text(ctx));
        text.push_str(&backup::keyless::status_text(ctx));
        text.push_str(&sync_text(ctx));
        if !copies.is_empty() {
            text.push_str(&format!(
                "conflict copies: {} beside the vault — accounts may exist only there; fold each in with `otp sync merge FILE`\n",
                copies.len()
            ));
            for c in &copies {
                text.push_str(&format!("  {}\n", sanitize(&c.display().to_string())));
            }
        }
        text.push_str(&format!("locked:     {}\n", LOCKED.join(", ")));
        out(&text)?;
    }
    Err(Fail::new(
        Code::PartlyDone,
        "the vault is locked: what needs its key is marked locked above",
    )
    .hint("run `otp status` on a terminal (it asks for the passphrase), or after `otp unlock`")
    .into())
}
