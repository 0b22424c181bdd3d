//! `otp export`: every account out, as an encrypted backup (default) or, with
//! `--plaintext`, as URIs, otp JSON, Aegis JSON, Google Authenticator codes
//! or a printable emergency sheet; `--password-file` makes the Aegis export
//! an encrypted Aegis vault instead.

mod google_qr;
mod output;

use std::path::Path;

use anyhow::{Context, Result};
use zeroize::Zeroizing;

use crate::cli::{ExportArgs, ExportFormat};
use crate::cmd::backup::{encrypted_backup, record, sealed_key};
use crate::cmd::{Ctx, now, out};
use crate::error::{Code, Fail};
use crate::export::{self, aegis, json};
use crate::term;
use crate::vault::keys::Method;
use crate::vault::store;
use output::exists_error;
pub use output::refuse_existing;

pub fn run(ctx: &Ctx, args: ExportArgs) -> Result<()> {
    let password = aegis_password(&args)?;
    if args.with_recovery_key.is_some() && args.format != ExportFormat::Sheet {
        return Err(Fail::new(
            Code::Usage,
            "--with-recovery-key applies only to --format sheet",
        )
        .into());
    }
    let plaintext = args.format != ExportFormat::Backup && password.is_none();
    if plaintext && !args.plaintext {
        return Err(Fail::new(
            Code::Usage,
            format!(
                "--format {} writes every secret in the clear; add --plaintext to confirm",
                format_name(args.format)
            ),
        )
        .hint("the default format (backup) is encrypted; an Aegis export can be encrypted with --password-file F")
        .into());
    }
    // Refused before any key is asked for; `write_new` below refuses again,
    // atomically, should the file appear meanwhile.
    if let (Some(path), false, false) = (
        &args.output,
        args.force,
        args.format == ExportFormat::GoogleQr,
    ) {
        refuse_existing(path)?;
    }
    if args.format == ExportFormat::Sheet && args.output.is_none() {
        crate::cmd::export_sheet::refuse_terminal()?;
    }
    let (vault, unlocked) = ctx.load()?;
    let at = now().replace_nanosecond(0).unwrap_or_else(|_| now());
    let mut fill =
        |buf: &mut [u8]| getrandom::fill(buf).expect("the OS random source is available");
    let data: Zeroizing<Vec<u8>> = match args.format {
        ExportFormat::Backup => {
            Zeroizing::new(encrypted_backup(&vault, at, None, sealed_key(ctx))?)
        }
        ExportFormat::Uris => bytes(export::uris(&vault.accounts)),
        ExportFormat::Json => bytes(json::to_text(&vault.accounts, at)),
        ExportFormat::Aegis => match &password {
            Some(p) => Zeroizing::new(
                aegis::encrypted(&vault.accounts, p.as_bytes(), &mut fill)?.into_bytes(),
            ),
            None => bytes(aegis::plain(&vault.accounts, &mut fill)),
        },
        ExportFormat::GoogleQr => {
            return google_qr::run(&vault.accounts, args.output.as_deref(), args.force);
        }
        ExportFormat::Sheet => {
            crate::cmd::export_sheet::page(&vault, at, args.with_recovery_key.as_deref())?
        }
    };
    match &args.output {
        Some(path) if args.force => store::write_atomic(path, &data)
            .with_context(|| format!("cannot write the export to {}", path.display()))?,
        Some(path) => store::write_new(path, &data).map_err(|e| match e.downcast::<Fail>() {
            Ok(_) => exists_error(path),
            Err(e) => e.context(format!("cannot write the export to {}", path.display())),
        })?,
        None => {
            if plaintext && term::stdout_is_tty() {
                term::warn("writing secrets in the clear to the terminal");
            }
            out(&String::from_utf8_lossy(&data))?;
        }
    }
    let n = vault.accounts.len();
    let dest = args
        .output
        .as_deref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "stdout".into());
    term::note(&format!(
        "Exported {n} account(s) as {} to {dest}",
        format_name(args.format)
    ));
    if args.format == ExportFormat::Sheet {
        crate::cmd::export_sheet::written(ctx, &unlocked, at, &dest);
    }
    if args.format == ExportFormat::Backup {
        record(ctx, &vault, at, &dest);
        if sealed_key(ctx).is_some() {
            carried_note(&ctx.key_file());
        } else if matches!(unlocked.method, Method::Passphrase(_)) {
            key_file_warning(&ctx.key_file(), vault.recipients.len() > 1);
        }
    }
    Ok(())
}

fn bytes(text: Zeroizing<String>) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(text.as_bytes().to_vec())
}

/// A passphrase vault's backup carries its key file, sealed with the
/// passphrase (`export::sealed`): say that the file restores alone.
fn carried_note(key_file: &Path) {
    term::note(&format!(
        "The backup carries the key file {} (sealed with your passphrase): on a new machine \
         `otp recover FILE` opens it with the passphrase alone.",
        key_file.display()
    ));
}

/// A passphrase vault whose key file cannot be read: its backups open with
/// that key file plus the passphrase; say where it is.
fn key_file_warning(key_file: &Path, more_recipients: bool) {
    let others = if more_recipients {
        " (or another key the vault is encrypted to, such as a recovery key)"
    } else {
        ""
    };
    term::warn(&format!(
        "this backup opens with the key file {} plus your passphrase{others}. \
         Keep a copy of that file with the backup; `otp recover` looks for it beside the backup. \
         (`otp backup` keeps one in the backup folder for you.)",
        key_file.display()
    ));
}

fn format_name(f: ExportFormat) -> &'static str {
    match f {
        ExportFormat::Backup => "backup",
        ExportFormat::Uris => "uris",
        ExportFormat::Json => "json",
        ExportFormat::Aegis => "aegis",
        ExportFormat::GoogleQr => "google-qr",
        ExportFormat::Sheet => "sheet",
    }
}

/// `--password` / `--password-file`: only for Aegis; the first line of the file.
fn aegis_password(args: &ExportArgs) -> Result<Option<Zeroizing<String>>> {
    let given = args.password.is_some() || args.password_file.is_some();
    if given && args.format != ExportFormat::Aegis {
        return Err(Fail::new(
            Code::Usage,
            "--password and --password-file apply only to --format aegis",
        )
        .into());
    }
    let password = if let Some(p) = &args.password {
        Zeroizing::new(p.to_string())
    } else if let Some(f) = &args.password_file {
        let text = Zeroizing::new(
            std::fs::read_to_string(f)
                .with_context(|| format!("cannot read the password file {}", f.display()))?,
        );
        Zeroizing::new(text.lines().next().unwrap_or("").to_string())
    } else {
        return Ok(None);
    };
    if password.is_empty() {
        return Err(Fail::error("the Aegis export password is empty").into());
    }
    Ok(Some(password))
}
