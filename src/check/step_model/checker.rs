//! The step model checked by stateright (`--cfg loom` or the `stateright` feature): every
//! reachable state, Enactors interchangeable (the sorted Enactor list is the symmetry
//! representative), each property checked on every state and each witness looked for; the
//! shortest counterexample of a violated property found by a breadth-first search over the
//! same transitions; and
//! stateright's Explorer, to browse the state space.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use stateright::{Checker, HasDiscoveries, Model, Property as Expectation};

use crate::check::execution::Execution;
use crate::check::harness::{Verdict, VerdictLine, Violation};
use crate::check::property::Property;
use crate::check::step_model::properties::{
    lock_busy, monotonic_generation, no_empty_record, progress, stale_plan_held, sweeper_deleted,
    write_lost_race,
};
use crate::check::step_model::state::StepState;
use crate::check::step_model::transition::{Cycles, Mover, StepModel, concrete_path};
use crate::check::verdict_table::VerdictRow;
use crate::check::witness;
use crate::protocol::config::Config;
use crate::protocol::variant::Variant;

/// A progress line goes to stderr this often during a long check.
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

/// The step model as stateright sees it, with counters its property functions update (they
/// are plain function pointers, so what they learn goes through the model).
struct Checked {
    model: StepModel,
    violations: [AtomicU64; 3],
    witnessed: [AtomicBool; 4],
}

fn property_index(property: Property) -> usize {
    Property::ALL
        .iter()
        .position(|p| *p == property)
        .unwrap_or_default()
}

impl Checked {
    fn new(model: StepModel) -> Self {
        Self {
            model,
            violations: Default::default(),
            witnessed: Default::default(),
        }
    }

    fn holds(&self, property: Property, state: &StepState) -> bool {
        let holds = match property {
            Property::NoEmptyRecord => no_empty_record(state),
            Property::MonotonicGeneration => monotonic_generation(state),
            Property::Progress => progress(&self.model, state),
        };
        if !holds {
            self.violations[property_index(property)].fetch_add(1, Ordering::Relaxed);
        }
        holds
    }

    fn saw(&self, name: &str, reached: bool) -> bool {
        if reached && let Some(index) = witness::ALL.iter().position(|w| *w == name) {
            self.witnessed[index].store(true, Ordering::Relaxed);
        }
        reached
    }
}

impl Model for Checked {
    type State = StepState;
    type Action = Mover;

    fn init_states(&self) -> Vec<StepState> {
        vec![self.model.init()]
    }

    fn actions(&self, state: &StepState, actions: &mut Vec<Mover>) {
        self.model.movers(state, actions);
    }

    fn next_state(&self, state: &StepState, mover: Mover) -> Option<StepState> {
        let mut next = state.clone();
        self.model.step(&mut next, mover).ok().map(|_| next)
    }

    fn format_action(&self, mover: &Mover) -> String {
        self.model.actor(*mover).label()
    }

    fn format_step(&self, state: &StepState, mover: Mover) -> Option<String> {
        let mut next = state.clone();
        let event = self.model.step(&mut next, mover).ok()?;
        Some(match event {
            Some(event) => format!("{}: {event}", self.model.actor(mover).label()),
            None => format!("{}: unlock", self.model.actor(mover).label()),
        })
    }

    fn properties(&self) -> Vec<Expectation<Self>> {
        let mut properties = vec![
            Expectation::always("no_empty_record", |m: &Checked, s| {
                m.holds(Property::NoEmptyRecord, s)
            }),
            Expectation::always("monotonic_generation", |m: &Checked, s| {
                m.holds(Property::MonotonicGeneration, s)
            }),
        ];
        if self.model.cycles == Cycles::OneEach {
            properties.push(Expectation::always("progress", |m: &Checked, s| {
                m.holds(Property::Progress, s)
            }));
        }
        properties.extend([
            Expectation::sometimes(witness::STALE_PLAN_HELD, |m: &Checked, s| {
                m.saw(witness::STALE_PLAN_HELD, stale_plan_held(s))
            }),
            Expectation::sometimes(witness::SWEEPER_DELETED, |m: &Checked, s| {
                m.saw(witness::SWEEPER_DELETED, sweeper_deleted(s))
            }),
            Expectation::sometimes(witness::WRITE_LOST_RACE, |m: &Checked, s| {
                m.saw(witness::WRITE_LOST_RACE, write_lost_race(s))
            }),
            Expectation::sometimes(witness::LOCK_BUSY, |m: &Checked, s| {
                m.saw(witness::LOCK_BUSY, lock_busy(s))
            }),
        ]);
        properties
    }
}

/// The shortest execution violating one property, as the code's log would have it.
#[derive(Debug, Clone)]
pub struct StepCounterexample {
    /// The execution: its log (the setup, then one step per model step; unlocks are silent)
    /// and the one violation it was searched for, at its last step.
    pub execution: Execution,
    /// Model steps from the initial state (unlocks included).
    pub depth: usize,
}

