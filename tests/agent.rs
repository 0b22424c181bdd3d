//! `otp unlock`, `otp lock` and the agent, with a real agent process in a
//! temp XDG_RUNTIME_DIR. Every test kills the agents of its world when it
//! ends ([`World`]'s Drop), so none outlives the test run.

use crate::common;
use crate::tty;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::{SECRET, SECRET_CODE_AT, TestEnv};
use otp::agent::{self, Paths};
use predicates::prelude::*;

const PASS: &str = "correct horse battery staple";

/// A passphrase vault with one account, a passphrase file, and a guard
/// that kills every agent serving this world's socket.
struct World {
    env: TestEnv,
}

impl World {
    fn new() -> World {
        let env = TestEnv::with_passphrase_vault(PASS);
        env.bare()
            .args(["add", "alice", "--issuer", "GitHub", "--secret-stdin"])
            .env("OTP_PASSPHRASE", PASS)
            .write_stdin(SECRET)
            .assert()
            .success();
        env.write("pass.txt", format!("{PASS}\n"));
        World { env }
    }

    fn paths(&self) -> Paths {
        Paths::in_dir(self.env.path("run/otp"))
    }

    /// `otp` with no passphrase source at all (stdin is not a terminal).
    fn otp(&self) -> assert_cmd::Command {
        self.env.bare()
    }

    fn unlock(&self) -> assert_cmd::Command {
        let mut cmd = self.otp();
        cmd.arg("--passphrase-file")
            .arg(self.env.path("pass.txt"))
            .arg("unlock");
        cmd
    }

    fn code(&self) -> assert_cmd::assert::Assert {
        self.otp()
            .args(["code", "github", "--at", SECRET_CODE_AT.0])
            .assert()
    }

    fn config(&self, text: &str) {
        self.env.write("config/otp/config.toml", text);
    }

    fn agents(&self) -> Vec<i32> {
        agents_serving(&self.paths().socket)
    }
}

impl Drop for World {
    fn drop(&mut self) {
        for pid in self.agents() {
            kill(pid, rustix::process::Signal::KILL);
        }
    }
}

/// The agent processes whose command line names this socket.
fn agents_serving(socket: &Path) -> Vec<i32> {
    let want = format!("{}\0{}\0", agent::AGENT_ARG, socket.display());
    let mut pids = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        if String::from_utf8_lossy(&cmdline).ends_with(&want) && is_alive(pid) {
            pids.push(pid);
        }
    }
    pids
}

/// Running, not a zombie waiting for its parent.
fn is_alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        !s.rsplit(')')
            .next()
            .unwrap_or("")
            .trim_start()
            .starts_with('Z')
    })
}

fn kill(pid: i32, signal: rustix::process::Signal) {
    if let Some(pid) = rustix::process::Pid::from_raw(pid) {
        let _ = rustix::process::kill_process(pid, signal);
    }
}

/// Polls `done` every 100 ms for up to a minute (a busy machine is slow).
fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        if done() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("gave up waiting: {what}");
}

#[test]
fn unlock_then_every_command_without_a_passphrase_then_lock() {
    let w = World::new();
    // No agent yet: no source, no way in.
    w.code()
        .failure()
        .code(1)
        .stderr(predicate::str::contains("stdin is not a terminal"));
    w.unlock()
        .assert()
        .success()
        .stderr(predicate::str::contains("Unlocked"));
    assert_eq!(w.agents().len(), 1);
    w.code().success().stdout(format!("{}\n", SECRET_CODE_AT.1));
    // Every decrypting command works, and so do the writing ones.
    w.otp()
        .args(["list", "--codes"])
        .assert()
        .success()
        .stdout(predicate::str::contains("GitHub:alice"));
    w.otp().args(["show", "github"]).assert().success();
    w.otp()
        .args(["add", "bob", "--issuer", "GitLab", "--secret-stdin"])
        .write_stdin(SECRET)
        .assert()
        .success();
    let uris = w.env.write(
        "uris.txt",
        format!("otpauth://totp/Example:carol?secret={SECRET}&issuer=Example\n"),
    );
    w.otp().arg("import").arg(&uris).assert().success();
    let out = w.env.path("export.age");
    w.otp().args(["export", "-o"]).arg(&out).assert().success();
    w.otp()
        .arg("recover")
        .arg(&out)
        .arg("--skip-existing")
        .assert()
        .success();
    w.otp()
        .args(["backup", "--dir"])
        .arg(w.env.path("backups"))
        .assert()
        .success();
    w.otp()
        .args(["status"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "agent:      holds this vault's key",
        ));
    // Completion of account names (COMPLETE=bash, as the shell asks).
    w.otp()
        .env("COMPLETE", "bash")
        .env("_CLAP_COMPLETE_INDEX", "2")
        .env("_CLAP_IFS", "\n")
        .args(["--", "otp", "code", "git"])
        .assert()
        .success()
        .stdout(predicate::str::contains("GitHub:alice"));

    w.otp()
        .arg("lock")
        .assert()
        .success()
        .stderr(predicate::str::contains("forgot every key"));
    w.code()
        .failure()
        .code(1)
        .stderr(predicate::str::contains("stdin is not a terminal"));
    // It holds nothing, so it left and took its socket with it.
    eventually("the agent exits after lock", || w.agents().is_empty());
    assert!(!w.paths().socket.exists());
    w.otp()
        .arg("lock")
        .assert()
        .success()
        .stderr(predicate::str::contains("No agent runs"));
}

