//! The checkers' own speed, one group per build (docs/benchmarks.md, "The checkers"):
//!
//! ```sh
//! RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom cargo bench --bench checkers
//! RUSTFLAGS="--cfg shuttle" CARGO_TARGET_DIR=target/shuttle cargo bench --bench checkers
//! cargo bench --features stateright --bench checkers
//! ```
//!
//! - loom: executions per second exploring `Fixed 3E2P4G2K` within 2 preemptions, and the time
//!   to the first counterexample of `Buggy 2E1P4G2K` (`harness::explore_until_violation`);
//! - shuttle: iterations per second sampling `Fixed 3E3P6G2K` with the random scheduler;
//! - the step model (stateright): states per second and time to a verdict for `Fixed
//!   3E3P5G2K`, and the time to `Buggy 2E1P4G2K`'s counterexample.
//!
//! Each throughput is counted in what the checker counts (executions, iterations, states),
//! measured once before the timing so that criterion reports it per second.

#[cfg(loom)]
mod checker {
    use criterion::{Criterion, Throughput};
    use planrace::harness::{explore, explore_until_violation};
    use planrace::{ProtocolModel, Variant};

    fn model(variant: Variant, config: &str) -> ProtocolModel {
        ProtocolModel {
            variant,
            config: config.parse().expect("a valid configuration"),
        }
    }

    pub(crate) fn benches(c: &mut Criterion) {
        let mut group = c.benchmark_group("loom");
        group.sample_size(10);
        let fixed = model(Variant::Fixed, "3E2P4G2K");
        let executions = explore(fixed, Some(2)).expect("explores").executions;
        group.throughput(Throughput::Elements(executions));
        group.bench_function("Fixed 3E2P4G2K bound 2, exhaustive", |b| {
            b.iter(|| explore(fixed, Some(2)).expect("explores"));
        });
        let buggy = model(Variant::Buggy, "2E1P4G2K");
        let first = explore_until_violation(buggy, None)
            .expect("explores")
            .executions;
        group.throughput(Throughput::Elements(first));
        group.bench_function("Buggy 2E1P4G2K, to the first counterexample", |b| {
            b.iter(|| explore_until_violation(buggy, None).expect("explores"));
        });
        group.finish();
    }
}

#[cfg(shuttle)]
mod checker {
    use criterion::{Criterion, Throughput};
    use planrace::harness::Sample;
    use planrace::harness::SchedulerKind;
    use planrace::{Variant, sample};

    pub(crate) fn benches(c: &mut Criterion) {
        const ITERATIONS: usize = 2_000;
        let mut group = c.benchmark_group("shuttle");
        group.sample_size(10);
        group.throughput(Throughput::Elements(ITERATIONS as u64));
        let config = "3E3P6G2K".parse().expect("a valid configuration");
        let plan = Sample {
            scheduler: SchedulerKind::Random,
            seeds: 0..1,
            per_seed: ITERATIONS,
            until_first_violation: false,
        };
        group.bench_function("Fixed 3E3P6G2K, random scheduler", |b| {
            b.iter(|| sample(Variant::Fixed, config, &plan).expect("samples"));
        });
        group.finish();
    }
}

#[cfg(all(not(any(loom, shuttle)), feature = "stateright"))]
mod checker {
    use criterion::{Criterion, Throughput};
    use planrace::{Cycles, StepModel, Variant, check_step_model};

    fn model(variant: Variant, config: &str) -> StepModel {
        let config = config.parse().expect("a valid configuration");
        StepModel::new(variant, config, Cycles::OneEach).expect("fits the model")
    }

    pub(crate) fn benches(c: &mut Criterion) {
        let mut group = c.benchmark_group("stateright");
        group.sample_size(10);
        let buggy = model(Variant::Buggy, "2E1P4G2K");
        group.bench_function("Buggy 2E1P4G2K, to a verdict", |b| {
            b.iter(|| check_step_model(buggy));
        });
        let fixed = model(Variant::Fixed, "3E3P5G2K");
        let states = check_step_model(fixed).states as u64;
        group.throughput(Throughput::Elements(states));
        group.bench_function("Fixed 3E3P5G2K, exhaustive", |b| {
            b.iter(|| check_step_model(fixed));
        });
        group.finish();
    }
}

#[cfg(any(loom, shuttle, feature = "stateright"))]
criterion::criterion_group!(benches, checker::benches);
#[cfg(any(loom, shuttle, feature = "stateright"))]
criterion::criterion_main!(benches);

#[cfg(not(any(loom, shuttle, feature = "stateright")))]
fn main() {
    eprintln!(
        "the checkers' benches need a checker: --cfg loom, --cfg shuttle or --features stateright \
         (see the top of benches/checkers.rs)"
    );
}
