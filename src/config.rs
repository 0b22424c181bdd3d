//! The user's settings (`config.toml`). Unknown keys are an error, so a typo
//! never silently leaves a safety setting at its default.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Command whose first line of output is the passphrase, e.g. `["pass", "show", "otp"]`.
    pub passphrase_command: Option<Vec<String>>,
    /// Ask for a passphrase on the controlling terminal (`/dev/tty`) when
    /// stdin is not one (`echo SECRET | otp add … --secret-stdin`), as ssh
    /// and gpg do. Off by default: the contract says a command whose stdin
    /// is not a terminal never prompts.
    pub prompt_from_tty: bool,
    /// Where `otp backup` writes (default `<data dir>/backups`).
    pub backup_dir: Option<PathBuf>,
    /// More folders `otp backup` writes to, each written, checked and
    /// pruned on its own (with `backup_dir`, if set, first).
    pub backup_dirs: Option<Vec<PathBuf>>,
    /// Days after which `otp status` says a recovery drill is due.
    pub drill_interval_days: u64,
    /// How many timestamped backups `otp backup` keeps.
    pub backup_keep: usize,
    /// Write a backup after every change.
    pub auto_backup: bool,
    /// Warn on stderr when changes are not backed up.
    pub backup_warning: bool,
    /// Seconds before a copied code is cleared from the clipboard.
    pub clipboard_clear_seconds: u64,
    /// Wait for the next code when fewer seconds than this remain.
    pub min_remaining_seconds: u64,
    /// `auto`, `system`, `osc52` or `none`.
    pub clipboard: ClipboardMode,
    /// How long to wait for another otp to release the vault lock.
    pub lock_timeout_seconds: u64,
    /// `auto` (use a running agent; a passphrase typed at the prompt is
    /// also handed to it) or `off` (never talk to an agent).
    pub agent: AgentMode,
    /// Seconds without use after which the agent forgets a key.
    pub agent_timeout_seconds: u64,
    /// Seconds after `otp unlock` after which the agent forgets a key
    /// however much it is used; 0 for no limit.
    pub agent_lifetime_seconds: u64,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum AgentMode {
    #[default]
    Auto,
    Off,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum ClipboardMode {
    #[default]
    Auto,
    System,
    Osc52,
    None,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            passphrase_command: None,
            prompt_from_tty: false,
            backup_dir: None,
            backup_dirs: None,
            drill_interval_days: 90,
            backup_keep: 30,
            auto_backup: false,
            backup_warning: true,
            clipboard_clear_seconds: 20,
            min_remaining_seconds: 5,
            clipboard: ClipboardMode::Auto,
            lock_timeout_seconds: 10,
            agent: AgentMode::Auto,
            // 15 minutes idle: gpg-agent's order of magnitude (10 min);
            // a burst of logins stays unlocked, a walk away does not.
            agent_timeout_seconds: 900,
            // 12 hours at most: a key never outlives the working day, even
            // when a status bar asks for a code every 30 s.
            agent_lifetime_seconds: 43_200,
        }
    }
}

impl Config {
    /// Parses config text. The error is toml's: the line and column, that
    /// line quoted, and what is wrong with it (an unknown key, a value of the
    /// wrong type, quoted too). The config holds settings, never a secret
    /// (`passphrase_command` names a command, not the passphrase).
    pub fn parse(text: &str) -> Result<Config, toml::de::Error> {
        toml::from_str(text)
    }

    /// Loads `path`; a missing file means defaults.
    pub fn load(path: &Path) -> Result<Config> {
        match std::fs::read_to_string(path) {
            Ok(text) => Config::parse(&text).with_context(|| {
                format!(
                    "cannot read the config file {}: fix or remove it",
                    path.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => {
                Err(e).with_context(|| format!("cannot read the config file {}", path.display()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let c = Config::parse("").unwrap();
        assert_eq!(c, Config::default());
        let c = Config::parse("backup_keep = 5\nclipboard = \"osc52\"\npassphrase_command = [\"pass\", \"show\", \"otp\"]").unwrap();
        assert_eq!(c.backup_keep, 5);
        assert_eq!(c.clipboard, ClipboardMode::Osc52);
        assert_eq!(c.passphrase_command.unwrap().len(), 3);
    }

    #[test]
    fn backup_dirs_and_the_drill_interval() {
        let c = Config::parse(
            "backup_dirs = [\"/mnt/usb/otp\", \"/srv/nas/otp\"]\ndrill_interval_days = 30",
        )
        .unwrap();
        assert_eq!(c.backup_dirs.unwrap().len(), 2);
        assert_eq!(c.drill_interval_days, 30);
        assert_eq!(Config::default().drill_interval_days, 90);
        assert!(Config::parse("backup_dirs = \"/mnt\"").is_err());
    }

    #[test]
    fn typos_are_errors() {
        assert!(Config::parse("backup_kep = 5").is_err());
        assert!(Config::parse("clipboard = \"sometimes\"").is_err());
        assert!(Config::parse("agent = \"sometimes\"").is_err());
        let c = Config::parse("agent = \"off\"\nagent_timeout_seconds = 2").unwrap();
        assert_eq!((c.agent, c.agent_timeout_seconds), (AgentMode::Off, 2));
    }
}
