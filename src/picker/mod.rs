//! The live picker (`otp pick`, and `otp` alone on a terminal): the
//! accounts with their current codes and the time left, filtered as the
//! user types. This module owns the screen and the keys; what happens to
//! the chosen account (copy, print, HOTP counter) is the command's
//! (`cmd::pick`). Secrets never reach the screen: only codes, and no HOTP
//! code before one is chosen.

pub mod keys;
pub mod tty;
pub mod view;

use std::io;
use std::time::Duration;

use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

use crate::model::Account;
use keys::{Key, Parser};
pub use view::Look;

/// How the picker ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Enter on this account (an index into the accounts).
    Chosen(usize),
    /// Esc, q on an empty filter, Ctrl-C.
    Quit,
    /// A terminating signal (SIGTERM, SIGHUP, …) arrived.
    Signal(i32),
}

/// How long a lone ESC waits for the rest of an escape sequence.
const ESC_WAIT: Duration = Duration::from_millis(30);
/// The longest wait between two draws: signals and the clock are checked
/// at least this often.
const TICK: Duration = Duration::from_millis(250);

/// Runs the picker on the terminal until a choice, a quit, a signal, or a
/// hang-up (an error). `now` is the clock (unix seconds). The terminal is
/// restored before this returns, whatever happened.
pub fn run(
    accounts: &[Account],
    filter: &str,
    look: Look,
    now: &dyn Fn() -> u64,
) -> io::Result<Outcome> {
    // crossterm drops colours when NO_COLOR is set; otp decided already
    // (`--color always` wins over NO_COLOR, as in the rest of otp).
    ratatui::crossterm::style::Colored::set_ansi_color_disabled(!look.color);
    let tty = tty::Tty::open()?;
    let outcome = run_on(&tty, accounts, filter, look, now);
    drop(tty);
    outcome
}

fn run_on(
    tty: &tty::Tty,
    accounts: &[Account],
    filter: &str,
    look: Look,
    now: &dyn Fn() -> u64,
) -> io::Result<Outcome> {
    let mut size = tty.size()?;
    let mut terminal = screen(tty, size)?;
    let mut state = view::State::new(accounts, filter);
    let mut parser = Parser::default();
    // Drawn at this second with nothing changed since: no need to draw.
    let mut drawn: Option<u64> = None;
    loop {
        if let Some(signal) = tty::signal() {
            return Ok(Outcome::Signal(signal));
        }
        if tty.size()? != size {
            size = tty.size()?;
            terminal = screen(tty, size)?;
            drawn = None;
        }
        let unix = now();
        if drawn != Some(unix) {
            terminal.draw(|frame| view::draw(frame, &mut state, unix, look))?;
            drawn = Some(unix);
        }
        let wait = if parser.pending() { ESC_WAIT } else { TICK };
        let bytes = tty.read(wait)?;
        let keys = if bytes.is_empty() && parser.pending() {
            parser.flush()
        } else {
            parser.feed(&bytes)
        };
        for key in keys {
            drawn = None;
            if let Some(outcome) = press(&mut state, key) {
                return Ok(outcome);
            }
        }
    }
}

/// A cleared screen of `size` (columns, rows) to draw on.
///
/// The viewport is fixed at the size otp read itself: ratatui's own
/// resizing and clearing ask the terminal for its size or the cursor
/// position, which means reading answers from the terminal outside otp's
/// reader. So a new size gets a new `Terminal`.
fn screen(tty: &tty::Tty, (w, h): (u16, u16)) -> io::Result<Terminal<Backend>> {
    let mut out = io::BufWriter::new(tty.writer()?);
    io::Write::write_all(&mut out, tty::CLEAR)?;
    Terminal::with_options(
        CrosstermBackend::new(out),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, w, h)),
        },
    )
}

type Backend = CrosstermBackend<io::BufWriter<std::fs::File>>;

/// What a key does to the state, and whether it ends the picker.
pub fn press(state: &mut view::State<'_>, key: Key) -> Option<Outcome> {
    match key {
        Key::Esc | Key::Interrupt => return Some(Outcome::Quit),
        Key::Char('q') if state.filter().is_empty() => return Some(Outcome::Quit),
        Key::Enter => return state.selected().map(Outcome::Chosen),
        Key::Char(c) => {
            let mut f = state.filter().to_string();
            f.push(c);
            state.set_filter(f);
        }
        Key::Backspace => {
            let mut f = state.filter().to_string();
            f.pop();
            state.set_filter(f);
        }
        Key::ClearLine => state.set_filter(String::new()),
        Key::DeleteWord => {
            let f = state.filter().trim_end();
            let cut = f.rfind(char::is_whitespace).map_or(0, |i| i + 1);
            let f = f[..cut].to_string();
            state.set_filter(f);
        }
        Key::Up => state.step(-1),
        Key::Down => state.step(1),
        Key::PageUp => state.step_page(false),
        Key::PageDown => state.step_page(true),
        Key::Home => state.home(),
        Key::End => state.end(),
        Key::Other => {}
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{Outcome, press, view::State};
    use crate::model::{Account, Entry, Secret, Token};
    use crate::picker::keys::Key;

    fn accounts() -> Vec<Account> {
        let now = time::OffsetDateTime::UNIX_EPOCH;
        [
            ("GitHub", "alice"),
            ("Microsoft Azure", "bob"),
            ("Bank", "me"),
        ]
        .iter()
        .enumerate()
        .map(|(i, (issuer, name))| {
            let token = Token::totp(Secret::from_base32("JBSWY3DPEHPK3PXP").unwrap());
            Account::from_entry(Entry::new(*issuer, *name, token), format!("id{i}"), now)
        })
        .collect()
    }

    #[test]
    fn keys_filter_move_choose_and_quit() {
        let accounts = accounts();
        let mut s = State::new(&accounts, "");
        assert_eq!(s.shown(), [0, 1, 2]);
        assert_eq!(press(&mut s, Key::Down), None);
        assert_eq!(press(&mut s, Key::Enter), Some(Outcome::Chosen(1)));
        // Moving past either end stays there.
        press(&mut s, Key::End);
        press(&mut s, Key::Down);
        assert_eq!(s.selected(), Some(2));
        press(&mut s, Key::Home);
        press(&mut s, Key::Up);
        assert_eq!(s.selected(), Some(0));
        // Typing filters (label identity: any case) and selects the first.
        for c in "AZU".chars() {
            assert_eq!(press(&mut s, Key::Char(c)), None);
        }
        assert_eq!(s.shown(), [1]);
        // q is a letter once something is typed.
        assert_eq!(press(&mut s, Key::Char('q')), None);
        assert_eq!(s.shown(), [] as [usize; 0]);
        assert_eq!(press(&mut s, Key::Enter), None, "nothing to choose");
        press(&mut s, Key::Backspace);
        assert_eq!(s.shown(), [1]);
        press(&mut s, Key::ClearLine);
        assert_eq!(s.filter(), "");
        assert_eq!(press(&mut s, Key::Char('q')), Some(Outcome::Quit));
        assert_eq!(press(&mut s, Key::Esc), Some(Outcome::Quit));
        assert_eq!(press(&mut s, Key::Interrupt), Some(Outcome::Quit));
        // An exact match comes first; the id selects too.
        let s = State::new(&accounts, "bank");
        assert_eq!(s.shown(), [2]);
        let s = State::new(&accounts, "id1");
        assert_eq!(s.shown(), [1]);
    }
}
