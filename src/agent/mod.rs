//! The per-user agent (`otp unlock`, `otp lock`): one background process
//! that holds the X25519 identities of unlocked passphrase key files, so
//! that a passphrase vault opens without a passphrase source and without
//! scrypt until the agent forgets (idle timeout, lifetime, `otp lock`, a
//! signal, a changed key file). docs/agent.md has the threat model.
//!
//! The agent never hands an identity out: a client sends the recipient
//! stanzas of the file it opens ([`AgentIdentity`], age's `Identity`
//! seam) and gets that file's 16-byte file key back. Each key is held
//! under the canonical path of its sealed key file and the SHA-256 of that
//! file's bytes: a vault whose key file the agent does not hold, or whose
//! key file changed, falls back to the usual unlock sources.
//!
//! The socket is `$XDG_RUNTIME_DIR/otp/agent.sock`, else
//! `$TMPDIR/otp-UID/agent.sock` (TMPDIR defaults to /tmp); the folder must
//! be a real folder of this user with mode 0700, or it is not used. Both
//! ends check the other's uid (SO_PEERCRED).

pub mod proto;
pub mod server;

use std::cell::{Cell, OnceCell, RefCell};
use std::io::BufRead;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;

use anyhow::{Context, Result};
use sha2::Digest;
use zeroize::Zeroizing;

use crate::error::Fail;
use proto::Message;

/// The hidden first argument that makes the binary the agent.
pub const AGENT_ARG: &str = "__agent";

/// How long a client waits for the agent's answer (it answers in well
/// under a millisecond; a generous limit for a loaded machine).
const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the agent listens.
#[derive(Debug, Clone)]
pub struct Paths {
    pub dir: PathBuf,
    pub socket: PathBuf,
    pub lock: PathBuf,
}

impl Paths {
    /// `$XDG_RUNTIME_DIR/otp`, else `$TMPDIR/otp-UID` (TMPDIR: /tmp).
    pub fn from_env() -> Paths {
        let dir = match std::env::var_os("XDG_RUNTIME_DIR")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
        {
            Some(run) => run.join("otp"),
            None => std::env::temp_dir().join(format!("otp-{}", own_uid())),
        };
        Paths::in_dir(dir)
    }

    pub fn in_dir(dir: PathBuf) -> Paths {
        Paths {
            socket: dir.join("agent.sock"),
            lock: dir.join("agent.lock"),
            dir,
        }
    }
}

pub fn own_uid() -> u32 {
    rustix::process::getuid().as_raw()
}

/// Only the agent's own user may talk to it, in both directions.
pub fn peer_allowed(peer_uid: u32, own_uid: u32) -> bool {
    peer_uid == own_uid
}

/// What is wrong with the agent's folder, or None when it is private: a
/// real folder (not a link), owned by `uid`, no access for group or others.
pub fn folder_problem(meta: &std::fs::Metadata, uid: u32) -> Option<String> {
    if meta.file_type().is_symlink() || !meta.is_dir() {
        return Some("it is not a folder".into());
    }
    if meta.uid() != uid {
        return Some(format!(
            "it belongs to uid {}, not to you ({uid})",
            meta.uid()
        ));
    }
    let mode = meta.mode() & 0o777;
    if mode & 0o077 != 0 {
        return Some(format!("its mode is {mode:o}, not 700"));
    }
    None
}

fn unsafe_folder(dir: &Path, problem: &str) -> anyhow::Error {
    Fail::error(format!(
        "refusing to use the agent folder {}: {problem}",
        dir.display()
    ))
    .hint("remove it (otp makes a private one), or set XDG_RUNTIME_DIR to a private folder")
    .into()
}

/// Ok(false) when the folder does not exist; an error when it is not private.
fn check_folder(dir: &Path) -> Result<bool> {
    match std::fs::symlink_metadata(dir) {
        Ok(meta) => match folder_problem(&meta, own_uid()) {
            None => Ok(true),
            Some(problem) => Err(unsafe_folder(dir, &problem)),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e).with_context(|| format!("cannot inspect {}", dir.display())),
    }
}

