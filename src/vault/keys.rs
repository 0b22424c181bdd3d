//! Keys: who can open the vault and how the user unlocks it.
//!
//! A passphrase vault is encrypted to an X25519 identity that lives beside
//! it in `<stem>.identity.age`, itself encrypted with the passphrase (age's
//! scrypt, work factor [`SCRYPT_LOG_N`]). Changing the passphrase or adding
//! a recovery key therefore never rewrites the accounts, and
//! `age -d -i vault.identity.age vault.age` works with the age CLI.
//! An identity vault is encrypted to the recipient of the user's own
//! identity file (X25519 or SSH).

use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::OnceLock;

use age::secrecy::{ExposeSecret, SecretString};
use anyhow::{Context, Result};
use zeroize::Zeroizing;

use crate::error::Fail;

/// scrypt log2(N) for new passphrase-protected key files: age's own default,
/// about 0.6 s and 256 MiB on the reference machine (docs/unlocking.md).
pub const SCRYPT_LOG_N: u8 = 18;
/// The most expensive key file we agree to open (a vault made on a faster
/// machine must still open on a slower one).
pub const SCRYPT_MAX_LOG_N: u8 = 22;

/// How the vault was unlocked, for `otp status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    Identity(PathBuf),
    Passphrase(PassphraseSource),
    /// The agent held the key of this sealed key file (`otp unlock`).
    Agent(PathBuf),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PassphraseSource {
    File(PathBuf),
    Env,
    Command,
    Prompt,
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Method::Identity(p) => write!(f, "identity file {}", p.display()),
            Method::Passphrase(PassphraseSource::File(p)) => {
                write!(f, "passphrase (from file {})", p.display())
            }
            Method::Passphrase(PassphraseSource::Env) => {
                write!(f, "passphrase (from OTP_PASSPHRASE)")
            }
            Method::Passphrase(PassphraseSource::Command) => {
                write!(f, "passphrase (from passphrase_command)")
            }
            Method::Passphrase(PassphraseSource::Prompt) => write!(f, "passphrase (prompt)"),
            Method::Agent(p) => write!(f, "agent (holds the key of {})", p.display()),
        }
    }
}

/// The passphrase of a passphrase-protected identity file, asked for only
/// when one is met. The command layer answers from its sources
/// (cmd/passphrase.rs: a passphrase file, `OTP_PASSPHRASE`,
/// `passphrase_command`, the terminal); the vault layer never prompts.
pub trait AskPassphrase {
    /// Opens an existing key with its passphrase: `open` is tried with the
    /// passphrase from the sources (`what` names the key, as a prompt
    /// would); a source may try again after a wrong one (the terminal
    /// does, as for the vault's own passphrase).
    fn open_with_passphrase(
        &self,
        what: &str,
        open: &mut dyn FnMut(SecretString) -> Result<Zeroizing<Vec<u8>>>,
    ) -> Result<Zeroizing<Vec<u8>>>;
}

/// The key file of a passphrase vault: `vault.age` → `vault.identity.age`.
pub fn key_file_path(vault: &Path) -> PathBuf {
    let name = vault
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = name.strip_suffix(".age").unwrap_or(&name);
    vault.with_file_name(format!("{stem}.identity.age"))
}

/// Decryption keys and what they are.
pub struct Unlocked {
    pub identities: Vec<Box<dyn age::Identity>>,
    /// Where the recipients matching `identities` come from.
    pub recipients: Recipients,
    pub method: Method,
}

/// The recipients (public keys) of an unlocked identity, worked out only
/// when a command asks: deriving an X25519 public key is a scalar
/// multiplication, about 8 % of the instructions of a 1-account `otp code`,
/// and only `init`, `recover` and `recipients list` need it.
pub enum Recipients {
    /// Already known (an SSH key's `.pub` file, or none).
    Known(Vec<String>),
    /// Derived from the text of an age identity file.
    OfIdentityText(Zeroizing<Vec<u8>>),
}

