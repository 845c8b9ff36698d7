//! A lock-free updater, checked with planrace's harness: the record is one atomic word holding
//! the live generation, and three Enactors each bring a plan (generations 2, 3 and 4) to
//! install if it is newer. docs/checking-your-own-updater.md, "A lock-free updater", walks
//! through this file.
//!
//! `CheckThenSwap` reads the word, decides, then swaps its plan in: the incident's one-time
//! check, without a lock. `CompareExchange` installs with `compare_exchange` on the value it
//! read, and on failure reads again and decides again: the conditional write of the fix.
//!
//! ```sh
//! RUSTFLAGS="--cfg loom" cargo run --release --example lockfree      # every interleaving
//! RUSTFLAGS="--cfg shuttle" cargo run --release --example lockfree   # a random sample
//! cargo run --example lockfree                                       # one run on real threads
//! ```
//! Under loom and shuttle it exits with an error unless `CheckThenSwap` violates both
//! properties and `CompareExchange` violates neither (`holds` under loom, every witness
//! reached); CI runs it under loom.

use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;

#[cfg(any(loom, shuttle))]
use planrace::harness::Verdict;
use planrace::harness::{Log, Model, Timeline, Violation};
use planrace::sync::atomic::{AtomicU64, Ordering};
use planrace::sync::thread;

/// The two ways of installing a plan into the atomic record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    /// Load, compare, then `swap`: a newer plan installed in between is overwritten.
    CheckThenSwap,
    /// Load, compare, then `compare_exchange` on the value read; on failure, decide again.
    CompareExchange,
}

/// The plans the three Enactors bring; the record starts at generation 1.
const PLANS: [u64; 3] = [2, 3, 4];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    /// The Enactor read the record: generation `seen` was live.
    Read { seen: u64 },
    /// The Enactor installed its plan; `replaced` is what the atomic operation returned: the
    /// generation it overwrote.
    Installed { replaced: u64 },
    /// A `compare_exchange` failed: the record held `actual`, not the generation read.
    Lost { actual: u64 },
    /// The Enactor found its plan no newer than `seen` and left the record alone.
    Skipped { seen: u64 },
    /// After every Enactor finished, the record held `live`.
    Final { live: u64 },
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Read { seen } => write!(f, "read: record at g{seen}"),
            Event::Installed { replaced } => write!(f, "install, replacing g{replaced}"),
            Event::Lost { actual } => write!(f, "CAS lost: record at g{actual}"),
            Event::Skipped { seen } => write!(f, "skip: record at g{seen}"),
            Event::Final { live } => write!(f, "end: record at g{live}"),
        }
    }
}

/// One entry of the log: which Enactor (by its plan) did what.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Step {
    plan: u64,
    event: Event,
}

/// One Enactor's attempt to install `plan`.
///
/// Each event is logged right after the atomic operation that made it take effect, and it
/// carries the value that operation returned. Under loom and shuttle nothing can run between
/// the two (the log is a std mutex, not a scheduling point), so the log's order is the order
/// of the operations; on real threads it need not be, which is why the properties below read
/// the returned values, never the log's order.
fn enact(record: &AtomicU64, variant: Variant, plan: u64, log: &Log<Step>) {
    let mut seen = record.load(Ordering::Acquire);
    log.record(Step {
        plan,
        event: Event::Read { seen },
    });
    loop {
        if plan <= seen {
            log.record(Step {
                plan,
                event: Event::Skipped { seen },
            });
            return;
        }
        match variant {
            Variant::CheckThenSwap => {
                let replaced = record.swap(plan, Ordering::AcqRel);
                log.record(Step {
                    plan,
                    event: Event::Installed { replaced },
                });
                return;
            }
            Variant::CompareExchange => {
                match record.compare_exchange(seen, plan, Ordering::AcqRel, Ordering::Acquire) {
                    Ok(replaced) => {
                        log.record(Step {
                            plan,
                            event: Event::Installed { replaced },
                        });
                        return;
                    }
                    Err(actual) => {
                        log.record(Step {
                            plan,
                            event: Event::Lost { actual },
                        });
                        seen = actual;
                    }
                }
            }
        }
    }
}

/// One execution: two Enactors on their own threads, the third on the calling one, then the
/// record's final value.
fn run(variant: Variant, log: &Log<Step>) {
    let record = Arc::new(AtomicU64::new(1));
    let others: Vec<_> = PLANS[1..]
        .iter()
        .map(|&plan| {
            let (record, log) = (Arc::clone(&record), log.clone());
            thread::spawn(move || enact(&record, variant, plan, &log))
        })
        .collect();
    enact(&record, variant, PLANS[0], log);
    for other in others {
        if let Err(panic) = other.join() {
            std::panic::resume_unwind(panic);
        }
    }
    log.record(Step {
        plan: 0,
        event: Event::Final {
            live: record.load(Ordering::Acquire),
        },
    });
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Property {
    /// No installation replaces a newer generation.
    NeverBackwards,
    /// Once every Enactor is done, the newest plan is live.
    NewestWins,
}

impl fmt::Display for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Property::NeverBackwards => "never_backwards",
            Property::NewestWins => "newest_wins",
        })
    }
}

#[derive(Debug, Clone, Copy)]
struct LockFreeModel {
    variant: Variant,
}

