//! `otp import`: files in, the merge rules applied, one summary line out.
//!
//! All files are parsed first; then, under the lock, every entry is planned
//! against the vault. Any conflict refuses the whole import (exit 5) and
//! nothing is written; otherwise new accounts are added in one save. Entries
//! of the input that could not be imported at all are listed and make the
//! exit status 7 (`import::plan::left_out`), after the rest is saved.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use zeroize::Zeroizing;

use crate::cli::ImportArgs;
use crate::cmd::{Ctx, now, out, random8};
use crate::error::{Code, Fail};
use crate::import::plan::{Action, left_out, left_out_line, left_out_plan_line, plan};
use crate::import::{self, Format, ImportError};
use crate::model::{Account, Entry, Parsed, Skipped};
use crate::term;
use crate::text;
use crate::text::sanitize;
use crate::vault::read;

pub fn run(ctx: &Ctx, args: ImportArgs) -> Result<()> {
    if args.screen {
        return import_screen(ctx, args.dry_run);
    }
    let forced = (args.format != "auto").then_some(args.format.as_str());
    import_paths(
        ctx,
        &args.files,
        forced,
        args.password_file.as_deref(),
        args.dry_run,
    )
}

/// Imports `paths` (`-` is stdin) with the given or detected format.
pub fn import_paths(
    ctx: &Ctx,
    paths: &[PathBuf],
    forced: Option<&str>,
    password_file: Option<&Path>,
    dry_run: bool,
) -> Result<()> {
    let format = forced.map(format_by_name).transpose()?;
    let mut entries: Vec<Entry> = Vec::new();
    let mut skipped: Vec<Skipped> = Vec::new();
    // Google Authenticator exports span several QR codes, often one image
    // each: their batches are grouped over all files, not per file.
    let mut migration = import::migration_text::Scanned::default();
    for path in paths {
        let parsed = match read_one(path, format, password_file)? {
            FileImport::Parsed(parsed) => parsed,
            FileImport::Scanned(scanned) => {
                migration.batches.extend(scanned.batches);
                scanned.other
            }
        };
        entries.extend(parsed.entries);
        skipped.extend(parsed.skipped);
    }
    let grouped = migration.into_parsed();
    entries.extend(grouped.entries);
    skipped.extend(grouped.skipped);
    add_valid(ctx, entries, skipped, dry_run)
}

/// Imports every OTP QR code on the screen (`--screen`): each X11 screen
/// is captured in memory, decoded, and zeroized (`crate::screen`).
pub fn import_screen(ctx: &Ctx, dry_run: bool) -> Result<()> {
    let display = std::env::var("DISPLAY").ok();
    let wayland = std::env::var_os("WAYLAND_DISPLAY").is_some_and(|v| !v.is_empty());
    let captures = crate::screen::capture(display.as_deref(), wayland).map_err(|e| {
        let hint = match e {
            crate::screen::ScreenError::WaylandOnly => {
                "take a screenshot with the desktop's tool, run `otp add --qr FILE` (or `otp import FILE`), then delete the screenshot"
            }
            _ => "save the QR code as an image and run `otp add --qr FILE` (or `otp import FILE`)",
        };
        anyhow::Error::from(Fail::error(e.to_string()).hint(hint))
    })?;
    let mut links: Vec<String> = Vec::new();
    let mut not_otp = false;
    let mut unread = Vec::new();
    for capture in &captures {
        match crate::qr::decode_luma_all(&capture.image) {
            Ok(found) => {
                unread.extend(import::qr_image::unread(&found, " on the screen"));
                for link in found.links {
                    if !links.contains(&link) {
                        links.push(link);
                    }
                }
            }
            Err(crate::qr::QrError::NotOtp) => not_otp = true,
            Err(_) => {}
        }
    }
    drop(captures);
    if links.is_empty() {
        let message = if not_otp {
            "a QR code is on the screen, but it is not an otpauth:// or otpauth-migration:// link"
        } else {
            "no QR code found on the screen"
        };
        let mut hint = String::from(
            "show the whole code, not covered by other windows, at a size where its squares are clearly visible; or save it as an image and run `otp add --qr FILE`",
        );
        if wayland {
            hint.push_str(
                "; in a Wayland session only windows of X11 (XWayland) applications can be read",
            );
        }
        return Err(Fail::error(message).hint(hint).into());
    }
    let mut scanned = import::migration_text::Scanned::default();
    for (i, link) in links.iter().enumerate() {
        let place = if links.len() == 1 {
            "the QR code on the screen".to_string()
        } else {
            format!("QR code {} on the screen", i + 1)
        };
        scanned.add(link, &place).map_err(|e| match e {
            ImportError::Malformed(m) => Fail::error(m),
            other => Fail::error(other.to_string()),
        })?;
    }
    let mut parsed = scanned.into_parsed();
    parsed.skipped.extend(unread);
    add_valid(ctx, parsed.entries, parsed.skipped, dry_run)
}