#[test]
fn the_idle_timeout_forgets_the_key() {
    let w = World::new();
    w.config("agent_timeout_seconds = 2\n");
    w.unlock()
        .assert()
        .success()
        .stderr(predicate::str::contains("2 s without use"));
    // No timing assertion: only that it forgets within a generous limit.
    // Polled without using the key (a use would reset the idle clock): the
    // agent leaves when it holds nothing.
    eventually("the agent forgets the key and exits", || {
        w.agents().is_empty()
    });
    w.code()
        .failure()
        .stderr(predicate::str::contains("stdin is not a terminal"));
    // --timeout overrides the config.
    w.unlock().args(["--timeout", "1h"]).assert().success();
    w.otp()
        .arg("status")
        .assert()
        .success()
        .stdout(predicate::str::contains("without use"));
    w.code().success();
}

#[test]
fn a_killed_agents_stale_socket_is_replaced() {
    let w = World::new();
    w.unlock().assert().success();
    let first = w.agents();
    assert_eq!(first.len(), 1);
    kill(first[0], rustix::process::Signal::KILL);
    eventually("the agent dies", || w.agents().is_empty());
    assert!(
        w.paths().socket.exists(),
        "SIGKILL leaves the socket behind"
    );
    // A stale socket is no agent: commands fall back to the passphrase.
    w.code()
        .failure()
        .stderr(predicate::str::contains("stdin is not a terminal"));
    w.otp()
        .env("OTP_PASSPHRASE", PASS)
        .args(["code", "github"])
        .assert()
        .success();
    w.unlock().assert().success();
    let second = w.agents();
    assert_eq!(second.len(), 1);
    assert_ne!(second, first);
    w.code().success().stdout(format!("{}\n", SECRET_CODE_AT.1));
}

#[test]
fn signals_make_the_agent_forget_and_leave() {
    let w = World::new();
    for signal in [
        rustix::process::Signal::TERM,
        rustix::process::Signal::INT,
        rustix::process::Signal::HUP,
    ] {
        w.unlock().assert().success();
        let pids = w.agents();
        assert_eq!(pids.len(), 1);
        kill(pids[0], signal);
        eventually("the agent exits on a signal", || w.agents().is_empty());
        assert!(!w.paths().socket.exists(), "it removes its socket");
        w.code().failure();
    }
}

