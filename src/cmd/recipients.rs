//! `otp recipients list | add | remove`: the keys the vault (and so every
//! backup made from it) is encrypted to — another machine's age key, an SSH
//! public key, an age plugin recipient such as `age1yubikey…`.
//!
//! Also the checks every key change shares: what a recipient string is,
//! and that the user's own unlock still opens the vault after a change.

use std::str::FromStr;

use anyhow::{Context, Result};

use crate::cli::RecipientsCommand;
use crate::cmd::{Ctx, now, out};
use crate::error::Fail;
use crate::model::Vault;
use crate::term;
use crate::text::sanitize;
use crate::vault::keys::{self, Unlocked};

pub fn run(ctx: &Ctx, command: RecipientsCommand) -> Result<()> {
    match command {
        RecipientsCommand::List => list(ctx),
        RecipientsCommand::Add { recipient } => add(ctx, &recipient),
        RecipientsCommand::Remove { recipient } => remove(ctx, &recipient),
    }
}

fn list(ctx: &Ctx) -> Result<()> {
    let (vault, unlocked) = ctx.load()?;
    let opened = unlocked.recipients.list();
    let mut text = String::new();
    for r in &vault.recipients {
        let mut role = role(&vault, r).to_string();
        if opened.iter().any(|u| same(u, r)) {
            role.push_str(", opened it now");
        }
        text.push_str(&format!("{}\t{role}\n", sanitize(r)));
    }
    out(&text)
}

/// What a recipient of this vault is for, as `list` and `status` name it.
pub fn role(vault: &Vault, recipient: &str) -> &'static str {
    if vault
        .roles
        .recovery
        .as_deref()
        .is_some_and(|r| same(r, recipient))
    {
        "recovery key"
    } else if vault
        .roles
        .key_file_recipient
        .as_deref()
        .is_some_and(|r| same(r, recipient))
    {
        "passphrase key file"
    } else {
        "device"
    }
}

/// Recipients that open the vault on a machine: all but the recovery key.
pub fn device_count(vault: &Vault) -> usize {
    vault
        .recipients
        .iter()
        .filter(|r| role(vault, r) != "recovery key")
        .count()
}

fn add(ctx: &Ctx, arg: &str) -> Result<()> {
    let wanted = from_argument(arg)?;
    // Fails early, with the plugin's name, when its binary is missing.
    keys::parse_recipients(&wanted)?;
    let added = ctx.update(|vault, _| {
        let mut added = Vec::new();
        for r in wanted {
            if vault.recipients.iter().any(|have| same(have, &r)) {
                term::note(&format!("{} is already a recipient", sanitize(&r)));
            } else {
                vault.recipients.push(r.clone());
                added.push(r);
            }
        }
        Ok(added)
    })?;
    if added.is_empty() {
        term::note("Nothing was changed.");
        return Ok(());
    }
    for r in &added {
        term::note(&format!("Added {}", sanitize(r)));
    }
    term::note(
        "The vault is re-encrypted to it; backups made from now on are too, older ones are not (run `otp backup`). \
         On that device: `otp --identity ITS_KEY code …`.",
    );
    Ok(())
}

fn remove(ctx: &Ctx, arg: &str) -> Result<()> {
    let target = canonical(arg.trim())?;
    let (removed, role) = ctx.update(|vault, unlocked| {
        let i = vault
            .recipients
            .iter()
            .position(|r| same(r, &target))
            .ok_or_else(|| {
                Fail::error("that key is not a recipient of this vault; nothing was changed")
                    .hint("`otp recipients list` shows them")
            })?;
        let role = role(vault, &vault.recipients[i]);
        let mut rest = vault.recipients.clone();
        let removed = rest.remove(i);
        ensure_still_opens(&rest, unlocked)?;
        vault.recipients = rest;
        match role {
            "recovery key" => {
                vault.roles.recovery = None;
                vault.roles.recovery_revoked = Some(now());
            }
            "passphrase key file" => vault.roles.key_file_recipient = None,
            _ => {}
        }
        Ok((removed, role))
    })?;
    term::note(&format!("Removed {} ({role})", sanitize(&removed)));
    if role == "passphrase key file" {
        term::warn(&format!(
            "the passphrase no longer opens this vault: {} is now useless (delete it, or make a new one with `otp --identity FILE passwd`)",
            ctx.key_file().display()
        ));
    }
    term::note(
        "Backups and copies of the vault made before now still open with that key: delete them if the key is lost or stolen.",
    );
    Ok(())
}

