//! `otp completions SHELL`.

use anyhow::Result;

use crate::cli::CompletionsArgs;
use crate::cmd::out;

pub fn run(args: CompletionsArgs) -> Result<()> {
    out(&crate::docs::completions(args.shell))
}
