//! `otp passwd`: change the passphrase of a passphrase vault, or give one
//! back when it is forgotten.
//!
//! With the old passphrase, only the key file (`vault.identity.age`) is
//! re-sealed: the X25519 identity inside stays, so the vault and every
//! backup keep opening with it. With `--identity` (the recovery key, another
//! device's key) the old key file cannot be read, so a new identity is made:
//! the vault is re-encrypted to it in place of the old key file's recipient,
//! keeping the recovery key and the other devices. The steps are ordered so
//! that a crash at any point leaves a vault that some key still opens.

use std::path::Path;

use age::secrecy::SecretString;
use anyhow::{Context, Result};

use crate::cli::PasswdArgs;
use crate::cmd::passphrase::PassphraseSources;
use crate::cmd::recipients::same;
use crate::cmd::{After, Ctx, Locked, now};
use crate::error::Fail;
use crate::term;
use crate::vault::keys::{self, Unlocked};
use crate::vault::store;

pub fn run(ctx: &Ctx, args: PasswdArgs) -> Result<()> {
    ctx.read_vault_file()?;
    let key_file = ctx.key_file();
    let locked = ctx.lock()?;
    if ctx.global.identity.is_some() {
        return rekey(ctx, &locked, &args);
    }
    if !key_file.exists() {
        return Err(Fail::error(format!(
            "this vault has no passphrase: it opens with an identity file ({} does not exist)",
            key_file.display()
        ))
        .hint("to add a passphrase as a second way in: `otp --identity FILE passwd`")
        .into());
    }
    change(ctx, &locked, &args)
}

/// Old passphrase → new passphrase, same identity.
fn change(ctx: &Ctx, locked: &Locked<'_>, args: &PasswdArgs) -> Result<()> {
    let key_file = ctx.key_file();
    let sealed = crate::vault::read::read_capped(&key_file, crate::vault::read::MAX_KEY_FILE)
        .with_context(|| format!("cannot read the key file {}", key_file.display()))?;
    let (old, _) = ctx.passphrases().get("current vault passphrase")?;
    let inner = keys::decrypt_with_passphrase(&sealed, old)?;
    let unlocked = keys::parse_identity_text(&inner, &key_file)?;
    // Re-sealing a key file that does not open this vault would only hide
    // the problem under a new passphrase.
    keys::decrypt(&ctx.read_vault_file()?, &unlocked.identities).map_err(|_| {
        Fail::error(format!(
            "{} does not open this vault; nothing was changed",
            key_file.display()
        ))
        .hint("unlock with another key and make a new key file: `otp --identity FILE passwd`")
    })?;
    let new = new_passphrase(args)?;
    let resealed = keys::encrypt_with_passphrase(&inner, new.clone())?;
    // The new key file is read back with the new passphrase and must open
    // the vault before it replaces the old one.
    let new_key = read_back(&resealed, new, &key_file)?;
    keys::decrypt(&ctx.read_vault_file()?, &new_key.identities)
        .map_err(|_| not_proven(&key_file, "does not open the vault"))?;
    store::write_atomic(&key_file, &resealed)?;
    // The vault names its key file (src/model/auth.rs): a key file from a
    // sync remote is taken only when an authenticated vault names it, so
    // an old key file replayed there cannot bring the old passphrase back.
    let mut vault = locked.open(&new_key)?;
    vault.key_file_hash = Some(crate::model::auth::file_hash(&resealed));
    ctx.ensure_auth_key(&mut vault);
    vault.changes += 1;
    locked.save(&mut vault)?;
    locked.after_save(&vault, Some(&new_key), After::Change);
    forget_in_agent(ctx);
    term::note(&format!(
        "Passphrase changed ({} was re-sealed and the vault now names it; the vault and its backups open with the new passphrase).",
        key_file.display()
    ));
    term::note(&format!(
        "Copies of the old key file still open with the old passphrase. If it leaked, also replace the key: \
         `otp --identity {} passwd`.",
        key_file.display()
    ));
    Ok(())
}

