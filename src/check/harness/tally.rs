//! What a checker's executions added up to, kept as they arrive: violations per property, the
//! first and the shortest counterexample of each, witnesses, and the validation of every log.
//! The loom driver (`explore`) and the shuttle driver (`sample`) both count with it.

use std::time::Instant;

use crate::check::harness::model::{Model, Violation};
use crate::check::harness::report::{Counterexample, Coverage, Exploration, PropertyOutcome};

/// A counterexample before its timeline is rendered: rendering waits for the end, since
/// the shortest one is replaced many times on the way.
struct Kept<M: Model> {
    execution: u64,
    steps: Vec<M::Step>,
    violation: Violation<M::Property>,
    schedule: Option<String>,
}

impl<M: Model> Clone for Kept<M> {
    fn clone(&self) -> Self {
        Self {
            execution: self.execution,
            steps: self.steps.clone(),
            violation: self.violation.clone(),
            schedule: self.schedule.clone(),
        }
    }
}

struct Found<M: Model> {
    property: M::Property,
    violations: u64,
    first: Option<Kept<M>>,
    shortest: Option<Kept<M>>,
}

/// The running count of one model's executions.
pub(crate) struct Tally<M: Model> {
    pub(crate) executions: u64,
    /// Executions that violated at least one property.
    pub(crate) violating: u64,
    found: Vec<Found<M>>,
    witnessed: Vec<(&'static str, u64)>,
    validated: u64,
    rejected: u64,
    first_rejection: Option<(u64, String)>,
    validation_seconds: f64,
    pub(crate) error: Option<M::Error>,
}

impl<M: Model> Tally<M> {
    /// An empty count of `model`'s properties and witnesses.
    pub(crate) fn new(model: &M) -> Self {
        Self {
            executions: 0,
            violating: 0,
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
        }
    }

    /// Counts execution number `execution`, whose log is `steps`. True when its log became the
    /// first or the shortest counterexample of some property, so that a checker which can
    /// replay it (shuttle) knows to keep its schedule.
    pub(crate) fn count(&mut self, execution: u64, model: &M, steps: &[M::Step]) -> bool {
        let mut kept_any = false;
        let violations = model.check(steps);
        self.violating += u64::from(!violations.is_empty());
        for violation in violations {
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
            kept_any = true;
            let kept = Kept {
                execution,
                steps: steps.to_vec(),
                violation,
                schedule: None,
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
        kept_any
    }

    /// Gives the counterexamples of execution number `execution` the schedule that replays it.
    #[cfg_attr(not(shuttle), allow(dead_code))]
    pub(crate) fn attach_schedule(&mut self, execution: u64, schedule: &str) {
        let kept = self
            .found
            .iter_mut()
            .flat_map(|found| [found.first.as_mut(), found.shortest.as_mut()])
            .flatten();
        for example in kept.filter(|example| example.execution == execution) {
            example.schedule = Some(schedule.to_owned());
        }
    }

    /// The report of the run: counterexamples rendered, nothing left behind.
    pub(crate) fn finish(self, model: M, coverage: Coverage, seconds: f64) -> Exploration<M> {
        let render = |kept: Kept<M>| {
            let timeline = model.timeline(&kept.steps, std::slice::from_ref(&kept.violation));
            Counterexample {
                execution: kept.execution,
                steps: kept.steps,
                violation: kept.violation,
                schedule: kept.schedule,
                timeline,
            }
        };
        let outcomes = self
            .found
            .into_iter()
            .map(|found| PropertyOutcome {
                property: found.property,
                violations: found.violations,
                first: found.first.map(render),
                shortest: found.shortest.map(render),
            })
            .collect();
        Exploration {
            model,
            coverage,
            executions: self.executions,
            seconds,
            outcomes,
            witnessed: self.witnessed,
            validated: self.validated,
            rejected: self.rejected,
            first_rejection: self.first_rejection,
            validation_seconds: self.validation_seconds,
        }
    }
}