#[test]
fn two_unlocks_at_once_start_one_agent() {
    let w = World::new();
    // Both scrypt in parallel, then race for the agent.
    let outs: Vec<_> = std::thread::scope(|s| {
        let a = s.spawn(|| w.unlock().output().unwrap());
        let b = s.spawn(|| w.unlock().output().unwrap());
        vec![a.join().unwrap(), b.join().unwrap()]
    });
    for out in outs {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(w.agents().len(), 1);
    w.code().success();
}

#[test]
fn passwd_makes_the_agent_forget() {
    let w = World::new();
    w.unlock().assert().success();
    w.code().success();
    let new = w.env.write("new.txt", "a new passphrase\n");
    w.otp()
        .env("OTP_PASSPHRASE", PASS)
        .arg("passwd")
        .arg("--new-passphrase-file")
        .arg(&new)
        .assert()
        .success()
        .stderr(predicate::str::contains("The agent forgot the old key"));
    w.code()
        .failure()
        .stderr(predicate::str::contains("stdin is not a terminal"));
}

#[test]
fn a_changed_key_file_is_not_trusted() {
    // The key file replaced behind otp's back (a sync, a restore): the
    // agent does not answer for the new one.
    let w = World::new();
    w.unlock().assert().success();
    let key_file = w.env.path("data/otp/vault.identity.age");
    let mut data = std::fs::read(&key_file).unwrap();
    data.push(b'\n');
    std::fs::write(&key_file, data).unwrap();
    w.code()
        .failure()
        .stderr(predicate::str::contains("stdin is not a terminal"));
}

#[test]
fn another_vault_is_not_opened_by_the_first_vaults_key() {
    let w = World::new();
    let other = w.env.path("other/vault.age");
    w.otp()
        .env("OTP_VAULT", &other)
        .env("OTP_PASSPHRASE", PASS) // even the same passphrase
        .arg("init")
        .assert()
        .success();
    w.unlock().assert().success();
    w.code().success();
    w.otp()
        .env("OTP_VAULT", &other)
        .arg("list")
        .assert()
        .failure()
        .code(1)
        .stderr(predicate::str::contains("stdin is not a terminal"));
    // `otp code` asks the agent first; not holding this key, it falls back.
    w.otp()
        .env("OTP_VAULT", &other)
        .args(["code", "github"])
        .assert()
        .failure()
        .code(1)
        .stderr(predicate::str::contains("stdin is not a terminal"));
    w.otp()
        .env("OTP_VAULT", &other)
        .env("OTP_PASSPHRASE", PASS)
        .args(["code", "github"])
        .assert()
        .code(3); // opened, and no such account there
    w.otp()
        .env("OTP_VAULT", &other)
        .arg("status")
        .env("OTP_PASSPHRASE", PASS)
        .assert()
        .success()
        .stdout(predicate::str::contains("does not hold this vault's key"));
}

#[test]
fn identity_vaults_never_start_an_agent() {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    env.otp().args(["code", "github"]).assert().success();
    assert!(!env.path("run").exists(), "no agent folder was made");
    env.otp()
        .arg("unlock")
        .assert()
        .failure()
        .stderr(predicate::str::contains("needs no unlock"));
}

#[test]
fn agent_off_in_the_config() {
    let w = World::new();
    w.unlock().assert().success();
    w.config("agent = \"off\"\n");
    // A running agent is not even asked.
    w.code()
        .failure()
        .stderr(predicate::str::contains("stdin is not a terminal"));
    w.unlock()
        .assert()
        .failure()
        .stderr(predicate::str::contains("the agent is off"));
}

fn fallback_world(mode: u32) -> (World, PathBuf) {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    let w = World::new();
    let tmp = w.env.path("tmp");
    let dir = tmp.join(format!("otp-{}", agent::own_uid()));
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(mode)).unwrap();
    (w, tmp)
}

#[test]
fn the_fallback_folder_is_used_only_when_private() {
    // No XDG_RUNTIME_DIR: $TMPDIR/otp-UID, checked before use.
    let (w, tmp) = fallback_world(0o755);
    let no_runtime = |mut cmd: assert_cmd::Command| {
        cmd.env_remove("XDG_RUNTIME_DIR").env("TMPDIR", &tmp);
        cmd
    };
    no_runtime(w.unlock())
        .assert()
        .failure()
        .code(1)
        .stderr(predicate::str::contains("refusing to use the agent folder"))
        .stderr(predicate::str::contains("755"));
    // Other commands warn and fall back to the passphrase sources.
    let mut code = no_runtime(w.otp());
    code.env("OTP_PASSPHRASE", PASS)
        .args(["code", "github"])
        .assert()
        .success()
        .stderr(predicate::str::contains("refusing to use the agent folder"));
    // Made private, it is used.
    use std::os::unix::fs::PermissionsExt;
    let dir = tmp.join(format!("otp-{}", agent::own_uid()));
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    no_runtime(w.unlock()).assert().success();
    let socket = dir.join("agent.sock");
    let guard = Killer(socket.clone());
    assert_eq!(agents_serving(&socket).len(), 1);
    let mut code = no_runtime(w.otp());
    code.args(["code", "github"]).assert().success();
    drop(guard);
}

