//! The vault at its own path, checked at every open against this machine's
//! record of the version it last wrote or accepted (src/model/record.rs;
//! docs/trust.md, "The vault at its own path"), and `otp sync accept`, which
//! takes the vault as it is when the user put it there on purpose.
//!
//! The record lives in this machine's data folder (beside the writer id),
//! never beside the vault: a vault kept in a synced folder can be replaced
//! by anyone who can write that folder, and its record must not be.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::cmd::{After, Ctx, now, random16};
use crate::error::{Code, Fail};
use crate::model::Vault;
use crate::model::auth;
use crate::model::record::{self, How, Record, Seen, Verdict, Wrong};
use crate::term;
use crate::text::sanitize;
use crate::vault::store;

/// What an open of the vault is for, which decides what a diverged vault
/// (another machine's version made in parallel with this machine's last
/// one) may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Open {
    /// Reading: a diverged vault is read, with a warning.
    Read,
    /// A change: a diverged vault is refused (exit 5) until this machine's
    /// version is folded back in.
    Write,
    /// Folding a copy in (`otp sync merge FILE`, `otp sync`): the way a
    /// diverged vault is mended.
    Merge,
}

impl Ctx {
    /// Where this machine keeps the record of the vault at
    /// [`Ctx::vault_path`]: `<vault file name>.<16 hex digits>.trust` in
    /// the data folder, the digits naming the vault's folder (so two vaults
    /// of one name in two folders have two records).
    pub fn record_path(&self) -> PathBuf {
        let mut name = self
            .vault_path
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        name.push(format!(
            ".{}.trust",
            &auth::file_hash(self.record_key().as_bytes())[..16]
        ));
        self.data_dir.join(name)
    }

    /// The vault's path as the record names it: its folder resolved
    /// (symbolic links followed), the file name as given.
    fn record_key(&self) -> String {
        let path = std::path::absolute(&self.vault_path).unwrap_or(self.vault_path.clone());
        let resolved = match (path.parent(), path.file_name()) {
            (Some(dir), Some(name)) => std::fs::canonicalize(dir)
                .map(|d| d.join(name))
                .unwrap_or(path.clone()),
            _ => path.clone(),
        };
        resolved.to_string_lossy().into_owned()
    }

    /// This machine's record of the vault; `None` when there is none yet.
    /// A damaged one counts as none (trust on first use again), with a
    /// warning.
    pub fn read_record(&self) -> Option<Record> {
        let path = self.record_path();
        let text = std::fs::read_to_string(&path).ok()?;
        let record = Record::parse(&text);
        if record.is_none() {
            term::warn(&format!(
                "{} is not a record otp can read; it is replaced by the vault as it is now (trust on first use)",
                path.display()
            ));
        }
        record
    }

    /// Records `vault` (just written or accepted) as the version this
    /// machine last wrote or accepted. A failure only warns: the vault is
    /// saved, and the next open finds it ahead of the record and takes it.
    pub fn write_record(&self, vault: &Vault, how: How) {
        let record = Record::of(vault, &self.record_key(), how, now());
        if let Err(e) = write_private(&self.record_path(), record.to_toml().as_bytes()) {
            term::warn(&format!(
                "could not record the vault's version in {}: {e:#}",
                self.record_path().display()
            ));
        }
    }

    /// Checks the vault at its path (`vault`, parsed from the plaintext
    /// `text`) against this machine's record, for `open`: refused (exit 6)
    /// when forged, altered, of another vault or rolled back; a diverged
    /// one is refused for a change (exit 5). A newer version, a first use
    /// and a keyless vault move the record.
    pub fn vet_local(&self, text: &str, vault: &Vault, open: Open) -> Result<()> {
        let record = self.read_record();
        match record::judge(record.as_ref(), &Seen::of(vault, text)) {
            Ok(Verdict::Same) => Ok(()),
            Ok(Verdict::Ahead) => {
                self.write_record(vault, How::Accepted);
                Ok(())
            }
            Ok(Verdict::Unkeyed) => {
                let how = if record.is_some() {
                    How::Accepted
                } else {
                    How::FirstUse
                };
                self.write_record(vault, how);
                Ok(())
            }
            Ok(Verdict::FirstUse) => {
                term::note(&format!(
                    "this machine had no record of the vault at {} yet: it now trusts this version (trust on first use) and from now on refuses a vault made with another key, or an older version (docs/trust.md)",
                    self.vault_path.display()
                ));
                self.write_record(vault, How::FirstUse);
                Ok(())
            }
            Ok(Verdict::Diverged) => {
                let record = record.expect("diverged from a record");
                match open {
                    Open::Merge => Ok(()),
                    Open::Read => {
                        term::warn(&diverged(&self.vault_path, &record, vault));
                        Ok(())
                    }
                    Open::Write => Err(Fail::new(
                        Code::Conflict,
                        format!(
                            "{}; nothing was written",
                            diverged(&self.vault_path, &record, vault)
                        ),
                    )
                    .hint(DIVERGED_HINT)
                    .into()),
                }
            }
            Err(wrong) => Err(refusal(&self.vault_path, wrong, record.as_ref(), vault)),
        }
    }
}

const DIVERGED_HINT: &str = "fold this machine's version back in: `otp status` lists the conflict copies beside the vault; run `otp sync merge COPY` for each. If there is none (deleted, or not yours), `otp sync accept` takes the vault as it is, without this machine's last changes (docs/trust.md, \"Two machines wrote at once\")";

