//! `otp code`: the everyday command. TOTP and Steam read the vault without
//! the lock and parse only the chosen account; HOTP takes the lock and saves
//! the advanced counter before the code is printed.

use anyhow::{Context, Result};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::cli::CodeArgs;
use crate::clipboard::{self, Copier};
use crate::cmd::{Ctx, now, out};
use crate::error::{Code, Fail};
use crate::model::Vault;
use crate::model::{Account, Kind, Token};
use crate::term;
use crate::text;
use crate::vault::checked;
use crate::vault::keys::{self, Unlocked};

pub fn run(ctx: &Ctx, args: CodeArgs) -> Result<()> {
    let at = args.at.as_deref().map(parse_time).transpose()?;
    // Decided (and the serving child started) before the vault is read, so a
    // missing clipboard fails before a HOTP counter moves.
    let copier = if args.copy {
        Some(Copier::prepare(
            ctx.config.clipboard,
            ctx.config.clipboard_clear_seconds,
        )?)
    } else {
        None
    };
    let (account, unlocked) = find(ctx, &args.query)?;
    give(ctx, &unlocked, account, &args, at, copier)
}

/// The code of `account` (found and unlocked with `unlocked`) to stdout or,
/// with a `copier`, to the clipboard, as `args` say: HOTP advances and
/// saves the counter first. `otp pick` ends here too.
pub fn give(
    ctx: &Ctx,
    unlocked: &Unlocked,
    account: Account,
    args: &CodeArgs,
    at: Option<u64>,
    copier: Option<Copier>,
) -> Result<()> {
    if account.kind == Kind::Hotp {
        if args.at.is_some() || args.next || args.wait {
            return Err(Fail::new(
                Code::Usage,
                "--at, --next and --wait apply to time-based accounts; this one is HOTP",
            )
            .into());
        }
        // The counter is saved before the code leaves the process (the
        // contract): a code that was shown is never shown again, even if
        // the save is lost. So that a code is not burnt unseen, nothing
        // moves when nobody reads stdout, and a code that cannot be written
        // after the save is an error that says so.
        if copier.is_none()
            && let Some(why) = term::stdout_goes_nowhere()
        {
            return Err(Fail::error(format!(
                "{why}, so no HOTP code was made; the counter was not advanced"
            ))
            .hint("print it to a terminal, a pipe or a file, or use --copy")
            .into());
        }
        let (account, code) = next_hotp(ctx, unlocked, &account.id)?;
        const BURNT: &str =
            "the HOTP counter was already advanced; the next `otp code` gives a new code";
        if let Some(copier) = copier {
            return copy(ctx, copier, &account, &code).map_err(|e| e.context(BURNT));
        }
        return print(&account, &code, None, args.json, true).map_err(|e| e.context(BURNT));
    }
    let token = account.token();
    let mut unix = at.unwrap_or_else(|| now().unix_timestamp().max(0) as u64);
    // A copied code must survive the paste: --copy waits like --wait.
    if (args.wait || (args.copy && !args.next))
        && let Some(left) = wait_for_fresh(&token, unix, ctx.config.min_remaining_seconds)
    {
        if at.is_some() {
            // A given time: the fresh code is the next period's.
            unix = after_period(unix, left)?;
        } else {
            term::note(&format!(
                "only {left} s left for this code; waiting for the next one"
            ));
            std::thread::sleep(std::time::Duration::from_secs(left));
            unix = now().unix_timestamp().max(0) as u64;
        }
    }
    let mut remaining = crate::otp::remaining(&token, unix);
    let mut step = crate::otp::counter_at(&token, unix);
    if args.next {
        // The next code becomes valid when this one expires, and lasts a period more.
        step = crate::otp::counter_at(&token, after_period(unix, remaining)?);
        remaining = remaining.saturating_add(token.period);
    }
    let code = crate::otp::generate_at_counter(&token, step);
    if let Some(copier) = copier {
        return copy(ctx, copier, &account, &code);
    }
    print(&account, &code, Some(remaining), args.json, false)
}

/// The first second of the next period, `left` seconds after `unix`; an
/// error past the last second otp can count (u64 unix seconds), where a
/// wrapped sum would give a code from 1970.
fn after_period(unix: u64, left: u64) -> Result<u64> {
    unix.checked_add(left).ok_or_else(|| {
        Fail::new(
            Code::Usage,
            format!("there is no code after {unix}: the next period starts past the last second otp can count ({})", u64::MAX),
        )
        .hint("give an earlier --at")
        .into()
    })
}

/// Seconds to wait for a code that lives at least `min_remaining` seconds
/// (capped at one period), or None when the current one does.
pub fn wait_for_fresh(token: &Token, unix: u64, min_remaining: u64) -> Option<u64> {
    let left = crate::otp::remaining(token, unix);
    (left < min_remaining.min(token.period)).then_some(left)
}

fn copy(ctx: &Ctx, copier: Copier, account: &Account, code: &str) -> Result<()> {
    let how = copier.copy(code)?;
    term::note(&clipboard::copied_message(
        &text::sanitize(&account.label()),
        &how,
        ctx.config.clipboard_clear_seconds,
    ));
    Ok(())
}

