//! `otp recovery-codes add | show | use`: the one-time codes a service hands
//! out at 2FA setup, kept encrypted with the account they open, and the
//! "at risk of lockout" rule that `status` and `remove` share.

use std::io::Read;

use anyhow::{Context, Result};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::cli::RecoveryCodesCommand;
use crate::cmd::recipients::device_count;
use crate::cmd::{Ctx, now, out};
use crate::error::Fail;
use crate::model::Vault;
use crate::model::{Account, RecoveryCode};
use crate::term;
use crate::text::sanitize;

pub fn run(ctx: &Ctx, command: RecoveryCodesCommand) -> Result<()> {
    match command {
        RecoveryCodesCommand::Add { query, from } => {
            let text = read_codes(from.as_deref())?;
            add(ctx, &query, &text)
        }
        RecoveryCodesCommand::Show { query } => show(ctx, &query),
        RecoveryCodesCommand::Use { query, code } => mark_used(ctx, &query, &code),
    }
}

fn read_codes(from: Option<&std::path::Path>) -> Result<Zeroizing<String>> {
    let mut text = Zeroizing::new(String::new());
    match from {
        Some(path) if path.as_os_str() != "-" => {
            *text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
        }
        _ => {
            if term::stdin_is_tty() {
                term::note("Paste the recovery codes, one per line, then press Ctrl-D:");
            }
            std::io::stdin()
                .read_to_string(&mut text)
                .context("cannot read the codes from stdin")?;
        }
    }
    Ok(text)
}

/// The codes in `text`: one per line, trimmed, blank lines ignored.
/// Control characters are refused (a code is typed into a web form).
pub fn parse_codes(text: &str) -> Result<Vec<Zeroizing<String>>, Fail> {
    let mut codes = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.trim();
        if code.is_empty() {
            continue;
        }
        if code.chars().any(char::is_control) {
            return Err(Fail::error(format!(
                "line {} holds control characters, not a recovery code; nothing was changed",
                n + 1
            )));
        }
        codes.push(Zeroizing::new(code.to_string()));
    }
    Ok(codes)
}

/// How codes compare: services print "abcd-efgh" or "1234 5678", users type
/// them however they like. (A copy of the code: wiped when dropped.)
fn normalized(code: &str) -> Zeroizing<String> {
    Zeroizing::new(
        code.chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .flat_map(char::to_lowercase)
            .collect(),
    )
}

/// Adds the new codes to `account`; returns (added, duplicates skipped).
pub fn merge(
    account: &mut Account,
    codes: Vec<Zeroizing<String>>,
    at: OffsetDateTime,
) -> (usize, usize) {
    let (mut added, mut skipped) = (0, 0);
    for code in codes {
        let n = normalized(&code);
        if account
            .recovery_codes
            .iter()
            .any(|c| normalized(&c.code) == n)
        {
            skipped += 1;
        } else {
            account.recovery_codes.push(RecoveryCode {
                code,
                added: at,
                used: None,
            });
            added += 1;
        }
    }
    (added, skipped)
}

fn add(ctx: &Ctx, query: &str, text: &str) -> Result<()> {
    let codes = parse_codes(text)?;
    if codes.is_empty() {
        return Err(
            Fail::error("no recovery codes were given; nothing was changed")
                .hint("one code per line, on stdin or with --from FILE")
                .into(),
        );
    }
    let (label, added, skipped, unused) = ctx.update(|vault, _| {
        let i = vault.find(query)?;
        let account = &mut vault.accounts[i];
        let (added, skipped) = merge(account, codes, now());
        Ok((account.label(), added, skipped, unused_count(account)))
    })?;
    let mut message = format!(
        "Added {added} recovery code{} to {}",
        plural(added),
        sanitize(&label)
    );
    if skipped > 0 {
        message.push_str(&format!(" ({skipped} already stored, skipped)"));
    }
    term::note(&format!("{message}; {unused} unused."));
    Ok(())
}

fn show(ctx: &Ctx, query: &str) -> Result<()> {
    let (vault, _) = ctx.load()?;
    let account = &vault.accounts[vault.find(query)?];
    let label = sanitize(&account.label());
    if account.recovery_codes.is_empty() {
        term::note(&format!(
            "{label} has no recovery codes stored; add them with `otp recovery-codes add {}`",
            account.id
        ));
        return Ok(());
    }
    let mut text = String::new();
    for c in &account.recovery_codes {
        text.push_str(&sanitize(&c.code));
        if let Some(used) = c.used {
            text.push_str(&format!("\tused {}", date(used)));
        }
        text.push('\n');
    }
    out(&text)?;
    term::note(&format!(
        "{label}: {} of {} unused",
        unused_count(account),
        account.recovery_codes.len()
    ));
    Ok(())
}

