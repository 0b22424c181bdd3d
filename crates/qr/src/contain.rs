//! Panic containment for third-party code fed untrusted input (rqrr, the
//! image decoders; otp also guards its X11 connection with it): a panic in it becomes "could not read this", never a
//! crash, and never the default `thread 'main' panicked at …` message on
//! the user's terminal (which could also carry bytes of the input).
//!
//! The quiet hook is installed once and stays in place; it forwards every
//! panic to the previous hook except those raised on a thread that is
//! inside [`contained`] at that moment. So it is in effect only around the
//! contained call, and only on its own thread: a panic elsewhere (another
//! thread, or after the call returns) is reported as before.

use std::cell::Cell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Once;

thread_local! {
    /// How many [`contained`] calls this thread is inside.
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

static QUIET_HOOK: Once = Once::new();

/// Runs `f`; a panic inside it gives None and prints nothing.
pub fn contained<T>(f: impl FnOnce() -> T) -> Option<T> {
    QUIET_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if DEPTH.with(Cell::get) == 0 {
                previous(info);
            }
        }));
    });
    DEPTH.with(|d| d.set(d.get() + 1));
    let result = catch_unwind(AssertUnwindSafe(f));
    DEPTH.with(|d| d.set(d.get() - 1));
    result.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_none() {
        assert_eq!(contained(|| 7), Some(7));
        assert_eq!(contained(|| -> u8 { panic!("contained") }), None);
        // Nested, and usable again after a panic.
        assert_eq!(
            contained(|| contained(|| -> u8 { panic!("inner") })),
            Some(None)
        );
        assert_eq!(contained(|| "again"), Some("again"));
    }

    const CHILD: &str = "OTP_CONTAIN_TEST_CHILD";

    /// Run by `a_contained_panic_prints_nothing` in a child process (with
    /// output not captured); does nothing otherwise.
    #[test]
    fn child_panics() {
        if std::env::var_os(CHILD).is_none() {
            return;
        }
        assert_eq!(contained(|| -> u8 { panic!("quiet-boom") }), None);
        // Outside `contained`, on another thread: still reported.
        let loud = std::thread::spawn(|| panic!("loud-boom")).join();
        assert!(loud.is_err());
        eprintln!("child-done");
    }

    #[test]
    fn a_contained_panic_prints_nothing() {
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "contain::tests::child_panics", "--nocapture"])
            .args(["--test-threads", "1"])
            .env(CHILD, "1")
            .output()
            .expect("run the test binary");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(stderr.contains("child-done"), "{stderr}");
        assert!(!stderr.contains("quiet-boom"), "{stderr}");
        assert!(stderr.contains("loud-boom"), "{stderr}");
    }
}
