//! `otp rename`: a new name (and optionally issuer) for one account.

use anyhow::Result;

use crate::cli::RenameArgs;
use crate::cmd::{Ctx, now};
use crate::error::{Code, Fail};
use crate::term;
use crate::text::sanitize;

pub fn run(ctx: &Ctx, args: RenameArgs) -> Result<()> {
    // The message is printed only once the vault is saved.
    let message = ctx.update(|vault, _| {
        let i = vault.find(&args.query)?;
        let issuer = args
            .issuer
            .clone()
            .unwrap_or_else(|| vault.accounts[i].issuer.clone());
        if issuer.is_empty() && args.new_name.is_empty() {
            return Err(Fail::new(Code::Usage, "an account needs a name or an issuer").into());
        }
        // Another account with the new label (label identity), even where
        // an older vault holds look-alikes of this one too.
        let key = crate::model::label::key(&issuer, &args.new_name);
        if let Some(j) = (0..vault.accounts.len()).filter(|&j| j != i).find(|&j| {
            crate::model::label::key(&vault.accounts[j].issuer, &vault.accounts[j].name) == key
        }) {
            let other = &vault.accounts[j];
            return Err(Fail::new(
                Code::Conflict,
                format!(
                    "another account is already called {} ({}); nothing was changed",
                    sanitize(&other.label()),
                    other.id
                ),
            )
            .into());
        }
        let a = &mut vault.accounts[i];
        let old = a.label();
        a.issuer = issuer;
        a.name = args.new_name.clone();
        a.updated = now();
        Ok(format!(
            "Renamed {} to {}",
            sanitize(&old),
            sanitize(&a.label())
        ))
    })?;
    term::note(&message);
    Ok(())
}
