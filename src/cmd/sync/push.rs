//! `otp sync` itself: fetch, take or merge the remote's version under the
//! vault's lock, push, and try again when the remote moved on meanwhile;
//! and `otp sync --push-local` after a refused remote.

use super::*;

pub(super) fn unreachable(remote: &str, said: &str) -> anyhow::Error {
    Fail::error(format!(
        "cannot reach the remote {}: {}",
        sanitize(remote),
        sanitize(said.trim())
    ))
    .hint("your changes are committed here and nothing is lost; run `otp sync` again when the remote is reachable")
    .into()
}

pub(super) enum Pushed {
    Done,
    /// The remote moved on: fetch, merge, try again.
    Rejected,
    Failed(String),
}

pub(super) fn push(repo: &Repo, remote: &str, branch: &str) -> Result<Pushed> {
    let refspec = format!("refs/heads/{branch}:refs/heads/{branch}");
    let out = repo
        .git
        .output(["push", "--porcelain", remote, refspec.as_str()])?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.success() {
        // The remote-tracking ref is updated by the push itself.
        return Ok(Pushed::Done);
    }
    // "[rejected]": the remote has commits this machine has not fetched;
    // "cannot lock ref": another push landed while this one ran.
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stdout
        .lines()
        .any(|l| l.starts_with('!') && l.contains("[rejected]"))
        || stderr.contains("cannot lock ref")
    {
        return Ok(Pushed::Rejected);
    }
    Ok(Pushed::Failed(stderr.into_owned()))
}

pub(super) fn record_sync(repo: &Repo) {
    let at = now()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let _ = repo.git.run(["config", "otp.lastSync", &at]);
    let _ = repo.git.run(["config", "--unset", REFUSED]);
}

pub(super) fn sync(ctx: &Ctx, keep_both: bool) -> Result<()> {
    let repo = Repo::required(ctx)?;
    repo.register(ctx)?;
    let branch = repo.branch()?;
    let remote = repo.remote(&branch)?;
    let url = repo
        .git
        .config(&format!("remote.{remote}.url"))?
        .unwrap_or_else(|| remote.clone());
    let mut keys: Option<Unlocked> = None;
    let tracking = format!("refs/remotes/{remote}/{branch}");
    for _ in 0..PUSH_TRIES {
        // The network is used without the vault's lock (other otp commands
        // need not wait for a slow remote); the work tree only with it.
        let out = repo.git.output([
            "fetch",
            "-q",
            remote.as_str(),
            &format!("+refs/heads/{branch}:{tracking}"),
        ])?;
        let fetched = out.status.success();
        let changed_here = {
            let locked = ctx.lock()?;
            if repo.merging() {
                return Err(Fail::error(format!(
                    "a git merge is in progress in {}",
                    repo.git.dir.display()
                ))
                .hint("finish it (`git commit`) or abort it (`git merge --abort`) there, then `otp sync`")
                .into());
            }
            // A change whose commit failed earlier is committed now.
            repo.commit("otp: sync (uncommitted change)")?;
            if !fetched {
                return Err(unreachable(&url, &String::from_utf8_lossy(&out.stderr)));
            }
            let head = repo
                .git
                .rev("HEAD")?
                .context("the repository has no commit")?;
            let changed = match repo.git.rev(&tracking)? {
                Some(theirs) if !repo.is_ancestor(&theirs, &head)? => {
                    if repo.is_ancestor(&head, &theirs)? {
                        fast_forward(ctx, &locked, &repo, &head, &theirs, &mut keys)?;
                    } else {
                        merge_remote(
                            ctx,
                            &locked,
                            &repo,
                            &head,
                            &theirs,
                            keep_both,
                            unlocked(ctx, &mut keys)?,
                        )?;
                    }
                    true
                }
                // Nothing new there.
                _ => false,
            };
            // About to push a vault from before authentication: it gets
            // its key first (once; git config remembers).
            let head = repo.git.rev("HEAD")?;
            if head != repo.git.rev(&tracking)?
                && repo.git.config(AUTHENTICATED)?.as_deref() != Some("true")
            {
                let keys = unlocked(ctx, &mut keys)?;
                let mut vault = open(&ctx.read_vault_file()?, keys, "this machine's vault")?;
                if vault.ensure_auth_key(random32) {
                    vault.changes += 1;
                    locked.save(&mut vault)?;
                    repo.commit(&format!("otp: sync (change {})", vault.changes))?;
                    made_key_note();
                }
                repo.git.run(["config", AUTHENTICATED, "true"])?;
            }
            changed
        };
        let head = repo
            .git
            .rev("HEAD")?
            .context("the repository has no commit")?;
        let remote_has = repo.git.rev(&tracking)?;
        if remote_has.as_deref() == Some(head.as_str()) {
            record_sync(&repo);
            term::note(if changed_here {
                "Synced: took the other machines' changes; nothing to push."
            } else {
                "Already up to date."
            });
            return Ok(());
        }
        match push(&repo, &remote, &branch)? {
            Pushed::Done => {
                repo.git.run([
                    "config",
                    &format!("branch.{branch}.remote"),
                    remote.as_str(),
                ])?;
                repo.git.run([
                    "config",
                    &format!("branch.{branch}.merge"),
                    &format!("refs/heads/{branch}"),
                ])?;
                record_sync(&repo);
                term::note(&format!("Synced with {}.", sanitize(&url)));
                return Ok(());
            }
            Pushed::Rejected => continue,
            Pushed::Failed(said) => return Err(unreachable(&url, &said)),
        }
    }
    Err(Fail::error(format!(
        "{} kept changing while otp merged and pushed ({PUSH_TRIES} tries); everything is committed here",
        sanitize(&url)
    ))
    .hint("run `otp sync` again in a moment")
    .into())
}

