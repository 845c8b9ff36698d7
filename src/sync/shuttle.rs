//! The shuttle backend (`--cfg shuttle`): every lock, spawn and yield is a scheduling point,
//! and a scheduler (random or PCT) picks one interleaving per iteration. Every iteration's
//! choices are recorded, so an interleaving that broke a property replays from a string.
//!
//! Facts about shuttle that the rest of the crate relies on, measured here (shuttle 0.9):
//! - threads are tasks on one OS thread, with no limit on their number ([`SPAWN_LIMIT`]);
//! - unlike loom, unlocking is a scheduling point: another task can run between a holder's
//!   last read and its unlock, so `try_lock` does find locks taken on one endpoint;
//! - the random scheduler and PCT sample schedules; neither shows that a property holds.
//!   shuttle's DFS scheduler has no partial-order reduction (`Fixed` `2E1P4G2K` was unfinished
//!   after 5 million schedules), so exhaustive checking stays loom's job.

use std::ops::Range;
use std::sync::{Arc, PoisonError};

use shuttle::scheduler::{PctScheduler, RandomScheduler, ReplayScheduler, Schedule, Scheduler};
use shuttle::scheduler::{Task, TaskId};
use shuttle_engine::scheduler::serialization::{deserialize_schedule, serialize_schedule};
use thiserror::Error;

/// Threads this backend can spawn besides the calling one: shuttle has no limit.
pub const SPAWN_LIMIT: Option<usize> = None;

/// Why [`SPAWN_LIMIT`] is what it is.
pub const SPAWN_LIMIT_REASON: &str = "shuttle runs any number of threads, as tasks on one";

poison_free_mutex!(shuttle);

/// Thread spawn, join and yield on shuttle's scheduler.
pub mod thread {
    pub use ::shuttle::thread::{JoinHandle, spawn, yield_now};
}

/// shuttle's atomics: every operation is a scheduling point; shuttle runs them sequentially
/// consistent, whatever ordering is given.
pub mod atomic {
    pub use ::shuttle::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
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
pub(crate) struct AfterIteration {
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

fn lock(recorder: &SharedRecorder) -> std::sync::MutexGuard<'_, Recorder> {
    recorder.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A scheduler that records every choice of the one it wraps, exactly as shuttle's own
/// failure report would, so that a kept schedule replays with shuttle's `ReplayScheduler`.
struct Recording {
    inner: Box<dyn Scheduler + Send>,
    recorder: SharedRecorder,
}

impl Scheduler for Recording {
    fn new_execution(&mut self) -> Option<Schedule> {
        let mut recorder = lock(&self.recorder);
        recorder.close_iteration();
        if recorder.stop {
            // Run the wrapped scheduler out: a RandomScheduler dropped before its last
            // iteration prints "failing seed" for an iteration that did not fail.
            while self.inner.new_execution().is_some() {}
            return None;
        }
        let schedule = self.inner.new_execution()?;
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
            .next_task(runnable_tasks, current_task, is_yielding);
        if let Some(task) = choice {
            lock(&self.recorder).current.push_task(task);
        }
        choice
    }

    fn next_u64(&mut self) -> u64 {
        lock(&self.recorder).current.push_random();
        self.inner.next_u64()
    }
}

/// Runs `iteration` under `kind` seeded with each of `seeds` in turn, `per_seed` iterations a
/// seed, until they are spent or an iteration asks to stop. `iteration` receives its number,
/// counting from 1 across the seeds. Returns the schedule strings of the iterations that
/// asked to keep theirs, with their numbers.
pub(crate) fn run_schedules(
    kind: SchedulerKind,
    seeds: Range<u64>,
    per_seed: usize,
    iteration: impl Fn(u64) -> AfterIteration + Send + Sync + 'static,
) -> Vec<(u64, String)> {
    let recorder = SharedRecorder::default();
    let iteration = Arc::new(iteration);
    for seed in seeds {
        let scheduler = Recording {
            inner: kind.scheduler(seed, per_seed),
            recorder: Arc::clone(&recorder),
        };
        let (in_recorder, in_iteration) = (Arc::clone(&recorder), Arc::clone(&iteration));
        ::shuttle::Runner::new(scheduler, ::shuttle::Config::new()).run(move || {
            let number = lock(&in_recorder).iteration;
            let after = in_iteration(number);
            let mut recorder = lock(&in_recorder);
            recorder.keep_current |= after.keep_schedule;
            recorder.stop |= after.stop;
        });
        if lock(&recorder).stop {
            break;
        }
    }
    std::mem::take(&mut lock(&recorder).kept)
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
pub(crate) fn replay_schedule(
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
    let scheduler = Recording {
        inner: Box::new(replaying),
        recorder: Arc::clone(&recorder),
    };
    let finished = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let in_finished = Arc::clone(&finished);
    ::shuttle::Runner::new(scheduler, ::shuttle::Config::new()).run(move || {
        execution();
        in_finished.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    // The execution must have finished and taken every step of the schedule: a schedule
    // recorded from a smaller program would otherwise pass for a replay.
    let taken = lock(&recorder).current.len();
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
    if digits.len() % 2 != 0 {
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