fn mark_used(ctx: &Ctx, query: &str, code: &str) -> Result<()> {
    let wanted = normalized(code);
    if wanted.is_empty() {
        return Err(Fail::error("the code is empty").into());
    }
    let (label, left) = ctx.update(|vault, _| {
        let i = vault.find(query)?;
        let account = &mut vault.accounts[i];
        let label = sanitize(&account.label());
        let stored = account
            .recovery_codes
            .iter_mut()
            .find(|c| normalized(&c.code) == wanted)
            .ok_or_else(|| {
                Fail::error(format!(
                    "that code is not one of {label}'s recovery codes; nothing was changed"
                ))
                .hint(format!(
                    "`otp recovery-codes show {}` lists them",
                    sanitize(query)
                ))
            })?;
        if let Some(used) = stored.used {
            return Err(Fail::error(format!(
                "that code of {label} was already used on {}; nothing was changed",
                date(used)
            ))
            .into());
        }
        stored.used = Some(now());
        Ok((label, unused_count(account)))
    })?;
    term::note(&format!(
        "Marked the code as used; {label} has {left} unused recovery code{} left.",
        plural(left)
    ));
    if left <= 2 {
        term::warn(&format!(
            "few recovery codes left for {label}: generate new ones at the service and add them with `otp recovery-codes add`"
        ));
    }
    Ok(())
}

fn unused_count(account: &Account) -> usize {
    account
        .recovery_codes
        .iter()
        .filter(|c| c.used.is_none())
        .count()
}

fn date(t: OffsetDateTime) -> String {
    let d = t.date();
    format!("{}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Accounts with no second way in: no unused recovery code, and a vault
/// that opens on one device only (the recovery key does not count: it is
/// for the vault, not a device that holds it).
pub fn at_risk(vault: &Vault) -> Vec<&Account> {
    if device_count(vault) >= 2 {
        return Vec::new();
    }
    vault
        .accounts
        .iter()
        .filter(|a| unused_count(a) == 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Entry, Secret, Token};
    use proptest::prelude::*;

    fn account() -> Account {
        let token = Token::totp(Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap());
        Account::from_entry(
            Entry::new("GitHub", "alice", token),
            "aaaa1111".into(),
            OffsetDateTime::UNIX_EPOCH,
        )
    }

    #[test]
    fn blank_lines_are_ignored_and_duplicates_skipped() {
        let mut a = account();
        let codes = parse_codes("\n abcd-efgh \n\n1234 5678\nABCDEFGH\n").unwrap();
        let shown: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
        assert_eq!(shown, ["abcd-efgh", "1234 5678", "ABCDEFGH"]);
        assert_eq!(merge(&mut a, codes, OffsetDateTime::UNIX_EPOCH), (2, 1));
        let again = parse_codes("12345678\nnew-one").unwrap();
        assert_eq!(merge(&mut a, again, OffsetDateTime::UNIX_EPOCH), (1, 1));
        assert_eq!(a.recovery_codes.len(), 3);
    }

    #[test]
    fn control_characters_are_refused() {
        assert!(parse_codes("abc\x1b[2J\n").is_err());
    }

    #[test]
    fn at_risk_unless_codes_or_second_device() {
        let mut v = Vault::new(vec!["age1one".into()]);
        v.accounts.push(account());
        assert_eq!(at_risk(&v).len(), 1);
        merge(
            &mut v.accounts[0],
            vec![Zeroizing::new("x".into())],
            OffsetDateTime::UNIX_EPOCH,
        );
        assert!(at_risk(&v).is_empty());
        v.accounts[0].recovery_codes[0].used = Some(OffsetDateTime::UNIX_EPOCH);
        assert_eq!(at_risk(&v).len(), 1);
        // A recovery key is not a second device...
        v.recipients.push("age1rec".into());
        v.roles.recovery = Some("age1rec".into());
        assert_eq!(at_risk(&v).len(), 1);
        // ...another device's key is.
        v.recipients.push("age1two".into());
        assert!(at_risk(&v).is_empty());
    }

    #[test]
    fn dates_are_plain() {
        assert_eq!(date(OffsetDateTime::UNIX_EPOCH), "1970-01-01");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]
        #[test]
        fn parsing_never_panics(s in any::<String>()) {
            if let Ok(codes) = parse_codes(&s) {
                prop_assert!(codes.iter().all(|c| !c.is_empty() && c.trim() == c.as_str()));
            }
        }
    }
}