/// Refuses a recipient set that the keys used for this command cannot
/// open: a change must never lock the user out of their own vault.
pub fn ensure_still_opens(recipients: &[String], unlocked: &Unlocked) -> Result<()> {
    if opens(recipients, unlocked)? {
        return Ok(());
    }
    Err(Fail::error(
        "after this change the key you unlocked with could no longer open the vault; nothing was changed",
    )
    .hint("unlock with another key that stays (--identity FILE), or add one first with `otp recipients add`")
    .into())
}

/// The check before every save of the vault: the recipients it is about to
/// be encrypted to must include the key this command unlocked with (for a
/// passphrase vault, its key file's key). Another key on the list (the
/// recovery key, another device) does not count: saving would lock this
/// user out. Typically `recipients` was edited by hand.
pub fn ensure_saved_vault_opens(recipients: &[String], unlocked: &Unlocked) -> Result<()> {
    if opens(recipients, unlocked)? {
        return Ok(());
    }
    let own = unlocked.recipients.list();
    let add = match own.first() {
        Some(r) => format!("`otp recipients add {}`", sanitize(r)),
        None => "`otp recipients add YOUR_PUBLIC_KEY`".to_string(),
    };
    Err(Fail::error(
        "the key you unlocked with could no longer open the vault: it is not among the vault's `recipients` \
         (edited by hand?), and saving would lock you out; nothing was changed",
    )
    .hint(format!(
        "put your key back with {add} (or restore the `recipients` list), then run the command again; \
         change keys with `otp recipients add` / `otp recipients remove`, which keep your own key"
    ))
    .into())
}

/// Does the key used for this command open a vault encrypted to `recipients`?
fn opens(recipients: &[String], unlocked: &Unlocked) -> Result<bool> {
    if recipients.is_empty() {
        return Ok(false);
    }
    if unlocked
        .recipients
        .list()
        .iter()
        .any(|u| recipients.iter().any(|r| same(u, r)))
    {
        return Ok(true);
    }
    // The public half of this unlock is unknown (an SSH key without its
    // .pub, a plugin identity, the agent): try it.
    let sealed = keys::encrypt(b"otp", &keys::parse_recipients(recipients)?, false)?;
    Ok(keys::decrypt(&sealed, &unlocked.identities).is_ok())
}

/// The recipients named by an argument: the recipient itself, or a file
/// with one per line (`~/.ssh/id_ed25519.pub`, an age recipients file).
fn from_argument(arg: &str) -> Result<Vec<String>> {
    let arg = arg.trim();
    match canonical(arg) {
        Ok(_) => return Ok(vec![arg.to_string()]),
        Err(e) if looks_secret(arg) => return Err(e),
        Err(e) => {
            let path = std::path::Path::new(arg);
            if !path.is_file() {
                return Err(e);
            }
        }
    }
    let text = std::fs::read_to_string(arg).with_context(|| format!("cannot read {arg}"))?;
    let mut found = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        canonical(line).with_context(|| format!("in {arg}"))?;
        found.push(line.to_string());
    }
    if found.is_empty() {
        return Err(Fail::error(format!("{arg} holds no recipient")).into());
    }
    Ok(found)
}

fn looks_secret(text: &str) -> bool {
    text.to_ascii_uppercase().starts_with("AGE-SECRET-KEY-")
        || text.to_ascii_uppercase().starts_with("AGE-PLUGIN-")
        || text.contains("PRIVATE KEY")
}

