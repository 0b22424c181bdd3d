//! `otp recover` with no vault yet (the lost-laptop case): create one
//! holding the backup.

use anyhow::Result;

use super::source::{Key, Source};
use super::{add_accounts, plan_line, refuse_clashes};
use crate::cli::RecoverArgs;
use crate::cmd::{After, Ctx, Locked, init, out};
use crate::error::Fail;
use crate::export::restore::{self, Decision};
use crate::model::Account;
use crate::model::Vault;
use crate::term;
use crate::text::sanitize;
use crate::vault::keys;
use crate::vault::store;

/// No vault yet: create one holding the backup.
pub fn onto_new_machine(ctx: &Ctx, args: &RecoverArgs, source: Source) -> Result<()> {
    let decisions = restore::plan(&[], &source.contents.accounts);
    if args.dry_run {
        let lines: Vec<String> = source
            .contents
            .accounts
            .iter()
            .zip(&decisions)
            .map(|(a, d)| plan_line(a, d, false) + "\n")
            .collect();
        out(&lines.concat())?;
    }
    let pairs: Vec<(&Account, &Decision)> =
        source.contents.accounts.iter().zip(&decisions).collect();
    refuse_clashes(&pairs, &args.backup)?;
    if args.dry_run {
        term::note(&format!(
            "No vault at {}: one would be created holding {} account(s).",
            ctx.vault_path.display(),
            decisions
                .iter()
                .filter(|d| **d == Decision::Restore)
                .count()
        ));
        return Ok(());
    }
    let accounts: Vec<Account> = source
        .contents
        .accounts
        .iter()
        .zip(&decisions)
        .filter(|(_, d)| **d == Decision::Restore)
        .map(|(a, _)| a.clone())
        .collect();
    let n = accounts.len();
    let (key_file, own, how) = match &source.key {
        Key::Plain => {
            init::create_vault(ctx, None)?;
            ctx.update(|vault, _| {
                add_accounts(vault, accounts);
                Ok(())
            })?;
            term::note(&format!("Restored {n} account(s)."));
            return Ok(());
        }
        Key::Vault => return Err(Fail::error("no vault to restore into").into()),
        Key::Identity(path, recipients) => (
            None,
            recipients.clone(),
            format!(
                "identity file {} (pass --identity or set OTP_IDENTITY)",
                path.display()
            ),
        ),
        Key::Passphrase {
            bytes, recipients, ..
        } => (
            Some(bytes.as_slice()),
            recipients.clone(),
            format!("passphrase (key file {})", ctx.key_file().display()),
        ),
    };
    let locked = ctx.lock()?;
    let vault = write_new_vault(ctx, &locked, key_file, own.clone(), &source, accounts)?;
    term::note(&format!(
        "Restored {n} account(s) ({} in the trash) into a new vault at {}",
        vault.trash.len(),
        ctx.vault_path.display()
    ));
    unproven_on_a_new_machine(&args.backup, &vault, &own);
    match &source.key {
        Key::Identity(path, recipients)
            if source
                .contents
                .roles
                .recovery
                .as_ref()
                .is_some_and(|rk| recipients.contains(rk)) =>
        {
            break_glass_guide(path)
        }
        _ => term::note(&format!("Unlock: {how}")),
    }
    locked.after_save(&vault, None, After::Backup);
    Ok(())
}

/// On a new machine nothing proves where a backup came from: the key that
/// would (src/model/auth.rs) lived inside the vault this one replaces. Say
/// so, and name every key the new vault is encrypted to that the backup
/// brought in (not the one that opened it), so none comes in silently.
fn unproven_on_a_new_machine(file: &std::path::Path, vault: &Vault, own: &[String]) {
    term::warn(&format!(
        "nothing on a new machine can prove that {} came from one of your machines (the key that proves it was inside the vault it restores): \
         if it was not in a place only you control, check the accounts (`otp list`) and the keys below (docs/trust.md)",
        file.display()
    ));
    for r in vault.recipients.iter().filter(|r| !own.contains(r)) {
        let role = if vault.roles.recovery.as_ref() == Some(r) {
            "the recovery key"
        } else if vault.roles.key_file_recipient.as_ref() == Some(r) {
            "the passphrase key file's"
        } else {
            "another device's key"
        };
        term::note(&format!(
            "The new vault is also encrypted to {} ({role}, as the backup lists it); if that key is not yours: otp recipients remove {}",
            sanitize(r),
            sanitize(r)
        ));
    }
}

