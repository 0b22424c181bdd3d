//! Reading what `otp recover` is given, and finding the key that opens it.

use std::path::{Path, PathBuf};

use age::secrecy::SecretString;
use anyhow::{Context, Result};
use zeroize::Zeroizing;

use crate::cmd::{Ctx, now};
use crate::error::Fail;
use crate::export::backup::{Contents, parse as parse_backup, proof};
use crate::import::{self, ImportError, otp_json, uri_list};
use crate::model::Account;
use crate::model::auth::Proof;
use crate::term;
use crate::text::sanitize;
use crate::vault::{keys, read};

/// What the file holds (a backup, a vault copy, or the accounts of a JSON
/// export or URI list, read as a backup's [`Contents`]), and the key that
/// opened it.
pub struct Source {
    pub contents: Contents,
    pub key: Key,
    /// The decrypted text, to check its tag against a vault's key
    /// ([`Source::proof`]); `None` for a plain JSON export or URI list.
    text: Option<Zeroizing<String>>,
}

impl Source {
    /// An encrypted file (a backup, snapshot or vault copy), which could
    /// prove where it came from; not a plain export.
    pub fn is_file(&self) -> bool {
        self.text.is_some()
    }

    /// What the file proves against `vault`'s authentication key
    /// ([`crate::export::backup::proof`]). A plain export proves nothing.
    pub fn proof(&self, vault: &crate::model::Vault) -> Proof {
        match &self.text {
            Some(text) => proof(text, &self.contents, vault.auth_key.as_ref()),
            None => Proof::Unsealed,
        }
    }
}

pub enum Key {
    /// A JSON export or URI list: nothing to open.
    Plain,
    /// Opened with the existing vault's keys.
    Vault,
    /// `--identity` (identity file or SSH key) and its recipients.
    Identity(PathBuf, Vec<String>),
    /// A passphrase-protected key file (`vault.identity.age`): its bytes.
    Passphrase {
        bytes: Vec<u8>,
        recipients: Vec<String>,
    },
}

pub fn read_source(ctx: &Ctx, path: &Path, data: &[u8], exists: bool) -> Result<Source> {
    let shown = crate::text::path(path);
    let mut source = if keys::is_age_file(data) {
        let (plain, key) = open(ctx, path, data, exists)?;
        let text = std::str::from_utf8(&plain)
            .map_err(|_| Fail::error(format!("{shown} decrypted, but it is not an otp backup")))?;
        Source {
            contents: parse_backup(text)?,
            key,
            text: Some(Zeroizing::new(text.to_string())),
        }
    } else {
        Source {
            contents: Contents {
                accounts: read_plain(data, &shown)?,
                ..Contents::default()
            },
            key: Key::Plain,
            text: None,
        }
    };
    source
        .contents
        .accounts
        .retain(|a| match a.token().validate() {
            Ok(()) => true,
            Err(e) => {
                term::warn(&format!("skipped {}: {e}", sanitize(&a.label())));
                false
            }
        });
    Ok(source)
}

/// Our JSON export or a URI list.
fn read_plain(data: &[u8], shown: &str) -> Result<Vec<Account>> {
    let fail = |e: ImportError| Fail::error(format!("{shown}: {e}"));
    match import::detect(data).map(|f| f.name) {
        Some("otp-json") => Ok(otp_json::parse_accounts(data).map_err(fail)?),
        Some("uris") => {
            let mut no_passwords = |_: &str| Err(ImportError::NeedPassword);
            let parsed = (uri_list::FORMAT.parse)(data, &mut no_passwords).map_err(fail)?;
            for s in &parsed.skipped {
                term::warn(&format!("skipped {}: {}", sanitize(&s.label), s.reason));
            }
            let at = now();
            Ok(parsed
                .entries
                .into_iter()
                .map(|e| Account::from_entry(e, String::new(), at))
                .collect())
        }
        _ => Err(Fail::error(format!(
            "{shown} is not an otp backup, otp JSON export or otpauth URI list"
        ))
        .hint("for other apps' exports use `otp import FILE`")
        .into()),
    }
}

