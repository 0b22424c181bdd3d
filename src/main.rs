//! The `otp` binary: parse, run, report. Everything else is in the library.

use std::process::ExitCode;

use clap::Parser;
use otp::{cli::Cli, error, term};

fn main() -> ExitCode {
    let cli = Cli::parse();
    term::init_color(cli.global.color);
    match otp::cmd::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let (code, hint) = error::classify(&err);
            eprintln!("{} {err}", term::err_red("error:"));
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            if let Some(hint) = hint {
                eprintln!("{} {hint}", term::err_bold("hint:"));
            }
            ExitCode::from(code as u8)
        }
    }
}