/// Makes the folder (mode 0700) if needed, then checks it.
fn ensure_folder(dir: &Path) -> Result<()> {
    if !check_folder(dir)? {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("cannot create the agent folder {}", dir.display()))?;
        if !check_folder(dir)? {
            return Err(Fail::error(format!("cannot create {}", dir.display())).into());
        }
    }
    Ok(())
}

/// A connection to a running agent of this user, or None (no agent, a
/// stale socket, another user's socket). A folder that is not private is
/// an error.
pub fn connect(paths: &Paths) -> Result<Option<UnixStream>> {
    if !check_folder(&paths.dir)? {
        return Ok(None);
    }
    let Ok(stream) = UnixStream::connect(&paths.socket) else {
        return Ok(None);
    };
    match rustix::net::sockopt::socket_peercred(&stream) {
        Ok(cred) if peer_allowed(cred.uid.as_raw(), own_uid()) => {}
        _ => {
            return Err(unsafe_folder(
                &paths.dir,
                "its socket belongs to another user",
            ));
        }
    }
    stream.set_read_timeout(Some(REPLY_TIMEOUT))?;
    stream.set_write_timeout(Some(REPLY_TIMEOUT))?;
    Ok(Some(stream))
}

/// One request, one reply.
pub fn ask(mut stream: UnixStream, request: &Message) -> std::io::Result<Message> {
    request.write_to(&mut stream)?;
    Message::read_from(&mut stream)
}

/// A sealed key file as the agent knows it: canonical path and SHA-256.
#[derive(Clone)]
pub struct KeyRef {
    pub path: String,
    pub fingerprint: [u8; 32],
}

impl KeyRef {
    /// `data` is the file's content, already read by the caller.
    pub fn new(path: &Path, data: &[u8]) -> KeyRef {
        let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        KeyRef {
            path: canonical.to_string_lossy().into_owned(),
            fingerprint: sha2::Sha256::digest(data).into(),
        }
    }
}

/// What the agent says about one key file.
pub struct Held {
    pub recipient: String,
    pub idle_left: Duration,
    pub lifetime_left: Option<Duration>,
}

/// Whether the running agent (if any) holds this key file's key.
pub fn status(paths: &Paths, key: &KeyRef) -> Result<Option<Held>> {
    let Some(stream) = connect(paths)? else {
        return Ok(None);
    };
    let reply = ask(
        stream,
        &Message::new("status")
            .with(key.path.as_bytes())
            .with(&key.fingerprint),
    );
    let Ok(reply) = reply else {
        return Ok(None);
    };
    if reply.op() != b"held" {
        return Ok(None);
    }
    Ok(Some(Held {
        recipient: reply.text(1).unwrap_or("").to_string(),
        idle_left: Duration::from_secs(reply.number(2).unwrap_or(0)),
        lifetime_left: reply.number(3).map(Duration::from_secs),
    }))
}

/// Is an agent running (for `otp status`)?
pub fn running(paths: &Paths) -> bool {
    matches!(connect(paths), Ok(Some(_)))
}

/// The process id of the running agent, if one answers.
pub fn ping(paths: &Paths) -> Option<u32> {
    let reply = ask(connect(paths).ok()??, &Message::new("ping")).ok()?;
    (reply.op() == b"pong")
        .then(|| reply.number(1))?
        .map(|p| p as u32)
}

