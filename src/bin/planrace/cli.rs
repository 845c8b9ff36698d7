//! Argument parsing and the two commands.

use std::cell::Cell;
use std::io::Write as _;
use std::time::{Duration, Instant};

use planrace::{Config, ConfigError, ReplayError, Variant, VariantError, replay_incident};
use planrace::{FaultPlan, RunOptions, RunReport, run};
use thiserror::Error;

use crate::check::{check_command, parse_check};

const USAGE: &str = "\
usage:
  planrace run [options]      run the protocol on real threads and report what the zone went through
  planrace replay [--variant NAME]
                              force the incident's interleaving and print its timeline
  planrace check [--variant NAME] [--config EPGK] [--json]
                              check the step model exhaustively with stateright
                              (default Fixed 3E3P5G2K; needs the stateright feature)
  planrace check --serve [--port N] [--variant NAME] [--config EPGK]
                              browse the step model's states in stateright's Explorer on
                              127.0.0.1 (default port 3000)
  planrace help

run options:
  --variant NAME        Buggy (default), Fixed, RecheckBeforeWrite, ConditionalWriteOnly,
                        GuardedSweepOnly, GuardedSweepNonAtomic, SkipDeletedPlan
  --config EPGK         enactors, endpoints, generations, sweep age (default 3E4P1000G2K)
  --faults KIND         lock-loss (default) or none; the options below adjust it
  --slow-percent P      percent of Enactor cycles that are slow (0-100)
  --lock-loss N         lock attempts a slow cycle loses per endpoint
  --backoff-us U        microseconds each lost attempt costs
  --write-delay-us U    microseconds a slow cycle waits before each write
  --burst N             generations the Planner publishes back to back
  --burst-pause-us U    microseconds between bursts
  --seed N              seed of the fault schedule (default 0)
  --runs N              run seeds N consecutive seeds, starting at --seed (default 1)
  --json                one JSON object per run on stdout";

