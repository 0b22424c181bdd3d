//! The command layer: one file per subcommand, each a short `run`, and
//! where a passphrase comes from (`passphrase`). It reads the clock, the
//! environment and the terminal (through `term`), opens and saves the vault
//! through `vault`, and hands pure modules plain values.

pub mod add;
pub mod backup;
pub mod code;
pub mod completions;
mod ctx;
pub mod drill;
pub mod export;
pub mod export_sheet;
pub mod import;
pub mod init;
pub mod list;
pub mod passphrase;
pub mod passwd;
pub mod pick;
pub mod recipients;
pub mod recover;
pub mod recovery_codes;
pub mod recovery_key;
pub mod remove;
pub mod rename;
pub mod show;
pub mod status;
pub mod sync;
pub mod trash;
pub mod trust;
pub mod unlock;
mod write;

pub use ctx::Ctx;
pub use trust::Open;
pub use write::{After, Locked};

use anyhow::{Context, Result};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::cli::{Cli, Command, Global};
use crate::error::Fail;

/// Runs one parsed command line.
/// `otp` alone in a script prints the usage; with no vault yet, a new user
/// first reads what to do (`otp init`) instead of 48 lines of help.
pub fn note_no_vault(command: &clap::Command) {
    use clap::FromArgMatches;
    let Ok(matches) = command
        .clone()
        .subcommand_required(false)
        .arg_required_else_help(false)
        .try_get_matches()
    else {
        return;
    };
    let Ok(global) = Global::from_arg_matches(&matches) else {
        return;
    };
    if let Ok(ctx) = Ctx::new(global)
        && !ctx.vault_path.exists()
    {
        crate::term::note(&format!(
            "no vault yet: `otp init` makes one at {} (or `otp recover BACKUP` restores one)",
            ctx.vault_path.display()
        ));
    }
}

pub fn run(cli: Cli) -> Result<()> {
    // Generating completions needs no config (a typo in it must not keep a
    // shell from completing): it runs before the config is read.
    let command = match cli.command {
        Command::Completions(args) => return completions::run(args),
        command => command,
    };
    let mut ctx = Ctx::new(cli.global)?;
    ctx.operation = operation(&command);
    match command {
        Command::Init(args) => init::run(&ctx, args),
        Command::Add(args) => add::run(&ctx, args),
        Command::List(args) => list::run(&ctx, args),
        Command::Code(args) => code::run(&ctx, args),
        Command::Pick(args) => pick::run(&ctx, args),
        Command::Show(args) => show::run(&ctx, args),
        Command::Rename(args) => rename::run(&ctx, args),
        Command::Remove(args) => remove::run(&ctx, args),
        Command::Trash(args) => trash::run(&ctx, args),
        Command::Import(args) => import::run(&ctx, args),
        Command::Status(args) => status::run(&ctx, args),
        Command::Completions(args) => completions::run(args),
        Command::Passwd(args) => passwd::run(&ctx, args),
        Command::RecoveryKey(cmd) => recovery_key::run(&ctx, cmd),
        Command::Recipients(cmd) => recipients::run(&ctx, cmd),
        Command::RecoveryCodes(cmd) => recovery_codes::run(&ctx, cmd),
        Command::Export(args) => export::run(&ctx, args),
        Command::Recover(args) => recover::run(&ctx, args),
        Command::Backup(args) => backup::run(&ctx, args),
        Command::Drill(args) => drill::run(&ctx, args),
        Command::Sync(args) => sync::run(&ctx, args),
        Command::Unlock(args) => unlock::run(&ctx, args),
        Command::Lock => unlock::lock(&ctx),
    }
}

/// The command's name, for `otp sync`'s commit messages (which never name
/// an account).
fn operation(command: &Command) -> &'static str {
    match command {
        Command::Add(_) => "add",
        Command::Rename(_) => "rename",
        Command::Remove(_) => "remove",
        Command::Trash(_) => "trash",
        Command::Import(_) => "import",
        Command::Recover(_) => "recover",
        Command::Passwd(_) => "passwd",
        Command::RecoveryKey(_) => "recovery-key",
        Command::Recipients(_) => "recipients",
        Command::RecoveryCodes(_) => "recovery-codes",
        Command::Sync(_) => "sync",
        Command::Code(_) | Command::Pick(_) => "code",
        _ => "change",
    }
}

/// `otp code`, parsed by [`crate::cli::CodeCli`] (the start-up fast path).
pub fn run_code(global: Global, args: crate::cli::CodeArgs) -> Result<()> {
    let mut ctx = Ctx::new(global)?;
    ctx.operation = "code";
    code::run(&ctx, args)
}

/// A decrypted vault as text: the bytes move into the String (no second
/// copy of the secrets); bytes that are not UTF-8 are wiped before the
/// error is returned (the error must not carry them away unwiped).
pub fn vault_text(mut plain: Zeroizing<Vec<u8>>) -> Result<Zeroizing<String>> {
    let text = String::from_utf8(std::mem::take(&mut *plain)).map_err(|e| {
        zeroize::Zeroize::zeroize(&mut e.into_bytes());
        Fail::error("the vault decrypted but is not UTF-8 text")
            .hint("restore it with `otp recover BACKUP`")
    })?;
    Ok(Zeroizing::new(text))
}

/// The current time, to the second: the one clock read of a command.
pub fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(0).unwrap_or(t)
}

/// Eight random bytes for account ids.
pub fn random8() -> [u8; 8] {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("the OS random source is available");
    b
}

/// Sixteen random bytes for a vault id.
pub fn random16() -> [u8; 16] {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the OS random source is available");
    b
}

/// Thirty-two random bytes for an authentication key.
pub fn random32() -> [u8; 32] {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).expect("the OS random source is available");
    b
}

/// Writes to stdout, treating a closed pipe (`otp list | head`) as success.
pub fn out(text: &str) -> Result<()> {
    match write_stdout(text) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to stdout"),
    }
}

/// Writes to stdout and flushes; every failure is reported.
pub fn write_stdout(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
}
