//! Checking your own updater: a different small protocol, checked with planrace's harness.
//! docs/checking-your-own-updater.md walks through this file.
//!
//! Two leaders each write a new config version, then point the `current` register at it; a
//! garbage collector deletes the versions clients no longer need. `Naive` moves the pointer
//! unconditionally and collects everything but the version it read a moment ago; `Fenced` moves
//! the pointer only forward and collects only versions older than the pointer, deciding and
//! deleting under the pointer's lock.
//!
//! ```sh
//! RUSTFLAGS="--cfg loom" cargo run --release --example config_gc   # exhaustive, both variants
//! RUSTFLAGS="--cfg shuttle" cargo run --release --example config_gc  # 10,000 random schedules each
//! cargo run --example config_gc                                    # one run on real threads
//! ```
//! Under loom it exits with an error unless `Naive` violates both properties and `Fenced`
//! holds both; CI runs it that way.

use std::collections::BTreeSet;
use std::convert::Infallible;
use std::fmt;
use std::sync::Arc;

#[cfg(any(loom, shuttle))]
use planrace::harness::Verdict;
use planrace::harness::{Log, Model, Timeline, Violation};
use planrace::sync::{Mutex, thread};

// --- The protocol, written against planrace's facade ---------------------------------------

/// The two ways of running the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    /// Unconditional pointer write; the collector keeps only the version it read earlier.
    Naive,
    /// The pointer only moves forward; the collector deletes only what is older than the
    /// pointer, and decides while holding the pointer's lock.
    Fenced,
}

/// Who took a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    /// The leader that writes this version.
    Leader(u64),
    /// The garbage collector.
    Collector,
}

/// What a step did. Each is logged while the lock it changed is still held.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Event {
    /// A leader stored a new version's body.
    Wrote { version: u64 },
    /// A leader moved the pointer.
    Pointed { from: u64, to: u64 },
    /// A fenced leader found the pointer already newer and left it.
    Refused { version: u64, current: u64 },
    /// The naive collector read the pointer, to decide what to keep.
    ReadPointer { current: u64 },
    /// The collector deleted versions.
    Collected { deleted: Vec<u64> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Step {
    actor: Actor,
    event: Event,
}

/// The shared state: version bodies, and the register that says which one is live; and the
/// harness's log of the execution.
struct Config {
    versions: Mutex<BTreeSet<u64>>,
    current: Mutex<u64>,
    log: Log<Step>,
}

impl Config {
    /// Version 1 written and current: the steady state, logging to `log`.
    fn new(log: &Log<Step>) -> Self {
        Self {
            versions: Mutex::new(BTreeSet::from([1])),
            current: Mutex::new(1),
            log: log.clone(),
        }
    }
}

fn lead(config: &Config, variant: Variant, version: u64) {
    let actor = Actor::Leader(version);
    {
        let mut versions = config.versions.lock();
        versions.insert(version);
        config.log.record(Step {
            actor,
            event: Event::Wrote { version },
        });
    }
    let mut current = config.current.lock();
    let from = *current;
    let event = if variant == Variant::Naive || version > from {
        *current = version;
        Event::Pointed { from, to: version }
    } else {
        Event::Refused {
            version,
            current: from,
        }
    };
    config.log.record(Step { actor, event });
}

fn collect(config: &Config, variant: Variant) {
    let actor = Actor::Collector;
    match variant {
        Variant::Naive => {
            // Check, then act: the pointer can move between the two critical sections.
            let keep = *config.current.lock();
            config.log.record(Step {
                actor,
                event: Event::ReadPointer { current: keep },
            });
            let mut versions = config.versions.lock();
            let deleted: Vec<u64> = versions.iter().copied().filter(|v| *v != keep).collect();
            versions.retain(|v| *v == keep);
            config.log.record(Step {
                actor,
                event: Event::Collected { deleted },
            });
        }
        Variant::Fenced => {
            // Decide and delete under the pointer's lock; never touch what is newer than it,
            // since a leader may be about to point there.
            let current = config.current.lock();
            let mut versions = config.versions.lock();
            let deleted: Vec<u64> = versions.range(..*current).copied().collect();
            versions.retain(|v| *v >= *current);
            config.log.record(Step {
                actor,
                event: Event::Collected { deleted },
            });
        }
    }
}

/// One execution: two leaders (versions 2 and 3) on their own threads, the collector on the
/// calling one.
fn run(variant: Variant, log: &Log<Step>) {
    let config = Arc::new(Config::new(log));
    let leaders: Vec<_> = [2, 3]
        .into_iter()
        .map(|version| {
            let config = Arc::clone(&config);
            thread::spawn(move || lead(&config, variant, version))
        })
        .collect();
    collect(&config, variant);
    for leader in leaders {
        if let Err(panic) = leader.join() {
            std::panic::resume_unwind(panic);
        }
    }
}

// --- The model: properties, timeline, witnesses ---------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Property {
    /// The pointer always names a version that exists.
    PointerResolves,
    /// The pointer never moves back.
    PointerMonotonic,
}