/// What went wrong with the command line.
#[derive(Debug, Error)]
pub enum CliError {
    /// No command at all.
    #[error("no command given: expected run, replay, check or help")]
    NoCommand,
    /// An unknown command.
    #[error("unknown command {0:?}: expected run, replay, check or help")]
    UnknownCommand(String),
    /// A flag this command does not take.
    #[error("unknown option {0:?}")]
    UnknownOption(String),
    /// A flag given without its value.
    #[error("{0} needs a value")]
    MissingValue(String),
    /// A value that is not a number in range.
    #[error("{flag} {value:?} is not a valid number: {reason}")]
    BadNumber {
        /// The flag.
        flag: String,
        /// The value given.
        value: String,
        /// Why it was refused.
        reason: String,
    },
    /// `--faults` with an unknown kind.
    #[error("--faults {0:?}: expected lock-loss or none")]
    UnknownFaults(String),
    /// A bad `--variant`.
    #[error(transparent)]
    Variant(#[from] VariantError),
    /// A bad `--config`.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The replay could not follow its script.
    #[error(transparent)]
    Replay(#[from] ReplayError),
    /// A run failed.
    #[error("the run failed: {0}")]
    Run(#[from] planrace::StoreError),
    /// A configuration the step model cannot hold.
    #[error(transparent)]
    StepModel(#[from] planrace::StepModelError),
    /// `check` in a build without the checker.
    #[cfg(not(feature = "stateright"))]
    #[error(
        "planrace check needs the stateright feature: \
         cargo run --release --features stateright -- check ..."
    )]
    NoStateright,
    /// The Explorer's address could not be bound.
    #[cfg(feature = "stateright")]
    #[error("cannot serve the Explorer on {0}: {1}")]
    Serve(std::net::SocketAddr, std::io::Error),
}

struct RunArgs {
    variant: Variant,
    config: Config,
    faults: FaultPlan,
    seed: u64,
    runs: u64,
    json: bool,
}

/// Parses `args` and runs the command.
pub fn main(args: &[String]) -> Result<(), CliError> {
    match args.first().map(String::as_str) {
        Some("run") => run_command(&parse_run(&args[1..])?),
        Some("replay") => replay_command(&args[1..]),
        Some("check") => check_command(&parse_check(&args[1..])?),
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(CliError::UnknownCommand(other.to_owned())),
        None => Err(CliError::NoCommand),
    }
}

pub(crate) fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, CliError>
where
    T::Err: std::fmt::Display,
{
    value.parse().map_err(|e: T::Err| CliError::BadNumber {
        flag: flag.to_owned(),
        value: value.to_owned(),
        reason: e.to_string(),
    })
}

fn micros(flag: &str, value: &str) -> Result<Duration, CliError> {
    number::<u64>(flag, value).map(Duration::from_micros)
}

fn parse_run(args: &[String]) -> Result<RunArgs, CliError> {
    let mut parsed = RunArgs {
        variant: Variant::Buggy,
        config: "3E4P1000G2K".parse()?,
        faults: FaultPlan::LOCK_LOSS,
        seed: 0,
        runs: 1,
        json: false,
    };
    let mut tweaks: Vec<(String, String)> = Vec::new();
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        if flag == "--json" {
            parsed.json = true;
            continue;
        }
        let value = args
            .next()
            .ok_or_else(|| CliError::MissingValue(flag.clone()))?;
        match flag.as_str() {
            "--variant" => parsed.variant = value.parse()?,
            "--config" => parsed.config = value.parse()?,
            "--faults" => {
                parsed.faults = match value.as_str() {
                    "lock-loss" => FaultPlan::LOCK_LOSS,
                    "none" => FaultPlan::NONE,
                    other => return Err(CliError::UnknownFaults(other.to_owned())),
                }
            }
            "--seed" => parsed.seed = number(flag, value)?,
            "--runs" => {
                parsed.runs = number(flag, value)?;
                if parsed.runs == 0 {
                    return Err(CliError::BadNumber {
                        flag: flag.clone(),
                        value: value.clone(),
                        reason: "at least one run".to_owned(),
                    });
                }
            }
            // Applied after --faults, whatever the order on the command line.
            "--slow-percent" | "--lock-loss" | "--backoff-us" | "--write-delay-us" | "--burst"
            | "--burst-pause-us" => tweaks.push((flag.clone(), value.clone())),
            _ => return Err(CliError::UnknownOption(flag.clone())),
        }
    }
    for (flag, value) in tweaks {
        let faults = &mut parsed.faults;
        match flag.as_str() {
            "--slow-percent" => {
                faults.slow_percent = number(&flag, &value)?;
                if faults.slow_percent > 100 {
                    return Err(CliError::BadNumber {
                        flag,
                        value,
                        reason: "a percentage is at most 100".to_owned(),
                    });
                }
            }
            "--lock-loss" => faults.lock_loss = number(&flag, &value)?,
            "--backoff-us" => faults.backoff = micros(&flag, &value)?,
            "--write-delay-us" => faults.write_delay = micros(&flag, &value)?,
            "--burst" => faults.burst = number(&flag, &value)?,
            _ => faults.burst_pause = micros(&flag, &value)?,
        }
    }
    Ok(parsed)
}

/// Prints progress to stderr at most four times a second, once a run has lasted a second.
struct Progress {
    started: Instant,
    last: Cell<Instant>,
    /// Whether a progress line is on screen, waiting for its newline.
    shown: Cell<bool>,
}

impl Progress {
    fn new() -> Self {
        let now = Instant::now();
        Self {
            started: now,
            last: Cell::new(now),
            shown: Cell::new(false),
        }
    }

    fn show(&self, text: impl FnOnce() -> String) {
        let now = Instant::now();
        if now.duration_since(self.started) >= Duration::from_secs(1)
            && now.duration_since(self.last.get()) >= Duration::from_millis(250)
        {
            self.last.set(now);
            self.shown.set(true);
            let _ = write!(std::io::stderr(), "\r{}    ", text());
        }
    }