/// What checking found for one property.
#[derive(Debug, Clone)]
pub struct StepOutcome {
    /// The property.
    pub property: Property,
    /// Distinct representative states that violate it.
    pub violations: u64,
    /// Its shortest counterexample, when it is violated.
    pub shortest: Option<StepCounterexample>,
}

/// The result of checking one variant on one configuration.
#[derive(Debug, Clone)]
pub struct StepCheck {
    /// The model checked.
    pub model: StepModel,
    /// Distinct representative states explored: all the reachable ones (the check has no
    /// bound and no time limit).
    pub states: usize,
    /// Wall-clock seconds of the exhaustive check (the counterexample searches excluded).
    pub seconds: f64,
    /// One outcome per property checked, in [`Property::ALL`] order: every property with one
    /// cycle per Enactor; with looping Enactors, not `progress` (a run that never ends never
    /// reaches its end state, so `progress` would hold for nothing).
    pub outcomes: Vec<StepOutcome>,
    /// For each of [`witness::ALL`], whether some state reached it.
    pub witnessed: Vec<(&'static str, bool)>,
}

impl StepCheck {
    /// The verdict word for `outcome`: `violated`; `holds` when every witness was reached;
    /// `vacuous` when one was not.
    pub fn verdict(&self, outcome: &StepOutcome) -> Verdict {
        if outcome.violations > 0 {
            Verdict::Violated
        } else if self.witnessed.iter().all(|(_, reached)| *reached) {
            Verdict::Holds
        } else {
            Verdict::Vacuous
        }
    }

    /// The verdict line of `outcome`.
    pub fn verdict_line(&self, outcome: &StepOutcome) -> VerdictLine {
        VerdictLine {
            checker: "stateright".to_owned(),
            variant: self.model.variant.to_string(),
            property: outcome.property.to_string(),
            config: self.model.config.to_string(),
            bound: "none".to_owned(),
            settings: match self.model.cycles {
                Cycles::OneEach => Vec::new(),
                Cycles::Unbounded => vec![("cycles".to_owned(), "forever".to_owned())],
            },
            counted: "states".to_owned(),
            count: u64::try_from(self.states).unwrap_or(u64::MAX),
            violations: outcome.violations,
            verdict: self.verdict(outcome),
            seconds: self.seconds,
            extra: self
                .witnessed
                .iter()
                .map(|(name, reached)| ((*name).to_owned(), u64::from(*reached)))
                .collect(),
        }
    }

