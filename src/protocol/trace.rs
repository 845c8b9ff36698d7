//! The event log of one execution.
//!
//! Every step that touches shared state appends one [`Step`] while it still holds the lock
//! that protects that state, so the log's order is an order in which the steps really took
//! effect. The log itself sits behind a `std::sync::Mutex`, deliberately outside the facade:
//! it is instrumentation, not protocol, and must not add scheduling points for loom to explore.

use std::time::Instant;

use crate::protocol::event::{Actor, Event, Step};

/// The event log of one execution.
///
/// A disabled trace records nothing, for throughput runs that only want the protocol; a timed
/// one also records when each step happened, for runs on real threads; a forwarding one hands
/// every step to someone else's log (a checker's) instead of keeping it.
#[derive(Default)]
pub struct Trace {
    enabled: bool,
    timed: bool,
    forward: Option<Forward>,
    log: std::sync::Mutex<Log>,
}

/// Where a forwarding trace sends each step.
type Forward = Box<dyn Fn(Step) + Send + Sync>;

impl std::fmt::Debug for Trace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Trace")
            .field("enabled", &self.enabled)
            .field("timed", &self.timed)
            .field("forwarding", &self.forward.is_some())
            .field("log", &self.log)
            .finish()
    }
}

#[derive(Debug, Default)]
struct Log {
    steps: Vec<Step>,
    times: Vec<Instant>,
}

impl Trace {
    /// A trace that records every step.
    pub fn recording() -> Self {
        Self {
            enabled: true,
            ..Self::default()
        }
    }

    /// A trace that records every step and the moment it was recorded.
    pub fn timed() -> Self {
        Self {
            enabled: true,
            timed: true,
            ..Self::default()
        }
    }

    /// A trace that records nothing.
    pub fn disabled() -> Self {
        Self::default()
    }

    /// A trace that hands every step to `forward` as it is recorded and keeps none itself
    /// ([`Trace::steps`] stays empty): a checker's log sees each step the moment it happens,
    /// so it still holds them if the execution panics.
    pub fn forwarding(forward: impl Fn(Step) + Send + Sync + 'static) -> Self {
        Self {
            enabled: true,
            forward: Some(Box::new(forward)),
            ..Self::default()
        }
    }

    /// Appends a step. Call it while holding the lock of the state the step changed.
    pub fn record(&self, actor: Actor, event: Event) {
        if let Some(forward) = &self.forward {
            forward(Step { actor, event });
        } else if self.enabled {
            let mut log = self.log();
            log.steps.push(Step { actor, event });
            if self.timed {
                log.times.push(Instant::now());
            }
        }
    }

    /// A copy of the steps recorded so far.
    pub fn steps(&self) -> Vec<Step> {
        self.log().steps.clone()
    }

    /// When each step was recorded, for a timed trace (empty otherwise).
    pub fn times(&self) -> Vec<Instant> {
        self.log().times.clone()
    }

    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        // A panic while pushing leaves complete Vecs behind, so a poisoned log is still valid.
        self.log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::plan::Generation;

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
