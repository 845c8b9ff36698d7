//! Throughput on real threads: how fast each protocol variant keeps the zone current, against
//! two reference designs doing the same job.
//!
//! One iteration is one whole run: the Planner publishes `PLANS` generations, waking every
//! Enactor over a channel after each, and the Enactors apply the newest plan to every endpoint.
//! Throughput is counted in endpoint updates demanded (plans x endpoints) per second, so the
//! variants and the references are comparable: all deliver the same plans to the same zone.
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

// Benches time real threads; the loom and shuttle builds compile this file to an empty `main`.
#[cfg(not(any(loom, shuttle)))]
mod real {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{Duration, Instant};

    use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
    use crossbeam_channel::{Receiver, unbounded};
    use crossbeam_utils::CachePadded;
    use parking_lot::Mutex;
    use planrace::testing::{Enactor, FreeRun, Planner, Trace, World, steady_state};
    use planrace::{Config, FaultPlan, Generation, RunOptions, Variant, run_untraced};

    /// Plans the Planner publishes per run.
    const PLANS: u64 = 200;
    /// Sweep age of every run.
    const SWEEP_AGE: u64 = 2;
    const ENACTORS: [usize; 4] = [1, 2, 3, 8];
    const ENDPOINTS: [usize; 2] = [1, 64];

    /// Runs `enactors` threads of `enact`, woken after each of `PLANS` publications by
    /// `publish` and once more at the end, and returns the elapsed time.
    fn drive(
        enactors: usize,
        publish: impl Fn(u64),
        enact: impl Fn() + Send + Sync + Clone + 'static,
    ) -> Duration {
        let started = Instant::now();
        let (wake_ups, handles): (Vec<_>, Vec<_>) = (0..enactors)
            .map(|_| {
                let (wake_up, woken): (_, Receiver<()>) = unbounded();
                let enact = enact.clone();
                let handle = std::thread::spawn(move || {
                    while woken.recv().is_ok() {
                        while woken.try_recv().is_ok() {}
                        enact();
                    }
                });
                (wake_up, handle)
            })
            .unzip();
        for generation in 2..=PLANS + 1 {
            publish(generation);
            for wake_up in &wake_ups {
                let _ = wake_up.send(());
            }
        }
        drop(wake_ups);
        for handle in handles {
            handle.join().expect("enactor thread");
        }
        started.elapsed()
    }

    /// The simple safe design: one mutex around zone and store.
    fn global_mutex(enactors: usize, endpoints: usize) -> Duration {
        struct World {
            newest: u64,
            live: Vec<u64>,
            records: Vec<u64>,
        }
        let world = Arc::new(Mutex::new(World {
            newest: 1,
            live: vec![1],
            records: vec![1; endpoints],
        }));
        let publisher = Arc::clone(&world);
        drive(
            enactors,
            move |generation| {
                let mut world = publisher.lock();
                world.newest = generation;
                world.live.push(generation);
            },
            move || {
                let mut world = world.lock();
                let newest = world.newest;
                for record in world.records.iter_mut().filter(|r| **r < newest) {
                    *record = newest;
                }
                world.live.retain(|g| *g + SWEEP_AGE > newest);
            },
        )
    }

    /// The limit: an atomic generation per endpoint, raised with fetch_max.
    fn atomic_limit(enactors: usize, endpoints: usize) -> Duration {
        let newest = Arc::new(CachePadded::new(AtomicU64::new(1)));
        let records: Arc<Vec<CachePadded<AtomicU64>>> = Arc::new(
            (0..endpoints)
                .map(|_| CachePadded::new(AtomicU64::new(1)))
                .collect(),
        );
        let publisher = Arc::clone(&newest);
        drive(
            enactors,
            move |generation| publisher.store(generation, Ordering::Release),
            move || {
                let plan = newest.load(Ordering::Acquire);
                for record in records.iter() {
                    record.fetch_max(plan, Ordering::AcqRel);
                }
            },
        )
    }

    fn variant(variant: Variant, enactors: usize, endpoints: usize) -> Duration {
        let config = Config::new(enactors, endpoints, PLANS + 1, SWEEP_AGE).expect("valid");
        let options = RunOptions {
            variant,
            config,
            faults: FaultPlan::NONE,
            seed: 0,
        };
        run_untraced(&options).expect("the run completes")
    }

    fn throughput(c: &mut Criterion) {
        for endpoints in ENDPOINTS {
            let mut group = c.benchmark_group(format!("throughput-{endpoints}P"));
            group.throughput(Throughput::Elements(PLANS * endpoints as u64));
            for enactors in ENACTORS {
                for v in Variant::ALL {
                    group.bench_function(BenchmarkId::new(v.name(), enactors), |b| {
                        b.iter_custom(|iters| {
                            (0..iters).map(|_| variant(v, enactors, endpoints)).sum()
                        });
                    });
                }
                group.bench_function(BenchmarkId::new("GlobalMutex", enactors), |b| {
                    b.iter_custom(|iters| {
                        (0..iters).map(|_| global_mutex(enactors, endpoints)).sum()
                    });
                });
                group.bench_function(BenchmarkId::new("AtomicLimit", enactors), |b| {
                    b.iter_custom(|iters| {
                        (0..iters).map(|_| atomic_limit(enactors, endpoints)).sum()
                    });
                });
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
