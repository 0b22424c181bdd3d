//! `otp code`: the everyday command. TOTP and Steam read the vault without
//! the lock and parse only the chosen account; HOTP takes the lock and saves
//! the advanced counter before the code is printed.

use anyhow::Result;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::cli::CodeArgs;
use crate::cmd::{Ctx, now, out};
use crate::error::{Code, Fail};
use crate::model::{Account, Kind};
use crate::term;
use crate::vault::Vault;
use crate::vault::index::{self, Lookup};

pub fn run(ctx: &Ctx, args: CodeArgs) -> Result<()> {
    let at = args.at.as_deref().map(parse_time).transpose()?;
    let account = find(ctx, &args.query)?;
    if account.kind == Kind::Hotp {
        if args.at.is_some() || args.next || args.wait {
            return Err(Fail::new(
                Code::Usage,
                "--at, --next and --wait apply to time-based accounts; this one is HOTP",
            )
            .into());
        }
        if args.copy {
            return Err(Fail::error("--copy is not available in this build").into());
        }
        let (account, code) = next_hotp(ctx, &account.id)?;
        return print(&account, &code, None, args.json);
    }
    if args.copy {
        return Err(Fail::error("--copy is not available in this build").into());
    }
    let token = account.token();
    let mut unix = at.unwrap_or_else(|| now().unix_timestamp().max(0) as u64);
    if args.wait && at.is_none() {
        let left = crate::otp::remaining(&token, unix);
        if left < ctx.config.min_remaining_seconds.min(token.period) {
            term::note(&format!("waiting {left} s for a fresh code"));
            std::thread::sleep(std::time::Duration::from_secs(left));
            unix = now().unix_timestamp().max(0) as u64;
        }
    }
    let mut remaining = crate::otp::remaining(&token, unix);
    let mut step = crate::otp::counter_at(&token, unix);
    if args.next {
        // The next code becomes valid when this one expires, and lasts a period more.
        step = step.saturating_add(1);
        remaining = remaining.saturating_add(token.period);
    }
    let code = crate::otp::generate_at_counter(&token, step);
    print(&account, &code, Some(remaining), args.json)
}

/// The account QUERY selects, by the fast path when the vault allows it.
fn find(ctx: &Ctx, query: &str) -> Result<Account> {
    let (text, _) = ctx.read_plaintext()?;
    match index::find(&text, query) {
        Lookup::Found(a) => Ok(*a),
        Lookup::Refused(fail) => Err(fail.into()),
        Lookup::Fallback => {
            let vault = Vault::parse(&text)?;
            let i = vault.find(query)?;
            Ok(vault.accounts[i].clone())
        }
    }
}

/// Advances and saves the HOTP counter, then returns the code for the old value.
fn next_hotp(ctx: &Ctx, id: &str) -> Result<(Account, String)> {
    ctx.update(|vault, _| {
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

fn print(a: &Account, code: &str, remaining: Option<u64>, json: bool) -> Result<()> {
    if json {
        let value = serde_json::json!({
            "id": a.id, "issuer": a.issuer, "name": a.name, "code": code, "remaining": remaining,
        });
        return out(&format!("{value}\n"));
    }
    out(&format!("{code}\n"))
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
    use super::parse_time;

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