impl fmt::Display for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Property::PointerResolves => "pointer_resolves",
            Property::PointerMonotonic => "pointer_monotonic",
        })
    }
}

/// The state rebuilt from the log, one step at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
struct State {
    versions: BTreeSet<u64>,
    current: u64,
}

impl State {
    fn new() -> Self {
        Self {
            versions: BTreeSet::from([1]),
            current: 1,
        }
    }

    fn apply(&mut self, event: &Event) {
        match event {
            Event::Wrote { version } => {
                self.versions.insert(*version);
            }
            Event::Pointed { to, .. } => self.current = *to,
            Event::Collected { deleted } => {
                for version in deleted {
                    self.versions.remove(version);
                }
            }
            Event::Refused { .. } | Event::ReadPointer { .. } => {}
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let versions: Vec<String> = self.versions.iter().map(|v| format!("v{v}")).collect();
        write!(
            f,
            "current=v{}  versions {{{}}}",
            self.current,
            versions.join(",")
        )
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Wrote { version } => write!(f, "write v{version}"),
            Event::Pointed { from, to } => write!(f, "point v{from} -> v{to}"),
            Event::Refused { version, current } => {
                write!(f, "point v{version}: refused, at v{current}")
            }
            Event::ReadPointer { current } => write!(f, "read current: v{current}"),
            Event::Collected { deleted } => {
                let deleted: Vec<String> = deleted.iter().map(|v| format!("v{v}")).collect();
                write!(f, "delete {{{}}}", deleted.join(","))
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct ConfigModel {
    variant: Variant,
}

const LANES: [Actor; 3] = [Actor::Leader(2), Actor::Leader(3), Actor::Collector];

impl Model for ConfigModel {
    type Step = Step;
    type Property = Property;
    type Error = Infallible;

    fn variant(&self) -> String {
        format!("{:?}", self.variant)
    }

    fn config(&self) -> String {
        "2L1C".to_owned()
    }

    fn properties(&self) -> Vec<Property> {
        vec![Property::PointerResolves, Property::PointerMonotonic]
    }

    fn execute(&self, log: &Log<Step>) -> Result<(), Infallible> {
        run(self.variant, log);
        Ok(())
    }

    fn check(&self, steps: &[Step]) -> Vec<Violation<Property>> {
        let mut violations = Vec::new();
        let mut state = State::new();
        for (step, entry) in steps.iter().enumerate() {
            let before = state.current;
            state.apply(&entry.event);
            if !state.versions.contains(&state.current) {
                let detail = format!("current names v{}, which is deleted", state.current);
                let property = Property::PointerResolves;
                violations.push(Violation {
                    property,
                    step,
                    detail,
                });
            }
            if state.current < before {
                let detail = format!("current went back from v{before} to v{}", state.current);
                let property = Property::PointerMonotonic;
                violations.push(Violation {
                    property,
                    step,
                    detail,
                });
            }
        }
        violations
    }

    fn timeline(&self, steps: &[Step], violations: &[Violation<Property>]) -> String {
        let lanes = LANES
            .iter()
            .map(|actor| match actor {
                Actor::Leader(version) => format!("Leader {version}"),
                Actor::Collector => "Collector".to_owned(),
            })
            .collect();
        let mut timeline = Timeline::new(lanes);
        let mut state = State::new();
        timeline.line(&format!("setup: {state}"));
        timeline.header();
        for (index, step) in steps.iter().enumerate() {
            let lane = LANES.iter().position(|a| *a == step.actor).unwrap_or(0);
            timeline.step(index, lane, &step.event);
            let before = state.clone();
            state.apply(&step.event);
            if state != before {
                timeline.state(&state);
            }
            for violation in violations.iter().filter(|v| v.step == index) {
                timeline.violated(violation);
            }
        }
        timeline.finish()
    }

    fn witnesses(&self) -> &'static [&'static str] {
        &["collector_deleted", "leader_behind"]
    }

    fn witnessed(&self, steps: &[Step]) -> Vec<&'static str> {
        let mut seen = Vec::new();
        let deleted = steps
            .iter()
            .any(|s| matches!(&s.event, Event::Collected { deleted } if !deleted.is_empty()));
        if deleted {
            seen.push("collector_deleted");
        }
        // A leader that reached the pointer after a newer version was already current.
        let behind = steps.iter().any(|s| match s.event {
            Event::Pointed { from, to } => from > to,
            Event::Refused { .. } => true,
            _ => false,
        });
        if behind {
            seen.push("leader_behind");
        }
        seen
    }
}

// --- Running it ------------------------------------------------------------------------------

#[cfg(loom)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    use planrace::harness::explore;

    for variant in [Variant::Naive, Variant::Fenced] {
        // No preemption bound: every interleaving.
        let exploration = explore(ConfigModel { variant }, None)?;
        print!("{}", exploration.report());
        // The harness's own words: `holds` only when nothing was cut short and every
        // witness was reached (else `inconclusive` or `vacuous`).
        let expected = match variant {
            Variant::Naive => Verdict::Violated,
            Variant::Fenced => Verdict::Holds,
        };
        expect(&exploration, expected)?;
    }
    Ok(())
}

/// Fails unless every property got the `expected` verdict word.
#[cfg(any(loom, shuttle))]
fn expect(
    exploration: &planrace::harness::Exploration<ConfigModel>,
    expected: Verdict,
) -> Result<(), String> {
    for outcome in &exploration.outcomes {
        let verdict = exploration.verdict(outcome);
        if verdict != expected {
            let (variant, property) = (exploration.model.variant, outcome.property);
            return Err(format!("{variant:?} {property}: {verdict}, not {expected}"));
        }
    }
    Ok(())
}

#[cfg(shuttle)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    use planrace::harness::SchedulerKind;
    use planrace::harness::{Sample, sample};

    for variant in [Variant::Naive, Variant::Fenced] {
        // A sample, not a proof: Fenced can only come out `not-found`.
        let plan = Sample {
            scheduler: SchedulerKind::Random,
            seeds: 0..2,
            per_seed: 5_000,
            until_first_violation: false,
        };
        let exploration = sample(ConfigModel { variant }, &plan)?;
        print!("{}", exploration.report());
        let expected = match variant {
            Variant::Naive => Verdict::Violated,
            Variant::Fenced => Verdict::NotFound,
        };
        expect(&exploration, expected)?;
    }
    Ok(())
}

#[cfg(not(any(loom, shuttle)))]
fn main() {
    // On real threads: one run of each variant, whatever interleaving the OS picks.
    for variant in [Variant::Naive, Variant::Fenced] {
        let model = ConfigModel { variant };
        let log = Log::new();
        let Ok(()) = model.execute(&log);
        let steps = log.take();
        let violations = model.check(&steps);
        println!("{variant:?}, one run on real threads:");
        print!("{}", model.timeline(&steps, &violations));
        println!();
    }
}
