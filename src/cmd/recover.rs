//! `otp recover BACKUP`: restore a backup without ever clobbering an account.
//!
//! Reads our backups and snapshots (age, armored or binary, and plain vault
//! copies), our JSON exports and otpauth URI lists. Into an existing vault:
//! the "no existing account" check of [`restore::plan`]; any conflict
//! refuses the whole restore (exit 5) unless `--skip-existing`, and a
//! safety-net snapshot is taken before anything is added. A snapshot of
//! this vault (same vault id) whose command was the last change to the
//! vault is undone exactly; a snapshot of another vault is an ordinary
//! backup. With no
//! vault (the lost-laptop case) it creates one: from a passphrase key file
//! found beside the backup (or given with `--identity`), from an identity,
//! or like `otp init` for plaintext sources.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::cli::RecoverArgs;
use crate::cmd::backup::{snapshot, undo_note};
use crate::cmd::{Ctx, import::read_input_capped, now, out, random8};
use crate::error::{Code, Fail};
use crate::export::restore::{self, Decision, Why, plausible_id};
use crate::model::Account;
use crate::model::auth::Proof;
use crate::model::{Trashed, Vault};
use crate::term;
use crate::text::sanitize;

use fresh::onto_new_machine;
use source::{Source, read_source};

mod fresh;
mod source;

pub fn run(ctx: &Ctx, args: RecoverArgs) -> Result<()> {
    let data = read_input_capped(&args.backup, crate::vault::read::MAX_DOCUMENT)?;
    let exists = ctx.vault_path.exists();
    let source = read_source(ctx, &args.backup, &data, exists)?;
    if exists {
        into_vault(ctx, &args, source)
    } else {
        onto_new_machine(ctx, &args, source)
    }
}

/// Adds `accounts`, each keeping its id when it is well-formed and free
/// (ids looked up in one set: per account a scan of the vault would make a
/// large restore quadratic).
fn add_accounts(vault: &mut Vault, accounts: impl IntoIterator<Item = Account>) {
    let mut taken: HashSet<String> = vault
        .accounts
        .iter()
        .map(|a| a.id.clone())
        .chain(vault.trash.iter().map(|t| t.account.id.clone()))
        .collect();
    for mut a in accounts {
        if !plausible_id(&a.id) || taken.contains(&a.id) {
            a.id = loop {
                let id = crate::model::id_from_bytes(random8());
                if !taken.contains(&id) {
                    break id;
                }
            };
        }
        taken.insert(a.id.clone());
        if a.created == time::OffsetDateTime::UNIX_EPOCH {
            a.created = now();
            a.updated = a.created;
        }
        vault.accounts.push(a);
    }
}

fn plan_line(a: &Account, d: &Decision, skip_existing: bool) -> String {
    let label = sanitize(&a.label());
    match d {
        Decision::Restore => format!("restore\t{label}"),
        Decision::Repeat => format!("repeat\t{label}\t(same as an earlier entry; restored once)"),
        Decision::Clash { earlier } => format!(
            "clash\t{label}\t(same name as {}, earlier in the file, with another secret)",
            sanitize(earlier)
        ),
        Decision::Conflict { why, existing, id } => {
            let verb = if skip_existing { "skip" } else { "conflict" };
            let what = match why {
                Why::SameName => "same name as",
                Why::SameSecret => "same secret as",
            };
            format!("{verb}\t{label}\t({what} {} [{id}])", sanitize(existing))
        }
    }
}

fn conflict_error(conflicts: &[(&Account, &Decision)], file: &Path) -> anyhow::Error {
    let mut text = format!(
        "{} account(s) in {} already exist in this vault; nothing was restored:",
        conflicts.len(),
        file.display()
    );
    for (a, d) in conflicts {
        if let Decision::Conflict { why, existing, id } = d {
            let label = sanitize(&a.label());
            let existing = sanitize(existing);
            text.push_str(&match why {
                Why::SameName => format!(
                    "\n  {label}: an account with the same name exists ({existing}, id {id}); \
                     rename or remove it first (`otp rename {id} NEW_NAME`, `otp remove {id}`), or keep it with --skip-existing"
                ),
                Why::SameSecret => format!(
                    "\n  {label}: its secret is already in {existing} (id {id}), which gives the same codes; \
                     keep it with --skip-existing, or `otp remove {id}` first"
                ),
            });
        }
    }
    Fail::new(Code::Conflict, text)
        .hint(format!(
            "to restore only the accounts that do not exist yet: otp recover '{}' --skip-existing",
            file.display()
        ))
        .into()
}

