//! `otp pick` (and `otp` alone) for real: the binary runs in a tmux pane
//! (a real pseudo-terminal), keys are sent with `send-keys`, and the screen
//! is read with `capture-pane`. Each pane has its own tmux server on a
//! private socket, killed when the test ends (pass or fail).

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::common::*;

/// RFC 4226's secret; its HOTP code at counter 0.
const HOTP_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const HOTP_CODE_0: &str = "755224";
const AZURE_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const LONG_SECRET: &str = "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43UOV3HO6DZ";

/// How long a test waits for the screen to show something: a debug build
/// on a loaded machine can be slow to start.
const PATIENCE: Duration = Duration::from_secs(20);

/// Runs `$@` in the pane, then records the terminal settings and the exit
/// status, and keeps the terminal open (so that tmux still reports its
/// modes) until the server is killed.
const RUN_SH: &str = r#"out=$1; mode=$2; shift 2
if [ "$mode" = file ]; then "$@" >"$out/stdout"; else "$@"; fi
s=$?
stty -a >"$out/stty" 2>&1
echo "$s" >"$out/status.tmp"
mv "$out/status.tmp" "$out/status"
exec sleep 600
"#;

/// One tmux server with one pane running otp; killed when dropped.
struct Pane {
    socket: PathBuf,
    out: PathBuf,
}

/// How the pane runs otp.
#[derive(Clone, Copy, PartialEq)]
enum Run {
    /// Through run.sh, stdout the terminal.
    Tty,
    /// Through run.sh, stdout a file (`out/stdout`).
    StdoutToFile,
    /// otp itself is the pane's process (no shell around it).
    Direct,
    /// Direct, but started with SIGHUP blocked: only a read or write on the
    /// terminal can tell otp that it hung up.
    DirectSighupBlocked,
}

impl Pane {
    /// `otp ARGS` in a WIDTH×HEIGHT pane; None (skipped) without tmux
    /// outside CI.
    fn start(
        env: &TestEnv,
        args: &[&str],
        size: (u16, u16),
        extra: &[(&str, &str)],
        run: Run,
    ) -> Option<Pane> {
        if !require("tmux") {
            return None;
        }
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let out = env.path(&format!("pane-{n}"));
        std::fs::create_dir_all(&out).unwrap();
        let conf = out.join("tmux.conf");
        std::fs::write(
            &conf,
            "set -g remain-on-exit on\nset -g status off\nset -g history-limit 100\n",
        )
        .unwrap();
        std::fs::write(out.join("run.sh"), RUN_SH).unwrap();
        let pane = Pane {
            socket: out.join("tmux.sock"),
            out: out.clone(),
        };
        let otp = otp_path();
        let mut argv: Vec<OsString> = match run {
            Run::Tty | Run::StdoutToFile => vec![
                "sh".into(),
                out.join("run.sh").into(),
                out.clone().into(),
                (if run == Run::Tty { "tty" } else { "file" }).into(),
            ],
            Run::Direct => vec![],
            Run::DirectSighupBlocked => vec![
                "python3".into(),
                "-c".into(),
                "import os, signal, sys; signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGHUP]); os.execv(sys.argv[1], sys.argv[1:])".into(),
            ],
        };
        argv.push(otp.into());
        argv.extend(args.iter().map(OsString::from));
        let mut cmd = Command::new("tmux");
        cmd.arg("-S")
            .arg(&pane.socket)
            .arg("-f")
            .arg(&conf)
            .args(["new-session", "-d", "-s", "t", "-x"])
            .arg(size.0.to_string())
            .arg("-y")
            .arg(size.1.to_string())
            .arg("--")
            .args(&argv);
        env.isolate(&mut cmd);
        cmd.env_remove("TMUX").env_remove("TMUX_PANE");
        if env.identity().exists() {
            cmd.env("OTP_IDENTITY", env.identity());
        }
        for (var, value) in extra {
            if value.is_empty() {
                cmd.env_remove(var);
            } else {
                cmd.env(var, value);
            }
        }
        let status = cmd.status().expect("run tmux");
        assert!(status.success(), "tmux new-session failed");
        Some(pane)
    }

    fn tmux(&self) -> Command {
        let mut cmd = Command::new("tmux");
        cmd.arg("-S").arg(&self.socket);
        cmd
    }

