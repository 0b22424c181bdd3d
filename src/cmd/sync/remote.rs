//! Taking the remote's version: vetted first (src/cmd/sync/vet.rs), then
//! fast-forwarded to or merged three-way with this machine's (the merge
//! base's version only when proven), saved under the lock the caller holds.

use super::*;

/// The remote's vault at `theirs`, checked against `here` (this machine's,
/// or None when it does not open here) and with its key file: taken only
/// when proven (src/cmd/sync/vet.rs); refused with exit 6 otherwise.
pub(super) fn vet_remote(
    repo: &Repo,
    here: Option<&Vault>,
    theirs: &str,
    keys: &Unlocked,
) -> Result<Vetted> {
    let what = "the remote's vault";
    let (vault, text) = open_text(&theirs_bytes(repo, theirs)?, keys, what)?;
    let vetted = vet::vet(here, vault, &text).map_err(|why| refused(repo, theirs, why, what))?;
    // Its key file: the one this machine has, or the one it names.
    if let Some(key) = repo.git.show(theirs, &repo.key)?
        && std::fs::read(repo.key_path()).ok().as_deref() != Some(&key[..])
        && !vet::key_file_named(&vetted.vault, &key)
        && (here.is_some_and(|h| h.auth_key.is_some()) || vetted.first_use)
    {
        return Err(refused(
            repo,
            theirs,
            Why::ForeignKeyFile,
            "the remote's version",
        ));
    }
    if vetted.first_use {
        term::note(
            "This is the first sync since otp learnt to authenticate the vault: took the authentication key another of your machines made. From now on a version of the vault that none of your machines wrote is refused (docs/sync.md, \"Trust on first use\").",
        );
    }
    Ok(vetted)
}

pub(super) fn theirs_bytes(repo: &Repo, rev: &str) -> Result<Vec<u8>> {
    repo.git.show(rev, &repo.vault)?.ok_or_else(|| {
        Fail::error(format!("the remote's version has no {}", repo.vault))
            .hint("check that the remote holds this vault (docs/sync.md)")
            .into()
    })
}

pub(super) fn merge_failure(e: MergeError) -> anyhow::Error {
    match e {
        MergeError::Conflicts(list) => {
            let mut message = format!(
                "{} conflict(s) between this machine and the other; nothing was changed:",
                list.len()
            );
            for c in &list {
                message.push_str(&format!("\n  {}", sanitize(&c.to_string())));
            }
            Fail::new(Code::Conflict, message)
                .hint("make the two agree (e.g. `otp rename` here to the other machine's name) and sync again, or keep both versions as separate accounts with --keep-both")
                .into()
        }
        MergeError::DifferentVaults => Fail::error(format!("{e}; nothing was changed"))
            .hint("merge only copies of this vault; `otp import` or `otp recover --skip-existing` take accounts from another")
            .into(),
        MergeError::DuplicateId(_) => Fail::error(format!("{e}; nothing was changed"))
            .hint("restore a good copy with `otp recover BACKUP`")
            .into(),
    }
}

pub(super) fn show_notes(merged: &Merged) {
    for n in &merged.notes {
        if n.is_warning() {
            term::warn(&sanitize(&n.to_string()));
        } else {
            term::note(&sanitize(&n.to_string()));
        }
    }
}

/// Checks that the remote's vault is this vault and opens here, then
/// takes it (the vault atomically, then the key file, then the branch).
pub(super) fn fast_forward(
    ctx: &Ctx,
    locked: &Locked<'_>,
    repo: &Repo,
    head: &str,
    theirs: &str,
    keys: &mut Option<Unlocked>,
) -> Result<()> {
    let keys = unlocked(ctx, keys)?;
    let data = theirs_bytes(repo, theirs)?;
    // This machine's version may not open here (a machine whose own key
    // was just added on the other one): it has no change of its own then,
    // and nothing to check the remote's with (trust on first use).
    let here = open_text(&ctx.read_vault_file()?, keys, "this machine's vault").ok();
    let here = match here {
        Some((vault, text)) => {
            ctx.vet_local(&text, &vault, crate::cmd::Open::Merge)?;
            Some(vault)
        }
        None => None,
    };
    let vetted = vet_remote(repo, here.as_ref(), theirs, keys)?;
    let remote = vetted.vault;
    if let Some(here) = &here
        && let (Some(a), Some(b)) = (&here.vault_id, &remote.vault_id)
        && a != b
    {
        return Err(merge_failure(MergeError::DifferentVaults));
    }
    if vetted.order == Order::Diverged && here.as_ref().is_some_and(|h| h.auth_key.is_some()) {
        // git says the remote descends from this machine's commit, but its
        // vault does not hold this machine's version: merge, keep both.
        return merge_remote(ctx, locked, repo, head, theirs, false, keys);
    }
    locked.replace(&data)?;
    if let Some(key) = repo.git.show(theirs, &repo.key)?
        && std::fs::read(repo.key_path()).ok().as_deref() != Some(&key[..])
    {
        store::write_atomic(&repo.key_path(), &key)?;
    }
    repo.git.run([
        "update-ref",
        "-m",
        "otp sync: fast-forward",
        "HEAD",
        theirs,
        head,
    ])?;
    repo.git.run(["reset", "-q"])?;
    ctx.write_record(&remote, crate::model::record::How::Accepted);
    locked.after_save(&remote, Some(keys), After::Backup);
    Ok(())
}