/// Skips entries whose parameters are invalid (saying why), then [`apply`].
fn add_valid(
    ctx: &Ctx,
    entries: Vec<Entry>,
    mut skipped: Vec<Skipped>,
    dry_run: bool,
) -> Result<()> {
    let (valid, invalid): (Vec<Entry>, Vec<Entry>) = entries
        .into_iter()
        .partition(|e| e.token.validate().is_ok());
    skipped.extend(invalid.iter().map(|e| {
        Skipped {
            label: e.label(),
            reason: e
                .token
                .validate()
                .err()
                .map(|err| err.to_string())
                .unwrap_or_default(),
        }
    }));
    apply(ctx, valid, &skipped, dry_run)
}

/// Up to how many accounts an import names one by one.
const NAMED: usize = 20;

/// Plans `entries` against the vault and adds them (unless `dry_run`);
/// then the rule for entries left out ([`left_out`]): exit 7, each listed.
pub fn apply(ctx: &Ctx, entries: Vec<Entry>, skipped: &[Skipped], dry_run: bool) -> Result<()> {
    let (added, names, duplicates, snapshot) = ctx.update(|vault, unlocked| {
        let actions = plan(&vault.accounts, &entries);
        if dry_run {
            let mut text = String::new();
            for (e, a) in entries.iter().zip(&actions) {
                text.push_str(&plan_line(e, a));
                text.push('\n');
            }
            for s in skipped {
                text.push_str(&left_out_plan_line(s));
                text.push('\n');
            }
            out(&text)?;
        }
        let conflicts: Vec<String> = entries
            .iter()
            .zip(&actions)
            .filter_map(|(e, a)| match a {
                Action::Conflict { existing, existing_id } => Some(format!(
                    "  {} conflicts with {}{}",
                    sanitize(&e.label()),
                    sanitize(existing),
                    existing_id.as_ref().map(|id| format!(" ({id})")).unwrap_or_default()
                )),
                _ => None,
            })
            .collect();
        if !conflicts.is_empty() {
            let mut message = format!(
                "{} account(s) have the name of an existing account but a different secret; nothing was imported:\n{}",
                conflicts.len(),
                conflicts.join("\n")
            );
            if !skipped.is_empty() {
                message.push_str(&format!(
                    "\n{} more entr{} could not be imported at all:",
                    skipped.len(),
                    if skipped.len() == 1 { "y" } else { "ies" }
                ));
                for s in skipped {
                    message.push_str("\n  ");
                    message.push_str(&left_out_line(s));
                }
            }
            return Err(Fail::new(Code::Conflict, message)
            .hint("rename or remove the existing accounts (`otp rename`, `otp remove`), or fix the names in the file, then import again")
            .into());
        }
        let duplicates = actions.iter().filter(|a| matches!(a, Action::Duplicate { .. })).count();
        let adds = !dry_run && actions.contains(&Action::Add);
        let snapshot = if adds { Some(crate::cmd::backup::snapshot(ctx, vault, unlocked, "import")?) } else { None };
        let added = actions.iter().filter(|a| **a == Action::Add).count();
        let mut names = Vec::new();
        if !dry_run {
            let mut ids = vault.new_ids(added, random8).into_iter();
            let at = now();
            for (e, a) in entries.into_iter().zip(actions) {
                if a == Action::Add
                    && let Some(id) = ids.next()
                {
                    names.push(format!("Added {} ({id})", sanitize(&e.label())));
                    vault.accounts.push(Account::from_entry(e, id, at));
                }
            }
        }
        Ok((added, names, duplicates, snapshot))
    })?;
    // Each account added is named, as `otp add` names its one; a long
    // import is summed up (`otp list` shows them).
    if names.len() <= NAMED {
        for name in &names {
            term::note(name);
        }
    }
    let verb = if dry_run { "would be added" } else { "added" };
    term::note(&format!(
        "{added} {verb}, {duplicates} duplicates, {} skipped",
        skipped.len()
    ));
    if let Some(p) = snapshot {
        crate::cmd::backup::undo_note(&p);
    }
    left_out(skipped)?;
    Ok(())
}

fn plan_line(e: &Entry, a: &Action) -> String {
    let label = sanitize(&e.label());
    match a {
        Action::Add => format!("add\t{label}"),
        Action::Duplicate { existing } => {
            format!("skip\t{label}\t(duplicate of {})", sanitize(existing))
        }
        Action::Conflict { existing, .. } => {
            format!("conflict\t{label}\t(with {})", sanitize(existing))
        }
    }
}

fn format_by_name(name: &str) -> Result<&'static Format> {
    import::by_name(name).ok_or_else(|| {
        let names: Vec<&str> = import::FORMATS.iter().map(|f| f.name).collect();
        Fail::new(Code::Usage, format!("unknown import format '{name}'"))
            .hint(format!("use one of: auto, {}", names.join(", ")))
            .into()
    })
}

