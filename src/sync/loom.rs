//! The loom backend (`--cfg loom`): every lock, spawn and yield is a scheduling point that
//! loom's model checker branches on.
//!
//! Facts about loom that the rest of the crate relies on, measured here:
//! - at most 5 threads per execution, the model's main thread included; a 6th spawn aborts the
//!   process ([`SPAWN_LIMIT`]);
//! - unlocking is not a scheduling point: a critical section with no other synchronization
//!   inside is atomic under loom, so [`Mutex::try_lock`] never finds such a lock taken
//!   (docs/model.md, "What loom does not explore");
//! - `SeqCst` is treated as `AcqRel`.

/// Threads this backend can spawn besides the calling one: loom runs at most 5 threads per
/// execution, the model's main thread included.
pub const SPAWN_LIMIT: Option<usize> = Some(4);

/// Why [`SPAWN_LIMIT`] is what it is.
pub const SPAWN_LIMIT_REASON: &str =
    "loom runs at most 5 threads: the Planner on the main thread and 4 Enactors";

poison_free_mutex!(loom);

/// Thread spawn, join and yield on loom's scheduler.
pub mod thread {
    pub use ::loom::thread::{JoinHandle, spawn, yield_now};
}

/// loom's atomics: every load, store and read-modify-write is a scheduling point, and loom
/// explores the values a load may see under the orderings given (`SeqCst` treated as
/// `AcqRel`).
pub mod atomic {
    pub use ::loom::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
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
    // (the facade's lock operations are #[track_caller]). Measured cost: about 5% (Buggy
    // 2E1P4G2K, 6.2 s against 5.8 s).
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
pub(crate) fn limits(builder: &ModelBuilder) -> Vec<(String, String)> {
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
pub(crate) fn explore_every_interleaving(
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
    if let Some(max) = builder.max_duration {
        if elapsed >= max {
            return Some(format!(
                "loom's max_duration ({} s) was reached after {ran} executions",
                max.as_secs_f64()
            ));
        }
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