#[test]
fn a_fresh_fallback_folder_is_made_private() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let w = World::new();
    let tmp = w.env.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o1777)).unwrap();
    w.unlock()
        .env_remove("XDG_RUNTIME_DIR")
        .env("TMPDIR", &tmp)
        .assert()
        .success();
    let dir = tmp.join(format!("otp-{}", agent::own_uid()));
    let _guard = Killer(dir.join("agent.sock"));
    assert_eq!(std::fs::metadata(&dir).unwrap().mode() & 0o777, 0o700);
    let sock = std::fs::symlink_metadata(dir.join("agent.sock")).unwrap();
    assert_eq!(sock.mode() & 0o777, 0o600);
}

/// Kills the agents of a socket outside a World's run folder.
struct Killer(PathBuf);

impl Drop for Killer {
    fn drop(&mut self) {
        for pid in agents_serving(&self.0) {
            kill(pid, rustix::process::Signal::KILL);
        }
    }
}

/// Another user is refused by the agent itself (SO_PEERCRED), even when
/// the folder and socket modes would let it connect. Needs root (to run a
/// client as `nobody`), setpriv and python3: CI has them.
#[test]
fn another_uid_gets_no_answer() {
    use std::os::unix::fs::PermissionsExt;
    if agent::own_uid() != 0 {
        eprintln!(
            "skipping: needs root to run a client as another user (the check is unit-tested)"
        );
        return;
    }
    if !common::require("setpriv") || !common::require("python3") {
        return;
    }
    let w = World::new();
    w.unlock().assert().success();
    let paths = w.paths();
    // Open the way for everyone: only the peer check stands.
    for p in [
        w.env.dir.path().to_path_buf(),
        w.env.path("run"),
        paths.dir.clone(),
    ] {
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(&paths.socket, std::fs::Permissions::from_mode(0o777)).unwrap();
    const PING: &str = r#"
import socket, struct, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(20)
data = b""
try:
    s.sendall(struct.pack(">II", 8, 4) + b"ping")
    while True:
        chunk = s.recv(100)
        if not chunk:
            break
        data += chunk
except (BrokenPipeError, ConnectionResetError):
    pass  # closed by the agent
sys.stdout.write("reply:" + repr(data))
"#;
    let run = |prefix: &[&str]| {
        let mut args: Vec<String> = prefix.iter().map(|s| s.to_string()).collect();
        // The system python: a per-user install may be closed to `nobody`.
        let python = if Path::new("/usr/bin/python3").exists() {
            "/usr/bin/python3"
        } else {
            "python3"
        };
        args.extend([python.into(), "-c".into(), PING.into()]);
        args.push(paths.socket.display().to_string());
        let out = std::process::Command::new(&args[0])
            .args(&args[1..])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    // The owner gets a pong (the client is sound)…
    let own = run(&["env"]);
    assert!(own.contains("pong"), "{own}");
    // …nobody gets the connection closed without a word.
    let other = run(&[
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
    ]);
    assert_eq!(other, "reply:b''");
}

/// agent = "auto": a passphrase typed at a prompt stays with the agent, so
/// the next command needs none; a passphrase from a file does not.
#[test]
fn a_passphrase_typed_at_the_prompt_is_kept_by_default() {
    let w = World::new();
    // From a file: no agent is started.
    w.otp()
        .arg("--passphrase-file")
        .arg(w.env.path("pass.txt"))
        .args(["code", "github"])
        .assert()
        .success();
    assert!(w.agents().is_empty());
    // Typed at the prompt: kept.
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("otp"));
    w.env.isolate(&mut cmd);
    cmd.args(["code", "github", "--at", SECRET_CODE_AT.0]);
    let mut tty = tty::Tty::spawn(cmd, None, Duration::from_secs(60));
    tty.expect("passphrase:");
    tty.line(PASS);
    let (status, text) = tty.finish();
    assert_eq!(status, 0, "{text}");
    assert!(text.contains(SECRET_CODE_AT.1), "{text}");
    assert!(
        text.contains("The agent keeps this vault unlocked"),
        "{text}"
    );
    assert_eq!(w.agents().len(), 1);
    w.code().success().stdout(format!("{}\n", SECRET_CODE_AT.1));
}

/// A stand-in agent on the world's socket, to make the agent forgetting
/// between `status` and the unwrap deterministic. It says it holds the
/// vault's key (`status`: `held`); after each `status` it unwraps at most
/// `serve` requests (with `key`), and answers `notheld` to the others, as
/// an agent that forgot would. Returns the log of the requests it answered
/// (each logged before its reply is sent, so complete when a command ends).
fn forgetful_agent(
    w: &World,
    key: Option<age::x25519::Identity>,
    serve: usize,
) -> std::sync::Arc<std::sync::Mutex<Vec<String>>> {
    use std::os::unix::fs::DirBuilderExt;

    use age::secrecy::ExposeSecret;
    use otp::agent::proto::{Message, stanza_of};

    let paths = w.paths();
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&paths.dir)
        .unwrap();
    let listener = std::os::unix::net::UnixListener::bind(&paths.socket).unwrap();
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = std::sync::Arc::clone(&log);
    let recipient = key
        .as_ref()
        .map_or("age1notarealkey".to_string(), |k| k.to_public().to_string());
    // Serves until the test process ends (the socket is in the world's
    // temp folder).
    std::thread::spawn(move || {
        let mut left = 0;
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let Ok(req) = Message::read_from(&mut stream) else {
                continue;
            };
            let op = String::from_utf8_lossy(req.op()).into_owned();
            let reply = match op.as_str() {
                "status" => {
                    left = serve;
                    Message::new("held")
                        .with(recipient.as_bytes())
                        .with(b"900")
                        .with(b"")
                }
                "unwrap" if left > 0 => {
                    left -= 1;
                    let stanzas: Vec<_> = (3..req.fields.len())
                        .step_by(2)
                        .filter_map(|i| stanza_of(req.text(i).unwrap_or(""), req.field(i + 1)))
                        .collect();
                    match key
                        .as_ref()
                        .and_then(|k| age::Identity::unwrap_stanzas(k, &stanzas))
                    {
                        Some(Ok(file_key)) => Message::new("key").with(file_key.expose_secret()),
                        _ => Message::new("nokey"),
                    }
                }
                "unwrap" => Message::new("notheld"),
                _ => Message::new("err").with(b"unknown request"),
            };
            seen.lock().unwrap().push(op);
            let _ = reply.write_to(&mut stream);
        }
    });
    log
}