pub(crate) fn read_input(path: &Path) -> Result<Zeroizing<Vec<u8>>> {
    read_input_capped(path, read::MAX_IMPORT)
}

/// A file (or `-`: stdin) read whole, at most `cap` bytes. A file must be a
/// regular file: a FIFO, a device or a folder is refused before anything
/// is read from it (`vault::read`), so `otp import /dev/zero` and a FIFO
/// with no writer end at once.
pub(crate) fn read_input_capped(path: &Path, cap: u64) -> Result<Zeroizing<Vec<u8>>> {
    let too_large = || {
        Fail::error(format!(
            "{} is larger than {} MiB; not a file otp can read",
            text::path(path),
            cap >> 20
        ))
    };
    if path == Path::new("-") {
        let mut data = Zeroizing::new(Vec::new());
        std::io::stdin()
            .take(cap + 1)
            .read_to_end(&mut data)
            .context("cannot read stdin")?;
        if data.len() as u64 > cap {
            return Err(too_large().into());
        }
        return Ok(data);
    }
    read::read_capped(path, cap).map_err(|e| match e {
        read::ReadError::TooLarge(..) => too_large().into(),
        read::ReadError::NotRegular(_) => Fail::error(format!(
            "cannot read {}: {e}",
            text::path(path)
        ))
        .hint(
            "give a regular file, or pipe the data in and name the file `-` (`cmd | otp import -`)",
        )
        .into(),
        read::ReadError::Io(e) => {
            anyhow::Error::from(e).context(format!("cannot read {}", text::path(path)))
        }
    })
}

/// One file's accounts; migration batches are kept apart to be grouped
/// with the other files' (see `import_paths`).
enum FileImport {
    Parsed(Parsed),
    Scanned(import::migration_text::Scanned),
}

fn read_one(
    path: &Path,
    forced: Option<&'static Format>,
    password_file: Option<&Path>,
) -> Result<FileImport> {
    let data = read_input(path)?;
    let shown = if path == Path::new("-") {
        "stdin".to_string()
    } else {
        text::path(path)
    };
    let format = match forced.or_else(|| import::detect(&data)) {
        Some(f) => f,
        None => {
            let names: Vec<&str> = import::FORMATS.iter().map(|f| f.name).collect();
            return Err(Fail::error(format!("cannot tell what kind of file {shown} is"))
                .hint(format!("if it is an export from another app, name its format with --format (one of: {})", names.join(", ")))
                .into());
        }
    };
    let interactive = term::stdin_is_tty() && path != Path::new("-");
    let mut passwords = |what: &str| -> Result<Zeroizing<String>, ImportError> {
        if let Some(f) = password_file {
            let text =
                Zeroizing::new(std::fs::read_to_string(f).map_err(|_| ImportError::NeedPassword)?);
            return Ok(Zeroizing::new(
                text.lines().next().unwrap_or("").to_string(),
            ));
        }
        if interactive {
            let prompt = if what.is_empty() {
                format!("Password for {shown}: ")
            } else {
                format!("Password for {shown} ({what}): ")
            };
            return term::prompt_hidden(&prompt).map_err(|_| ImportError::NeedPassword);
        }
        Err(ImportError::NeedPassword)
    };
    if let Some(f) = password_file {
        std::fs::metadata(f)
            .with_context(|| format!("cannot read the password file {}", text::path(f)))?;
    }
    let result = match format.name {
        "qr-image" => import::qr_image::scan(&data).map(FileImport::Scanned),
        "google-migration" => import::migration_text::scan(&data).map(FileImport::Scanned),
        _ => (format.parse)(&data, &mut passwords).map(FileImport::Parsed),
    };
    result.map_err(|e| {
        let fail = match e {
            ImportError::NeedPassword => Fail::error(format!(
                "{shown} ({}) is encrypted and no password was given",
                format.title
            ))
            .hint("pass --password-file F (or run on a terminal to be asked)"),
            ImportError::WrongPassword => Fail::error(format!(
                "wrong password for {shown} ({}); nothing was imported",
                format.title
            )),
            ImportError::Malformed(m) => {
                // `otp add --qr` and `import --format` chose the format: no
                // --format to suggest (`add` has none).
                match forced {
                    Some(_) => {
                        Fail::error(format!("{shown} is not a valid {} file: {m}", format.title))
                    }
                    None => {
                        Fail::error(format!("{shown} is not a valid {} file: {m}", format.title))
                            .hint("if it is another kind of file, name its format with --format")
                    }
                }
            }
            ImportError::Unsupported(m) => Fail::error(format!("{shown} ({}): {m}", format.title)),
        };
        anyhow::Error::from(fail)
    })
}
