//! The loom backend (`--cfg loom`): every lock, spawn and yield is a scheduling point that
//! loom's model checker branches on.
//!
//! Facts about loom that the rest of the crate relies on, measured here:
//! - at most 5 threads per execution, the model's main thread included; a 6th spawn aborts the
//!   process ([`SPAWN_LIMIT`]);
//! - unlocking is not a scheduling point: a critical section with no other synchronization
//!   inside is atomic under loom, so [`Mutex::try_lock`] never finds such a lock taken
//!   (docs/model.md, "What loom does not explore");
//! - `SeqCst` is treated as `AcqRel`.

/// Threads this backend can spawn besides the calling one: loom runs at most 5 threads per
/// execution, the model's main thread included.
pub const SPAWN_LIMIT: Option<usize> = Some(4);

/// Why [`SPAWN_LIMIT`] is what it is.
pub const SPAWN_LIMIT_REASON: &str =
    "loom runs at most 5 threads: the Planner on the main thread and 4 Enactors";

/// A mutual-exclusion lock whose guard gives `&mut T`.
#[derive(Debug, Default)]
pub struct Mutex<T> {
    inner: ::loom::sync::Mutex<T>,
}

/// The guard of a locked [`Mutex`]; the lock is released when it is dropped.
pub type MutexGuard<'a, T> = ::loom::sync::MutexGuard<'a, T>;

impl<T> Mutex<T> {
    /// Creates an unlocked mutex holding `value`.
    pub fn new(value: T) -> Self {
        Self {
            inner: ::loom::sync::Mutex::new(value),
        }
    }

    /// Blocks until the lock is free, then takes it.
    #[track_caller]
    pub fn lock(&self) -> MutexGuard<'_, T> {
        // A poisoned loom mutex means another modelled thread panicked; loom reports that
        // panic itself, so there is nothing to recover here.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Takes the lock if it is free; `None` when another thread holds it.
    #[track_caller]
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        match self.inner.try_lock() {
            Ok(guard) => Some(guard),
            Err(std::sync::TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => None,
        }
    }
}

/// Thread spawn, join and yield on loom's scheduler.
pub mod thread {
    pub use ::loom::thread::{JoinHandle, spawn, yield_now};
}

/// Runs `execution` once per interleaving loom explores, within `bound` preemptions when given
/// (`None`: every interleaving).
pub(crate) fn explore_every_interleaving(
    bound: Option<usize>,
    execution: impl Fn() + Sync + Send + 'static,
) {
    let mut builder = ::loom::model::Builder::new();
    builder.preemption_bound = bound;
    builder.check(execution);
}