/// The agent forgets the key (idle timeout, `otp lock`) after it said it
/// holds it and before the unwrap: every command falls back to the usual
/// passphrase sources, as `otp code` does, instead of saying "wrong
/// passphrase or identity".
#[test]
fn an_agent_that_forgets_before_the_unwrap_means_the_usual_sources() {
    let w = World::new();
    let log = forgetful_agent(&w, None, 0);
    let with_passphrase = || {
        let mut cmd = w.otp();
        cmd.env("OTP_PASSPHRASE", PASS);
        cmd
    };
    with_passphrase()
        .arg("list")
        .assert()
        .success()
        .stdout(predicate::str::contains("GitHub:alice"));
    with_passphrase()
        .args(["show", "github"])
        .assert()
        .success();
    with_passphrase()
        .args(["add", "bob", "--issuer", "GitLab", "--secret-stdin"])
        .write_stdin("GEZDGNBVGY3TQOJQ")
        .assert()
        .success()
        .stderr(predicate::str::contains("Added"));
    with_passphrase()
        .args(["backup", "--dir"])
        .arg(w.env.path("backups"))
        .assert()
        .success();
    with_passphrase()
        .args(["code", "github", "--at", SECRET_CODE_AT.0])
        .assert()
        .success()
        .stdout(format!("{}\n", SECRET_CODE_AT.1));
    // No passphrase source: the usual message, not a wrong key.
    let vault = w.env.vault_bytes();
    for args in [&["list"][..], &["rename", "github", "carol"][..]] {
        w.otp()
            .args(args)
            .assert()
            .code(1)
            .stderr(predicate::str::contains("stdin is not a terminal"))
            .stderr(predicate::str::contains("wrong").not());
    }
    assert_eq!(w.env.vault_bytes(), vault);
    // It was asked, and refused.
    let log = log.lock().unwrap();
    assert!(log.iter().any(|op| op == "status"), "{log:?}");
    assert!(log.iter().any(|op| op == "unwrap"), "{log:?}");
}

