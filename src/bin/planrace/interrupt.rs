//! SIGINT and SIGTERM: the first one asks the runs to stop (the current line is finished and
//! the completed runs summarised); a second one ends the program at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use signal_hook::consts::{SIGINT, SIGTERM};

/// A signal that stopped the program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM.
    Terminate,
}

impl Signal {
    /// The conventional exit status: 128 plus the signal's number.
    pub fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }

    /// The signal's name.
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }
}

/// Which signals have arrived.
#[derive(Debug)]
pub struct Interrupts {
    interrupt: Arc<AtomicBool>,
    terminate: Arc<AtomicBool>,
}

impl Interrupts {
    /// Starts listening for SIGINT and SIGTERM.
    ///
    /// # Errors
    /// When a handler cannot be installed.
    pub fn install() -> std::io::Result<Self> {
        let interrupts = Self {
            interrupt: Arc::default(),
            terminate: Arc::default(),
        };
        for (signal, flag, code) in [
            (SIGINT, &interrupts.interrupt, Signal::Interrupt.exit_code()),
            (
                SIGTERM,
                &interrupts.terminate,
                Signal::Terminate.exit_code(),
            ),
        ] {
            // A second signal of the same kind ends the program without waiting.
            signal_hook::flag::register_conditional_shutdown(
                signal,
                i32::from(code),
                Arc::clone(flag),
            )?;
            signal_hook::flag::register(signal, Arc::clone(flag))?;
        }
        Ok(interrupts)
    }

    /// The first signal that arrived, if any.
    pub fn received(&self) -> Option<Signal> {
        if self.interrupt.load(Ordering::Relaxed) {
            Some(Signal::Interrupt)
        } else if self.terminate.load(Ordering::Relaxed) {
            Some(Signal::Terminate)
        } else {
            None
        }
    }
}
