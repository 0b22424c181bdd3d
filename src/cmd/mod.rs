//! The command layer: one file per subcommand, each a short `run`, and
//! where a passphrase comes from (`passphrase`). It reads the clock, the
//! environment and the terminal (through `term`), opens and saves the vault
//! through `vault`, and hands pure modules plain values.

pub mod add;
pub mod backup;
pub mod code;
pub mod completions;
pub mod drill;
pub mod export;
pub mod export_sheet;
pub mod import;
pub mod init;
pub mod list;
pub mod passphrase;
pub mod passwd;
pub mod pick;
pub mod recipients;
pub mod recover;
pub mod recovery_codes;
pub mod recovery_key;
pub mod remove;
pub mod rename;
pub mod show;
pub mod status;
pub mod sync;
pub mod trash;
pub mod unlock;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::agent;
use crate::cli::{Cli, Command, Global};
use crate::cmd::passphrase::PassphraseSources;
use crate::config::{AgentMode, Config};
use crate::error::Fail;
use crate::model::Vault;
use crate::vault::keys::{self, Unlocked};
use crate::vault::{read, store};

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    // Generating completions needs no config (a typo in it must not keep a
    // shell from completing): it runs before the config is read.
    let command = match cli.command {
        Command::Completions(args) => return completions::run(args),
        command => command,
    };
    let mut ctx = Ctx::new(cli.global)?;
    ctx.operation = operation(&command);
    match command {
        Command::Init(args) => init::run(&ctx, args),
        Command::Add(args) => add::run(&ctx, args),
        Command::List(args) => list::run(&ctx, args),
        Command::Code(args) => code::run(&ctx, args),
        Command::Pick(args) => pick::run(&ctx, args),
        Command::Show(args) => show::run(&ctx, args),
        Command::Rename(args) => rename::run(&ctx, args),
        Command::Remove(args) => remove::run(&ctx, args),
        Command::Trash(args) => trash::run(&ctx, args),
        Command::Import(args) => import::run(&ctx, args),
        Command::Status(args) => status::run(&ctx, args),
        Command::Completions(args) => completions::run(args),
        Command::Passwd(args) => passwd::run(&ctx, args),
        Command::RecoveryKey(cmd) => recovery_key::run(&ctx, cmd),
        Command::Recipients(cmd) => recipients::run(&ctx, cmd),
        Command::RecoveryCodes(cmd) => recovery_codes::run(&ctx, cmd),
        Command::Export(args) => export::run(&ctx, args),
        Command::Recover(args) => recover::run(&ctx, args),
        Command::Backup(args) => backup::run(&ctx, args),
        Command::Drill(args) => drill::run(&ctx, args),
        Command::Sync(args) => sync::run(&ctx, args),
        Command::Unlock(args) => unlock::run(&ctx, args),
        Command::Lock => unlock::lock(&ctx),
    }
}

/// The command's name, for `otp sync`'s commit messages (which never name
/// an account).
fn operation(command: &Command) -> &'static str {
    match command {
        Command::Add(_) => "add",
        Command::Rename(_) => "rename",
        Command::Remove(_) => "remove",
        Command::Trash(_) => "trash",
        Command::Import(_) => "import",
        Command::Recover(_) => "recover",
        Command::Passwd(_) => "passwd",
        Command::RecoveryKey(_) => "recovery-key",
        Command::Recipients(_) => "recipients",
        Command::RecoveryCodes(_) => "recovery-codes",
        Command::Sync(_) => "sync",
        Command::Code(_) | Command::Pick(_) => "code",
        _ => "change",
    }
}

/// `otp code`, parsed by [`crate::cli::CodeCli`] (the start-up fast path).
pub fn run_code(global: Global, args: crate::cli::CodeArgs) -> Result<()> {
    let mut ctx = Ctx::new(global)?;
    ctx.operation = "code";
    code::run(&ctx, args)
}

/// A decrypted vault as text: the bytes move into the String (no second
/// copy of the secrets); bytes that are not UTF-8 are wiped before the
/// error is returned (the error must not carry them away unwiped).
pub fn vault_text(mut plain: Zeroizing<Vec<u8>>) -> Result<Zeroizing<String>> {
    let text = String::from_utf8(std::mem::take(&mut *plain)).map_err(|e| {
        zeroize::Zeroize::zeroize(&mut e.into_bytes());
        Fail::error("the vault decrypted but is not UTF-8 text")
            .hint("restore it with `otp recover BACKUP`")
    })?;
    Ok(Zeroizing::new(text))
}

