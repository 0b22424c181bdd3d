//! What every command is handed: the resolved paths, the config, and how
//! the vault is unlocked and read. Changing the vault is src/cmd/write.rs's
//! job: every writer goes through [`Ctx::lock`] there.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use zeroize::Zeroizing;

use crate::agent;
use crate::cli::Global;
use crate::cmd::passphrase::PassphraseSources;
use crate::cmd::{random8, random32, sync, vault_text};
use crate::config::{AgentMode, Config};
use crate::error::Fail;
use crate::model::Vault;
use crate::vault::keys::{self, Unlocked};
use crate::vault::{read, store};

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
            interactive: crate::term::stdin_is_tty()
                || (self.config.prompt_from_tty && crate::term::has_tty()),
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

    /// The whole vault, read-only, checked against this machine's record
    /// of it ([`Ctx::vet_local`]).
    pub fn load(&self) -> Result<(Vault, Unlocked)> {
        let (text, unlocked) = self.read_plaintext()?;
        let vault = Vault::parse(&text)?;
        self.vet_local(&text, &vault, crate::cmd::Open::Read)?;
        Ok((vault, unlocked))
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
}

/// Opens the sealed key file `data` (at `key_file`) with the passphrase
/// sources: its keys, and its text (the identity file).
fn unseal(
    passphrases: &PassphraseSources,
    data: &[u8],
    key_file: &Path,
) -> Result<(Unlocked, Zeroizing<Vec<u8>>)> {
    let (inner, source) = passphrases.open_with("vault passphrase", |pass| {
        keys::decrypt_with_passphrase(data, pass)
    })?;
    let mut unlocked = keys::parse_identity_text(&inner, key_file)?;
    unlocked.method = keys::Method::Passphrase(source);
    Ok((unlocked, inner))
}
