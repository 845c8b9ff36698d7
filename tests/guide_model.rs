//! The complete model of docs/checking-your-own-updater.md, "The whole model on one page":
//! a register that two writers update with a remote conditional write, modelled as one step.
//! The guide quotes this file whole (tests/docs.rs checks it), and it runs in every build:
//! under loom every interleaving, under shuttle a sample, on real threads one run.

use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;

use planrace::harness::{Log, Model, Timeline, Violation};
use planrace::sync::{Mutex, thread};

/// The remote store: a value and the version it was written at. One lock stands for the
/// store's own atomicity: a conditional write (etcd's `Compare(ModRevision)`, DynamoDB's
/// `ConditionExpression`, SQL's `UPDATE ... WHERE version = ?`) is one step under it.
#[derive(Debug, Default)]
struct Store {
    register: Mutex<(u64, u64)>,
}

/// Whether a writer's write is conditional on the version it read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    /// Read, then write whatever the register holds by then: the incident's bug.
    Blind,
    /// Read, then write only if the register is still at the version read: the fix.
    Conditional,
}

/// What one step did, by whom: the log's vocabulary.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Step {
    writer: usize,
    event: Event,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    Read { current: u64, version: u64 },
    Wrote { value: u64, version: u64 },
    Refused { expected: u64, found: u64 },
}

/// The one property: the register's value never goes down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Property {
    Monotonic,
}

impl fmt::Display for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("monotonic")
    }
}

/// Two writers: writer 0 writes value 1, writer 1 writes value 2.
#[derive(Debug, Clone, Copy)]
struct Register {
    variant: Variant,
}

/// A writer's life: read the register, and stop if it already holds `value` or a larger one
/// (the one check, made once, at the start); then write `value`, conditionally or not.
fn write(store: &Store, log: &Log<Step>, variant: Variant, writer: usize, value: u64) {
    let (current, read) = {
        let register = store.register.lock();
        let (current, version) = *register;
        log.record(Step {
            writer,
            event: Event::Read { current, version },
        });
        (current, version)
    };
    if value <= current {
        return;
    }
    // The remote call: one step under the store's lock, logged while it is held.
    let mut register = store.register.lock();
    if variant == Variant::Conditional && register.1 != read {
        let found = register.1;
        log.record(Step {
            writer,
            event: Event::Refused {
                expected: read,
                found,
            },
        });
        return;
    }
    *register = (value, register.1 + 1);
    log.record(Step {
        writer,
        event: Event::Wrote {
            value,
            version: register.1,
        },
    });
}

impl Model for Register {
    type Step = Step;
    type Property = Property;
    type Error = Infallible;

    fn variant(&self) -> String {
        format!("{:?}", self.variant)
    }

    fn config(&self) -> String {
        "2W".into()
    }

    fn properties(&self) -> Vec<Property> {
        vec![Property::Monotonic]
    }

    fn execute(&self, log: &Log<Step>) -> Result<(), Infallible> {
        let store = Arc::new(Store::default());
        let (other, other_log, variant) = (Arc::clone(&store), log.clone(), self.variant);
        let second = thread::spawn(move || write(&other, &other_log, variant, 1, 2));
        write(&store, log, self.variant, 0, 1);
        let _ = second.join();
        Ok(())
    }

    fn check(&self, steps: &[Step]) -> Vec<Violation<Property>> {
        let mut highest = 0;
        let mut violations = Vec::new();
        for (index, step) in steps.iter().enumerate() {
            if let Event::Wrote { value, .. } = step.event {
                if value < highest {
                    violations.push(Violation {
                        property: Property::Monotonic,
                        step: index,
                        detail: format!("{highest} overwritten by {value}"),
                    });
                }
                highest = highest.max(value);
            }
        }
        violations
    }

    fn timeline(&self, steps: &[Step], violations: &[Violation<Property>]) -> String {
        let mut timeline = Timeline::new(vec!["writer 0".into(), "writer 1".into()]);
        timeline.header();
        for (index, step) in steps.iter().enumerate() {
            timeline.step(index, step.writer, format!("{:?}", step.event));
            for violation in violations.iter().filter(|v| v.step == index) {
                timeline.violated(violation);
            }
        }
        timeline.finish()
    }

    fn witnesses(&self) -> &'static [&'static str] {
        &["raced"]
    }

    fn required_witnesses(&self) -> Vec<&'static str> {
        self.witnesses().to_vec()
    }

    /// `raced`: both writers read the same version, the race the condition is there for.
    fn witnessed(&self, steps: &[Step]) -> Vec<&'static str> {
        let reads: Vec<u64> = steps
            .iter()
            .filter_map(|step| match step.event {
                Event::Read { version, .. } => Some(version),
                _ => None,
            })
            .collect();
        if reads.len() == 2 && reads[0] == reads[1] {
            vec!["raced"]
        } else {
            Vec::new()
        }
    }

    fn thread_names(&self) -> Vec<String> {
        vec!["writer 0".into(), "writer 1".into()]
    }
}

#[cfg(loom)]
#[test]
fn every_interleaving_the_blind_write_breaks_and_the_conditional_one_keeps() {
    use planrace::harness::{Verdict, explore};

    for (variant, expected) in [
        (Variant::Blind, Verdict::Violated),
        (Variant::Conditional, Verdict::Holds),
    ] {
        let exploration = explore(Register { variant }, None).expect("the exploration runs");
        print!("{}", exploration.report());
        for outcome in &exploration.outcomes {
            assert_eq!(exploration.verdict(outcome), expected, "{variant:?}");
        }
    }
}

#[cfg(shuttle)]
#[test]
fn a_sample_catches_the_blind_write() {
    use planrace::harness::{Sample, SchedulerKind, Verdict, sample};

    let plan = Sample {
        scheduler: SchedulerKind::Random,
        seeds: 0..2,
        per_seed: 1_000,
        until_first_violation: false,
    };
    for (variant, expected) in [
        (Variant::Blind, Verdict::Violated),
        (Variant::Conditional, Verdict::NotFound),
    ] {
        let exploration = sample(Register { variant }, &plan).expect("the sample runs");
        print!("{}", exploration.report());
        for outcome in &exploration.outcomes {
            assert_eq!(exploration.verdict(outcome), expected, "{variant:?}");
        }
    }
}

#[cfg(not(any(loom, shuttle)))]
#[test]
fn one_run_of_each_on_real_threads_logs_both_reads() {
    for variant in [Variant::Blind, Variant::Conditional] {
        let model = Register { variant };
        let log = Log::new();
        let Ok(()) = model.execute(&log);
        let steps = log.take();
        let reads = steps
            .iter()
            .filter(|step| matches!(step.event, Event::Read { .. }))
            .count();
        assert_eq!(reads, 2, "{steps:?}");
        // One free run proves nothing about Blind; Conditional must never break.
        if variant == Variant::Conditional {
            assert!(model.check(&steps).is_empty(), "{steps:?}");
        }
    }
}
