//! The vault's folder as a git repository: which files it shares, its
//! branch and remote, the merge driver's registration, and commits.

use super::*;

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

    pub(super) fn required(ctx: &Ctx) -> Result<Repo> {
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

    pub(super) fn key_path(&self) -> PathBuf {
        self.git.dir.join(&self.key)
    }

    /// The shared files that exist now.
    pub(super) fn files(&self) -> Vec<String> {
        let mut files = vec![self.vault.clone()];
        for name in [self.key.as_str(), ".gitignore", ".gitattributes"] {
            if self.git.dir.join(name).exists() {
                files.push(name.to_string());
            }
        }
        files
    }

    pub(super) fn gitignore(&self) -> String {
        format!(
            "# otp: only the vault, its passphrase key file and these two files are\n\
             # shared; locks, temporary files, local backups and state stay here.\n\
             /*\n!/.gitignore\n!/.gitattributes\n!/{}\n!/{}\n",
            self.vault, self.key
        )
    }

    pub(super) fn gitattributes(&self) -> String {
        format!(
            "# otp: `git pull` merges the vault by account (`otp sync merge-driver`,\n\
             # registered in .git/config by `otp sync init` and `otp sync clone`).\n\
             /{} merge={DRIVER} -text -diff\n/{} binary\n",
            self.vault, self.key
        )
    }

    /// Writes .gitignore and .gitattributes and registers the driver in
    /// .git/config (a clone has the attributes but not the driver).
    pub(super) fn install(&self, ctx: &Ctx) -> Result<()> {
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
    pub(super) fn register(&self, ctx: &Ctx) -> Result<()> {
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

    pub(super) fn merging(&self) -> bool {
        self.git.dir.join(".git/MERGE_HEAD").exists()
    }

    /// `-c user.name=… -c user.email=…` when git knows no committer (a
    /// fresh machine): commits must not fail for want of a name.
    pub(super) fn ident(&self) -> Result<Vec<String>> {
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

    pub(super) fn branch(&self) -> Result<String> {
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
    pub(super) fn remote(&self, branch: &str) -> Result<String> {
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

    pub(super) fn is_ancestor(&self, a: &str, b: &str) -> Result<bool> {
        Ok(self
            .git
            .output(["merge-base", "--is-ancestor", a, b])?
            .status
            .success())
    }
}
