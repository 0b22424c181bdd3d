//! `otp export --format sheet`: the paper emergency sheet (the page itself
//! is `export::sheet`'s); `--with-recovery-key FILE` adds the break-glass
//! key, after checking it is the one the vault lists.

use std::path::Path;

use anyhow::{Context, Result};
use zeroize::Zeroizing;

use crate::cmd::{Ctx, random8};
use crate::error::{Code, Fail};
use crate::export::sheet::{self, RecoveryKey};
use crate::model::Vault;
use crate::term;
use crate::text;
use crate::vault::keys;

/// Largest identity file read.
const MAX_KEY_FILE: u64 = 64 << 10;

/// The page for `vault` at `at`, as bytes to write.
pub fn page(
    vault: &Vault,
    at: time::OffsetDateTime,
    recovery_key: Option<&Path>,
) -> Result<Zeroizing<Vec<u8>>> {
    let key = recovery_key
        .map(|p| read_recovery_key(vault, p))
        .transpose()?;
    let batch_id = i32::from_le_bytes(random8()[..4].try_into().unwrap_or([0; 4])) & 0x7fff_ffff;
    let rendered = sheet::render(&sheet::Input {
        accounts: &vault.accounts,
        vault_id: vault.vault_id.as_deref().unwrap_or("(none yet)"),
        at,
        batch_id,
        recovery_key: key.as_ref().map(|(identity, recipient)| RecoveryKey {
            identity,
            recipient,
        }),
    })
    .map_err(|e| Fail::error(format!("cannot draw the sheet's QR codes: {e}")))?;
    for w in &rendered.left_out {
        term::warn(&format!(
            "not in the sheet's Google Authenticator codes (it has its own code on the sheet): {}: {}",
            text::sanitize(&w.label),
            w.message
        ));
    }
    Ok(Zeroizing::new(rendered.html.as_bytes().to_vec()))
}

/// After the sheet is written: record it for `otp status`, say what next.
pub fn written(ctx: &Ctx, unlocked: &keys::Unlocked, at: time::OffsetDateTime, dest: &str) {
    if let Err(e) = ctx.record_without_change(unlocked, |v| v.sheet_printed = Some(at)) {
        term::warn(&format!("cannot record the sheet for `otp status`: {e:#}"));
    }
    term::note(&format!(
        "Print it (A4 or Letter), then prove the paper: photograph or scan every page and run \
         `otp drill --sheet PHOTO...`. Then delete {dest}: it holds every secret in the clear."
    ));
}

/// The sheet never goes to a terminal: it is a page to print.
pub fn refuse_terminal() -> Result<()> {
    if term::stdout_is_tty() {
        return Err(Fail::new(
            Code::Usage,
            "the sheet is an HTML page to print, not for the terminal; nothing was written",
        )
        .hint("write it to a file: otp export --format sheet --plaintext -o sheet.html")
        .into());
    }
    Ok(())
}

/// The identity line and public key of the recovery key in `path`,
/// refused unless it is the vault's recovery key: a sheet must not carry a
/// key that opens nothing (or another vault).
fn read_recovery_key(vault: &Vault, path: &Path) -> Result<(Zeroizing<String>, String)> {
    let shown = text::path(path);
    let Some(listed) = &vault.roles.recovery else {
        return Err(Fail::error(format!(
            "this vault has no recovery key, so {shown} cannot be it; nothing was written"
        ))
        .hint("make one with `otp recovery-key add`, or leave out --with-recovery-key")
        .into());
    };
    let file = std::fs::File::open(path).with_context(|| format!("cannot open {shown}"))?;
    let mut data = Zeroizing::new(Vec::new());
    std::io::Read::read_to_end(&mut std::io::Read::take(file, MAX_KEY_FILE), &mut data)
        .with_context(|| format!("cannot read {shown}"))?;
    if keys::is_age_file(&data) {
        return Err(Fail::error(format!(
            "{shown} is encrypted; the sheet needs the recovery key's plain identity file"
        ))
        .into());
    }
    let text = Zeroizing::new(String::from_utf8_lossy(&data).into_owned());
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("AGE-SECRET-KEY-1"));
    let identity = line.and_then(|l| l.parse::<age::x25519::Identity>().ok());
    let (Some(line), Some(identity)) = (line, identity) else {
        return Err(Fail::error(format!(
            "{shown} holds no age identity (a line AGE-SECRET-KEY-1...); nothing was written"
        ))
        .into());
    };
    let recipient = identity.to_public().to_string();
    if !crate::cmd::recipients::same(&recipient, listed) {
        return Err(Fail::error(format!(
            "{shown} is not this vault's recovery key (its public key is {recipient}, the vault's is {}); nothing was written",
            text::sanitize(listed)
        ))
        .hint("give the file `otp recovery-key add` printed; a revoked key opens only older backups")
        .into());
    }
    Ok((Zeroizing::new(line.to_string()), recipient))
}
