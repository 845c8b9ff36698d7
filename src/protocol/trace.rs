//! The event log of one execution.
//!
//! Every step that touches shared state appends one [`Step`] while it still holds the lock
//! that protects that state, so the log's order is an order in which the steps really took
//! effect. The log itself sits behind a `std::sync::Mutex`, deliberately outside the facade:
//! it is instrumentation, not protocol, and must not add scheduling points for loom to explore.
//!
//! A failed try-lock holds no lock to log under, so [`Trace::record_refusal`] makes the try
//! and its record one step instead: the log's own lock is held across the try (on real
//! threads). Its `LockBusy` is then logged at the moment the lock was found taken, which
//! keeps trace validation exact (docs/checkers.md, "The logging discipline").

use crate::protocol::event::{Actor, Event, Step};

/// The event log of one execution.
///
/// A disabled trace records nothing, for throughput runs that only want the protocol; a
/// recording one keeps every step; a forwarding one hands every step, as it happens, to
/// someone else (a checker's log, or a real-thread run's online observer) and keeps none.
#[derive(Default)]
pub struct Trace {
    mode: Mode,
}

#[derive(Default)]
enum Mode {
    #[default]
    Disabled,
    Recording(std::sync::Mutex<Vec<Step>>),
    Forwarding {
        /// Held while a step is forwarded: the order of the log.
        order: std::sync::Mutex<()>,
        forward: Box<dyn Fn(Step) + Send + Sync>,
    },
}

impl std::fmt::Debug for Trace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mode = match &self.mode {
            Mode::Disabled => "disabled",
            Mode::Recording(_) => "recording",
            Mode::Forwarding { .. } => "forwarding",
        };
        f.debug_struct("Trace").field("mode", &mode).finish()
    }
}

impl Trace {
    /// A trace that records every step.
    pub fn recording() -> Self {
        Self {
            mode: Mode::Recording(std::sync::Mutex::default()),
        }
    }

    /// A trace that records nothing.
    pub fn disabled() -> Self {
        Self::default()
    }

    /// A trace that hands every step to `forward` as it is recorded and keeps none itself
    /// ([`Trace::steps`] stays empty). `forward` runs while the step's lock is still held, so
    /// it sees the steps in the order they took effect; it should be quick.
    pub fn forwarding(forward: impl Fn(Step) + Send + Sync + 'static) -> Self {
        Self {
            mode: Mode::Forwarding {
                order: std::sync::Mutex::default(),
                forward: Box::new(forward),
            },
        }
    }

    /// Appends a step. Call it while holding the lock of the state the step changed.
    pub fn record(&self, actor: Actor, event: Event) {
        match &self.mode {
            Mode::Disabled => {}
            Mode::Recording(steps) => lock(steps).push(Step { actor, event }),
            Mode::Forwarding { order, forward } => {
                let _order = lock(order);
                forward(Step { actor, event });
            }
        }
    }

    /// Runs `attempt` (a try-lock, which never waits) and, if it fails, records the event it
    /// fails with, as one step: no other step is logged between the attempt and its record.
    /// Returns what the attempt took, or `None` when it failed.
    ///
    /// Under loom and shuttle the attempt runs first and is recorded after it, with nothing
    /// in between that the checker could schedule another thread at (the log's lock is not
    /// the checker's), so the two are one step there too. Holding the log's `std` lock
    /// across a checker's try-lock would be wrong: the checker may switch threads at it, and
    /// every simulated thread runs on the same OS thread.
    pub fn record_refusal<T>(
        &self,
        actor: Actor,
        attempt: impl FnOnce() -> Result<T, Event>,
    ) -> Option<T> {
        let step = |event| Step { actor, event };
        match &self.mode {
            _ if cfg!(any(loom, shuttle)) => {
                attempt().map_err(|event| self.record(actor, event)).ok()
            }
            Mode::Disabled => attempt().ok(),
            Mode::Recording(steps) => {
                let mut log = lock(steps);
                attempt().map_err(|event| log.push(step(event))).ok()
            }
            Mode::Forwarding { order, forward } => {
                let _order = lock(order);
                attempt().map_err(|event| forward(step(event))).ok()
            }
        }
    }

    /// A copy of the steps recorded so far (none unless the trace is recording).
    pub fn steps(&self) -> Vec<Step> {
        match &self.mode {
            Mode::Recording(steps) => lock(steps).clone(),
            Mode::Disabled | Mode::Forwarding { .. } => Vec::new(),
        }
    }
}

fn lock<T>(log: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while pushing leaves a complete Vec behind, so a poisoned log is still valid.
    log.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::plan::Generation;

    /// `{:?}` says which kind of trace it is (a forwarding one holds a closure, which has no
    /// `Debug` of its own).
    #[test]
    fn a_trace_prints_its_mode() {
        assert_eq!(
            format!("{:?}", Trace::disabled()),
            "Trace { mode: \"disabled\" }"
        );
        assert_eq!(
            format!("{:?}", Trace::recording()),
            "Trace { mode: \"recording\" }"
        );
        let forwarding = Trace::forwarding(|_| {});
        assert_eq!(format!("{forwarding:?}"), "Trace { mode: \"forwarding\" }");
    }

    #[test]
    fn disabled_trace_records_nothing() {
        let trace = Trace::disabled();
        trace.record(
            Actor::Planner,
            Event::Published {
                generation: Generation(1),
            },
        );
        assert!(trace.steps().is_empty());
    }
}
