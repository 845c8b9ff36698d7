//! The loom driver (`--cfg loom`): every interleaving of a [`Model`], every property checked
//! on each, violations and witnesses counted, counterexamples kept; a panic or deadlock
//! reported with the execution's number and what it had logged.

use std::io::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Instant;

use crate::check::harness::deadlock::loom_blocked;
use crate::check::harness::error::{CheckError, ModelError, panic_message};
use crate::check::harness::model::Model;
use crate::check::harness::quiet::quietly;
use crate::check::harness::report::{Coverage, Exploration};
use crate::check::harness::tally::{SharedTally, Tally, lock};

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
/// A deadlock is a result, not an error: the exploration stops there, its
/// [`Exploration::deadlock`] names the blocked threads ([`Model::thread_names`]) and the line
/// each waits at, and the report prints a `no_deadlock` verdict line, `violated`.
///
/// # Errors
/// [`CheckError::Model`] before the first execution when the model's lists contradict each
/// other; [`CheckError::Execution`] when an execution returned an error and
/// [`CheckError::Unlisted`] when one reported a property or witness the model does not list
/// (the exploration stops there); [`CheckError::Panicked`] when an execution panicked (with
/// its number and partial timeline; the panic hook stays quiet, so the message is printed
/// once, by whoever shows the error).
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

/// The panic payload that ends an exploration early: at its first violation, or at the first
/// execution that showed an error.
struct Stop;