/// What every command needs: resolved paths, the config, unlock options.
pub struct Ctx {
    pub global: Global,
    pub config: Config,
    pub vault_path: PathBuf,
    pub data_dir: PathBuf,
    /// The command being run ("add", "code", …), named in sync commits.
    pub operation: &'static str,
}

impl Ctx {
    pub fn new(global: Global) -> Result<Ctx> {
        let dirs = directories::ProjectDirs::from("", "", "otp");
        let data_dir = dirs.as_ref().map(|d| d.data_dir().to_path_buf());
        let config_path = match (&global.config, &dirs) {
            (Some(p), _) => Some(p.clone()),
            (None, Some(d)) => Some(d.config_dir().join("config.toml")),
            (None, None) => None,
        };
        let config = match &config_path {
            Some(p) => Config::load(p)?,
            None => Config::default(),
        };
        let vault_path = match (&global.vault, &data_dir) {
            (Some(p), _) => p.clone(),
            (None, Some(d)) => d.join("vault.age"),
            (None, None) => {
                return Err(Fail::error("cannot find a home directory for the vault")
                    .hint("pass --vault PATH or set OTP_VAULT")
                    .into());
            }
        };
        let data_dir =
            data_dir.unwrap_or_else(|| vault_path.parent().unwrap_or(Path::new(".")).to_path_buf());
        Ok(Ctx {
            global,
            config,
            vault_path,
            data_dir,
            operation: "change",
        })
    }

    /// Passphrase sources 2 to 5 of the contract.
    pub fn passphrases(&self) -> PassphraseSources {
        PassphraseSources {
            file: self.global.passphrase_file.clone(),
            env: std::env::var("OTP_PASSPHRASE")
                .ok()
                .filter(|p| !p.is_empty())
                .map(Zeroizing::new),
            command: self.config.passphrase_command.clone(),
            interactive: crate::term::stdin_is_tty(),
        }
    }

    pub fn key_file(&self) -> PathBuf {
        keys::key_file_path(&self.vault_path)
    }

    /// Finds the keys that open the vault, first source that applies wins;
    /// for a passphrase vault, a running agent that holds its key comes
    /// before the passphrase sources.
    pub fn unlock(&self) -> Result<Unlocked> {
        if let Some(identity) = &self.global.identity {
            return keys::load_identity_file(identity, &self.passphrases());
        }
        let key_file = self.key_file();
        let data = self.read_key_file()?;
        let key = self.agent_key(&key_file, &data);
        if let Some(key) = &key
            && let Some(unlocked) = agent::unlocked(
                &self.agent_paths(),
                key,
                &self.vault_path,
                Some(self.without_agent(&data)),
            )
        {
            return Ok(unlocked);
        }
        let (unlocked, inner) = unseal(&self.passphrases(), &data, &key_file)?;
        // A passphrase typed at the prompt is worth keeping (agent = "auto").
        if unlocked.method == keys::Method::Passphrase(keys::PassphraseSource::Prompt)
            && let Some(key) = &key
        {
            let timeouts = self.agent_timeouts(None);
            match agent::hand_over(
                &self.agent_paths(),
                key,
                &agent::identity_lines(&inner),
                timeouts,
            ) {
                Ok(warning) => {
                    if let Some(w) = warning {
                        crate::term::warn(&w);
                    }
                    crate::term::note(&format!(
                        "The agent keeps this vault unlocked for {} without use (`otp lock` to forget now).",
                        crate::duration::human(timeouts.idle)
                    ));
                }
                Err(e) => crate::term::warn(&format!("the agent could not take the key: {e:#}")),
            }
        }
        Ok(unlocked)
    }

    /// The passphrase sources for the sealed key file `data`, for an agent
    /// that forgets its key midway through this command.
    fn without_agent(&self, data: &[u8]) -> agent::Fallback {
        let passphrases = self.passphrases();
        let data = Zeroizing::new(data.to_vec());
        let key_file = self.key_file();
        Box::new(move || unseal(&passphrases, &data, &key_file).map(|(unlocked, _)| unlocked))
    }

