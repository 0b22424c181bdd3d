//! Exit codes of the command-line contract, and the one error type that
//! carries a code and a "what to do next" hint up to `main`.
//!
//! Everything else travels as `anyhow::Error`; `main` looks for a [`Fail`]
//! in the chain to pick the exit code (1 when there is none).

use std::fmt;

/// Exit codes fixed by the contract (docs/cli.md, "Exit codes").
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Code {
    /// I/O, wrong key, corrupt file, bad input.
    Error = 1,
    /// Usage error (clap exits with this itself).
    Usage = 2,
    /// No account matches QUERY.
    NoMatch = 3,
    /// QUERY matches more than one account.
    Ambiguous = 4,
    /// Refused: conflict with existing accounts.
    Conflict = 5,
    /// Refused: a file from outside could not be proven to come from one
    /// of the user's machines: the sync remote or a conflict copy (forged,
    /// unauthenticated, rolled back, a foreign key file), or a forged file
    /// in a backup folder (`backup --verify`, `drill`). docs/trust.md.
    Unproven = 6,
    /// Partly done: some entries of the input were not imported (each is
    /// listed); what could be imported was.
    PartlyDone = 7,
}

/// A user-facing failure: what went wrong, the exit code, and a hint.
#[derive(Debug)]
pub struct Fail {
    pub code: Code,
    pub message: String,
    pub hint: Option<String>,
}

impl Fail {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Fail {
            code,
            message: message.into(),
            hint: None,
        }
    }

    pub fn error(message: impl Into<String>) -> Self {
        Fail::new(Code::Error, message)
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Fail {}

/// The exit code and hint for any error: the first [`Fail`] in its chain decides.
pub fn classify(err: &anyhow::Error) -> (Code, Option<&str>) {
    err.chain()
        .find_map(|e| e.downcast_ref::<Fail>())
        .map(|f| (f.code, f.hint.as_deref()))
        .unwrap_or((Code::Error, None))
}

/// Shorthand: `bail!(fail(...))`-like construction of a `Fail` as anyhow error.
pub fn fail(code: Code, message: impl Into<String>) -> anyhow::Error {
    Fail::new(code, message).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context;

    #[test]
    fn codes_match_the_contract() {
        assert_eq!(Code::Error as u8, 1);
        assert_eq!(Code::Usage as u8, 2);
        assert_eq!(Code::NoMatch as u8, 3);
        assert_eq!(Code::Ambiguous as u8, 4);
        assert_eq!(Code::Conflict as u8, 5);
        assert_eq!(Code::Unproven as u8, 6);
        assert_eq!(Code::PartlyDone as u8, 7);
    }

    #[test]
    fn classify_finds_a_fail_under_context() {
        let e: anyhow::Error = Fail::new(Code::Conflict, "x").hint("do y").into();
        let e = Err::<(), _>(e).context("while importing").unwrap_err();
        assert_eq!(classify(&e), (Code::Conflict, Some("do y")));
        let plain = anyhow::anyhow!("io");
        assert_eq!(classify(&plain), (Code::Error, None));
    }
}
