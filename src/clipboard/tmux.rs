//! Copying inside a terminal multiplexer, where an OSC 52 escape written to
//! the pane is not a copy otp can vouch for: tmux's default
//! `set-clipboard external` drops it, and GNU screen never passes it on.
//!
//! Inside tmux (`$TMUX`) the code goes into tmux's own paste buffer with
//! `tmux load-buffer -w -` (the code on stdin, never argv), which tmux also
//! passes on to the outer terminal's clipboard when its `set-clipboard`
//! allows (`on` or `external`) and a terminal is attached. otp reads the
//! buffer back (`show-buffer`) before it says anything, and tells what it
//! cannot confirm: whether the outer terminal took it. After
//! `clipboard_clear_seconds` a detached child deletes the buffer, only if
//! it still holds the code.
//!
//! Inside GNU screen (`$STY`) there is nothing otp can confirm: it copies
//! nothing and says so.

use std::io::{Read, Write};
use std::process::Stdio;
use std::time::Duration;

use zeroize::Zeroizing;

use crate::error::Fail;

/// The multiplexer otp runs in, from the environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mux {
    Tmux,
    Screen,
}

/// `$TMUX` (tmux) or `$STY` (GNU screen), non-empty; tmux first (tmux
/// started inside screen is where the pane is).
pub fn detect(tmux: Option<&str>, sty: Option<&str>) -> Option<Mux> {
    if tmux.is_some_and(|t| !t.is_empty()) {
        Some(Mux::Tmux)
    } else if sty.is_some_and(|s| !s.is_empty()) {
        Some(Mux::Screen)
    } else {
        None
    }
}

/// [`detect`] on this process's environment.
pub fn from_env() -> Option<Mux> {
    detect(
        std::env::var("TMUX").ok().as_deref(),
        std::env::var("STY").ok().as_deref(),
    )
}

/// Inside GNU screen nothing is copied: screen does not pass an OSC 52
/// escape on to the terminal, and has no buffer otp could load without
/// putting the code on a command line.
pub fn screen_refusal() -> Fail {
    Fail::error(
        "otp runs inside GNU screen ($STY is set), which does not pass a terminal copy \
         (OSC 52) on to your terminal, so nothing was copied",
    )
    .hint(
        "print the code (`otp code QUERY`) and copy it with screen's copy mode (C-a [), \
         run otp in tmux or outside screen, or give it a display (DISPLAY) for the system clipboard",
    )
}

/// What tmux is like, asked before anything is copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Server {
    /// `load-buffer -w` (tmux 3.2 and later) passes a buffer on.
    pub can_pass_on: bool,
    /// A terminal is attached to this session.
    pub attached: bool,
    /// The `set-clipboard` option: `on`, `external` or `off`.
    pub set_clipboard: String,
}

/// Asks the tmux server of `$TMUX` about itself; an error when it cannot be
/// reached (then nothing is copied).
pub fn probe() -> Result<Server, Fail> {
    let out = tmux(
        &[
            "display-message",
            "-p",
            "#{version}|#{session_attached}|#{set-clipboard}",
        ],
        None,
    )
    .map_err(|why| unreachable_tmux(&why))?;
    parse_probe(&String::from_utf8_lossy(&out))
        .ok_or_else(|| unreachable_tmux("it gave an answer otp does not understand"))
}

/// Reads `display-message`'s answer (`3.3a|1|external`). Pure.
pub fn parse_probe(answer: &str) -> Option<Server> {
    let mut parts = answer.trim().split('|');
    let version = parts.next()?;
    let attached = parts.next()?.trim().parse::<u32>().ok()? > 0;
    let set_clipboard = parts.next()?.trim().to_string();
    Some(Server {
        can_pass_on: version_at_least(version, (3, 2)),
        attached,
        set_clipboard,
    })
}

/// `3.3a`, `next-3.4`, `3.2-rc2`: is it at least `want`? An unknown form
/// counts as new (it is what tmux's own development builds say).
fn version_at_least(version: &str, want: (u32, u32)) -> bool {
    let digits = version.trim_start_matches(|c: char| !c.is_ascii_digit());
    let mut parts = digits.split(|c: char| !c.is_ascii_digit());
    let major = parts.next().and_then(|p| p.parse::<u32>().ok());
    let minor = parts
        .next()
        .and_then(|p| p.parse::<u32>().ok())
        .unwrap_or(0);
    match major {
        Some(major) => (major, minor) >= want,
        None => true,
    }
}

