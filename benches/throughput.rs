//! Throughput on real threads: how fast each protocol variant keeps the zone current, against
//! two reference designs doing the same job.
//!
//! One iteration is one fixed-work run (`support/fixed_work.rs`): the Planner publishes `PLANS`
//! generations in lockstep rounds, and in each round every Enactor runs exactly one cycle on
//! that round's plan. Throughput is counted in endpoint updates demanded (plans x endpoints)
//! per second, so the variants and the references are comparable: all deliver the same plans
//! to the same zone with the same number of cycles. `benches/ratios.rs` measures the ratios
//! between designs in the same run, with their spread.
//!
//! A second group, `cycle-64P`, times one Enactor cycle on one thread (the Planner publishes a
//! plan, the Enactor picks, checks, writes 64 endpoints and sweeps), with no other thread to
//! wait for: the protocol's own cost per cycle, free of the scheduler noise of the runs above.
//!
//! References:
//! - `GlobalMutex`: the simple safe design, one mutex around the whole zone and store: an
//!   Enactor reads the newest plan, writes every endpoint that is older, and sweeps old plans
//!   in one critical section.
//! - `AtomicLimit`: the hardware's limit for this job: one cache-padded atomic generation per
//!   endpoint, raised to the newest plan with `fetch_max`; no store, no sweep, no transaction.

#[cfg(not(any(loom, shuttle)))]
#[path = "support/fixed_work.rs"]
mod fixed_work;

// Benches time real threads; the loom and shuttle builds compile this file to an empty `main`.
#[cfg(not(any(loom, shuttle)))]
mod real {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::Duration;

    use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
    use crossbeam_utils::CachePadded;
    use parking_lot::Mutex;
    use planrace::testing::{Enactor, FreeRun, Planner, Trace, World, steady_state};
    use planrace::{Generation, Variant};

    use crate::fixed_work::{self, Design, SWEEP_AGE};

    /// Plans the Planner publishes per run.
    const PLANS: u64 = 200;
    const ENACTORS: [usize; 4] = [1, 2, 3, 8];
    const ENDPOINTS: [usize; 3] = [1, 64, 1024];

    fn throughput(c: &mut Criterion) {
        let designs = Variant::ALL
            .into_iter()
            .map(Design::Protocol)
            .chain([Design::GlobalMutex, Design::AtomicLimit]);
        for endpoints in ENDPOINTS {
            let mut group = c.benchmark_group(format!("throughput-{endpoints}P"));
            group.throughput(Throughput::Elements(PLANS * endpoints as u64));
            for enactors in ENACTORS {
                for design in designs.clone() {
                    group.bench_function(BenchmarkId::new(design.name(), enactors), |b| {
                        b.iter_custom(|iters| {
                            (0..iters)
                                .map(|_| fixed_work::run(design, enactors, endpoints, PLANS))
                                .sum()
                        });
                    });
                }
            }
            group.finish();
        }
    }

    /// One Planner publication and one Enactor cycle, on the calling thread.
    fn cycles(c: &mut Criterion) {
        const ENDPOINTS: usize = 64;
        let mut group = c.benchmark_group(format!("cycle-{ENDPOINTS}P"));
        group.throughput(Throughput::Elements(ENDPOINTS as u64));
        for v in Variant::ALL {
            group.bench_function(v.name(), |b| {
                let world = World::new(ENDPOINTS, Arc::new(Trace::disabled()));
                steady_state(&world, ENDPOINTS).expect("empty store");
                let enactor = Enactor::new(0, v, SWEEP_AGE);
                let mut generation = 1;
                b.iter(|| {
                    generation += 1;
                    Planner::publish(Generation(generation), &world, &FreeRun).expect("newer");
                    enactor.run_cycle(&world, &FreeRun)
                });
            });
        }
        group.bench_function("GlobalMutex", |b| {
            let world = Mutex::new((1u64, vec![1u64], vec![1u64; ENDPOINTS]));
            b.iter(|| {
                let mut guard = world.lock();
                let (newest, live, records) = &mut *guard;
                *newest += 1;
                live.push(*newest);
                for record in records.iter_mut().filter(|r| **r < *newest) {
                    *record = *newest;
                }
                let current = *newest;
                live.retain(|g| *g + SWEEP_AGE > current);
            });
        });
        group.bench_function("AtomicLimit", |b| {
            let newest = CachePadded::new(AtomicU64::new(1));
            let records: Vec<CachePadded<AtomicU64>> = (0..ENDPOINTS)
                .map(|_| CachePadded::new(AtomicU64::new(1)))
                .collect();
            b.iter(|| {
                let plan = newest.fetch_add(1, Ordering::AcqRel) + 1;
                for record in &records {
                    record.fetch_max(plan, Ordering::AcqRel);
                }
            });
        });
        group.finish();
    }

    fn config() -> Criterion {
        Criterion::default()
            .sample_size(10)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(1))
    }

    criterion_group! {
        name = benches;
        config = config();
        targets = throughput, cycles
    }
}

#[cfg(not(any(loom, shuttle)))]
criterion::criterion_main!(real::benches);

#[cfg(any(loom, shuttle))]
fn main() {}
