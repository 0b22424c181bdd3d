//! `otp init`: create an empty vault and the key that opens it.

use std::path::Path;

use anyhow::Result;

use crate::cli::InitArgs;
use crate::cmd::{Ctx, now, random16, recovery_key};
use crate::error::Fail;
use crate::model::Vault;
use crate::term;
use crate::vault::keys::{self, Method};
use crate::vault::store;

pub fn run(ctx: &Ctx, args: InitArgs) -> Result<()> {
    let recovery = create(ctx, args.generate_identity.as_deref(), args.recovery_key)?;
    if let Some(key) = recovery {
        recovery_key::reveal(&key, &ctx.vault_path, args.qr)?;
    }
    term::note(
        "Next: `otp add` or `otp import`, then `otp backup` — a second factor with no backup is one lost phone away from a lockout.",
    );
    Ok(())
}

/// Creates an empty vault and the key that opens it: a new identity file
/// at `generate_identity`, else the `--identity` given, else a new
/// passphrase (and key file). Refuses if a vault exists. `recover` uses it
/// on a machine that has no vault yet.
pub fn create_vault(ctx: &Ctx, generate_identity: Option<&Path>) -> Result<()> {
    create(ctx, generate_identity, false).map(|_| ())
}

fn create(
    ctx: &Ctx,
    generate_identity: Option<&Path>,
    recovery_key: bool,
) -> Result<Option<recovery_key::NewKey>> {
    if ctx.vault_path.exists() {
        return Err(Fail::error(format!(
            "a vault already exists at {}; nothing was changed",
            ctx.vault_path.display()
        ))
        .hint("use --vault PATH (or OTP_VAULT) for a second vault")
        .into());
    }
    let created = now().format(&time::format_description::well_known::Rfc3339)?;
    let locked = ctx.lock()?;
    let (recipients, how) = if let Some(path) = generate_identity {
        let (secret, recipient) = keys::generate_identity();
        store::write_new(
            path,
            keys::identity_file_text(&secret, &recipient, &created).as_bytes(),
        )?;
        (
            vec![recipient],
            format!(
                "identity file {} (keep a copy somewhere safe)",
                path.display()
            ),
        )
    } else if let Some(path) = &ctx.global.identity {
        let recipients = keys::load_identity_file(path, &ctx.passphrases())?
            .recipients
            .list();
        if recipients.is_empty() {
            return Err(Fail::error(format!(
                "cannot work out the public key of {}",
                path.display()
            ))
            .hint("for an SSH key, put its public key beside it as FILE.pub")
            .into());
        }
        (recipients, Method::Identity(path.clone()).to_string())
    } else {
        let key_file = ctx.key_file();
        if key_file.exists() {
            return Err(Fail::error(format!(
                "{} already exists; nothing was changed",
                key_file.display()
            ))
            .hint("remove it if it belongs to no vault, or use another --vault path")
            .into());
        }
        let (pass, _) = ctx.passphrases().get_new("new vault passphrase")?;
        let (secret, recipient) = keys::generate_identity();
        let text = keys::identity_file_text(&secret, &recipient, &created);
        let sealed = keys::encrypt_with_passphrase(text.as_bytes(), pass)?;
        store::write_new(&key_file, &sealed)?;
        (
            vec![recipient],
            format!("passphrase (key file {})", key_file.display()),
        )
    };
    let mut vault = Vault::new(recipients);
    vault.ensure_id(random16);
    if generate_identity.is_none() && ctx.global.identity.is_none() {
        vault.roles.key_file_recipient = vault.recipients.first().cloned();
    }
    let recovery = match recovery_key {
        true => Some(recovery_key::attach(&mut vault)?),
        false => None,
    };
    // Every version is tagged with a key that lives only inside the
    // vault (src/model/auth.rs).
    vault.ensure_auth_key(crate::cmd::random32);
    locked.create(&mut vault)?;
    term::note(&format!(
        "Created an empty vault at {}",
        ctx.vault_path.display()
    ));
    term::note(&format!("Unlock: {how}"));
    Ok(recovery)
}