fn unreachable_tmux(why: &str) -> Fail {
    Fail::error(format!(
        "otp runs inside tmux ($TMUX is set), but cannot reach its server ({why}), so nothing was copied"
    ))
    .hint("print the code (`otp code QUERY`), or run otp in a pane of a running tmux")
}

/// A copy into tmux's paste buffer, confirmed by reading it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    /// The buffer tmux made (`buffer3`).
    pub buffer: String,
    pub server: Server,
}

/// Loads `code` into a new tmux buffer (passed on to the outer terminal
/// where tmux can) and reads it back.
pub fn copy(code: &str, server: Server) -> Result<Copied, Fail> {
    let load: &[&str] = if server.can_pass_on {
        &["load-buffer", "-w", "-"]
    } else {
        &["load-buffer", "-"]
    };
    tmux(load, Some(code))
        .map_err(|why| not_copied(&format!("`tmux load-buffer` failed: {why}")))?;
    // The newest buffer is the one just made (list-buffers lists newest first).
    let list = tmux(&["list-buffers", "-F", "#{buffer_name}"], None)
        .map_err(|why| not_copied(&format!("`tmux list-buffers` failed: {why}")))?;
    let buffer = String::from_utf8_lossy(&list)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    if buffer.is_empty() || !holds(&buffer, code) {
        return Err(not_copied(
            "tmux's newest paste buffer does not hold the code after loading it",
        ));
    }
    Ok(Copied { buffer, server })
}

fn not_copied(why: &str) -> Fail {
    Fail::error(format!("could not copy into tmux's paste buffer: {why}"))
        .hint("print the code (`otp code QUERY`) instead")
}

/// Does tmux's buffer `name` hold exactly `code`?
fn holds(name: &str, code: &str) -> bool {
    tmux(&["show-buffer", "-b", name], None)
        .is_ok_and(|shown| Zeroizing::new(shown).as_slice() == code.as_bytes())
}

/// What the user hears after a tmux copy (never the code). Pure.
pub fn message(label: &str, copied: &Copied, clear_seconds: u64) -> String {
    let clears = if clear_seconds == 0 {
        "it stays until tmux drops it".to_string()
    } else {
        format!("clears in {clear_seconds} s")
    };
    let mut text = format!(
        "copied the code for {label} into tmux's paste buffer {} (prefix ] pastes it); {clears}. ",
        copied.buffer
    );
    let s = &copied.server;
    text.push_str(&if !s.can_pass_on {
        "It did not go to your system clipboard: this tmux is older than 3.2 and cannot pass a buffer on (`load-buffer -w`)".to_string()
    } else if s.set_clipboard == "off" {
        "It did not go to your system clipboard: tmux's set-clipboard is off \
         (`set -g set-clipboard external` in ~/.tmux.conf lets tmux pass copies on to a terminal that supports OSC 52)"
            .to_string()
    } else if !s.attached {
        "It did not go to any system clipboard: no terminal is attached to this tmux session".to_string()
    } else {
        format!(
            "tmux also passed it on to your terminal's clipboard (set-clipboard {}), \
             which works where the terminal supports OSC 52: otp cannot confirm it there, and does not clear it there",
            s.set_clipboard
        )
    });
    text
}

