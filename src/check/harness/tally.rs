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
    #[cfg(any(loom, planrace_docs, test))]
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
    #[cfg(any(shuttle, planrace_docs, test))]
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
    use crate::check::harness::report::NO_DEADLOCK;
    use crate::check::harness::verdict_line::Verdict;

    /// A model written for these tests: each step is a character; an upper-case letter
    /// violates the property named by its lower case, `w` reaches the witness `w`, `?` an
    /// unlisted witness, and `x` is a step the model rejects.
    #[derive(Debug, Clone)]
    struct Letters;

    #[derive(Debug, thiserror::Error)]
    #[error("the execution could not run")]
    struct Broken;

    impl Model for Letters {
        type Step = char;
        type Property = char;
        type Error = Broken;

        fn variant(&self) -> String {
            "letters".to_owned()
        }

        fn config(&self) -> String {
            "a-b".to_owned()
        }

        fn properties(&self) -> Vec<char> {
            vec!['a', 'b']
        }

        fn execute(&self, _log: &Log<char>) -> Result<(), Broken> {
            Ok(())
        }

        fn check(&self, steps: &[char]) -> Vec<Violation<char>> {
            steps
                .iter()
                .enumerate()
                .filter(|(_, step)| step.is_ascii_uppercase())
                .map(|(step, letter)| Violation {
                    property: letter.to_ascii_lowercase(),
                    step,
                    detail: format!("{letter} at {step}"),
                })
                .collect()
        }

        fn timeline(&self, steps: &[char], violations: &[Violation<char>]) -> String {
            let marks: String = violations.iter().map(|v| v.property).collect();
            format!("{}|{marks}", steps.iter().collect::<String>())
        }

        fn witnesses(&self) -> &'static [&'static str] {
            &["w"]
        }

        fn witnessed(&self, steps: &[char]) -> Vec<&'static str> {
            let mut reached = Vec::new();
            if steps.contains(&'w') {
                reached.push("w");
            }
            if steps.contains(&'?') {
                reached.push("unlisted");
            }
            reached
        }

        fn validate(&self, steps: &[char]) -> Result<bool, String> {
            // Long enough for the tally's clock to see it.
            std::thread::sleep(std::time::Duration::from_micros(1));
            match steps.iter().position(|step| *step == 'x') {
                Some(at) => Err(format!("x at {at}")),
                None => Ok(true),
            }
        }
    }

    /// A shared tally that has counted one execution per log, from execution 1.
    fn counted(logs: &[&str]) -> (SharedTally<Letters>, Vec<bool>) {
        let tally: SharedTally<Letters> = Arc::new(StdMutex::new(Tally::new(&Letters)));
        let kept = logs
            .iter()
            .zip(1..)
            .map(|(steps, execution)| {
                let mut tally = lock(&tally);
                let log = tally.start(execution);
                steps.chars().for_each(|step| log.record(step));
                tally.finish_execution(&Letters, Ok(()), &log)
            })
            .collect();
        (tally, kept)
    }

    fn explored(logs: &[&str], coverage: Coverage) -> Exploration<Letters> {
        let (tally, _) = counted(logs);
        let tally = std::mem::replace(&mut *lock(&tally), Tally::new(&Letters));
        assert!(tally.error.is_none(), "{:?}", tally.error);
        tally.finish(Letters, coverage, 1.5, None)
    }

    fn exhaustive(bound: Option<usize>, cut: Option<&str>) -> Coverage {
        Coverage::Exhaustive {
            bound,
            limits: Vec::new(),
            cut: cut.map(str::to_owned),
        }
    }

    #[test]
    fn each_property_keeps_its_earliest_violation() {
        let at = |property: char, step: usize| Violation {
            property,
            step,
            detail: String::new(),
        };
        let kept = first_of_each_property(vec![at('a', 5), at('b', 7), at('a', 2), at('b', 9)]);
        assert_eq!(kept, vec![at('a', 2), at('b', 7)]);
        // Of two at the same step, the first reported.
        let again = Violation {
            detail: "again".to_owned(),
            ..at('a', 2)
        };
        let kept = first_of_each_property(vec![at('a', 2), again]);
        assert_eq!(kept, vec![at('a', 2)]);
    }

    #[test]
    fn violations_are_counted_once_per_execution_with_the_first_and_the_shortest_kept() {
        let (tally, kept) = counted(&["--A--", "w", "-AA", "A", "B-A", "A-"]);
        // Kept: the first of a, the shorter 3rd, the shorter 4th, and the first of b.
        assert_eq!(kept, vec![true, false, true, true, true, false]);
        let tally = std::mem::replace(&mut *lock(&tally), Tally::new(&Letters));
        assert_eq!((tally.executions, tally.violating), (6, 5));
        let exploration = tally.finish(Letters, exhaustive(None, None), 1.5, None);
        let a = exploration.outcome('a').expect("a is listed");
        assert_eq!(a.violations, 5);
        let first = a.first.as_ref().expect("a first counterexample");
        assert_eq!((first.execution, first.violation.step), (1, 2));
        assert_eq!(first.timeline(), "--A--|a");
        let shortest = a.shortest.as_ref().expect("a shortest counterexample");
        assert_eq!((shortest.execution, shortest.steps.len()), (4, 1));
        let b = exploration.outcome('b').expect("b is listed");
        assert_eq!(b.violations, 1);
        let both = b.first.as_ref().expect("b's counterexample");
        assert_eq!(both.execution, 5);
        assert_eq!(both.violations.len(), 2, "{:?}", both.violations);
        assert_eq!(both.timeline(), "B-A|ba");
        assert_eq!(exploration.witness_count("w"), Some(1));
        assert_eq!(exploration.witness_count("v"), None);
        assert_eq!((exploration.executions, exploration.seconds), (6, 1.5));
        assert!(
            exploration
                .outcomes
                .iter()
                .all(|o| exploration.verdict(o) == Verdict::Violated)
        );
    }

    #[test]
    fn of_two_counterexamples_as_short_the_first_is_kept() {
        let (tally, kept) = counted(&["-A", "A-", "A"]);
        assert_eq!(kept, vec![true, false, true]);
        let tally = std::mem::replace(&mut *lock(&tally), Tally::new(&Letters));
        let exploration = tally.finish(Letters, exhaustive(None, None), 0.0, None);
        let a = exploration.outcome('a').expect("a is listed");
        let executions = |example: Option<&Counterexample<Letters>>| example.map(|e| e.execution);
        assert_eq!(executions(a.first.as_ref()), Some(1));
        assert_eq!(executions(a.shortest.as_ref()), Some(3));
    }

    #[test]
    fn every_log_is_validated_and_the_first_rejection_kept() {
        let exploration = explored(&["w", "-x", "x-", "--"], exhaustive(None, None));
        assert_eq!((exploration.validated, exploration.rejected), (2, 2));
        assert_eq!(exploration.first_rejection, Some((2, "x at 1".to_owned())));
        assert!(exploration.validation_seconds >= 4e-6, "{exploration:?}");
    }

    #[test]
    fn the_verdict_words_say_what_the_run_covered() {
        let verdicts = |logs: &[&str], coverage: Coverage| -> Vec<Verdict> {
            let exploration = explored(logs, coverage);
            exploration
                .outcomes
                .iter()
                .map(|outcome| exploration.verdict(outcome))
                .collect()
        };
        let sampled = Coverage::Sampled {
            scheduler: "random",
            depth: None,
            seeds: 0..2,
        };
        use Verdict::{Bounded, Holds, Inconclusive, NotFound, Vacuous, Violated};
        assert_eq!(verdicts(&["w"], exhaustive(None, None)), [Holds, Holds]);
        assert_eq!(
            verdicts(&["w"], exhaustive(Some(2), None)),
            [Bounded, Bounded]
        );
        assert_eq!(verdicts(&["w"], sampled.clone()), [NotFound, NotFound]);
        assert_eq!(verdicts(&["-"], exhaustive(None, None)), [Vacuous, Vacuous]);
        assert_eq!(verdicts(&["-"], sampled), [Vacuous, Vacuous]);
        let cut = exhaustive(None, Some("max_permutations"));
        assert_eq!(verdicts(&["w"], cut.clone()), [Inconclusive, Inconclusive]);
        assert_eq!(verdicts(&["wA"], cut), [Violated, Inconclusive]);
        assert_eq!(
            verdicts(&["B"], exhaustive(None, None)),
            [Vacuous, Violated]
        );
    }

    #[test]
    fn a_deadlock_leaves_the_unviolated_properties_inconclusive() {
        let (tally, _) = counted(&["wA"]);
        let mut tally = std::mem::replace(&mut *lock(&tally), Tally::new(&Letters));
        let log = tally.start(2);
        log.record('-');
        let deadlock = tally.deadlocked(&Letters, Vec::new());
        assert_eq!((deadlock.execution, deadlock.timeline.as_str()), (2, "-|"));
        let exploration = tally.finish(Letters, exhaustive(None, None), 0.0, Some(deadlock));
        let verdicts: Vec<Verdict> = exploration
            .outcomes
            .iter()
            .map(|outcome| exploration.verdict(outcome))
            .collect();
        assert_eq!(verdicts, [Verdict::Violated, Verdict::Inconclusive]);
    }

    #[test]
    fn what_a_model_does_not_list_stops_the_count_with_every_name() {
        let (tally, kept) = counted(&["A", "C?D"]);
        assert_eq!(kept, vec![true, false]);
        let tally = lock(&tally);
        match &tally.error {
            Some(CheckError::Unlisted {
                execution,
                properties,
                witnesses,
            }) => {
                assert_eq!(*execution, 2);
                assert_eq!(properties, &["c", "d"]);
                assert_eq!(witnesses, &["unlisted"]);
            }
            other => panic!("expected the unlisted names, got {other:?}"),
        }
        assert_eq!(tally.violating, 1, "the stopped execution is not counted");
    }

    #[test]
    fn an_execution_that_fails_or_panics_is_named_by_its_number() {
        let mut tally = Tally::new(&Letters);
        let log = tally.start(3);
        assert!(!tally.finish_execution(&Letters, Err(Broken), &log));
        assert!(matches!(
            tally.error,
            Some(CheckError::Execution { execution: 3, .. })
        ));
        let log = tally.start(4);
        log.record('w');
        match tally.panicked(&Letters, &"it broke") {
            CheckError::Panicked {
                execution,
                message,
                timeline,
            } => {
                assert_eq!((execution, message.as_str()), (4, "it broke"));
                assert_eq!(timeline, "w|");
            }
            other => panic!("expected a panic, got {other:?}"),
        }
        let _log = tally.start(5);
        assert_eq!(tally.abandon_running(), 5);
        assert_eq!(
            tally.abandon_running(),
            5,
            "nothing under way: the last number"
        );
    }

    #[test]
    fn a_schedule_is_attached_to_the_counterexamples_of_its_execution_only() {
        let (tally, _) = counted(&["AA", "A", "B"]);
        let mut tally = std::mem::replace(&mut *lock(&tally), Tally::new(&Letters));
        tally.attach_schedule(2, "schedule-2");
        let exploration = tally.finish(Letters, exhaustive(None, None), 0.0, None);
        let a = exploration.outcome('a').expect("a is listed");
        let schedule = |example: Option<&Counterexample<Letters>>| {
            example.and_then(|example| example.schedule.clone())
        };
        assert_eq!(schedule(a.first.as_ref()), None);
        assert_eq!(schedule(a.shortest.as_ref()), Some("schedule-2".to_owned()));
        let b = exploration.outcome('b').expect("b is listed");
        assert_eq!(schedule(b.first.as_ref()), None);
    }

    #[test]
    fn a_verdict_line_carries_the_run_and_the_outcome() {
        let sampled = Coverage::Sampled {
            scheduler: "pct",
            depth: Some(3),
            seeds: 4..6,
        };
        let exploration = explored(&["w", "-", "A", "wA"], sampled);
        let a = exploration.outcome('a').expect("a is listed");
        let line = exploration.verdict_line(a);
        assert_eq!(
            (line.checker.as_str(), line.counted.as_str()),
            ("shuttle", "iterations")
        );
        assert_eq!(
            (line.variant.as_str(), line.config.as_str()),
            ("letters", "a-b")
        );
        assert_eq!((line.property.as_str(), line.bound.as_str()), ("a", "none"));
        assert_eq!(
            (line.count, line.violations, line.verdict),
            (4, 2, Verdict::Violated)
        );
        let settings = [("scheduler", "pct"), ("depth", "3"), ("seeds", "4..6")]
            .map(|(k, v)| (k.to_owned(), v.to_owned()));
        assert_eq!(line.settings, settings);
        let extra = [("w", 2), ("first_violation", 3)].map(|(k, v)| (k.to_owned(), v));
        assert_eq!(line.extra, extra);
        let b = exploration.outcome('b').expect("b is listed");
        let line = exploration.verdict_line(b);
        assert_eq!((line.violations, line.verdict), (0, Verdict::NotFound));
        assert_eq!(line.extra, [("w".to_owned(), 2)]);
        assert_eq!(exploration.deadlock_line(), None);

        let loom = explored(&["w"], exhaustive(Some(3), None));
        let line = loom.verdict_line(loom.outcome('b').expect("b is listed"));
        assert_eq!(
            (line.checker.as_str(), line.counted.as_str()),
            ("loom", "executions")
        );
        assert_eq!((line.bound.as_str(), line.verdict), ("3", Verdict::Bounded));
    }

    #[test]
    fn a_deadlock_has_its_own_violated_line() {
        let mut tally = Tally::new(&Letters);
        let _log = tally.start(1);
        let deadlock = tally.deadlocked(&Letters, Vec::new());
        let exploration = tally.finish(Letters, exhaustive(None, None), 0.0, Some(deadlock));
        let line = exploration.deadlock_line().expect("a deadlock line");
        assert_eq!(line.property, NO_DEADLOCK);
        assert_eq!((line.violations, line.verdict), (1, Verdict::Violated));
        assert_eq!(line.count, 1);
    }
}
