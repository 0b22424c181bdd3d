//! The terminal: TTY checks, colour, no-echo prompts, confirmations, and
//! the lines `otp` writes to stderr (made safe by `crate::text`).

use std::io::{self, BufRead, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use anstyle::{AnsiColor, Color, Style};
use zeroize::Zeroizing;

use crate::text::sanitize_lines;

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
    let _ = writeln!(io::stderr().lock(), "{text}");
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

/// Why nothing written to stdout would reach anyone, or None when it may.
/// For a HOTP code, which must not be burnt unseen: a pipe or socket whose
/// reader is gone (`otp code bank | cmd` where cmd already exited), a
/// stdout that was closed or opened only for reading (writes fail with
/// EBADF), and `/dev/null` — where Rust's runtime also puts a stdout that
/// was closed when otp started (`otp code bank >&-`).
pub fn stdout_goes_nowhere() -> Option<&'static str> {
    #[cfg(unix)]
    {
        use rustix::event::{PollFd, PollFlags, poll};
        use rustix::fs::{FileType, OFlags};
        let stdout = io::stdout();
        let Ok(flags) = rustix::fs::fcntl_getfl(&stdout) else {
            return Some("stdout is closed");
        };
        if flags & OFlags::RWMODE == OFlags::RDONLY {
            return Some("stdout is open only for reading");
        }
        let mut fds = [PollFd::new(&stdout, PollFlags::OUT)];
        let zero = rustix::event::Timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        if poll(&mut fds, Some(&zero)).is_ok() {
            let revents = fds[0].revents();
            if revents.contains(PollFlags::NVAL) {
                return Some("stdout is closed");
            }
            if revents.intersects(PollFlags::ERR | PollFlags::HUP) {
                return Some("nothing reads stdout (a closed pipe)");
            }
        }
        let is_null = |st: &rustix::fs::Stat| {
            FileType::from_raw_mode(st.st_mode) == FileType::CharacterDevice
        };
        if let (Ok(out), Ok(null)) = (rustix::fs::fstat(&stdout), rustix::fs::stat("/dev/null"))
            && is_null(&out)
            && is_null(&null)
            && out.st_rdev == null.st_rdev
        {
            return Some("stdout is /dev/null (or was closed)");
        }
    }
    None
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

/// Whether this process has a terminal to ask on: its controlling terminal
/// (`/dev/tty`) opens for reading and writing. True with stdin a pipe
/// (`echo SECRET | otp add …`) when a user sits at the terminal, as ssh,
/// gpg and pass ask there; false under cron, `setsid` or a service.
pub fn has_tty() -> bool {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .is_ok()
}

/// Reads a secret without echo from the controlling terminal (`/dev/tty`,
/// whatever stdin is), the prompt written there too. Only call when
/// [`has_tty`].
pub fn prompt_hidden(prompt: &str) -> io::Result<Zeroizing<String>> {
    let line = rpassword::prompt_password(prompt)?;
    Ok(Zeroizing::new(line))
}

/// Asks a yes/no question on the controlling terminal (`/dev/tty`, whatever
/// stdin is); anything but y/yes is no. Only call when [`has_tty`].
pub fn confirm_tty(question: &str) -> io::Result<bool> {
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")?;
    let mut out = &tty;
    write!(out, "{question} [y/N] ")?;
    out.flush()?;
    let mut answer = String::new();
    io::BufReader::new(&tty).read_line(&mut answer)?;
    Ok(matches!(
        answer.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
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

/// Colour on the terminal the picker draws on (`/dev/tty`, whatever stdout
/// is): `never` and `always` as said; `auto` as [`init_color`] decides for
/// a terminal: no colour with `NO_COLOR`, `CLICOLOR=0` or `TERM=dumb`
/// unless `CLICOLOR_FORCE` is set.
pub fn tty_color(choice: ColorChoice) -> bool {
    let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    match choice {
        ColorChoice::Never => false,
        ColorChoice::Always => true,
        ColorChoice::Auto if set("CLICOLOR_FORCE").is_some_and(|v| v != "0") => true,
        ColorChoice::Auto => {
            set("NO_COLOR").is_none()
                && set("CLICOLOR").is_none_or(|v| v != "0")
                && set("TERM").is_none_or(|v| v != "dumb")
        }
    }
}
