//! The one way to change the vault file, and the place to check that
//! nothing is lost.
//!
//! Every writer of the vault takes its lock with [`Ctx::lock`] and writes
//! through the [`Locked`] guard that returns: no other code calls
//! `store::lock` or writes the vault's path, and a save cannot be written
//! without holding the guard. The read-modify-write commands use
//! [`Ctx::update`]; `init`, `recover` onto a new machine, `passwd` and
//! `sync` (which also write the key file or take the remote's version) use
//! the guard directly.
//!
//! What "nothing is lost" means, and where each part is kept:
//!
//! 1. One writer at a time: the exclusive lock `<vault>.lock`
//!    (src/vault/store.rs), waited for at most `lock_timeout_seconds`.
//! 2. A change starts from the file as it is under the lock
//!    ([`Locked::open`]), never from a copy read before it was taken.
//! 3. Whole or not at all: the new file is written beside the old one,
//!    synced and renamed over it (`store::write_atomic`), so an error or a
//!    kill at any point leaves the old vault or the new one. A change that
//!    returns an error saves nothing; one that changes nothing writes
//!    nothing. A new vault never replaces a file (`store::write_new`).
//! 4. Never locked out: a save is refused when the key this command
//!    unlocked with could not open the result ([`Locked::save_opening`]),
//!    and a vault with no recipients is never written.
//! 5. Each save is a new version written here (its writer id and tag,
//!    [`Ctx::seal`]), so other machines and backups can tell it apart, and
//!    is recorded in this machine's data folder as the version it last
//!    wrote ([`Ctx::write_record`]). Every open checks the vault against
//!    that record first ([`Ctx::vet_local`], src/cmd/trust.rs): a vault
//!    someone else put at the path, or an older one, is never written over.
//! 6. After a save, in this order ([`Locked::after_save`]): the change is
//!    committed to git when the vault's folder syncs, then the automatic
//!    backup is written (or the reminder shown). Both only warn when they
//!    fail: the change is saved already. The agent is told only when the
//!    key file changes (`otp passwd` asks it to forget the old key).

use anyhow::Result;

use crate::cmd::{Ctx, Open, backup, random8, random16, recipients, sync};
use crate::error::Fail;
use crate::model::Vault;
use crate::model::record::How;
use crate::vault::keys::{self, Unlocked};
use crate::vault::store;

/// The vault's exclusive lock, held until dropped: the only way to write
/// the vault file.
pub struct Locked<'a> {
    ctx: &'a Ctx,
    _lock: store::Lock,
}

/// What follows a save ([`Locked::after_save`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum After {
    /// A command's change: committed when the folder syncs, then backed up.
    Change,
    /// A version `otp sync` took or merged and commits itself (or a new
    /// vault no repository holds yet): only backed up.
    Backup,
}

impl Ctx {
    /// Takes the vault's exclusive lock (waiting at most
    /// `lock_timeout_seconds`): the one place it is taken.
    pub fn lock(&self) -> Result<Locked<'_>> {
        let lock = store::lock(
            &self.vault_path,
            std::time::Duration::from_secs(self.config.lock_timeout_seconds),
        )?;
        Ok(Locked {
            ctx: self,
            _lock: lock,
        })
    }

    /// One read-modify-write under the exclusive lock. `change` edits the
    /// vault; if anything changed, the change counter is bumped and the vault
    /// re-encrypted and replaced atomically. An error leaves the file as it was.
    pub fn update<T>(&self, change: impl FnOnce(&mut Vault, &Unlocked) -> Result<T>) -> Result<T> {
        self.update_inner(None, Open::Write, change)
    }

    /// [`Ctx::update`] for a change that folds another version in (`otp
    /// sync merge FILE`): a vault diverged from this machine's record is
    /// not refused, since the merge is what mends it.
    pub fn update_merging<T>(
        &self,
        change: impl FnOnce(&mut Vault, &Unlocked) -> Result<T>,
    ) -> Result<T> {
        self.update_inner(None, Open::Merge, change)
    }

    /// [`Ctx::update`] with a key already unlocked in this run, so a
    /// passphrase is not asked (or scrypt run) twice.
    pub fn update_with<T>(
        &self,
        unlocked: &Unlocked,
        change: impl FnOnce(&mut Vault, &Unlocked) -> Result<T>,
    ) -> Result<T> {
        self.update_inner(Some(unlocked), Open::Write, change)
    }

    fn update_inner<T>(
        &self,
        unlocked: Option<&Unlocked>,
        open: Open,
        change: impl FnOnce(&mut Vault, &Unlocked) -> Result<T>,
    ) -> Result<T> {
        let locked = self.lock()?;
        // As in `load`: a missing vault is reported before any prompt.
        let file = self.open_vault_file()?;
        let fresh;
        let unlocked = match unlocked {
            Some(unlocked) => unlocked,
            None => {
                fresh = self.unlock()?;
                &fresh
            }
        };
        let text = Ctx::plaintext_of(file, unlocked)?;
        let mut vault = Vault::parse(&text)?;
        self.vet_local(&text, &vault, open)?;
        drop(text);
        // A vault from before vault ids gets one now, so snapshots taken by
        // `change` carry it; it is saved with the change (alone, it is none).
        vault.ensure_id(random16);
        self.ensure_auth_key(&mut vault);
        // The id this change will have, for the snapshot it may take.
        vault.pending_change = Some(crate::model::auth::hex_id(random8()));
        // Compared as values, not as written text: the vault is serialised
        // once, by `save`, and only when something changed. (The copy's
        // secrets are wiped when it is dropped.)
        let before = vault.clone();
        let out = change(&mut vault, unlocked)?;
        if vault != before {
            vault.changes = vault.changes.saturating_add(1);
            locked.save_opening(&mut vault, unlocked)?;
            locked.after_save(&vault, Some(unlocked), After::Change);
        }
        Ok(out)
    }

    /// Gives a vault from before vault ids its id now (a saved change),
    /// and returns the vault as saved.
    pub fn give_id(&self, unlocked: &Unlocked) -> Result<Vault> {
        let locked = self.lock()?;
        let mut vault = locked.open(unlocked)?;
        if vault.ensure_id(random16) {
            self.ensure_auth_key(&mut vault);
            vault.changes = vault.changes.saturating_add(1);
            locked.save_opening(&mut vault, unlocked)?;
        }
        Ok(vault)
    }

    /// Records something about the vault that is not a change to its
    /// accounts (`otp drill`'s date and result): saved under the lock, the
    /// change counter left alone, so backups do not look out of date.
    pub fn record_without_change(
        &self,
        unlocked: &Unlocked,
        edit: impl FnOnce(&mut Vault),
    ) -> Result<()> {
        let locked = self.lock()?;
        let mut vault = locked.open(unlocked)?;
        edit(&mut vault);
        locked.save_opening(&mut vault, unlocked)
    }
}