/// An `age::Identity` whose unwrap happens in the agent: the stanzas go
/// over the socket, one file key comes back.
pub struct AgentIdentity {
    paths: Paths,
    key: KeyRef,
    /// A connection made in advance, used for the first request.
    stream: RefCell<Option<UnixStream>>,
    /// Set when the agent did not unwrap (it does not hold the key, or
    /// is gone): the caller may fall back to the passphrase.
    lost: Rc<Cell<bool>>,
    /// The last request the agent answered and its file key: the same
    /// header unwrapped again (the vault, proven in [`unlocked`], then
    /// read) is answered here, so the agent forgetting in between does not
    /// matter.
    answered: RefCell<Option<Answered>>,
    /// The usual unlock sources, for a later unwrap in the same command
    /// (another file: a backup read back, a recover source, sync's
    /// versions) after the agent forgot the key. Only once `armed`: before
    /// that, the caller falls back itself ([`unlocked`], `otp code`).
    fallback: Option<Fallback>,
    armed: Cell<bool>,
    /// What `fallback` gave: asked once, then used for every unwrap.
    fell_back: OnceCell<crate::vault::keys::Unlocked>,
}

/// The usual unlock sources of a command (the passphrase sources and the
/// sealed key file), for when the agent forgets its key midway.
pub type Fallback = Box<dyn Fn() -> Result<crate::vault::keys::Unlocked>>;

/// An unwrap request (encoded) and the file key the agent gave for it.
type Answered = (Zeroizing<Vec<u8>>, Zeroizing<[u8; 16]>);

impl AgentIdentity {
    fn new(
        paths: &Paths,
        key: &KeyRef,
        stream: Option<UnixStream>,
        lost: Rc<Cell<bool>>,
        fallback: Option<Fallback>,
    ) -> Self {
        AgentIdentity {
            paths: paths.clone(),
            key: key.clone(),
            stream: RefCell::new(stream),
            lost,
            answered: RefCell::new(None),
            fallback,
            armed: Cell::new(false),
            fell_back: OnceCell::new(),
        }
    }

    /// The unwrap with the usual sources, when armed and the agent no longer
    /// holds the key (or is gone): None when there are none to go to.
    fn unwrap_by_fallback(
        &self,
        stanzas: &[age_core::format::Stanza],
    ) -> Option<Result<age_core::format::FileKey, age::DecryptError>> {
        if !self.armed.get() {
            return None;
        }
        let fallback = self.fallback.as_ref()?;
        let unlocked = match self.fell_back.get() {
            Some(unlocked) => unlocked,
            None => match fallback() {
                Ok(unlocked) => self.fell_back.get_or_init(|| unlocked),
                Err(e) => {
                    let e = crate::vault::keys::KeyUnavailable(e);
                    return Some(Err(age::DecryptError::Io(std::io::Error::other(e))));
                }
            },
        };
        unlocked
            .identities
            .iter()
            .find_map(|i| i.unwrap_stanzas(stanzas))
    }
}

fn file_key(bytes: &[u8; 16]) -> age_core::format::FileKey {
    age_core::format::FileKey::init_with_mut(|k| k.copy_from_slice(bytes))
}

impl age::Identity for AgentIdentity {
    fn unwrap_stanza(
        &self,
        stanza: &age_core::format::Stanza,
    ) -> Option<Result<age_core::format::FileKey, age::DecryptError>> {
        self.unwrap_stanzas(std::slice::from_ref(stanza))
    }

