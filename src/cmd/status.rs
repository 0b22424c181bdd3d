//! `otp status`: where the vault is, how it opens, what it holds.

use anyhow::Result;

use crate::cli::StatusArgs;
use crate::cmd::{Ctx, backup, out, recipients, recovery_codes};
use crate::term::sanitize;

pub fn run(ctx: &Ctx, args: StatusArgs) -> Result<()> {
    let (vault, unlocked) = ctx.load()?;
    let method = unlocked.method.to_string();
    let at_risk: Vec<String> = recovery_codes::at_risk(&vault)
        .iter()
        .map(|a| a.label())
        .collect();
    let revoked = vault.recovery_revoked.map(|t| t.date().to_string());
    if args.json {
        let mut value = serde_json::json!({
            "vault": ctx.vault_path,
            "accounts": vault.accounts.len(),
            "trash": vault.trash.len(),
            "unlock": method,
            "changes": vault.changes,
            "recipients": vault.recipients.len(),
            "devices": recipients::device_count(&vault),
            "recovery_key": vault.recovery.is_some(),
            "recovery_key_revoked": revoked,
            "at_risk": at_risk,
        });
        if let Some(map) = value.as_object_mut() {
            map.extend(backup::status_json(ctx, &vault));
        }
        return out(&format!("{}\n", serde_json::to_string_pretty(&value)?));
    }
    let mut text = format!(
        "vault:      {}\naccounts:   {}\ntrash:      {}\nunlock:     {method}\nrecipients: {}\nchanges:    {}\n",
        ctx.vault_path.display(),
        vault.accounts.len(),
        vault.trash.len(),
        vault.recipients.len(),
        vault.changes,
    );
    text.push_str(&backup::status_text(ctx, &vault));
    if vault.recovery.is_some() {
        text.push_str("recovery key: yes\n");
    } else {
        text.push_str("recovery key: none (`otp recovery-key add` makes one)\n");
        if let Some(day) = &revoked {
            text.push_str(&format!(
                "  one was revoked on {day}: backups made before then still open with it\n"
            ));
        }
    }
    if !at_risk.is_empty() {
        text.push_str(&format!(
            "at risk of lockout: {} (no recovery codes, and the vault opens on one device only)\n",
            at_risk.len()
        ));
        for label in &at_risk {
            text.push_str(&format!("  {}\n", sanitize(label)));
        }
    }
    out(&text)
}
