//! `otp add`: one account from a URI, a secret (flag, stdin or prompt), or
//! every account in a QR image or on the screen.

use std::io::Read;

use anyhow::{Context, Result};
use zeroize::Zeroizing;

use crate::cli::{AddArgs, AlgorithmArg};
use crate::cmd::{Ctx, import, now, random8};
use crate::error::{Code, Fail};
use crate::import::plan::{Action, plan};
use crate::model::{Account, Algorithm, Entry, Kind, Pin, STEAM_DIGITS, Secret, Token};
use crate::term;
use crate::text::sanitize;

pub fn run(ctx: &Ctx, args: AddArgs) -> Result<()> {
    let pin_given = args.pin_file.is_some() || args.pin_stdin;
    let mut qr_uri: Option<Zeroizing<String>> = None;
    if let Some(image) = &args.qr {
        if !pin_given {
            reject_parameters(&args, "--qr")?;
            return import::import_paths(
                ctx,
                std::slice::from_ref(image),
                Some("qr-image"),
                None,
                false,
            );
        }
        // A Yandex.Key or mOTP QR code without its PIN (Yandex's own, or
        // Stratum's): one account, added as from --uri with the PIN given.
        qr_uri = Some(one_link(image)?);
    }
    if args.screen {
        reject_parameters(&args, "--screen")?;
        return import::import_screen(ctx, false);
    }
    let stdin_uri;
    let uri = if let Some(link) = &qr_uri {
        Some((link.as_str(), "--qr"))
    } else if args.uri_stdin {
        stdin_uri = read_uri()?;
        Some((stdin_uri.as_str(), "--uri-stdin"))
    } else {
        args.uri.as_deref().map(|u| (u, "--uri"))
    };
    let entry = if let Some((uri, flag)) = uri {
        reject_parameters(&args, flag)?;
        let mut e = entry_from_uri(&args, uri)?;
        if let Some(name) = &args.name {
            e.name = name.clone();
        }
        if let Some(issuer) = &args.issuer {
            e.issuer = issuer.clone();
        }
        e.note = args.note.clone();
        e
    } else {
        let pin = read_pin(&args)?;
        let secret = read_secret(&args)?;
        entry_from_flags(&args, secret, pin)?
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

/// The account of a URI. A Yandex.Key or mOTP URI without a PIN (as Stratum,
/// andOTP, cotp and Yandex's own QR codes write them) takes the PIN from
/// --pin-file, --pin-stdin or a prompt without echo; a PIN flag for a URI
/// that needs none is an error, never ignored.
fn entry_from_uri(args: &AddArgs, uri: &str) -> Result<Entry> {
    let invalid = |e: crate::uri::UriError| Fail::error(format!("invalid otpauth URI: {e}"));
    let pin_given = args.pin_file.is_some() || args.pin_stdin;
    match crate::uri::parse(uri) {
        // (clap refuses --pin-stdin with --uri-stdin: stdin holds the URI.)
        Err(crate::uri::UriError::NoPin { .. }) => {
            let pin = read_pin_text(args)?;
            Ok(crate::uri::parse_with_pin(uri, Some(pin)).map_err(invalid)?)
        }
        Ok(e) if pin_given => Err(Fail::new(
            Code::Usage,
            if e.token.kind.has_pin() {
                "--pin-file and --pin-stdin: the URI holds its own PIN (pin=)"
            } else {
                "--pin-file and --pin-stdin are for Yandex.Key and mOTP accounts"
            },
        )
        .into()),
        result => Ok(result.map_err(invalid)?),
    }
}

/// The one link of a QR image, for `--qr IMAGE --pin-file FILE`.
fn one_link(image: &std::path::Path) -> Result<Zeroizing<String>> {
    let shown = crate::text::path(image);
    let data = Zeroizing::new(
        std::fs::read(image).with_context(|| format!("cannot read the image {shown}"))?,
    );
    let decoded = crate::qr::decode_image_all(&data, &mut |_| {})
        .map_err(|e| Fail::error(format!("{shown}: {e}")))?;
    match decoded.links.as_slice() {
        [link] => Ok(Zeroizing::new(link.clone())),
        links => Err(Fail::new(
            Code::Usage,
            format!(
                "--pin-file and --pin-stdin with --qr take an image of one account's QR code; {shown} holds {}",
                links.len()
            ),
        )
        .hint("without a PIN flag, `otp add --qr IMAGE` adds every account the image holds")
        .into()),
    }
}

/// With --uri, --qr or --screen the parameters come from the source; a flag
/// that would be silently ignored is an error instead (a PIN is read for a
/// Yandex.Key or mOTP URI, or one account's QR code, that holds none).
fn reject_parameters(args: &AddArgs, source: &str) -> Result<()> {
    let uri = source.starts_with("--uri")
        || (source == "--qr" && (args.pin_file.is_some() || args.pin_stdin));
    let given = [
        (args.hotp, "--hotp"),
        (args.steam, "--steam"),
        (args.counter.is_some(), "--counter"),
        (args.algorithm.is_some(), "--algorithm"),
        (args.digits.is_some(), "--digits"),
        (args.period.is_some(), "--period"),
        (args.yandex, "--yandex"),
        (args.motp, "--motp"),
        (args.pin_file.is_some() && !uri, "--pin-file"),
        (args.pin_stdin && !uri, "--pin-stdin"),
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
    if !uri && (args.name.is_some() || args.issuer.is_some()) {
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

/// The PIN of a --yandex/--motp account: from --pin-file, --pin-stdin or a
/// prompt without echo; never from the command line. The first line, without
/// its line ending. No PIN for the other kinds (a PIN flag alone is an error).
fn read_pin(args: &AddArgs) -> Result<Option<Pin>> {
    if !args.yandex && !args.motp {
        if args.pin_file.is_some() || args.pin_stdin {
            return Err(Fail::new(
                Code::Usage,
                "--pin-file and --pin-stdin are for --yandex and --motp accounts",
            )
            .into());
        }
        return Ok(None);
    }
    read_pin_text(args).map(Some)
}

/// The PIN from --pin-file, --pin-stdin or a prompt without echo (only on a
/// terminal): the first line, without its line ending; never empty.
fn read_pin_text(args: &AddArgs) -> Result<Pin> {
    let text: Zeroizing<String> = if let Some(f) = &args.pin_file {
        let bytes = Zeroizing::new(
            std::fs::read(f)
                .with_context(|| format!("cannot read the PIN file {}", crate::text::path(f)))?,
        );
        Zeroizing::new(
            std::str::from_utf8(&bytes)
                .map_err(|_| Fail::error("the PIN file is not UTF-8 text"))?
                .to_string(),
        )
    } else if args.pin_stdin {
        let mut buf = Zeroizing::new(String::new());
        std::io::stdin()
            .take(4096)
            .read_to_string(&mut buf)
            .context("cannot read the PIN from stdin")?;
        buf
    } else if term::stdin_is_tty() {
        term::prompt_hidden("PIN: ")?
    } else {
        return Err(
            Fail::error("no PIN given, and stdin is not a terminal to ask for one")
                .hint("use --pin-file FILE or --pin-stdin")
                .into(),
        );
    };
    let pin = text.lines().next().unwrap_or("").trim_end_matches('\r');
    if pin.is_empty() {
        return Err(Fail::error("the PIN is empty").into());
    }
    Ok(Pin::new(pin.to_string()))
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
        term::prompt_hidden(if args.motp {
            "Secret (hex): "
        } else {
            "Secret (base32): "
        })?
    } else {
        return Err(Fail::error("no secret given, and stdin is not a terminal to ask for one")
            .hint("use --secret-stdin (e.g. `otp add NAME --secret-stdin < file`), --uri-stdin or --qr IMAGE")
            .into());
    };
    if args.motp {
        return match data_encoding::HEXLOWER_PERMISSIVE.decode(text.trim().as_bytes()) {
            Ok(bytes) if !bytes.is_empty() => Ok(Secret::new(bytes)),
            _ => Err(Fail::error(
                "an mOTP secret is hexadecimal (0-9, a-f), an even number of digits",
            )
            .into()),
        };
    }
    Secret::from_base32(text.trim()).map_err(|e| Fail::error(e.to_string()).into())
}

/// Builds an entry from the command-line flags. Pure.
pub fn entry_from_flags(args: &AddArgs, secret: Secret, pin: Option<Pin>) -> Result<Entry> {
    if args.name.is_none() && args.issuer.is_none() {
        return Err(Fail::new(
            Code::Usage,
            "give the account a NAME (and usually --issuer)",
        )
        .into());
    }
    if let (true, Some(pin)) = (args.yandex || args.motp, pin) {
        let fixed = [
            (args.algorithm.is_some(), "--algorithm"),
            (args.digits.is_some(), "--digits"),
            (args.period.is_some(), "--period"),
        ];
        if let Some((_, flag)) = fixed.iter().find(|(on, _)| *on) {
            return Err(Fail::new(
                Code::Usage,
                format!("{flag} cannot be combined with --yandex or --motp: the scheme fixes it"),
            )
            .into());
        }
        let token = if args.yandex {
            crate::otp::yandex::token(secret.bytes(), pin)
                .map_err(|e| Fail::error(e.to_string()))?
        } else {
            Token::motp(secret, pin)
        };
        return entry_of(args, token);
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
    entry_of(args, token)
}

/// The account `args` describe around a checked `token`.
fn entry_of(args: &AddArgs, token: Token) -> Result<Entry> {
    token.validate().map_err(|e| Fail::error(e.to_string()))?;
    let mut entry = Entry::new(
        args.issuer.clone().unwrap_or_default(),
        args.name.clone().unwrap_or_default(),
        token,
    );
    entry.note = args.note.clone();
    Ok(entry)
}
