//! `otp remove`: move an account to the trash, after saying plainly what
//! deleting a second factor can cost.

use anyhow::Result;

use crate::cli::RemoveArgs;
use crate::cmd::{Ctx, now, recovery_codes};
use crate::error::Fail;
use crate::model::Trashed;
use crate::term;
use crate::text::sanitize;

pub fn run(ctx: &Ctx, args: RemoveArgs) -> Result<()> {
    // Resolve first, so the question names the account about to go.
    let (vault, unlocked) = ctx.load()?;
    let a = &vault.accounts[vault.find(&args.query)?];
    let (id, label) = (a.id.clone(), sanitize(&a.label()));
    if recovery_codes::at_risk(&vault).iter().any(|r| r.id == id) {
        term::warn_red(&format!(
            "{label} has no recovery codes stored here and this vault opens on one device only: \
             if this is your only copy of its second factor, removing it leaves you locked out of that account. \
             Sign in to the service first and turn 2FA off or move it elsewhere."
        ));
    } else {
        term::warn(&format!(
            "removing {label} deletes its second factor from this vault: without another copy (the service's recovery codes, \
             a backup, another device) you can be locked out of that account"
        ));
    }
    if !args.yes && term::stdin_is_tty() && !term::confirm(&format!("Move {label} to the trash?"))?
    {
        return Err(Fail::error("nothing was removed").into());
    }
    // The same key saves: a passphrase is asked once.
    ctx.update_with(&unlocked, |vault, _| {
        let i = vault.find(&id)?;
        let account = vault.accounts.remove(i);
        vault.trash.push(Trashed {
            deleted: now(),
            account,
        });
        Ok(())
    })?;
    term::note(&format!(
        "Moved {label} to the trash; `otp trash restore {id}` brings it back"
    ));
    Ok(())
}
