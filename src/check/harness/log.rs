//! The log an execution's threads append their steps to.

use std::sync::{Mutex as StdMutex, PoisonError};

/// An execution's log, shared by its threads.
///
/// It sits behind a `std::sync::Mutex`, outside the facade on purpose: instrumentation must not
/// add scheduling points for loom to explore. Append a step while still holding the protocol
/// lock that protects what the step changed, and the log's order is an order in which the steps
/// really took effect.
#[derive(Debug)]
pub struct Log<S> {
    steps: StdMutex<Vec<S>>,
}

impl<S> Default for Log<S> {
    fn default() -> Self {
        Self {
            steps: StdMutex::new(Vec::new()),
        }
    }
}

impl<S: Clone> Log<S> {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a step.
    pub fn record(&self, step: S) {
        self.lock().push(step);
    }

    /// A copy of the steps recorded so far.
    pub fn steps(&self) -> Vec<S> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<S>> {
        // A panic while pushing leaves a complete Vec behind, so a poisoned log is still valid.
        self.steps.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
