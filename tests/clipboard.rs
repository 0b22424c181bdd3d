//! `otp code --copy` for real: an Xvfb server per test, the clipboard read
//! back with xclip, cleared (or not) after a short `clipboard_clear_seconds`;
//! OSC 52 on a pseudo-terminal; clear errors where there is no clipboard.

use crate::tty;
use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;
use predicates::prelude::*;

/// RFC 4226's secret; its HOTP code at counter 0.
const HOTP_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const HOTP_CODE_0: &str = "755224";

/// A private X server, killed when dropped.
struct Xvfb {
    child: Child,
    display: String,
}

impl Xvfb {
    /// None (test skipped) when Xvfb or xclip is missing outside CI.
    fn start() -> Option<Xvfb> {
        if !require("Xvfb") || !require("xclip") {
            return None;
        }
        let (child, display) = start_xvfb("320x240x8", Duration::from_secs(20));
        Some(Xvfb { child, display })
    }

    /// The CLIPBOARD selection's text, or None when it is empty.
    fn clipboard(&self) -> Option<String> {
        let out = Command::new("xclip")
            .args(["-o", "-selection", "clipboard"])
            .env("DISPLAY", &self.display)
            .stdin(Stdio::null())
            .output()
            .expect("run xclip");
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
            .filter(|s| !s.is_empty())
    }

    /// Copies `text` as another program would (xclip keeps serving it in
    /// the background until the server goes away).
    fn copy_other(&self, text: &str) {
        let mut xclip = Command::new("xclip")
            .args(["-i", "-selection", "clipboard"])
            .env("DISPLAY", &self.display)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("run xclip -i");
        xclip
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        assert!(xclip.wait().unwrap().success());
    }

