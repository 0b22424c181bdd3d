//! `otp unlock` and `otp lock`: hand a passphrase vault's key to the agent
//! once, make it forget (see `agent` and docs/agent.md).

use anyhow::Result;

use crate::agent;
use crate::cli::UnlockArgs;
use crate::cmd::Ctx;
use crate::config::AgentMode;
use crate::duration::human;
use crate::error::Fail;
use crate::term;
use crate::vault::keys;

pub fn run(ctx: &Ctx, args: UnlockArgs) -> Result<()> {
    if ctx.global.identity.is_some() {
        return Err(Fail::error(
            "`otp unlock` keeps the key of a passphrase vault; a vault opened with --identity needs no unlock",
        )
        .hint("drop --identity / OTP_IDENTITY to unlock this vault's passphrase key file")
        .into());
    }
    if ctx.config.agent == AgentMode::Off {
        return Err(Fail::error(
            "the agent is off in the config (agent = \"off\"); nothing was unlocked",
        )
        .hint("set agent = \"auto\" in the config to use it")
        .into());
    }
    // A missing vault and an identity vault are reported before any prompt.
    let vault = ctx.read_vault_file()?;
    let key_file = ctx.key_file();
    let data = ctx.read_key_file()?;
    let key = agent::KeyRef::new(&key_file, &data);
    let (pass, _) = ctx.passphrases().get("vault passphrase")?;
    let inner = keys::decrypt_with_passphrase(&data, pass)?;
    let unlocked = keys::parse_identity_text(&inner, &key_file)?;
    // The agent only ever holds a key that opens this vault.
    keys::decrypt(&vault, &unlocked.identities).map_err(|_| {
        Fail::error(format!(
            "{} does not open this vault; nothing was unlocked",
            key_file.display()
        ))
    })?;
    let timeouts = ctx.agent_timeouts(args.timeout);
    if let Some(warning) = agent::hand_over(
        &ctx.agent_paths(),
        &key,
        &agent::identity_lines(&inner),
        timeouts,
    )? {
        term::warn(&warning);
    }
    let lifetime = timeouts
        .lifetime
        .map(|l| format!(", and at the latest in {}", human(l)))
        .unwrap_or_default();
    term::note(&format!(
        "Unlocked: the agent keeps the key of {} until {} without use{lifetime}, or `otp lock`.",
        ctx.vault_path.display(),
        human(timeouts.idle)
    ));
    Ok(())
}

pub fn lock(ctx: &Ctx) -> Result<()> {
    match agent::lock_all(&ctx.agent_paths())? {
        agent::Locked::Forgot => term::note("Locked: the agent forgot every key."),
        agent::Locked::Stopped(pid) => term::note(&format!(
            "Locked: the agent (pid {pid}) did not answer, so it was stopped; it forgets every key as it ends."
        )),
        agent::Locked::NoAgent => term::note("No agent runs: nothing was unlocked."),
    }
    Ok(())
}
