//! The agent process (`otp __agent SOCKET`, started by `otp unlock`): its
//! own session, not dumpable, no core files, keys in locked pages (wiped
//! where they sit when forgotten), one request per connection from this uid
//! only, and gone (socket removed) as soon as it holds no key.
//!
//! Clients are served together, never one after the other: every
//! connection is read without blocking as its bytes arrive, and one that
//! has not sent its whole request within [`REQUEST_DEADLINE`] of
//! connecting is closed. A slow or idle client (same uid, so not trusted
//! to be well-behaved) therefore cannot hold up `otp lock`, another
//! client, or a signal, which is seen within [`TICK`].

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use age::secrecy::ExposeSecret;
use sha2::Digest;

use super::proto::{self, Message};
use super::{own_uid, peer_allowed};

/// Identities per key file (an identity file may list several).
const MAX_IDS: usize = 8;
/// A new agent that is given no key in this time leaves.
const FIRST_KEY_WAIT: Duration = Duration::from_secs(30);
/// How often the held key files are re-read to notice a change.
const KEY_FILE_CHECK: Duration = Duration::from_secs(2);
/// The longest sleep between checks of signals and timeouts.
const TICK: Duration = Duration::from_millis(500);
/// A client has this long from connecting to sending its whole request.
const REQUEST_DEADLINE: Duration = Duration::from_secs(2);
/// Connections served at once; beyond this the oldest is closed, so that
/// idle connections cannot keep new ones out.
const MAX_CLIENTS: usize = 64;

/// The identities of one key file, alone in one page of memory, so that
/// locking that page keeps them (and nothing else) out of swap. Places not
/// in use hold the all-zero key (never an `Option`: writing `None` over a
/// key may leave bytes of it, or of the stack, in the payload).
#[repr(C, align(4096))]
struct Slot {
    ids: [age::x25519::Identity; MAX_IDS],
    /// How many of `ids` are keys.
    len: usize,
}

/// The all-zero X25519 key, what an empty place of a [`Slot`] holds.
const ZERO_KEY: &str = "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ8H00W3";

fn zero_identity() -> age::x25519::Identity {
    age::x25519::Identity::from_str(ZERO_KEY).expect("the zero key parses")
}

impl Slot {
    fn new() -> Box<Slot> {
        Box::new(Slot {
            ids: std::array::from_fn(|_| zero_identity()),
            len: 0,
        })
    }

    /// Puts `id` in the next free place (false when there is none).
    fn push(&mut self, id: age::x25519::Identity) -> bool {
        let Some(place) = self.ids.get_mut(self.len) else {
            return false;
        };
        *place = id;
        self.len += 1;
        true
    }

    fn ids(&self) -> &[age::x25519::Identity] {
        &self.ids[..self.len]
    }

    /// Wipes every key where it sits: assigning drops the old value in
    /// place, and an identity (x25519 `StaticSecret`) zeroizes its bytes
    /// when dropped; the zero key written over it has no other bytes.
    /// (`Option::take` moved the key out, wiped only the moved copy, and
    /// left the bytes in this page.)
    fn forget(&mut self) {
        for id in self.ids.iter_mut() {
            *id = zero_identity();
        }
        self.len = 0;
    }
}

struct Entry {
    key_file: String,
    fingerprint: [u8; 32],
    recipient: String,
    /// Dropped before `slot`: the page is unlocked after it was cleared.
    _lock: Option<region::LockGuard>,
    slot: Box<Slot>,
    idle: Duration,
    lifetime: Option<Duration>,
    added: Instant,
    used: Instant,
    checked: Instant,
}

impl Drop for Entry {
    fn drop(&mut self) {
        // Before the page is unlocked (`_lock`) and freed (`slot`).
        self.slot.forget();
    }
}

impl Entry {
    fn expired(&self, now: Instant) -> bool {
        now.duration_since(self.used) >= self.idle
            || self
                .lifetime
                .is_some_and(|l| now.duration_since(self.added) >= l)
    }

