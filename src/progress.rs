//! Progress on stderr for long work (issue 15): one line, rewritten in place, shown only when
//! stderr is a terminal, and never with `--quiet` or `KRAFTCHECK_DEBUG` (whose own lines would
//! interleave with it). A pipe, a file or CI sees nothing.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

static QUIET: AtomicBool = AtomicBool::new(false);
/// Whether a progress line is on the screen (to be cleared before anything else is printed).
static SHOWN: AtomicBool = AtomicBool::new(false);

/// `--quiet`: no progress at all.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Whether progress is shown.
pub fn enabled() -> bool {
    static TTY: OnceLock<bool> = OnceLock::new();
    !QUIET.load(Ordering::Relaxed)
        && !crate::debug::enabled()
        && *TTY.get_or_init(|| std::io::stderr().is_terminal())
}

/// Show `msg` as the progress line (replacing the previous one).
pub fn show(msg: impl FnOnce() -> String) {
    if !enabled() {
        return;
    }
    let mut e = std::io::stderr().lock();
    let _ = write!(e, "\r\x1b[2Kkraftcheck: {}…", msg());
    let _ = e.flush();
    SHOWN.store(true, Ordering::Relaxed);
}

/// Remove the progress line, if one is shown (before a message, and when the work is done).
pub fn clear() {
    if SHOWN.swap(false, Ordering::Relaxed) {
        let mut e = std::io::stderr().lock();
        let _ = write!(e, "\r\x1b[2K");
        let _ = e.flush();
    }
}
