//! The `otp` binary: parse, run, report. Everything else is in the library.

#![forbid(unsafe_code)]

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use otp::cli::{Cli, CodeCli};
use otp::{agent, clipboard, complete, error, term};

fn main() -> ExitCode {
    // Before any passphrase, key or plaintext is in memory: no core files,
    // no ptrace by other processes of the user (see `otp::harden`).
    let _ = otp::harden::harden();
    // age plugins' messages ("touch your key") reach the terminal.
    otp::vault::keys::show_plugin_messages_with(term::err_line);
    // The detached process that serves a copied code (see `clipboard`).
    let mut args = std::env::args_os().skip(1);
    match args.next() {
        Some(a) if a == clipboard::SERVE_ARG => {
            let rest: Vec<String> = args.map(|a| a.to_string_lossy().into_owned()).collect();
            return ExitCode::from(clipboard::serve(&rest));
        }
        // The agent (see `agent`), started by `otp unlock`.
        Some(a) if a == agent::AGENT_ARG => {
            let rest: Vec<String> = args.map(|a| a.to_string_lossy().into_owned()).collect();
            return ExitCode::from(agent::server::serve(&rest));
        }
        _ => {}
    }
    // Shell completion requests (`COMPLETE=bash otp -- ...`) end here.
    complete::handle_env();
    // The everyday `otp code QUERY` skips building the whole command tree;
    // everything else (and every mistake or --help) takes the full parser.
    let result = match CodeCli::parse_code(std::env::args_os()) {
        Some((global, args)) => {
            term::init_color(global.color);
            otp::cmd::run_code(global, args)
        }
        None => {
            // --color reaches clap's own help and errors too.
            let mut command = Cli::command();
            if let Some(choice) = otp::cli::color_arg(std::env::args_os()) {
                command = command.color(choice);
            }
            let cli = match command.clone().try_get_matches() {
                Ok(mut matches) => Cli::from_arg_matches_mut(&mut matches),
                // `otp` alone (or with global options only) is the picker
                // on a terminal; in a script it stays what it was: the help
                // or the error on stderr, exit 2.
                Err(e)
                    if otp::cli::no_command(&e)
                        && term::stdin_is_tty()
                        && term::stdout_is_tty() =>
                {
                    let args = std::env::args_os().chain([std::ffi::OsString::from("pick")]);
                    command
                        .clone()
                        .try_get_matches_from(args)
                        .and_then(|mut m| Cli::from_arg_matches_mut(&mut m))
                }
                Err(e) => {
                    if otp::cli::no_command(&e) {
                        otp::cmd::note_no_vault(&command);
                    }
                    Err(e)
                }
            }
            .unwrap_or_else(|e| e.format(&mut command).exit());
            term::init_color(cli.global.color);
            otp::cmd::run(cli)
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let (code, hint) = error::classify(&err);
            // Messages may quote file names and foreign tools' words: sanitized.
            let shown = |text: String| otp::text::sanitize_lines(&text);
            term::err_line(&format!(
                "{} {}",
                term::err_red("error:"),
                shown(err.to_string())
            ));
            for cause in err.chain().skip(1) {
                term::err_line(&format!("  caused by: {}", shown(cause.to_string())));
            }
            if let Some(hint) = hint {
                term::err_line(&format!(
                    "{} {}",
                    term::err_bold("hint:"),
                    shown(hint.to_string())
                ));
            }
            ExitCode::from(code as u8)
        }
    }
}
