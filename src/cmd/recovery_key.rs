//! `otp recovery-key add | remove` and `otp init --recovery-key`: a
//! break-glass X25519 identity that alone opens the vault and every backup
//! made while it is listed, shown exactly once.
//!
//! One recovery key at a time: `add` refuses while one exists, so replacing
//! it is always the explicit pair `remove` then `add` (a second key the user
//! forgot about would be a silent way in).

use std::io::Write;

use age::secrecy::{ExposeSecret, SecretString};
use anyhow::Result;

use crate::cli::RecoveryKeyCommand;
use crate::cmd::recipients::{ensure_still_opens, same};
use crate::cmd::{Ctx, now};
use crate::error::Fail;
use crate::model::Vault;
use crate::term;
use crate::text::sanitize;
use crate::vault::keys;

pub fn run(ctx: &Ctx, command: RecoveryKeyCommand) -> Result<()> {
    match command {
        RecoveryKeyCommand::Add { qr, output, force } => {
            // A missing vault, or a file -o would overwrite, is reported
            // before any prompt and before the vault changes; the key is
            // asked for once, for the change and for the backup after it.
            ctx.open_vault_file()?;
            let to = output.as_deref().map(|path| Output { path, force });
            if let Some(to) = &to
                && !to.force
            {
                crate::cmd::export::refuse_existing(to.path)?;
            }
            let unlocked = ctx.unlock()?;
            let key = ctx.update_with(&unlocked, |vault, _| attach(vault))?;
            reveal_to(&key, &ctx.vault_path, qr, to.as_ref())?;
            fresh_backup(ctx, &unlocked);
            Ok(())
        }
        RecoveryKeyCommand::Remove => remove(ctx),
    }
}

/// Backups made before the key was added do not open with it: write one
/// that does into every backup folder now, so that a drill passes at once;
/// say what to run when that cannot be done.
fn fresh_backup(ctx: &Ctx, unlocked: &keys::Unlocked) {
    let written = ctx
        .open_vault_file()
        .and_then(|file| Ctx::plaintext_of(file, unlocked))
        .and_then(|text| Vault::parse(&text))
        .map(|vault| crate::cmd::backup::backup_everywhere(ctx, &vault, unlocked));
    match written {
        Ok(paths) if !paths.is_empty() => {
            for p in &paths {
                term::note(&format!(
                    "Wrote a backup that the recovery key opens: {}",
                    p.display()
                ));
            }
            term::note(
                "Backups made before now do not open with it (keep them with your other key): \
                 drill it with `otp drill --recovery-key FILE`.",
            );
        }
        Ok(_) => term::warn(
            "no backup was written (see above), and backups made before now do not open with the recovery key: \
             run `otp backup`",
        ),
        Err(e) => term::warn(&format!(
            "no backup was written ({e:#}), and backups made before now do not open with the recovery key: \
             run `otp backup`"
        )),
    }
}

/// A recovery key that was just added to a vault and not yet shown.
pub struct NewKey {
    secret: SecretString,
    recipient: String,
}

/// Makes a recovery key and adds its recipient to `vault` (which the caller
/// then encrypts and saves); refuses when the vault has one already.
pub fn attach(vault: &mut Vault) -> Result<NewKey> {
    if let Some(existing) = &vault.roles.recovery {
        return Err(Fail::error(format!(
            "this vault already has a recovery key ({}); nothing was changed",
            short(existing)
        ))
        .hint("to replace it: `otp recovery-key remove`, then `otp recovery-key add`")
        .into());
    }
    let (secret, recipient) = keys::generate_identity();
    vault.recipients.push(recipient.clone());
    vault.roles.recovery = Some(recipient.clone());
    Ok(NewKey { secret, recipient })
}

/// Prints the key once: an age identity file on stdout (so `> key.txt`
/// gives a file `age -d -i` and `otp --identity` take), with `qr` also as a
/// QR code of the secret line; the instructions go to stderr.
pub fn reveal(key: &NewKey, vault_path: &std::path::Path, qr: bool) -> Result<()> {
    reveal_to(key, vault_path, qr, None)
}

/// Where `recovery-key add -o FILE` writes the key.
pub struct Output<'a> {
    pub path: &'a std::path::Path,
    pub force: bool,
}

