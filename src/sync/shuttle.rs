//! The shuttle backend (`--cfg shuttle`): every lock, spawn and yield is a scheduling point,
//! and a scheduler (random or PCT) picks one interleaving per iteration. Every iteration's
//! choices are recorded, so an interleaving that broke a property replays from a string.
//!
//! Facts about shuttle that the rest of the crate relies on, measured here (shuttle 0.9):
//! - threads are tasks on one OS thread, with no limit on their number ([`SPAWN_LIMIT`]);
//! - unlike loom, unlocking is a scheduling point: another task can run between a holder's
//!   last read and its unlock, so `try_lock` does find locks taken on one endpoint;
//! - the random scheduler and PCT sample schedules; neither shows that a property holds.
//!   shuttle's DFS scheduler has no partial-order reduction (`Fixed` `2E1P4G2K` was unfinished
//!   after 5 million schedules), so exhaustive checking stays loom's job.

/// Threads this backend can spawn besides the calling one: shuttle has no limit.
pub const SPAWN_LIMIT: Option<usize> = None;

/// Why [`SPAWN_LIMIT`] is what it is.
pub const SPAWN_LIMIT_REASON: &str = "shuttle runs any number of threads, as tasks on one";

poison_free_mutex!(shuttle);

/// Where each task of a shuttle execution waits for a lock, kept for deadlock reports: shuttle
/// names the blocked tasks but not where they block. A task's entry is set while it waits in
/// [`Mutex::lock`] (the caller's line, the call being `#[track_caller]`) and cleared once it
/// holds the lock. Every task of an execution runs on the OS thread that runs the execution,
/// so the table is that thread's: executions on other threads keep their own.
pub(crate) mod waiting {
    use std::cell::RefCell;
    use std::panic::Location;

    std::thread_local! {
        static WAITING: RefCell<Vec<Option<&'static Location<'static>>>> =
            const { RefCell::new(Vec::new()) };
    }

    fn task() -> usize {
        usize::from(::shuttle::current::me())
    }

    pub(crate) fn enter(at: &'static Location<'static>) {
        let task = task();
        WAITING.with_borrow_mut(|waiting| {
            if waiting.len() <= task {
                waiting.resize(task + 1, None);
            }
            waiting[task] = Some(at);
        });
    }

    pub(crate) fn leave() {
        let task = task();
        WAITING.with_borrow_mut(|waiting| {
            if let Some(slot) = waiting.get_mut(task) {
                *slot = None;
            }
        });
    }

    /// Where task number `task` waits, if it is waiting for a lock.
    pub(crate) fn at(task: usize) -> Option<&'static Location<'static>> {
        WAITING.with_borrow(|waiting| waiting.get(task).copied().flatten())
    }

    /// Forgets every entry: a deadlocked execution leaves its waiters behind.
    pub(crate) fn forget_all() {
        WAITING.with_borrow_mut(Vec::clear);
    }
}

/// Thread spawn, join and yield on shuttle's scheduler.
pub mod thread {
    pub use ::shuttle::thread::{JoinHandle, spawn, yield_now};
}

/// shuttle's atomics: every operation is a scheduling point; shuttle runs them sequentially
/// consistent, whatever ordering is given.
pub mod atomic {
    pub use ::shuttle::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
}
