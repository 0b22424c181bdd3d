//! What reading a file of accounts yields: the entries, and those it
//! deliberately left out, with why. Shared by every reader (`import`,
//! `migration`) and the command that applies them.

use super::Entry;

/// What one input yields: accounts, and entries that were deliberately not
/// imported (with why), so nothing is ever dropped silently.
#[derive(Debug, Default)]
pub struct Parsed {
    pub entries: Vec<Entry>,
    pub skipped: Vec<Skipped>,
}

/// An entry the file holds that `otp` does not import: a kind it cannot
/// compute (a push-only account, …), or one that would not give the
/// service's codes (no PIN, parameters not the scheme's, a bad secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// `issuer:name` as the file has it.
    pub label: String,
    pub reason: String,
}