    fn ids(&self) -> impl Iterator<Item = &age::x25519::Identity> {
        self.slot.ids().iter()
    }
}

/// Runs the agent; returns the exit code.
pub fn serve(args: &[String]) -> u8 {
    let Some(socket) = args.first().map(PathBuf::from) else {
        println!("usage: otp __agent SOCKET");
        return 2;
    };
    // Its own session: no terminal's hangup or Ctrl-C reaches it.
    let _ = rustix::process::setsid();
    // `main` hardened the process already (crate::harden); what failed is
    // reported with every key taken.
    let not_hardened = crate::harden::harden().failed;
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGHUP,
    ] {
        if signal_hook::flag::register(signal, Arc::clone(&stop)).is_err() {
            println!("cannot handle signal {signal}");
            return 1;
        }
    }
    // The starter holds the lock and found no agent answering: a socket
    // left here is stale (an agent killed with SIGKILL).
    let _ = std::fs::remove_file(&socket);
    let listener = match UnixListener::bind(&socket) {
        Ok(l) => l,
        Err(e) => {
            println!("cannot listen on {}: {e}", socket.display());
            return 1;
        }
    };
    let _ = std::fs::set_permissions(&socket, std::fs::Permissions::from_mode(0o600));
    let ours = std::fs::symlink_metadata(&socket)
        .map(|m| (m.dev(), m.ino()))
        .ok();
    println!("ready");
    let mut agent = Agent {
        not_hardened: if not_hardened.is_empty() {
            String::new()
        } else {
            format!(
                "the agent could not set {}: its memory is less protected",
                not_hardened.join(", ")
            )
        },
        entries: Vec::new(),
        started: Instant::now(),
        had_keys: false,
    };
    agent.run(&listener, &stop);
    // Leave no socket behind, unless another agent has replaced it.
    if std::fs::symlink_metadata(&socket)
        .map(|m| (m.dev(), m.ino()))
        .ok()
        == ours
    {
        let _ = std::fs::remove_file(&socket);
    }
    0
}

/// One connection being read.
struct Client {
    stream: UnixStream,
    /// What it sent so far (it may hold a key: wiped when dropped).
    request: zeroize::Zeroizing<Vec<u8>>,
    deadline: Instant,
}

struct Agent {
    /// A warning for `otp unlock` when hardening failed.
    not_hardened: String,
    entries: Vec<Entry>,
    started: Instant,
    had_keys: bool,
}

impl Agent {
    fn run(&mut self, listener: &UnixListener, stop: &AtomicBool) {
        let _ = listener.set_nonblocking(true);
        let mut clients: Vec<Client> = Vec::new();
        loop {
            if stop.load(Ordering::SeqCst) {
                self.entries.clear();
                return;
            }
            let now = Instant::now();
            self.entries.retain(|e| !e.expired(now));
            self.check_key_files(now);
            if self.entries.is_empty()
                && (self.had_keys || now.duration_since(self.started) >= FIRST_KEY_WAIT)
            {
                return;
            }
            clients.retain(|c| c.deadline > now);
            let wait = clients
                .iter()
                .map(|c| c.deadline.saturating_duration_since(now))
                .fold(TICK, Duration::min);
            let timeout = rustix::fs::Timespec {
                tv_sec: 0,
                tv_nsec: wait.as_nanos() as _,
            };
            let mut fds = Vec::with_capacity(1 + clients.len());
            fds.push(rustix::event::PollFd::new(
                listener,
                rustix::event::PollFlags::IN,
            ));
            for c in &clients {
                fds.push(rustix::event::PollFd::new(
                    &c.stream,
                    rustix::event::PollFlags::IN,
                ));
            }
            match rustix::event::poll(&mut fds, Some(&timeout)) {
                Ok(n) if n > 0 => {}
                _ => continue, // timeout, or a signal (EINTR)
            }
            let ready: Vec<bool> = fds.iter().map(|f| !f.revents().is_empty()).collect();
            drop(fds);
            // Requests of the clients that have bytes to read, in turn;
            // a client done (answered, closed, misbehaving) is dropped.
            let mut i = 0;
            clients.retain_mut(|c| {
                i += 1;
                !ready[i] || self.advance(c)
            });
            if ready[0] {
                self.accept(listener, &mut clients);
            }
        }
    }