impl Recipients {
    /// The recipients, one `age1…`/`ssh-…` string each; empty when they
    /// cannot be derived (plugin identities, an SSH key without `.pub`).
    pub fn list(&self) -> Vec<String> {
        match self {
            Recipients::Known(list) => list.clone(),
            Recipients::OfIdentityText(text) => {
                let Ok(file) = age::IdentityFile::from_buffer(BufReader::new(&text[..])) else {
                    return Vec::new();
                };
                let mut buf = Vec::new();
                if file.write_recipients_file(&mut buf).is_err() {
                    return Vec::new();
                }
                String::from_utf8_lossy(&buf)
                    .lines()
                    .map(str::to_string)
                    .collect()
            }
        }
    }
}

/// Loads an identity file given with `--identity`: X25519 (age-keygen),
/// passphrase-protected age identity file, or an SSH private key.
pub fn load_identity_file(path: &Path, passphrases: &dyn AskPassphrase) -> Result<Unlocked> {
    let data = super::read::read_capped(path, super::read::MAX_KEY_FILE)
        .with_context(|| format!("cannot read the identity file {}", path.display()))?;
    let method = Method::Identity(path.to_path_buf());
    let text = String::from_utf8_lossy(&data);
    if text
        .trim_start()
        .starts_with("-----BEGIN OPENSSH PRIVATE KEY-----")
        || text
            .trim_start()
            .starts_with("-----BEGIN RSA PRIVATE KEY-----")
    {
        return load_ssh(path, &data, method);
    }
    if is_age_file(&data) {
        let inner = passphrases
            .open_with_passphrase(&format!("passphrase for {}", path.display()), &mut |pass| {
                decrypt_with_passphrase(&data, pass)
            })?;
        let mut unlocked = parse_identity_text(&inner, path)?;
        unlocked.method = method;
        return Ok(unlocked);
    }
    let mut unlocked = parse_identity_text(&data, path)?;
    unlocked.method = method;
    Ok(unlocked)
}

/// Reads an identity file's text (X25519 or plugin identities).
pub fn parse_identity_text(data: &[u8], path: &Path) -> Result<Unlocked> {
    let file = age::IdentityFile::from_buffer(BufReader::new(data)).map_err(|_| {
        Fail::error(format!("{} is not an age identity file", path.display()))
            .hint("use a file made by `age-keygen` or `otp init --generate-identity`, or an SSH private key")
    })?;
    let identities = file
        .with_callbacks(NoCallbacks)
        .into_identities()
        .map_err(|e| {
            Fail::error(format!(
                "cannot use the identity file {}: {e}",
                path.display()
            ))
        })?
        .into_iter()
        .map(|i| i as Box<dyn age::Identity>)
        .collect::<Vec<_>>();
    if identities.is_empty() {
        return Err(Fail::error(format!("{} holds no identity", path.display())).into());
    }
    Ok(Unlocked {
        identities,
        recipients: Recipients::OfIdentityText(Zeroizing::new(data.to_vec())),
        method: Method::Identity(path.to_path_buf()),
    })
}

fn load_ssh(path: &Path, data: &[u8], method: Method) -> Result<Unlocked> {
    let identity =
        age::ssh::Identity::from_buffer(BufReader::new(data), Some(path.display().to_string()))
            .with_context(|| format!("cannot read the SSH key {}", path.display()))?;
    match &identity {
        age::ssh::Identity::Unsupported(_) => {
            return Err(Fail::error(format!(
                "the SSH key {} is of a kind age cannot use",
                path.display()
            ))
            .hint("use an ed25519 or RSA key")
            .into());
        }
        age::ssh::Identity::Encrypted(_) => {
            return Err(Fail::error(format!(
                "the SSH key {} is passphrase-protected",
                path.display()
            ))
            .hint("otp needs an unencrypted SSH key, or use an age identity file instead")
            .into());
        }
        age::ssh::Identity::Unencrypted(_) => {}
    }
    // The public half sits beside the private key, as ssh-keygen writes it.
    let pub_path = PathBuf::from(format!("{}.pub", path.display()));
    let recipients = match std::fs::read_to_string(&pub_path) {
        Ok(text) => {
            let line = text.trim().to_string();
            age::ssh::Recipient::from_str(&line).map_err(|_| {
                Fail::error(format!(
                    "{} is not an SSH public key age can use",
                    pub_path.display()
                ))
            })?;
            vec![line]
        }
        Err(_) => Vec::new(),
    };
    let identity: Box<dyn age::Identity> = Box::new(identity.with_callbacks(NoCallbacks));
    Ok(Unlocked {
        identities: vec![identity],
        recipients: Recipients::Known(recipients),
        method,
    })
}

