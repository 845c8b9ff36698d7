//! The fixed-work run that `throughput` and `ratios` both time.
//!
//! The Planner publishes `plans` generations one round at a time. In each round every Enactor
//! runs exactly one cycle on that round's plan, and the next publication waits until all of
//! them are done (two barriers per round). Every design therefore does the same job, `plans x
//! enactors` cycles over the same plans, whatever the scheduler does: no Enactor is woken late
//! and skips a plan, as one woken over a channel can. Within a round the Enactors still race
//! for the same endpoints' locks, which is the protocol's own contention.
//!
//! The clock runs from the first publication to the end of the last round; the threads are
//! started before it and joined after it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use crossbeam_utils::CachePadded;
use parking_lot::Mutex;
use planrace::testing::{Cycle, Enactor, FreeRun, Planner, Trace, World, steady_state};
use planrace::{Generation, Variant};

/// Sweep age of every run.
pub const SWEEP_AGE: u64 = 2;

/// What a run exercises: a protocol variant or one of the two reference designs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Design {
    /// The protocol, as the variant writes and sweeps.
    Protocol(Variant),
    /// The simple safe design: one mutex around an in-memory zone and store; an Enactor reads
    /// the newest plan, writes every older endpoint and sweeps old plans in one critical
    /// section.
    GlobalMutex,
    /// The hardware's limit for this job: one cache-padded atomic generation per endpoint,
    /// raised to the newest plan with `fetch_max`; no store, no sweep, no transaction.
    AtomicLimit,
}

impl Design {
    /// The name benches and tables use.
    pub fn name(self) -> &'static str {
        match self {
            Design::Protocol(variant) => variant.name(),
            Design::GlobalMutex => "GlobalMutex",
            Design::AtomicLimit => "AtomicLimit",
        }
    }
}

/// How a design publishes a plan and how Enactor `i` runs one cycle.
struct Actors {
    publish: Box<dyn Fn(u64)>,
    cycle: Arc<dyn Fn(usize) + Send + Sync>,
}

/// Times one fixed-work run of `design`.
///
/// # Panics
/// If a protocol cycle fails (the stuck state), which a run without faults in lockstep rounds
/// cannot reach: every Enactor of a round applies the same, newest plan.
pub fn run(design: Design, enactors: usize, endpoints: usize, plans: u64) -> Duration {
    let actors = match design {
        Design::Protocol(variant) => protocol(variant, enactors, endpoints),
        Design::GlobalMutex => global_mutex(endpoints),
        Design::AtomicLimit => atomic_limit(endpoints),
    };
    let round_starts = Arc::new(Barrier::new(enactors + 1));
    let round_ends = Arc::new(Barrier::new(enactors + 1));
    let finished = Arc::new(AtomicBool::new(false));
    let handles: Vec<_> = (0..enactors)
        .map(|index| {
            let (starts, ends) = (Arc::clone(&round_starts), Arc::clone(&round_ends));
            let (finished, cycle) = (Arc::clone(&finished), Arc::clone(&actors.cycle));
            std::thread::spawn(move || {
                loop {
                    starts.wait();
                    if finished.load(Ordering::Acquire) {
                        return;
                    }
                    cycle(index);
                    ends.wait();
                }
            })
        })
        .collect();
    let started = Instant::now();
    for generation in 2..=plans + 1 {
        (actors.publish)(generation);
        round_starts.wait();
        round_ends.wait();
    }
    let elapsed = started.elapsed();
    finished.store(true, Ordering::Release);
    round_starts.wait();
    for handle in handles {
        handle.join().expect("an Enactor thread panicked");
    }
    elapsed
}

fn protocol(variant: Variant, enactors: usize, endpoints: usize) -> Actors {
    let world = Arc::new(World::new(endpoints, Arc::new(Trace::disabled())));
    steady_state(&world, endpoints).expect("an empty store takes the first plan");
    let publisher = Arc::clone(&world);
    let team: Vec<Enactor> = (0..enactors)
        .map(|id| Enactor::new(id, variant, SWEEP_AGE))
        .collect();
    Actors {
        publish: Box::new(move |generation| {
            Planner::publish(Generation(generation), &publisher, &FreeRun)
                .expect("each round publishes a newer plan");
        }),
        cycle: Arc::new(move |index| {
            let cycle = team[index].run_cycle(&world, &FreeRun);
            assert!(
                !matches!(cycle, Cycle::Failed(_)),
                "{variant:?} reached the stuck state in a fixed-work run"
            );
        }),
    }
}

fn global_mutex(endpoints: usize) -> Actors {
    struct Zone {
        newest: u64,
        live: Vec<u64>,
        records: Vec<u64>,
    }
    let zone = Arc::new(Mutex::new(Zone {
        newest: 1,
        live: vec![1],
        records: vec![1; endpoints],
    }));
    let publisher = Arc::clone(&zone);
    Actors {
        publish: Box::new(move |generation| {
            let mut zone = publisher.lock();
            zone.newest = generation;
            zone.live.push(generation);
        }),
        cycle: Arc::new(move |_| {
            let mut zone = zone.lock();
            let newest = zone.newest;
            for record in zone.records.iter_mut().filter(|r| **r < newest) {
                *record = newest;
            }
            zone.live.retain(|g| *g + SWEEP_AGE > newest);
        }),
    }
}

fn atomic_limit(endpoints: usize) -> Actors {
    let newest = Arc::new(CachePadded::new(AtomicU64::new(1)));
    let records: Vec<CachePadded<AtomicU64>> = (0..endpoints)
        .map(|_| CachePadded::new(AtomicU64::new(1)))
        .collect();
    let publisher = Arc::clone(&newest);
    Actors {
        publish: Box::new(move |generation| publisher.store(generation, Ordering::Release)),
        cycle: Arc::new(move |_| {
            let plan = newest.load(Ordering::Acquire);
            for record in &records {
                record.fetch_max(plan, Ordering::AcqRel);
            }
        }),
    }
}
