//! Panics a driver reports itself are not also printed by the panic hook. While a driver runs
//! a model, the hook stays quiet for the driver's own thread: loom and shuttle run every
//! modelled thread on it, and the driver catches each of their panics and returns it as an
//! error (or, for a deadlock, as a result), printed once by whoever shows it. Panics on any
//! other thread go to the hook that was installed before, which is back in place once no
//! driver runs.
//!
//! The hook is process-wide and tests run drivers on several threads at once, so the quiet
//! threads are kept in one list: the first driver to start installs the dispatching hook, the
//! last to return puts the previous hook back.

use std::panic::{self, AssertUnwindSafe, PanicHookInfo};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::ThreadId;

type Hook = Box<dyn Fn(&PanicHookInfo<'_>) + Sync + Send + 'static>;

/// The hook that was in place before the first driver started, and the drivers' threads.
struct Quiet {
    previous: Arc<Hook>,
    threads: Vec<ThreadId>,
}

static QUIET: Mutex<Option<Quiet>> = Mutex::new(None);

fn state() -> MutexGuard<'static, Option<Quiet>> {
    QUIET.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `run` with the panic hook quiet for this thread; the previous hook is back in place
/// when the last running driver returns (also when `run` unwinds).
pub(crate) fn quietly<R>(run: impl FnOnce() -> R) -> R {
    let me = std::thread::current().id();
    {
        let mut quiet = state();
        match quiet.as_mut() {
            Some(quiet) => quiet.threads.push(me),
            None => {
                #[cfg(any(shuttle, planrace_docs))]
                without_shuttles_hook();
                let previous: Arc<Hook> = Arc::new(panic::take_hook());
                let forward = Arc::clone(&previous);
                panic::set_hook(Box::new(move |info| {
                    let here = std::thread::current().id();
                    // Never wait here: a driver starting or returning holds the list while it
                    // swaps the hook, which waits for this panic's hook call to end.
                    let silent = QUIET.try_lock().is_ok_and(|quiet| {
                        quiet
                            .as_ref()
                            .is_some_and(|quiet| quiet.threads.contains(&here))
                    });
                    if !silent {
                        forward(info);
                    }
                }));
                *quiet = Some(Quiet {
                    previous,
                    threads: vec![me],
                });
            }
        }
    }
    let result = panic::catch_unwind(AssertUnwindSafe(run));
    {
        let mut quiet = state();
        if let Some(running) = quiet.as_mut()
            && let Some(index) = running.threads.iter().position(|t| *t == me)
        {
            running.threads.swap_remove(index);
        }
        if quiet
            .as_ref()
            .is_some_and(|running| running.threads.is_empty())
            && let Some(Quiet { previous, .. }) = quiet.take()
        {
            // Ours holds the other reference to the previous hook: dropping it gets it back.
            drop(panic::take_hook());
            let previous: Hook = Arc::try_unwrap(previous)
                .unwrap_or_else(|shared| Box::new(move |info: &PanicHookInfo<'_>| shared(info)));
            panic::set_hook(previous);
        }
    }
    result.unwrap_or_else(|payload| panic::resume_unwind(payload))
}

/// shuttle installs a panic hook of its own the first time it runs in a process, around
/// whatever hook is current then, and never removes it: from then on every panic anywhere
/// prints "Task failed, serializing schedule" and a schedule unrelated to it. Run that first
/// time now, on a trivial execution, and drop shuttle's hook, so that the hook around the
/// sample is the caller's.
#[cfg(any(shuttle, planrace_docs))]
fn without_shuttles_hook() {
    let previous = panic::take_hook();
    ::shuttle::check_random(|| {}, 1);
    drop(panic::take_hook());
    panic::set_hook(previous);
}