/// Decrypts a backup: `--identity` first; else the vault's own keys; else
/// (or when those do not fit) a key file found beside the backup.
fn open(ctx: &Ctx, path: &Path, data: &[u8], exists: bool) -> Result<(Zeroizing<Vec<u8>>, Key)> {
    if let Some(id) = &ctx.global.identity {
        let raw = read::read_capped(id, read::MAX_KEY_FILE)
            .with_context(|| format!("cannot read the identity file {}", id.display()))?
            .to_vec();
        if keys::is_age_file(&raw) {
            // Typed at the terminal, a wrong passphrase is asked again.
            let (inner, _) = ctx
                .passphrases()
                .open_with(&format!("passphrase for {}", id.display()), |pass| {
                    keys::decrypt_with_passphrase(&raw, pass)
                })?;
            return with_opened_key_file(data, id, raw, &inner);
        }
        let unlocked = keys::load_identity_file(id, &ctx.passphrases())?;
        let plain = keys::decrypt(data, &unlocked.identities)?;
        return Ok((plain, Key::Identity(id.clone(), unlocked.recipients.list())));
    }
    let mut error = None;
    let own_key = read::read_capped(&ctx.key_file(), read::MAX_KEY_FILE).ok();
    if exists {
        let unlocked = ctx.unlock()?;
        match keys::decrypt(data, &unlocked.identities) {
            Ok(plain) => return Ok((plain, Key::Vault)),
            Err(e) => error = Some(e),
        }
    }
    let mut pass: Option<SecretString> = None;
    for (candidate, raw) in candidates(path, data) {
        if exists && own_key.as_deref().map(|k| &k[..]) == Some(&raw[..]) {
            continue; // the vault's own key, tried above
        }
        let p = match &pass {
            Some(p) => p.clone(),
            None => {
                let (p, _) = ctx
                    .passphrases()
                    .get(&format!("passphrase for {}", candidate.display()))?;
                pass = Some(p.clone());
                p
            }
        };
        match with_key_file(data, &candidate, raw, p) {
            Ok(found) => return Ok(found),
            Err(e) => error = Some(e),
        }
    }
    Err(error.unwrap_or_else(|| {
        Fail::error(format!(
            "no key to open {}: there is no vault here yet, the backup carries no key file and there is none (*.identity.age) beside it",
            path.display()
        ))
        .hint("pass --identity FILE: your identity file, a recovery key, or the key file vault.identity.age from your backup folder (with its passphrase)")
        .into()
    }))
}

fn with_key_file(
    data: &[u8],
    path: &Path,
    raw: Vec<u8>,
    pass: SecretString,
) -> Result<(Zeroizing<Vec<u8>>, Key)> {
    let inner = keys::decrypt_with_passphrase(&raw, pass)?;
    with_opened_key_file(data, path, raw, &inner)
}

/// [`with_key_file`] once the key file at `path` (`raw`) is open (`inner`).
fn with_opened_key_file(
    data: &[u8],
    path: &Path,
    raw: Vec<u8>,
    inner: &[u8],
) -> Result<(Zeroizing<Vec<u8>>, Key)> {
    let unlocked = keys::parse_identity_text(inner, path)?;
    let plain = keys::decrypt(data, &unlocked.identities)?;
    term::note(&format!("Opened the backup with {}", path.display()));
    Ok((
        plain,
        Key::Passphrase {
            bytes: raw,
            recipients: unlocked.recipients.list(),
        },
    ))
}

/// The key files that may open the backup: the passphrase-sealed key it
/// carries (`export::sealed`), then those beside it. Each is only a
/// candidate: it counts when the passphrase opens it and it opens the
/// backup, and it is installed only onto a new machine (`fresh.rs`, which
/// never replaces a key file).
fn candidates(path: &Path, data: &[u8]) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    if let Some(sealed) = crate::export::sealed::find(data) {
        found.push((PathBuf::from("the key file the backup carries"), sealed));
    }
    for file in key_files_beside(path) {
        // Found by name in a folder anyone may have written to: a FIFO or
        // a device there is skipped, never read.
        let raw = match read::read_capped(&file, read::MAX_KEY_FILE) {
            Ok(raw) => raw.to_vec(),
            Err(e) => {
                term::warn(&format!(
                    "skipped the key file {}: {e}",
                    crate::text::path(&file)
                ));
                continue;
            }
        };
        if !found.iter().any(|(_, f)| *f == raw) {
            found.push((
                PathBuf::from(format!("the key file {}", file.display())),
                raw,
            ));
        }
    }
    found
}

/// `*.identity.age` files in the backup's folder, `vault.identity.age` first.
fn key_files_beside(backup: &Path) -> Vec<PathBuf> {
    if backup == Path::new("-") {
        return Vec::new();
    }
    let dir = match backup.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(".identity.age"))
        })
        .collect();
    found.sort_by_key(|p| {
        (
            p.file_name().and_then(|n| n.to_str()) != Some("vault.identity.age"),
            p.clone(),
        )
    });
    found
}
