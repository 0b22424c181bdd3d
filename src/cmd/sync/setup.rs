//! Setting a machine up: `otp sync init` (this vault into a new or existing
//! repository, pushed to a remote) and `otp sync clone` (another machine's
//! vault from its remote onto this one).

use super::*;

pub(super) fn init(ctx: &Ctx, remote: Option<&str>) -> Result<()> {
    Git::check_installed()?;
    // git would commit a link, not the vault: the remote would never hold
    // the vault itself.
    if std::fs::symlink_metadata(&ctx.vault_path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(Fail::error(format!(
            "{} is a symbolic link; `otp sync` keeps the vault itself in git, and would commit only the link; nothing was changed",
            ctx.vault_path.display()
        ))
        .hint("use either git or a synced folder, not both: replace the link by the file (`cp --remove-destination \"$(readlink -f VAULT)\" VAULT`), or keep the vault in the synced folder with --vault and no `otp sync`")
        .into());
    }
    // Opening it proves this machine holds a key before sharing the vault.
    let (vault, unlocked) = ctx.load()?;
    let repo = Repo::of(ctx)?;
    if vault.auth_key.is_none() {
        // Before the folder is set up, so the key is made here, once.
        ctx.record_without_change(&unlocked, |v| {
            v.ensure_auth_key(random32);
        })?;
    }
    let _lock = ctx.lock()?;
    if repo.git.exists() {
        if Repo::set_up(ctx).is_some() && remote.is_none() {
            term::note(&format!(
                "{} is already set up for sync.",
                repo.git.dir.display()
            ));
        }
    } else {
        repo.git.run(["init", "-q"])?;
        repo.git.run(["symbolic-ref", "HEAD", "refs/heads/main"])?;
    }
    repo.install(ctx)?;
    repo.commit(&format!("otp: sync init (change {})", vault.changes))?;
    repo.git.run(["config", AUTHENTICATED, "true"])?;
    term::note(&format!(
        "{} is now a git repository; every change is committed.",
        repo.git.dir.display()
    ));
    let Some(remote) = remote else {
        term::note(
            "Next: `otp sync init REMOTE` (or `git remote add origin URL` there), then `otp sync`.",
        );
        return Ok(());
    };
    match repo.git.config("remote.origin.url")? {
        Some(url) if url != remote => {
            return Err(Fail::error(format!(
                "the repository already has the remote origin {}",
                sanitize(&url)
            ))
            .hint("change it with `git remote set-url origin URL` in the vault's folder")
            .into());
        }
        Some(_) => {}
        None => {
            repo.git.run(["remote", "add", "origin", remote])?;
        }
    }
    let branch = repo.branch()?;
    repo.git
        .run(["config", &format!("branch.{branch}.remote"), "origin"])?;
    repo.git.run([
        "config",
        &format!("branch.{branch}.merge"),
        &format!("refs/heads/{branch}"),
    ])?;
    match push(&repo, "origin", &branch)? {
        Pushed::Done => {
            record_sync(&repo);
            term::note(&format!("Pushed to {}.", sanitize(remote)));
            Ok(())
        }
        Pushed::Rejected => Err(Fail::error(format!(
            "{} already holds a different history; nothing was pushed",
            sanitize(remote)
        ))
        .hint("on a machine that should take the vault from there, use `otp sync clone REMOTE` instead; to fold two vaults together see docs/sync.md")
        .into()),
        Pushed::Failed(said) => Err(unreachable(remote, &said)),
    }
}

pub(super) fn clone(ctx: &Ctx, remote: &str) -> Result<()> {
    Git::check_installed()?;
    let repo = Repo::of(ctx)?;
    for path in [ctx.vault_path.clone(), repo.key_path()] {
        if path.exists() {
            return Err(Fail::error(format!(
                "{} already exists here; nothing was changed",
                path.display()
            ))
            .hint("clone into another vault path (--vault PATH or OTP_VAULT), or move this one away first; to combine two vaults see docs/sync.md")
            .into());
        }
    }
    if repo.git.exists() {
        return Err(Fail::error(format!(
            "{} is already a git repository; nothing was changed",
            repo.git.dir.display()
        ))
        .hint("clone into another vault path (--vault PATH or OTP_VAULT)")
        .into());
    }
    store::create_private_dir(&repo.git.dir)?;
    let _lock = ctx.lock()?;
    let result = clone_into(ctx, &repo, remote);
    if result.is_err() {
        // Only the repository this run made is removed.
        let _ = std::fs::remove_dir_all(repo.git.dir.join(".git"));
        for name in [".gitignore", ".gitattributes"] {
            let _ = std::fs::remove_file(repo.git.dir.join(name));
        }
    }
    result
}

pub(super) fn clone_into(ctx: &Ctx, repo: &Repo, remote: &str) -> Result<()> {
    repo.git.run(["init", "-q"])?;
    repo.git.run(["remote", "add", "origin", remote])?;
    let out = repo.git.output(["fetch", "-q", "origin"])?;
    if !out.status.success() {
        return Err(Fail::error(format!(
            "cannot fetch from {}: {}; nothing was set up",
            sanitize(remote),
            sanitize(String::from_utf8_lossy(&out.stderr).trim())
        ))
        .hint("check the URL and your access to it (`git ls-remote URL`), then try again")
        .into());
    }
    let branch = remote_branch(repo)?;
    let tracking = format!("refs/remotes/origin/{branch}");
    if repo.git.show(&tracking, &repo.vault)?.is_none() {
        return Err(Fail::error(format!(
            "{} has no {} on its branch {branch}; nothing was set up",
            sanitize(remote),
            repo.vault
        ))
        .hint("give the remote that `otp sync init REMOTE` pushed to")
        .into());
    }
    repo.git.run([
        "checkout",
        "-q",
        "-b",
        branch.as_str(),
        "--track",
        tracking.as_str(),
    ])?;
    repo.install(ctx)?;
    record_sync(repo);
    term::note(&format!(
        "Cloned the vault into {}. It opens with the same passphrase or identity as on the other machine; \
         or give this machine its own key (`age-keygen -o key.txt`), add its public key there with \
         `otp recipients add`, `otp sync` there, then `otp sync` here.",
        ctx.vault_path.display()
    ));
    Ok(())
}

/// The remote's default branch (its HEAD), else `main` or `master`.
pub(super) fn remote_branch(repo: &Repo) -> Result<String> {
    if let Ok(out) = repo.git.run(["ls-remote", "--symref", "origin", "HEAD"]) {
        for line in out.lines() {
            if let Some(rest) = line.strip_prefix("ref: refs/heads/")
                && let Some((branch, _)) = rest.split_once('\t')
            {
                return Ok(branch.to_string());
            }
        }
    }
    for branch in ["main", "master"] {
        if repo
            .git
            .rev(&format!("refs/remotes/origin/{branch}"))?
            .is_some()
        {
            return Ok(branch.to_string());
        }
    }
    Err(
        Fail::error("the remote has no branch to clone; nothing was set up")
            .hint(
                "push the vault there first with `otp sync init REMOTE` on the machine that has it",
            )
            .into(),
    )
}
