//! The log an execution's threads append their steps to.

use std::sync::{Arc, Mutex as StdMutex, PoisonError};

/// An execution's log, shared by its threads: the harness creates one per execution and passes
/// it to [`Model::execute`](crate::harness::Model::execute); cloning it gives another handle to
/// the same log, for the execution's threads. Because the harness keeps a handle too, it can
/// show what an execution had logged when it panicked or deadlocked.
///
/// It sits behind a `std::sync::Mutex`, outside the facade on purpose: instrumentation must not
/// add scheduling points for loom to explore. Append a step while still holding the protocol
/// lock that protects what the step changed (or, lock-free, right after the atomic operation
/// that made it take effect: see docs/checking-your-own-updater.md), and the log's order is an
/// order in which the steps really took effect.
#[derive(Debug)]
pub struct Log<S> {
    steps: Arc<StdMutex<Vec<S>>>,
}

impl<S> Default for Log<S> {
    fn default() -> Self {
        Self {
            steps: Arc::default(),
        }
    }
}

impl<S> Clone for Log<S> {
    fn clone(&self) -> Self {
        Self {
            steps: Arc::clone(&self.steps),
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

    /// The steps recorded so far, leaving the log empty.
    pub fn take(&self) -> Vec<S> {
        std::mem::take(&mut *self.lock())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<S>> {
        // A panic while pushing leaves a complete Vec behind, so a poisoned log is still valid.
        self.steps.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