/// An agent that unwraps once and then forgets: the vault's header is
/// unwrapped when the agent says it holds the key, and that file key
/// serves the read that follows, so no command needs a passphrase.
#[test]
fn one_unwrap_from_the_agent_is_enough_for_a_command() {
    let w = World::new();
    let log = forgetful_agent(&w, Some(vault_key(&w)), 1);
    w.otp()
        .arg("list")
        .assert()
        .success()
        .stdout(predicate::str::contains("GitHub:alice"));
    w.otp()
        .args(["add", "bob", "--issuer", "GitLab", "--secret-stdin"])
        .write_stdin("GEZDGNBVGY3TQOJQ")
        .assert()
        .success()
        .stderr(predicate::str::contains("Added"));
    w.otp().args(["show", "gitlab"]).assert().success();
    w.code().success().stdout(format!("{}\n", SECRET_CODE_AT.1));
    let log = log.lock().unwrap();
    let unwraps = log.iter().filter(|op| *op == "unwrap").count();
    assert!(unwraps >= 4, "{log:?}");
}

/// The identity in the world's sealed key file (what the agent holds).
fn vault_key(w: &World) -> age::x25519::Identity {
    let sealed = std::fs::read(w.env.path("data/otp/vault.identity.age")).unwrap();
    let text = otp::vault::keys::decrypt_with_passphrase(&sealed, PASS.into()).unwrap();
    std::str::from_utf8(&text)
        .unwrap()
        .lines()
        .find(|l| l.starts_with("AGE-SECRET-KEY-"))
        .unwrap()
        .parse()
        .unwrap()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// A copy of the world's vault with an account the vault lacks
/// (Copy:carol), made before any agent listens, to merge.
fn diverged_copy(w: &World) -> PathBuf {
    let before = w.env.vault_bytes();
    w.otp()
        .env("OTP_PASSPHRASE", PASS)
        .args(["add", "carol", "--issuer", "Copy", "--secret-stdin"])
        .write_stdin("GEZDGNBVGY3TQOJQ")
        .assert()
        .success();
    let copy = w.env.write("elsewhere/copy.age", w.env.vault_bytes());
    std::fs::write(w.env.vault(), &before).unwrap();
    // As on a machine that never saw the copy's version: without this
    // machine's record of it, the older vault is not refused as a rollback
    // (it is trusted on first use).
    for entry in std::fs::read_dir(w.env.path("data/otp")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "trust") {
            std::fs::remove_file(path).unwrap();
        }
    }
    copy
}

/// The agent unwraps the vault once, then forgets: the same command's
/// later unwraps of other files (the automatic backup read back, a
/// recover source, a vault copy to merge) take the usual sources, as the
/// first one would have, instead of failing as a wrong key.
#[test]
fn later_unwraps_after_the_agent_forgets_take_the_usual_sources() {
    let w = World::new();
    let with_passphrase = || {
        let mut cmd = w.otp();
        cmd.env("OTP_PASSPHRASE", PASS);
        cmd
    };
    let copy = diverged_copy(&w);
    let log = forgetful_agent(&w, Some(vault_key(&w)), 1);
    w.config("auto_backup = true\n");
    let backups = w.env.path("data/otp/backups");
    // The automatic backup is read back with the passphrase.
    with_passphrase()
        .args(["add", "bob", "--issuer", "GitLab", "--secret-stdin"])
        .write_stdin("GEZDGNBVGY3TQOJQ")
        .assert()
        .success()
        .stderr(predicate::str::contains("Added"))
        .stderr(predicate::str::contains("backup").not());
    let written = files_in(&backups);
    let backup = written
        .iter()
        .find(|f| f.starts_with("vault-") && f.ends_with(".age"))
        .unwrap_or_else(|| panic!("{written:?}"));
    assert!(
        !written.iter().any(|f| f.contains("unverified")),
        "{written:?}"
    );
    let backup = backups.join(backup);
    // A recover source (bob, removed since, comes back).
    with_passphrase()
        .args(["remove", "bob", "--yes"])
        .assert()
        .success();
    with_passphrase()
        .arg("recover")
        .arg(&backup)
        .arg("--skip-existing")
        .assert()
        .success();
    with_passphrase()
        .arg("list")
        .assert()
        .success()
        .stdout(predicate::str::contains("GitLab:bob"));
    // A vault copy to merge: it is unwrapped with the usual sources and
    // then refused as an older version of this vault (exit 6), which a
    // copy that could not be opened would never be called.
    with_passphrase()
        .args(["sync", "merge"])
        .arg(&copy)
        .assert()
        .code(6)
        .stderr(predicate::str::contains("older version of the vault"));
    assert!(!files_in(&backups).iter().any(|f| f.contains("unverified")));
    // Each command asked the agent (and was refused) at least once more
    // than the one unwrap it got.
    let log = log.lock().unwrap();
    let statuses = log.iter().filter(|op| *op == "status").count();
    let unwraps = log.iter().filter(|op| *op == "unwrap").count();
    assert!(unwraps > statuses, "{log:?}");
}