/// Is this an age file (binary or armored)?
pub fn is_age_file(data: &[u8]) -> bool {
    data.starts_with(b"age-encryption.org/v1")
        || String::from_utf8_lossy(&data[..data.len().min(64)])
            .trim_start()
            .starts_with("-----BEGIN AGE ENCRYPTED FILE-----")
}

/// The work factor of a new passphrase-sealed file: [`SCRYPT_LOG_N`].
#[cfg(not(debug_assertions))]
fn work_factor() -> u8 {
    SCRYPT_LOG_N
}

/// Debug builds only (the tests' binary; a release build has no such
/// code): `OTP_TEST_SCRYPT_LOG_N=N` (10 to [`SCRYPT_LOG_N`]) seals new key
/// files with a cheaper scrypt, so that the CLI tests do not spend most of
/// a second and 256 MiB on every unlock of a passphrase vault
/// (tests/common sets it). Opening files is unchanged.
#[cfg(debug_assertions)]
fn work_factor() -> u8 {
    std::env::var("OTP_TEST_SCRYPT_LOG_N")
        .ok()
        .and_then(|v| v.parse::<u8>().ok())
        .filter(|n| (10..=SCRYPT_LOG_N).contains(n))
        .unwrap_or(SCRYPT_LOG_N)
}

/// Decrypts an age file made with a passphrase.
pub fn decrypt_with_passphrase(data: &[u8], pass: SecretString) -> Result<Zeroizing<Vec<u8>>> {
    let mut identity = age::scrypt::Identity::new(pass);
    identity.set_max_work_factor(SCRYPT_MAX_LOG_N);
    decrypt(data, &[Box::new(identity) as Box<dyn age::Identity>])
}

/// Encrypts `data` with a passphrase (scrypt at [`SCRYPT_LOG_N`]), armored.
pub fn encrypt_with_passphrase(data: &[u8], pass: SecretString) -> Result<Vec<u8>> {
    let mut recipient = age::scrypt::Recipient::new(pass);
    recipient.set_work_factor(work_factor());
    encrypt(
        data,
        &[Box::new(recipient) as Box<dyn age::Recipient + Send>],
        true,
    )
}

/// Decrypts an age file (binary or armored), mapping failures to what the
/// user must hear: a wrong key, or a damaged file.
pub fn decrypt(data: &[u8], identities: &[Box<dyn age::Identity>]) -> Result<Zeroizing<Vec<u8>>> {
    decrypt_from(data, data.len(), identities)
}

/// [`decrypt`] from a reader (a file, streamed: no copy of the whole
/// ciphertext in memory); `size_hint` sizes the plaintext buffer.
pub fn decrypt_from(
    input: impl std::io::BufRead,
    size_hint: usize,
    identities: &[Box<dyn age::Identity>],
) -> Result<Zeroizing<Vec<u8>>> {
    let mut stream = decrypt_stream(input, identities)?;
    // The plaintext is a little shorter than the file: one allocation, no regrowth copies.
    let mut out = Zeroizing::new(Vec::with_capacity(size_hint));
    stream.read_to_end(&mut out).map_err(damaged)?;
    Ok(out)
}

/// The plaintext of an age file, decrypted as it is read. Read errors mean
/// a damaged file: report them with [`damaged`].
pub fn decrypt_stream<'a>(
    mut input: impl std::io::BufRead + 'a,
    identities: &[Box<dyn age::Identity>],
) -> Result<Box<dyn Read + 'a>> {
    // A binary age file (the vault) skips the armor layer and its copy;
    // anything else goes through it, which reads binary files too.
    let binary = input
        .fill_buf()
        .map_err(damaged)?
        .starts_with(b"age-encryption.org/");
    if binary {
        open_payload(input, identities)
    } else {
        open_payload(age::armor::ArmoredReader::new(input), identities)
    }
}

