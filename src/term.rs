//! The terminal: TTY checks, colour, no-echo prompts, confirmations, and
//! sanitising names that came from files before they reach a screen.

use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use anstyle::{AnsiColor, Color, Style};
use zeroize::Zeroizing;

static COLOR_STDERR: AtomicBool = AtomicBool::new(false);
static COLOR_STDOUT: AtomicBool = AtomicBool::new(false);

#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Decides colour once per process: `never` wins, then `always`; `auto`
/// asks anstream (as clap does): a terminal, and not `NO_COLOR`,
/// `CLICOLOR=0` or `TERM=dumb`; `CLICOLOR_FORCE` forces it.
pub fn init_color(choice: ColorChoice) {
    let auto = |choice: anstream::ColorChoice| choice != anstream::ColorChoice::Never;
    let (out, err) = match choice {
        ColorChoice::Never => (false, false),
        ColorChoice::Always => (true, true),
        ColorChoice::Auto => (
            auto(anstream::AutoStream::choice(&io::stdout())),
            auto(anstream::AutoStream::choice(&io::stderr())),
        ),
    };
    COLOR_STDOUT.store(out, Ordering::Relaxed);
    COLOR_STDERR.store(err, Ordering::Relaxed);
}

fn paint(on: bool, style: Style, text: &str) -> String {
    if on {
        format!("{style}{text}{style:#}")
    } else {
        text.to_string()
    }
}

const BOLD: Style = Style::new().bold();

/// Styles for stderr.
pub fn err_red(text: &str) -> String {
    let red = BOLD.fg_color(Some(Color::Ansi(AnsiColor::Red)));
    paint(COLOR_STDERR.load(Ordering::Relaxed), red, text)
}
pub fn err_yellow(text: &str) -> String {
    let yellow = BOLD.fg_color(Some(Color::Ansi(AnsiColor::Yellow)));
    paint(COLOR_STDERR.load(Ordering::Relaxed), yellow, text)
}
pub fn err_bold(text: &str) -> String {
    paint(COLOR_STDERR.load(Ordering::Relaxed), BOLD, text)
}
/// Styles for stdout.
pub fn out_bold(text: &str) -> String {
    paint(COLOR_STDOUT.load(Ordering::Relaxed), BOLD, text)
}
pub fn out_dim(text: &str) -> String {
    paint(
        COLOR_STDOUT.load(Ordering::Relaxed),
        Style::new().dimmed(),
        text,
    )
}

/// One line on stderr. A stderr that cannot be written (a closed pipe, a
/// full disk) loses the line, never the command: `eprintln!` would panic.
pub fn err_line(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{text}");
}

/// One warning on stderr; `text` is shown with [`sanitize_lines`].
pub fn warn(text: &str) {
    err_line(&format!(
        "{} {}",
        err_yellow("warning:"),
        sanitize_lines(text)
    ));
}

/// A warning in red, for the one that can lock a user out.
pub fn warn_red(text: &str) {
    err_line(&format!(
        "{} {}",
        err_yellow("warning:"),
        err_red(&sanitize_lines(text))
    ));
}

/// Informational text on stderr, shown with [`sanitize_lines`].
pub fn note(text: &str) {
    err_line(&sanitize_lines(text));
}

/// Does the locale promise UTF-8 (for drawing QR codes with half blocks)?
pub fn unicode_terminal() -> bool {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .is_some_and(|locale| {
            let l = locale.to_ascii_lowercase();
            l.contains("utf-8") || l.contains("utf8")
        })
}

/// True when stdout is a pipe or socket whose reader is gone (`otp code
/// bank | cmd` where cmd already exited): whatever is written is lost.
pub fn stdout_reader_gone() -> bool {
    #[cfg(unix)]
    {
        use rustix::event::{PollFd, PollFlags, poll};
        let stdout = std::io::stdout();
        let mut fds = [PollFd::new(&stdout, PollFlags::OUT)];
        let zero = rustix::event::Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        if poll(&mut fds, Some(&zero)).is_ok() {
            return fds[0].revents().intersects(PollFlags::ERR | PollFlags::HUP);
        }
    }
    false
}

pub fn stdin_is_tty() -> bool {
    io::stdin().is_terminal()
}

pub fn stdout_is_tty() -> bool {
    io::stdout().is_terminal()
}

pub fn stderr_is_tty() -> bool {
    io::stderr().is_terminal()
}