    fn unwrap_stanzas(
        &self,
        stanzas: &[age_core::format::Stanza],
    ) -> Option<Result<age_core::format::FileKey, age::DecryptError>> {
        let mut request = Message::new("unwrap")
            .with(self.key.path.as_bytes())
            .with(&self.key.fingerprint);
        for s in stanzas {
            request = request.with(proto::stanza_line(s).as_bytes()).with(&s.body);
        }
        let encoded = request.encode();
        if let Some((asked, key)) = &*self.answered.borrow()
            && **asked == *encoded
        {
            return Some(Ok(file_key(key)));
        }
        if self.fell_back.get().is_some() {
            return self.unwrap_by_fallback(stanzas);
        }
        let stream = match self.stream.borrow_mut().take() {
            Some(s) => Some(s),
            None => connect(&self.paths).ok().flatten(),
        };
        let reply = stream.and_then(|s| ask(s, &request).ok());
        let Some(reply) = reply else {
            self.lost.set(true);
            return self.unwrap_by_fallback(stanzas);
        };
        match reply.op() {
            b"key" if reply.field(1).len() == 16 => {
                let mut key = Zeroizing::new([0u8; 16]);
                key.copy_from_slice(reply.field(1));
                let out = file_key(&key);
                *self.answered.borrow_mut() = Some((encoded, key));
                self.armed.set(true);
                Some(Ok(out))
            }
            // Forgotten: the usual sources hold the same key.
            b"notheld" => {
                self.lost.set(true);
                self.unwrap_by_fallback(stanzas)
            }
            // Held, but this file is not for it (`nokey`): nor for the
            // usual sources, which hold the same key.
            _ => {
                self.lost.set(true);
                None
            }
        }
    }
}

/// The keys of a sealed key file, if the agent holds them: an `Unlocked`
/// whose identity asks the agent.
///
/// The agent can forget the key between its `status` answer and the unwrap
/// (its idle timeout or lifetime, `otp lock`, a signal): so the header of
/// `vault` (when it exists) is unwrapped here, and None returned when the
/// agent no longer does, so that the caller goes on to the usual unlock
/// sources, as `otp code` does after [`optimistic`]. The identity keeps
/// that header's file key: reading the vault afterwards needs the agent no
/// more. A header the agent did unwrap but that does not check out (a
/// damaged file) is left to the caller's own read to report.
///
/// Later unwraps of other files in the same command (a backup read back,
/// a recover source, sync's versions) go to `fallback`, the usual sources,
/// when the agent has forgotten the key by then.
pub fn unlocked(
    paths: &Paths,
    key: &KeyRef,
    vault: &Path,
    fallback: Option<Fallback>,
) -> Option<crate::vault::keys::Unlocked> {
    let held = match status(paths, key) {
        Ok(held) => held?,
        Err(e) => {
            crate::term::warn(&format!("{e:#}; not using the agent"));
            return None;
        }
    };
    let lost = Rc::new(Cell::new(false));
    let identity = AgentIdentity::new(paths, key, None, Rc::clone(&lost), fallback);
    // No vault to prove the key on (`otp recover` into a new place): the
    // first unwrap is already a later one.
    let vault = std::fs::File::open(vault);
    identity.armed.set(vault.is_err());
    let unlocked = crate::vault::keys::Unlocked {
        identities: vec![Box::new(identity)],
        recipients: crate::vault::keys::Recipients::Known(vec![held.recipient]),
        method: crate::vault::keys::Method::Agent(PathBuf::from(&key.path)),
    };
    if let Ok(file) = vault {
        let input = std::io::BufReader::with_capacity(4 << 10, file);
        if crate::vault::keys::decrypt_stream(input, &unlocked.identities).is_err() && lost.get() {
            return None;
        }
    }
    Some(unlocked)
}

/// [`unlocked`] in one round trip instead of two, for `otp code`: no
/// question first, only a connection; the flag turns true when the agent
/// then does not unwrap, and the caller falls back to the usual sources.
/// The recipients are not known (`otp code` does not need them). Once the
/// agent has answered, later unwraps go to `fallback` as in [`unlocked`].
pub fn optimistic(
    paths: &Paths,
    key: &KeyRef,
    fallback: Option<Fallback>,
) -> Option<(crate::vault::keys::Unlocked, Rc<Cell<bool>>)> {
    let stream = match connect(paths) {
        Ok(stream) => stream?,
        Err(e) => {
            crate::term::warn(&format!("{e:#}; not using the agent"));
            return None;
        }
    };
    let lost = Rc::new(Cell::new(false));
    let unlocked = crate::vault::keys::Unlocked {
        identities: vec![Box::new(AgentIdentity::new(
            paths,
            key,
            Some(stream),
            Rc::clone(&lost),
            fallback,
        ))],
        recipients: crate::vault::keys::Recipients::Known(Vec::new()),
        method: crate::vault::keys::Method::Agent(PathBuf::from(&key.path)),
    };
    Some((unlocked, lost))
}

