//! `otp show`: one account's details; the secret only with `--uri`/`--qr`.

use anyhow::Result;
use time::format_description::well_known::Rfc3339;

use crate::cli::ShowArgs;
use crate::cmd::{Ctx, out};
use crate::error::Fail;
use crate::model::Kind;
use crate::text::sanitize;

pub fn run(ctx: &Ctx, args: ShowArgs) -> Result<()> {
    let (vault, _) = ctx.load()?;
    let a = &vault.accounts[vault.find(&args.query)?];
    if args.uri {
        return out(&format!("{}\n", crate::uri::format(&a.to_entry())));
    }
    if args.qr {
        let uri = crate::uri::format(&a.to_entry());
        let drawing = crate::qr::to_terminal(&uri, crate::term::unicode_terminal())
            .map_err(|e| Fail::error(format!("cannot draw this account as a QR code: {e}")))?;
        crate::term::note(&format!(
            "{}: scan with your phone's authenticator app. The code holds the secret: clear the screen afterwards.",
            sanitize(&a.label())
        ));
        return out(&drawing);
    }
    let rfc = |t: time::OffsetDateTime| t.format(&Rfc3339).unwrap_or_default();
    let mut text = String::new();
    let mut row = |k: &str, v: &str| text.push_str(&format!("{k:<10} {v}\n"));
    row("issuer:", &sanitize(&a.issuer));
    row("name:", &sanitize(&a.name));
    row("id:", &a.id);
    row("type:", a.kind.as_str());
    row("algorithm:", a.algorithm.as_str());
    row("digits:", &a.digits.to_string());
    match a.kind {
        Kind::Hotp => row("counter:", &a.counter.to_string()),
        _ => row("period:", &format!("{} s", a.period)),
    }
    if a.pin.is_some() {
        row("pin:", "(set, not shown)");
    }
    row("created:", &rfc(a.created));
    row("updated:", &rfc(a.updated));
    if let Some(note) = &a.note {
        row("note:", &sanitize(note));
    }
    if !a.tags.is_empty() {
        row("tags:", &sanitize(&a.tags.join(", ")));
    }
    if !a.recovery_codes.is_empty() {
        let unused = a.recovery_codes.iter().filter(|c| c.used.is_none()).count();
        row(
            "recovery:",
            &format!(
                "{} codes, {unused} unused (`otp recovery-codes show`)",
                a.recovery_codes.len()
            ),
        );
    }
    out(&text)
}