/// The exploration behind [`explore_with`] and [`explore_until_violation`].
fn drive<M: Model>(
    model: M,
    builder: &ModelBuilder,
    until_violation: bool,
) -> Result<Exploration<M>, CheckError<M::Error>> {
    if let Some(error) = ModelError::of(&model) {
        return Err(error.into());
    }
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
        if tally.error.is_some() || (until_violation && tally.violating > 0) {
            drop(tally);
            // Unwinds out of loom without the panic hook's message; caught below.
            std::panic::resume_unwind(Box::new(Stop));
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
    let explored = quietly(|| {
        catch_unwind(AssertUnwindSafe(|| {
            explore_every_interleaving(builder, run_one, || lock(&tally).executions)
        }))
    });
    let seconds = started.elapsed().as_secs_f64();
    let mut tally = std::mem::replace(&mut *lock(&tally), Tally::new(&model));
    if let Some(error) = tally.error.take() {
        return Err(error);
    }
    let mut deadlock = None;
    let cut = match explored {
        Ok(cut) => cut,
        Err(payload) if payload.is::<Stop>() => Some(format!(
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
        Err(payload) => {
            let message = panic_message(payload.as_ref());
            let Some(blocked) = loom_blocked(&message, &model.thread_names()) else {
                return Err(tally.panicked(&model, payload.as_ref()));
            };
            let found = tally.deadlocked(&model, blocked);
            let cut = format!("stopped at a deadlock in execution {}", found.execution);
            deadlock = Some(found);
            Some(cut)
        }
    };
    let coverage = Coverage::Exhaustive {
        bound: builder.preemption_bound,
        limits: limits(builder),
        cut,
    };
    Ok(tally.finish(model, coverage, seconds, deadlock))
}

/// loom's model builder: its settings (preemption bound, limits) for one exploration.
pub type ModelBuilder = ::loom::model::Builder;

/// The environment variables loom's [`ModelBuilder::new`] reads and parses (panicking on a value
/// it cannot parse), each with what it must be.
const LOOM_VARIABLES: [(&str, &str); 5] = [
    ("LOOM_MAX_PREEMPTIONS", "a non-negative integer"),
    ("LOOM_MAX_PERMUTATIONS", "a non-negative integer"),
    ("LOOM_MAX_BRANCHES", "a non-negative integer"),
    ("LOOM_CHECKPOINT_INTERVAL", "a positive integer"),
    ("LOOM_MAX_DURATION", "a whole number of seconds"),
];

/// loom's default `max_branches` (not exported by loom 0.7).
const LOOM_DEFAULT_MAX_BRANCHES: usize = 1_000;

/// A loom environment variable set to a value loom would reject.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{variable}={value:?} is not {expected}")]
pub struct LoomSettingError {
    /// The variable.
    pub variable: &'static str,
    /// Its value.
    pub value: String,
    /// What it must be.
    pub expected: &'static str,
}

/// loom's builder as its environment variables set it, with `default_bound` as the preemption
/// bound when `LOOM_MAX_PREEMPTIONS` is unset (`None`: every interleaving). Every variable loom
/// reads is checked first, as loom parses it (no spaces), so a bad value is an error here
/// instead of a panic inside loom.
///
/// # Errors
/// [`LoomSettingError`] naming the first variable loom would reject.
pub fn model_builder(default_bound: Option<usize>) -> Result<ModelBuilder, LoomSettingError> {
    for (variable, _) in LOOM_VARIABLES {
        if let Some(value) = std::env::var_os(variable) {
            check_loom_variable(variable, &value.to_string_lossy())?;
        }
    }
    let mut builder = ModelBuilder::new();
    if std::env::var_os("LOOM_MAX_PREEMPTIONS").is_none() {
        builder.preemption_bound = default_bound;
    }
    // Blocked threads remember where they blocked, so that a deadlock names the caller's line
    // (the facade's lock operations are #[track_caller]), for a few percent of the time.
    builder.location = true;
    Ok(builder)
}

/// Whether loom would accept `value` for its variable `variable`, parsed exactly as loom
/// parses it (Rust's integer parsing: no spaces, no minus).
///
/// # Errors
/// [`LoomSettingError`] when loom would reject it (or the variable is not one loom reads).
pub fn check_loom_variable(variable: &str, value: &str) -> Result<(), LoomSettingError> {
    let Some(&(variable, expected)) = LOOM_VARIABLES.iter().find(|(name, _)| *name == variable)
    else {
        return Err(LoomSettingError {
            variable: "(unknown)",
            value: format!("{variable}={value}"),
            expected: "one of loom's variables",
        });
    };
    let valid = match variable {
        "LOOM_MAX_DURATION" => value.parse::<u64>().is_ok(),
        "LOOM_CHECKPOINT_INTERVAL" => value.parse::<usize>().is_ok_and(|n| n > 0),
        _ => value.parse::<usize>().is_ok(),
    };
    if valid {
        Ok(())
    } else {
        Err(LoomSettingError {
            variable,
            value: value.to_owned(),
            expected,
        })
    }
}

/// The settings of `builder` besides the bound that can cut an exploration short, as
/// `name=value` pairs for the verdict line (none when loom's defaults are in force).
fn limits(builder: &ModelBuilder) -> Vec<(String, String)> {
    let mut limits = Vec::new();
    if let Some(permutations) = builder.max_permutations {
        limits.push(("max_permutations".to_owned(), permutations.to_string()));
    }
    if let Some(duration) = builder.max_duration {
        limits.push((
            "max_duration_s".to_owned(),
            duration.as_secs_f64().to_string(),
        ));
    }
    if builder.max_branches != LOOM_DEFAULT_MAX_BRANCHES {
        limits.push(("max_branches".to_owned(), builder.max_branches.to_string()));
    }
    limits
}

/// Runs `execution` once per interleaving `builder` lets loom explore, and says whether the
/// exploration may have been cut short: loom stops early, silently, when it reaches
/// `max_permutations` or `max_duration` (checked every `checkpoint_interval` executions), so
/// an exploration that reached either limit is reported as possibly cut, with the limit. Loom
/// cannot tell the harness whether it had finished anyway, so this errs towards "cut".
fn explore_every_interleaving(
    builder: &ModelBuilder,
    execution: impl Fn() + Sync + Send + 'static,
    executions: impl FnOnce() -> u64,
) -> Option<String> {
    let started = std::time::Instant::now();
    builder.check(execution);
    let elapsed = started.elapsed();
    let ran = executions();
    if let Some(max) = builder.max_permutations {
        // loom numbers executions from 1 and stops when the next one's number reaches the limit.
        if ran.saturating_add(1) >= u64::try_from(max).unwrap_or(u64::MAX) {
            return Some(format!(
                "loom's max_permutations ({max}) was reached after {ran} executions"
            ));
        }
    }
    if let Some(max) = builder.max_duration
        && elapsed >= max
    {
        return Some(format!(
            "loom's max_duration ({} s) was reached after {ran} executions",
            max.as_secs_f64()
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loom_variables_are_checked_as_loom_parses_them() {
        assert!(check_loom_variable("LOOM_MAX_PREEMPTIONS", "2").is_ok());
        assert!(check_loom_variable("LOOM_MAX_DURATION", "5").is_ok());
        for bad in [" 2", "2 ", "-1", "abc", "", "1.5"] {
            let error = check_loom_variable("LOOM_MAX_PREEMPTIONS", bad).unwrap_err();
            assert_eq!(error.value, bad);
            assert!(
                error.to_string().starts_with("LOOM_MAX_PREEMPTIONS="),
                "{error}"
            );
        }
        assert!(check_loom_variable("LOOM_CHECKPOINT_INTERVAL", "0").is_err());
        assert!(check_loom_variable("LOOM_MAX_DURATION", "0.5").is_err());
    }
}
