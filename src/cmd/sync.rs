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
        Some(SyncCommand::MergeDriver { base, ours, theirs }) => {
            merge_driver(ctx, &base, &ours, &theirs)
        }
    }
}

/// The vault's folder as a repository, and the names of the files in it.
pub struct Repo {
    pub git: Git,
    pub vault: String,
    pub key: String,
}

impl Repo {
    pub fn of(ctx: &Ctx) -> Result<Repo> {
        let dir = match ctx.vault_path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = |p: &Path| {
            p.file_name()
                .and_then(|n| n.to_str())
                .map(str::to_string)
                .ok_or_else(|| {
                    Fail::error(format!(
                        "`otp sync` needs a vault file name that is plain text, not {}",
                        p.display()
                    ))
                })
        };
        Ok(Repo {
            git: Git::new(&dir),
            vault: name(&ctx.vault_path)?,
            key: name(&ctx.key_file())?,
        })
    }

    /// The repository when `otp sync init` (or `clone`) set it up: it
    /// exists and its .gitattributes hands the vault to otp's driver.
    pub fn set_up(ctx: &Ctx) -> Option<Repo> {
        let repo = Repo::of(ctx).ok()?;
        let attributes = std::fs::read_to_string(repo.git.dir.join(".gitattributes")).ok()?;
        (repo.git.exists() && attributes.contains(&format!("merge={DRIVER}"))).then_some(repo)
    }

    fn required(ctx: &Ctx) -> Result<Repo> {
        Git::check_installed()?;
        Repo::set_up(ctx).ok_or_else(|| {
            Fail::error(format!(
                "the vault's folder {} is not set up for sync",
                Repo::of(ctx).map_or_else(|_| "?".into(), |r| r.git.dir.display().to_string())
            ))
            .hint("`otp sync init [REMOTE]` on the first machine, `otp sync clone REMOTE` on the others")
            .into()
        })
    }

    fn key_path(&self) -> PathBuf {
        self.git.dir.join(&self.key)
    }

    /// The shared files that exist now.
    fn files(&self) -> Vec<String> {
        let mut files = vec![self.vault.clone()];
        for name in [self.key.as_str(), ".gitignore", ".gitattributes"] {
            if self.git.dir.join(name).exists() {
                files.push(name.to_string());
            }
        }
        files
    }

    fn gitignore(&self) -> String {
        format!(
            "# otp: only the vault, its passphrase key file and these two files are\n\
             # shared; locks, temporary files, local backups and state stay here.\n\
             /*\n!/.gitignore\n!/.gitattributes\n!/{}\n!/{}\n",
            self.vault, self.key
        )
    }

    fn gitattributes(&self) -> String {
        format!(
            "# otp: `git pull` merges the vault by account (`otp sync merge-driver`,\n\
             # registered in .git/config by `otp sync init` and `otp sync clone`).\n\
             /{} merge={DRIVER} -text -diff\n/{} binary\n",
            self.vault, self.key
        )
    }