/// Refuses a file that holds one label twice with different secrets (see
/// [`Decision::Clash`]), whatever the flags: nothing is restored.
fn refuse_clashes(pairs: &[(&Account, &Decision)], file: &Path) -> Result<()> {
    let clashes: Vec<String> = pairs
        .iter()
        .filter_map(|(a, d)| match d {
            Decision::Clash { earlier } => Some(format!(
                "\n  {} has the name of {}, earlier in the file, but another secret",
                sanitize(&a.label()),
                sanitize(earlier)
            )),
            _ => None,
        })
        .collect();
    if clashes.is_empty() {
        return Ok(());
    }
    Err(Fail::new(
        Code::Conflict,
        format!(
            "{} holds {} account(s) twice with different secrets; nothing was restored:{}",
            file.display(),
            clashes.len(),
            clashes.concat()
        ),
    )
    .hint("which secret is right cannot be told: remove or rename the wrong one in a copy of the file (`age -d` opens a backup), then recover that copy")
    .into())
}

/// Says that a file handed to `otp recover` could not be proven to come
/// from one of your machines, and what is done with it all the same.
fn warn_unproven(file: &Path, proof: Proof) {
    let why = match proof {
        Proof::Forged => {
            "its tag is not made by this vault's key (a backup of another vault, or a file forged by someone who knows one of your public keys)"
        }
        _ => {
            "it has no tag (a backup from an otp before backups were tagged, or a file someone else encrypted to one of your public keys)"
        }
    };
    term::warn(&format!(
        "{} could not be proven to come from one of your machines: {why}. \
         Only its accounts are read, and only those that do not exist in the vault are added; \
         check them (`otp list`) before you rely on them (docs/trust.md)",
        file.display()
    ));
}

enum Outcome {
    Merged {
        added: usize,
        kept: usize,
        /// Labels of the backup's trash put back into the trash.
        trashed: Vec<String>,
        snapshot: Option<PathBuf>,
    },
    Undone {
        op: String,
        snapshot: Option<PathBuf>,
    },
}

/// A snapshot undoes its command when it was taken of this vault (same
/// vault id, and tagged with the vault's key: written by one of your
/// machines) and that command was the vault's last change.
fn is_undo(source: &Source, vault: &Vault, proof: Proof, args: &RecoverArgs) -> Option<String> {
    let meta = source.contents.meta.as_ref()?;
    let op = meta.snapshot.clone()?;
    if vault.auth_key.is_some() && !proof.is_authentic() {
        term::note(&format!(
            "This file says it is a snapshot taken before `{op}`, but it could not be proven to come from one of your machines; \
             it is not undone, only read as an ordinary backup."
        ));
        return None;
    }
    if !vault.is_same_vault(source.contents.vault_id.as_deref()) {
        term::note(&format!(
            "This snapshot was taken before `{op}`, but of another vault (or by an otp too old to say which); \
             restoring it as an ordinary backup."
        ));
        return None;
    }
    // The change it undoes must be this vault's last: the snapshot names
    // it by its change id (random per change, unlike the counter, which
    // two machines share). A snapshot and vault from before change ids:
    // the counter, as before.
    let last = match (&vault.previous_change, &meta.undoes) {
        (_, Some(undoes)) => vault.change_id.as_ref() == Some(undoes),
        (None, None) => vault.changes == meta.changes.saturating_add(1),
        _ => false,
    };
    let fits = !args.skip_existing && last;
    if !fits {
        term::note(&format!(
            "This snapshot was taken before `{op}`, but the vault has changed since; restoring it as an ordinary backup."
        ));
        return None;
    }
    Some(op)
}

