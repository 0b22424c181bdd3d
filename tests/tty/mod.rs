//! Running `otp` on a real pseudo-terminal (through the `rexpect` crate), or
//! with no terminal at all (`setsid`), for behaviour that depends on one:
//! colour, OSC 52, "never prompt", and prompts typed by a user.
//!
//! The pty is the child's controlling terminal (`/dev/tty`) and, unless a
//! test gives it other stdin, its stdin, stdout and stderr: what a user at a
//! terminal has. rexpect turns the terminal's echo off, as a password prompt
//! does; otp's prompts turn it off themselves anyway.

#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::{TestEnv, require};

/// How long a pty session may wait for one thing (a prompt, the end).
const WAIT: Duration = Duration::from_secs(30);

/// `program` with the same isolated environment as `TestEnv::otp()`, on a
/// terminal (TERM set, colour left to otp).
pub fn isolated(env: &TestEnv, program: &str) -> Command {
    let mut cmd = Command::new(program);
    env.isolate(&mut cmd);
    cmd.env_remove("NO_COLOR")
        .env_remove("COMPLETE")
        .env("TERM", "xterm");
    if env.identity().exists() {
        cmd.env("OTP_IDENTITY", env.identity());
    }
    cmd
}

/// `otp ARGS` on a terminal, with the isolated environment (an identity
/// vault unlocks with its identity file; a passphrase vault prompts).
pub fn otp_command(env: &TestEnv, args: &[&str]) -> Command {
    let mut cmd = isolated(env, assert_cmd::cargo::cargo_bin("otp").to_str().unwrap());
    cmd.args(args);
    cmd
}

/// A program running on a pty, read and typed at like a user would.
pub struct Tty {
    session: rexpect::session::PtySession,
    /// Everything read so far, as the terminal showed it.
    seen: Vec<u8>,
}

/// rexpect hands each byte over as the char of the same number; put the
/// bytes back together so UTF-8 output reads as it was written.
fn bytes(s: &str) -> Vec<u8> {
    s.chars().map(|c| c as u32 as u8).collect()
}

impl Tty {
    /// Starts `cmd` on a new pty. Its stdin stays the terminal unless the
    /// command set another; `piped` (when given) is written to a pipe that
    /// becomes its stdin instead, as in `echo … | otp …`.
    pub fn spawn(mut cmd: Command, piped: Option<&[u8]>, limit: Duration) -> Tty {
        if let Some(data) = piped {
            let (reader, mut writer) = std::io::pipe().expect("pipe");
            writer.write_all(data).expect("fill the pipe");
            drop(writer);
            cmd.stdin(Stdio::from(reader));
        }
        let session = rexpect::session::spawn_command(cmd, Some(limit.as_millis() as u64))
            .expect("start a program on a pty");
        Tty {
            session,
            seen: Vec::new(),
        }
    }

    /// `otp ARGS` on a new pty with the test's isolated environment.
    pub fn otp(env: &TestEnv, args: &[&str], piped: Option<&[u8]>) -> Tty {
        Tty::spawn(otp_command(env, args), piped, WAIT)
    }

    /// Waits until the program wrote `needle`; panics with what it wrote
    /// when it ends or times out first.
    pub fn expect(&mut self, needle: &str) {
        // Search for the needle byte by byte, as the session sees it.
        let raw: String = needle.bytes().map(char::from).collect();
        match self.session.exp_string(&raw) {
            Ok(before) => {
                self.seen.extend(bytes(&before));
                self.seen.extend(needle.as_bytes());
            }
            Err(e) => panic!(
                "waited for {needle:?}; the terminal showed:\n{}\n({e})",
                self.text()
            ),
        }
    }

    /// Types `line` and Enter.
    pub fn line(&mut self, line: &str) {
        self.session.send_line(line).expect("type at the pty");
    }

    /// Types `text` as is (no Enter); control characters included.
    pub fn send(&mut self, text: &str) {
        self.session.send(text).expect("type at the pty");
        self.session.flush().expect("type at the pty");
    }

    /// Everything the terminal showed so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.seen).into_owned()
    }

    /// Waits for the program to end: its exit code (124 when it had to be
    /// killed after the time limit, 128+N on signal N) and everything the
    /// terminal showed.
    pub fn finish(mut self) -> (i32, String) {
        use nix::sys::wait::WaitStatus;
        match self.session.exp_eof() {
            Ok(rest) => self.seen.extend(bytes(&rest)),
            Err(rexpect::error::Error::Timeout { got, .. }) => {
                self.seen.extend(bytes(&got));
                let _ = self
                    .session
                    .process_mut()
                    .kill(nix::sys::signal::Signal::SIGKILL);
                return (124, self.text());
            }
            Err(e) => panic!("reading the pty: {e}\n{}", self.text()),
        }
        let code = match self.session.process().wait().expect("wait for the program") {
            WaitStatus::Exited(_, code) => code,
            WaitStatus::Signaled(_, signal, _) => 128 + signal as i32,
            other => panic!("unexpected status {other:?}"),
        };
        (code, self.text())
    }
}

/// The output of `otp ARGS` on a terminal (stdout and stderr mixed, as a
/// user sees them) and its exit code; after PTY_TIMEOUT seconds (from
/// `extra_env`, 20 by default) it is killed (exit 124).
pub fn otp_on_tty(env: &TestEnv, args: &[&str], extra_env: &[(&str, &str)]) -> (i32, String) {
    let mut cmd = otp_command(env, args);
    let mut limit = Duration::from_secs(20);
    for (k, v) in extra_env {
        cmd.env(k, v);
        if *k == "PTY_TIMEOUT" {
            limit = Duration::from_secs(v.parse().expect("PTY_TIMEOUT in seconds"));
        }
    }
    Tty::spawn(cmd, None, limit).finish()
}

/// `otp ARGS` in a new session, so it has no controlling terminal even when
/// the tests run in one; None when setsid is missing locally.
pub fn otp_without_tty(env: &TestEnv, args: &[&str]) -> Option<std::process::Output> {
    if !require("setsid") {
        return None;
    }
    let mut cmd = isolated(env, "setsid");
    cmd.arg("--wait")
        .arg(assert_cmd::cargo::cargo_bin("otp"))
        .args(args)
        .stdin(Stdio::null());
    Some(cmd.output().expect("run setsid"))
}