/// The same, with no passphrase source left: the later unwrap fails with
/// what went wrong (the agent forgot, no source), not as a wrong key, and
/// the vault is left as it was.
#[test]
fn a_later_unwrap_without_a_source_says_the_agent_forgot() {
    let w = World::new();
    let copy = diverged_copy(&w);
    let _log = forgetful_agent(&w, Some(vault_key(&w)), 1);
    let vault = w.env.vault_bytes();
    w.otp()
        .args(["sync", "merge"])
        .arg(&copy)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("forgot"))
        .stderr(predicate::str::contains("stdin is not a terminal"))
        .stderr(predicate::str::contains("wrong").not())
        .stderr(predicate::str::contains("cannot open").not());
    assert_eq!(w.env.vault_bytes(), vault);
}

/// An agent that still holds the key but cannot open a file (`nokey`: it
/// is for another key) sends nobody to the passphrase sources: they hold
/// the same key.
#[test]
fn a_file_for_another_key_asks_no_passphrase() {
    let w = World::new();
    let other = TestEnv::with_passphrase_vault("another passphrase");
    other
        .bare()
        .args(["add", "dave", "--issuer", "Other", "--secret-stdin"])
        .env("OTP_PASSPHRASE", "another passphrase")
        .write_stdin(SECRET)
        .assert()
        .success();
    let copy = w.env.write("elsewhere/other.age", other.vault_bytes());
    let _log = forgetful_agent(&w, Some(vault_key(&w)), 100);
    let vault = w.env.vault_bytes();
    w.otp()
        .args(["sync", "merge"])
        .arg(&copy)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("cannot open"))
        .stderr(predicate::str::contains("stdin is not a terminal").not());
    assert_eq!(w.env.vault_bytes(), vault);
}

/// A same-uid client that sends a frame header and then one byte every
/// 1.5 s, and 20 connections that send nothing: the agent serves others
/// at once (`otp code` here has no other source, so it must be the
/// agent's answer), `otp lock` locks and never says that no agent runs,
/// and SIGTERM ends the agent while the slow client is still sending.
#[test]
fn a_slow_or_idle_client_holds_up_nothing() {
    use std::io::Write;
    use std::os::unix::net::UnixStream;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    let w = World::new();
    let stop = Arc::new(AtomicBool::new(false));
    let slow_client = |socket: PathBuf| {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let Ok(mut s) = UnixStream::connect(&socket) else {
                return;
            };
            let _ = s.write_all(&200u32.to_be_bytes());
            while !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(1500));
                if s.write_all(b"x").is_err() {
                    return;
                }
            }
        })
    };
    let socket = w.paths().socket;

    w.unlock().assert().success();
    let slow = slow_client(socket.clone());
    std::thread::sleep(Duration::from_millis(300));
    let idle: Vec<UnixStream> = (0..20)
        .map(|_| UnixStream::connect(&socket).unwrap())
        .collect();
    w.code().success().stdout(format!("{}\n", SECRET_CODE_AT.1));
    w.code().success();
    w.otp()
        .arg("lock")
        .assert()
        .success()
        .stderr(predicate::str::contains("Locked"))
        .stderr(predicate::str::contains("No agent runs").not());
    eventually("the agent leaves once locked", || w.agents().is_empty());
    w.code().failure();
    drop(idle);

    w.unlock().assert().success();
    let slow2 = slow_client(socket.clone());
    std::thread::sleep(Duration::from_millis(300));
    let pids = w.agents();
    assert_eq!(pids.len(), 1);
    kill(pids[0], rustix::process::Signal::TERM);
    // Well before the slow client would finish its 200 bytes (300 s).
    eventually("the agent exits on SIGTERM", || w.agents().is_empty());
    stop.store(true, Ordering::SeqCst);
    let _ = slow.join();
    let _ = slow2.join();
}