    /// Waits until the clipboard holds `want` (None: is empty), up to `limit`.
    fn wait_for(&self, want: Option<&str>, limit: Duration) -> Option<String> {
        let start = Instant::now();
        loop {
            let now = self.clipboard();
            if now.as_deref() == want || start.elapsed() > limit {
                return now;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Xvfb {
    /// Waits until no `otp __clipboard-serve` process serves this display:
    /// the event its clear-or-leave-alone decision ends with. `limit` only
    /// bounds a hang; a loaded machine may take long to get there.
    fn wait_for_servers_to_exit(&self, limit: Duration) {
        let start = Instant::now();
        while serving(&self.display) {
            assert!(
                start.elapsed() < limit,
                "the clipboard process is still running"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// Is a live `otp __clipboard-serve` process running with this DISPLAY? A
/// zombie has an empty command line, so it counts as gone.
fn serving(display: &str) -> bool {
    let want = format!("DISPLAY={display}");
    std::fs::read_dir("/proc")
        .expect("read /proc")
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .bytes()
                .all(|b| b.is_ascii_digit())
        })
        .any(|e| {
            let read = |f: &str| std::fs::read(e.path().join(f)).unwrap_or_default();
            read("cmdline")
                .split(|&b| b == 0)
                .any(|arg| arg == b"__clipboard-serve")
                && read("environ")
                    .split(|&b| b == 0)
                    .any(|var| var == want.as_bytes())
        })
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A vault with GitHub:alice (TOTP) and Bank:me (HOTP), and a config that
/// clears after 2 s and (unless `extra_config` says otherwise) never waits
/// for a fresh code.
fn world(extra_config: &str) -> TestEnv {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice", SECRET);
    env.otp()
        .args([
            "add",
            "me",
            "--issuer",
            "Bank",
            "--hotp",
            "--secret",
            HOTP_SECRET,
        ])
        .assert()
        .success();
    env.write(
        "config/otp/config.toml",
        if extra_config.contains("min_remaining_seconds") {
            format!("clipboard_clear_seconds = 2\n{extra_config}")
        } else {
            format!("clipboard_clear_seconds = 2\nmin_remaining_seconds = 0\n{extra_config}")
        },
    );
    env
}

#[test]
fn copy_reaches_the_x11_clipboard_and_is_cleared_after_the_delay() {
    let Some(x) = Xvfb::start() else { return };
    let env = world("");
    let (at, code) = SECRET_CODE_AT;
    let started = Instant::now();
    env.otp()
        .env("DISPLAY", &x.display)
        .args(["code", "github", "--copy", "--at", at])
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains(
            "copied the code for GitHub:alice; clears in 2 s",
        ))
        .stderr(predicate::str::contains(code).not());
    // On the clipboard as soon as otp has exited.
    assert_eq!(x.clipboard().as_deref(), Some(code));
    // Gone after the delay, and not before it.
    assert_eq!(
        x.wait_for(None, Duration::from_secs(60)),
        None,
        "not cleared"
    );
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "cleared too early"
    );
}

#[test]
fn a_clipboard_changed_meanwhile_is_left_alone() {
    let Some(x) = Xvfb::start() else { return };
    let env = world("");
    let (at, code) = SECRET_CODE_AT;
    env.otp()
        .env("DISPLAY", &x.display)
        .args(["code", "github", "-c", "--at", at])
        .assert()
        .success();
    assert_eq!(x.clipboard().as_deref(), Some(code));
    x.copy_other("something else");
    // Once otp's clipboard process has ended (past the 2 s delay and its
    // check), the user's copy is still there.
    x.wait_for_servers_to_exit(Duration::from_secs(60));
    assert_eq!(x.clipboard().as_deref(), Some("something else"));
}

#[test]
fn hotp_copy_saves_the_counter_first_and_marks_the_data_secret() {
    let Some(x) = Xvfb::start() else { return };
    let env = world("");
    env.otp()
        .env("DISPLAY", &x.display)
        .args(["code", "bank", "--copy"])
        .assert()
        .success()
        .stdout("");
    assert_eq!(x.clipboard().as_deref(), Some(HOTP_CODE_0));
    let json: serde_json::Value =
        serde_json::from_str(&env.stdout(&["list", "bank", "--json"])).unwrap();
    assert_eq!(json[0]["counter"], 1);
    // Clipboard managers are told it is a secret.
    let targets = Command::new("xclip")
        .args(["-o", "-selection", "clipboard", "-t", "TARGETS"])
        .env("DISPLAY", &x.display)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&targets.stdout).contains("x-kde-passwordManagerHint"));
}

#[test]
fn copy_waits_for_a_fresh_code_near_the_end_of_a_period() {
    let Some(x) = Xvfb::start() else { return };
    let env = world("min_remaining_seconds = 5\n");
    // 1257894028: 2 s left in its period, so the next period's code is copied.
    let next = env.stdout(&["code", "github", "--at", "1257894030"]);
    env.otp()
        .env("DISPLAY", &x.display)
        .args(["code", "github", "--copy", "--at", "1257894028"])
        .assert()
        .success();
    assert_eq!(x.clipboard().as_deref(), Some(next.trim()));
}

#[test]
fn without_a_display_osc52_goes_to_the_terminal() {
    let env = world("");
    let (at, code) = SECRET_CODE_AT;
    let (status, out) = tty::otp_on_tty(&env, &["code", "github", "-c", "--at", at], &[]);
    assert_eq!(status, 0, "{out}");
    let b64 = "NTI4MDY0"; // base64 of 528064
    assert_eq!(code, "528064");
    assert!(out.contains(&format!("\x1b]52;c;{b64}\x07")), "{out:?}");
    assert!(out.contains("OSC 52"), "{out:?}");
    assert!(!out.contains(code), "the code itself is never printed");
}

#[test]
fn without_display_or_terminal_the_error_names_the_alternatives() {
    let env = world("");
    let Some(out) = tty::otp_without_tty(&env, &["code", "github", "--copy"]) else {
        return;
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(out.stdout.is_empty());
    for part in ["no clipboard", "clipboard = \"osc52\"", "without --copy"] {
        assert!(stderr.contains(part), "{part} not in {stderr}");
    }
    // A HOTP counter does not move when the copy cannot happen.
    let out = tty::otp_without_tty(&env, &["code", "bank", "-c"]).unwrap();
    assert_eq!(out.status.code(), Some(1));
    let json: serde_json::Value =
        serde_json::from_str(&env.stdout(&["list", "bank", "--json"])).unwrap();
    assert_eq!(json[0]["counter"], 0);
}

#[test]
fn clipboard_modes_from_the_config() {
    let env = world("clipboard = \"none\"\n");
    env.otp()
        .args(["code", "github", "-c"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("clipboard = \"none\""));
    let env = world("clipboard = \"system\"\n");
    env.otp()
        .args(["code", "github", "-c"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no display"))
        .stderr(predicate::str::contains("osc52"));
    // --copy puts nothing on stdout, so it cannot be combined with --json.
    env.otp()
        .args(["code", "github", "-c", "--json"])
        .assert()
        .code(2);
}

/// A private tmux server whose one pane runs `otp ARGS`, then records its
/// exit status and stays open; killed when dropped.
struct TmuxPane {
    socket: std::path::PathBuf,
    status: std::path::PathBuf,
}

impl TmuxPane {
    /// None (skipped) without tmux outside CI. `conf`: tmux.conf lines.
    fn start(env: &TestEnv, conf: &str, args: &[&str]) -> Option<TmuxPane> {
        if !require("tmux") {
            return None;
        }
        let dir = env.path("tmux");
        std::fs::create_dir_all(&dir).unwrap();
        let conf_path = env.write("tmux/tmux.conf", format!("set -g status off\n{conf}"));
        let run = env.write(
            "tmux/run.sh",
            "out=$1; shift\n\"$@\"\necho $? >\"$out/status.tmp\"\nmv \"$out/status.tmp\" \"$out/status\"\nexec sleep 600\n",
        );
        let pane = TmuxPane {
            socket: dir.join("tmux.sock"),
            status: dir.join("status"),
        };
        let mut cmd = Command::new("tmux");
        cmd.arg("-S")
            .arg(&pane.socket)
            .arg("-f")
            .arg(&conf_path)
            .args([
                "new-session",
                "-d",
                "-s",
                "t",
                "-x",
                "200",
                "-y",
                "30",
                "--",
                "sh",
            ])
            .arg(&run)
            .arg(&dir)
            .arg(otp_path())
            .args(args);
        env.isolate(&mut cmd);
        cmd.env("OTP_IDENTITY", env.identity());
        assert!(cmd.status().expect("run tmux").success());
        Some(pane)
    }

    fn tmux(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux")
    }

    /// otp's exit status and what the pane shows (wrapped lines joined).
    fn finish(&self) -> (i32, String) {
        let start = Instant::now();
        while !self.status.exists() {
            assert!(start.elapsed() < Duration::from_secs(60), "otp did not end");
            std::thread::sleep(Duration::from_millis(50));
        }
        let status = std::fs::read_to_string(&self.status).unwrap();
        let screen = self.tmux(&["capture-pane", "-p", "-J", "-t", "t"]);
        (
            status.trim().parse().unwrap(),
            String::from_utf8_lossy(&screen.stdout).into_owned(),
        )
    }

    /// The names of tmux's paste buffers, newest first.
    fn buffers(&self) -> Vec<String> {
        let out = self.tmux(&["list-buffers", "-F", "#{buffer_name}"]);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    }
}

impl Drop for TmuxPane {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

/// Inside tmux, where tmux's default `set-clipboard external` drops an OSC
/// 52 escape from a pane, the code goes into tmux's own paste buffer, read
/// back before otp says so; the message says where it did not go and which
/// setting decides; the buffer is deleted after the delay, and a buffer
/// the user copied meanwhile is left alone.
#[test]
fn inside_tmux_the_code_goes_to_tmux_s_buffer_and_the_message_says_what_reached_where() {
    let env = world("");
    let (at, code) = SECRET_CODE_AT;
    let Some(pane) = TmuxPane::start(&env, "", &["code", "github", "-c", "--at", at]) else {
        return;
    };
    let (status, screen) = pane.finish();
    assert_eq!(status, 0, "{screen}");
    assert!(
        screen.contains("copied the code for GitHub:alice into tmux's paste buffer"),
        "{screen}"
    );
    // A detached session has no terminal for tmux to pass it on to.
    assert!(screen.contains("no terminal is attached"), "{screen}");
    assert!(
        !screen.contains(code),
        "the code itself is never shown:\n{screen}"
    );
    let buffers = pane.buffers();
    assert_eq!(buffers.len(), 1, "{buffers:?}");
    let held = pane.tmux(&["show-buffer", "-b", &buffers[0]]);
    assert_eq!(String::from_utf8_lossy(&held.stdout), code);
    // The user copies something else; after the 2 s delay only otp's
    // buffer is gone.
    let mine = pane.tmux(&["set-buffer", "-b", "mine", "something else"]);
    assert!(mine.status.success());
    let start = Instant::now();
    while pane.buffers().contains(&buffers[0]) {
        assert!(start.elapsed() < Duration::from_secs(60), "not cleared");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(pane.buffers(), ["mine"]);
}

/// With tmux's set-clipboard off, nothing can leave tmux: the message names
/// the setting that would let it. The HOTP counter is saved as for any copy.
#[test]
fn inside_tmux_with_set_clipboard_off_the_message_names_the_setting() {
    let env = world("clipboard = \"osc52\"\n");
    let Some(pane) = TmuxPane::start(&env, "set -g set-clipboard off\n", &["code", "bank", "-c"])
    else {
        return;
    };
    let (status, screen) = pane.finish();
    assert_eq!(status, 0, "{screen}");
    assert!(screen.contains("tmux's set-clipboard is off"), "{screen}");
    assert!(screen.contains("set -g set-clipboard external"), "{screen}");
    assert!(
        !screen.contains("\x1b]52"),
        "no OSC 52 escape for tmux to drop"
    );
    let buffers = pane.buffers();
    let held = pane.tmux(&["show-buffer", "-b", &buffers[0]]);
    assert_eq!(String::from_utf8_lossy(&held.stdout), HOTP_CODE_0);
    let json: serde_json::Value =
        serde_json::from_str(&env.stdout(&["list", "bank", "--json"])).unwrap();
    assert_eq!(json[0]["counter"], 1);
}

/// Inside GNU screen an OSC 52 copy cannot reach the terminal: nothing is
/// copied, otp says so (exit 1), writes no escape, and a HOTP counter does
/// not move.
#[test]
fn inside_screen_nothing_is_copied_and_otp_says_so() {
    let env = world("");
    let (at, _) = SECRET_CODE_AT;
    let sty = [("STY", "4242.pts-0.host")];
    let (status, out) = tty::otp_on_tty(&env, &["code", "github", "-c", "--at", at], &sty);
    assert_eq!(status, 1, "{out}");
    assert!(out.contains("GNU screen"), "{out}");
    assert!(out.contains("nothing was copied"), "{out}");
    assert!(!out.contains("\x1b]52"), "{out:?}");
    let (status, out) = tty::otp_on_tty(&env, &["code", "bank", "-c"], &sty);
    assert_eq!(status, 1, "{out}");
    let json: serde_json::Value =
        serde_json::from_str(&env.stdout(&["list", "bank", "--json"])).unwrap();
    assert_eq!(json[0]["counter"], 0);
}
