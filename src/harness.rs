//! The checking harness, independent of the DNS protocol: a [`Model`] says how to run one
//! execution and what must hold of its log; `explore` (under `--cfg loom`) runs every
//! interleaving, counts violations and keeps counterexamples; [`Exploration`] prints
//! `planrace-verdict` lines; [`Timeline`] lays a log out in columns, one per thread.
//!
//! planrace's own protocol is one such model (`explore::ProtocolModel`);
//! docs/checking-your-own-updater.md and `examples/config_gc.rs` check a different one with
//! the same pieces.

use std::fmt::{self, Write as _};
use std::sync::{Mutex as StdMutex, PoisonError};

/// A system to check: how one execution runs, and what must hold of the log it leaves.
///
/// `execute` runs inside loom's model closure, so it must build every loom object it uses
/// itself, on every call, through [`crate::sync`].
pub trait Model: Send + Sync + 'static {
    /// One entry of an execution's log.
    type Step: Clone + fmt::Debug + Send + 'static;
    /// A property that every execution must satisfy.
    type Property: Copy + Eq + fmt::Debug + fmt::Display + Send + 'static;
    /// Why an execution could not run at all (a fault of the harness, not of the protocol).
    type Error: std::error::Error + Send + 'static;

    /// The name of the protocol variant, for the verdict line's `variant=` field.
    fn variant(&self) -> String;

    /// The configuration, for the verdict line's `config=` field.
    fn config(&self) -> String;

    /// Every property, in the order verdicts are printed.
    fn properties(&self) -> Vec<Self::Property>;

    /// Runs one execution and returns its log.
    ///
    /// # Errors
    /// When the execution could not run; the exploration then returns the first such error
    /// instead of verdicts.
    fn execute(&self) -> Result<Vec<Self::Step>, Self::Error>;

    /// Every property that `steps` violates, each at most once, at the step where it broke.
    fn check(&self, steps: &[Self::Step]) -> Vec<Violation<Self::Property>>;

    /// `steps` as a timeline, each violation marked under its step.
    fn timeline(&self, steps: &[Self::Step], violations: &[Violation<Self::Property>]) -> String;

    /// Names of the situations that make a "holds" verdict meaningful (a stale writer, a
    /// deletion, a lost race...): the exploration counts the executions that reach each one.
    fn witnesses(&self) -> &'static [&'static str] {
        &[]
    }

    /// Which of [`Model::witnesses`] the execution logged in `steps` reached.
    fn witnessed(&self, _steps: &[Self::Step]) -> Vec<&'static str> {
        Vec::new()
    }
}

/// Where and how a property failed in one execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation<P> {
    /// The property that failed.
    pub property: P,
    /// Index of the step in the log at which it failed.
    pub step: usize,
    /// What was wrong, in a few words.
    pub detail: String,
}

/// An execution's log, shared by its threads.
///
/// It sits behind a `std::sync::Mutex`, outside the facade on purpose: instrumentation must not
/// add scheduling points for loom to explore. Append a step while still holding the protocol
/// lock that protects what the step changed, and the log's order is an order in which the steps
/// really took effect.
#[derive(Debug)]
pub struct Log<S> {
    steps: StdMutex<Vec<S>>,
}

impl<S> Default for Log<S> {
    fn default() -> Self {
        Self {
            steps: StdMutex::new(Vec::new()),
        }
    }
}

impl<S: Clone> Log<S> {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a step.
    pub fn record(&self, step: S) {
        self.lock().push(step);
    }

