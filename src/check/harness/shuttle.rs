//! The shuttle driver (`--cfg shuttle`): a sample of a [`Model`]'s interleavings drawn by a
//! random or PCT scheduler, every property checked and every log validated on each, the first
//! and the shortest counterexample kept with the schedule string that replays it.

use std::io::Write as _;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex as StdMutex, PoisonError};
use std::time::Instant;

use shuttle::scheduler::{PctScheduler, RandomScheduler, ReplayScheduler, Schedule, Scheduler};
use shuttle::scheduler::{Task, TaskId};
use shuttle_engine::scheduler::serialization::{deserialize_schedule, serialize_schedule};

use thiserror::Error;

use crate::check::harness::deadlock::shuttle_blocked;
use crate::check::harness::error::{CheckError, ModelError, panic_message};
use crate::check::harness::log::Log;
use crate::check::harness::model::Model;
use crate::check::harness::quiet::quietly;
use crate::check::harness::report::{Coverage, Exploration};
use crate::check::harness::tally::{SharedTally, Tally, lock};
use crate::sync::waiting;

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
/// A deadlock is a result, not an error: the sample stops there, its
/// [`Exploration::deadlock`] names the blocked threads ([`Model::thread_names`]), the line each
/// waits at (the facade's locks record it) and the schedule that replays it, and the report
/// prints a `no_deadlock` verdict line, `violated`.
///
/// The panic hook in place before the call is in place after it: shuttle's own hook, which
/// would print a schedule for every later panic, is never left behind.
///
/// # Errors
/// [`CheckError::Model`] before the first
/// iteration when the model's lists contradict each other; [`CheckError::Execution`] and
/// [`CheckError::Unlisted`] at the first iteration that shows them; [`CheckError::Panicked`]
/// when an iteration panicked (printed once, by whoever shows the error).
pub fn sample<M: Model>(model: M, sample: &Sample) -> Result<Exploration<M>, CheckError<M::Error>> {
    if let Some(error) = ModelError::of(&model) {
        return Err(error.into());
    }
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
    waiting::forget_all();
    let ran = quietly(|| {
        run_schedules(
            sample.scheduler,
            sample.seeds.clone(),
            sample.per_seed,
            run_one,
        )
    });
    let seconds = started.elapsed().as_secs_f64();
    let mut tally = std::mem::replace(&mut *lock(&tally), Tally::new(&model));
    if let Some(error) = tally.error.take() {
        return Err(error);
    }
    let (schedules, deadlock) = match ran {
        Ok(schedules) => (schedules, None),
        Err(failed) => {
            let message = panic_message(failed.payload.as_ref());
            let waits_at = |task| waiting::at(task).map(|at| at.to_string());
            let Some(blocked) = shuttle_blocked(&message, &model.thread_names(), waits_at) else {
                return Err(tally.panicked(&model, failed.payload.as_ref()));
            };
            let mut deadlock = tally.deadlocked(&model, blocked);
            deadlock.schedule = Some(failed.schedule);
            (failed.kept, Some(deadlock))
        }
    };
    waiting::forget_all();
    for (iteration, schedule) in &schedules {
        tally.attach_schedule(*iteration, schedule);
    }
    let coverage = Coverage::Sampled {
        scheduler: sample.scheduler.name(),
        depth: sample.scheduler.depth(),
        seeds: sample.seeds.clone(),
    };
    Ok(tally.finish(model, coverage, seconds, deadlock))
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

/// Which of shuttle's schedulers draws the interleavings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchedulerKind {
    /// At every scheduling point, any runnable thread, uniformly at random.
    Random,
    /// Probabilistic Concurrency Testing (Burckhardt et al., ASPLOS 2010): random priorities
    /// with `depth - 1` priority change points per iteration. It finds a bug of depth `d` with
    /// probability at least 1/(n·k^(d-1)) per iteration (n threads, k steps).
    Pct {
        /// The bug depth PCT aims at; at least 1.
        depth: usize,
    },
}

impl SchedulerKind {
    /// The name verdict lines print: `random` or `pct`.
    pub fn name(self) -> &'static str {
        match self {
            SchedulerKind::Random => "random",
            SchedulerKind::Pct { .. } => "pct",
        }
    }

    /// PCT's depth; `None` for the random scheduler.
    pub fn depth(self) -> Option<usize> {
        match self {
            SchedulerKind::Random => None,
            SchedulerKind::Pct { depth } => Some(depth),
        }
    }

    fn scheduler(self, seed: u64, iterations: usize) -> Box<dyn Scheduler + Send> {
        match self {
            SchedulerKind::Random => Box::new(RandomScheduler::new_from_seed(seed, iterations)),
            SchedulerKind::Pct { depth } => {
                Box::new(PctScheduler::new_from_seed(seed, depth.max(1), iterations))
            }
        }
    }
}

/// What an iteration asks of the driver once it has run.
#[derive(Debug, Clone, Copy, Default)]
struct AfterIteration {
    /// Keep this iteration's schedule string (it produced a counterexample worth replaying).
    pub(crate) keep_schedule: bool,
    /// Run no further iterations.
    pub(crate) stop: bool,
}