/// Checks a recipient and returns its canonical form (SSH comments
/// dropped, Bech32 lowercased), so two spellings of one key compare equal.
pub fn canonical(text: &str) -> Result<String> {
    if looks_secret(text) {
        return Err(Fail::error(
            "that is a secret key, not a recipient: never paste it anywhere (it was not stored or shown)",
        )
        .hint("give its public half: `age-keygen -y KEYFILE`, or the .pub file of an SSH key")
        .into());
    }
    if let Ok(x) = age::x25519::Recipient::from_str(text) {
        return Ok(x.to_string());
    }
    match age::ssh::Recipient::from_str(text) {
        Ok(s) => return Ok(s.to_string()),
        Err(age::ssh::ParseRecipientKeyError::Unsupported(kind)) => {
            return Err(Fail::error(format!(
                "age cannot encrypt to SSH keys of type {}",
                sanitize(&kind)
            ))
            .hint("use an ssh-ed25519 or ssh-rsa key")
            .into());
        }
        Err(age::ssh::ParseRecipientKeyError::RsaModulusTooSmall) => {
            return Err(Fail::error("that RSA key is shorter than 2048 bits").into());
        }
        Err(_) => {}
    }
    let lower = text.to_ascii_lowercase();
    if age::plugin::Recipient::from_str(&lower).is_ok() {
        return Ok(lower);
    }
    let shown: String = sanitize(text).chars().take(24).collect();
    Err(Fail::error(format!("'{shown}' is not a recipient otp can encrypt to"))
        .hint("give an age public key (age1…), an SSH public key (ssh-ed25519 … or ssh-rsa …, or its .pub file), or an age plugin recipient (age1yubikey1…)")
        .into())
}

/// Do two recipient strings name the same key?
pub fn same(a: &str, b: &str) -> bool {
    match (canonical(a), canonical(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SSH: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHsKLqeplhpW+uObz5dvMgjz1OxfM/XXUB+VHtZ6isGN";

    #[test]
    fn canonical_drops_ssh_comments_and_case() {
        let with_comment = format!("{SSH} alice@laptop");
        assert_eq!(canonical(&with_comment).unwrap(), SSH);
        assert!(same(&with_comment, SSH));
        let (_, x) = keys::generate_identity();
        assert_eq!(canonical(&x).unwrap(), x);
    }

    #[test]
    fn garbage_and_secrets_are_refused_without_echoing_secrets() {
        assert!(canonical("hello").is_err());
        assert!(canonical("").is_err());
        let err = canonical("AGE-SECRET-KEY-1QQQQ").unwrap_err().to_string();
        assert!(!err.contains("QQQQ"), "{err}");
        assert!(canonical("ssh-dss AAAAB3NzaC1kc3M=").is_err());
    }

    #[test]
    fn plugin_recipients_parse() {
        // From the age crate's own tests (plugin "tag").
        let r = "age1tag1qt8lw0ual6avlwmwatk888yqnmdamm7xfd0wak53ut6elz5c4swx2yqdj4e";
        assert_eq!(canonical(r).unwrap(), r);
        assert_eq!(canonical(&r.to_uppercase()).unwrap(), r);
        let broken = r.replace("qdj4e", "qdj4f");
        assert!(canonical(&broken).is_err());
    }

    #[test]
    fn unlock_check_refuses_losing_the_own_key() {
        let (secret, mine) = keys::generate_identity();
        let (_, other) = keys::generate_identity();
        let id: Box<dyn age::Identity> = Box::new(
            age::x25519::Identity::from_str(age::secrecy::ExposeSecret::expose_secret(&secret))
                .unwrap(),
        );
        let unlocked = Unlocked {
            identities: vec![id],
            recipients: keys::Recipients::Known(vec![]),
            method: keys::Method::Identity("k".into()),
        };
        assert!(ensure_still_opens(&[mine.clone(), other.clone()], &unlocked).is_ok());
        assert!(ensure_still_opens(std::slice::from_ref(&other), &unlocked).is_err());
        assert!(ensure_still_opens(&[], &unlocked).is_err());
        assert!(ensure_saved_vault_opens(&[other.clone(), mine], &unlocked).is_ok());
        let err = ensure_saved_vault_opens(&[other], &unlocked).unwrap_err();
        assert!(
            format!("{err:#}").contains("could no longer open"),
            "{err:#}"
        );
    }
}