    /// A copy of the steps recorded so far.
    pub fn steps(&self) -> Vec<S> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<S>> {
        // A panic while pushing leaves a complete Vec behind, so a poisoned log is still valid.
        self.steps.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A preemption bound as verdict lines and docs/verdicts.md print it: the number, or `none`
/// when every interleaving was explored.
pub fn bound_label(bound: Option<usize>) -> String {
    bound.map_or_else(|| "none".to_owned(), |b| b.to_string())
}

/// The width a timeline is laid out for.
pub const TIMELINE_WIDTH: usize = 100;

/// Width of the step-number gutter in a timeline.
const GUTTER: usize = 5;

/// A timeline under construction: a column per thread, a row per step, indented lines for the
/// state after a step and for the properties it broke. Laid out for [`TIMELINE_WIDTH`] columns.
#[derive(Debug, Clone)]
pub struct Timeline {
    lanes: Vec<String>,
    column: usize,
    text: String,
}

impl Timeline {
    /// A timeline with a column for each of `lanes` (thread names, in column order).
    pub fn new(lanes: Vec<String>) -> Self {
        let column = (TIMELINE_WIDTH - GUTTER) / lanes.len().max(1);
        Self {
            lanes,
            column,
            text: String::new(),
        }
    }

    /// A line of its own, outside the columns (a summary of the setup, say).
    pub fn line(&mut self, text: &str) {
        let _ = writeln!(self.text, "{text}");
    }

    /// The column headings and a rule under them.
    pub fn header(&mut self) {
        let mut header = format!("{:<GUTTER$}", "step");
        for lane in &self.lanes {
            let _ = write!(header, "{lane:<width$}", width = self.column);
        }
        let _ = writeln!(self.text, "{}", header.trim_end());
        let _ = writeln!(
            self.text,
            "{}",
            "-".repeat(GUTTER + self.column * self.lanes.len())
        );
    }

    /// Step number `index`, taken by the thread in column `lane`.
    pub fn step(&mut self, index: usize, lane: usize, event: impl fmt::Display) {
        let row = format!(
            "{index:<GUTTER$}{:indent$}{event}",
            "",
            indent = lane.min(self.lanes.len().saturating_sub(1)) * self.column
        );
        let _ = writeln!(self.text, "{}", row.trim_end());
    }

    /// The state after the last step, on an indented `=>` line.
    pub fn state(&mut self, state: impl fmt::Display) {
        let _ = writeln!(self.text, "{:GUTTER$}=> {state}", "");
    }

    /// Marks `violation` under the last step.
    pub fn violated<P: fmt::Display>(&mut self, violation: &Violation<P>) {
        let _ = writeln!(
            self.text,
            "{:GUTTER$}^^^ {} violated: {}",
            "", violation.property, violation.detail
        );
    }

    /// The rendered timeline.
    pub fn finish(self) -> String {
        self.text
    }
}

/// An execution in which a property failed.
#[derive(Debug, Clone)]
pub struct Counterexample<M: Model> {
    /// Which execution it was, counting from 1 in loom's exploration order.
    pub execution: u64,
    /// The execution's full log.
    pub steps: Vec<M::Step>,
    /// Where the property failed.
    pub violation: Violation<M::Property>,
    timeline: String,
}

impl<M: Model> Counterexample<M> {
    /// The execution as a timeline, the failing step marked.
    pub fn timeline(&self) -> &str {
        &self.timeline
    }
}

/// What the exploration found for one property.
#[derive(Debug, Clone)]
pub struct PropertyOutcome<M: Model> {
    /// The property.
    pub property: M::Property,
    /// Executions in which it failed.
    pub violations: u64,
    /// The first of them in loom's order.
    pub first: Option<Counterexample<M>>,
    /// The one with the fewest steps (the earliest among equals).
    pub shortest: Option<Counterexample<M>>,
}

impl<M: Model> PropertyOutcome<M> {
    /// True when no explored execution violated the property.
    pub fn holds(&self) -> bool {
        self.violations == 0
    }

    /// The verdict as verdict lines print it: `holds` or `violated`.
    pub fn verdict(&self) -> &'static str {
        if self.holds() { "holds" } else { "violated" }
    }
}

/// The result of exploring one model.
#[derive(Debug, Clone)]
pub struct Exploration<M: Model> {
    /// The model explored.
    pub model: M,
    /// The preemption bound; `None` means every interleaving was explored.
    pub bound: Option<usize>,
    /// Complete executions explored.
    pub executions: u64,
    /// Wall-clock time of the exploration.
    pub seconds: f64,
    /// One outcome per property, in [`Model::properties`] order.
    pub outcomes: Vec<PropertyOutcome<M>>,
    /// For each of [`Model::witnesses`], the executions that reached it.
    pub witnessed: Vec<(&'static str, u64)>,
}

impl<M: Model> Exploration<M> {
    /// The outcome for `property`.
    pub fn outcome(&self, property: M::Property) -> Option<&PropertyOutcome<M>> {
        self.outcomes.iter().find(|o| o.property == property)
    }

    /// How many executions reached the witness called `name` (`None` for an unknown name).
    pub fn witness_count(&self, name: &str) -> Option<u64> {
        self.witnessed
            .iter()
            .find(|(witness, _)| *witness == name)
            .map(|(_, count)| *count)
    }

    /// The `planrace-verdict` line for one outcome, followed by the witness counts.
    pub fn verdict_line(&self, outcome: &PropertyOutcome<M>) -> String {
        let mut line = format!(
            "planrace-verdict variant={} property={} config={} bound={} executions={} violations={} verdict={} seconds={:.3}",
            self.model.variant(),
            outcome.property,
            self.model.config(),
            bound_label(self.bound),
            self.executions,
            outcome.violations,
            outcome.verdict(),
            self.seconds,
        );
        for (witness, count) in &self.witnessed {
            let _ = write!(line, " {witness}={count}");
        }
        line
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

    /// A counterexample, headed by what it is: `which` (first or shortest), the property, the
    /// execution's number and length.
    pub fn describe(
        &self,
        which: &str,
        property: M::Property,
        example: &Counterexample<M>,
    ) -> String {
        format!(
            "{which} counterexample for {} {property} {} (execution {} of {}, {} steps):\n{}\n",
            self.model.variant(),
            self.model.config(),
            example.execution,
            self.executions,
            example.steps.len(),
            example.timeline()
        )
    }
}

#[cfg(loom)]
pub use exploring::{PROGRESS_EVERY, explore};

#[cfg(loom)]
mod exploring {
    use std::io::Write as _;
    use std::sync::{Arc as StdArc, Mutex as StdMutex, PoisonError};
    use std::time::Instant;

