//! Where a passphrase comes from (the contract's sources 2 to 5, docs/cli.md
//! "Unlocking"): a passphrase file, `OTP_PASSPHRASE`, `passphrase_command`,
//! or a prompt on the terminal. The vault layer asks through
//! [`keys::AskPassphrase`] and never prompts itself.

use std::path::PathBuf;

use age::secrecy::SecretString;
use anyhow::{Context, Result};
use zeroize::Zeroizing;

use crate::error::Fail;
use crate::vault::keys::{self, PassphraseSource};
use crate::{harden, term};

/// Where a passphrase may come from, in the contract's order (2 to 5).
/// `Debug` says whether `OTP_PASSPHRASE` was given, never what it holds.
#[derive(Clone, Default)]
pub struct PassphraseSources {
    pub file: Option<PathBuf>,
    pub env: Option<Zeroizing<String>>,
    pub command: Option<Vec<String>>,
    pub interactive: bool,
}

impl std::fmt::Debug for PassphraseSources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PassphraseSources")
            .field("file", &self.file)
            .field("env", &self.env.as_ref().map(|_| "<redacted>"))
            .field("command", &self.command)
            .field("interactive", &self.interactive)
            .finish()
    }
}

impl PassphraseSources {
    /// The passphrase for an existing key. `what` names it in the prompt.
    pub fn get(&self, what: &str) -> Result<(SecretString, PassphraseSource)> {
        self.obtain(what, false)
    }

    /// A new passphrase: prompted twice on a terminal, never empty.
    pub fn get_new(&self, what: &str) -> Result<(SecretString, PassphraseSource)> {
        self.obtain(what, true)
    }

    fn obtain(&self, what: &str, new: bool) -> Result<(SecretString, PassphraseSource)> {
        let (text, source) = if let Some(path) = &self.file {
            let raw =
                Zeroizing::new(std::fs::read_to_string(path).with_context(|| {
                    format!("cannot read the passphrase file {}", path.display())
                })?);
            (first_line(&raw), PassphraseSource::File(path.clone()))
        } else if let Some(env) = &self.env {
            (Zeroizing::new(env.to_string()), PassphraseSource::Env)
        } else if let Some(cmd) = &self.command {
            (run_passphrase_command(cmd)?, PassphraseSource::Command)
        } else if self.interactive {
            let first = term::prompt_hidden(&format!("{what}: "))?;
            if new {
                let again = term::prompt_hidden(&format!("{what} (again): "))?;
                if *first != *again {
                    return Err(
                        Fail::error("the passphrases do not match; nothing was changed").into(),
                    );
                }
            }
            (first, PassphraseSource::Prompt)
        } else {
            return Err(Fail::error(format!("a passphrase is needed ({what}) but stdin is not a terminal"))
                .hint(
                    "pass --identity FILE, --passphrase-file FILE, set OTP_IDENTITY, OTP_PASSPHRASE_FILE \
                     or OTP_PASSPHRASE, or set passphrase_command in the config; after `otp unlock` \
                     on a terminal, a passphrase vault needs none of these",
                )
                .into());
        };
        if text.is_empty() {
            return Err(Fail::error("the passphrase is empty").into());
        }
        Ok((SecretString::from(text.to_string()), source))
    }
}

impl keys::AskPassphrase for PassphraseSources {
    fn passphrase(&self, what: &str) -> Result<SecretString> {
        Ok(self.get(what)?.0)
    }
}

fn first_line(text: &str) -> Zeroizing<String> {
    Zeroizing::new(text.lines().next().unwrap_or("").to_string())
}

fn run_passphrase_command(cmd: &[String]) -> Result<Zeroizing<String>> {
    let (program, args) = cmd.split_first().ok_or_else(|| {
        Fail::error("passphrase_command in the config is empty")
            .hint("give a command, e.g. [\"pass\", \"show\", \"otp\"]")
    })?;
    let out = harden::command(program)
        .args(args)
        .stdin(std::process::Stdio::inherit())
        .stderr(std::process::Stdio::inherit())
        .output()
        .with_context(|| format!("cannot run passphrase_command '{program}'"))?;
    let stdout = Zeroizing::new(out.stdout);
    if !out.status.success() {
        return Err(Fail::error(format!(
            "passphrase_command '{program}' failed ({})",
            out.status
        ))
        .into());
    }
    let text = Zeroizing::new(String::from_utf8_lossy(&stdout).into_owned());
    Ok(first_line(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passphrase_sources_debug_hides_the_passphrase() {
        let sources = PassphraseSources {
            env: Some(Zeroizing::new("correct horse battery".into())),
            ..PassphraseSources::default()
        };
        let shown = format!("{sources:?}");
        assert!(!shown.contains("correct horse"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }
}