    /// Takes every waiting connection of this uid (others are closed
    /// without a word).
    fn accept(&self, listener: &UnixListener, clients: &mut Vec<Client>) {
        while let Ok((stream, _)) = listener.accept() {
            match rustix::net::sockopt::socket_peercred(&stream) {
                Ok(cred) if peer_allowed(cred.uid.as_raw(), own_uid()) => {}
                _ => continue,
            }
            if stream.set_nonblocking(true).is_err() {
                continue;
            }
            if clients.len() >= MAX_CLIENTS {
                clients.remove(0);
            }
            clients.push(Client {
                stream,
                request: zeroize::Zeroizing::new(Vec::new()),
                deadline: Instant::now() + REQUEST_DEADLINE,
            });
        }
    }

    /// Reads what `c` has sent; answers once its request is whole. False
    /// when the connection is done with.
    fn advance(&mut self, c: &mut Client) -> bool {
        let mut chunk = zeroize::Zeroizing::new([0u8; 4096]);
        loop {
            match std::io::Read::read(&mut c.stream, &mut chunk[..]) {
                Ok(0) => return false,
                Ok(n) => c.request.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(_) => return false,
            }
            match proto::frame_len(&c.request) {
                Some(Ok(len)) if c.request.len() >= len => break,
                Some(Err(())) => return false,
                _ => {}
            }
        }
        let len = match proto::frame_len(&c.request) {
            Some(Ok(len)) if c.request.len() >= len => len,
            Some(Err(())) => return false,
            _ => return true, // more to come, before the deadline
        };
        if c.request.len() > len {
            return false; // one request per connection
        }
        let Some(request) = Message::decode(&c.request[4..]) else {
            return false;
        };
        let reply = self.handle(&request, Instant::now());
        // The reply is small and the socket's buffer empty: it is written
        // at once, or the client is not reading and is dropped.
        let _ = c.stream.set_nonblocking(false);
        let _ = c.stream.set_write_timeout(Some(Duration::from_millis(100)));
        let _ = reply.write_to(&mut c.stream);
        false
    }

    /// A key file that changed (`otp passwd`) or vanished: forget its key.
    fn check_key_files(&mut self, now: Instant) {
        for e in self.entries.iter_mut() {
            if now.duration_since(e.checked) >= KEY_FILE_CHECK {
                e.checked = now;
                if fingerprint_of(Path::new(&e.key_file)) != Some(e.fingerprint) {
                    e.fingerprint = [0; 32]; // marks it for removal below
                }
            }
        }
        self.entries.retain(|e| e.fingerprint != [0; 32]);
    }