/// Runs `tmux ARGS` (the server of `$TMUX`), `input` on its stdin: its
/// stdout, or what went wrong.
fn tmux(args: &[&str], input: Option<&str>) -> Result<Vec<u8>, String> {
    let mut child = crate::harden::command("tmux")
        .args(args)
        .stdin(if input.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run tmux: {e}"))?;
    if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
        stdin
            .write_all(text.as_bytes())
            .map_err(|e| format!("cannot hand tmux the code: {e}"))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("tmux did not finish: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        let err = String::from_utf8_lossy(&out.stderr);
        Err(match err.trim() {
            "" => format!("tmux failed ({})", out.status),
            e => crate::text::sanitize(e),
        })
    }
}

/// The first argument after the serving child's that makes it clear a
/// tmux buffer: `otp __clipboard-serve tmux BUFFER SECONDS`.
pub const SERVE_TMUX: &str = "tmux";

/// Starts the detached child that deletes `buffer` after `clear_seconds`
/// if it still holds `code` (handed over on a pipe). A failure only warns:
/// the copy itself was made.
pub fn spawn_clearer(buffer: &str, code: &str, clear_seconds: u64) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the otp binary: {e}"))?;
    let mut cmd = crate::harden::command(exe);
    cmd.arg(super::SERVE_ARG)
        .arg(SERVE_TMUX)
        .arg(buffer)
        .arg(clear_seconds.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // The child runs in `/`; a relative socket path in $TMUX must not
    // change its meaning there.
    if let Some(tmux) = std::env::var_os("TMUX")
        && let Some((socket, rest)) = tmux.to_string_lossy().split_once(',')
        && let Ok(absolute) = std::path::absolute(socket)
    {
        cmd.env("TMUX", format!("{},{rest}", absolute.display()));
    }
    let mut child = cmd
        .current_dir("/")
        .spawn()
        .map_err(|e| format!("cannot start the process that clears it: {e}"))?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or("no pipe to the clearing process")?;
    stdin
        .write_all(code.as_bytes())
        .map_err(|e| format!("cannot hand over the code: {e}"))?;
    Ok(())
}

/// The detached child: `BUFFER SECONDS`, the code on stdin. Returns the
/// exit code.
pub fn serve(args: &[String]) -> u8 {
    let _ = rustix::process::setsid();
    let (Some(buffer), Some(seconds)) = (
        args.first(),
        args.get(1).and_then(|s| s.parse::<u64>().ok()),
    ) else {
        return 2;
    };
    let mut code = Zeroizing::new(String::new());
    if std::io::stdin()
        .take(256)
        .read_to_string(&mut code)
        .is_err()
        || code.is_empty()
    {
        return 1;
    }
    std::thread::sleep(Duration::from_secs(seconds));
    // Only our code goes: a buffer the user has loaded since keeps its name
    // but not our contents.
    if holds(buffer, &code) {
        let _ = tmux(&["delete-buffer", "-b", buffer], None);
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiplexers_from_the_environment() {
        assert_eq!(
            detect(Some("/tmp/tmux-1/default,1,0"), None),
            Some(Mux::Tmux)
        );
        assert_eq!(
            detect(Some("/s,1,0"), Some("12.pts-0.host")),
            Some(Mux::Tmux)
        );
        assert_eq!(detect(Some(""), Some("12.pts-0.host")), Some(Mux::Screen));
        assert_eq!(detect(None, None), None);
        assert_eq!(detect(Some(""), Some("")), None);
    }

    #[test]
    fn probes_and_versions() {
        let s = parse_probe("3.3a|1|external\n").unwrap();
        assert!(s.can_pass_on && s.attached);
        assert_eq!(s.set_clipboard, "external");
        assert!(!parse_probe("3.1c|0|on").unwrap().can_pass_on);
        assert!(parse_probe("next-3.4|0|on").unwrap().can_pass_on);
        assert!(parse_probe("3.2-rc2|0|on").unwrap().can_pass_on);
        assert!(!parse_probe("2.9|2|on").unwrap().can_pass_on);
        assert_eq!(parse_probe("garbage"), None);
    }

    #[test]
    fn messages_say_what_reached_where() {
        let copied = |pass: bool, attached: bool, set: &str| Copied {
            buffer: "buffer0".into(),
            server: Server {
                can_pass_on: pass,
                attached,
                set_clipboard: set.into(),
            },
        };
        let off = message("GitHub:alice", &copied(true, true, "off"), 20);
        assert!(off.contains("paste buffer buffer0"), "{off}");
        assert!(off.contains("clears in 20 s"), "{off}");
        assert!(off.contains("set-clipboard is off"), "{off}");
        assert!(off.contains("set -g set-clipboard external"), "{off}");
        let on = message("x", &copied(true, true, "external"), 0);
        assert!(on.contains("cannot confirm"), "{on}");
        assert!(on.contains("stays"), "{on}");
        assert!(message("x", &copied(true, false, "on"), 5).contains("no terminal is attached"));
        assert!(message("x", &copied(false, true, "on"), 5).contains("older than 3.2"));
    }
}