/// The schedule of the iteration under way, and the strings of those asked for.
#[derive(Debug, Default)]
struct Recorder {
    iteration: u64,
    current: Schedule,
    keep_current: bool,
    stop: bool,
    kept: Vec<(u64, String)>,
}

impl Recorder {
    fn close_iteration(&mut self) {
        if std::mem::take(&mut self.keep_current) {
            // shuttle wraps long strings over several lines; one line is easier to copy.
            let schedule = serialize_schedule(&self.current).replace('\n', "");
            self.kept.push((self.iteration, schedule));
        }
    }
}

type SharedRecorder = Arc<std::sync::Mutex<Recorder>>;

fn lock_recorder(recorder: &SharedRecorder) -> std::sync::MutexGuard<'_, Recorder> {
    recorder.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A scheduler that records every choice of the one it wraps, exactly as shuttle's own
/// failure report would, so that a kept schedule replays with shuttle's `ReplayScheduler`.
struct Recording {
    /// `None` only once dropped during a failed iteration (see the `Drop` impl).
    inner: Option<Box<dyn Scheduler + Send>>,
    recorder: SharedRecorder,
}

impl Recording {
    fn new(inner: Box<dyn Scheduler + Send>, recorder: &SharedRecorder) -> Self {
        Self {
            inner: Some(inner),
            recorder: Arc::clone(recorder),
        }
    }
}

impl Drop for Recording {
    /// A failed iteration (a deadlock, a panic) unwinds through shuttle, which drops its
    /// scheduler: a `RandomScheduler` dropped mid-run prints "failing seed" and how to rerun
    /// it, beside the harness's own report with its schedule string. The wrapped scheduler is
    /// leaked instead of dropped then (once per failed sample).
    fn drop(&mut self) {
        if std::thread::panicking()
            && let Some(inner) = self.inner.take()
        {
            std::mem::forget(inner);
        }
    }
}

impl Scheduler for Recording {
    fn new_execution(&mut self) -> Option<Schedule> {
        let inner = self.inner.as_mut()?;
        let mut recorder = lock_recorder(&self.recorder);
        recorder.close_iteration();
        if recorder.stop {
            // Run the wrapped scheduler out: a RandomScheduler dropped before its last
            // iteration prints "failing seed" for an iteration that did not fail.
            while inner.new_execution().is_some() {}
            return None;
        }
        let schedule = inner.new_execution()?;
        recorder.iteration += 1;
        recorder.current = schedule.clone();
        Some(schedule)
    }

    fn next_task(
        &mut self,
        runnable_tasks: &[&Task],
        current_task: Option<TaskId>,
        is_yielding: bool,
    ) -> Option<TaskId> {
        let choice = self
            .inner
            .as_mut()?
            .next_task(runnable_tasks, current_task, is_yielding);
        if let Some(task) = choice {
            lock_recorder(&self.recorder).current.push_task(task);
        }
        choice
    }

    fn next_u64(&mut self) -> u64 {
        lock_recorder(&self.recorder).current.push_random();
        self.inner.as_mut().map_or(0, |inner| inner.next_u64())
    }
}

/// An iteration that panicked out of shuttle (a deadlock, or the model's own panic).
struct Failed {
    payload: Box<dyn std::any::Any + Send>,
    /// The schedule that replays the failed iteration up to its failure.
    schedule: String,
    /// The schedules kept before it, with their iterations' numbers.
    kept: Vec<(u64, String)>,
}

/// Runs `iteration` under `kind` seeded with each of `seeds` in turn, `per_seed` iterations a
/// seed, until they are spent or an iteration asks to stop. `iteration` receives its number,
/// counting from 1 across the seeds. Returns the schedule strings of the iterations that
/// asked to keep theirs, with their numbers; or, when an iteration panicked out of shuttle,
/// the panic and the schedule that replays it.
fn run_schedules(
    kind: SchedulerKind,
    seeds: Range<u64>,
    per_seed: usize,
    iteration: impl Fn(u64) -> AfterIteration + Send + Sync + 'static,
) -> Result<Vec<(u64, String)>, Failed> {
    let recorder = SharedRecorder::default();
    let iteration = Arc::new(iteration);
    for seed in seeds {
        let scheduler = Recording::new(kind.scheduler(seed, per_seed), &recorder);
        let (in_recorder, in_iteration) = (Arc::clone(&recorder), Arc::clone(&iteration));
        let ran = catch_unwind(AssertUnwindSafe(|| {
            ::shuttle::Runner::new(scheduler, quiet_config()).run(move || {
                let number = lock_recorder(&in_recorder).iteration;
                let after = in_iteration(number);
                let mut recorder = lock_recorder(&in_recorder);
                recorder.keep_current |= after.keep_schedule;
                recorder.stop |= after.stop;
            });
        }));
        if let Err(payload) = ran {
            let mut recorder = lock_recorder(&recorder);
            return Err(Failed {
                payload,
                schedule: serialize_schedule(&recorder.current).replace('\n', ""),
                kept: std::mem::take(&mut recorder.kept),
            });
        }
        if lock_recorder(&recorder).stop {
            break;
        }
    }
    Ok(std::mem::take(&mut lock_recorder(&recorder).kept))
}