    fn position(&self, key_file: &[u8]) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| e.key_file.as_bytes() == key_file)
    }

    /// The entry for this key file and fingerprint; a changed fingerprint
    /// forgets the old key.
    fn current(&mut self, key_file: &[u8], fingerprint: &[u8], now: Instant) -> Option<usize> {
        let i = self.position(key_file)?;
        if self.entries[i].fingerprint[..] != *fingerprint || self.entries[i].expired(now) {
            self.entries.remove(i);
            return None;
        }
        Some(i)
    }

    fn handle(&mut self, req: &Message, now: Instant) -> Message {
        match req.op() {
            b"ping" => Message::new("pong").with(std::process::id().to_string().as_bytes()),
            b"add" => match self.add(req, now) {
                Ok(warning) => Message::new("ok").with(warning.as_bytes()),
                Err(e) => Message::new("err").with(e.as_bytes()),
            },
            b"unwrap" => {
                let Some(i) = self.current(req.field(1), req.field(2), now) else {
                    return Message::new("notheld");
                };
                let mut stanzas = Vec::new();
                let mut k = 3;
                while k + 1 < req.fields.len() {
                    let Some(s) = req
                        .text(k)
                        .and_then(|l| proto::stanza_of(l, req.field(k + 1)))
                    else {
                        return Message::new("err").with(b"malformed stanza");
                    };
                    stanzas.push(s);
                    k += 2;
                }
                let found = self.entries[i]
                    .ids()
                    .find_map(|id| age::Identity::unwrap_stanzas(id, &stanzas));
                match found {
                    Some(Ok(file_key)) => {
                        self.entries[i].used = now;
                        Message::new("key").with(file_key.expose_secret())
                    }
                    Some(Err(_)) => Message::new("err").with(b"stanza did not unwrap"),
                    None => Message::new("nokey"),
                }
            }
            b"status" => {
                let Some(i) = self.current(req.field(1), req.field(2), now) else {
                    return Message::new("notheld");
                };
                let e = &self.entries[i];
                let idle_left = e.idle.saturating_sub(now.duration_since(e.used));
                let life_left = e
                    .lifetime
                    .map(|l| {
                        l.saturating_sub(now.duration_since(e.added))
                            .as_secs()
                            .to_string()
                    })
                    .unwrap_or_default();
                Message::new("held")
                    .with(e.recipient.as_bytes())
                    .with(idle_left.as_secs().to_string().as_bytes())
                    .with(life_left.as_bytes())
            }
            b"forget" => match self.position(req.field(1)) {
                Some(i) => {
                    self.entries.remove(i);
                    Message::new("ok").with(b"forgotten")
                }
                None => Message::new("ok"),
            },
            b"lock" => {
                self.entries.clear();
                Message::new("ok")
            }
            _ => Message::new("err").with(b"unknown request"),
        }
    }

    /// Takes a key: `add KEYFILE FINGERPRINT IDENTITY IDLE LIFETIME`.
    fn add(&mut self, req: &Message, now: Instant) -> Result<String, String> {
        let key_file = req.text(1).filter(|p| !p.is_empty()).ok_or("no key file")?;
        let fingerprint: [u8; 32] = req.field(2).try_into().map_err(|_| "no fingerprint")?;
        let idle = req.number(4).filter(|&s| s > 0).ok_or("no idle timeout")?;
        let lifetime = req.number(5).filter(|&s| s > 0).map(Duration::from_secs);
        let text = std::str::from_utf8(req.field(3)).map_err(|_| "the identity is not text")?;
        // The page is locked before a key is put in it.
        let mut slot = Slot::new();
        let (lock, mut warning) = match region::lock(&*slot as *const Slot, size_of::<Slot>()) {
            Ok(guard) => (Some(guard), String::new()),
            Err(e) => (
                None,
                format!(
                    "the agent could not lock the key in memory ({e}): it may be written to swap; \
                     raise the locked-memory limit (ulimit -l) to avoid that"
                ),
            ),
        };
        for (n, line) in text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .enumerate()
        {
            if n == MAX_IDS {
                return Err("too many identities".into());
            }
            let id = age::x25519::Identity::from_str(line)
                .map_err(|_| "the agent holds X25519 identities only")?;
            slot.push(id);
        }
        let recipient = slot
            .ids()
            .first()
            .ok_or("no identity given")?
            .to_public()
            .to_string();
        if !self.not_hardened.is_empty() {
            if !warning.is_empty() {
                warning.push_str("; ");
            }
            warning.push_str(&self.not_hardened);
        }
        if let Some(i) = self.position(key_file.as_bytes()) {
            self.entries.remove(i);
        }
        self.entries.push(Entry {
            key_file: key_file.to_string(),
            fingerprint,
            recipient,
            _lock: lock,
            slot,
            idle: Duration::from_secs(idle),
            lifetime,
            added: now,
            used: now,
            checked: now,
        });
        self.had_keys = true;
        Ok(warning)
    }
}