/// `otp sync --push-local`: after a refused remote, this machine's vault
/// (and key file) goes back on the remote, in a commit on top of the
/// remote's (so no push is forced and nothing in history is lost).
pub(super) fn push_local(ctx: &Ctx) -> Result<()> {
    let repo = Repo::required(ctx)?;
    let branch = repo.branch()?;
    let remote = repo.remote(&branch)?;
    let url = repo
        .git
        .config(&format!("remote.{remote}.url"))?
        .unwrap_or_else(|| remote.clone());
    let tracking = format!("refs/remotes/{remote}/{branch}");
    let out = repo.git.output([
        "fetch",
        "-q",
        remote.as_str(),
        &format!("+refs/heads/{branch}:{tracking}"),
    ])?;
    if !out.status.success() {
        return Err(unreachable(&url, &String::from_utf8_lossy(&out.stderr)));
    }
    {
        let _lock = ctx.lock()?;
        repo.commit("otp: sync (uncommitted change)")?;
        let head = repo
            .git
            .rev("HEAD")?
            .context("the repository has no commit")?;
        if let Some(theirs) = repo.git.rev(&tracking)?
            && !repo.is_ancestor(&theirs, &head)?
        {
            let tree = repo.git.run(["rev-parse", "HEAD^{tree}"])?;
            let mut args = repo.ident()?;
            args.extend(
                [
                    "commit-tree",
                    tree.as_str(),
                    "-p",
                    head.as_str(),
                    "-p",
                    theirs.as_str(),
                    "-m",
                    "otp: sync --push-local (this machine's vault over a refused remote)",
                ]
                .map(String::from),
            );
            let commit = repo.git.run(&args)?;
            repo.git.run([
                "update-ref",
                "-m",
                "otp sync --push-local",
                "HEAD",
                commit.as_str(),
                head.as_str(),
            ])?;
        }
    }
    match push(&repo, &remote, &branch)? {
        Pushed::Done => {
            record_sync(&repo);
            term::note(&format!(
                "Put this machine's vault back on {}; the refused commit stays in history, unused.",
                sanitize(&url)
            ));
            Ok(())
        }
        Pushed::Rejected => Err(Fail::error(format!(
            "{} moved on while otp pushed; nothing was lost",
            sanitize(&url)
        ))
        .hint("run `otp sync` (or `otp sync --push-local` again)")
        .into()),
        Pushed::Failed(said) => Err(unreachable(&url, &said)),
    }
}
