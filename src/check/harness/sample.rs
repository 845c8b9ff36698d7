//! The shuttle driver (`--cfg shuttle`): a sample of a [`Model`]'s interleavings drawn by a
//! random or PCT scheduler, every property checked and every log validated on each, the first
//! and the shortest counterexample kept with the schedule string that replays it.

use std::io::Write as _;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex as StdMutex, PoisonError};
use std::time::Instant;

use thiserror::Error;

use crate::check::harness::error::CheckError;
use crate::check::harness::log::Log;
use crate::check::harness::model::Model;
use crate::check::harness::report::{Coverage, Exploration};
use crate::check::harness::tally::{SharedTally, Tally, lock};
use crate::sync::{AfterIteration, ScheduleError, SchedulerKind, replay_schedule, run_schedules};

/// A progress line goes to stderr after every this many iterations.
pub const SAMPLE_PROGRESS_EVERY: u64 = 50_000;

/// The variable that narrows a sample to a range of seeds, `a..b`, so that several machines
/// can share one budget (docs/testing.md).
pub const SEEDS_VARIABLE: &str = "PLANRACE_SEEDS";

/// How a sample is drawn: which scheduler, with which seeds, how many iterations a seed, and
/// whether to stop at the first violation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sample {
    /// The scheduler.
    pub scheduler: SchedulerKind,
    /// The seeds, one after another; each seeds a fresh scheduler.
    pub seeds: Range<u64>,
    /// Iterations run with each seed.
    pub per_seed: usize,
    /// Stop at the first iteration that violates any property (to measure how soon a
    /// scheduler finds a bug) instead of spending the whole budget.
    pub until_first_violation: bool,
}

impl Sample {
    /// The most iterations the sample may run: seeds times iterations a seed.
    pub fn budget(&self) -> u64 {
        (self.seeds.end.saturating_sub(self.seeds.start))
            .saturating_mul(u64::try_from(self.per_seed).unwrap_or(u64::MAX))
    }
}

/// A `PLANRACE_SEEDS` value that is not a range of seeds.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{SEEDS_VARIABLE}={value:?} is not a range of seeds `a..b` with a < b (e.g. 0..8)")]
pub struct SeedsError {
    /// The value given.
    pub value: String,
}

