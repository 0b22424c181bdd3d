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

/// How many times a passphrase typed at the prompt may be wrong in a row.
pub const TRIES: u32 = 3;

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

    /// An existing key opened by `open` with the passphrase. A passphrase
    /// typed at the prompt that `open` finds wrong is asked for again, up
    /// to [`TRIES`] in all, as ssh and sudo do: what was typed or piped
    /// before (a secret for `otp add`) is not lost to a typo. A passphrase
    /// from a file, the environment or a command is tried once.
    pub fn open_with<T>(
        &self,
        what: &str,
        mut open: impl FnMut(SecretString) -> Result<T>,
    ) -> Result<(T, PassphraseSource)> {
        let mut tries = 1;
        loop {
            let (pass, source) = self.get(what)?;
            match open(pass) {
                Ok(opened) => return Ok((opened, source)),
                Err(e)
                    if source == PassphraseSource::Prompt
                        && keys::is_wrong_key(&e)
                        && tries < TRIES =>
                {
                    term::warn(&format!(
                        "wrong passphrase; try again ({} of {TRIES})",
                        tries + 1
                    ));
                    tries += 1;
                }
                Err(e) => return Err(e),
            }
        }
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
        } else if self.interactive && new {
            (ask_new(what)?, PassphraseSource::Prompt)
        } else if self.interactive {
            (
                term::prompt_hidden(&format!("{what}: "))?,
                PassphraseSource::Prompt,
            )
        } else {
            return Err(Fail::error(format!("a passphrase is needed ({what}) but stdin is not a terminal"))
                .hint(
                    "pass --identity FILE, --passphrase-file FILE, set OTP_IDENTITY, OTP_PASSPHRASE_FILE \
                     or OTP_PASSPHRASE, or set passphrase_command in the config; after `otp unlock` \
                     on a terminal, a passphrase vault needs none of these; with prompt_from_tty = true \
                     in the config, otp asks on the terminal when stdin is a pipe",
                )
                .into());
        };
        if text.is_empty() {
            return Err(Fail::error("the passphrase is empty").into());
        }
        // A script's passphrase (a file, the environment, a command) is
        // never blocked: the warning is all it gets.
        if new
            && source != PassphraseSource::Prompt
            && let Some(weak) = weakness(&text)
        {
            term::warn(&format!("{weak}; it was used as given"));
        }
        Ok((SecretString::from(text.to_string()), source))
    }
}

/// A new passphrase typed at the terminal: an empty one is refused at
/// once, a weak one is kept only when confirmed, and a mismatch asks
/// again; after [`TRIES`] rounds nothing is set.
fn ask_new(what: &str) -> Result<Zeroizing<String>> {
    for _ in 0..TRIES {
        let first = term::prompt_hidden(&format!("{what}: "))?;
        if first.is_empty() {
            term::warn("the passphrase is empty; type one");
            continue;
        }
        if let Some(weak) = weakness(&first) {
            term::warn(&weak);
            if !term::confirm_tty("Use it anyway?")? {
                continue;
            }
        }
        let again = term::prompt_hidden(&format!("{what} (again): "))?;
        if *first != *again {
            term::warn("the passphrases do not match; type it again");
            continue;
        }
        return Ok(first);
    }
    Err(Fail::error(format!(
        "no passphrase was set after {TRIES} tries; nothing was changed"
    ))
    .hint("run the command again, or give the passphrase with --passphrase-file FILE")
    .into())
}

/// What is weak about a new passphrase, or None when it is strong enough:
/// zxcvbn's score below 3 of 4 (its "safely unguessable" line). The
/// message gives zxcvbn's estimate at 10,000 guesses a second (a stolen
/// key file attacked offline) and its advice. Pure.
pub fn weakness(passphrase: &str) -> Option<String> {
    let estimate = zxcvbn::zxcvbn(passphrase, &["otp", "vault", "passphrase"]);
    if u8::from(estimate.score()) >= 3 {
        return None;
    }
    let mut advice = String::new();
    if let Some(feedback) = estimate.feedback() {
        if let Some(warning) = feedback.warning() {
            advice.push_str(&format!(" {warning}."));
        }
        for suggestion in feedback.suggestions() {
            advice.push_str(&format!(" {suggestion}"));
        }
    }
    Some(format!(
        "this passphrase is weak: a stolen key file could be guessed in about {} \
         (zxcvbn's estimate at 10,000 guesses a second).{advice} A few random words are stronger",
        estimate.crack_times().offline_slow_hashing_1e4_per_second()
    ))
}

impl keys::AskPassphrase for PassphraseSources {
    /// An identity file's passphrase gets the same tries at the prompt as
    /// the vault's ([`PassphraseSources::open_with`]).
    fn open_with_passphrase(
        &self,
        what: &str,
        open: &mut dyn FnMut(SecretString) -> Result<Zeroizing<Vec<u8>>>,
    ) -> Result<Zeroizing<Vec<u8>>> {
        Ok(self.open_with(what, open)?.0)
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
    fn weak_passphrases_are_named_and_strong_ones_pass() {
        for weak in ["a", "hunter2", "password1", "otpotpotp", "qwertyuiop"] {
            let said = weakness(weak).unwrap_or_else(|| panic!("{weak} passed"));
            assert!(said.contains("weak"), "{said}");
            assert!(
                weak.len() < 4 || !said.contains(weak),
                "the passphrase is never shown: {said}"
            );
        }
        for strong in [
            "correct horse battery staple",
            "plinth-Umber-kazoo-91-vesper",
        ] {
            assert_eq!(weakness(strong), None, "{strong}");
        }
    }

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
