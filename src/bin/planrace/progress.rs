//! Progress on stderr for commands that run long.

use std::cell::Cell;
use std::io::Write as _;
use std::time::{Duration, Instant};

/// Prints progress to stderr at most four times a second, once a run has lasted a second.
pub struct Progress {
    started: Instant,
    last: Cell<Instant>,
    /// Whether a progress line is on screen, waiting for its newline.
    shown: Cell<bool>,
}

impl Progress {
    pub fn new() -> Self {
        let now = Instant::now();
        Self {
            started: now,
            last: Cell::new(now),
            shown: Cell::new(false),
        }
    }

    pub fn show(&self, text: impl FnOnce() -> String) {
        let now = Instant::now();
        if now.duration_since(self.started) >= Duration::from_secs(1)
            && now.duration_since(self.last.get()) >= Duration::from_millis(250)
        {
            self.last.set(now);
            self.shown.set(true);
            let _ = write!(std::io::stderr(), "\r{}    ", text());
        }
    }

    /// Ends the progress line on screen, if there is one, before other output.
    pub fn finish(&self) {
        if self.shown.replace(false) {
            let _ = writeln!(std::io::stderr());
        }
    }
}
