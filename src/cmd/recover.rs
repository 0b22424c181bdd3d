//! `otp recover BACKUP`: restore a backup without ever clobbering an account.
//!
//! Reads our backups and snapshots (age, armored or binary, and plain vault
//! copies), our JSON exports and otpauth URI lists. Into an existing vault:
//! the "no existing account" check of [`restore::plan`]; any conflict
//! refuses the whole restore (exit 5) unless `--skip-existing`, and a
//! safety-net snapshot is taken before anything is added. A snapshot whose
//! command was the last change to the vault is undone exactly. With no
//! vault (the lost-laptop case) it creates one: from a passphrase key file
//! found beside the backup (or given with `--identity`), from an identity,
//! or like `otp init` for plaintext sources.

use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use anyhow::{Context, Result};
use zeroize::Zeroizing;

use crate::cli::RecoverArgs;
use crate::cmd::backup::{self, snapshot, undo_note};
use crate::cmd::{Ctx, import::read_input, init, now, out, random8};
use crate::error::{Code, Fail};
use crate::export::backup::{Meta, parse as parse_backup};
use crate::export::restore::{self, Decision, Why, plausible_id};
use crate::import::{self, ImportError, otp_json, uri_list};
use crate::model::Account;
use crate::term::{self, sanitize};
use crate::vault::keys;
use crate::vault::{Trashed, Vault, store};

/// What the file holds, and the key that opened it.
struct Source {
    meta: Option<Meta>,
    accounts: Vec<Account>,
    trash: Vec<Trashed>,
    recipients: Vec<String>,
    changes: u64,
    key: Key,
}

enum Key {
    /// A JSON export or URI list: nothing to open.
    Plain,
    /// Opened with the existing vault's keys.
    Vault,
    /// `--identity` (identity file or SSH key) and its recipients.
    Identity(PathBuf, Vec<String>),
    /// A passphrase-protected key file (`vault.identity.age`): its bytes.
    Passphrase {
        bytes: Vec<u8>,
        recipients: Vec<String>,
    },
}

pub fn run(ctx: &Ctx, args: RecoverArgs) -> Result<()> {
    let data = read_input(&args.backup)?;
    let exists = ctx.vault_path.exists();
    let source = read_source(ctx, &args.backup, &data, exists)?;
    if exists {
        into_vault(ctx, &args, source)
    } else {
        onto_new_machine(ctx, &args, source)
    }
}

fn read_source(ctx: &Ctx, path: &Path, data: &[u8], exists: bool) -> Result<Source> {
    let shown = path.display().to_string();
    let mut source = if keys::is_age_file(data) {
        let (plain, key) = open(ctx, path, data, exists)?;
        let text = std::str::from_utf8(&plain)
            .map_err(|_| Fail::error(format!("{shown} decrypted, but it is not an otp backup")))?;
        let c = parse_backup(text)?;
        Source {
            meta: c.meta,
            accounts: c.accounts,
            trash: c.trash,
            recipients: c.recipients,
            changes: c.changes,
            key,
        }
    } else {
        let accounts = read_plain(data, &shown)?;
        Source {
            meta: None,
            accounts,
            trash: Vec::new(),
            recipients: Vec::new(),
            changes: 0,
            key: Key::Plain,
        }
    };
    source.accounts.retain(|a| match a.token().validate() {
        Ok(()) => true,
        Err(e) => {
            term::warn(&format!("skipped {}: {e}", sanitize(&a.label())));
            false
        }
    });
    Ok(source)
}

/// Our JSON export or a URI list.
fn read_plain(data: &[u8], shown: &str) -> Result<Vec<Account>> {
    let fail = |e: ImportError| Fail::error(format!("{shown}: {e}"));
    match import::detect(data).map(|f| f.name) {
        Some("otp-json") => Ok(otp_json::parse_accounts(data).map_err(fail)?),
        Some("uris") => {
            let mut no_passwords = |_: &str| Err(ImportError::NeedPassword);
            let parsed = (uri_list::FORMAT.parse)(data, &mut no_passwords).map_err(fail)?;
            for s in &parsed.skipped {
                term::warn(&format!("skipped {}: {}", sanitize(&s.label), s.reason));
            }
            let at = now();
            Ok(parsed
                .entries
                .into_iter()
                .map(|e| Account::from_entry(e, String::new(), at))
                .collect())
        }
        _ => Err(Fail::error(format!(
            "{shown} is not an otp backup, otp JSON export or otpauth URI list"
        ))
        .hint("for other apps' exports use `otp import FILE`")
        .into()),
    }
}