/// Reads a secret from the terminal without echo. Only call when stdin is a TTY.
pub fn prompt_hidden(prompt: &str) -> io::Result<Zeroizing<String>> {
    let line = rpassword::prompt_password(prompt)?;
    Ok(Zeroizing::new(line))
}

/// Asks a yes/no question on the terminal; anything but y/yes is no.
pub fn confirm(question: &str) -> io::Result<bool> {
    let mut err = io::stderr();
    write!(err, "{question} [y/N] ")?;
    err.flush()?;
    let mut answer = String::new();
    io::stdin().read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

/// Makes text from a file safe to print: control characters, bidi overrides
/// and zero-width characters are shown as `\u{…}` escapes, so a crafted
/// account name cannot rewrite the terminal or disguise itself.
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// [`sanitize`], line by line: newlines and tabs of the message itself are
/// kept, every other unsafe character escaped. Every line `otp` writes to
/// stderr (errors, warnings, notes) goes through it, so a file name, a
/// label or a foreign tool's message cannot rewrite the terminal; a file
/// name shown inside a message is [`sanitize`]d too (its newlines as well).
pub fn sanitize_lines(text: &str) -> String {
    if !text.chars().any(|c| c != '\n' && c != '\t' && is_unsafe(c)) {
        return text.to_string();
    }
    text.split('\n')
        .map(|line| {
            line.split('\t')
                .map(sanitize)
                .collect::<Vec<_>>()
                .join("\t")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A path as shown to the user: [`sanitize`]d, newlines included.
pub fn path(p: &std::path::Path) -> String {
    sanitize(&p.display().to_string())
}

/// JSON text for the terminal: serde_json escapes only C0 controls, so C1
/// controls, DEL, bidi and zero-width characters left raw inside strings
/// are escaped as `\uXXXX` (the same string to any JSON reader). Outside
/// strings, serde_json writes only spaces and newlines.
pub fn json_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if c != '\n' && is_unsafe(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200b}'..='\u{200f}'   // zero-width space/joiners, LRM, RLM
            | '\u{202a}'..='\u{202e}' // bidi embeddings and overrides
            | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
            | '\u{2066}'..='\u{2069}' // bidi isolates
            | '\u{061c}'              // Arabic letter mark
            | '\u{feff}'              // BOM / zero-width no-break space
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sanitize_escapes_controls_and_bidi() {
        assert_eq!(sanitize("GitHub"), "GitHub");
        assert_eq!(sanitize("Zürich ✓"), "Zürich ✓");
        assert_eq!(sanitize("a\x1b[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(
            sanitize("evil\u{202e}moc.elgoog"),
            "evil\\u{202e}moc.elgoog"
        );
        assert_eq!(sanitize("x\ny"), "x\\u{a}y");
        assert_eq!(sanitize("zero\u{200b}width"), "zero\\u{200b}width");
    }

    #[test]
    fn sanitize_lines_keeps_the_message_layout_only() {
        assert_eq!(sanitize_lines("a\n\tb"), "a\n\tb");
        assert_eq!(
            sanitize_lines("cannot open x\x1b]0;pwned\x07\u{202e}\n  hint"),
            "cannot open x\\u{1b}]0;pwned\\u{7}\\u{202e}\n  hint"
        );
        assert_eq!(sanitize_lines("C1\u{9b}2J"), "C1\\u{9b}2J");
    }

    proptest! {
        #[test]
        fn sanitized_text_has_no_control_or_bidi(s in any::<String>()) {
            let out = sanitize(&s);
            prop_assert!(!out.chars().any(is_unsafe));
            let lines = sanitize_lines(&s);
            prop_assert!(!lines.chars().any(|c| c != '\n' && c != '\t' && is_unsafe(c)));
        }

        #[test]
        fn safe_json_is_the_same_json(s in any::<String>(), pretty in any::<bool>()) {
            let value = serde_json::json!({ "name": s, "list": [s.clone()] });
            let text = if pretty {
                serde_json::to_string_pretty(&value).unwrap()
            } else {
                value.to_string()
            };
            let safe = json_safe(&text);
            prop_assert!(!safe.chars().any(|c| c != '\n' && is_unsafe(c)));
            let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
            prop_assert_eq!(back, value);
        }
    }

    #[test]
    fn json_escapes_c1_and_bidi() {
        let text = serde_json::json!("a\u{85}b\u{202e}c\u{7f}").to_string();
        assert_eq!(json_safe(&text), r#""a\u0085b\u202ec\u007f""#);
    }
}
