//! `otp pick` (and `otp` alone on a terminal): unlock once, show the live
//! list (`crate::picker`), then give the chosen account's code exactly as
//! `otp code --copy` (or, with `--print`, `otp code`) would.

use anyhow::Result;

use crate::cli::{CodeArgs, PickArgs};
use crate::clipboard::Copier;
use crate::cmd::{Ctx, code, now};
use crate::error::{Code, Fail};
use crate::picker::{self, Look, Outcome};
use crate::term;

pub fn run(ctx: &Ctx, args: PickArgs) -> Result<()> {
    if std::fs::File::options()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .is_err()
    {
        return Err(
            Fail::new(Code::Usage, "otp pick needs a terminal, and there is none")
                .hint("in a script, use `otp code QUERY` (or `otp list --codes`)")
                .into(),
        );
    }
    // A passphrase is asked here, once, before the list takes the screen.
    let (vault, unlocked) = ctx.load()?;
    if vault.accounts.is_empty() {
        return Err(Fail::error("the vault has no accounts yet, so there is nothing to pick")
            .hint("add one: `otp add NAME --issuer ISSUER`, `otp add --qr IMAGE`, or `otp import FILE`")
            .into());
    }
    let look = Look {
        color: term::tty_color(ctx.global.color),
        print: args.print,
    };
    let clock = || now().unix_timestamp().max(0) as u64;
    let outcome = picker::run(
        &vault.accounts,
        args.query.as_deref().unwrap_or(""),
        look,
        &clock,
    )
    .map_err(|e| Fail::error(format!("the picker stopped: {e}")))?;
    // The terminal is back to normal: from here a signal ends otp as usual.
    picker::tty::default_signals();
    let i = match outcome {
        Outcome::Quit => return Ok(()),
        Outcome::Signal(signal) => picker::tty::die_of(signal),
        Outcome::Chosen(i) => i,
    };
    let account = vault.accounts[i].clone();
    let code_args = CodeArgs {
        query: account.id.clone(),
        copy: !args.print,
        next: false,
        wait: false,
        at: None,
        json: false,
    };
    let copier = if args.print {
        None
    } else {
        Some(Copier::prepare(
            ctx.config.clipboard,
            ctx.config.clipboard_clear_seconds,
        )?)
    };
    code::give(ctx, &unlocked, account, &code_args, None, copier)
}