/// The account QUERY selects, by the fast path when the vault allows it:
/// the vault is scanned and its tag computed as it is decrypted, one piece
/// at a time, and only the chosen account is parsed (see
/// `checked::find_recorded`).
fn find(ctx: &Ctx, query: &str) -> Result<(Account, Unlocked)> {
    let file = ctx.open_vault_file()?;
    let (mut unlocked, agent_lost) = ctx.unlock_fast()?;
    let (stream, size) = match Ctx::decrypting(file, &unlocked) {
        // The agent did not hold this vault's key after all: the usual way.
        Err(_) if agent_lost.is_some_and(|lost| lost.get()) => {
            unlocked = ctx.unlock()?;
            Ctx::decrypting(ctx.open_vault_file()?, &unlocked)?
        }
        other => other?,
    };
    // Only the version this machine's record names answers here.
    let record = ctx.read_record();
    if let Some(account) =
        checked::find_recorded(stream, size, query, record.as_ref()).map_err(keys::damaged)?
    {
        return Ok((account, unlocked));
    }
    // No single match, a text not in otp's own layout, or a vault that is
    // not the recorded version: the full parse (same key, no second prompt)
    // reports damage, checks the vault against the record (refuses, warns
    // or moves the record), words a miss or answers.
    let text = Ctx::plaintext_of(ctx.open_vault_file()?, &unlocked)?;
    let vault = Vault::parse(&text)?;
    ctx.vet_local(&text, &vault, crate::cmd::Open::Read)?;
    let i = vault.find(query)?;
    Ok((vault.accounts[i].clone(), unlocked))
}

/// Advances and saves the HOTP counter, then returns the code for the old value.
/// The key is the one `find` unlocked: a passphrase is asked once.
fn next_hotp(ctx: &Ctx, unlocked: &Unlocked, id: &str) -> Result<(Account, String)> {
    ctx.update_with(unlocked, |vault, _| {
        let i = vault.find(id)?;
        let a = &mut vault.accounts[i];
        let code = crate::otp::generate(&a.token(), 0);
        a.counter = a
            .counter
            .checked_add(1)
            .ok_or_else(|| Fail::error("the HOTP counter is at its maximum"))?;
        a.updated = now();
        Ok((a.clone(), code))
    })
}

/// Prints the code. `strict`: a closed pipe is an error too (a HOTP code
/// nobody saw), not the quiet success it is for `otp list | head`.
fn print(a: &Account, code: &str, remaining: Option<u64>, json: bool, strict: bool) -> Result<()> {
    let text = if json {
        let value = serde_json::json!({
            "id": a.id, "issuer": a.issuer, "name": a.name, "code": code, "remaining": remaining,
        });
        format!("{}\n", text::json_safe(&value.to_string()))
    } else {
        format!("{code}\n")
    };
    if strict {
        return crate::cmd::write_stdout(&text).context("cannot write the code to stdout");
    }
    out(&text)
}

/// `--at`: unix seconds or RFC 3339.
pub fn parse_time(text: &str) -> Result<u64> {
    if let Ok(secs) = text.parse::<u64>() {
        return Ok(secs);
    }
    let t = OffsetDateTime::parse(text, &Rfc3339).map_err(|_| {
        Fail::new(Code::Usage, format!("'{text}' is not a time"))
            .hint("use unix seconds (1700000000) or RFC 3339 (2026-01-01T12:00:00Z)")
    })?;
    u64::try_from(t.unix_timestamp())
        .map_err(|_| Fail::new(Code::Usage, "times before 1970 have no TOTP code").into())
}

#[cfg(test)]
mod tests {
    use super::{parse_time, wait_for_fresh};
    use crate::model::{Secret, Token};

    #[test]
    fn waits_only_when_nearly_over() {
        let token = Token::totp(Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap());
        // Period 30: at ...000 a new period starts (30 s left); at ...028, 2 s left.
        assert_eq!(wait_for_fresh(&token, 1_257_894_000, 5), None);
        assert_eq!(wait_for_fresh(&token, 1_257_894_025, 5), None);
        assert_eq!(wait_for_fresh(&token, 1_257_894_026, 5), Some(4));
        assert_eq!(wait_for_fresh(&token, 1_257_894_029, 5), Some(1));
        assert_eq!(wait_for_fresh(&token, 1_257_894_029, 0), None);
        // A minimum beyond the period means "a whole fresh period".
        assert_eq!(wait_for_fresh(&token, 1_257_894_000, 99), None);
        assert_eq!(wait_for_fresh(&token, 1_257_894_001, 99), Some(29));
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("59").unwrap(), 59);
        assert_eq!(parse_time("2009-11-10T23:00:00Z").unwrap(), 1_257_894_000);
        assert_eq!(
            parse_time("2009-11-11T00:00:00+01:00").unwrap(),
            1_257_894_000
        );
        assert!(parse_time("yesterday").is_err());
        assert!(parse_time("1969-12-31T23:59:59Z").is_err());
    }
}
