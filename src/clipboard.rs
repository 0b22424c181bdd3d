//! `otp code --copy`: putting a code on the clipboard and taking it off again.
//!
//! This is command-layer code (it spawns a process and writes to the
//! terminal); the decisions in it are pure functions at the top.
//!
//! On X11 a clipboard lives only as long as the process that owns it, so the
//! system clipboard is served by a small detached child: `otp` re-executes
//! itself as `otp __clipboard-serve SECONDS`, hands it the code through a
//! pipe (never argv or the environment, which other users can read in
//! `/proc`), and waits for one line back ("ok" or an error) so that the code
//! is on the clipboard when `otp` exits. The child marks the data as a
//! secret for clipboard managers (`x-kde-passwordManagerHint`), and after
//! `clipboard_clear_seconds` clears the clipboard, but only if it still
//! holds our code. Wayland (data-control) is served the same way.
//!
//! Without a display, the code goes to the terminal as an OSC 52 escape,
//! which most terminal emulators (and tmux with `set-clipboard on`) turn
//! into a clipboard write, also over SSH. The terminal cannot be asked what
//! its clipboard holds, so an OSC 52 copy is never cleared automatically,
//! and otp says that it sent the code, not that the code arrived.
//!
//! Inside tmux or GNU screen an OSC 52 escape is not a copy otp can vouch
//! for: tmux's own paste buffer is used instead, and screen gets nothing
//! (`tmux`).

use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Result;
use zeroize::Zeroizing;

use crate::config::ClipboardMode;
use crate::error::Fail;

pub mod tmux;
use tmux::Mux;

/// The first argument that turns `otp` into the clipboard-serving child.
pub const SERVE_ARG: &str = "__clipboard-serve";

/// How long `otp` waits for its child to own the clipboard.
const CHILD_READY_TIMEOUT: Duration = Duration::from_secs(5);

/// Where a copy goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// The X11/Wayland clipboard; on failure, OSC 52 if `fallback`.
    System { fallback: bool },
    /// An OSC 52 escape written to the terminal.
    Osc52,
    /// tmux's paste buffer (inside tmux, where OSC 52 is tmux's to drop).
    Tmux,
}

/// Picks where a copy goes from the config and what this session has.
/// `display`: DISPLAY or WAYLAND_DISPLAY is set; `terminal`: a terminal is
/// reachable for OSC 52; `mux`: the multiplexer otp runs in. Inside tmux
/// the terminal's part goes to tmux's buffer; inside GNU screen it cannot
/// be done at all.
pub fn plan(
    mode: ClipboardMode,
    display: bool,
    terminal: bool,
    mux: Option<Mux>,
) -> Result<Plan, Fail> {
    let terminal_plan = |fail: Fail| match mux {
        Some(Mux::Tmux) => Ok(Plan::Tmux),
        Some(Mux::Screen) => Err(tmux::screen_refusal()),
        None if terminal => Ok(Plan::Osc52),
        None => Err(fail),
    };
    match mode {
        ClipboardMode::None => Err(Fail::error(
            "copying is turned off (clipboard = \"none\" in the config)",
        )
        .hint(
            "print the code instead (`otp code QUERY`), or set clipboard = \"auto\" in the config",
        )),
        ClipboardMode::System if display => Ok(Plan::System { fallback: false }),
        ClipboardMode::System => Err(Fail::error(
            "no display for the system clipboard (neither DISPLAY nor WAYLAND_DISPLAY is set)",
        )
        .hint(
            "over SSH or in a terminal-only session, set clipboard = \"osc52\" (or \"auto\") \
             in the config, or print the code without --copy",
        )),
        ClipboardMode::Osc52 => {
            terminal_plan(no_terminal("clipboard = \"osc52\" needs a terminal"))
        }
        ClipboardMode::Auto if display => Ok(Plan::System {
            fallback: match mux {
                Some(Mux::Tmux) => true,
                Some(Mux::Screen) => false,
                None => terminal,
            },
        }),
        ClipboardMode::Auto => terminal_plan(no_terminal(
            "there is no clipboard to copy to: no display (DISPLAY and WAYLAND_DISPLAY are unset) \
             and no terminal for OSC 52",
        )),
    }
}

fn no_terminal(message: &str) -> Fail {
    Fail::error(message).hint(
        "print the code without --copy and pipe it (`otp code QUERY | wl-copy`), or run otp \
         in a terminal that supports OSC 52 with clipboard = \"osc52\" in the config",
    )
}

