//! The recovery simulation's speed at the incident's scale: 100,000 droplets over 12 simulated
//! hours, for the incident's policy (collapsed: every call cycles through the queue) and the
//! fixed-delay policy (the slowest to simulate: every timeout schedules a retry).
//!
//! `cargo bench --bench recovery` (minutes: each sample is one whole run).

#[cfg(not(any(loom, shuttle)))]
mod real {
    use std::time::Duration;

    use criterion::{Criterion, criterion_group};
    use planrace::recovery::{FleetConfig, simulate};

    fn fleet(c: &mut Criterion) {
        let mut group = c.benchmark_group("recovery-100000-hosts-12h");
        group.sample_size(10);
        group.warm_up_time(Duration::from_millis(100));
        group.measurement_time(Duration::from_secs(20));
        for policy in ["incident", "fixed", "budget"] {
            let config = FleetConfig {
                policy: policy.parse().expect("a named policy"),
                ..FleetConfig::incident(100_000)
            };
            group.bench_function(policy, |b| b.iter(|| simulate(&config)));
        }
        group.finish();
    }

    criterion_group!(benches, fleet);
}

#[cfg(not(any(loom, shuttle)))]
criterion::criterion_main!(real::benches);

#[cfg(any(loom, shuttle))]
fn main() {}
