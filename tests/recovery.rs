//! The recovery simulation at the incident's scale: the incident's policy collapses and stays
//! collapsed long after the trigger is gone, each fix recovers, the calibration against
//! Brooker's experiment holds, and docs/recovery.md's tables and docs/recovery.svg are what the
//! code computes and draws.
//!
//! Fleet-scale runs take seconds in a release build and minutes in a debug one, so they are
//! ignored in debug builds: `cargo test --release --test recovery` runs them (`.ci/run` does).
#![cfg(not(any(loom, shuttle)))]

#[path = "support/doc_table.rs"]
mod doc_table;

use std::path::Path;

use doc_table::table_rows;

use planrace::recovery::{
    ClientPolicy, FleetConfig, RecoveryReport, Restart, calibrate, scenarios, simulate, svg,
};

/// The incident's fleet size order: the test's "fleet scale".
const HOSTS: usize = 100_000;
/// What "recovers in bounded time" means here: every lease back within two hours of the
/// store's return.
const BOUND_S: f64 = 2.0 * 3_600.0;

fn yes_no(value: bool) -> String {
    (if value { "yes" } else { "no" }).to_owned()
}

fn run(config: FleetConfig) -> RecoveryReport {
    let report = simulate(&config);
    println!("{}", report.line());
    report
}

#[test]
#[cfg_attr(debug_assertions, ignore = "fleet scale: run with --release")]
fn the_incidents_policy_collapses_and_stays_collapsed() {
    let report = run(FleetConfig::incident(HOSTS));
    assert_eq!(report.recovery_s, None);
    assert!(report.metastable, "goodput recovered at some point");
    // The trigger ended at 3.6 h; the last hour of the 12 still has a full queue and almost
    // no lease established.
    let last_hour = &report.queue[report.queue.len() - 60..];
    assert!(last_hour.iter().all(|q| *q > HOSTS / 2), "{last_hour:?}");
    assert!(
        report.wasted > report.config.hosts as u64,
        "{}",
        report.line()
    );
}

#[test]
#[cfg_attr(debug_assertions, ignore = "fleet scale: run with --release")]
fn each_fix_recovers_in_bounded_time() {
    let incident = FleetConfig::incident(HOSTS);
    let fixes = [
        FleetConfig {
            policy: "budget".parse().unwrap(),
            ..incident.clone()
        },
        FleetConfig {
            throttle_queue: Some(2_000),
            ..incident.clone()
        },
        FleetConfig {
            restart: Some(Restart {
                after: 1_800.0,
                down: 60.0,
            }),
            ..incident
        },
    ];
    for fix in fixes {
        let report = run(fix);
        let recovered = report.recovery_s.expect("the fleet recovers");
        assert!(recovered < BOUND_S, "{}", report.line());
        assert!(!report.metastable, "{}", report.line());
    }
}

#[test]
#[cfg_attr(debug_assertions, ignore = "fleet scale: run with --release")]
fn the_same_seed_gives_the_same_result_at_fleet_scale() {
    let config = FleetConfig {
        policy: "decorrelated-jitter".parse().unwrap(),
        seed: 42,
        ..FleetConfig::incident(HOSTS)
    };
    assert_eq!(simulate(&config), simulate(&config));
}

#[test]
fn full_jitter_needs_under_half_the_calls_of_plain_exponential_backoff() {
    let calibration = calibrate(100, 100, 0);
    println!("{}", calibration.line());
    assert!(calibration.calls_ratio() < 0.5, "{}", calibration.line());
    let (calls, time) = calibration.equal_over_full();
    assert!(
        calls > 1.0,
        "equal jitter does more work than full jitter: {calls}"
    );
    assert!(time > 1.0, "and takes longer: {time}");
    docs_calibration_is_this_one(&calibration);
}

/// docs/recovery.md's calibration table (writes and time per backoff, "exponential, no
/// jitter" naming `exponential`) and its ratios are this calibration's.
fn docs_calibration_is_this_one(calibration: &planrace::recovery::Calibration) {
    let rows = table_rows("recovery.md", "| backoff | writes | time (ms) |");
    assert_eq!(rows.len(), calibration.results.len(), "one row per backoff");
    for row in rows {
        let name = row[0].trim_end_matches(", no jitter").replace(' ', "-");
        let result = calibration
            .results
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| panic!("docs/recovery.md names no backoff {name:?}"));
        let measured = [
            format!("{:.1}", result.calls),
            format!("{:.0}", result.time_ms),
        ];
        assert_eq!(row[1..3], measured, "docs/recovery.md's row for {name}");
    }
    let (calls, time) = calibration.equal_over_full();
    let findings = table_rows("recovery.md", "| finding | the post | here |")
        .concat()
        .join("|");
    for quoted in [
        format!("{:.3} (`calls_ratio`)", calibration.calls_ratio()),
        format!("{calls:.3}x the writes, {time:.3}x the time"),
    ] {
        assert!(
            findings.contains(&quoted),
            "docs/recovery.md's findings do not say {quoted:?}"
        );
    }
}

#[test]
#[cfg_attr(debug_assertions, ignore = "fleet scale: run with --release")]
fn docs_recovery_svg_and_results_table_are_what_the_code_computes() {
    let runs = scenarios(HOSTS);
    let reports: Vec<RecoveryReport> = runs.iter().map(|(_, config)| run(config.clone())).collect();
    let labels: Vec<String> = runs.into_iter().map(|(label, _)| label).collect();
    let drawn = svg(
        &format!("Recovery of {HOSTS} droplets after 2.6 h without the store"),
        &reports,
        &labels,
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/recovery.svg");
    let kept = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        kept == drawn,
        "docs/recovery.svg is out of date: cargo run --release -- recover --scenarios --svg docs/recovery.svg"
    );
    // The table of results, row by row in the scenarios' order.
    let rows = table_rows("recovery.md", "| run | recovered |");
    assert_eq!(rows.len(), reports.len(), "one row per scenario");
    for (row, report) in rows.iter().zip(&reports) {
        let measured = [
            yes_no(report.recovery_s.is_some()),
            report
                .recovery_s
                .map_or_else(|| "never".to_owned(), |s| format!("{s:.0} s")),
            report.calls.to_string(),
            report.wasted.to_string(),
            report.peak_queue.to_string(),
            yes_no(report.metastable),
        ];
        assert_eq!(row[1..7], measured, "docs/recovery.md's row {:?}", row[0]);
    }
    assert!(
        ClientPolicy::ALL
            .iter()
            .all(|p| labels.contains(&p.name.to_owned()))
    );
}