/// Decrypts a backup: `--identity` first; else the vault's own keys; else
/// (or when those do not fit) a key file found beside the backup.
fn open(ctx: &Ctx, path: &Path, data: &[u8], exists: bool) -> Result<(Zeroizing<Vec<u8>>, Key)> {
    if let Some(id) = &ctx.global.identity {
        let raw = std::fs::read(id)
            .with_context(|| format!("cannot read the identity file {}", id.display()))?;
        if keys::is_age_file(&raw) {
            let (pass, _) = ctx
                .passphrases()
                .get(&format!("passphrase for {}", id.display()))?;
            return with_key_file(data, id, raw, pass);
        }
        let unlocked = keys::load_identity_file(id, &ctx.passphrases())?;
        let plain = keys::decrypt(data, &unlocked.identities)?;
        return Ok((plain, Key::Identity(id.clone(), unlocked.recipients)));
    }
    let mut error = None;
    let own_key = std::fs::read(ctx.key_file()).ok();
    if exists {
        let unlocked = ctx.unlock()?;
        match keys::decrypt(data, &unlocked.identities) {
            Ok(plain) => return Ok((plain, Key::Vault)),
            Err(e) => error = Some(e),
        }
    }
    let mut pass: Option<SecretString> = None;
    for candidate in key_files_beside(path) {
        let Ok(raw) = std::fs::read(&candidate) else {
            continue;
        };
        if exists && own_key.as_deref() == Some(&raw[..]) {
            continue; // the vault's own key, tried above
        }
        let p = match &pass {
            Some(p) => p.clone(),
            None => {
                let (p, _) = ctx
                    .passphrases()
                    .get(&format!("passphrase for {}", candidate.display()))?;
                pass = Some(p.clone());
                p
            }
        };
        match with_key_file(data, &candidate, raw, p) {
            Ok(found) => return Ok(found),
            Err(e) => error = Some(e),
        }
    }
    Err(error.unwrap_or_else(|| {
        Fail::error(format!(
            "no key to open {}: there is no vault here yet and no key file (*.identity.age) beside the backup",
            path.display()
        ))
        .hint("pass --identity FILE: your identity file, a recovery key, or the key file vault.identity.age from your backup folder (with its passphrase)")
        .into()
    }))
}

fn with_key_file(
    data: &[u8],
    path: &Path,
    raw: Vec<u8>,
    pass: SecretString,
) -> Result<(Zeroizing<Vec<u8>>, Key)> {
    let inner = keys::decrypt_with_passphrase(&raw, pass)?;
    let unlocked = keys::parse_identity_text(&inner, path)?;
    let plain = keys::decrypt(data, &unlocked.identities)?;
    term::note(&format!(
        "Opened the backup with the key file {}",
        path.display()
    ));
    Ok((
        plain,
        Key::Passphrase {
            bytes: raw,
            recipients: unlocked.recipients,
        },
    ))
}

/// `*.identity.age` files in the backup's folder, `vault.identity.age` first.
fn key_files_beside(backup: &Path) -> Vec<PathBuf> {
    if backup == Path::new("-") {
        return Vec::new();
    }
    let dir = match backup.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".identity.age"))
        })
        .collect();
    found.sort_by_key(|p| {
        (
            p.file_name().and_then(|n| n.to_str()) != Some("vault.identity.age"),
            p.clone(),
        )
    });
    found
}

/// Adds `a`, keeping its id when it is well-formed and free.
fn add_account(vault: &mut Vault, mut a: Account) {
    let taken = |v: &Vault, id: &str| {
        v.accounts.iter().any(|x| x.id == id) || v.trash.iter().any(|t| t.account.id == id)
    };
    if !plausible_id(&a.id) || taken(vault, &a.id) {
        a.id = vault.new_id(random8);
    }
    if a.created == time::OffsetDateTime::UNIX_EPOCH {
        a.created = now();
        a.updated = a.created;
    }
    vault.accounts.push(a);
}

