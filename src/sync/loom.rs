//! The loom backend (`--cfg loom`): every lock, spawn and yield is a scheduling point that
//! loom's model checker branches on.
//!
//! Facts about loom that the rest of the crate relies on, measured here:
//! - at most 5 threads per execution, the model's main thread included; a 6th spawn aborts the
//!   process ([`SPAWN_LIMIT`]);
//! - unlocking is not a scheduling point: a critical section with no other synchronization
//!   inside is atomic under loom, so [`Mutex::try_lock`] never finds such a lock taken
//!   (docs/loom-blind-spot.md);
//! - `SeqCst` is treated as `AcqRel`.

/// Threads this backend can spawn besides the calling one: loom runs at most 5 threads per
/// execution, the model's main thread included.
pub const SPAWN_LIMIT: Option<usize> = Some(4);

/// Why [`SPAWN_LIMIT`] is what it is.
pub const SPAWN_LIMIT_REASON: &str =
    "loom runs at most 5 threads: the Planner on the main thread and 4 Enactors";

poison_free_mutex!(loom);

/// Where a thread waits for a lock: loom tracks that itself (its deadlock message names each
/// blocked thread's caller, since the facade's lock calls are `#[track_caller]`), so nothing is
/// kept here.
mod waiting {
    pub(super) fn enter(_at: &'static std::panic::Location<'static>) {}
    pub(super) fn leave() {}
}

/// Thread spawn, join and yield on loom's scheduler.
pub mod thread {
    pub use ::loom::thread::{JoinHandle, spawn, yield_now};
}

/// loom's atomics: every load, store and read-modify-write is a scheduling point, and loom
/// explores the values a load may see under the orderings given (`SeqCst` treated as
/// `AcqRel`).
pub mod atomic {
    pub use ::loom::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
}