    /// Every verdict line, each violated one followed by its shortest counterexample.
    pub fn report(&self) -> String {
        let mut report = String::new();
        for outcome in &self.outcomes {
            report.push_str(&self.verdict_line(outcome).to_string());
            report.push('\n');
            if let Some(shortest) = &outcome.shortest {
                report.push_str(&format!(
                    "shortest counterexample for {} {} {} (stateright, {} model steps):\n{}\n",
                    self.model.variant,
                    outcome.property,
                    self.model.config,
                    shortest.depth,
                    shortest.execution.timeline()
                ));
            }
        }
        report
    }
}

/// Checks `model` exhaustively (stateright, depth-first, with symmetry reduction), then
/// searches the violated properties' shortest counterexamples (breadth-first). Prints a
/// progress line to stderr every few seconds.
pub fn check(model: StepModel) -> StepCheck {
    let started = Instant::now();
    let checked = Checked::new(model);
    let checker = checked
        .checker()
        .symmetry_fn(StepState::representative)
        .finish_when(HasDiscoveries::AllOf(BTreeSet::from(["(run to the end)"])))
        .spawn_dfs();
    let mut last_report = Instant::now();
    while !checker.is_done() {
        std::thread::sleep(Duration::from_millis(20));
        if last_report.elapsed() >= PROGRESS_EVERY {
            last_report = Instant::now();
            // Straight to stderr: the test harness would hold eprintln! back until the end.
            let _ = writeln!(
                std::io::stderr(),
                "planrace: checking {} {} (stateright): {} states, {:.1} s",
                model.variant,
                model.config,
                checker.unique_state_count(),
                started.elapsed().as_secs_f64()
            );
        }
    }
    let checker = checker.join();
    let seconds = started.elapsed().as_secs_f64();
    let states = checker.unique_state_count();
    let checked = checker.model();
    let violated: Vec<Property> = Property::ALL
        .into_iter()
        .filter(|p| checked.violations[property_index(*p)].load(Ordering::Relaxed) > 0)
        .collect();
    let mut examples = shortest(model, &violated);
    let outcomes = Property::ALL
        .into_iter()
        .filter(|p| model.cycles == Cycles::OneEach || *p != Property::Progress)
        .map(|property| StepOutcome {
            property,
            violations: checked.violations[property_index(property)].load(Ordering::Relaxed),
            shortest: examples
                .iter()
                .position(|(p, _)| *p == property)
                .map(|i| examples.swap_remove(i).1),
        })
        .collect();
    let witnessed = witness::ALL
        .iter()
        .zip(&checked.witnessed)
        .map(|(name, reached)| (*name, reached.load(Ordering::Relaxed)))
        .collect();
    StepCheck {
        model,
        states,
        seconds,
        outcomes,
        witnessed,
    }
}

/// The shortest paths to states violating each of `wanted`, breadth-first over symmetry
/// representatives, keeping only fingerprints and parent links (a few dozen bytes a state).
/// A path between representatives is then replayed from the initial state, choosing at each
/// step the mover whose next state has the next representative, so the log is one the code
/// can produce as it is.
fn shortest(model: StepModel, wanted: &[Property]) -> Vec<(Property, StepCounterexample)> {
    let judge = Checked::new(model);
    let init = model.init().representative();
    let mut parents: HashMap<u64, u64> = HashMap::from([(init.fingerprint(), 0)]);
    let mut frontier = VecDeque::from([init]);
    let mut found: Vec<(Property, u64)> = Vec::new();
    let mut movers = Vec::new();
    while let Some(state) = frontier.pop_front() {
        let here = state.fingerprint();
        for property in wanted {
            if !found.iter().any(|(p, _)| p == property) && !judge.holds(*property, &state) {
                found.push((*property, here));
            }
        }
        if found.len() == wanted.len() {
            break;
        }
        movers.clear();
        model.movers(&state, &mut movers);
        for mover in &movers {
            let mut next = state.clone();
            if model.step(&mut next, *mover).is_ok() {
                let next = next.representative();
                if let Entry::Vacant(slot) = parents.entry(next.fingerprint()) {
                    slot.insert(here);
                    frontier.push_back(next);
                }
            }
        }
    }
    found
        .into_iter()
        .map(|(property, end)| {
            let mut chain = vec![end];
            while let Some(parent) = parents.get(chain.last().unwrap_or(&0)).filter(|p| **p != 0) {
                chain.push(*parent);
            }
            chain.pop();
            chain.reverse();
            (property, concrete(model, property, &chain))
        })
        .collect()
}

/// Replays a chain of representative fingerprints (the initial state's left out) as concrete
/// steps from the initial state.
fn concrete(model: StepModel, property: Property, chain: &[u64]) -> StepCounterexample {
    let (steps, _) = concrete_path(&model, chain);
    let detail = match property {
        Property::NoEmptyRecord => "a record points at a deleted plan",
        Property::MonotonicGeneration => "a write replaced a record with an older plan",
        Property::Progress => "the execution ends with a record short of the newest plan picked",
    };
    let violation = Violation {
        property,
        step: steps.len().saturating_sub(1),
        detail: detail.to_owned(),
    };
    StepCounterexample {
        execution: Execution {
            steps,
            endpoints: model.config.endpoints(),
            violations: vec![violation],
        },
        depth: chain.len(),
    }
}

/// Starts stateright's Explorer for `model` on `address` (a web page to walk the state space
/// step by step), and returns at once; the server runs on its own threads.
pub fn serve(model: StepModel, address: std::net::SocketAddr) {
    let _checker = Checked::new(model)
        .checker()
        .symmetry_fn(StepState::representative)
        .serve(address);
}

/// The step model's suite: `Buggy` on loom's smallest configuration and at the incident's
/// size, every other variant at the incident's size, `Fixed` one generation and one Enactor
/// further, and `Buggy` and `Fixed` at the incident's size with the sweep's age K at 1 and 3
/// beside the suite's 2 (docs/safe-updaters.md, rule 4, has the table). The non-atomic sweeps
/// run on two endpoints: their record-by-record scan multiplies the states, and on three
/// endpoints the check does not finish in a CI's memory.
pub const STEP_SUITE: [(Variant, Config); 19] = {
    const SIZE: Config = Config::constant(3, 3, 5, 2);
    [
        (Variant::Buggy, Config::INCIDENT),
        (Variant::Buggy, SIZE),
        (Variant::Fixed, SIZE),
        (Variant::Fixed, Config::constant(3, 3, 6, 2)),
        (Variant::Fixed, Config::constant(4, 2, 5, 2)),
        (Variant::RecheckBeforeWrite, SIZE),
        (Variant::ConditionalWriteOnly, SIZE),
        (Variant::GuardedSweepOnly, SIZE),
        (Variant::GuardedSweepNonAtomic, Config::constant(3, 2, 5, 2)),
        (Variant::SkipDeletedPlan, SIZE),
        (Variant::FixedWithoutCompare, SIZE),
        (Variant::FixedWithoutExistenceCheck, SIZE),
        (Variant::FixedNonAtomicSweep, Config::constant(3, 2, 5, 2)),
        (Variant::FixedAgeSweep, SIZE),
        (Variant::FixedSkipPartlyApplied, SIZE),
        (Variant::Buggy, Config::constant(3, 3, 5, 1)),
        (Variant::Buggy, Config::constant(3, 3, 5, 3)),
        (Variant::Fixed, Config::constant(3, 3, 5, 1)),
        (Variant::Fixed, Config::constant(3, 3, 5, 3)),
    ]
};

impl StepCheck {
    /// One verdict-table row per property, with the check's seconds.
    pub fn rows(&self) -> Vec<(VerdictRow, f64)> {
        self.outcomes
            .iter()
            .map(|outcome| (VerdictRow::from(self.verdict_line(outcome)), self.seconds))
            .collect()
    }
}
