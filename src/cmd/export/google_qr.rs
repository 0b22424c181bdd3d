//! `otp export --format google-qr`: Google Authenticator "Transfer
//! accounts" codes, to move accounts to a phone. Drawn on the terminal one
//! at a time, or written as PNG files with `-o DIR`.

use std::path::Path;

use anyhow::{Context, Result};

use crate::cmd::{out, random8};
use crate::error::Fail;
use crate::model::Account;
use crate::term;
use crate::text::sanitize;
use crate::vault::store;

/// Accounts per code on a terminal: a denser code would not fit 80 columns
/// (each module is one column) and phones read it badly.
const PER_TERMINAL_CODE: usize = 3;
/// Accounts per PNG code: as dense as Google's own exports.
const PER_PNG_CODE: usize = crate::migration::DEFAULT_PER_CODE;

pub fn run(accounts: &[Account], output: Option<&Path>, force: bool) -> Result<()> {
    let entries: Vec<_> = accounts.iter().map(Account::to_entry).collect();
    let per_code = if output.is_some() {
        PER_PNG_CODE
    } else {
        PER_TERMINAL_CODE
    };
    let batch_id = i32::from_le_bytes(random8()[..4].try_into().unwrap_or([0; 4])) & 0x7fff_ffff;
    let (uris, warnings) = crate::migration::encode(&entries, per_code, batch_id);
    for w in &warnings {
        term::warn(&format!(
            "not exported: {}: {}",
            sanitize(&w.label),
            w.message
        ));
    }
    if uris.is_empty() {
        return Err(
            Fail::error("no account can be exported as a Google Authenticator code")
                .hint("use --format uris --plaintext or --format aegis instead")
                .into(),
        );
    }
    let total = uris.len();
    match output {
        Some(dir) => {
            let path_of =
                |i: usize| dir.join(format!("otp-google-export-{}-of-{total}.png", i + 1));
            if !force {
                for i in 0..total {
                    super::output::refuse_existing(&path_of(i))?;
                }
            }
            store::create_private_dir(dir)?;
            let mut listing = String::new();
            for (i, uri) in uris.iter().enumerate() {
                let png = crate::qr::to_png(uri)
                    .map_err(|e| Fail::error(format!("cannot draw code {}: {e}", i + 1)))?;
                let path = path_of(i);
                let written = if force {
                    store::write_atomic(&path, &png)
                } else {
                    store::write_new(&path, &png)
                };
                written.with_context(|| format!("cannot write {}", path.display()))?;
                listing.push_str(&format!("{}\n", path.display()));
            }
            term::note(&format!(
                "{} account(s) in {total} code(s); scan them in order with Google Authenticator (Transfer accounts → Import), then delete the files: they hold your secrets",
                entries.len() - warnings.len()
            ));
            out(&listing)
        }
        None => {
            let unicode = term::unicode_terminal();
            let interactive = term::stdin_is_tty() && term::stdout_is_tty();
            for (i, uri) in uris.iter().enumerate() {
                let drawing = crate::qr::to_terminal(uri, unicode)
                    .map_err(|e| Fail::error(format!("cannot draw code {}: {e}", i + 1)))?;
                term::note(&format!(
                    "Code {} of {total}: scan it with Google Authenticator (Transfer accounts → Import)",
                    i + 1
                ));
                out(&drawing)?;
                if interactive && i + 1 < total && !term::confirm("Scanned? Show the next code")? {
                    return Err(Fail::error(
                        "stopped before the last code; the phone has only part of the export",
                    )
                    .into());
                }
            }
            Ok(())
        }
    }
}