/// The three-way merge of this machine's vault and the remote's, with the
/// merge base's from history, committed with both parents.
pub(super) fn merge_remote(
    ctx: &Ctx,
    locked: &Locked<'_>,
    repo: &Repo,
    head: &str,
    theirs: &str,
    keep_both: bool,
    keys: &Unlocked,
) -> Result<()> {
    let (ours, text) = open_text(&ctx.read_vault_file()?, keys, "this machine's vault")?;
    ctx.vet_local(&text, &ours, crate::cmd::Open::Merge)?;
    drop(text);
    let vetted = vet_remote(repo, Some(&ours), theirs, keys)?;
    let first_use = vetted.first_use;
    let remote = vetted.vault;
    let base_rev = repo.git.run(["merge-base", head, theirs]).ok();
    // A base this machine cannot open (made before its key was added), one
    // not proven to be a version both sides come from, or none at all: the
    // two-way merge, which keeps everything.
    let base = base_rev
        .as_deref()
        .and_then(|rev| repo.git.show(rev, &repo.vault).ok().flatten())
        .and_then(|data| open_text(&data, keys, "the merge base's vault").ok())
        .filter(|(base, text)| common_base(base, text, &ours, &remote))
        .map(|(base, _)| base);
    let options = Options {
        now: now(),
        keep_both,
        random: random8,
    };
    let merged = match &base {
        Some(base) => merge::merge3(base, &ours, &remote, options),
        None => merge::merge2(&ours, &remote, options),
    }
    .map_err(merge_failure)?;
    let mut vault = merged.vault.clone();
    vault.changes = vault.changes.saturating_add(1);
    if first_use {
        vault.auth_key = remote.auth_key.clone();
    }
    let made_key = vault.ensure_auth_key(random32);
    recipients::ensure_still_opens(&vault.recipients, keys)?;
    // The key file: the side that changed it wins; both changed it (the
    // passphrase changed on both machines): this machine's stays.
    let key_here = std::fs::read(repo.key_path()).ok();
    let key_there = repo.git.show(theirs, &repo.key)?;
    let key_base = match &base_rev {
        Some(rev) => repo.git.show(rev, &repo.key)?,
        None => None,
    };
    let take_theirs_key = key_there.is_some() && key_here == key_base && key_there != key_here;
    if key_here.is_some()
        && key_there.is_some()
        && key_here != key_base
        && key_there != key_base
        && key_here != key_there
    {
        term::warn(
            "the passphrase was changed on both machines: this machine's key file (and passphrase) is kept",
        );
    }
    if take_theirs_key && let Some(key) = &key_there {
        vault.key_file_hash = Some(auth::file_hash(key));
    } else if let Some(key) = &key_here {
        vault.key_file_hash = Some(auth::file_hash(key));
    }
    locked.save(&mut vault)?;
    if take_theirs_key && let Some(key) = &key_there {
        store::write_atomic(&repo.key_path(), key)?;
    }
    show_notes(&merged);
    if made_key {
        made_key_note();
    }
    repo.git.run(
        ["add", "--"]
            .map(String::from)
            .into_iter()
            .chain(repo.files()),
    )?;
    let tree = repo.git.run(["write-tree"])?;
    let mut args = repo.ident()?;
    args.extend(["commit-tree", tree.as_str(), "-p", head, "-p", theirs, "-m"].map(String::from));
    args.push(format!("otp: sync merge (change {})", vault.changes));
    let commit = repo.git.run(&args)?;
    repo.git.run([
        "update-ref",
        "-m",
        "otp sync: merge",
        "HEAD",
        commit.as_str(),
        head,
    ])?;
    locked.after_save(&vault, Some(keys), After::Backup);
    Ok(())
}

/// Whether `base` (from git history, parsed from `text`) may serve as the
/// merge base of `ours` and `theirs`: tagged with their key, and a version
/// both come from (neither is older than it). Otherwise the two-way merge,
/// which keeps everything, is used: a forged or made-up base could make a
/// change look like a removal.
pub(super) fn common_base(base: &Vault, text: &str, ours: &Vault, theirs: &Vault) -> bool {
    let Some(key) = ours.auth_key.as_ref().or(theirs.auth_key.as_ref()) else {
        // Before authentication: as before.
        return true;
    };
    auth::check(text, base.auth_key.as_ref(), key).is_authentic()
        && [ours, theirs]
            .iter()
            .all(|v| matches!(v.order_against(base), Order::Newer | Order::Same))
}