fn fingerprint_of(path: &Path) -> Option<[u8; 32]> {
    let data = zeroize::Zeroizing::new(std::fs::read(path).ok()?);
    Some(sha2::Sha256::digest(&data[..]).into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::rc::Rc;

    use age::secrecy::ExposeSecret;

    /// age's Identity, answered by an in-process agent (the socket aside,
    /// the path of every request).
    struct Forward {
        agent: Rc<RefCell<Agent>>,
        key_file: &'static str,
        fingerprint: [u8; 32],
        now: Instant,
    }

    impl age::Identity for Forward {
        fn unwrap_stanza(
            &self,
            s: &age_core::format::Stanza,
        ) -> Option<Result<age_core::format::FileKey, age::DecryptError>> {
            self.unwrap_stanzas(std::slice::from_ref(s))
        }

        fn unwrap_stanzas(
            &self,
            stanzas: &[age_core::format::Stanza],
        ) -> Option<Result<age_core::format::FileKey, age::DecryptError>> {
            let mut req = Message::new("unwrap")
                .with(self.key_file.as_bytes())
                .with(&self.fingerprint);
            for s in stanzas {
                req = req.with(proto::stanza_line(s).as_bytes()).with(&s.body);
            }
            let reply = self.agent.borrow_mut().handle(&req, self.now);
            (reply.op() == b"key").then(|| {
                Ok(age_core::format::FileKey::init_with_mut(|k| {
                    k.copy_from_slice(reply.field(1))
                }))
            })
        }
    }

    fn agent() -> Rc<RefCell<Agent>> {
        Rc::new(RefCell::new(Agent {
            not_hardened: String::new(),
            entries: Vec::new(),
            started: Instant::now(),
            had_keys: false,
        }))
    }

    fn add(
        agent: &RefCell<Agent>,
        secret: &str,
        idle: u64,
        lifetime: u64,
        now: Instant,
    ) -> Message {
        let req = Message::new("add")
            .with(b"/v.identity.age")
            .with(&[7; 32])
            .with(format!("{secret}\n").as_bytes())
            .with(idle.to_string().as_bytes())
            .with(lifetime.to_string().as_bytes());
        agent.borrow_mut().handle(&req, now)
    }

    fn open(
        agent: &Rc<RefCell<Agent>>,
        fingerprint: [u8; 32],
        data: &[u8],
        now: Instant,
    ) -> Option<Vec<u8>> {
        let id = Forward {
            agent: Rc::clone(agent),
            key_file: "/v.identity.age",
            fingerprint,
            now,
        };
        crate::vault::keys::decrypt(data, &[Box::new(id)])
            .ok()
            .map(|p| p.to_vec())
    }

    #[test]
    fn unwraps_for_its_key_file_only_and_forgets() {
        let (secret, recipient) = crate::vault::keys::generate_identity();
        let sealed = crate::vault::keys::encrypt(
            b"accounts",
            &crate::vault::keys::parse_recipients(std::slice::from_ref(&recipient)).unwrap(),
            false,
        )
        .unwrap();
        let a = agent();
        let t0 = Instant::now();
        assert_eq!(add(&a, secret.expose_secret(), 60, 0, t0).op(), b"ok");
        // The file opens through the agent.
        assert_eq!(open(&a, [7; 32], &sealed, t0).unwrap(), b"accounts");
        // Status names the recipient, never the identity.
        let st = a.borrow_mut().handle(
            &Message::new("status")
                .with(b"/v.identity.age")
                .with(&[7; 32]),
            t0,
        );
        assert_eq!(st.op(), b"held");
        assert_eq!(st.text(1), Some(recipient.as_str()));
        assert!(
            st.fields
                .iter()
                .all(|f| !String::from_utf8_lossy(f).contains("AGE-SECRET-KEY"))
        );
        // Another vault's file: no key.
        let (_, other) = crate::vault::keys::generate_identity();
        let foreign = crate::vault::keys::encrypt(
            b"x",
            &crate::vault::keys::parse_recipients(&[other]).unwrap(),
            false,
        )
        .unwrap();
        assert!(open(&a, [7; 32], &foreign, t0).is_none());
        // A changed key file (another fingerprint): refused and forgotten.
        assert!(open(&a, [8; 32], &sealed, t0).is_none());
        assert!(a.borrow().entries.is_empty());
        // Idle timeout: use refreshes it, silence ends it.
        add(&a, secret.expose_secret(), 60, 0, t0);
        let t1 = t0 + Duration::from_secs(50);
        assert!(open(&a, [7; 32], &sealed, t1).is_some());
        assert!(open(&a, [7; 32], &sealed, t1 + Duration::from_secs(59)).is_some());
        assert!(open(&a, [7; 32], &sealed, t1 + Duration::from_secs(59 + 60)).is_none());
        // Lifetime: ends it however much it is used.
        add(&a, secret.expose_secret(), 60, 100, t0);
        for s in [30, 60, 90] {
            assert!(open(&a, [7; 32], &sealed, t0 + Duration::from_secs(s)).is_some());
        }
        assert!(open(&a, [7; 32], &sealed, t0 + Duration::from_secs(100)).is_none());
        // Lock forgets everything.
        add(&a, secret.expose_secret(), 60, 0, t0);
        assert_eq!(a.borrow_mut().handle(&Message::new("lock"), t0).op(), b"ok");
        assert!(a.borrow().entries.is_empty());
        assert!(open(&a, [7; 32], &sealed, t0).is_none());
    }

    /// The bytes of a slot's identities as they are in memory, read through
    /// /proc/self/mem (this crate has no unsafe code to look with).
    fn bytes_of(slot: &Slot) -> Vec<u8> {
        use std::os::unix::fs::FileExt;
        let at = &slot.ids as *const _ as usize as u64;
        let mut bytes = vec![0u8; size_of_val(&slot.ids)];
        std::fs::File::open("/proc/self/mem")
            .unwrap()
            .read_exact_at(&mut bytes, at)
            .unwrap();
        bytes
    }

    #[test]
    fn forgetting_wipes_the_key_where_it_sits() {
        let (secret, _) = crate::vault::keys::generate_identity();
        let mut slot = Slot::new();
        assert!(bytes_of(&slot).iter().all(|&b| b == 0), "empty: zero");
        for _ in 0..2 {
            assert!(slot.push(age::x25519::Identity::from_str(secret.expose_secret()).unwrap()));
        }
        assert_eq!(slot.ids().len(), 2);
        assert!(
            bytes_of(&slot).iter().any(|&b| b != 0),
            "the key is in the slot"
        );
        slot.forget();
        assert!(slot.ids().is_empty());
        assert!(
            bytes_of(&slot).iter().all(|&b| b == 0),
            "the slot's bytes are zero after forgetting"
        );
        // Full: no ninth identity.
        for _ in 0..MAX_IDS {
            assert!(slot.push(zero_identity()));
        }
        assert!(!slot.push(zero_identity()));
    }

    #[test]
    fn bad_requests_are_refused() {
        let a = agent();
        let t0 = Instant::now();
        assert_eq!(add(&a, "AGE-SECRET-KEY-1NOTAKEY", 60, 0, t0).op(), b"err");
        assert_eq!(add(&a, "", 60, 0, t0).op(), b"err");
        let (secret, _) = crate::vault::keys::generate_identity();
        assert_eq!(add(&a, secret.expose_secret(), 0, 0, t0).op(), b"err");
        assert_eq!(
            a.borrow_mut().handle(&Message::new("nonsense"), t0).op(),
            b"err"
        );
        assert_eq!(
            a.borrow_mut()
                .handle(&Message::new("unwrap").with(b"/none").with(&[0; 32]), t0)
                .op(),
            b"notheld"
        );
        assert!(a.borrow().entries.is_empty());
    }
}