impl Model for LockFreeModel {
    type Step = Step;
    type Property = Property;
    type Error = Infallible;

    fn variant(&self) -> String {
        format!("{:?}", self.variant)
    }

    fn config(&self) -> String {
        "3E1W".to_owned()
    }

    fn properties(&self) -> Vec<Property> {
        vec![Property::NeverBackwards, Property::NewestWins]
    }

    fn execute(&self, log: &Log<Step>) -> Result<(), Infallible> {
        run(self.variant, log);
        Ok(())
    }

    fn check(&self, steps: &[Step]) -> Vec<Violation<Property>> {
        let mut violations = Vec::new();
        let backwards = steps.iter().position(|s| match s.event {
            Event::Installed { replaced } => replaced > s.plan,
            _ => false,
        });
        if let Some(step) = backwards {
            let Event::Installed { replaced } = steps[step].event else {
                unreachable!("position matched an installation")
            };
            violations.push(Violation {
                property: Property::NeverBackwards,
                step,
                detail: format!("g{} replaced the newer g{replaced}", steps[step].plan),
            });
        }
        let newest = PLANS.iter().copied().max().unwrap_or(1);
        for (step, entry) in steps.iter().enumerate() {
            if let Event::Final { live } = entry.event
                && live != newest
            {
                violations.push(Violation {
                    property: Property::NewestWins,
                    step,
                    detail: format!("g{live} is live, not the newest plan g{newest}"),
                });
            }
        }
        violations
    }

    fn timeline(&self, steps: &[Step], violations: &[Violation<Property>]) -> String {
        let mut lanes: Vec<String> = PLANS.iter().map(|p| format!("Enactor with g{p}")).collect();
        lanes.push("end".to_owned());
        let mut timeline = Timeline::new(lanes);
        timeline.line("setup: record at g1");
        timeline.header();
        for (index, step) in steps.iter().enumerate() {
            let lane = PLANS
                .iter()
                .position(|p| *p == step.plan)
                .unwrap_or(PLANS.len());
            timeline.step(index, lane, step.event);
            for violation in violations.iter().filter(|v| v.step == index) {
                timeline.violated(violation);
            }
        }
        timeline.finish()
    }

    fn witnesses(&self) -> &'static [&'static str] {
        &["read_went_stale"]
    }

    /// An Enactor's read went stale before its write: another plan was installed between the
    /// two (a failed `compare_exchange`, or a swap that replaced something else than what the
    /// Enactor had read). That is the race both variants must face; `CompareExchange`
    /// survives it.
    fn witnessed(&self, steps: &[Step]) -> Vec<&'static str> {
        let mut last_read = std::collections::HashMap::new();
        let stale = steps.iter().any(|s| match s.event {
            Event::Read { seen } => {
                last_read.insert(s.plan, seen);
                false
            }
            Event::Lost { .. } => true,
            Event::Installed { replaced } => last_read.get(&s.plan) != Some(&replaced),
            Event::Skipped { .. } | Event::Final { .. } => false,
        });
        if stale {
            vec!["read_went_stale"]
        } else {
            Vec::new()
        }
    }
}

// --- Running it ------------------------------------------------------------------------------

/// Fails unless every property of `variant` got the `expected` verdict word.
#[cfg(any(loom, shuttle))]
fn expect(
    exploration: &planrace::harness::Exploration<LockFreeModel>,
    expected: Verdict,
) -> Result<(), String> {
    for outcome in &exploration.outcomes {
        let verdict = exploration.verdict(outcome);
        if verdict != expected {
            return Err(format!(
                "{:?} {}: {verdict}, not {expected}",
                exploration.model.variant, outcome.property
            ));
        }
    }
    Ok(())
}

#[cfg(loom)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    use planrace::harness::explore;

    for (variant, expected) in [
        (Variant::CheckThenSwap, Verdict::Violated),
        (Variant::CompareExchange, Verdict::Holds),
    ] {
        let exploration = explore(LockFreeModel { variant }, None)?;
        print!("{}", exploration.report());
        expect(&exploration, expected)?;
    }
    Ok(())
}

#[cfg(shuttle)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    use planrace::harness::SchedulerKind;
    use planrace::harness::{Sample, sample};

    for (variant, expected) in [
        (Variant::CheckThenSwap, Verdict::Violated),
        (Variant::CompareExchange, Verdict::NotFound),
    ] {
        let plan = Sample {
            scheduler: SchedulerKind::Random,
            seeds: 0..2,
            per_seed: 5_000,
            until_first_violation: false,
        };
        let exploration = sample(LockFreeModel { variant }, &plan)?;
        print!("{}", exploration.report());
        expect(&exploration, expected)?;
    }
    Ok(())
}

#[cfg(not(any(loom, shuttle)))]
fn main() {
    // On real threads: one run of each variant, whatever interleaving the OS picks.
    for variant in [Variant::CheckThenSwap, Variant::CompareExchange] {
        let model = LockFreeModel { variant };
        let log = Log::new();
        let Ok(()) = model.execute(&log);
        let steps = log.take();
        let violations = model.check(&steps);
        println!("{variant:?}, one run on real threads:");
        print!("{}", model.timeline(&steps, &violations));
        println!();
    }
}
