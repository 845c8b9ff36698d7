//! What a checker's executions added up to, kept as they arrive: violations per property, the
//! first and the shortest counterexample of each, witnesses, and the validation of every log.
//! The loom driver (`explore`) and the shuttle driver (`sample`) both count with it, and
//! share it between the model's executions behind [`SharedTally`].

use std::sync::{Arc, Mutex as StdMutex, PoisonError};
use std::time::Instant;

use crate::check::harness::deadlock::{Blocked, Deadlock};
use crate::check::harness::error::{CheckError, panic_message};
use crate::check::harness::log::Log;
use crate::check::harness::model::{Model, Violation};
use crate::check::harness::report::{Counterexample, Coverage, Exploration, PropertyOutcome};

/// A counterexample before its timeline is rendered: rendering waits for the end, since
/// the shortest one is replaced many times on the way.
struct Kept<M: Model> {
    execution: u64,
    steps: Vec<M::Step>,
    violation: Violation<M::Property>,
    violations: Vec<Violation<M::Property>>,
    schedule: Option<String>,
}

impl<M: Model> Clone for Kept<M> {
    fn clone(&self) -> Self {
        Self {
            execution: self.execution,
            steps: self.steps.clone(),
            violation: self.violation.clone(),
            violations: self.violations.clone(),
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
    pub(crate) error: Option<CheckError<M::Error>>,
    /// The execution under way and its log, for the report of a panic.
    running: Option<(u64, Log<M::Step>)>,
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
            running: None,
        }
    }

    /// Starts execution number `execution` (counting from 1) with a fresh log, kept here so
    /// that a panic can be reported with what the execution had logged.
    pub(crate) fn start(&mut self, execution: u64) -> Log<M::Step> {
        self.executions = execution;
        let log = Log::new();
        self.running = Some((execution, log.clone()));
        log
    }

    /// Ends the execution under way: counts its log, or keeps its error. True when the log
    /// became a counterexample worth keeping (see [`Tally::count`]).
    pub(crate) fn finish_execution(
        &mut self,
        model: &M,
        result: Result<(), M::Error>,
        log: &Log<M::Step>,
    ) -> bool {
        let execution = self.executions;
        self.running = None;
        match result {
            Ok(()) => self.count(execution, model, log.take()),
            Err(source) => {
                self.error
                    .get_or_insert(CheckError::Execution { execution, source });
                false
            }
        }
    }

    /// Gives up the execution under way (its log is dropped) and returns its number.
    #[cfg(any(loom, planrace_docs))]
    pub(crate) fn abandon_running(&mut self) -> u64 {
        self.running
            .take()
            .map_or(self.executions, |(execution, _)| execution)
    }

    /// The error for a panic that escaped the checker: the execution under way, its message,
    /// and its log so far as a timeline. Not printed here: the panic hook was quiet
    /// ([`quietly`](crate::check::harness::quiet::quietly)), so whoever shows the error shows
    /// the panic, once.
    pub(crate) fn panicked(
        &mut self,
        model: &M,
        payload: &(dyn std::any::Any + Send),
    ) -> CheckError<M::Error> {
        let (execution, timeline) = self.take_running(model);
        CheckError::Panicked {
            execution,
            message: panic_message(payload),
            timeline,
        }
    }

    /// The execution under way deadlocked with `blocked` threads: the deadlock, with what it
    /// had logged.
    pub(crate) fn deadlocked(&mut self, model: &M, blocked: Vec<Blocked>) -> Deadlock {
        let (execution, timeline) = self.take_running(model);
        Deadlock {
            execution,
            blocked,
            timeline,
            schedule: None,
        }
    }

    /// The execution under way, ended by a panic or a deadlock: its number, and what it had
    /// logged as the model's timeline.
    fn take_running(&mut self, model: &M) -> (u64, String) {
        let (execution, log) = self.running.take().unwrap_or((self.executions, Log::new()));
        (execution, model.timeline(&log.steps(), &[]))
    }