/// How long the agent keeps a key.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    pub idle: Duration,
    pub lifetime: Option<Duration>,
}

/// Gives the identities of an unsealed key file (`identity_text`, the text
/// of an age identity file) to the agent, starting one if none runs.
/// Returns the agent's warning, if any (memory could not be locked).
pub fn hand_over(
    paths: &Paths,
    key: &KeyRef,
    identity_text: &[u8],
    timeouts: Timeouts,
) -> Result<Option<String>> {
    ensure_folder(&paths.dir)?;
    // One starter at a time: two `otp unlock` at once start one agent.
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .mode(0o600)
        .open(&paths.lock)
        .with_context(|| format!("cannot open {}", paths.lock.display()))?;
    lock.lock()
        .with_context(|| format!("cannot lock {}", paths.lock.display()))?;
    let request = Message::new("add")
        .with(key.path.as_bytes())
        .with(&key.fingerprint)
        .with(identity_text)
        .with(timeouts.idle.as_secs().to_string().as_bytes())
        .with(
            timeouts
                .lifetime
                .map_or(0, |l| l.as_secs())
                .to_string()
                .as_bytes(),
        );
    // A running agent may be on its way out (it leaves when it holds
    // nothing): one more try with a new agent.
    for attempt in 0..2 {
        let stream = match connect(paths)? {
            Some(s) if attempt == 0 => s,
            _ => {
                start(paths)?;
                connect(paths)?
                    .ok_or_else(|| Fail::error("the agent started but does not answer"))?
            }
        };
        if let Ok(reply) = ask(stream, &request) {
            return match reply.op() {
                b"ok" => Ok(reply.text(1).filter(|w| !w.is_empty()).map(str::to_string)),
                _ => Err(Fail::error(format!(
                    "the agent refused the key: {}",
                    reply.text(1).unwrap_or("no reason given")
                ))
                .into()),
            };
        }
    }
    Err(Fail::error("the agent does not answer").into())
}

/// Starts the agent: this binary with [`AGENT_ARG`] and the socket path,
/// an empty environment, and a pipe on which it says it listens. Call with
/// the lock held.
fn start(paths: &Paths) -> Result<()> {
    let exe = std::env::current_exe().context("cannot find the otp binary to start the agent")?;
    let mut child = std::process::Command::new(exe)
        .arg(AGENT_ARG)
        .arg(&paths.socket)
        .env_clear()
        .current_dir("/")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .context("cannot start the agent")?;
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        std::io::BufReader::new(out).read_line(&mut line).ok();
    }
    if line.trim() != "ready" {
        let _ = child.kill();
        let _ = child.wait();
        return Err(Fail::error(format!(
            "the agent did not start{}",
            match line.trim() {
                "" => String::new(),
                l => format!(": {l}"),
            }
        ))
        .into());
    }
    // Not waited for: it outlives this process (it made its own session).
    Ok(())
}

/// Sends a request that needs only `ok` back; None when no agent runs.
fn simple(paths: &Paths, request: &Message) -> Result<Option<Message>> {
    let Some(stream) = connect(paths)? else {
        return Ok(None);
    };
    Ok(ask(stream, request).ok().filter(|r| r.op() == b"ok"))
}

/// What `otp lock` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Locked {
    /// No agent runs (no socket, or nothing listening on it).
    NoAgent,
    /// The agent forgot every key.
    Forgot,
    /// The agent did not answer in time: it was sent SIGTERM (it forgets
    /// every key and exits at once on it).
    Stopped(i32),
}