fn open_payload<'a>(
    input: impl std::io::BufRead + 'a,
    identities: &[Box<dyn age::Identity>],
) -> Result<Box<dyn Read + 'a>> {
    let decryptor = age::Decryptor::new_buffered(input).map_err(damaged)?;
    let stream = decryptor.decrypt(identities.iter().map(|i| i.as_ref())).map_err(|e| match e {
        age::DecryptError::NoMatchingKeys | age::DecryptError::DecryptionFailed | age::DecryptError::KeyDecryptionFailed => {
            Fail::error(format!("{WRONG_KEY}: this key cannot open the file; nothing was changed"))
                .hint("check --identity / OTP_IDENTITY or the passphrase source")
                .into()
        }
        age::DecryptError::ExcessiveWork { required, .. } => anyhow::Error::from(Fail::error(format!(
            "the file asks for scrypt work factor {required}, more than otp allows ({SCRYPT_MAX_LOG_N})"
        ))),
        age::DecryptError::Io(e) if e.get_ref().is_some_and(|e| e.is::<KeyUnavailable>()) => {
            match e.into_inner().map(|e| e.downcast::<KeyUnavailable>()) {
                Some(Ok(unavailable)) => anyhow::Error::new(*unavailable),
                _ => damaged("an identity failed"),
            }
        }
        other => damaged(other),
    })?;
    Ok(Box::new(stream))
}

/// The start of the error for a key that cannot open a file.
const WRONG_KEY: &str = "wrong passphrase or identity";

/// Whether `e` says the key was wrong (not that the file is damaged or
/// unreadable): the one failure worth asking a passphrase again for.
pub fn is_wrong_key(e: &anyhow::Error) -> bool {
    e.downcast_ref::<Fail>()
        .is_some_and(|f| f.message.starts_with(WRONG_KEY))
}

/// The right key could not be had: an identity that stood for it (the
/// agent's, which then forgot it) went to the usual unlock sources, and
/// they failed. Carried through age as an I/O error (the only error of
/// its own an identity can give); [`decrypt`] and [`decrypt_stream`]
/// return it as it is, the sources' error as its cause.
#[derive(Debug)]
pub struct KeyUnavailable(pub anyhow::Error);

impl std::fmt::Display for KeyUnavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the agent forgot the vault's key during this command, and the usual unlock sources did not give it")
    }
}

impl std::error::Error for KeyUnavailable {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.0.as_ref())
    }
}

pub fn damaged(e: impl std::fmt::Display) -> anyhow::Error {
    Fail::error(format!(
        "the file is damaged or not an age file ({e}); nothing was changed"
    ))
    .hint("restore the vault from a backup with `otp recover BACKUP`")
    .into()
}

/// Encrypts to recipients; `armor` for text files (exports, key files).
pub fn encrypt(
    data: &[u8],
    recipients: &[Box<dyn age::Recipient + Send>],
    armor: bool,
) -> Result<Vec<u8>> {
    let encryptor = age::Encryptor::with_recipients(
        recipients.iter().map(|r| r.as_ref() as &dyn age::Recipient),
    )
    .context("no recipients to encrypt to")?;
    let mut out = Vec::with_capacity(data.len() + 512);
    let format = if armor {
        age::armor::Format::AsciiArmor
    } else {
        age::armor::Format::Binary
    };
    let armored = age::armor::ArmoredWriter::wrap_output(&mut out, format)?;
    let mut writer = encryptor.wrap_output(armored)?;
    writer.write_all(data)?;
    writer.finish()?.finish()?;
    Ok(out)
}

/// Parses the vault's recipient strings: `age1…` (X25519), `ssh-…` (SSH
/// public keys), `age1<plugin>1…` (plugin recipients, run from PATH).
pub fn parse_recipients(list: &[String]) -> Result<Vec<Box<dyn age::Recipient + Send>>> {
    let mut out: Vec<Box<dyn age::Recipient + Send>> = Vec::new();
    let mut plugins = Vec::new();
    for r in list {
        if let Ok(x) = age::x25519::Recipient::from_str(r) {
            out.push(Box::new(x));
        } else if let Ok(s) = age::ssh::Recipient::from_str(r) {
            out.push(Box::new(s));
        } else if let Ok(p) = age::plugin::Recipient::from_str(r) {
            plugins.push(p);
        } else {
            return Err(Fail::error(format!("'{r}' is not a recipient otp can encrypt to"))
                .hint("use an age1… key, an SSH public key (ssh-ed25519 …) or an age plugin recipient")
                .into());
        }
    }
    let names: std::collections::BTreeSet<String> =
        plugins.iter().map(|p| p.plugin().to_string()).collect();
    for name in names {
        let these: Vec<_> = plugins
            .iter()
            .filter(|p| p.plugin() == name)
            .cloned()
            .collect();
        let plugin =
            age::plugin::RecipientPluginV1::new(&name, &these, &[], NoCallbacks).map_err(|_| {
                Fail::error(format!("the age plugin 'age-plugin-{name}' is not on PATH"))
            })?;
        out.push(Box::new(plugin));
    }
    Ok(out)
}