/// shuttle's configuration without its own failure report: the harness keeps and prints the
/// schedules itself.
fn quiet_config() -> ::shuttle::Config {
    let mut config = ::shuttle::Config::new();
    config.failure_persistence = ::shuttle::FailurePersistence::None;
    config
}

/// A schedule string that cannot be replayed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ScheduleError {
    /// The string is not a shuttle schedule.
    #[error("{0:?} is not a shuttle schedule string")]
    Malformed(String),
    /// The schedule ran out, or named a thread that could not run, before the execution
    /// finished, or the execution finished before the schedule did: it was recorded from a
    /// different program (another variant or config).
    #[error("the schedule does not fit this execution: it was recorded from a different one")]
    Diverged,
}

/// Runs `execution` once, on the interleaving `schedule` (a string from [`run_schedules`] or
/// from shuttle's own failure report) describes.
///
/// # Errors
/// [`ScheduleError`] when the string is not a schedule or does not fit the execution.
fn replay_schedule(
    schedule: &str,
    execution: impl Fn() + Send + Sync + 'static,
) -> Result<(), ScheduleError> {
    let malformed = || ScheduleError::Malformed(schedule.to_owned());
    // shuttle's decoder panics on a truncated string: check the framing first.
    well_framed(schedule).ok_or_else(malformed)?;
    let decoded = deserialize_schedule(schedule).ok_or_else(malformed)?;
    let length = decoded.len();
    let mut replaying = ReplayScheduler::new_from_schedule(decoded);
    // A schedule that does not fit stops the execution rather than panicking inside shuttle.
    replaying.set_allow_incomplete();
    let recorder = SharedRecorder::default();
    let scheduler = Recording::new(Box::new(replaying), &recorder);
    let finished = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let in_finished = Arc::clone(&finished);
    ::shuttle::Runner::new(scheduler, quiet_config()).run(move || {
        execution();
        in_finished.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    // The execution must have finished and taken every step of the schedule: a schedule
    // recorded from a smaller program would otherwise pass for a replay.
    let taken = lock_recorder(&recorder).current.len();
    if finished.load(std::sync::atomic::Ordering::SeqCst) && taken == length {
        Ok(())
    } else {
        Err(ScheduleError::Diverged)
    }
}

/// `Some` when `schedule` has the framing of shuttle's schedule strings, so that decoding it
/// cannot run past its end: hex digits (whitespace ignored) of the magic byte `0x91`, three
/// varints (task-id width, step count, seed), then the steps as bits, each a 0 followed by a
/// task id of that width or a lone 1 for a random value.
fn well_framed(schedule: &str) -> Option<()> {
    let digits: Vec<u8> = schedule
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| c.to_digit(16).and_then(|d| u8::try_from(d).ok()))
        .collect::<Option<_>>()?;
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    let bytes: Vec<u8> = digits
        .chunks(2)
        .map(|pair| pair[0] << 4 | pair[1])
        .collect();
    let (&magic, mut rest) = bytes.split_first()?;
    if magic != 0x91 {
        return None;
    }
    let mut varint = || -> Option<u64> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let (&byte, tail) = rest.split_first()?;
            rest = tail;
            value |= u64::from(byte & 0x7f).checked_shl(shift)?;
            if byte & 0x80 == 0 {
                return Some(value);
            }
        }
        None
    };
    let width = usize::try_from(varint()?).ok()?;
    let steps = varint()?;
    let _seed = varint()?;
    if width == 0 || width > usize::BITS as usize {
        return None;
    }
    let bit = |index: usize| Some(rest.get(index / 8)? >> (index % 8) & 1 == 1);
    let mut offset = 0usize;
    for _ in 0..steps {
        offset = if bit(offset)? {
            offset + 1
        } else {
            let end = offset.checked_add(1 + width)?;
            bit(end - 1)?;
            end
        };
    }
    Some(())
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

#[cfg(test)]
mod scheduler_tests {
    use super::*;

    #[test]
    fn only_whole_schedule_strings_are_well_framed() {
        let mut schedule = Schedule::new(7);
        for task in [0, 1, 2, 1, 0, 8] {
            schedule.push_task(TaskId::from(task));
        }
        schedule.push_random();
        let written = serialize_schedule(&schedule);
        assert!(well_framed(&written).is_some());
        assert_eq!(deserialize_schedule(&written), Some(schedule));
        // Four header bytes (magic, width 4, 7 steps, seed 7), then 6 x 5 + 1 = 31 bits of
        // steps: 16 hex digits are needed; shuttle pads beyond them, which is harmless.
        assert!(well_framed(&written[..16]).is_some());
        for cut in 0..16 {
            assert!(well_framed(&written[..cut]).is_none(), "{cut}");
        }
        assert!(well_framed("zz").is_none());
        assert!(well_framed("81030107").is_none(), "wrong magic byte");
    }
}
