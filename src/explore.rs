//! Exhaustive exploration with loom: every interleaving of a scenario (or every one within a
//! preemption bound), every property checked on each, violations counted without stopping.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc as StdArc, Mutex as StdMutex, PoisonError};
use std::time::Instant;

use thiserror::Error;

use crate::error::StoreError;
use crate::execution::execute;
use crate::invariant::{Property, Violation, check};
use crate::protocol::Variant;
use crate::scenario::Scenario;
use crate::schedule::{FreeRun, ScriptError, format_script, script_of};
use crate::svg::render_svg;
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

/// An execution in which a property failed.
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

    /// The execution as an SVG sequence diagram titled `title`, the failing step in red.
    pub fn svg(&self, title: &str) -> String {
        render_svg(title, &self.steps, self.endpoints, Some(&self.violation))
    }

    /// The script that replays this execution on real threads (see `replay::replay`), as text.
    ///
    /// # Errors
    /// [`ScriptError::GaveUp`] when the execution needs an Enactor to exhaust its retries.
    pub fn script(&self) -> Result<String, ScriptError> {
        script_of(&self.steps).map(|script| format_script(&script))
    }
}

/// What the exploration found for one property.
#[derive(Debug, Clone)]
pub struct PropertyOutcome {
    /// The property.
    pub property: Property,
    /// Executions in which it failed.
    pub violations: u64,
    /// The first of them in loom's order.
    pub first: Option<Counterexample>,
    /// The one with the fewest steps (the earliest among equals).
    pub shortest: Option<Counterexample>,
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

    /// Every verdict line, each violated one followed by its first counterexample's timeline
    /// and, when it is a different execution, the shortest one's.
    pub fn report(&self) -> String {
        let mut report = String::new();
        for outcome in &self.outcomes {
            report.push_str(&self.verdict_line(outcome));
            report.push('\n');
            if let Some(first) = &outcome.first {
                report.push_str(&self.describe("first", outcome.property, first));
            }
            match (&outcome.first, &outcome.shortest) {
                (Some(first), Some(shortest)) if shortest.execution != first.execution => {
                    report.push_str(&self.describe("shortest", outcome.property, shortest));
                }
                (Some(_), Some(_)) => {
                    report.push_str("(the first counterexample is also the shortest)\n\n")
                }
                _ => {}
            }
        }
        report
    }

    /// `<variant>-<property>-<config>`: the file name, without extension, of a counterexample.
    pub fn file_stem(&self, property: Property) -> String {
        format!("{}-{}-{}", self.variant, property, self.scenario)
    }

    /// Writes each violated property's shortest counterexample into `dir` as
    /// `<variant>-<property>-<config>.txt` (timeline, replay script, then the first
    /// counterexample) and `.svg` (sequence diagram). Returns the paths written.
    ///
    /// # Errors
    /// Any I/O error creating `dir` or writing a file.
    pub fn write_counterexamples(&self, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir)?;
        let mut written = Vec::new();
        for outcome in &self.outcomes {
            let (Some(first), Some(shortest)) = (&outcome.first, &outcome.shortest) else {
                continue;
            };
            let stem = self.file_stem(outcome.property);
            let mut text = format!("{}\n\n", self.verdict_line(outcome));
            text.push_str(&self.describe("shortest", outcome.property, shortest));
            text.push_str(&match shortest.script() {
                Ok(script) => format!(
                    "To replay on real threads: planrace::replay::replay(Variant::{}, \
                     \"{}\".parse()?, parse_script(line)?), with the line below \
                     (see docs/variants.md).\nreplay-script: {script}\n\n",
                    self.variant, self.scenario
                ),
                Err(reason) => format!("Not replayable on real threads: {reason}\n\n"),
            });
            if first.execution != shortest.execution {
                text.push_str(&self.describe("first", outcome.property, first));
            }
            let txt = dir.join(format!("{stem}.txt"));
            std::fs::write(&txt, text)?;
            let title = format!(
                "{} {} {}: shortest counterexample ({} steps, execution {} of {})",
                self.variant,
                outcome.property,
                self.scenario,
                shortest.steps.len(),
                shortest.execution,
                self.executions
            );
            let svg = dir.join(format!("{stem}.svg"));
            std::fs::write(&svg, shortest.svg(&title))?;
            written.extend([txt, svg]);
        }
        Ok(written)
    }

    fn describe(&self, which: &str, property: Property, example: &Counterexample) -> String {
        format!(
            "{which} counterexample for {} {property} {} (execution {} of {}, {} steps):\n{}\n",
            self.variant,
            self.scenario,
            example.execution,
            self.executions,
            example.steps.len(),
            example.timeline()
        )
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
                shortest: None,
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
                // Copy the log only when it becomes the first or the shortest counterexample.
                let shorter = outcome
                    .shortest
                    .as_ref()
                    .is_none_or(|s| steps.len() < s.steps.len());
                if !shorter && outcome.first.is_some() {
                    continue;
                }
                let example = Counterexample {
                    execution,
                    steps: steps.clone(),
                    violation,
                    endpoints: scenario.endpoints(),
                };
                if shorter {
                    outcome.shortest = Some(example.clone());
                }
                outcome.first.get_or_insert(example);
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