fn plan_line(a: &Account, d: &Decision, skip_existing: bool) -> String {
    let label = sanitize(&a.label());
    match d {
        Decision::Restore => format!("restore\t{label}"),
        Decision::Repeat => format!("repeat\t{label}\t(same as an earlier entry; restored once)"),
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

enum Outcome {
    Merged {
        added: usize,
        kept: usize,
        snapshot: Option<PathBuf>,
    },
    Undone {
        op: String,
        snapshot: Option<PathBuf>,
    },
}

/// A snapshot undoes its command when that command was the vault's last change.
fn is_undo(source: &Source, vault: &Vault, args: &RecoverArgs) -> Option<String> {
    let meta = source.meta.as_ref()?;
    let op = meta.snapshot.clone()?;
    let fits = !args.skip_existing && vault.changes == meta.changes.saturating_add(1);
    if !fits {
        term::note(&format!(
            "This snapshot was taken before `{op}`, but the vault has changed since; restoring it as an ordinary backup."
        ));
        return None;
    }
    Some(op)
}

fn into_vault(ctx: &Ctx, args: &RecoverArgs, source: Source) -> Result<()> {
    let outcome = ctx.update(|vault, _| {
        if let Some(op) = is_undo(&source, vault, args) {
            return undo(ctx, vault, &source, op, args.dry_run);
        }
        let decisions = restore::plan(&vault.accounts, &source.accounts);
        let pairs: Vec<(&Account, &Decision)> = source.accounts.iter().zip(&decisions).collect();
        if args.dry_run {
            let lines: Vec<String> = pairs
                .iter()
                .map(|(a, d)| plan_line(a, d, args.skip_existing) + "\n")
                .collect();
            out(&lines.concat())?;
        }
        let conflicts: Vec<(&Account, &Decision)> = pairs
            .iter()
            .filter(|(_, d)| matches!(d, Decision::Conflict { .. }))
            .copied()
            .collect();
        if !conflicts.is_empty() && !args.skip_existing {
            return Err(conflict_error(&conflicts, &args.backup));
        }
        let adds: Vec<&Account> = pairs
            .iter()
            .filter(|(_, d)| **d == Decision::Restore)
            .map(|(a, _)| *a)
            .collect();
        let (added, kept) = (adds.len(), conflicts.len());
        if args.dry_run || adds.is_empty() {
            return Ok(Outcome::Merged {
                added,
                kept,
                snapshot: None,
            });
        }
        let snap = snapshot(ctx, vault, "recover")?;
        for a in adds {
            add_account(vault, a.clone());
        }
        Ok(Outcome::Merged {
            added,
            kept,
            snapshot: Some(snap),
        })
    })?;
    let would = if args.dry_run { "would be " } else { "" };
    match outcome {
        Outcome::Merged {
            added,
            kept,
            snapshot,
        } => {
            let mut line = format!("{added} account(s) {would}restored");
            if kept > 0 {
                line.push_str(&format!(
                    "; {kept} existing account(s) {}left untouched",
                    if args.dry_run { "would be " } else { "" }
                ));
            }
            if added == 0 && !args.dry_run {
                line = format!("Nothing to restore: {line}");
            }
            term::note(&line);
            if let Some(p) = snapshot {
                undo_note(&p);
            }
        }
        Outcome::Undone { op, snapshot } => {
            term::note(&format!(
                "Undid `{op}`: the vault is {would}back as it was before it."
            ));
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
    source: &Source,
    op: String,
    dry_run: bool,
) -> Result<Outcome> {
    let has = |list: &[Account], id: &str| list.iter().any(|a| a.id == id);
    let mut lines = String::new();
    for a in &vault.accounts {
        if !has(&source.accounts, &a.id) {
            lines.push_str(&format!("remove\t{}\n", sanitize(&a.label())));
        }
    }
    for a in &source.accounts {
        if !has(&vault.accounts, &a.id) {
            lines.push_str(&format!("restore\t{}\n", sanitize(&a.label())));
        }
    }
    if dry_run {
        out(&lines)?;
        return Ok(Outcome::Undone { op, snapshot: None });
    }
    let snap = snapshot(ctx, vault, "undo")?;
    vault.accounts = source.accounts.clone();
    vault.trash = source.trash.clone();
    Ok(Outcome::Undone {
        op,
        snapshot: Some(snap),
    })
}

/// No vault yet: create one holding the backup.
fn onto_new_machine(ctx: &Ctx, args: &RecoverArgs, source: Source) -> Result<()> {
    let decisions = restore::plan(&[], &source.accounts);
    if args.dry_run {
        let lines: Vec<String> = source
            .accounts
            .iter()
            .zip(&decisions)
            .map(|(a, d)| plan_line(a, d, false) + "\n")
            .collect();
        out(&lines.concat())?;
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
                for a in accounts {
                    add_account(vault, a);
                }
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
    let vault = write_new_vault(ctx, key_file, own, &source, accounts)?;
    term::note(&format!(
        "Restored {n} account(s) ({} in the trash) into a new vault at {}",
        vault.trash.len(),
        ctx.vault_path.display()
    ));
    term::note(&format!("Unlock: {how}"));
    backup::after_change(ctx, &vault);
    Ok(())
}

/// Writes the new vault (and the key file of a passphrase vault) in one go,
/// encrypted to the opening key's recipients plus the backup's own.
fn write_new_vault(
    ctx: &Ctx,
    key_file: Option<&[u8]>,
    own: Vec<String>,
    source: &Source,
    accounts: Vec<Account>,
) -> Result<Vault> {
    let _lock = store::lock(
        &ctx.vault_path,
        std::time::Duration::from_secs(ctx.config.lock_timeout_seconds),
    )?;
    if ctx.vault_path.exists() {
        return Err(Fail::error(format!(
            "a vault appeared at {} meanwhile; nothing was restored",
            ctx.vault_path.display()
        ))
        .into());
    }
    let mut recipients: Vec<String> = Vec::new();
    for r in own.iter().chain(&source.recipients) {
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
    vault.changes = source.changes;
    for t in &source.trash {
        vault.trash.push(t.clone());
    }
    for a in accounts {
        add_account(&mut vault, a);
    }
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
    let plain = Zeroizing::new(vault.to_toml());
    let sealed = keys::encrypt(
        plain.as_bytes(),
        &keys::parse_recipients(&vault.recipients)?,
        false,
    )?;
    store::write_new(&ctx.vault_path, &sealed)?;
    Ok(vault)
}
