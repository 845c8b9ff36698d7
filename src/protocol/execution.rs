//! One run of a config: the steady state, then the Planner and the Enactors on their own
//! threads, then the Enactors' next cycle. The same function runs under loom (one explored
//! interleaving per call) and on real threads.

use std::sync::Arc;

use crate::protocol::config::Config;
use crate::protocol::enactor::Enactor;
use crate::protocol::error::StoreError;
use crate::protocol::event::Actor;
use crate::protocol::plan::Generation;
use crate::protocol::planner::Planner;
use crate::protocol::schedule::{FreeRun, Schedule};
use crate::protocol::trace::Trace;
use crate::protocol::variant::Variant;
use crate::protocol::world::{World, steady_state};
use crate::sync::thread;

/// Runs `config` under `variant` once.
///
/// Steps:
/// 1. Setup: generation 1 is published and applied to every endpoint (the steady state).
/// 2. The Planner publishes generations 2..=G on the calling thread while every Enactor runs
///    one cycle (pick the newest plan, check it once, write every endpoint, sweep), each on its
///    own thread.
/// 3. After all threads have joined, Enactor A runs its next cycle on the calling thread:
///    that is when a system left inconsistent shows that it is stuck.
///
/// Every step is appended to `trace`; `schedule` may hold steps back to force an interleaving.
///
/// # Errors
/// A [`StoreError`] if the Planner's generations were not increasing, which would be a bug in
/// the Planner rather than a property of the protocol.
pub fn execute(
    variant: Variant,
    config: &Config,
    schedule: Arc<dyn Schedule>,
    trace: Arc<Trace>,
) -> Result<(), StoreError> {
    // std's Arc on purpose (see sync.rs): sharing the handle is not part of the protocol, and
    // loom's Arc would add a scheduling point for every clone and drop.
    execute_in(
        Arc::new(World::new(config.endpoints(), trace)),
        variant,
        config,
        schedule,
    )
}

/// [`execute`] in a world made by the caller (on real threads, one whose zone is on a server).
pub(crate) fn execute_in(
    world: Arc<World>,
    variant: Variant,
    config: &Config,
    schedule: Arc<dyn Schedule>,
) -> Result<(), StoreError> {
    steady_state(&world, config.endpoints())?;

    let enactors: Vec<_> = (0..config.enactors())
        .map(|id| {
            let world = Arc::clone(&world);
            let schedule = Arc::clone(&schedule);
            let enactor = Enactor::new(id, variant, config.sweep_age());
            thread::spawn(move || {
                enactor.run_cycle(&world, schedule.as_ref());
                schedule.done(Actor::Enactor(id));
            })
        })
        .collect();

    // The Planner runs on the calling thread while the Enactors run on theirs: one thread fewer
    // for loom to create, switch to and tear down in every execution.
    let published = Planner::new(Generation(2), Generation(config.generations()))
        .run(&world, schedule.as_ref());
    for enactor in enactors {
        join(enactor);
    }
    published?;

    // The next cycle runs alone, after every thread has joined: no script can hold it back.
    Enactor::new(0, variant, config.sweep_age()).run_cycle(&world, &FreeRun);
    Ok(())
}

/// Joins `handle`, resuming its panic on this thread if it panicked.
pub(crate) fn join<T>(handle: thread::JoinHandle<T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}