/// A new X25519 identity: (secret key text, recipient).
pub fn generate_identity() -> (SecretString, String) {
    let id = age::x25519::Identity::generate();
    let recipient = id.to_public().to_string();
    (id.to_string(), recipient)
}

/// An identity file's text as age-keygen writes it.
pub fn identity_file_text(
    secret: &SecretString,
    recipient: &str,
    created: &str,
) -> Zeroizing<String> {
    Zeroizing::new(format!(
        "# created: {created}\n# public key: {recipient}\n{}\n",
        secret.expose_secret()
    ))
}

/// Where the messages of age plugins go (a plugin may ask the user to
/// touch a security key): the binary points this at the terminal's stderr
/// (`term::err_line`) before anything else runs; the vault layer itself
/// never writes to the terminal. Unset, they are dropped.
static PLUGIN_MESSAGES: OnceLock<fn(&str)> = OnceLock::new();

/// Sends age plugins' messages to `show` from now on (the first call wins).
pub fn show_plugin_messages_with(show: fn(&str)) {
    let _ = PLUGIN_MESSAGES.set(show);
}

/// age callbacks for a tool that never prompts through age itself: our own
/// passphrase sources are consulted before age is asked to do anything;
/// plugins' messages go where [`show_plugin_messages_with`] says.
#[derive(Clone, Copy)]
pub struct NoCallbacks;

impl age::Callbacks for NoCallbacks {
    fn display_message(&self, message: &str) {
        if let Some(show) = PLUGIN_MESSAGES.get() {
            show(message);
        }
    }
    fn confirm(&self, _: &str, _: &str, _: Option<&str>) -> Option<bool> {
        None
    }
    fn request_public_string(&self, _: &str) -> Option<String> {
        None
    }
    fn request_passphrase(&self, _: &str) -> Option<SecretString> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_sits_beside_the_vault() {
        assert_eq!(
            key_file_path(Path::new("/d/vault.age")),
            PathBuf::from("/d/vault.identity.age")
        );
        assert_eq!(
            key_file_path(Path::new("/d/work")),
            PathBuf::from("/d/work.identity.age")
        );
    }

    #[test]
    fn x25519_round_trip_and_wrong_key() {
        let (secret, recipient) = generate_identity();
        let r = parse_recipients(&[recipient]).unwrap();
        let ct = encrypt(b"hello", &r, false).unwrap();
        let id: Box<dyn age::Identity> =
            Box::new(age::x25519::Identity::from_str(secret.expose_secret()).unwrap());
        assert_eq!(&decrypt(&ct, &[id]).unwrap()[..], b"hello");
        let other: Box<dyn age::Identity> = Box::new(age::x25519::Identity::generate());
        let err = decrypt(&ct, &[other]).err().unwrap();
        assert!(err.to_string().contains("wrong passphrase or identity"));
    }

    #[test]
    fn truncated_file_is_damaged_not_wrong_key() {
        let (secret, recipient) = generate_identity();
        let ct = encrypt(
            &[7u8; 100_000],
            &parse_recipients(&[recipient]).unwrap(),
            false,
        )
        .unwrap();
        let id: Box<dyn age::Identity> =
            Box::new(age::x25519::Identity::from_str(secret.expose_secret()).unwrap());
        let err = decrypt(&ct[..ct.len() - 100], &[id]).err().unwrap();
        assert!(err.to_string().contains("damaged"), "{err}");
    }

    #[test]
    fn unknown_recipient_is_an_error() {
        assert!(parse_recipients(&["nonsense".into()]).is_err());
    }
}