fn diverged(path: &Path, record: &Record, vault: &Vault) -> String {
    format!(
        "the vault at {} is another machine's version (change {}), made in parallel with the last one this machine wrote or accepted (change {}), which it does not hold; the folder-sync tool keeps that one in a conflict copy, and changes here wait until it is merged",
        path.display(),
        vault.changes,
        record.changes
    )
}

/// The exit-6 refusal of the vault at `path`.
fn refusal(path: &Path, wrong: Wrong, record: Option<&Record>, vault: &Vault) -> anyhow::Error {
    let what = match wrong {
        Wrong::Altered => {
            "was changed by something other than otp: its authentication tag does not match what it holds (a hand edit, or someone who wrote it without the vault's key)".to_string()
        }
        Wrong::Unproven => {
            "carries no authentication key, but the version this machine last wrote or accepted had one: none of your machines wrote it".to_string()
        }
        Wrong::OtherKey => {
            "is forged: it is not tagged with this vault's authentication key, so none of your machines wrote it (a vault made with your public key?)".to_string()
        }
        Wrong::OtherVault => {
            "is another vault: its vault id is not the one this machine last wrote or accepted".to_string()
        }
        Wrong::RolledBack => format!(
            "is rolled back: it is an older version (change {}) than the last one this machine wrote or accepted (change {})",
            vault.changes,
            record.map_or(0, |r| r.changes)
        ),
    };
    let shown = path.display().to_string();
    let way_out = match wrong {
        Wrong::RolledBack =>
            "if you did not put it there, the newer version is gone from its folder: get it back (another of your machines, the folder-sync tool's file history, or `otp recover BACKUP` after moving this file aside), then take anything you need from this one with `otp recover FILE`; if you restored this older version on purpose, `otp sync accept` takes it as it is (docs/trust.md, \"The vault at its own path\")".to_string(),
        _ => format!(
            "if you did not put it there, someone who can write its folder did: move it aside (`mv {0} {0}.refused`), bring your vault back (another of your machines, the folder-sync tool's file history, or `otp recover BACKUP`), then take any account you want from the refused file with `otp recover {0}.refused`; if you put it there on purpose, `otp sync accept` takes it as it is (docs/trust.md, \"The vault at its own path\")",
            crate::cmd::sync::git::shell_quote(&shown)
        ),
    };
    Fail::new(
        Code::Unproven,
        format!(
            "the vault at {} {what}; nothing was written",
            sanitize(&shown)
        ),
    )
    .hint(way_out)
    .into()
}

/// Writes `data` to `path` atomically, readable by this user only.
fn write_private(path: &Path, data: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        store::create_private_dir(dir)?;
    }
    store::write_atomic(path, data)
}

/// `otp sync accept`: takes the vault at its path as it is — a version the
/// user put there on purpose (an older one restored, a vault made
/// elsewhere, another machine's version when this machine's is not
/// wanted) — and saves it as a new version written here, newer than
/// every version this machine recorded, so this machine and the others
/// take it from now on.
pub fn accept(ctx: &Ctx) -> Result<()> {
    let unlocked = ctx.unlock()?;
    let locked = ctx.lock()?;
    let text = Ctx::plaintext_of(ctx.open_vault_file()?, &unlocked)?;
    let mut vault = Vault::parse(&text)?;
    let record = ctx.read_record();
    let verdict = record::judge(record.as_ref(), &Seen::of(&vault, &text));
    if let Ok(Verdict::Same | Verdict::Ahead | Verdict::Unkeyed | Verdict::FirstUse) = verdict {
        if verdict != Ok(Verdict::Same) {
            ctx.write_record(&vault, How::AcceptedByYou);
        }
        term::note(&format!(
            "the vault at {} is already trusted here: nothing to accept",
            ctx.vault_path.display()
        ));
        return Ok(());
    }
    let was = match verdict {
        Err(Wrong::Altered) => "changed by something other than otp",
        Err(Wrong::Unproven) => "without an authentication key",
        Err(Wrong::OtherKey) => "made with another authentication key",
        Err(Wrong::OtherVault) => "another vault",
        Err(Wrong::RolledBack) => "an older version",
        _ => "another machine's version, without this machine's last one",
    };
    // Newer than everything recorded here: other machines that saw those
    // versions take this one as newer too.
    if let Some(r) = &record {
        vault.versions = auth::join(&vault.versions, &r.versions);
    }
    vault.ensure_id(random16);
    ctx.ensure_auth_key(&mut vault);
    vault.changes = vault.changes.saturating_add(1);
    locked.save_opening(&mut vault, &unlocked)?;
    ctx.write_record(&vault, How::AcceptedByYou);
    term::note(&format!(
        "accepted the vault at {} ({was}) as it is: {} account(s), {} in the trash; saved as a new version written here",
        ctx.vault_path.display(),
        vault.accounts.len(),
        vault.trash.len()
    ));
    let own = unlocked.recipients.list();
    for r in &vault.recipients {
        if own.iter().any(|o| crate::cmd::recipients::same(o, r)) {
            continue;
        }
        term::warn(&format!(
            "the vault is also encrypted to {} ({}); if that key is not yours: otp recipients remove {}",
            sanitize(r),
            crate::cmd::recipients::role(&vault, r),
            sanitize(r)
        ));
    }
    locked.after_save(&vault, Some(&unlocked), After::Change);
    Ok(())
}
