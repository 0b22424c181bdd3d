//! Running `otp` on a real pseudo-terminal (through python3's `pty`), or
//! with no terminal at all (`setsid`), for behaviour that depends on one:
//! colour, OSC 52, "never prompt".

#![allow(dead_code)]

use std::process::{Command, Stdio};

use crate::common::{TestEnv, require};

/// Runs argv[1:] on a new pty (stdin, stdout and stderr all the terminal,
/// and the controlling terminal), echoes everything it wrote, and exits
/// with its status; after PTY_TIMEOUT seconds it is killed (exit 124).
const SCRIPT: &str = r#"
import os, pty, select, signal, sys, time
limit = float(os.environ.get("PTY_TIMEOUT", "20"))
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out, start = b"", time.time()
while True:
    if time.time() - start > limit:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        sys.stdout.buffer.write(out)
        sys.exit(124)
    r, _, _ = select.select([fd], [], [], 0.05)
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        if not data:
            break
        out += data
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status))
"#;

/// `program` with the same isolated environment as `TestEnv::otp()`.
fn isolated(env: &TestEnv, program: &str) -> Command {
    let mut cmd = Command::new(program);
    for var in [
        "OTP_VAULT",
        "OTP_CONFIG",
        "OTP_IDENTITY",
        "OTP_PASSPHRASE",
        "OTP_PASSPHRASE_FILE",
        "DISPLAY",
        "WAYLAND_DISPLAY",
        "NO_COLOR",
        "COMPLETE",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("HOME", env.dir.path())
        .env("XDG_DATA_HOME", env.path("data"))
        .env("XDG_CONFIG_HOME", env.path("config"))
        .env("XDG_CACHE_HOME", env.path("cache"))
        .env("XDG_RUNTIME_DIR", env.path("run"))
        .env("OTP_VAULT", env.vault())
        .env("TERM", "xterm");
    if env.identity().exists() {
        cmd.env("OTP_IDENTITY", env.identity());
    }
    cmd
}

/// The output of `otp ARGS` on a terminal (stdout and stderr mixed, as a
/// user sees them) and its exit code; None when python3 is missing locally.
pub fn otp_on_tty(
    env: &TestEnv,
    args: &[&str],
    extra_env: &[(&str, &str)],
) -> Option<(i32, String)> {
    if !require("python3") {
        return None;
    }
    let mut cmd = isolated(env, "python3");
    cmd.arg("-c")
        .arg(SCRIPT)
        .arg(assert_cmd::cargo::cargo_bin("otp"))
        .args(args)
        .stdin(Stdio::null());
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run python3");
    Some((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ))
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