fn into_vault(ctx: &Ctx, args: &RecoverArgs, source: Source) -> Result<()> {
    let outcome = ctx.update(|vault, unlocked| {
        let proof = source.proof(vault);
        if vault.auth_key.is_some() && source.is_file() && !proof.is_authentic() {
            warn_unproven(&args.backup, proof);
        }
        if let Some(op) = is_undo(&source, vault, proof, args) {
            return undo(ctx, vault, unlocked, &source, op, args.dry_run);
        }
        let decisions = restore::plan(&vault.accounts, &source.contents.accounts);
        let pairs: Vec<(&Account, &Decision)> =
            source.contents.accounts.iter().zip(&decisions).collect();
        if args.dry_run {
            let lines: Vec<String> = pairs
                .iter()
                .map(|(a, d)| plan_line(a, d, args.skip_existing) + "\n")
                .collect();
            out(&lines.concat())?;
        }
        refuse_clashes(&pairs, &args.backup)?;
        // A snapshot of this vault (its printed undo, after later changes):
        // an account still here under its own id is the same account, not
        // a conflict; it is kept as it is now.
        let own_snapshot = source
            .contents
            .meta
            .as_ref()
            .is_some_and(|m| m.snapshot.is_some())
            && vault.is_same_vault(source.contents.vault_id.as_deref())
            && (vault.auth_key.is_none() || proof.is_authentic());
        let still_here = |a: &Account, d: &Decision| {
            own_snapshot && matches!(d, Decision::Conflict { id, .. } if *id == a.id)
        };
        let conflicts: Vec<(&Account, &Decision)> = pairs
            .iter()
            .filter(|(_, d)| matches!(d, Decision::Conflict { .. }))
            .copied()
            .collect();
        let real_conflicts: Vec<(&Account, &Decision)> = conflicts
            .iter()
            .filter(|(a, d)| !still_here(a, d))
            .copied()
            .collect();
        if !real_conflicts.is_empty() && !args.skip_existing {
            return Err(conflict_error(&real_conflicts, &args.backup));
        }
        let adds: Vec<&Account> = pairs
            .iter()
            .filter(|(_, d)| **d == Decision::Restore)
            .map(|(a, _)| *a)
            .collect();
        let (added, kept) = (adds.len(), conflicts.len());
        let in_trash: Vec<Account> = vault.trash.iter().map(|t| t.account.clone()).collect();
        let theirs: Vec<Account> = source
            .contents
            .trash
            .iter()
            .map(|t| t.account.clone())
            .collect();
        let back: Vec<&Trashed> =
            restore::trash_missing(&vault.accounts, &in_trash, &adds, &theirs)
                .into_iter()
                .map(|i| &source.contents.trash[i])
                .collect();
        let trashed: Vec<String> = back.iter().map(|t| t.account.label()).collect();
        if args.dry_run {
            let lines: Vec<String> = trashed
                .iter()
                .map(|l| format!("trash\t{}\t(back into the trash)\n", sanitize(l)))
                .collect();
            out(&lines.concat())?;
        }
        if args.dry_run || (adds.is_empty() && back.is_empty()) {
            return Ok(Outcome::Merged {
                added,
                kept,
                trashed,
                snapshot: None,
            });
        }
        let snap = snapshot(ctx, vault, unlocked, "recover")?;
        add_accounts(vault, adds.into_iter().cloned());
        for t in back {
            let mut t = t.clone();
            let id_taken = |v: &Vault, id: &str| {
                v.accounts.iter().any(|x| x.id == id) || v.trash.iter().any(|x| x.account.id == id)
            };
            if !plausible_id(&t.account.id) || id_taken(vault, &t.account.id) {
                t.account.id = vault.new_id(random8);
            }
            vault.trash.push(t);
        }
        Ok(Outcome::Merged {
            added,
            kept,
            trashed,
            snapshot: Some(snap),
        })
    })?;
    let would = if args.dry_run { "would be " } else { "" };
    match outcome {
        Outcome::Merged {
            added,
            kept,
            trashed,
            snapshot,
        } => {
            let mut line = format!("{added} account(s) {would}restored");
            if kept > 0 {
                line.push_str(&format!(
                    "; {kept} existing account(s) {}left untouched",
                    if args.dry_run { "would be " } else { "" }
                ));
            }
            if added == 0 && trashed.is_empty() && !args.dry_run {
                line = format!("Nothing to restore: {line}");
            }
            term::note(&line);
            if !trashed.is_empty() {
                let names: Vec<String> = trashed.iter().map(|l| sanitize(l)).collect();
                term::note(&format!(
                    "{} account(s) from its trash, found nowhere in this vault, {}put back into the trash: {}; \
                     `otp trash restore QUERY` brings one back",
                    trashed.len(),
                    if args.dry_run { "would be " } else { "" },
                    names.join(", ")
                ));
            }
            if let Some(p) = snapshot {
                undo_note(&p);
            }
        }
        Outcome::Undone { op, snapshot } => {
            term::note(&if args.dry_run {
                format!("Would undo `{op}`: the vault would be back as it was before it.")
            } else {
                format!("Undid `{op}`: the vault is back as it was before it.")
            });
            if let Some(p) = snapshot {
                undo_note(&p);
            }
        }
    }
    Ok(())
}

/// Puts the vault's accounts and trash back as the snapshot has them
/// (keys and recipients stay as they are now), after snapshotting the
/// current state so the undo can itself be undone.
fn undo(
    ctx: &Ctx,
    vault: &mut Vault,
    unlocked: &crate::vault::keys::Unlocked,
    source: &Source,
    op: String,
    dry_run: bool,
) -> Result<Outcome> {
    let has = |list: &[Account], id: &str| list.iter().any(|a| a.id == id);
    let mut lines = String::new();
    for a in &vault.accounts {
        if !has(&source.contents.accounts, &a.id) {
            lines.push_str(&format!("remove\t{}\n", sanitize(&a.label())));
        }
    }
    for a in &source.contents.accounts {
        if !has(&vault.accounts, &a.id) {
            lines.push_str(&format!("restore\t{}\n", sanitize(&a.label())));
        }
    }
    if dry_run {
        out(&lines)?;
        return Ok(Outcome::Undone { op, snapshot: None });
    }
    let snap = snapshot(ctx, vault, unlocked, "undo")?;
    vault.accounts = source.contents.accounts.clone();
    vault.trash = source.contents.trash.clone();
    Ok(Outcome::Undone {
        op,
        snapshot: Some(snap),
    })
}