    /// [`Ctx::unlock`] for `otp code`: a running agent is asked in the same
    /// round trip as the unwrap. The flag, when given, turns true if the
    /// agent did not unwrap: then decrypt again with [`Ctx::unlock`].
    pub fn unlock_fast(&self) -> Result<(Unlocked, Option<std::rc::Rc<std::cell::Cell<bool>>>)> {
        if self.global.identity.is_none() && self.config.agent != AgentMode::Off {
            let data = self.read_key_file()?;
            let key = agent::KeyRef::new(&self.key_file(), &data);
            let fallback = self.without_agent(&data);
            if let Some((unlocked, lost)) =
                agent::optimistic(&self.agent_paths(), &key, Some(fallback))
            {
                return Ok((unlocked, Some(lost)));
            }
        }
        Ok((self.unlock()?, None))
    }

    /// The sealed key file of a passphrase vault, or the error an identity
    /// vault opened without `--identity` gets.
    pub fn read_key_file(&self) -> Result<Zeroizing<Vec<u8>>> {
        let key_file = self.key_file();
        match read::read_capped(&key_file, read::MAX_KEY_FILE) {
            Ok(d) => Ok(d),
            Err(read::ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => Err(Fail::error(format!(
                "this vault is opened with an identity file, and none was given ({} does not exist)",
                key_file.display()
            ))
            .hint("pass --identity FILE or set OTP_IDENTITY")
            .into()),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", key_file.display())),
        }
    }

    /// Where the agent listens.
    pub fn agent_paths(&self) -> agent::Paths {
        agent::Paths::from_env()
    }

    /// The agent's name for this key file, or None when the config turns
    /// the agent off.
    pub fn agent_key(&self, key_file: &Path, data: &[u8]) -> Option<agent::KeyRef> {
        (self.config.agent != AgentMode::Off).then(|| agent::KeyRef::new(key_file, data))
    }

    /// The configured timeouts; `idle` overrides agent_timeout_seconds.
    pub fn agent_timeouts(&self, idle: Option<Duration>) -> agent::Timeouts {
        agent::Timeouts {
            idle: idle.unwrap_or(Duration::from_secs(
                self.config.agent_timeout_seconds.max(1),
            )),
            lifetime: (self.config.agent_lifetime_seconds > 0)
                .then(|| Duration::from_secs(self.config.agent_lifetime_seconds)),
        }
    }

    /// The vault file, opened for reading, or a clear error when there is none.
    pub fn open_vault_file(&self) -> Result<std::fs::File> {
        std::fs::File::open(&self.vault_path).map_err(|e| self.vault_file_error(e))
    }

    fn vault_file_error(&self, e: std::io::Error) -> anyhow::Error {
        if e.kind() == std::io::ErrorKind::NotFound {
            Fail::error(format!("no vault at {}", self.vault_path.display()))
                .hint("create one with `otp init`, or restore a backup with `otp recover BACKUP`")
                .into()
        } else {
            anyhow::Error::from(e).context(format!(
                "cannot read the vault {}",
                self.vault_path.display()
            ))
        }
    }

    /// The vault file's bytes, or a clear error when there is none.
    pub fn read_vault_file(&self) -> Result<Vec<u8>> {
        std::fs::read(&self.vault_path).map_err(|e| self.vault_file_error(e))
    }

    /// Decrypted vault text, without the lock (saves are atomic renames, so
    /// a reader always sees a whole vault).
    pub fn read_plaintext(&self) -> Result<(Zeroizing<String>, Unlocked)> {
        let file = self.open_vault_file()?;
        let unlocked = self.unlock()?;
        let text = Ctx::plaintext_of(file, &unlocked)?;
        Ok((text, unlocked))
    }

    /// An opened vault file, decrypted as it is read, and its size (the
    /// plaintext is a little shorter). Read errors mean a damaged file:
    /// report them with [`keys::damaged`].
    pub fn decrypting(file: std::fs::File, unlocked: &Unlocked) -> Result<(Box<dyn Read>, usize)> {
        let size = file.metadata().map_or(0, |m| m.len() as usize);
        // A small buffer: age reads whole 64 KiB chunks, which then bypass
        // it and go straight from the file into age's own buffer.
        let input = std::io::BufReader::with_capacity(4 << 10, file);
        Ok((keys::decrypt_stream(input, &unlocked.identities)?, size))
    }

    /// The decrypted text of an opened vault file.
    pub fn plaintext_of(file: std::fs::File, unlocked: &Unlocked) -> Result<Zeroizing<String>> {
        let (mut stream, size) = Ctx::decrypting(file, unlocked)?;
        // One allocation, no regrowth copies.
        let mut plain = Zeroizing::new(Vec::with_capacity(size));
        stream.read_to_end(&mut plain).map_err(keys::damaged)?;
        vault_text(plain)
    }

    /// The whole vault, read-only.
    pub fn load(&self) -> Result<(Vault, Unlocked)> {
        let (text, unlocked) = self.read_plaintext()?;
        Ok((Vault::parse(&text)?, unlocked))
    }

    /// One read-modify-write under the exclusive lock. `change` edits the
    /// vault; if anything changed, the change counter is bumped and the vault
    /// re-encrypted and replaced atomically. An error leaves the file as it was.
    pub fn update<T>(&self, change: impl FnOnce(&mut Vault, &Unlocked) -> Result<T>) -> Result<T> {
        self.update_inner(None, change)
    }

    /// [`Ctx::update`] with a key already unlocked in this run, so a
    /// passphrase is not asked (or scrypt run) twice.
    pub fn update_with<T>(
        &self,
        unlocked: &Unlocked,
        change: impl FnOnce(&mut Vault, &Unlocked) -> Result<T>,
    ) -> Result<T> {
        self.update_inner(Some(unlocked), change)
    }

    fn update_inner<T>(
        &self,
        unlocked: Option<&Unlocked>,
        change: impl FnOnce(&mut Vault, &Unlocked) -> Result<T>,
    ) -> Result<T> {
        let _lock = store::lock(
            &self.vault_path,
            Duration::from_secs(self.config.lock_timeout_seconds),
        )?;
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
        let mut vault = Vault::parse(&Ctx::plaintext_of(file, unlocked)?)?;
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
            self.save_opening(&mut vault, unlocked)?;
            self.after_change(&vault, Some(unlocked));
        }
        Ok(out)
    }