/// The OSC 52 escape that asks a terminal to put `text` on its clipboard.
pub fn osc52(text: &str) -> String {
    format!("\x1b]52;c;{}\x07", crate::base64::encode(text.as_bytes()))
}

/// What the user hears after a copy (the code itself is never shown).
pub fn copied_message(label: &str, how: &Copied, clear_seconds: u64) -> String {
    match how {
        Copied::System if clear_seconds == 0 => {
            format!("copied the code for {label}; it stays until something else is copied")
        }
        Copied::System => {
            format!("copied the code for {label}; clears in {clear_seconds} s")
        }
        Copied::Osc52 => format!(
            "sent the code for {label} to the terminal (OSC 52): a terminal that supports OSC 52 \
             puts it on its clipboard, which otp cannot check; it is not cleared automatically"
        ),
        Copied::Tmux(copied) => tmux::message(label, copied, clear_seconds),
    }
}

/// How a copy was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Copied {
    System,
    Osc52,
    /// Into tmux's paste buffer, read back.
    Tmux(tmux::Copied),
}

/// A copy in preparation: decided and, for the system clipboard, with the
/// serving child already started so that it connects to the display while
/// the vault is being decrypted.
pub struct Copier {
    plan: Plan,
    child: Option<Result<Child, String>>,
    /// The tmux server, asked before anything moves (Plan::Tmux).
    tmux: Option<tmux::Server>,
    clear_seconds: u64,
}

impl Copier {
    /// Decides where the copy goes; fails before any vault change when no
    /// clipboard can be reached.
    pub fn prepare(mode: ClipboardMode, clear_seconds: u64) -> Result<Copier> {
        let display = ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()));
        let mux = tmux::from_env();
        let plan = plan(mode, display, terminal_available(), mux)?;
        let child = match plan {
            Plan::System { .. } => Some(spawn_server(clear_seconds)),
            Plan::Osc52 | Plan::Tmux => None,
        };
        // A tmux that cannot be reached fails here, before a HOTP counter moves.
        let tmux = match plan {
            Plan::Tmux => Some(tmux::probe()?),
            _ => None,
        };
        Ok(Copier {
            plan,
            child,
            tmux,
            clear_seconds,
        })
    }

    /// Puts `code` on the clipboard.
    pub fn copy(self, code: &str) -> Result<Copied> {
        let fallback = match self.plan {
            Plan::Osc52 => {
                write_osc52(code)?;
                return Ok(Copied::Osc52);
            }
            Plan::Tmux => {
                let server = match self.tmux {
                    Some(s) => s,
                    None => tmux::probe()?,
                };
                return copy_tmux(code, server, self.clear_seconds);
            }
            Plan::System { fallback } => fallback,
        };
        let outcome = match self.child {
            Some(Ok(child)) => hand_over(child, code),
            Some(Err(e)) => Err(e),
            None => Err("no clipboard process".to_string()),
        };
        match outcome {
            Ok(()) => Ok(Copied::System),
            Err(reason) if fallback && tmux::from_env() == Some(Mux::Tmux) => {
                crate::term::warn(&format!(
                    "the system clipboard is not available ({reason}); using tmux's paste buffer instead"
                ));
                copy_tmux(code, tmux::probe()?, self.clear_seconds)
            }
            Err(reason) if fallback => {
                crate::term::warn(&format!(
                    "the system clipboard is not available ({reason}); using the terminal instead"
                ));
                write_osc52(code)?;
                Ok(Copied::Osc52)
            }
            Err(reason) => Err(Fail::error(format!(
                "cannot copy to the system clipboard: {reason}"
            ))
            .hint(
                "check DISPLAY / WAYLAND_DISPLAY, set clipboard = \"osc52\" in the config, \
                 or print the code without --copy",
            )
            .into()),
        }
    }
}

/// Copies into tmux's paste buffer, read back, and starts the child that
/// clears it after `clear_seconds` (0: never).
fn copy_tmux(code: &str, server: tmux::Server, clear_seconds: u64) -> Result<Copied> {
    let copied = tmux::copy(code, server)?;
    if clear_seconds > 0
        && let Err(why) = tmux::spawn_clearer(&copied.buffer, code, clear_seconds)
    {
        crate::term::warn(&format!(
            "tmux's paste buffer {} will not be cleared: {why}; delete it with `tmux delete-buffer -b {}`",
            copied.buffer, copied.buffer
        ));
    }
    Ok(Copied::Tmux(copied))
}

fn spawn_server(clear_seconds: u64) -> Result<Child, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the otp binary: {e}"))?;
    crate::harden::command(exe)
        .arg(SERVE_ARG)
        .arg(clear_seconds.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .current_dir("/")
        .spawn()
        .map_err(|e| format!("cannot start the clipboard process: {e}"))
}

