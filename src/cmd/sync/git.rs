//! The `git` command-line tool, run without a shell in the vault's folder.
//!
//! Users' remotes, credentials, SSH keys and hooks then work as they expect.
//! Every call goes through [`crate::harden::command`] (no secret in the
//! environment of git or of anything it starts) and clears the variables a
//! surrounding git (a merge driver runs inside one) would point elsewhere.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use anyhow::Result;

use crate::error::Fail;

/// A git repository whose work tree is `dir` (the vault's folder).
pub struct Git {
    pub dir: PathBuf,
}

/// What a git command printed, when it failed.
#[derive(Debug)]
pub struct GitError {
    pub args: String,
    pub stderr: String,
}

impl std::fmt::Display for GitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`git {}` failed", self.args)?;
        let said = self.stderr.trim();
        if !said.is_empty() {
            write!(f, ": {}", crate::text::sanitize(said))?;
        }
        Ok(())
    }
}

impl std::error::Error for GitError {}

impl Git {
    pub fn new(dir: &Path) -> Git {
        Git {
            dir: dir.to_path_buf(),
        }
    }

    /// Whether `dir` itself holds a repository (not just lies inside one:
    /// a vault folder inside a dotfiles repository is not set up for sync).
    pub fn exists(&self) -> bool {
        self.dir.join(".git").exists()
    }

    fn command<I, S>(&self, args: I) -> std::process::Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = crate::harden::command("git");
        for var in [
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_INDEX_FILE",
            "GIT_OBJECT_DIRECTORY",
            "GIT_PREFIX",
        ] {
            cmd.env_remove(var);
        }
        // Never wait for a password nobody can type (a script, a cron job).
        if !crate::term::stdin_is_tty() {
            cmd.env("GIT_TERMINAL_PROMPT", "0");
        }
        cmd.arg("-C").arg(&self.dir).args(args);
        cmd
    }

    /// Runs git and returns its output, success or not.
    pub fn output<I, S>(&self, args: I) -> Result<Output>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command(args)
            .stdin(Stdio::null())
            .output()
            .map_err(missing)
    }

    /// Runs git; a failure is an error carrying what git said.
    pub fn run<I, S>(&self, args: I) -> Result<String>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<std::ffi::OsString> =
            args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let out = self.output(&args)?;
        if !out.status.success() {
            return Err(GitError {
                args: args
                    .iter()
                    .map(|a| a.to_string_lossy())
                    .collect::<Vec<_>>()
                    .join(" "),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            }
            .into());
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_string())
    }

    /// Runs git with stderr going to the user's terminal (fetch and push
    /// progress, credential helpers' messages), stdout captured.
    pub fn run_loud<I, S>(&self, args: I) -> Result<std::process::ExitStatus>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command(args)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .status()
            .map_err(missing)
    }

    /// `git config --get KEY`, None when unset.
    pub fn config(&self, key: &str) -> Result<Option<String>> {
        let out = self.output(["config", "--get", key])?;
        Ok(out
            .status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string()))
    }

    /// The bytes of `path` in `rev`, None when it has no such file.
    pub fn show(&self, rev: &str, path: &str) -> Result<Option<Vec<u8>>> {
        let spec = format!("{rev}:{path}");
        if !self.output(["cat-file", "-e", &spec])?.status.success() {
            return Ok(None);
        }
        let out = self.output(["cat-file", "blob", &spec])?;
        if !out.status.success() {
            return Err(GitError {
                args: format!("cat-file blob {spec}"),
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            }
            .into());
        }
        Ok(Some(out.stdout))
    }

    /// The commit `rev` names, None when it names none.
    pub fn rev(&self, rev: &str) -> Result<Option<String>> {
        let spec = format!("{rev}^{{commit}}");
        let out = self.output(["rev-parse", "-q", "--verify", &spec])?;
        Ok(out
            .status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string()))
    }

    /// Whether the version of git on PATH can be run at all.
    pub fn check_installed() -> Result<String> {
        let out = crate::harden::command("git")
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .map_err(missing)?;
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }
}

fn missing(e: std::io::Error) -> anyhow::Error {
    if e.kind() == std::io::ErrorKind::NotFound {
        Fail::error("`otp sync` needs git, and there is no `git` command on PATH")
            .hint("install git 2.20 or newer (e.g. `apt install git`), then try again")
            .into()
    } else {
        anyhow::Error::from(e).context("cannot run git")
    }
}

/// Quotes `text` for the POSIX shell git runs a merge driver with.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_quoting_survives_quotes_and_spaces() {
        assert_eq!(shell_quote("/a b/otp"), "'/a b/otp'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }

    #[test]
    fn git_errors_name_the_command_and_what_git_said() {
        let e = GitError {
            args: "push origin main".into(),
            stderr: "fatal: unable to access\n".into(),
        };
        assert_eq!(
            e.to_string(),
            "`git push origin main` failed: fatal: unable to access"
        );
    }
}