    /// Gives a vault from before vault ids its id now (a saved change),
    /// and returns the vault as saved.
    pub fn give_id(&self, unlocked: &Unlocked) -> Result<Vault> {
        let _lock = store::lock(
            &self.vault_path,
            Duration::from_secs(self.config.lock_timeout_seconds),
        )?;
        let file = self.open_vault_file()?;
        let mut vault = Vault::parse(&Ctx::plaintext_of(file, unlocked)?)?;
        if vault.ensure_id(random16) {
            self.ensure_auth_key(&mut vault);
            vault.changes = vault.changes.saturating_add(1);
            self.save_opening(&mut vault, unlocked)?;
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
        let _lock = store::lock(
            &self.vault_path,
            Duration::from_secs(self.config.lock_timeout_seconds),
        )?;
        let file = self.open_vault_file()?;
        let mut vault = Vault::parse(&Ctx::plaintext_of(file, unlocked)?)?;
        edit(&mut vault);
        self.save_opening(&mut vault, unlocked)
    }

    /// Gives a vault from before authentication its key
    /// (src/model/auth.rs), to be saved with the change. Not while the
    /// vault's folder syncs with git: two machines would each make one, and
    /// neither could then prove its versions to the other; `otp sync`
    /// makes it there, or takes the one another machine made.
    pub fn ensure_auth_key(&self, vault: &mut Vault) {
        if vault.auth_key.is_none() && sync::Repo::set_up(self).is_none() {
            vault.ensure_auth_key(random32);
        }
    }

    /// Where this machine's writer id for the vault is kept:
    /// `<vault file name>.writer` in this machine's own data folder, never
    /// beside a vault kept in a synced folder (two machines sharing one
    /// writer id could not tell their versions apart), and never shared by
    /// `otp sync` (which shares only the vault and its key file).
    pub fn writer_path(&self) -> PathBuf {
        let mut name = self
            .vault_path
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_default();
        name.push(".writer");
        self.data_dir.join(name)
    }

    /// This machine's writer id in the vault's version vector: 16 random
    /// hex digits, made on the first save and kept in [`Ctx::writer_path`].
    pub fn writer_id(&self) -> Result<String> {
        let path = self.writer_path();
        let valid = |s: &str| s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit());
        if let Ok(text) = std::fs::read_to_string(&path)
            && valid(text.trim())
        {
            return Ok(text.trim().to_string());
        }
        let id = crate::model::auth::hex_id(random8());
        // A damaged file is replaced; two processes racing to make the
        // first one agree on whichever landed.
        match store::write_new(&path, format!("{id}\n").as_bytes()) {
            Ok(()) => Ok(id),
            Err(_) => match std::fs::read_to_string(&path) {
                Ok(text) if valid(text.trim()) => Ok(text.trim().to_string()),
                _ => {
                    store::write_atomic(&path, format!("{id}\n").as_bytes())?;
                    Ok(id)
                }
            },
        }
    }

