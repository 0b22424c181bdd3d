//! `otp sync`: the vault's folder as a git repository, merged by account
//! with other machines (docs/sync.md).
//!
//! Only the vault and its passphrase key file are shared. `otp sync` does
//! the merge itself — fetch, decrypt the merge base's, this machine's and
//! the remote's vault, [`merge3`], encrypt, commit with both parents, push —
//! so the vault file is only ever replaced atomically, under the vault's
//! lock. The registered merge driver (`otp sync merge-driver`) runs the
//! same merge when the user types `git pull`. Every saved change commits
//! itself ([`after_change`]); commit messages name the operation and the
//! change counter, never an account.

pub mod copies;
pub mod git;
pub mod vet;

mod driver;
mod push;
mod remote;
mod repo;
mod setup;
mod status;

use driver::{merge_driver, merge_file};
use push::{Pushed, push, push_local, record_sync, sync, unreachable};
use remote::{common_base, fast_forward, merge_failure, merge_remote, show_notes};
pub use repo::Repo;
use setup::{clone, init};
pub use status::{redact_url, status};

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::cli::{SyncArgs, SyncCommand};
use crate::cmd::{After, Ctx, Locked, now, random8, random32, recipients};
use crate::error::{Code, Fail};
use crate::model::Vault;
use crate::model::auth::{self, Order};
use crate::term;
use crate::text::sanitize;
use crate::vault::keys::{self, Unlocked};
use crate::vault::merge::{self, MergeError, Merged, Options};
use crate::vault::store;
use git::Git;
use vet::{Vetted, Why};

/// The name the driver is registered under (`.gitattributes`: `merge=otp`).
const DRIVER: &str = "otp";

/// Tries of fetch, merge, push when the remote moves on in between.
const PUSH_TRIES: usize = 3;

pub fn run(ctx: &Ctx, args: SyncArgs) -> Result<()> {
    match args.command {
        None if args.push_local => push_local(ctx),
        None => sync(ctx, args.keep_both),
        Some(SyncCommand::Init { remote }) => init(ctx, remote.as_deref()),
        Some(SyncCommand::Clone { remote }) => clone(ctx, &remote),
        Some(SyncCommand::Merge { file, keep_both }) => merge_file(ctx, &file, keep_both),
        Some(SyncCommand::Accept) => crate::cmd::trust::accept(ctx),
        Some(SyncCommand::MergeDriver { base, ours, theirs }) => {
            merge_driver(ctx, &base, &ours, &theirs)
        }
    }
}

/// After every saved change: commit it, when the vault's folder is set up
/// for sync. A failure only warns — the change itself is saved, and the
/// next `otp sync` commits it.
pub fn after_change(ctx: &Ctx, changes: u64) {
    let Some(repo) = Repo::set_up(ctx) else {
        return;
    };
    if repo.merging() {
        term::warn(
            "a git merge is in progress in the vault's folder: this change was saved but not committed (finish the merge, then `otp sync`)",
        );
        return;
    }
    let message = format!("otp: {} (change {changes})", ctx.operation);
    if let Err(e) = repo.commit(&message) {
        term::warn(&format!(
            "the change is saved but was not committed to git: {e:#}; `otp sync` commits it"
        ));
    }
}

/// git config key of the last refused remote commit (`otp status`).
const REFUSED: &str = "otp.refused";

/// git config key set once this machine's vault is known to have an
/// authentication key (so a push need not open the vault to check).
const AUTHENTICATED: &str = "otp.authenticated";

/// Records a refusal for `otp status`, and returns it.
fn refused(repo: &Repo, commit: &str, why: Why, what: &str) -> anyhow::Error {
    let short = &commit[..commit.len().min(12)];
    let _ = repo
        .git
        .run(["config", REFUSED, &format!("{short} ({})", why.word())]);
    vet::refusal(
        &format!("{what} at commit {short}"),
        why,
        "check who can push to the remote; to put this machine's vault back there (nothing is lost), run `otp sync --push-local` (docs/sync.md, \"A refused remote\")",
    )
}

fn unlocked<'a>(ctx: &Ctx, keys: &'a mut Option<Unlocked>) -> Result<&'a Unlocked> {
    if keys.is_none() {
        *keys = Some(ctx.unlock()?);
    }
    Ok(keys.as_ref().expect("just set"))
}

/// Decrypts and parses one version of the vault; `what` says which.
fn open(data: &[u8], keys: &Unlocked, what: &str) -> Result<Vault> {
    Ok(open_text(data, keys, what)?.0)
}

/// [`open`], with the plaintext (to check its tag).
fn open_text(
    data: &[u8],
    keys: &Unlocked,
    what: &str,
) -> Result<(Vault, zeroize::Zeroizing<String>)> {
    let plain = keys::decrypt(data, &keys.identities).map_err(|e| {
        if e.is::<keys::KeyUnavailable>() {
            return e;
        }
        Fail::error(format!("this machine's key cannot open {what}"))
            .hint("another machine may have removed this machine's key (`otp recipients list` there); add it back there with `otp recipients add`, sync there, then here")
            .into()
    })?;
    let text = std::str::from_utf8(&plain)
        .map_err(|_| Fail::error(format!("{what} decrypted but is not UTF-8 text")))?;
    let vault = Vault::parse(text).with_context(|| format!("cannot read {what}"))?;
    Ok((vault, zeroize::Zeroizing::new(text.to_string())))
}

fn made_key_note() {
    term::note(
        "The vault had no authentication key: made one. From now on otp refuses a version of the vault that none of your machines wrote (docs/sync.md, \"What the remote can and cannot do\").",
    );
}
