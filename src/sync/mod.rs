//! The synchronization facade: the only module that knows which backend is in use.
//!
//! Protocol code uses [`Mutex`] and [`thread`] from here and never names loom, shuttle or
//! parking_lot; a lock-free design uses [`atomic`] (`AtomicBool`, `AtomicUsize`, `AtomicU64`,
//! `Ordering`) the same way.
//! Each backend is one file of primitives, and every fact about a backend (its thread limit,
//! what it makes a scheduling point) lives in that file; the drivers that run a checker
//! (loom's settings and exploration, shuttle's recording scheduler) are the harness's
//! (`check/harness/loom.rs`, `check/harness/shuttle.rs`):
//!
//! | build | file | backend |
//! |---|---|---|
//! | `--cfg loom` | `sync/loom.rs` | `loom::sync` and `loom::thread`: every lock, spawn and yield is a scheduling point that loom explores |
//! | `--cfg shuttle` | `sync/shuttle.rs` | `shuttle::sync` and `shuttle::thread`: the same points, chosen by a random or PCT scheduler, each schedule replayable from a string |
//! | default | `sync/native.rs` | parking_lot and `std::thread`, at full speed |
//!
//! Both backends present one API: [`Mutex::lock`] returns a guard directly (no poisoning to
//! unwrap at call sites) and [`Mutex::try_lock`] returns `None` when another thread holds the
//! lock, which is how an Enactor notices that an endpoint's transaction lock is taken.
//!
//! There is deliberately no `Arc` here: handles to the shared state are `std::sync::Arc`,
//! because reference counting is not part of the protocol and loom's `Arc` would add a
//! scheduling point at every clone and drop (measured: 6.5 million executions of `Buggy`
//! `2E1P4G2K` with it, 437,470 without).

/// Defines the facade's `Mutex` and `MutexGuard` over the mutex of the checker crate `$krate`,
/// whose API is std's (`lock` gives a `LockResult`, `try_lock` a `TryLockResult`). Poisoning
/// is ignored: a poisoned lock means another modelled thread panicked, and the checker reports
/// that panic itself.
#[cfg(any(loom, shuttle))]
macro_rules! poison_free_mutex {
    ($krate:ident) => {
        /// A mutual-exclusion lock whose guard gives `&mut T`.
        #[derive(Debug, Default)]
        pub struct Mutex<T> {
            inner: ::$krate::sync::Mutex<T>,
        }

        /// The guard of a locked [`Mutex`]; the lock is released when it is dropped.
        pub type MutexGuard<'a, T> = ::$krate::sync::MutexGuard<'a, T>;

        impl<T> Mutex<T> {
            /// Creates an unlocked mutex holding `value`.
            pub fn new(value: T) -> Self {
                Self {
                    inner: ::$krate::sync::Mutex::new(value),
                }
            }

            /// Blocks until the lock is free, then takes it.
            #[track_caller]
            pub fn lock(&self) -> MutexGuard<'_, T> {
                waiting::enter(std::panic::Location::caller());
                let guard = self
                    .inner
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                waiting::leave();
                guard
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
    };
}

#[cfg(all(loom, shuttle))]
compile_error!("--cfg loom and --cfg shuttle each choose the backend: set only one");

#[cfg(loom)]
mod loom;
#[cfg(not(any(loom, shuttle)))]
mod native;
#[cfg(all(shuttle, not(loom)))]
mod shuttle;

#[cfg(loom)]
pub use self::loom::{Mutex, MutexGuard, SPAWN_LIMIT, SPAWN_LIMIT_REASON, atomic, thread};
#[cfg(not(any(loom, shuttle)))]
pub use self::native::{Mutex, MutexGuard, SPAWN_LIMIT, SPAWN_LIMIT_REASON, atomic, thread};
#[cfg(all(shuttle, not(loom)))]
pub(crate) use self::shuttle::waiting;

/// A documentation build (`--cfg planrace_docs`, as on docs.rs) compiles the loom and shuttle
/// drivers against the default backend, which records no waits; nothing runs in it.
#[cfg(all(planrace_docs, not(any(loom, shuttle))))]
pub(crate) mod waiting {
    pub(crate) fn at(_task: usize) -> Option<&'static std::panic::Location<'static>> {
        None
    }

    pub(crate) fn forget_all() {}
}
#[cfg(all(shuttle, not(loom)))]
pub use self::shuttle::{Mutex, MutexGuard, SPAWN_LIMIT, SPAWN_LIMIT_REASON, atomic, thread};