    /// The sealed plaintext of `vault` as the next version written here
    /// ([`Vault::next_version`], [`Vault::to_sealed_toml`]).
    pub fn seal(&self, vault: &mut Vault) -> Result<Zeroizing<String>> {
        vault.next_version(&self.writer_id()?, random8());
        if vault.key_file_hash.is_none()
            && vault.roles.key_file_recipient.is_some()
            && let Ok(data) = std::fs::read(self.key_file())
        {
            vault.key_file_hash = Some(crate::model::auth::file_hash(&data));
        }
        Ok(vault.to_sealed_toml())
    }

    /// [`Ctx::save`], refused when the key this command unlocked with could
    /// not open the result (its recipient is no longer on the vault's list):
    /// a save must never lock the user out.
    pub fn save_opening(&self, vault: &mut Vault, unlocked: &Unlocked) -> Result<()> {
        recipients::ensure_saved_vault_opens(&vault.recipients, unlocked)?;
        self.save(vault)
    }

    /// Encrypts to the vault's recipients and replaces the file, as the
    /// next version written here ([`Ctx::seal`]). Call only under the lock.
    pub fn save(&self, vault: &mut Vault) -> Result<()> {
        let recipients = keys::parse_recipients(&vault.recipients)?;
        if recipients.is_empty() {
            return Err(Fail::error(
                "the vault lists no recipients to encrypt to; nothing was changed",
            )
            .into());
        }
        let plain = self.seal(vault)?;
        let data = keys::encrypt(plain.as_bytes(), &recipients, false)?;
        store::write_atomic(&self.vault_path, &data)?;
        // Under the lock, after a save that worked: what an otp killed
        // mid-save left behind is cleared (docs/files.md).
        store::remove_stale_temps(&self.vault_path, store::STALE_TEMP_AGE);
        Ok(())
    }

    /// Runs after every saved change: the backup reminder, or `auto_backup`.
    fn after_change(&self, vault: &Vault, unlocked: Option<&Unlocked>) {
        sync::after_change(self, vault.changes);
        backup::after_change(self, vault, unlocked);
    }
}

/// Opens the sealed key file `data` (at `key_file`) with the passphrase
/// sources: its keys, and its text (the identity file).
fn unseal(
    passphrases: &PassphraseSources,
    data: &[u8],
    key_file: &Path,
) -> Result<(Unlocked, Zeroizing<Vec<u8>>)> {
    let (pass, source) = passphrases.get("vault passphrase")?;
    let inner = keys::decrypt_with_passphrase(data, pass)?;
    let mut unlocked = keys::parse_identity_text(&inner, key_file)?;
    unlocked.method = keys::Method::Passphrase(source);
    Ok((unlocked, inner))
}

/// The current time, to the second: the one clock read of a command.
pub fn now() -> OffsetDateTime {
    let t = OffsetDateTime::now_utc();
    t.replace_nanosecond(0).unwrap_or(t)
}

/// Eight random bytes for account ids.
pub fn random8() -> [u8; 8] {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("the OS random source is available");
    b
}

/// Sixteen random bytes for a vault id.
pub fn random16() -> [u8; 16] {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the OS random source is available");
    b
}

/// Thirty-two random bytes for an authentication key.
pub fn random32() -> [u8; 32] {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).expect("the OS random source is available");
    b
}

/// Writes to stdout, treating a closed pipe (`otp list | head`) as success.
pub fn out(text: &str) -> Result<()> {
    match write_stdout(text) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to stdout"),
    }
}

/// Writes to stdout and flushes; every failure is reported.
pub fn write_stdout(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
}