/// Restored with the recovery key: it is the break-glass key, never the
/// everyday one. Say how to make a new everyday key, and that the recovery
/// key goes back in the drawer.
fn break_glass_guide(path: &std::path::Path) {
    let p = path.display();
    term::note(&format!(
        "Restored with the recovery key {p}. It is your break-glass key, not an everyday one: \
         until you make a new everyday key, only it opens this vault. Make one now:\n  \
         otp --identity '{p}' passwd            # a new passphrase (the usual choice)\n  \
         otp --identity '{p}' recipients add KEY   # or an age/SSH key of this machine\n\
         then put the recovery key back offline, in the drawer, and run `otp backup`."
    ));
}

/// Writes the new vault (and the key file of a passphrase vault) in one go,
/// under the lock the caller holds,
/// encrypted to the opening key's recipients plus the backup's own.
fn write_new_vault(
    ctx: &Ctx,
    locked: &Locked<'_>,
    key_file: Option<&[u8]>,
    own: Vec<String>,
    source: &Source,
    accounts: Vec<Account>,
) -> Result<Vault> {
    if ctx.vault_path.exists() {
        return Err(Fail::error(format!(
            "a vault appeared at {} meanwhile; nothing was restored",
            ctx.vault_path.display()
        ))
        .into());
    }
    let mut recipients: Vec<String> = Vec::new();
    for r in own.iter().chain(&source.contents.recipients) {
        if recipients.contains(r) {
            continue;
        }
        match keys::parse_recipients(std::slice::from_ref(r)) {
            Ok(_) => recipients.push(r.clone()),
            Err(e) => term::warn(&format!(
                "the new vault is not encrypted to {}: {e:#}; add it back later with `otp recipients add`",
                sanitize(r)
            )),
        }
    }
    if recipients.is_empty() {
        return Err(Fail::error(
            "cannot work out whom to encrypt the new vault to; nothing was restored",
        )
        .hint("for an SSH key, put its public key beside it as FILE.pub")
        .into());
    }
    let mut vault = Vault::new(recipients);
    // A new id, not the backup's: the vault the backup came from may live
    // on (a second device), and its snapshots must not undo this one.
    vault.ensure_id(crate::cmd::random16);
    vault.changes = source.contents.changes;
    // The key roles come back as the backup had them, for the keys that are
    // still recipients; a key file installed here is the key file's.
    let kept = |r: &Option<String>| r.clone().filter(|r| vault.recipients.contains(r));
    vault.roles.recovery = kept(&source.contents.roles.recovery);
    vault.roles.recovery_revoked = source.contents.roles.recovery_revoked;
    vault.roles.key_file_recipient = match key_file {
        Some(_) => own.first().cloned(),
        None => kept(&source.contents.roles.key_file_recipient),
    };
    for t in &source.contents.trash {
        vault.trash.push(t.clone());
    }
    add_accounts(&mut vault, accounts);
    if let Some(bytes) = key_file {
        let dest = ctx.key_file();
        match std::fs::read(&dest) {
            Ok(existing) if existing == bytes => {}
            Ok(_) => {
                return Err(Fail::error(format!(
                    "{} already exists and is another key; nothing was restored",
                    dest.display()
                ))
                .hint("move it away if it belongs to no vault")
                .into());
            }
            Err(_) => store::write_new(&dest, bytes)?,
        }
    }
    // A fresh vault: its own authentication key (src/model/auth.rs).
    vault.ensure_auth_key(crate::cmd::random32);
    locked.create(&mut vault)?;
    Ok(vault)
}