/// [`reveal`] to stdout, or into a new file (0600, as every file holding a
/// secret) with `-o`.
fn reveal_to(
    key: &NewKey,
    vault_path: &std::path::Path,
    qr: bool,
    to: Option<&Output<'_>>,
) -> Result<()> {
    let created = now().format(&time::format_description::well_known::Rfc3339)?;
    let mut text = format!("# otp recovery key for {}\n", vault_path.display());
    text.push_str(&keys::identity_file_text(
        &key.secret,
        &key.recipient,
        &created,
    ));
    if qr {
        text.push('\n');
        text.push_str(&draw_qr(key.secret.expose_secret())?);
    }
    let text = zeroize::Zeroizing::new(text);
    if let Some(to) = to {
        let written = if to.force {
            crate::vault::store::write_atomic(to.path, text.as_bytes())
        } else {
            crate::vault::store::write_new(to.path, text.as_bytes())
        };
        written.map_err(|e| {
            Fail::error(format!(
                "could not write the recovery key to {} ({e:#}), so nobody has it, yet the vault lists it",
                crate::text::path(to.path)
            ))
            .hint("run `otp recovery-key remove`, then `otp recovery-key add` again")
        })?;
        term::note(&format!(
            "Wrote the recovery key to {} (mode 0600)",
            crate::text::path(to.path)
        ));
    } else {
        let mut stdout = std::io::stdout().lock();
        stdout
            .write_all(text.as_bytes())
            .and_then(|_| stdout.flush())
            .map_err(|_| {
                Fail::error(
                    "could not write the recovery key to stdout, so nobody has seen it, yet the vault lists it",
                )
                .hint("run `otp recovery-key remove`, then `otp recovery-key add` again")
            })?;
    }
    // Fixed text with a style of its own: not through `note`'s sanitizing.
    term::err_line(&format!(
        "{} This recovery key is shown only now. It alone opens the vault and its backups:\n\
         store it offline (print it, or write it down) and not beside the vault.\n\
         To use it: `otp --identity KEYFILE recover BACKUP` on a new machine,\n\
         `otp --identity KEYFILE passwd` when the passphrase is forgotten.",
        term::err_bold("Recovery key added."),
    ));
    Ok(())
}

fn remove(ctx: &Ctx) -> Result<()> {
    let removed = ctx.update(|vault, unlocked| {
        let Some(recovery) = vault.roles.recovery.clone() else {
            return Err(
                Fail::error("this vault has no recovery key; nothing was changed")
                    .hint("add one with `otp recovery-key add`")
                    .into(),
            );
        };
        let rest: Vec<String> = vault
            .recipients
            .iter()
            .filter(|r| !same(r, &recovery))
            .cloned()
            .collect();
        ensure_still_opens(&rest, unlocked)?;
        vault.recipients = rest;
        vault.roles.recovery = None;
        vault.roles.recovery_revoked = Some(now());
        Ok(recovery)
    })?;
    term::note(&format!(
        "Revoked the recovery key {}: the vault and new backups no longer open with it.",
        sanitize(&short(&removed))
    ));
    term::warn(
        "backups (and synced or copied vault files) made before now still open with it: destroy the key, or delete those backups",
    );
    Ok(())
}

/// Enough of a recipient to recognise it.
fn short(recipient: &str) -> String {
    let head: String = recipient.chars().take(16).collect();
    format!("{head}…")
}

/// The secret as a terminal QR code (the shared encoder: dark on light
/// whatever the terminal theme, with a quiet zone).
fn draw_qr(text: &str) -> Result<String> {
    crate::qr::to_terminal(text, term::unicode_terminal())
        .map_err(|e| Fail::error(format!("cannot draw the QR code: {e}")).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_one_recovery_key_at_a_time() {
        let mut v = Vault::new(vec!["age1x".into()]);
        let key = attach(&mut v).unwrap();
        assert_eq!(v.recipients.len(), 2);
        assert_eq!(v.roles.recovery.as_deref(), Some(key.recipient.as_str()));
        assert!(key.secret.expose_secret().starts_with("AGE-SECRET-KEY-1"));
        let err = attach(&mut v).err().unwrap().to_string();
        assert!(err.contains("already has a recovery key"), "{err}");
        assert_eq!(v.recipients.len(), 2);
    }

    #[test]
    fn qr_decodes_back_to_the_secret() {
        let secret = keys::generate_identity().0;
        let drawn = draw_qr(secret.expose_secret()).unwrap();
        // Back to modules: each character is two stacked modules.
        let rows: Vec<Vec<char>> = drawn
            .lines()
            .map(|l| l.replace("\x1b[30;107m", "").replace("\x1b[0m", ""))
            .map(|l| l.chars().collect())
            .collect();
        let (w, h) = (rows[0].len(), rows.len() * 2);
        let scale = 4;
        let img = image::GrayImage::from_fn((w * scale) as u32, (h * scale) as u32, |x, y| {
            let (mx, my) = (x as usize / scale, y as usize / scale);
            let c = rows[my / 2][mx];
            let dark = match c {
                '█' => true,
                '▀' => my % 2 == 0,
                '▄' => my % 2 == 1,
                _ => false,
            };
            image::Luma([if dark { 0 } else { 255 }])
        });
        let mut prepared = rqrr::PreparedImage::prepare(img);
        let grids = prepared.detect_grids();
        assert_eq!(grids.len(), 1);
        let (_, text) = grids[0].decode().unwrap();
        assert_eq!(text, secret.expose_secret());
    }

    #[test]
    fn qr_has_a_quiet_zone_and_even_rows() {
        let qr =
            draw_qr("AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ")
                .unwrap();
        let rows: Vec<&str> = qr.lines().collect();
        assert!(rows.len() > 10);
        // The first row is all quiet zone: only spaces between the colour codes.
        let first = rows[0]
            .trim_start_matches("\x1b[30;107m")
            .trim_end_matches("\x1b[0m");
        assert!(first.chars().all(|c| c == ' '));
    }
}
