//! Exhaustive exploration with loom: every interleaving of a scenario (or every one within a
//! preemption bound), every property checked on each, violations counted without stopping.

use std::io::Write as _;
use std::sync::{Arc as StdArc, Mutex as StdMutex, PoisonError};
use std::time::Instant;

use thiserror::Error;

use crate::error::StoreError;
use crate::execution::execute;
use crate::invariant::{Property, Violation, check};
use crate::protocol::Variant;
use crate::scenario::Scenario;
use crate::schedule::FreeRun;
use crate::trace::{Step, Trace, render_timeline};

/// A progress line goes to stderr after every this many executions.
pub const PROGRESS_EVERY: u64 = 20_000;

/// Why an exploration could not run or finish.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ExploreError {
    /// `LOOM_MAX_PREEMPTIONS` is set to something that is not a number.
    #[error("LOOM_MAX_PREEMPTIONS={value:?} is not a non-negative integer")]
    BadBound {
        /// The variable's value.
        value: String,
    },
    /// An execution failed outside the protocol (the Planner's generations were not increasing).
    #[error("an execution failed: {0}")]
    Run(#[from] StoreError),
}

/// The preemption bound to explore with: `LOOM_MAX_PREEMPTIONS` when it is set, `default`
/// otherwise (`None`: no bound, a fully exhaustive exploration).
///
/// # Errors
/// [`ExploreError::BadBound`] when the variable is set but not a number.
pub fn preemption_bound(default: Option<usize>) -> Result<Option<usize>, ExploreError> {
    match std::env::var("LOOM_MAX_PREEMPTIONS") {
        Ok(value) => value
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| ExploreError::BadBound { value }),
        Err(_) => Ok(default),
    }
}

/// The first execution in which a property failed.
#[derive(Debug, Clone)]
pub struct Counterexample {
    /// Which execution it was, counting from 1 in loom's exploration order.
    pub execution: u64,
    /// The execution's full log.
    pub steps: Vec<Step>,
    /// Where the property failed.
    pub violation: Violation,
    endpoints: usize,
}

impl Counterexample {
    /// The execution as a timeline, the failing step marked.
    pub fn timeline(&self) -> String {
        render_timeline(
            &self.steps,
            self.endpoints,
            std::slice::from_ref(&self.violation),
        )
    }
}

/// What the exploration found for one property.
#[derive(Debug, Clone)]
pub struct PropertyOutcome {
    /// The property.
    pub property: Property,
    /// Executions in which it failed.
    pub violations: u64,
    /// The first of them.
    pub first: Option<Counterexample>,
}

impl PropertyOutcome {
    /// True when no explored execution violated the property.
    pub fn holds(&self) -> bool {
        self.violations == 0
    }
}

/// The result of exploring one variant on one scenario.
#[derive(Debug, Clone)]
pub struct Exploration {
    /// The protocol explored.
    pub variant: Variant,
    /// The configuration explored.
    pub scenario: Scenario,
    /// The preemption bound; `None` means every interleaving was explored.
    pub bound: Option<usize>,
    /// Complete executions explored.
    pub executions: u64,
    /// Wall-clock time of the exploration.
    pub seconds: f64,
    /// One outcome per property, in [`Property::ALL`] order.
    pub outcomes: Vec<PropertyOutcome>,
}

impl Exploration {
    /// The outcome for `property`.
    pub fn outcome(&self, property: Property) -> Option<&PropertyOutcome> {
        self.outcomes.iter().find(|o| o.property == property)
    }

    /// The `planrace-verdict` line for one outcome.
    pub fn verdict_line(&self, outcome: &PropertyOutcome) -> String {
        format!(
            "planrace-verdict variant={} property={} config={} bound={} executions={} violations={} verdict={} seconds={:.3}",
            self.variant,
            outcome.property,
            self.scenario,
            self.bound
                .map_or_else(|| "none".to_owned(), |b| b.to_string()),
            self.executions,
            outcome.violations,
            if outcome.holds() { "holds" } else { "violated" },
            self.seconds,
        )
    }

    /// Every verdict line, each violated one followed by its first counterexample's timeline.
    pub fn report(&self) -> String {
        let mut report = String::new();
        for outcome in &self.outcomes {
            report.push_str(&self.verdict_line(outcome));
            report.push('\n');
            if let Some(example) = &outcome.first {
                report.push_str(&format!(
                    "counterexample for {} {} {} (execution {} of {}):\n{}\n",
                    self.variant,
                    outcome.property,
                    self.scenario,
                    example.execution,
                    self.executions,
                    example.timeline()
                ));
            }
        }
        report
    }
}

struct Tally {
    executions: u64,
    outcomes: Vec<PropertyOutcome>,
    error: Option<StoreError>,
}

/// Explores every interleaving of `scenario` under `variant` (within `bound` preemptions, if
/// given), checks every property on each execution, and counts the violations.
///
/// # Errors
/// [`ExploreError::Run`] if an execution failed outside the protocol.
pub fn explore(
    variant: Variant,
    scenario: Scenario,
    bound: Option<usize>,
) -> Result<Exploration, ExploreError> {
    let tally = StdArc::new(StdMutex::new(Tally {
        executions: 0,
        outcomes: Property::ALL
            .map(|property| PropertyOutcome {
                property,
                violations: 0,
                first: None,
            })
            .to_vec(),
        error: None,
    }));
    let started = Instant::now();
    let mut builder = loom::model::Builder::new();
    builder.preemption_bound = bound;
    let model_tally = StdArc::clone(&tally);
    builder.check(move || {
        let trace = StdArc::new(Trace::recording());
        let result = execute(
            &scenario,
            variant,
            StdArc::new(FreeRun),
            StdArc::clone(&trace),
        );
        let mut tally = model_tally.lock().unwrap_or_else(PoisonError::into_inner);
        tally.executions += 1;
        let execution = tally.executions;
        if let Err(error) = result {
            tally.error.get_or_insert(error);
            return;
        }
        let steps = trace.steps();
        for violation in check(&steps, scenario.endpoints()) {
            if let Some(outcome) = tally
                .outcomes
                .iter_mut()
                .find(|o| o.property == violation.property)
            {
                outcome.violations += 1;
                outcome.first.get_or_insert_with(|| Counterexample {
                    execution,
                    steps: steps.clone(),
                    violation,
                    endpoints: scenario.endpoints(),
                });
            }
        }
        if execution % PROGRESS_EVERY == 0 {
            // Straight to stderr: the test harness would hold eprintln! back until the end.
            let _ = writeln!(
                std::io::stderr(),
                "planrace: exploring {variant} {scenario}: {execution} executions, {:.1} s",
                started.elapsed().as_secs_f64()
            );
        }
    });
    let seconds = started.elapsed().as_secs_f64();
    let mut tally = tally.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(error) = tally.error.take() {
        return Err(error.into());
    }
    Ok(Exploration {
        variant,
        scenario,
        bound,
        executions: tally.executions,
        seconds,
        outcomes: std::mem::take(&mut tally.outcomes),
    })
}
