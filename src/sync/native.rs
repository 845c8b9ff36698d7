//! The default backend: parking_lot's mutex and the operating system's threads.

/// Threads this backend can spawn besides the calling one: as many as the OS allows.
pub const SPAWN_LIMIT: Option<usize> = None;

/// Why [`SPAWN_LIMIT`] is what it is.
pub const SPAWN_LIMIT_REASON: &str = "real threads";

/// A mutual-exclusion lock whose guard gives `&mut T`.
#[derive(Debug, Default)]
pub struct Mutex<T> {
    inner: parking_lot::Mutex<T>,
}

/// The guard of a locked [`Mutex`]; the lock is released when it is dropped.
pub type MutexGuard<'a, T> = parking_lot::MutexGuard<'a, T>;

impl<T> Mutex<T> {
    /// Creates an unlocked mutex holding `value`.
    pub fn new(value: T) -> Self {
        Self {
            inner: parking_lot::Mutex::new(value),
        }
    }

    /// Blocks until the lock is free, then takes it.
    #[track_caller]
    pub fn lock(&self) -> MutexGuard<'_, T> {
        self.inner.lock()
    }

    /// Takes the lock if it is free; `None` when another thread holds it. A thread can be
    /// preempted anywhere inside a critical section, unlock included, so another thread's
    /// `try_lock` can find the lock taken after the holder's last read.
    #[track_caller]
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        self.inner.try_lock()
    }
}

/// Thread spawn, join and yield on the operating system's scheduler.
pub mod thread {
    pub use std::thread::{JoinHandle, spawn, yield_now};
}

/// Atomic integers and flags of the standard library, for lock-free designs.
pub mod atomic {
    pub use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
}
