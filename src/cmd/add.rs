//! `otp add`: one account from a URI, a secret (flag, stdin or prompt), or
//! every account in a QR image or on the screen.

use std::io::Read;

use anyhow::{Context, Result};
use zeroize::Zeroizing;

use crate::cli::{AddArgs, AlgorithmArg};
use crate::cmd::{Ctx, import, now, random8};
use crate::error::{Code, Fail};
use crate::import::plan::{Action, plan};
use crate::model::{Account, Algorithm, Entry, Kind, STEAM_DIGITS, Secret, Token};
use crate::term;
use crate::text::sanitize;

pub fn run(ctx: &Ctx, args: AddArgs) -> Result<()> {
    if let Some(image) = &args.qr {
        reject_parameters(&args, "--qr")?;
        return import::import_paths(
            ctx,
            std::slice::from_ref(image),
            Some("qr-image"),
            None,
            false,
        );
    }
    if args.screen {
        reject_parameters(&args, "--screen")?;
        return import::import_screen(ctx, false);
    }
    let stdin_uri;
    let uri = if args.uri_stdin {
        stdin_uri = read_uri()?;
        Some((stdin_uri.as_str(), "--uri-stdin"))
    } else {
        args.uri.as_deref().map(|u| (u, "--uri"))
    };
    let entry = if let Some((uri, flag)) = uri {
        reject_parameters(&args, flag)?;
        let mut e =
            crate::uri::parse(uri).map_err(|e| Fail::error(format!("invalid otpauth URI: {e}")))?;
        if let Some(name) = &args.name {
            e.name = name.clone();
        }
        if let Some(issuer) = &args.issuer {
            e.issuer = issuer.clone();
        }
        e.note = args.note.clone();
        e
    } else {
        let secret = read_secret(&args)?;
        entry_from_flags(&args, secret)?
    };
    // The message is printed only once the vault is saved.
    let message = ctx.update(|vault, _| {
        match plan(&vault.accounts, std::slice::from_ref(&entry)).remove(0) {
            Action::Add => {
                let id = vault.new_id(random8);
                let message = format!("Added {} ({id})", sanitize(&entry.label()));
                vault.accounts.push(Account::from_entry(entry, id, now()));
                Ok(message)
            }
            Action::Duplicate { existing } => Ok(format!(
                "Already in the vault as {}; nothing added",
                sanitize(&existing)
            )),
            Action::Conflict { existing, existing_id } => Err(Fail::new(
                Code::Conflict,
                format!(
                    "an account named {} ({}) already exists with a different secret; nothing was added",
                    sanitize(&existing),
                    existing_id.unwrap_or_default()
                ),
            )
            .hint("choose another NAME or --issuer, or rename/remove the existing account first")
            .into()),
        }
    })?;
    term::note(&message);
    Ok(())
}

/// With --uri, --qr or --screen the parameters come from the source; a flag
/// that would be silently ignored is an error instead.
fn reject_parameters(args: &AddArgs, source: &str) -> Result<()> {
    let given = [
        (args.hotp, "--hotp"),
        (args.steam, "--steam"),
        (args.counter.is_some(), "--counter"),
        (args.algorithm.is_some(), "--algorithm"),
        (args.digits.is_some(), "--digits"),
        (args.period.is_some(), "--period"),
    ];
    if let Some((_, flag)) = given.iter().find(|(on, _)| *on) {
        return Err(Fail::new(
            Code::Usage,
            format!(
                "{flag} cannot be combined with {source}: the {} carries the parameters",
                source.trim_start_matches("--").trim_end_matches("-stdin")
            ),
        )
        .into());
    }
    if !source.starts_with("--uri") && (args.name.is_some() || args.issuer.is_some()) {
        let what = if source == "--qr" {
            "an image"
        } else {
            "the screen"
        };
        return Err(Fail::new(
            Code::Usage,
            format!(
                "NAME and --issuer cannot be combined with {source} ({what} may hold many accounts)"
            ),
        )
        .into());
    }
    Ok(())
}

/// `--uri-stdin`: exactly one otpauth:// URI (blank lines aside) on stdin.
fn read_uri() -> Result<Zeroizing<String>> {
    let mut text = Zeroizing::new(String::new());
    std::io::stdin()
        .take(1 << 20)
        .read_to_string(&mut text)
        .context("cannot read the URI from stdin")?;
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    match (lines.next(), lines.next()) {
        (Some(uri), None) => Ok(Zeroizing::new(uri.to_string())),
        (None, _) => Err(Fail::new(Code::Usage, "--uri-stdin: stdin holds no URI").into()),
        (Some(_), Some(_)) => Err(Fail::new(
            Code::Usage,
            "--uri-stdin reads one URI, and stdin holds several lines",
        )
        .hint("to add them all: `otp import -` (or `otp import FILE`)")
        .into()),
    }
}

fn read_secret(args: &AddArgs) -> Result<Secret> {
    let text: Zeroizing<String> = if let Some(s) = &args.secret {
        Zeroizing::new(s.to_string())
    } else if args.secret_stdin {
        let mut buf = Zeroizing::new(String::new());
        std::io::stdin()
            .read_to_string(&mut buf)
            .context("cannot read the secret from stdin")?;
        buf
    } else if term::stdin_is_tty() {
        term::prompt_hidden("Secret (base32): ")?
    } else {
        return Err(Fail::error("no secret given, and stdin is not a terminal to ask for one")
            .hint("use --secret-stdin (e.g. `otp add NAME --secret-stdin < file`), --uri-stdin or --qr IMAGE")
            .into());
    };
    Secret::from_base32(text.trim()).map_err(|e| Fail::error(e.to_string()).into())
}

/// Builds an entry from the command-line flags. Pure.
pub fn entry_from_flags(args: &AddArgs, secret: Secret) -> Result<Entry> {
    if args.name.is_none() && args.issuer.is_none() {
        return Err(Fail::new(
            Code::Usage,
            "give the account a NAME (and usually --issuer)",
        )
        .into());
    }
    let kind = match (args.hotp, args.steam) {
        (true, _) => Kind::Hotp,
        (_, true) => Kind::Steam,
        _ => Kind::Totp,
    };
    let algorithm = match args.algorithm {
        None | Some(AlgorithmArg::Sha1) => Algorithm::SHA1,
        Some(AlgorithmArg::Sha256) => Algorithm::SHA256,
        Some(AlgorithmArg::Sha512) => Algorithm::SHA512,
    };
    let mut token = Token::totp(secret);
    token.kind = kind;
    token.algorithm = algorithm;
    token.counter = args.counter.unwrap_or(0);
    if kind == Kind::Steam {
        if args.digits.is_some_and(|d| d != STEAM_DIGITS) {
            return Err(
                Fail::error("Steam Guard codes always have 5 characters; drop --digits").into(),
            );
        }
        token.digits = STEAM_DIGITS;
    } else if let Some(d) = args.digits {
        token.digits = d;
    }
    if let Some(p) = args.period {
        token.period = p;
    }
    token.validate().map_err(|e| Fail::error(e.to_string()))?;
    let mut entry = Entry::new(
        args.issuer.clone().unwrap_or_default(),
        args.name.clone().unwrap_or_default(),
        token,
    );
    entry.note = args.note.clone();
    Ok(entry)
}