    /// Counts execution number `execution`, whose log is `steps`. True when its log became the
    /// first or the shortest counterexample of some property, so that a checker which can
    /// replay it (shuttle) knows to keep its schedule.
    fn count(&mut self, execution: u64, model: &M, steps: Vec<M::Step>) -> bool {
        let validating = Instant::now();
        let validation = model.validate(&steps);
        self.validation_seconds += validating.elapsed().as_secs_f64();
        match validation {
            Ok(true) => self.validated += 1,
            Ok(false) => {}
            Err(reason) => {
                self.rejected += 1;
                self.first_rejection.get_or_insert((execution, reason));
            }
        }
        let mut unlisted_witnesses = Vec::new();
        for name in model.witnessed(&steps) {
            match self.witnessed.iter_mut().find(|(w, _)| *w == name) {
                Some((_, count)) => *count += 1,
                None => unlisted_witnesses.push(name.to_owned()),
            }
        }
        let violations = first_of_each_property(model.check(&steps));
        // Where each violated property is counted; `None` for one the model does not list.
        let slots: Vec<Option<usize>> = violations
            .iter()
            .map(|v| self.found.iter().position(|f| f.property == v.property))
            .collect();
        let listed = slots.iter().copied().collect::<Option<Vec<usize>>>();
        let (Some(listed), true) = (listed, unlisted_witnesses.is_empty()) else {
            self.error.get_or_insert(CheckError::Unlisted {
                execution,
                properties: violations
                    .iter()
                    .zip(&slots)
                    .filter(|(_, slot)| slot.is_none())
                    .map(|(v, _)| v.property.to_string())
                    .collect(),
                witnesses: unlisted_witnesses,
            });
            return false;
        };
        self.violating += u64::from(!violations.is_empty());
        let mut kept_any = false;
        for (violation, slot) in violations.iter().cloned().zip(listed) {
            let found = &mut self.found[slot];
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
                steps: steps.clone(),
                violation,
                violations: violations.clone(),
                schedule: None,
            };
            if shorter {
                found.shortest = Some(kept.clone());
            }
            found.first.get_or_insert(kept);
        }
        kept_any
    }

    /// Gives the counterexamples of execution number `execution` the schedule that replays it.
    #[cfg(any(shuttle, planrace_docs))]
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

    /// The report of the run: counterexamples rendered, nothing left behind; `deadlock` when
    /// the run ended at one.
    pub(crate) fn finish(
        self,
        model: M,
        coverage: Coverage,
        seconds: f64,
        deadlock: Option<Deadlock>,
    ) -> Exploration<M> {
        let render = |kept: Kept<M>| {
            let timeline = model.timeline(&kept.steps, &kept.violations);
            Counterexample {
                execution: kept.execution,
                steps: kept.steps,
                violation: kept.violation,
                violations: kept.violations,
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
            required_witnesses: model.required_witnesses(),
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
            deadlock,
        }
    }
}

/// The earliest violation of each property in `violations`, in the order the properties
/// first appear.
fn first_of_each_property<P: PartialEq>(violations: Vec<Violation<P>>) -> Vec<Violation<P>> {
    let mut first: Vec<Violation<P>> = Vec::new();
    for violation in violations {
        match first
            .iter_mut()
            .find(|kept| kept.property == violation.property)
        {
            Some(kept) if violation.step < kept.step => *kept = violation,
            Some(_) => {}
            None => first.push(violation),
        }
    }
    first
}

/// A tally shared between the checker's closure and the driver that reads it afterwards.
pub(crate) type SharedTally<M> = Arc<StdMutex<Tally<M>>>;

/// Locks `tally`; a panic while it was held (only a model's own panic, caught by the driver)
/// leaves it consistent, so poisoning is ignored.
pub(crate) fn lock<M: Model>(tally: &SharedTally<M>) -> std::sync::MutexGuard<'_, Tally<M>> {
    tally.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_property_keeps_its_earliest_violation() {
        let at = |property: char, step: usize| Violation {
            property,
            step,
            detail: String::new(),
        };
        let kept = first_of_each_property(vec![at('a', 5), at('b', 7), at('a', 2), at('b', 9)]);
        assert_eq!(kept, vec![at('a', 2), at('b', 7)]);
    }
}
