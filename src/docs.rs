//! The binary's own generated documentation: shell completions and man
//! pages. `completions/` and `man/` in the repository are this output,
//! committed; `tests/generated.rs` fails when they drift.

use clap::CommandFactory;
use clap_complete::Shell as ClapShell;

use crate::cli::{Cli, Shell};

/// Completion script for `shell`.
pub fn completions(shell: Shell) -> String {
    let shell = match shell {
        Shell::Bash => ClapShell::Bash,
        Shell::Zsh => ClapShell::Zsh,
        Shell::Fish => ClapShell::Fish,
        Shell::Elvish => ClapShell::Elvish,
        Shell::Powershell => ClapShell::PowerShell,
    };
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "otp", &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

/// The file name each shell expects for its completions.
pub fn completion_file(shell: Shell) -> &'static str {
    match shell {
        Shell::Bash => "otp.bash",
        Shell::Zsh => "_otp",
        Shell::Fish => "otp.fish",
        Shell::Elvish => "otp.elv",
        Shell::Powershell => "_otp.ps1",
    }
}

/// Man pages: `otp.1` and one `otp-<sub>.1` per subcommand (nested ones too).
pub fn man_pages() -> Vec<(String, Vec<u8>)> {
    let mut pages = Vec::new();
    let mut cmd = Cli::command();
    cmd.build();
    collect(&cmd, "otp", &mut pages);
    pages
}

fn collect(cmd: &clap::Command, name: &str, pages: &mut Vec<(String, Vec<u8>)>) {
    let page_cmd = cmd.clone().name(name.to_string());
    let mut buf = Vec::new();
    clap_mangen::Man::new(page_cmd)
        .render(&mut buf)
        .expect("rendering to memory cannot fail");
    pages.push((format!("{name}.1"), buf));
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        collect(sub, &format!("{name}-{}", sub.get_name()), pages);
    }
}

/// The command reference of docs/cli.md: every visible command with its
/// usage line and its options, in the order `otp --help` lists them.
/// docs/cli.md holds it between `<!-- commands -->` and
/// `<!-- /commands -->`; `tests/generated.rs` fails when it drifts.
pub fn cli_reference() -> String {
    let mut cmd = Cli::command();
    cmd.build();
    let mut out = String::new();
    reference(&cmd, "otp", true, &mut out);
    out
}

fn reference(cmd: &clap::Command, path: &str, top: bool, out: &mut String) {
    use std::fmt::Write as _;
    let about = cmd.get_about().map(|a| a.to_string()).unwrap_or_default();
    let usage = cmd
        .clone()
        .name(path.to_string())
        .bin_name(path.to_string())
        .render_usage()
        .to_string();
    let usage = usage.strip_prefix("Usage: ").unwrap_or(&usage);
    let _ = writeln!(out, "### `{path}`\n\n{about}\n\n```\n{usage}\n```\n");
    for arg in cmd.get_arguments() {
        // Global options are listed once, under `otp`.
        let builtin = matches!(arg.get_id().as_str(), "help" | "version");
        if arg.is_hide_set() || (!top && (arg.is_global_set() || builtin)) {
            continue;
        }
        let mut names = Vec::new();
        if let Some(s) = arg.get_short() {
            names.push(format!("-{s}"));
        }
        if let Some(l) = arg.get_long() {
            names.push(format!("--{l}"));
        }
        let value = arg.get_value_names().and_then(|v| v.first()).map_or_else(
            || arg.get_id().to_string().to_uppercase(),
            |v| v.to_string(),
        );
        if names.is_empty() {
            names.push(value);
        } else if arg.get_action().takes_values() {
            let last = names.pop().unwrap_or_default();
            names.push(format!("{last} {value}"));
        }
        let help = arg
            .get_help()
            .map(|h| h.to_string().replace('\n', " "))
            .unwrap_or_default();
        let env = arg
            .get_env()
            .map(|e| format!(" (env `{}`)", e.to_string_lossy()))
            .unwrap_or_default();
        let _ = writeln!(out, "- `{}`{env}: {help}", names.join(", "));
    }
    out.push('\n');
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        reference(sub, &format!("{path} {}", sub.get_name()), false, out);
    }
}
