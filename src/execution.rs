//! One run of a scenario: the steady state, then the Planner and the Enactors on their own
//! threads, then the Enactors' next cycle. The same function runs under loom (one explored
//! interleaving per call) and on real threads.

use std::sync::Arc;

use crate::enactor::Enactor;
use crate::error::StoreError;
use crate::plan::{Generation, Plan};
use crate::planner::Planner;
use crate::protocol::Variant;
use crate::scenario::Scenario;
use crate::schedule::{FreeRun, Schedule};
use crate::store::PlanStore;
use crate::sync::thread;
use crate::trace::{Actor, Event, Trace};
use crate::zone::{Commit, WriteRule, Zone};

/// What the actors share: the plan store, the zone, and the instrumentation.
pub struct Shared {
    /// Published plans.
    pub store: PlanStore,
    /// The DNS records.
    pub zone: Zone,
    /// The event log.
    pub trace: Arc<Trace>,
}

impl Shared {
    /// An empty store and a zone of `endpoints` empty records, logging to `trace`.
    pub fn new(endpoints: usize, trace: Arc<Trace>) -> Self {
        Self {
            store: PlanStore::new(),
            zone: Zone::new(endpoints),
            trace,
        }
    }
}

/// Runs `scenario` under `variant` once.
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
    scenario: &Scenario,
    variant: Variant,
    schedule: Arc<dyn Schedule>,
    trace: Arc<Trace>,
) -> Result<(), StoreError> {
    // std's Arc on purpose (see sync.rs): sharing the handle is not part of the protocol, and
    // loom's Arc would add a scheduling point for every clone and drop.
    let shared = Arc::new(Shared::new(scenario.endpoints(), trace));
    steady_state(&shared, scenario.endpoints())?;

    let enactors: Vec<_> = (0..scenario.enactors())
        .map(|id| {
            let shared = Arc::clone(&shared);
            let schedule = Arc::clone(&schedule);
            let enactor = Enactor::new(id, variant, scenario.sweep_age());
            thread::spawn(move || {
                enactor.run_cycle(&shared, schedule.as_ref());
                schedule.done(Actor::Enactor(id));
            })
        })
        .collect();

    // The Planner runs on the calling thread while the Enactors run on theirs: one thread fewer
    // for loom to create, switch to and tear down in every execution.
    let published = Planner::new(Generation(2), Generation(scenario.generations()))
        .run(&shared, schedule.as_ref());
    for enactor in enactors {
        join(enactor);
    }
    published?;

    // The next cycle runs alone, after every thread has joined: no script can hold it back.
    Enactor::new(0, variant, scenario.sweep_age()).run_cycle(&shared, &FreeRun);
    Ok(())
}

/// The steady state before the race: generation 1 published and applied to every endpoint.
///
/// # Errors
/// [`StoreError::NotNewer`] if the store already holds a plan.
pub fn steady_state(shared: &Shared, endpoints: usize) -> Result<(), StoreError> {
    let first = Generation(1);
    {
        let mut store = shared.store.lock();
        store.publish(Arc::new(Plan::for_generation(first, endpoints)))?;
        shared
            .trace
            .record(Actor::Setup, Event::Published { generation: first });
    }
    for (endpoint, record) in shared.zone.records() {
        let mut transaction = record.begin();
        if let Commit::Installed { rollback } =
            transaction.commit(first, WriteRule::Unconditional, &shared.store)
        {
            shared.trace.record(
                Actor::Setup,
                Event::Installed {
                    endpoint,
                    generation: first,
                    rollback,
                },
            );
        }
    }
    Ok(())
}

/// Joins `handle`, resuming its panic on this thread if it panicked.
pub(crate) fn join<T>(handle: thread::JoinHandle<T>) -> T {
    handle
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}