impl Locked<'_> {
    /// The vault as it is now, under the lock, checked against this
    /// machine's record of it for a change ([`Ctx::vet_local`]).
    pub fn open(&self, unlocked: &Unlocked) -> Result<Vault> {
        let file = self.ctx.open_vault_file()?;
        let text = Ctx::plaintext_of(file, unlocked)?;
        let vault = Vault::parse(&text)?;
        self.ctx.vet_local(&text, &vault, Open::Write)?;
        Ok(vault)
    }

    /// [`Locked::save`], refused when the key this command unlocked with
    /// could not open the result (its recipient is no longer on the
    /// vault's list): a save must never lock the user out.
    pub fn save_opening(&self, vault: &mut Vault, unlocked: &Unlocked) -> Result<()> {
        recipients::ensure_saved_vault_opens(&vault.recipients, unlocked)?;
        self.save(vault)
    }

    /// Encrypts to the vault's recipients and replaces the file, as the
    /// next version written here ([`Ctx::seal`]).
    pub fn save(&self, vault: &mut Vault) -> Result<()> {
        let data = self.encrypt(vault)?;
        self.replace(&data)?;
        self.ctx.write_record(vault, How::Written);
        Ok(())
    }

    /// Writes a new vault where there is none (`otp init`, `otp recover`
    /// on a new machine): never over an existing file.
    pub fn create(&self, vault: &mut Vault) -> Result<()> {
        let data = self.encrypt(vault)?;
        store::write_new(&self.ctx.vault_path, &data)?;
        self.ctx.write_record(vault, How::Written);
        Ok(())
    }

    /// Replaces the vault with `data`, an encrypted vault already checked
    /// by the caller (`otp sync` taking the remote's version, which then
    /// records it with [`Ctx::write_record`]).
    pub fn replace(&self, data: &[u8]) -> Result<()> {
        store::write_atomic(&self.ctx.vault_path, data)?;
        // Under the lock, after a save that worked: what an otp killed
        // mid-save left behind is cleared (docs/files.md).
        store::remove_stale_temps(&self.ctx.vault_path, store::STALE_TEMP_AGE);
        Ok(())
    }

    fn encrypt(&self, vault: &mut Vault) -> Result<Vec<u8>> {
        let mut recipients = keys::parse_recipients(&vault.recipients)?;
        // A passphrase vault carries its sealed key file in its header, as
        // its backups do (src/export/sealed.rs): a copy of the file made
        // without the key (a scheduled `otp backup`) restores on a new
        // machine with the passphrase alone.
        if !recipients.is_empty()
            && let Some(sealed) = backup::sealed_key(self.ctx)
        {
            let inner = recipients.remove(0);
            recipients.insert(
                0,
                Box::new(crate::export::sealed::Carrier { inner, sealed }),
            );
        }
        if recipients.is_empty() {
            return Err(Fail::error(
                "the vault lists no recipients to encrypt to; nothing was changed",
            )
            .into());
        }
        let plain = self.ctx.seal(vault)?;
        keys::encrypt(plain.as_bytes(), &recipients, false)
    }

    /// The steps after a saved change, in order (see the module doc):
    /// commit (for [`After::Change`]), then the automatic backup or its
    /// reminder. They only warn; the change is saved already.
    pub fn after_save(&self, vault: &Vault, unlocked: Option<&Unlocked>, after: After) {
        if after == After::Change {
            sync::after_change(self.ctx, vault.changes);
        }
        backup::after_change(self.ctx, vault, unlocked);
    }
}
