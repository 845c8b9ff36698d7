//! Cost of one whole execution on real threads (Planner + Enactors + the next cycle), per
//! variant and Enactor count: what the safety of `Fixed` costs end to end.

// Benches time real threads; the loom build compiles this file to an empty `main`.
#[cfg(not(loom))]
mod real {
    use std::hint::black_box;
    use std::sync::Arc;

    use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
    use planrace::execution::execute;
    use planrace::schedule::FreeRun;
    use planrace::trace::Trace;
    use planrace::{Scenario, Variant};

    fn execution(c: &mut Criterion) {
        let mut group = c.benchmark_group("execution");
        for enactors in [1, 2, 3] {
            let scenario = Scenario::new(enactors, 8, 64, 2).expect("valid scenario");
            // One element per plan the Planner publishes during the run.
            group.throughput(Throughput::Elements(scenario.generations() - 1));
            for variant in Variant::ALL {
                group.bench_with_input(
                    BenchmarkId::new(variant.name(), scenario),
                    &scenario,
                    |b, scenario| {
                        b.iter(|| {
                            execute(
                                black_box(scenario),
                                variant,
                                Arc::new(FreeRun),
                                Arc::new(Trace::disabled()),
                            )
                            .expect("runs")
                        });
                    },
                );
            }
        }
        group.finish();
    }

    criterion_group!(benches, execution);
}

#[cfg(not(loom))]
criterion::criterion_main!(real::benches);

#[cfg(loom)]
fn main() {}