    /// Writes .gitignore and .gitattributes and registers the driver in
    /// .git/config (a clone has the attributes but not the driver).
    fn install(&self, ctx: &Ctx) -> Result<()> {
        // One vault per folder: the other's files would stop being shared.
        let attributes = self.git.dir.join(".gitattributes");
        if let Ok(text) = std::fs::read_to_string(&attributes)
            && text.contains(&format!("merge={DRIVER}"))
            && !text.contains(&format!("/{} merge={DRIVER}", self.vault))
        {
            return Err(Fail::error(format!(
                "{} already syncs another vault; nothing was changed",
                self.git.dir.display()
            ))
            .hint("keep each synced vault in a folder of its own (--vault DIR/vault.age)")
            .into());
        }
        for (name, text) in [
            (".gitignore", self.gitignore()),
            (".gitattributes", self.gitattributes()),
        ] {
            let path = self.git.dir.join(name);
            if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                store::write_atomic(&path, text.as_bytes())?;
            }
        }
        self.register(ctx)
    }

    /// The driver runs this very binary on this vault: re-registered on
    /// every `otp sync`, so a moved binary still works.
    fn register(&self, ctx: &Ctx) -> Result<()> {
        let exe = std::env::current_exe().context("cannot find the otp binary's path")?;
        let vault = std::path::absolute(&ctx.vault_path)
            .with_context(|| format!("cannot resolve {}", ctx.vault_path.display()))?;
        let driver = format!(
            "{} --vault {} sync merge-driver %O %A %B",
            git::shell_quote(&exe.to_string_lossy()),
            git::shell_quote(&vault.to_string_lossy())
        );
        // A plain `git pull` of diverged histories stops and asks how to
        // reconcile them unless told; merging is what the driver is for.
        // A choice the user made (in any config) stays theirs.
        if self.git.config("pull.rebase")?.is_none() && self.git.config("pull.ff")?.is_none() {
            self.git.run(["config", "pull.rebase", "false"])?;
        }
        let key = format!("merge.{DRIVER}.driver");
        if self.git.config(&key)?.as_deref() != Some(driver.as_str()) {
            self.git.run([
                "config",
                &format!("merge.{DRIVER}.name"),
                "otp: merge the vault by account",
            ])?;
            self.git.run(["config", &key, &driver])?;
        }
        Ok(())
    }

    fn merging(&self) -> bool {
        self.git.dir.join(".git/MERGE_HEAD").exists()
    }

    /// `-c user.name=… -c user.email=…` when git knows no committer (a
    /// fresh machine): commits must not fail for want of a name.
    fn ident(&self) -> Result<Vec<String>> {
        if self
            .git
            .output(["var", "GIT_COMMITTER_IDENT"])?
            .status
            .success()
            && self
                .git
                .output(["var", "GIT_AUTHOR_IDENT"])?
                .status
                .success()
        {
            return Ok(Vec::new());
        }
        Ok(["-c", "user.name=otp", "-c", "user.email=otp@localhost"]
            .map(String::from)
            .to_vec())
    }

    /// Commits the shared files if they changed. `message` names the
    /// operation and the change counter only.
    pub fn commit(&self, message: &str) -> Result<bool> {
        let files = self.files();
        let mut add = vec!["add".to_string(), "--".to_string()];
        add.extend(files.iter().cloned());
        self.git.run(&add)?;
        let staged = self.git.output(
            ["diff", "--cached", "--quiet", "--"]
                .iter()
                .map(|s| s.to_string())
                .chain(files.iter().cloned()),
        )?;
        if staged.status.success() {
            return Ok(false);
        }
        let mut commit: Vec<String> = ["commit", "-q", "-m", message, "--"]
            .map(String::from)
            .to_vec();
        commit.extend(files);
        // Two git processes fewer on every change: who commits is asked
        // only when git cannot tell by itself.
        let out = self.git.output(&commit)?;
        if !out.status.success() {
            let mut again = self.ident()?;
            if again.is_empty() {
                return Err(git::GitError {
                    args: "commit".into(),
                    stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
                }
                .into());
            }
            again.extend(commit);
            self.git.run(&again)?;
        }
        Ok(true)
    }

    fn branch(&self) -> Result<String> {
        self.git
            .run(["symbolic-ref", "--short", "-q", "HEAD"])
            .map_err(|_| {
                Fail::error(format!(
                    "the repository in {} is not on a branch",
                    self.git.dir.display()
                ))
                .hint("check out its branch (`git checkout main`), then try again")
                .into()
            })
    }

    /// The remote the branch tracks (`origin` when it tracks none yet).
    fn remote(&self, branch: &str) -> Result<String> {
        if let Some(r) = self.git.config(&format!("branch.{branch}.remote"))? {
            return Ok(r);
        }
        if self.git.config("remote.origin.url")?.is_some() {
            return Ok("origin".into());
        }
        Err(Fail::error("the vault's repository has no remote to sync with")
            .hint("add one: `otp sync init REMOTE` (or `git remote add origin URL` in the vault's folder)")
            .into())
    }

    fn is_ancestor(&self, a: &str, b: &str) -> Result<bool> {
        Ok(self
            .git
            .output(["merge-base", "--is-ancestor", a, b])?
            .status
            .success())
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

/// What `otp status` shows about sync: None when the vault's folder is not
/// set up for it. Ahead/behind are as of the last fetch (no network here).
pub fn status(ctx: &Ctx) -> Option<serde_json::Value> {
    let repo = Repo::set_up(ctx)?;
    let branch = repo.branch().ok();
    let remote = branch.as_deref().and_then(|b| repo.remote(b).ok());
    let url = remote
        .as_deref()
        .and_then(|r| repo.git.config(&format!("remote.{r}.url")).ok().flatten())
        .map(|u| redact_url(&u));
    let (mut ahead, mut behind) = (None, None);
    if let (Some(b), Some(r)) = (&branch, &remote)
        && let Ok(counts) = repo.git.run([
            "rev-list",
            "--left-right",
            "--count",
            &format!("HEAD...refs/remotes/{r}/{b}"),
        ])
        && let Some((a, z)) = counts.split_once('\t')
    {
        ahead = a.trim().parse::<u64>().ok();
        behind = z.trim().parse::<u64>().ok();
    }
    let uncommitted = repo
        .git
        .output(
            ["diff", "--quiet", "HEAD", "--"]
                .map(String::from)
                .into_iter()
                .chain(repo.files()),
        )
        .ok()
        .map(|o| !o.status.success());
    Some(serde_json::json!({
        "repository": repo.git.dir,
        "branch": branch,
        "remote": url,
        "ahead": ahead,
        "behind": behind,
        "last_sync": repo.git.config("otp.lastSync").ok().flatten(),
        "uncommitted": uncommitted,
        "merge_in_progress": repo.merging(),
        "refused": repo.git.config(REFUSED).ok().flatten(),
    }))
}

/// A remote URL without the password or token some HTTPS URLs carry.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://") {
        let end = rest.find('/').unwrap_or(rest.len());
        if let Some(at) = rest[..end].rfind('@') {
            return format!("{scheme}://***@{}", &rest[at + 1..]);
        }
    }
    url.to_string()
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

