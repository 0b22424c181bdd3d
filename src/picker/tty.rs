//! The picker's terminal: `/dev/tty` in raw mode on the alternate screen,
//! always put back as it was, and given up on at once when it hangs up.
//!
//! Why otp reads keys itself: crossterm's event reader loops forever
//! when a read of the terminal returns 0 bytes or an error (EIO), which is
//! what a terminal that hung up (closed SSH connection, killed tmux) does;
//! a process stuck there burns CPU and never sees SIGTERM. Here every way
//! the terminal can go away ends the picker: poll reporting HUP or ERR, a
//! read of 0 bytes or an error, a write error, and SIGHUP. SIGTERM, SIGINT
//! and SIGQUIT end it too, after the terminal is restored.

use std::fs::File;
use std::io::{self, Read, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use rustix::event::{PollFd, PollFlags, poll};
use rustix::termios::{OptionalActions, Termios, tcgetattr, tcgetwinsize, tcsetattr};

/// Enter the alternate screen, hide the cursor.
const ENTER: &[u8] = b"\x1b[?1049h\x1b[?25l";
/// Clear the screen, cursor to the top left.
pub const CLEAR: &[u8] = b"\x1b[H\x1b[2J";
/// Show the cursor, leave the alternate screen.
const LEAVE: &[u8] = b"\x1b[?25h\x1b[?1049l";

/// What to put back: the terminal and its settings before raw mode. Global
/// so that the panic hook can restore it before the panic is reported.
static SAVED: Mutex<Option<(File, Termios)>> = Mutex::new(None);

/// The last terminating signal that arrived while the picker ran (0: none).
static SIGNAL: AtomicUsize = AtomicUsize::new(0);
/// Once set, a terminating signal does what it does by default (ends
/// otp): after the picker, while a code is copied.
static DEFAULT: AtomicBool = AtomicBool::new(false);

/// The signals that end the picker.
pub const ENDING: [i32; 4] = [
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGHUP,
    signal_hook::consts::SIGINT,
    signal_hook::consts::SIGQUIT,
];

/// The terminal gone: hung up, or unreadable, or unwritable.
pub fn hung_up() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "the terminal hung up")
}

/// The controlling terminal in raw mode, on the alternate screen, until dropped.
pub struct Tty {
    file: File,
}

impl Tty {
    /// Opens `/dev/tty` (so stdout may be a pipe: `code=$(otp pick --print)`).
    pub fn open() -> io::Result<Tty> {
        let file = File::options().read(true).write(true).open("/dev/tty")?;
        let saved = tcgetattr(&file)?;
        watch_signals()?;
        let mut raw = saved.clone();
        raw.make_raw();
        *SAVED.lock().unwrap_or_else(|e| e.into_inner()) = Some((file.try_clone()?, saved));
        install_panic_hook();
        let mut tty = Tty { file };
        tcsetattr(&tty.file, OptionalActions::Now, &raw)?;
        tty.file.write_all(ENTER)?;
        Ok(tty)
    }

    /// A second handle for the drawing backend.
    pub fn writer(&self) -> io::Result<File> {
        self.file.try_clone()
    }

    /// The terminal's size in columns and rows.
    pub fn size(&self) -> io::Result<(u16, u16)> {
        let size = tcgetwinsize(&self.file)?;
        Ok((size.ws_col, size.ws_row))
    }

    /// Waits up to `timeout` for input and reads what is there (empty: the
    /// time ran out or a signal came). A hang-up is an error.
    pub fn read(&self, timeout: Duration) -> io::Result<Vec<u8>> {
        let mut fds = [PollFd::new(&self.file, PollFlags::IN)];
        let timeout = rustix::event::Timespec {
            tv_sec: timeout.as_secs() as i64,
            tv_nsec: timeout.subsec_nanos() as i64,
        };
        match poll(&mut fds, Some(&timeout)) {
            Ok(0) => return Ok(Vec::new()),
            Ok(_) => {}
            Err(rustix::io::Errno::INTR) => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        }
        let revents = fds[0].revents();
        if revents.intersects(PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL) {
            return Err(hung_up());
        }
        let mut buf = [0u8; 1024];
        match (&self.file).read(&mut buf) {
            Ok(0) => Err(hung_up()),
            Ok(n) => Ok(buf[..n].to_vec()),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(Vec::new()),
            Err(_) => Err(hung_up()),
        }
    }
}

impl Drop for Tty {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the terminal back (once): the screen, the cursor, the settings.
/// Errors are ignored: a terminal that hung up has nothing to restore.
pub fn restore() {
    let saved = SAVED.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some((mut file, termios)) = saved {
        let _ = file.write_all(LEAVE);
        let _ = tcsetattr(&file, OptionalActions::Now, &termios);
    }
}

/// The terminating signal that came while the picker ran, if any.
pub fn signal() -> Option<i32> {
    match SIGNAL.load(Ordering::SeqCst) {
        0 => None,
        s => Some(s as i32),
    }
}

/// From now on a terminating signal ends otp as it would by default.
pub fn default_signals() {
    DEFAULT.store(true, Ordering::SeqCst);
}

/// Ends otp as `signal` would have by default (the picker has restored the
/// terminal first); exit 128 + signal if that returns.
pub fn die_of(signal: i32) -> ! {
    default_signals();
    let _ = signal_hook::low_level::emulate_default_handler(signal);
    std::process::exit(128 + signal)
}

/// Catches the ending signals (once per process): they set [`SIGNAL`],
/// or, after [`default_signals`], end otp at once.
fn watch_signals() -> io::Result<()> {
    static DONE: AtomicBool = AtomicBool::new(false);
    if DONE.swap(true, Ordering::SeqCst) {
        return Ok(());
    }
    for signal in ENDING {
        signal_hook::flag::register_conditional_default(signal, &DEFAULT)?;
        signal_hook::flag::register_usize(signal, &SIGNAL, signal as usize)?;
    }
    Ok(())
}

/// A panic while the picker runs: the terminal is restored before the
/// panic is reported, so the report is readable and the shell usable.
fn install_panic_hook() {
    static DONE: AtomicBool = AtomicBool::new(false);
    if DONE.swap(true, Ordering::SeqCst) {
        return;
    }
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}
