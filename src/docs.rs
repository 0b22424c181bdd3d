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