    use super::{Counterexample, Exploration, Model, PropertyOutcome, Violation};

    /// A progress line goes to stderr after every this many executions.
    pub const PROGRESS_EVERY: u64 = 20_000;

    /// A counterexample before its timeline is rendered: rendering waits for the end, since
    /// the shortest one is replaced many times on the way.
    struct Kept<M: Model> {
        execution: u64,
        steps: Vec<M::Step>,
        violation: Violation<M::Property>,
    }

    impl<M: Model> Clone for Kept<M> {
        fn clone(&self) -> Self {
            Self {
                execution: self.execution,
                steps: self.steps.clone(),
                violation: self.violation.clone(),
            }
        }
    }

    struct Found<M: Model> {
        property: M::Property,
        violations: u64,
        first: Option<Kept<M>>,
        shortest: Option<Kept<M>>,
    }

    struct Tally<M: Model> {
        executions: u64,
        found: Vec<Found<M>>,
        witnessed: Vec<(&'static str, u64)>,
        error: Option<M::Error>,
    }

    impl<M: Model> Tally<M> {
        fn count(&mut self, execution: u64, model: &M, steps: &[M::Step]) {
            for violation in model.check(steps) {
                let Some(found) = self
                    .found
                    .iter_mut()
                    .find(|f| f.property == violation.property)
                else {
                    continue;
                };
                found.violations += 1;
                // Copy the log only when it becomes the first or the shortest counterexample.
                let shorter = found
                    .shortest
                    .as_ref()
                    .is_none_or(|s| steps.len() < s.steps.len());
                if !shorter && found.first.is_some() {
                    continue;
                }
                let kept = Kept {
                    execution,
                    steps: steps.to_vec(),
                    violation,
                };
                if shorter {
                    found.shortest = Some(kept.clone());
                }
                found.first.get_or_insert(kept);
            }
            for name in model.witnessed(steps) {
                if let Some((_, count)) = self.witnessed.iter_mut().find(|(w, _)| *w == name) {
                    *count += 1;
                }
            }
        }
    }

    fn render<M: Model>(model: &M, kept: Kept<M>) -> Counterexample<M> {
        let timeline = model.timeline(&kept.steps, std::slice::from_ref(&kept.violation));
        Counterexample {
            execution: kept.execution,
            steps: kept.steps,
            violation: kept.violation,
            timeline,
        }
    }

    /// Explores every interleaving of `model` (within `bound` preemptions, if given), checks
    /// every property on each execution, counts violations and witnesses, and keeps the first
    /// and the shortest counterexample of each property. A progress line goes to stderr every
    /// [`PROGRESS_EVERY`] executions.
    ///
    /// # Errors
    /// The first error an execution returned.
    pub fn explore<M: Model + Clone>(
        model: M,
        bound: Option<usize>,
    ) -> Result<Exploration<M>, M::Error> {
        let tally = StdArc::new(StdMutex::new(Tally::<M> {
            executions: 0,
            found: model
                .properties()
                .into_iter()
                .map(|property| Found {
                    property,
                    violations: 0,
                    first: None,
                    shortest: None,
                })
                .collect(),
            witnessed: model.witnesses().iter().map(|w| (*w, 0)).collect(),
            error: None,
        }));
        let started = Instant::now();
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = bound;
        let (in_model, in_tally) = (model.clone(), StdArc::clone(&tally));
        builder.check(move || {
            let result = in_model.execute();
            let mut tally = in_tally.lock().unwrap_or_else(PoisonError::into_inner);
            tally.executions += 1;
            let execution = tally.executions;
            match result {
                Ok(steps) => tally.count(execution, &in_model, &steps),
                Err(error) => {
                    tally.error.get_or_insert(error);
                }
            }
            if execution % PROGRESS_EVERY == 0 {
                // Straight to stderr: the test harness would hold eprintln! back until the end.
                let _ = writeln!(
                    std::io::stderr(),
                    "planrace: exploring {} {}: {execution} executions, {:.1} s",
                    in_model.variant(),
                    in_model.config(),
                    started.elapsed().as_secs_f64()
                );
            }
        });
        let seconds = started.elapsed().as_secs_f64();
        let mut tally = tally.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(error) = tally.error.take() {
            return Err(error);
        }
        let outcomes = std::mem::take(&mut tally.found)
            .into_iter()
            .map(|found| PropertyOutcome {
                property: found.property,
                violations: found.violations,
                first: found.first.map(|kept| render(&model, kept)),
                shortest: found.shortest.map(|kept| render(&model, kept)),
            })
            .collect();
        Ok(Exploration {
            model,
            bound,
            executions: tally.executions,
            seconds,
            outcomes,
            witnessed: std::mem::take(&mut tally.witnessed),
        })
    }
}