/// How long `otp lock` waits for the agent's answer before stopping it.
const LOCK_REPLY_TIMEOUT: Duration = Duration::from_secs(2);

/// `otp lock`: the agent forgets every key (and then exits). An agent that
/// is there but does not answer is stopped with SIGTERM: `lock` never says
/// no agent runs while one may hold a key.
pub fn lock_all(paths: &Paths) -> Result<Locked> {
    let Some(stream) = connect(paths)? else {
        return Ok(Locked::NoAgent);
    };
    let peer = rustix::net::sockopt::socket_peercred(&stream)
        .ok()
        .map(|c| c.pid);
    stream.set_read_timeout(Some(LOCK_REPLY_TIMEOUT))?;
    stream.set_write_timeout(Some(LOCK_REPLY_TIMEOUT))?;
    if ask(stream, &Message::new("lock")).is_ok_and(|r| r.op() == b"ok") {
        return Ok(Locked::Forgot);
    }
    // connect() checked that the peer is this user's process.
    if let Some(pid) = peer
        && rustix::process::kill_process(pid, rustix::process::Signal::TERM).is_ok()
    {
        return Ok(Locked::Stopped(pid.as_raw_nonzero().get()));
    }
    Err(Fail::error(format!(
        "the agent at {} did not answer and could not be stopped: it may still hold keys",
        paths.socket.display()
    ))
    .hint("end the process listening on that socket (it is yours), e.g. with `fuser -k` on it")
    .into())
}

/// Forget one key file's key (after `otp passwd` rewrote it); true when
/// the agent held it.
pub fn forget(paths: &Paths, key_file: &Path) -> Result<bool> {
    let canonical = std::fs::canonicalize(key_file).unwrap_or_else(|_| key_file.to_path_buf());
    let reply = simple(
        paths,
        &Message::new("forget").with(canonical.to_string_lossy().as_bytes()),
    )?;
    Ok(reply.is_some_and(|r| r.field(1) == b"forgotten"))
}

/// The text of an identity file for the agent: only its X25519 secret key
/// lines (comments and the public key are not needed).
pub fn identity_lines(text: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(text.len()));
    for line in text.split(|&b| b == b'\n') {
        let line = line.trim_ascii();
        if line.starts_with(b"AGE-SECRET-KEY-1") {
            out.extend_from_slice(line);
            out.push(b'\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn only_the_same_uid_is_served() {
        assert!(peer_allowed(1000, 1000));
        assert!(!peer_allowed(0, 1000));
        assert!(!peer_allowed(1000, 0));
        assert!(!peer_allowed(65534, 1000));
    }

    #[test]
    fn folder_must_be_private() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("otp");
        std::fs::DirBuilder::new().mode(0o700).create(&d).unwrap();
        let uid = own_uid();
        let meta = std::fs::symlink_metadata(&d).unwrap();
        assert_eq!(folder_problem(&meta, uid), None);
        // Someone else's folder.
        assert!(
            folder_problem(&meta, uid + 1)
                .unwrap()
                .contains("belongs to uid")
        );
        // Readable by others.
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).unwrap();
        let meta = std::fs::symlink_metadata(&d).unwrap();
        assert!(folder_problem(&meta, uid).unwrap().contains("755"));
        // A link to a private folder.
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700)).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&d, &link).unwrap();
        let meta = std::fs::symlink_metadata(&link).unwrap();
        assert!(folder_problem(&meta, uid).is_some());
        assert!(check_folder(&link).is_err());
        assert!(!check_folder(&dir.path().join("none")).unwrap());
    }

    #[test]
    fn only_secret_key_lines_go_to_the_agent() {
        let text = b"# created: now\n# public key: age1xyz\nAGE-SECRET-KEY-1ABC\n\n";
        assert_eq!(&identity_lines(text)[..], b"AGE-SECRET-KEY-1ABC\n");
    }
}
