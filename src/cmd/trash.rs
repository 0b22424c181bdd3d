//! `otp trash`: deleted accounts stay recoverable until purged.

use anyhow::Result;
use time::Duration;
use time::format_description::well_known::Rfc3339;

use crate::cli::{TrashArgs, TrashCommand};
use crate::cmd::{Ctx, now, out};
use crate::error::{Code, Fail};
use crate::model::query::resolve;
use crate::term;
use crate::text::sanitize;

pub fn run(ctx: &Ctx, args: TrashArgs) -> Result<()> {
    match args.command.unwrap_or(TrashCommand::List) {
        TrashCommand::List => list(ctx),
        TrashCommand::Restore { query } => restore(ctx, &query),
        TrashCommand::Purge { older_than, yes } => purge(ctx, older_than, yes),
    }
}

fn list(ctx: &Ctx) -> Result<()> {
    let (vault, _) = ctx.load()?;
    let mut text = String::new();
    for t in vault.trash.iter().rev() {
        let when = t.deleted.format(&Rfc3339).unwrap_or_default();
        text.push_str(&format!(
            "{when}  {} ({})\n",
            sanitize(&t.account.label()),
            t.account.id
        ));
    }
    if vault.trash.is_empty() {
        term::note("The trash is empty.");
    }
    out(&text)
}

fn restore(ctx: &Ctx, query: &str) -> Result<()> {
    // The message is printed only once the vault is saved.
    let label = ctx.update(|vault, _| {
        let i = resolve(&vault.trash, query)?;
        let a = &vault.trash[i].account;
        if let Some(j) = vault.find_label(&a.issuer, &a.name) {
            return Err(Fail::new(
                Code::Conflict,
                format!(
                    "an account called {} ({}) exists again; nothing was restored",
                    sanitize(&vault.accounts[j].label()),
                    vault.accounts[j].id
                ),
            )
            .hint("rename the existing account first (`otp rename`)")
            .into());
        }
        let t = vault.trash.remove(i);
        let label = t.account.label();
        vault.accounts.push(t.account);
        Ok(label)
    })?;
    term::note(&format!("Restored {}", sanitize(&label)));
    Ok(())
}

fn purge(ctx: &Ctx, older_than: Option<u64>, yes: bool) -> Result<()> {
    let cutoff = older_than.map(|days| now() - Duration::days(days.min(1_000_000) as i64));
    let doomed = |deleted: time::OffsetDateTime| cutoff.is_none_or(|c| deleted < c);
    let (vault, unlocked) = ctx.load()?;
    let count = vault.trash.iter().filter(|t| doomed(t.deleted)).count();
    if count == 0 {
        term::note("Nothing to purge.");
        return Ok(());
    }
    if !yes
        && term::stdin_is_tty()
        && !term::confirm(&format!(
            "Delete {count} account(s) from the trash for good?"
        ))?
    {
        return Err(Fail::error("nothing was purged").into());
    }
    // The same key saves: a passphrase is asked once.
    let snapshot = ctx.update_with(&unlocked, |vault, unlocked| {
        if !vault.trash.iter().any(|t| doomed(t.deleted)) {
            return Ok(None);
        }
        let snapshot = crate::cmd::backup::snapshot(ctx, vault, unlocked, "purge")?;
        vault.trash.retain(|t| !doomed(t.deleted));
        Ok(Some(snapshot))
    })?;
    term::note(&format!("Purged {count} account(s) from the trash"));
    if let Some(p) = snapshot {
        crate::cmd::backup::undo_note(&p);
    }
    Ok(())
}