    fn run_tmux(&self, args: &[&str]) -> String {
        let out = self.tmux().args(args).output().expect("run tmux");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The screen as text.
    fn screen(&self) -> String {
        self.run_tmux(&["capture-pane", "-p", "-t", "t"])
    }

    /// The screen with its escape sequences (colours, bold, reverse).
    fn screen_styled(&self) -> String {
        self.run_tmux(&["capture-pane", "-p", "-e", "-t", "t"])
    }

    /// A tmux format of the pane (`#{pane_dead}`, …).
    fn format(&self, format: &str) -> String {
        self.run_tmux(&["display-message", "-p", "-t", "t", format])
            .trim()
            .to_string()
    }

    /// Keys by tmux name (`Down`, `C-n`, `Enter`, `Escape`).
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend(keys);
        self.run_tmux(&args);
    }

    /// Text typed as it is.
    fn type_text(&self, text: &str) {
        self.run_tmux(&["send-keys", "-t", "t", "-l", text]);
    }

    /// Waits until the screen satisfies `ok`; fails the test with the
    /// screen after PATIENCE.
    fn wait_for(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        self.wait_for_long(what, PATIENCE, ok)
    }

    fn wait_for_long(&self, what: &str, limit: Duration, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < limit,
                "waited for {what}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for the list: the footer with the keys is drawn last.
    fn wait_for_list(&self) -> String {
        self.wait_for("the picker", |s| s.contains("Esc quit"))
    }

    /// Waits until otp has exited; its exit status (as a shell reports it:
    /// 128 + N when killed by signal N).
    fn wait_exit(&self) -> i32 {
        let start = Instant::now();
        loop {
            if let Ok(status) = std::fs::read_to_string(self.out.join("status")) {
                return status.trim().parse().expect("a status");
            }
            if self.format("#{pane_dead}") == "1" {
                return self
                    .format("#{pane_dead_status}")
                    .parse()
                    .expect("a status");
            }
            assert!(
                start.elapsed() < PATIENCE,
                "otp did not exit; the screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// After a run through run.sh: the terminal settings right after otp.
    fn stty(&self) -> String {
        std::fs::read_to_string(self.out.join("stty")).expect("stty output")
    }

    fn stdout(&self) -> String {
        std::fs::read_to_string(self.out.join("stdout")).unwrap_or_default()
    }

    /// The pid of otp: the pane's process, or its child under run.sh.
    fn otp_pid(&self) -> u32 {
        let pid: u32 = self.format("#{pane_pid}").parse().unwrap();
        let children =
            std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
        children
            .split_whitespace()
            .next()
            .map_or(pid, |c| c.parse().unwrap())
    }

    /// Checks that otp left the terminal as it found it: not on the
    /// alternate screen, echo and line editing back on, cursor shown.
    fn assert_restored(&self) {
        assert_eq!(
            self.format("#{alternate_on}"),
            "0",
            "left on the alternate screen"
        );
        assert_eq!(
            self.format("#{cursor_flag}"),
            "1",
            "the cursor is still hidden"
        );
        let stty = self.stty();
        let flags: Vec<&str> = stty.split_whitespace().collect();
        for flag in ["echo", "icanon", "isig", "icrnl", "opost"] {
            assert!(flags.contains(&flag), "{flag} is off after otp:\n{stty}");
        }
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = self
            .tmux()
            .arg("kill-server")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A code as the picker groups it.
fn grouped(code: &str) -> String {
    match code.len() {
        6 => format!("{} {}", &code[..3], &code[3..]),
        8 => format!("{} {}", &code[..4], &code[4..]),
        _ => code.to_string(),
    }
}

/// What `otp code QUERY --at T` says for every second in `from..=to`.
fn codes_between(env: &TestEnv, query: &str, from: u64, to: u64) -> Vec<String> {
    (from..=to)
        .map(|t| {
            env.stdout(&["code", query, "--at", &t.to_string()])
                .trim()
                .to_string()
        })
        .collect()
}

/// The screen line that shows `label`.
fn row<'a>(screen: &'a str, label: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.contains(label))
        .unwrap_or_else(|| panic!("no row for {label}:\n{screen}"))
}

/// A vault with five kinds of account: 6 digits/30 s, the Azure one that
/// `azu` finds, 8 digits/60 s SHA256, Steam, and an HOTP.
fn world() -> TestEnv {
    let env = TestEnv::with_vault();
    env.add("GitHub", "alice@example.com", SECRET);
    env.add("Microsoft Azure", "bob@example.com", AZURE_SECRET);
    for args in [
        &[
            "add",
            "eight",
            "--issuer",
            "Example8",
            "--digits",
            "8",
            "--period",
            "60",
            "--algorithm",
            "SHA256",
            "--secret",
            LONG_SECRET,
        ][..],
        &[
            "add",
            "gamer",
            "--issuer",
            "Steam",
            "--steam",
            "--secret",
            LONG_SECRET,
        ][..],
        &[
            "add",
            "me",
            "--issuer",
            "Bank",
            "--hotp",
            "--secret",
            HOTP_SECRET,
        ][..],
    ] {
        env.otp().args(args).assert().success();
    }
    // Never wait for a fresh code: the tests time copies, not the clock.
    env.write(
        "config/otp/config.toml",
        "min_remaining_seconds = 0\nclipboard_clear_seconds = 30\n",
    );
    env
}

fn hotp_counter(env: &TestEnv) -> u64 {
    let json: serde_json::Value =
        serde_json::from_str(&env.stdout(&["list", "bank", "--json"])).unwrap();
    json[0]["counter"].as_u64().unwrap()
}

#[test]
fn every_account_shows_the_code_otp_code_gives_at_that_second() {
    let env = world();
    let Some(pane) = Pane::start(&env, &["pick"], (120, 32), &[], Run::Tty) else {
        return;
    };
    pane.wait_for_list();
    let from = unix_now().saturating_sub(1);
    let screen = pane.screen();
    let to = unix_now();
    for (label, query) in [
        ("GitHub", "github"),
        ("Microsoft Azure", "azure"),
        ("Example8", "example8"),
        ("Steam", "steam"),
    ] {
        let line = row(&screen, label);
        let want = codes_between(&env, query, from, to);
        assert!(
            want.iter().any(|c| line.contains(&grouped(c))),
            "{label}: the row shows none of {want:?}:\n{line}"
        );
        // The time left and its bar.
        assert!(line.contains('█') || line.contains('░'), "no bar: {line}");
        assert!(line.trim_end().ends_with('s'), "no seconds left: {line}");
    }
    // HOTP: no code until chosen, and the counter has not moved.
    let bank = row(&screen, "Bank");
    assert!(bank.contains("hotp") && !bank.contains("755 224"), "{bank}");
    assert_eq!(hotp_counter(&env), 0);
    // No secret anywhere on the screen.
    for secret in [SECRET, AZURE_SECRET, LONG_SECRET, HOTP_SECRET] {
        assert!(!screen.contains(secret));
    }
    assert!(screen.contains("5/5"), "the count:\n{screen}");
    // The codes change at the period boundary without a key press.
    let next_period = (to / 30 + 1) * 30;
    let next = codes_between(&env, "github", next_period, next_period).remove(0);
    pane.wait_for_long(
        "the next period's GitHub code",
        Duration::from_secs(45),
        |s| row(s, "GitHub").contains(&grouped(&next)),
    );
    pane.keys(&["Escape"]);
    assert_eq!(pane.wait_exit(), 0);
    pane.assert_restored();
}

/// The selected row (the one with the marker).
fn selected(screen: &str) -> &str {
    screen
        .lines()
        .find(|l| l.starts_with('▸'))
        .unwrap_or_else(|| panic!("no selected row:\n{screen}"))
}

#[test]
fn typing_filters_by_the_query_rules_and_label_identity() {
    let env = world();
    env.add("Zürich Bank", "jörg", SECRET);
    let Some(pane) = Pane::start(&env, &["pick"], (120, 32), &[], Run::Tty) else {
        return;
    };
    pane.wait_for_list();
    // `azu` finds Microsoft Azure (part of issuer:name), and nothing else.
    pane.type_text("azu");
    let screen = pane.wait_for("the filter", |s| s.contains("1/6"));
    assert!(selected(&screen).contains("Microsoft Azure"), "{screen}");
    assert!(!screen.contains("GitHub"), "{screen}");
    // Upper case, and ü typed decomposed (u + combining diaeresis): the
    // same label under label identity (case folded, NFKC).
    pane.keys(&["C-u"]);
    pane.type_text("ZU\u{308}RICH");
    let screen = pane.wait_for("the filter", |s| s.contains("1/6"));
    assert!(selected(&screen).contains("Zürich Bank"), "{screen}");
    // issuer:name, as QUERY.
    pane.keys(&["C-u"]);
    pane.type_text("github:ALICE");
    let screen = pane.wait_for("the filter", |s| s.contains("1/6"));
    assert!(selected(&screen).contains("GitHub"), "{screen}");
    // An exact match comes before the labels that only contain it.
    pane.keys(&["C-u"]);
    pane.type_text("bank");
    let screen = pane.wait_for("the filter", |s| s.contains("2/6"));
    assert!(selected(&screen).contains("Bank  me"), "{screen}");
    // Nothing matches: said so; Backspace widens again; q is a letter
    // once something is typed.
    pane.keys(&["C-u"]);
    pane.type_text("xq");
    let screen = pane.wait_for("no match", |s| s.contains("0/6"));
    assert!(screen.contains("no account matches 'xq'"), "{screen}");
    pane.keys(&["BSpace", "BSpace"]);
    pane.wait_for("every account", |s| s.contains("6/6"));
    pane.keys(&["Escape"]);
    assert_eq!(pane.wait_exit(), 0);
}

#[test]
fn arrows_and_ctrl_n_ctrl_p_move_and_enter_prints_the_chosen_code() {
    let env = world();
    let Some(pane) = Pane::start(
        &env,
        &["pick", "--print"],
        (120, 32),
        &[],
        Run::StdoutToFile,
    ) else {
        return;
    };
    let screen = pane.wait_for_list();
    assert!(selected(&screen).contains("GitHub"), "{screen}");
    assert!(screen.contains("Enter print"), "{screen}");
    pane.keys(&["Down"]);
    pane.wait_for("Azure selected", |s| {
        selected(s).contains("Microsoft Azure")
    });
    pane.keys(&["C-n"]);
    pane.wait_for("Example8 selected", |s| selected(s).contains("Example8"));
    pane.keys(&["C-p", "C-p"]);
    pane.wait_for("GitHub selected", |s| selected(s).contains("GitHub"));
    // The top stays the top.
    pane.keys(&["Up"]);
    pane.keys(&["End"]);
    pane.wait_for("Bank selected", |s| selected(s).contains("Bank"));
    pane.keys(&["Up", "Up"]);
    pane.wait_for("Example8 selected", |s| selected(s).contains("Example8"));
    let from = unix_now().saturating_sub(1);
    pane.keys(&["Enter"]);
    assert_eq!(pane.wait_exit(), 0);
    let to = unix_now();
    // stdout holds the code and a newline, nothing else.
    let stdout = pane.stdout();
    let want = codes_between(&env, "example8", from, to);
    assert!(
        want.iter().any(|c| stdout == format!("{c}\n")),
        "stdout {stdout:?}, want one of {want:?}"
    );
    pane.assert_restored();
}

#[test]
fn esc_q_and_ctrl_c_leave_with_exit_0_nothing_copied_and_the_terminal_restored() {
    let env = world();
    for keys in [&["Escape"][..], &["q"], &["C-c"], &["x", "C-u", "q"]] {
        let Some(pane) = Pane::start(&env, &["pick", "--print"], (80, 24), &[], Run::StdoutToFile)
        else {
            return;
        };
        pane.wait_for_list();
        pane.keys(keys);
        assert_eq!(pane.wait_exit(), 0, "after {keys:?}");
        assert_eq!(pane.stdout(), "", "after {keys:?}");
        pane.assert_restored();
        let screen = pane.screen();
        assert!(!screen.contains("copied"), "{screen}");
    }
    assert_eq!(hotp_counter(&env), 0);
}

#[test]
fn bare_otp_on_a_terminal_is_the_picker() {
    let env = world();
    let Some(pane) = Pane::start(&env, &[], (80, 24), &[], Run::Tty) else {
        return;
    };
    let screen = pane.wait_for_list();
    assert!(
        screen.contains("GitHub") && screen.contains("Enter copy"),
        "{screen}"
    );
    pane.keys(&["q"]);
    assert_eq!(pane.wait_exit(), 0);
    pane.assert_restored();
    // Global options alone are still "no command": the picker too.
    let Some(pane) = Pane::start(&env, &["--color", "never"], (80, 24), &[], Run::Tty) else {
        return;
    };
    pane.wait_for_list();
    pane.keys(&["Escape"]);
    assert_eq!(pane.wait_exit(), 0);
}

#[test]
fn bare_otp_without_a_terminal_prints_usage_and_exits_2() {
    let env = world();
    let out = env.otp().output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Usage: otp [OPTIONS] <COMMAND>"),
        "{stderr}"
    );
    assert!(stderr.contains("pick"), "{stderr}");
    // With global options only: clap's error, as before.
    env.otp()
        .args(["--color", "never"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicates::str::contains("requires a subcommand"));
    // `otp pick` with no terminal at all (setsid: no controlling
    // terminal) says what to do instead.
    if !require("setsid") {
        return;
    }
    let mut cmd = Command::new("setsid");
    cmd.arg("--wait").arg(otp_path()).arg("pick");
    env.isolate(&mut cmd);
    cmd.env("OTP_IDENTITY", env.identity());
    let out = cmd.stdin(std::process::Stdio::null()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("otp pick needs a terminal"), "{stderr}");
    assert!(stderr.contains("otp code QUERY"), "{stderr}");
}

#[test]
fn an_empty_vault_says_how_to_add_an_account() {
    let env = TestEnv::with_vault();
    let Some(pane) = Pane::start(&env, &["pick"], (80, 24), &[], Run::Tty) else {
        return;
    };
    assert_eq!(pane.wait_exit(), 1);
    let screen = pane.screen();
    assert!(
        screen.contains("no accounts yet") && screen.contains("otp add"),
        "{screen}"
    );
    pane.assert_restored();
}

/// SGR sequences that set a colour (30–37, 90–97, 38;…), as opposed to
/// bold, dim or reverse.
fn has_colour(styled: &str) -> bool {
    styled.split("\x1b[").skip(1).any(|seq| {
        let params = seq.split('m').next().unwrap_or("");
        params.split(';').any(|p| {
            matches!(
                p.parse::<u32>(),
                Ok(30..=38 | 40..=48 | 90..=97 | 100..=107)
            )
        })
    })
}

#[test]
fn colour_follows_no_color_and_the_color_option() {
    let env = world();
    for (args, extra, coloured) in [
        (&["pick"][..], &[("NO_COLOR", "")][..], true),
        (&["pick"], &[("NO_COLOR", "1")], false),
        (&["--color", "never", "pick"], &[("NO_COLOR", "")], false),
        (&["--color", "always", "pick"], &[("NO_COLOR", "1")], true),
    ] {
        let Some(pane) = Pane::start(&env, args, (100, 20), extra, Run::Tty) else {
            return;
        };
        pane.wait_for_list();
        let styled = pane.screen_styled();
        assert_eq!(
            has_colour(&styled),
            coloured,
            "{args:?} {extra:?}:\n{styled:?}"
        );
        // Without colour the selection still shows (marker, reverse video).
        assert!(
            styled.contains("\x1b[7m") || styled.contains(";7m"),
            "{styled:?}"
        );
        pane.keys(&["Escape"]);
        assert_eq!(pane.wait_exit(), 0);
    }
}

/// Is process `pid` gone (or a zombie nobody reaped yet)?
fn gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
    }
}

/// Waits up to `limit` for `pid` to be gone; false if it is still there.
fn wait_gone(pid: u32, limit: Duration) -> bool {
    let start = Instant::now();
    while !gone(pid) {
        if start.elapsed() > limit {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    true
}

/// Kills `pid` for good when dropped (a test that fails must not leave
/// otp running).
struct Reap(u32);

impl Drop for Reap {
    fn drop(&mut self) {
        if !gone(self.0) {
            let _ = Command::new("kill")
                .args(["-KILL", &self.0.to_string()])
                .status();
        }
    }
}

#[test]
fn a_terminal_that_hangs_up_ends_the_picker_at_once() {
    let env = world();
    // Killing the tmux server closes the terminal: otp gets SIGHUP, and
    // with SIGHUP blocked it must notice from the terminal itself (a read
    // of 0 bytes or EIO, poll's HUP, a failed write).
    for run in [Run::Direct, Run::DirectSighupBlocked] {
        let Some(pane) = Pane::start(&env, &["pick"], (80, 24), &[], run) else {
            return;
        };
        pane.wait_for_list();
        let pid = pane.otp_pid();
        let _reap = Reap(pid);
        assert!(!gone(pid));
        pane.run_tmux(&["kill-server"]);
        assert!(
            wait_gone(pid, Duration::from_secs(5)),
            "otp ({run_name}) still runs 5 s after its terminal hung up",
            run_name = if run == Run::Direct {
                "SIGHUP"
            } else {
                "SIGHUP blocked"
            }
        );
    }
    assert_eq!(hotp_counter(&env), 0);
}

#[test]
fn sigterm_ends_the_picker_and_restores_the_terminal() {
    let env = world();
    let Some(pane) = Pane::start(&env, &["pick"], (80, 24), &[], Run::Tty) else {
        return;
    };
    pane.wait_for_list();
    let pid = pane.otp_pid();
    let _reap = Reap(pid);
    let started = Instant::now();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .unwrap()
            .success()
    );
    // Killed by SIGTERM, as the shell sees it: 128 + 15.
    assert_eq!(pane.wait_exit(), 143);
    assert!(started.elapsed() < Duration::from_secs(5));
    pane.assert_restored();
}

#[test]
fn resized_and_tiny_terminals_cut_labels_never_codes() {
    let env = world();
    env.otp()
        .args([
            "rename",
            "github",
            "alice.with.a.very.long.name@subdomain.example.com",
        ])
        .assert()
        .success();
    let Some(pane) = Pane::start(&env, &["pick"], (120, 32), &[], Run::Tty) else {
        return;
    };
    pane.wait_for_list();
    for (w, h) in [(80, 24), (40, 10), (30, 6), (120, 32)] {
        pane.run_tmux(&[
            "resize-window",
            "-t",
            "t",
            "-x",
            &w.to_string(),
            "-y",
            &h.to_string(),
        ]);
        // otp redraws at the new size with the whole code (tmux itself only
        // cuts the old lines).
        let now = unix_now();
        let want = codes_between(&env, "github", now.saturating_sub(2), now + 2);
        let eight = codes_between(&env, "example8", now.saturating_sub(2), now + 2);
        // Wait for otp's own frame at the new size: the label cut with `…`
        // (or whole again), never the code. tmux's cut of the old frame can
        // hold the whole code too, so the code alone does not say otp redrew.
        let label_fits = |l: &str| {
            if w <= 80 {
                l.contains('…')
            } else {
                l.contains("subdomain.example.com")
            }
        };
        let screen = pane.wait_for(
            &format!("{w}x{h}: the GitHub label cut (or whole at 120) and its whole code"),
            |s| {
                s.lines().all(|l| l.chars().count() <= w)
                    && s.lines().any(|l| {
                        l.contains("GitHub")
                            && label_fits(l)
                            && want.iter().any(|c| l.contains(&grouped(c)))
                    })
            },
        );
        // 8 digits and Steam keep all their characters too.
        if h >= 10 {
            assert!(
                eight
                    .iter()
                    .any(|c| row(&screen, "Example8").contains(&grouped(c))),
                "{screen}"
            );
        }
    }
    pane.keys(&["Escape"]);
    assert_eq!(pane.wait_exit(), 0);
    pane.assert_restored();
}

#[test]
fn hotp_shows_no_code_until_chosen_and_moves_the_counter_once() {
    let env = world();
    let Some(pane) = Pane::start(
        &env,
        &["pick", "bank", "--print"],
        (80, 24),
        &[],
        Run::StdoutToFile,
    ) else {
        return;
    };
    let screen = pane.wait_for_list();
    assert!(selected(&screen).contains("Bank"), "{screen}");
    assert!(
        !screen.contains("755 224") && !screen.contains(HOTP_CODE_0),
        "{screen}"
    );
    assert!(screen.contains("next HOTP code"), "{screen}");
    // Time passes and the screen redraws: still no code, counter unmoved.
    std::thread::sleep(Duration::from_millis(1200));
    assert!(!pane.screen().contains("755 224"));
    assert_eq!(hotp_counter(&env), 0);
    pane.keys(&["Enter"]);
    assert_eq!(pane.wait_exit(), 0);
    assert_eq!(pane.stdout(), format!("{HOTP_CODE_0}\n"));
    assert_eq!(hotp_counter(&env), 1);
    pane.assert_restored();
}

#[test]
fn enter_copies_to_the_x11_clipboard_like_otp_code_copy() {
    if !require("Xvfb") || !require("xclip") {
        return;
    }
    let (mut xvfb, display) = start_xvfb("320x240x8", Duration::from_secs(20));
    struct Kill<'a>(&'a mut std::process::Child);
    impl Drop for Kill<'_> {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _xvfb = Kill(&mut xvfb);
    let clipboard = || {
        let out = Command::new("xclip")
            .args(["-o", "-selection", "clipboard"])
            .env("DISPLAY", &display)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let env = world();
    // TOTP: the code of the moment, on the clipboard; the screen names
    // the account, never the code.
    let Some(pane) = Pane::start(
        &env,
        &["pick", "azu"],
        (80, 24),
        &[("DISPLAY", &display)],
        Run::Tty,
    ) else {
        return;
    };
    pane.wait_for_list();
    let from = unix_now().saturating_sub(1);
    pane.keys(&["Enter"]);
    assert_eq!(pane.wait_exit(), 0);
    let to = unix_now();
    let copied = clipboard();
    let want = codes_between(&env, "azure", from, to);
    assert!(
        want.contains(&copied),
        "clipboard {copied:?}, want one of {want:?}"
    );
    let screen = pane.screen();
    assert!(
        screen.contains("copied the code for Microsoft Azure:bob@example.com"),
        "{screen}"
    );
    assert!(
        !screen.contains(&copied) && !screen.contains(&grouped(&copied)),
        "{screen}"
    );
    pane.assert_restored();
    // HOTP: generated, saved, copied, once.
    let Some(pane) = Pane::start(
        &env,
        &["pick", "bank"],
        (80, 24),
        &[("DISPLAY", &display)],
        Run::Tty,
    ) else {
        return;
    };
    pane.wait_for_list();
    pane.keys(&["Enter"]);
    assert_eq!(pane.wait_exit(), 0);
    assert_eq!(clipboard(), HOTP_CODE_0);
    assert_eq!(hotp_counter(&env), 1);
    assert!(pane.screen().contains("copied the code for Bank:me"));
}

#[test]
fn a_passphrase_vault_asks_once_before_the_list() {
    let env = TestEnv::with_passphrase_vault("correct horse");
    for args in [
        &["add", "alice", "--issuer", "GitHub", "--secret", SECRET][..],
        &[
            "add",
            "me",
            "--issuer",
            "Bank",
            "--hotp",
            "--secret",
            HOTP_SECRET,
        ][..],
    ] {
        env.bare()
            .args(args)
            .env("OTP_PASSPHRASE", "correct horse")
            .assert()
            .success();
    }
    let Some(pane) = Pane::start(
        &env,
        &["pick", "bank", "--print"],
        (80, 24),
        &[],
        Run::StdoutToFile,
    ) else {
        return;
    };
    let screen = pane.wait_for("the passphrase prompt", |s| {
        s.to_lowercase().contains("passphrase")
    });
    assert!(!screen.contains("GitHub"));
    pane.type_text("correct horse");
    pane.keys(&["Enter"]);
    pane.wait_for_list();
    // Enter on the HOTP row saves the vault: no second prompt.
    pane.keys(&["Enter"]);
    assert_eq!(pane.wait_exit(), 0);
    assert_eq!(pane.stdout(), format!("{HOTP_CODE_0}\n"));
    let screen = pane.screen();
    assert_eq!(
        screen.to_lowercase().matches("passphrase").count(),
        1,
        "{screen}"
    );
    pane.assert_restored();
}

#[test]
fn tests_leave_no_tmux_server_behind() {
    let env = world();
    let socket;
    {
        let Some(pane) = Pane::start(&env, &["pick"], (80, 24), &[], Run::Tty) else {
            return;
        };
        pane.wait_for_list();
        socket = pane.socket.clone();
    }
    let alive = Command::new("tmux")
        .arg("-S")
        .arg(&socket)
        .arg("list-sessions")
        .output()
        .unwrap();
    assert!(!alive.status.success(), "the tmux server outlived its test");
    let _ = Path::new(&socket);
}
