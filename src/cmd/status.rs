//! `otp status`: where the vault is, how it opens, what it holds.

use anyhow::Result;

use crate::cli::StatusArgs;
use crate::cmd::{Ctx, out};

pub fn run(ctx: &Ctx, args: StatusArgs) -> Result<()> {
    let (vault, unlocked) = ctx.load()?;
    let method = unlocked.method.to_string();
    if args.json {
        let value = serde_json::json!({
            "vault": ctx.vault_path,
            "accounts": vault.accounts.len(),
            "trash": vault.trash.len(),
            "unlock": method,
            "changes": vault.changes,
            "recipients": vault.recipients.len(),
        });
        return out(&format!("{}\n", serde_json::to_string_pretty(&value)?));
    }
    let text = format!(
        "vault:      {}\naccounts:   {}\ntrash:      {}\nunlock:     {method}\nrecipients: {}\nchanges:    {}\n",
        ctx.vault_path.display(),
        vault.accounts.len(),
        vault.trash.len(),
        vault.recipients.len(),
        vault.changes,
    );
    out(&text)
}