/// Parses `a..b` (both non-negative integers, `a < b`).
///
/// # Errors
/// [`SeedsError`] for anything else.
pub fn parse_seeds(value: &str) -> Result<Range<u64>, SeedsError> {
    let error = || SeedsError {
        value: value.to_owned(),
    };
    let (start, end) = value.split_once("..").ok_or_else(error)?;
    let number = |text: &str| {
        (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
            .then(|| text.parse::<u64>().ok())
            .flatten()
            .ok_or_else(error)
    };
    let (start, end) = (number(start)?, number(end)?);
    if start < end {
        Ok(start..end)
    } else {
        Err(error())
    }
}

/// The seeds to run: `PLANRACE_SEEDS` when it is set, `default` otherwise.
///
/// # Errors
/// [`SeedsError`] when the variable is set to something that is not a range of seeds.
pub fn seeds_from_env(default: Range<u64>) -> Result<Range<u64>, SeedsError> {
    match std::env::var(SEEDS_VARIABLE) {
        Ok(value) => parse_seeds(&value),
        Err(_) => Ok(default),
    }
}

/// Runs the iterations `sample` describes on `model`, checks every property and validates
/// every log on each, counts violations and witnesses, and keeps the first and the shortest
/// counterexample of each property with its schedule string. A progress line goes to stderr
/// every [`SAMPLE_PROGRESS_EVERY`] iterations. No violation is reported `not-found` (or
/// `vacuous`, when a required witness was never reached), never `holds`.
///
/// # Errors
/// The first error an iteration returned; [`CheckError::UnlistedProperty`] when the model
/// reported a property it does not list; [`CheckError::Panicked`] when an iteration panicked
/// or deadlocked (shuttle prints the schedule that replays it).
pub fn sample<M: Model>(model: M, sample: &Sample) -> Result<Exploration<M>, CheckError<M::Error>> {
    let tally: SharedTally<M> = Arc::new(StdMutex::new(Tally::new(&model)));
    let started = Instant::now();
    let (in_model, in_tally) = (model.clone(), Arc::clone(&tally));
    let until_first_violation = sample.until_first_violation;
    let label = format!("{} {}", sample.scheduler.name(), model.config());
    let run_one = move |iteration| {
        let log = lock(&in_tally).start(iteration);
        let result = in_model.execute(&log);
        let mut tally = lock(&in_tally);
        let keep_schedule = tally.finish_execution(&in_model, result, &log);
        if iteration % SAMPLE_PROGRESS_EVERY == 0 {
            // Straight to stderr: the test harness would hold eprintln! back until the end.
            let _ = writeln!(
                std::io::stderr(),
                "planrace: sampling {} {label}: {iteration} iterations, {} violating, {:.1} s",
                in_model.variant(),
                tally.violating,
                started.elapsed().as_secs_f64()
            );
        }
        AfterIteration {
            keep_schedule,
            stop: tally.error.is_some() || (until_first_violation && tally.violating > 0),
        }
    };
    let ran = catch_unwind(AssertUnwindSafe(|| {
        run_schedules(
            sample.scheduler,
            sample.seeds.clone(),
            sample.per_seed,
            run_one,
        )
    }));
    let seconds = started.elapsed().as_secs_f64();
    let mut tally = std::mem::replace(&mut *lock(&tally), Tally::new(&model));
    let schedules = match ran {
        Ok(schedules) => schedules,
        Err(payload) => return Err(tally.panicked(&model, payload.as_ref())),
    };
    if let Some(error) = tally.error.take() {
        return Err(error);
    }
    for (iteration, schedule) in &schedules {
        tally.attach_schedule(*iteration, schedule);
    }
    let coverage = Coverage::Sampled {
        scheduler: sample.scheduler.name(),
        depth: sample.scheduler.depth(),
        seeds: sample.seeds.clone(),
    };
    Ok(tally.finish(model, coverage, seconds))
}

/// Why a schedule could not be replayed.
#[derive(Debug, Error)]
pub enum ReplayScheduleError<E: std::error::Error + 'static> {
    /// The schedule string is malformed or does not fit the model.
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
    /// The execution itself failed.
    #[error("the replayed execution failed: {0}")]
    Execution(#[source] E),
}

/// Runs `model` once on the interleaving `schedule` describes (a counterexample's
/// [`schedule`](crate::harness::Counterexample::schedule)) and returns its log.
///
/// # Errors
/// [`ReplayScheduleError`] when the string is not a schedule, does not fit the model, or the
/// execution fails.
pub fn replay<M: Model>(
    model: &M,
    schedule: &str,
) -> Result<Vec<M::Step>, ReplayScheduleError<M::Error>> {
    let outcome = Arc::new(StdMutex::new(None));
    let log = Log::new();
    let (in_model, in_outcome, in_log) = (model.clone(), Arc::clone(&outcome), log.clone());
    replay_schedule(schedule, move || {
        let result = in_model.execute(&in_log);
        *in_outcome.lock().unwrap_or_else(PoisonError::into_inner) = Some(result);
    })?;
    let result = outcome
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .take()
        .ok_or(ScheduleError::Diverged)?;
    result.map_err(ReplayScheduleError::Execution)?;
    Ok(log.take())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_read_as_a_half_open_range() {
        assert_eq!(parse_seeds("0..8"), Ok(0..8));
        assert_eq!(parse_seeds("17..18"), Ok(17..18));
        for bad in [
            "", "8", "3..3", "5..2", "-1..4", "+1..4", "0..", "..4", "a..b", "0 ..4",
        ] {
            assert!(parse_seeds(bad).is_err(), "{bad:?} accepted");
        }
        let error = parse_seeds("9..1").unwrap_err().to_string();
        assert!(error.contains("PLANRACE_SEEDS=\"9..1\""), "{error}");
    }

    #[test]
    fn a_budget_is_seeds_times_iterations() {
        let sample = Sample {
            scheduler: SchedulerKind::Random,
            seeds: 3..7,
            per_seed: 250,
            until_first_violation: false,
        };
        assert_eq!(sample.budget(), 1_000);
    }
}
