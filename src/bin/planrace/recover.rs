//! `planrace recover`: the recovery simulation, one run, the scenarios of docs/recovery.svg, or
//! the calibration against Brooker's backoff experiment.

use planrace::recovery::{
    Calibration, FleetConfig, RecoveryReport, Restart, calibrate, scenarios,
    simulate_with_progress, svg,
};
use serde::Serialize;

use crate::args::RecoverArgs;
use crate::error::CommandError;
use crate::output::Output;
use crate::progress::Progress;

/// Seconds a restarted lease manager takes to come back.
const RESTART_DOWN_S: f64 = 60.0;

/// Runs what `args` asks for.
pub fn recover_command(args: &RecoverArgs, out: &Output) -> Result<(), CommandError> {
    if args.brooker {
        let calibration = calibrate(args.clients as usize, args.trials as usize, args.seed);
        return if args.json {
            out.json(&CalibrationJson::of(&calibration))
                .map_err(CommandError::from)
        } else {
            out.line(&calibration.line()).map_err(CommandError::from)
        };
    }
    let base = FleetConfig {
        outage: args.outage_s as f64,
        horizon: args.horizon_s as f64,
        seed: args.seed,
        ..FleetConfig::incident(args.hosts as usize)
    };
    let runs: Vec<(String, FleetConfig)> = if args.scenarios {
        scenarios(args.hosts as usize)
            .into_iter()
            .map(|(label, config)| {
                (
                    label,
                    FleetConfig {
                        outage: base.outage,
                        horizon: base.horizon,
                        seed: base.seed,
                        ..config
                    },
                )
            })
            .collect()
    } else {
        let config = FleetConfig {
            policy: args.policy,
            throttle_queue: args.throttle_queue.map(|q| q as usize),
            restart: args.restart_after_s.map(|after| Restart {
                after: after as f64,
                down: RESTART_DOWN_S,
            }),
            ..base
        };
        vec![(config.policy.name.to_owned(), config)]
    };
    let progress = Progress::new();
    let mut reports = Vec::with_capacity(runs.len());
    for (index, (label, config)) in runs.iter().enumerate() {
        let report = simulate_with_progress(config, &mut |done| {
            progress.show(|| {
                format!(
                    "run {}/{} ({label}): {:.0}% of {} s simulated",
                    index + 1,
                    runs.len(),
                    done * 100.0,
                    config.horizon
                )
            });
        });
        progress.finish();
        if args.json {
            out.json(&RecoveryJson::of(label, &report))?;
        } else {
            out.line(&report.line())?;
        }
        reports.push(report);
    }
    if let Some(path) = &args.svg {
        let labels: Vec<String> = runs.iter().map(|(label, _)| label.clone()).collect();
        let title = format!(
            "Recovery of {} droplets after {:.1} h without the store",
            args.hosts,
            base.outage / 3_600.0
        );
        std::fs::write(path, svg(&title, &reports, &labels)).map_err(|source| {
            CommandError::Write {
                path: path.clone(),
                source,
            }
        })?;
    }
    Ok(())
}

/// One run as a JSON object.
#[derive(Debug, Serialize)]
struct RecoveryJson<'a> {
    kind: &'static str,
    label: &'a str,
    policy: &'static str,
    hosts: usize,
    recovered: bool,
    recovery_s: Option<f64>,
    calls: u64,
    wasted: u64,
    peak_queue: usize,
    refused: u64,
    restarts: u32,
    metastable: bool,
    throttle_queue: Option<usize>,
    restart_after_s: Option<f64>,
    seed: u64,
}

impl<'a> RecoveryJson<'a> {
    fn of(label: &'a str, report: &RecoveryReport) -> Self {
        let config = &report.config;
        Self {
            kind: "recovery",
            label,
            policy: config.policy.name,
            hosts: config.hosts,
            recovered: report.recovery_s.is_some(),
            recovery_s: report.recovery_s,
            calls: report.calls,
            wasted: report.wasted,
            peak_queue: report.peak_queue,
            refused: report.refused,
            restarts: report.restarts,
            metastable: report.metastable,
            throttle_queue: config.throttle_queue,
            restart_after_s: config.restart.map(|r| r.after),
            seed: config.seed,
        }
    }
}

/// The calibration as a JSON object.
#[derive(Debug, Serialize)]
struct CalibrationJson {
    kind: &'static str,
    clients: usize,
    trials: usize,
    seed: u64,
    calls_ratio: f64,
    equal_over_full_calls: f64,
    equal_over_full_time: f64,
    backoffs: Vec<BackoffJson>,
}

#[derive(Debug, Serialize)]
struct BackoffJson {
    name: &'static str,
    calls: f64,
    time_ms: f64,
}

impl CalibrationJson {
    fn of(calibration: &Calibration) -> Self {
        let (equal_over_full_calls, equal_over_full_time) = calibration.equal_over_full();
        Self {
            kind: "brooker",
            clients: calibration.clients,
            trials: calibration.trials,
            seed: calibration.seed,
            calls_ratio: calibration.calls_ratio(),
            equal_over_full_calls,
            equal_over_full_time,
            backoffs: calibration
                .results
                .iter()
                .map(|r| BackoffJson {
                    name: r.name,
                    calls: r.calls,
                    time_ms: r.time_ms,
                })
                .collect(),
        }
    }
}
