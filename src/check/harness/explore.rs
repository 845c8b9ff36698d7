//! The loom driver (`--cfg loom`): every interleaving of a [`Model`], every property checked
//! on each, violations and witnesses counted, counterexamples kept.

use std::io::Write as _;
use std::sync::{Arc as StdArc, Mutex as StdMutex, PoisonError};
use std::time::Instant;

use crate::check::harness::model::{Model, Violation};
use crate::check::harness::report::{Counterexample, Exploration, PropertyOutcome};
use crate::sync::explore_every_interleaving;

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
    validated: u64,
    rejected: u64,
    first_rejection: Option<(u64, String)>,
    validation_seconds: f64,
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
        let validating = Instant::now();
        let validation = model.validate(steps);
        self.validation_seconds += validating.elapsed().as_secs_f64();
        match validation {
            Ok(true) => self.validated += 1,
            Ok(false) => {}
            Err(reason) => {
                self.rejected += 1;
                self.first_rejection.get_or_insert((execution, reason));
            }
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
        validated: 0,
        rejected: 0,
        first_rejection: None,
        validation_seconds: 0.0,
        error: None,
    }));
    let started = Instant::now();
    let (in_model, in_tally) = (model.clone(), StdArc::clone(&tally));
    explore_every_interleaving(bound, move || {
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
        validated: tally.validated,
        rejected: tally.rejected,
        first_rejection: tally.first_rejection.take(),
        validation_seconds: tally.validation_seconds,
    })
}