/// Sends the code to the child and waits until it owns the clipboard.
fn hand_over(mut child: Child, code: &str) -> Result<(), String> {
    let sent = match child.stdin.take() {
        Some(mut stdin) => stdin.write_all(code.as_bytes()).is_ok(),
        None => false,
    };
    let Some(stdout) = child.stdout.take() else {
        return Err("the clipboard process has no output".into());
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let answer = rx.recv_timeout(CHILD_READY_TIMEOUT).unwrap_or_default();
    let answer = answer.trim_end();
    if answer == "ok" && sent {
        return Ok(());
    }
    // The child is ours and did not take the clipboard: do not leave it behind.
    let _ = child.kill();
    let _ = child.wait();
    Err(match answer.strip_prefix("error: ") {
        Some(reason) => reason.to_string(),
        None if answer.is_empty() => "the clipboard process did not answer".to_string(),
        None => answer.to_string(),
    })
}

/// Is there a terminal to write an OSC 52 escape to?
fn terminal_available() -> bool {
    std::io::stderr().is_terminal()
        || std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/tty")
            .is_ok()
        || std::io::stdout().is_terminal()
}

/// Writes the OSC 52 escape to stderr, the controlling terminal, or stdout,
/// the first that is a terminal (stdout last: it carries data).
fn write_osc52(code: &str) -> Result<()> {
    let seq = Zeroizing::new(osc52(code));
    let written = if std::io::stderr().is_terminal() {
        std::io::stderr().write_all(seq.as_bytes()).is_ok()
    } else if let Ok(mut tty) = std::fs::OpenOptions::new().write(true).open("/dev/tty") {
        tty.write_all(seq.as_bytes()).is_ok()
    } else if std::io::stdout().is_terminal() {
        let mut out = std::io::stdout();
        out.write_all(seq.as_bytes()).is_ok() && out.flush().is_ok()
    } else {
        false
    };
    if written {
        Ok(())
    } else {
        Err(no_terminal("cannot write the OSC 52 escape to a terminal").into())
    }
}

/// Makes arboard's errors say what the user can act on. Without a display
/// server it reports a "connection timed out", which misleads.
fn explain(e: &arboard::Error) -> String {
    let display = std::env::var("WAYLAND_DISPLAY")
        .ok()
        .filter(|d| !d.is_empty())
        .map(|d| format!("WAYLAND_DISPLAY={d}"))
        .or_else(|| {
            std::env::var("DISPLAY")
                .ok()
                .map(|d| format!("DISPLAY={d}"))
        })
        .unwrap_or_else(|| "no display".into());
    match e {
        arboard::Error::ClipboardNotSupported => {
            format!("this display ({display}) has no clipboard otp can use")
        }
        arboard::Error::ClipboardOccupied => "another program holds the clipboard".into(),
        _ => format!("cannot connect to the display's clipboard ({display})"),
    }
}

/// Entry point of the serving child (`otp __clipboard-serve SECONDS`): read
/// the code from stdin, own the clipboard, answer "ok", then clear the
/// clipboard after SECONDS if it still holds the code. Returns the exit code.
pub fn serve(args: &[String]) -> u8 {
    if args.first().map(String::as_str) == Some(tmux::SERVE_TMUX) {
        return tmux::serve(&args[1..]);
    }
    // Detach from the terminal's session so closing the terminal or pressing
    // Ctrl-C in it does not end the clipboard early. It fails only when this
    // process already leads a process group, and then it is detached enough.
    let _ = rustix::process::setsid();
    let clear_seconds: u64 = match args.first().and_then(|s| s.parse().ok()) {
        Some(s) => s,
        None => {
            answer("error: bad arguments to the clipboard process");
            return 2;
        }
    };
    let mut clipboard = match arboard::Clipboard::new() {
        Ok(c) => c,
        Err(e) => {
            answer(&format!("error: {}", explain(&e)));
            return 1;
        }
    };
    let mut code = Zeroizing::new(String::new());
    // A code is a few characters; the limit keeps a confused caller from
    // making us buffer without end.
    if std::io::stdin()
        .take(256)
        .read_to_string(&mut code)
        .is_err()
        || code.is_empty()
    {
        return 1; // the parent failed before sending a code; nothing to say
    }
    let text: &str = &code;
    if let Err(e) = set_secret(&mut clipboard, text, None) {
        answer(&format!("error: {}", explain(&e)));
        return 1;
    }
    answer("ok");
    if clear_seconds == 0 {
        // Keep serving until something else is copied.
        let _ = set_secret(&mut clipboard, text, Some(None));
        return 0;
    }
    let deadline = Instant::now() + Duration::from_secs(clear_seconds);
    // On X11, waiting here returns early when another program takes the
    // clipboard; either way the check below decides.
    let _ = set_secret(&mut clipboard, text, Some(Some(deadline)));
    let left = deadline.saturating_duration_since(Instant::now());
    std::thread::sleep(left);
    let still_ours = clipboard
        .get_text()
        .is_ok_and(|now| Zeroizing::new(now).as_str() == text);
    if still_ours {
        let _ = clipboard.clear();
    }
    0
}

/// One line to the parent; it may be gone already, which is not an error.
fn answer(line: &str) {
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{line}").and_then(|_| out.flush());
}

/// Sets the clipboard text as a secret. `wait`: None returns at once;
/// Some(None) serves until replaced; Some(Some(t)) until replaced or `t`.
#[cfg(all(unix, not(target_os = "macos")))]
fn set_secret(
    clipboard: &mut arboard::Clipboard,
    text: &str,
    wait: Option<Option<Instant>>,
) -> Result<(), arboard::Error> {
    use arboard::SetExtLinux;
    let set = clipboard.set().exclude_from_history();
    let set = match wait {
        None => set,
        Some(None) => set.wait(),
        Some(Some(deadline)) => set.wait_until(deadline),
    };
    set.text(text)
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
fn set_secret(
    clipboard: &mut arboard::Clipboard,
    text: &str,
    wait: Option<Option<Instant>>,
) -> Result<(), arboard::Error> {
    if wait.is_some() {
        return Ok(()); // other platforms keep the clipboard after the owner exits
    }
    clipboard.set().text(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_is_base64_in_the_escape() {
        assert_eq!(osc52("528064"), "\x1b]52;c;NTI4MDY0\x07");
    }

    #[test]
    fn plans() {
        use ClipboardMode::*;
        let plan3 = |mode, display, terminal| plan(mode, display, terminal, Option::None);
        assert_eq!(
            plan3(Auto, true, true).unwrap(),
            Plan::System { fallback: true }
        );
        assert_eq!(
            plan3(Auto, true, false).unwrap(),
            Plan::System { fallback: false }
        );
        assert_eq!(plan3(Auto, false, true).unwrap(), Plan::Osc52);
        assert_eq!(
            plan3(System, true, true).unwrap(),
            Plan::System { fallback: false }
        );
        assert_eq!(plan3(Osc52, true, true).unwrap(), Plan::Osc52);
        let no_clip = plan3(Auto, false, false).unwrap_err();
        assert!(no_clip.hint.unwrap().contains("clipboard = \"osc52\""));
        assert!(
            plan3(System, false, true)
                .unwrap_err()
                .hint
                .unwrap()
                .contains("osc52")
        );
        assert!(plan3(Osc52, true, false).is_err());
        assert!(
            plan3(None, true, true)
                .unwrap_err()
                .message
                .contains("\"none\"")
        );
        // Inside tmux the terminal's part is tmux's buffer; inside screen
        // nothing is copied; the system clipboard comes first either way.
        let tmux = Some(Mux::Tmux);
        let screen = Some(Mux::Screen);
        assert_eq!(plan(Auto, false, true, tmux).unwrap(), Plan::Tmux);
        assert_eq!(plan(Osc52, false, true, tmux).unwrap(), Plan::Tmux);
        assert_eq!(
            plan(Auto, true, false, tmux).unwrap(),
            Plan::System { fallback: true }
        );
        assert!(
            plan(Auto, false, true, screen)
                .unwrap_err()
                .message
                .contains("nothing was copied")
        );
        assert!(plan(Osc52, false, true, screen).is_err());
        assert_eq!(
            plan(Auto, true, true, screen).unwrap(),
            Plan::System { fallback: false }
        );
    }

    #[test]
    fn messages_never_hold_the_code() {
        let m = copied_message("GitHub:alice", &Copied::System, 20);
        assert_eq!(m, "copied the code for GitHub:alice; clears in 20 s");
        let osc = copied_message("x", &Copied::Osc52, 20);
        assert!(
            osc.contains("not cleared") && osc.contains("cannot check"),
            "{osc}"
        );
        assert!(
            !osc.starts_with("copied"),
            "an OSC 52 copy cannot be confirmed: {osc}"
        );
        assert!(copied_message("x", &Copied::System, 0).contains("stays"));
    }
}