    /// Ends the progress line on screen, if there is one, before other output.
    fn finish(&self) {
        if self.shown.replace(false) {
            let _ = writeln!(std::io::stderr());
        }
    }
}

fn run_command(args: &RunArgs) -> Result<(), CliError> {
    let progress = Progress::new();
    let mut empty_runs = 0;
    let mut stuck_runs = 0;
    for index in 0..args.runs {
        let seed = args.seed.wrapping_add(index);
        let options = RunOptions {
            variant: args.variant,
            config: args.config,
            faults: args.faults,
            seed,
        };
        let report = run(&options, &|done, total| {
            progress.show(|| {
                format!(
                    "run {}/{}: {done}/{total} plans published",
                    index + 1,
                    args.runs
                )
            });
        })?;
        let first_empty = report.empty_episodes > 0 && empty_runs == 0;
        empty_runs += u64::from(report.empty_episodes > 0);
        stuck_runs += u64::from(report.stuck);
        if args.json {
            println!("{}", report.to_json());
        } else if args.runs == 1 || first_empty {
            // Over many runs, the first one that emptied a record stands for the rest.
            progress.finish();
            println!("{}", describe(&report));
        }
    }
    progress.finish();
    if !args.json && args.runs > 1 {
        println!(
            "{} {}: {} runs (seeds {}..{}), {empty_runs} with an empty record, {stuck_runs} ended stuck",
            args.variant,
            args.config,
            args.runs,
            args.seed,
            args.seed.wrapping_add(args.runs - 1)
        );
    }
    Ok(())
}

fn describe(report: &RunReport) -> String {
    let options = &report.options;
    let mut text = format!(
        "{} {} seed {}: {} plans published, {} enacted, {} endpoint updates ({:.0}/s) in {:.1} ms",
        options.variant,
        options.config,
        options.seed,
        report.plans_published,
        report.plans_enacted,
        report.endpoint_updates,
        report.updates_per_second(),
        report.elapsed.as_secs_f64() * 1e3
    );
    if report.empty_episodes > 0 {
        text.push_str(&format!(
            "\n  EMPTY RECORD: {} episodes, {:.3} ms in all, longest {:.3} ms; empty at the end: {:?}",
            report.empty_episodes,
            report.empty_time.as_secs_f64() * 1e3,
            report.longest_empty.as_secs_f64() * 1e3,
            report.empty_at_end.iter().map(|e| e.0).collect::<Vec<_>>()
        ));
    }
    if report.regressions > 0 {
        text.push_str(&format!(
            "\n  {} generation regressions",
            report.regressions
        ));
    }
    if report.stuck {
        text.push_str(
            "\n  STUCK: the Enactors' next cycle could not bring every endpoint to the newest plan",
        );
    }
    if report.violated.is_empty() {
        text.push_str("\n  no property violated");
    } else {
        text.push_str(&format!("\n  violated: {}", report.violated.join(", ")));
    }
    text
}

fn replay_command(args: &[String]) -> Result<(), CliError> {
    let variant = match args {
        [] => Variant::Buggy,
        [flag, name] if flag == "--variant" => name.parse()?,
        [flag] if flag == "--variant" => return Err(CliError::MissingValue(flag.clone())),
        [other, ..] => return Err(CliError::UnknownOption(other.clone())),
    };
    let replay = replay_incident(variant)?;
    println!("The incident's interleaving under {variant} (2E1P4G2K):\n");
    print!("{}", replay.timeline());
    let violated: Vec<&str> = replay
        .violations
        .iter()
        .map(|v| v.property.name())
        .collect();
    if violated.is_empty() {
        println!("\nno property violated");
    } else {
        println!("\nviolated: {}", violated.join(", "));
    }
    Ok(())
}
