//! The other half of the outage: the recovery that collapsed under its own retries, as a
//! deterministic discrete-event simulation (seeded, virtual time, one thread; no wall clock).
//!
//! The race emptied one DNS record for about two and a half hours; the fleet's leases lapsed
//! meanwhile, and when the store came back the lease manager's queue held more work than it
//! could finish before each call timed out. Timed-out work was queued again at once, so the
//! queue never shrank: a metastable failure, held by its own retries after the trigger was gone,
//! until operators throttled the incoming work and restarted the managers.
//!
//! - `fleet`: droplets, leases, the lease manager's queue and workers, the trigger, and the
//!   server-side remedies ([`FleetConfig`], [`simulate`], [`RecoveryReport`]);
//! - `policy`: what a client does after a timeout ([`ClientPolicy`], [`Backoff`],
//!   [`RetryBudget`]);
//! - `brooker`: the calibration against "Exponential Backoff And Jitter" ([`calibrate`]);
//! - `rng`: the seeded generator every draw comes from;
//! - `chart`: goodput and queue depth over time, as one SVG ([`svg`]).
//!
//! docs/recovery.md has the model's choices, the results and the picture.

mod brooker;
mod chart;
pub(crate) mod fleet;
mod policy;
mod rng;

use chart::render_recovery_svg;

pub use brooker::{BACKOFFS, BackoffResult, Calibration, calibrate};
pub use fleet::{
    COLLAPSED_BELOW, FleetConfig, RecoveryReport, Restart, simulate, simulate_with_progress,
};
pub use policy::{Backoff, ClientPolicy, RetryBudget, UnknownPolicy};

/// The runs docs/recovery.svg compares, at `hosts` droplets: the incident's policy, every
/// other client policy, and the incident's policy with each server-side remedy. Each with its
/// label.
pub fn scenarios(hosts: usize) -> Vec<(String, FleetConfig)> {
    let incident = FleetConfig::incident(hosts);
    let mut runs: Vec<(String, FleetConfig)> = ClientPolicy::ALL
        .into_iter()
        .map(|policy| {
            (
                policy.name.to_owned(),
                FleetConfig {
                    policy,
                    ..incident.clone()
                },
            )
        })
        .collect();
    runs.push((
        "incident + throttle 2000".to_owned(),
        FleetConfig {
            throttle_queue: Some(2_000),
            ..incident.clone()
        },
    ));
    runs.push((
        "incident + restart 30 min".to_owned(),
        FleetConfig {
            restart: Some(Restart {
                after: 1_800.0,
                down: 60.0,
            }),
            ..incident
        },
    ));
    runs
}

/// Goodput and queue depth over time for `reports`, labelled `labels`, as one SVG.
pub fn svg(title: &str, reports: &[RecoveryReport], labels: &[String]) -> String {
    render_recovery_svg(title, reports, labels)
}
