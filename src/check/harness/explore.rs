//! The loom driver (`--cfg loom`): every interleaving of a [`Model`], every property checked
//! on each, violations and witnesses counted, counterexamples kept; a panic or deadlock
//! reported with the execution's number and what it had logged.

use std::io::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Instant;

use crate::check::harness::error::{CheckError, panic_message};
use crate::check::harness::model::Model;
use crate::check::harness::report::{Coverage, Exploration};
use crate::check::harness::tally::{SharedTally, Tally, lock};
use crate::sync::{ModelBuilder, explore_every_interleaving, limits, model_builder};

/// The start of loom's panic message when an execution exceeds `max_branches`.
const BRANCH_LIMIT_PANIC: &str = "Model exceeded maximum number of branches";

/// A progress line goes to stderr after every this many executions.
pub const PROGRESS_EVERY: u64 = 20_000;

/// Explores every interleaving of `model` within `bound` preemptions (`None`: every
/// interleaving), unless `LOOM_MAX_PREEMPTIONS` sets another; loom's other variables
/// (`LOOM_MAX_PERMUTATIONS`, `LOOM_MAX_DURATION`, ...) apply too, and are checked before loom
/// reads them. See [`explore_with`].
///
/// # Errors
/// [`CheckError::Setting`] for a loom variable loom would reject; otherwise as
/// [`explore_with`].
pub fn explore<M: Model>(
    model: M,
    bound: Option<usize>,
) -> Result<Exploration<M>, CheckError<M::Error>> {
    explore_with(model, &model_builder(bound)?)
}

/// Explores `model` with loom's own `builder` (its preemption bound, permutation, duration and
/// branch limits as given), checks every property on each execution, counts violations and
/// witnesses, and keeps the first and the shortest counterexample of each property. The
/// settings in force are printed on the verdict lines; an exploration that a limit may have
/// cut short (permutations, duration, or an execution longer than `max_branches`) is
/// `inconclusive`. A progress line goes to stderr every [`PROGRESS_EVERY`]
/// executions.
///
/// # Errors
/// The first error an execution returned; [`CheckError::UnlistedProperty`] when the model
/// reported a property it does not list; [`CheckError::Panicked`] when an execution panicked
/// or deadlocked (also printed at once, with the execution's number and partial timeline).
pub fn explore_with<M: Model>(
    model: M,
    builder: &ModelBuilder,
) -> Result<Exploration<M>, CheckError<M::Error>> {
    drive(model, builder, false)
}

/// Explores `model` like [`explore`] (`bound`, then `LOOM_MAX_PREEMPTIONS`), but stops at the
/// first execution that violates any property: the fastest way to a counterexample. That
/// property is `violated`; the others are `inconclusive`, since the exploration stopped early
/// (the reason is on the report).
///
/// # Errors
/// As [`explore_with`].
pub fn explore_until_violation<M: Model>(
    model: M,
    bound: Option<usize>,
) -> Result<Exploration<M>, CheckError<M::Error>> {
    drive(model, &model_builder(bound)?, true)
}

/// The panic payload that ends an exploration at its first violation.
struct FirstViolation;

/// The exploration behind [`explore_with`] and [`explore_until_violation`].
fn drive<M: Model>(
    model: M,
    builder: &ModelBuilder,
    until_violation: bool,
) -> Result<Exploration<M>, CheckError<M::Error>> {
    let tally: SharedTally<M> = Arc::new(std::sync::Mutex::new(Tally::new(&model)));
    let started = Instant::now();
    let (in_model, in_tally) = (model.clone(), Arc::clone(&tally));
    let run_one = move || {
        let log = {
            let mut tally = lock(&in_tally);
            let next = tally.executions + 1;
            tally.start(next)
        };
        let result = in_model.execute(&log);
        let mut tally = lock(&in_tally);
        tally.finish_execution(&in_model, result, &log);
        let execution = tally.executions;
        if until_violation && tally.violating > 0 {
            drop(tally);
            // Unwinds out of loom without the panic hook's message; caught below.
            std::panic::resume_unwind(Box::new(FirstViolation));
        }
        if execution % PROGRESS_EVERY == 0 {
            // Straight to stderr: the test harness would hold eprintln! back until the end.
            let _ = writeln!(
                std::io::stderr(),
                "planrace: exploring {} {}: {execution} executions, {} violating, {:.1} s",
                in_model.variant(),
                in_model.config(),
                tally.violating,
                started.elapsed().as_secs_f64()
            );
        }
    };
    let explored = catch_unwind(AssertUnwindSafe(|| {
        explore_every_interleaving(builder, run_one, || lock(&tally).executions)
    }));
    let seconds = started.elapsed().as_secs_f64();
    let mut tally = std::mem::replace(&mut *lock(&tally), Tally::new(&model));
    let cut = match explored {
        Ok(cut) => cut,
        Err(payload) if payload.is::<FirstViolation>() => Some(format!(
            "stopped at the first violation, execution {}",
            tally.executions
        )),
        // loom's branch limit stops an execution it cannot finish exploring: the exploration
        // is cut short there, which is no verdict on the model either way.
        Err(payload) if panic_message(payload.as_ref()).contains(BRANCH_LIMIT_PANIC) => {
            Some(format!(
                "execution {} exceeded loom's max_branches ({})",
                tally.abandon_running(),
                builder.max_branches
            ))
        }
        Err(payload) => return Err(tally.panicked(&model, payload.as_ref())),
    };
    if let Some(error) = tally.error.take() {
        return Err(error);
    }
    let coverage = Coverage::Exhaustive {
        bound: builder.preemption_bound,
        limits: limits(builder),
        cut,
    };
    Ok(tally.finish(model, coverage, seconds))
}