/// Unlocked with an identity: a new key file with a new identity.
fn rekey(ctx: &Ctx, locked: &Locked<'_>, args: &PasswdArgs) -> Result<()> {
    let key_file = ctx.key_file();
    let (mut vault, unlocked) = ctx.load()?;
    let had_key_file = key_file.exists();
    if !had_key_file && !want_new_passphrase(args)? {
        return Err(Fail::error("this vault has no passphrase (it opens with an identity file); nothing was changed")
            .hint("to add one as a second way in, run again on a terminal and answer yes, or give --new-passphrase-file FILE")
            .into());
    }
    let new = new_passphrase(args)?;
    let created = now().format(&time::format_description::well_known::Rfc3339)?;
    let (secret, recipient) = keys::generate_identity();
    let text = keys::identity_file_text(&secret, &recipient, &created);
    let sealed = keys::encrypt_with_passphrase(text.as_bytes(), new.clone())?;
    let new_key = read_back(&sealed, new, &key_file)?;
    let old = vault.roles.key_file_recipient.clone();

    // 1. The vault opens with the old and the new key file. Saved only if
    // the key this command unlocked with still opens it (a `recipients`
    // list edited by hand would otherwise leave, until step 2, a vault
    // that no existing key opens).
    vault.recipients.push(recipient.clone());
    vault.roles.key_file_recipient = Some(recipient);
    vault.ensure_id(crate::cmd::random16);
    ctx.ensure_auth_key(&mut vault);
    vault.key_file_hash = Some(crate::model::auth::file_hash(&sealed));
    vault.changes += 1;
    locked.save_opening(&mut vault, &unlocked)?;
    // 2. The new key file, once its key has opened the vault as saved.
    keys::decrypt(&ctx.read_vault_file()?, &new_key.identities)
        .map_err(|_| not_proven(&key_file, "does not open the vault as saved"))?;
    store::write_atomic(&key_file, &sealed)?;
    forget_in_agent(ctx);
    // 3. The old key file no longer opens it; the new key must.
    match old {
        Some(old) => {
            vault.recipients.retain(|r| !same(r, &old));
            locked.save_opening(&mut vault, &new_key)?;
        }
        None if had_key_file => term::warn(
            "this vault does not record which recipient the old key file had, so it was kept: \
             see `otp recipients list` and remove stale keys with `otp recipients remove`",
        ),
        None => {}
    }
    // The vault now opens with the new key only: an automatic backup is
    // read back with it.
    locked.after_save(&vault, Some(&new_key), After::Change);
    term::note(&format!(
        "New passphrase set, with a new key in {}.",
        key_file.display()
    ));
    term::note(
        "Backups made before now do not open with the new passphrase (they still open with the recovery key \
         and other devices' keys): run `otp backup`.",
    );
    Ok(())
}

/// A new key file, read back with the new passphrase before it is
/// written: the key inside (the caller then proves it opens the vault).
fn read_back(sealed: &[u8], passphrase: SecretString, key_file: &Path) -> Result<Unlocked> {
    let inner = keys::decrypt_with_passphrase(sealed, passphrase)
        .map_err(|_| not_proven(key_file, "does not open with the new passphrase"))?;
    keys::parse_identity_text(&inner, key_file)
        .map_err(|_| not_proven(key_file, "does not hold a readable key").into())
}

/// Refusing to write a key file that failed its proof.
fn not_proven(key_file: &Path, why: &str) -> Fail {
    Fail::error(format!(
        "the new key file {why}, so writing it could lock you out; it was not written"
    ))
    .hint(format!(
        "{} is as it was and the old passphrase (or key) still opens the vault; \
         check the disk and memory of this machine, then run `otp passwd` again",
        key_file.display()
    ))
}

/// The agent forgets the old key file's key at once (it would also notice
/// the changed file within seconds).
fn forget_in_agent(ctx: &Ctx) {
    if let Ok(true) = crate::agent::forget(&ctx.agent_paths(), &ctx.key_file()) {
        term::note("The agent forgot the old key: run `otp unlock` again to keep the new one.");
    }
}

/// An identity vault gets a passphrase only when the user asks: a flag, or
/// a yes on the terminal.
fn want_new_passphrase(args: &PasswdArgs) -> Result<bool> {
    if args.new_passphrase_file.is_some() {
        return Ok(true);
    }
    if !term::stdin_is_tty() {
        return Ok(false);
    }
    term::note("This vault has no passphrase: it opens with an identity file.");
    Ok(term::confirm(
        "Add a passphrase as a second way in (a key file beside the vault)?",
    )?)
}

/// The new passphrase: `--new-passphrase-file`, else asked twice on the terminal.
fn new_passphrase(args: &PasswdArgs) -> Result<SecretString> {
    if args.new_passphrase_file.is_none() && !term::stdin_is_tty() {
        return Err(
            Fail::error("a new passphrase is needed but stdin is not a terminal")
                .hint("give it with --new-passphrase-file FILE (first line)")
                .into(),
        );
    }
    let sources = PassphraseSources {
        file: args.new_passphrase_file.clone(),
        interactive: true,
        ..PassphraseSources::default()
    };
    Ok(sources.get_new("new vault passphrase")?.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_is_proven_with_the_new_passphrase_before_it_is_written() {
        let (secret, recipient) = keys::generate_identity();
        let text = keys::identity_file_text(&secret, &recipient, "2026-12-04T00:00:00Z");
        let sealed = keys::encrypt_with_passphrase(text.as_bytes(), "new words".into()).unwrap();
        let path = Path::new("vault.identity.age");
        let err = read_back(&sealed, "other words".into(), path)
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("does not open with the new passphrase"),
            "{err}"
        );
        let mut damaged = sealed.clone();
        let at = damaged.len() / 2;
        damaged[at] ^= 1;
        assert!(read_back(&damaged, "new words".into(), path).is_err());
        let key = read_back(&sealed, "new words".into(), path).unwrap();
        let mine = keys::encrypt(b"v", &keys::parse_recipients(&[recipient]).unwrap(), false);
        assert!(keys::decrypt(&mine.unwrap(), &key.identities).is_ok());
        let (_, stranger) = keys::generate_identity();
        let theirs = keys::encrypt(b"v", &keys::parse_recipients(&[stranger]).unwrap(), false);
        assert!(keys::decrypt(&theirs.unwrap(), &key.identities).is_err());
    }
}