fn init(ctx: &Ctx, remote: Option<&str>) -> Result<()> {
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

fn unreachable(remote: &str, said: &str) -> anyhow::Error {
    Fail::error(format!(
        "cannot reach the remote {}: {}",
        sanitize(remote),
        sanitize(said.trim())
    ))
    .hint("your changes are committed here and nothing is lost; run `otp sync` again when the remote is reachable")
    .into()
}

enum Pushed {
    Done,
    /// The remote moved on: fetch, merge, try again.
    Rejected,
    Failed(String),
}

fn push(repo: &Repo, remote: &str, branch: &str) -> Result<Pushed> {
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

fn record_sync(repo: &Repo) {
    let at = now()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let _ = repo.git.run(["config", "otp.lastSync", &at]);
    let _ = repo.git.run(["config", "--unset", REFUSED]);
}

fn sync(ctx: &Ctx, keep_both: bool) -> Result<()> {
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

/// The remote's vault at `theirs`, checked against `here` (this machine's,
/// or None when it does not open here) and with its key file: taken only
/// when proven (src/cmd/sync/vet.rs); refused with exit 6 otherwise.
fn vet_remote(repo: &Repo, here: Option<&Vault>, theirs: &str, keys: &Unlocked) -> Result<Vetted> {
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

fn theirs_bytes(repo: &Repo, rev: &str) -> Result<Vec<u8>> {
    repo.git.show(rev, &repo.vault)?.ok_or_else(|| {
        Fail::error(format!("the remote's version has no {}", repo.vault))
            .hint("check that the remote holds this vault (docs/sync.md)")
            .into()
    })
}

fn merge_failure(e: MergeError) -> anyhow::Error {
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

fn show_notes(merged: &Merged) {
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
fn fast_forward(
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
    let here = open(&ctx.read_vault_file()?, keys, "this machine's vault").ok();
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
    locked.after_save(&remote, Some(keys), After::Backup);
    Ok(())
}

/// The three-way merge of this machine's vault and the remote's, with the
/// merge base's from history, committed with both parents.
fn merge_remote(
    ctx: &Ctx,
    locked: &Locked<'_>,
    repo: &Repo,
    head: &str,
    theirs: &str,
    keep_both: bool,
    keys: &Unlocked,
) -> Result<()> {
    let ours = open(&ctx.read_vault_file()?, keys, "this machine's vault")?;
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

fn clone(ctx: &Ctx, remote: &str) -> Result<()> {
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

fn clone_into(ctx: &Ctx, repo: &Repo, remote: &str) -> Result<()> {
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
fn remote_branch(repo: &Repo) -> Result<String> {
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

/// `git pull`'s merge of the vault: git hands three temporary files (base,
/// ours — which receives the result — and theirs). Exit 5 on conflicts:
/// git then marks the vault conflicted and leaves this machine's version.
fn merge_driver(ctx: &Ctx, base: &Path, ours: &Path, theirs: &Path) -> Result<()> {
    let keys = ctx.unlock()?;
    let read = |p: &Path| {
        crate::vault::read::read_capped(p, crate::vault::read::MAX_DOCUMENT)
            .with_context(|| format!("cannot read {}", p.display()))
    };
    let mine = open(&read(ours)?, &keys, "this machine's vault")?;
    let what = "the other side's vault";
    let (other, text) = open_text(&read(theirs)?, &keys, what)?;
    let vetted = vet::vet(Some(&mine), other, &text).map_err(|why| {
        vet::refusal(
            what,
            why,
            "otp's merge driver left the vault conflicted: `git merge --abort`, then see docs/sync.md, \"A refused remote\"",
        )
    })?;
    let first_use = vetted.first_use;
    let other = vetted.vault;
    let base = read(base)
        .ok()
        .filter(|d| !d.is_empty())
        .and_then(|d| open_text(&d, &keys, "the merge base's vault").ok())
        .filter(|(base, text)| common_base(base, text, &mine, &other))
        .map(|(base, _)| base);
    let options = Options {
        now: now(),
        keep_both: false,
        random: random8,
    };
    let merged = match &base {
        Some(base) => merge::merge3(base, &mine, &other, options),
        None => merge::merge2(&mine, &other, options),
    }
    .map_err(|e| merge_failure(e).context("otp's merge driver left the vault conflicted"))?;
    let mut vault = merged.vault.clone();
    vault.changes = vault.changes.saturating_add(1);
    if first_use {
        vault.auth_key = other.auth_key.clone();
    }
    if vault.ensure_auth_key(random32) {
        made_key_note();
    }
    recipients::ensure_still_opens(&vault.recipients, &keys)?;
    let to = keys::parse_recipients(&vault.recipients)?;
    let plain = ctx.seal(&mut vault)?;
    let data = keys::encrypt(plain.as_bytes(), &to, false)?;
    store::write_atomic(ours, &data)?;
    show_notes(&merged);
    Ok(())
}

/// `otp sync merge FILE`: a file-sync conflict copy folded into the vault
/// (two-way: everything on either side kept, differences listed).
fn merge_file(ctx: &Ctx, file: &Path, keep_both: bool) -> Result<()> {
    let data = crate::vault::read::read_capped(file, crate::vault::read::MAX_DOCUMENT)
        .with_context(|| format!("cannot read {}", file.display()))?;
    let shown = file.display().to_string();
    let merged = ctx.update(|vault, keys| {
        let (copy, text) = open_text(&data, keys, &shown)?;
        if let (Some(a), Some(b)) = (&vault.vault_id, &copy.vault_id)
            && a != b
        {
            return Err(merge_failure(MergeError::DifferentVaults));
        }
        let vetted = vet::vet(Some(vault), copy, &text).map_err(|why| {
            vet::refusal(
                &shown,
                why,
                "leave it out: the vault keeps everything your machines wrote; delete the copy once you are sure nothing of yours is only there",
            )
        })?;
        if vetted.order == Order::Same {
            return Ok(Merged {
                vault: vault.clone(),
                notes: Vec::new(),
            });
        }
        if vetted.first_use {
            vault.auth_key = vetted.vault.auth_key.clone();
        }
        let copy = vetted.vault;
        let options = Options {
            now: now(),
            keep_both,
            random: random8,
        };
        let merged = merge::merge2(vault, &copy, options).map_err(merge_failure)?;
        recipients::ensure_still_opens(&merged.vault.recipients, keys)?;
        *vault = merged.vault.clone();
        Ok(merged)
    })?;
    show_notes(&merged);
    term::note(&format!(
        "{} is merged into the vault; delete it once you have checked (`rm {}`).",
        sanitize(&shown),
        git::shell_quote(&shown)
    ));
    Ok(())
}

/// Whether `base` (from git history, parsed from `text`) may serve as the
/// merge base of `ours` and `theirs`: tagged with their key, and a version
/// both come from (neither is older than it). Otherwise the two-way merge,
/// which keeps everything, is used: a forged or made-up base could make a
/// change look like a removal.
fn common_base(base: &Vault, text: &str, ours: &Vault, theirs: &Vault) -> bool {
    let Some(key) = ours.auth_key.as_ref().or(theirs.auth_key.as_ref()) else {
        // Before authentication: as before.
        return true;
    };
    auth::check(text, base.auth_key.as_ref(), key).is_authentic()
        && [ours, theirs]
            .iter()
            .all(|v| matches!(v.order_against(base), Order::Newer | Order::Same))
}

fn made_key_note() {
    term::note(
        "The vault had no authentication key: made one. From now on otp refuses a version of the vault that none of your machines wrote (docs/sync.md, \"What the remote can and cannot do\").",
    );
}

/// `otp sync --push-local`: after a refused remote, this machine's vault
/// (and key file) goes back on the remote, in a commit on top of the
/// remote's (so no push is forced and nothing in history is lost).
fn push_local(ctx: &Ctx) -> Result<()> {
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
