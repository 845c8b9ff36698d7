//! The link between the step model and the first-order model, checked on every reachable state
//! of the step model with looping Enactors:
//! - every successor the step model takes is a successor the first-order model allows
//!   (`mismatches` counts those it refuses: they would break the chain);
//! - the successors the first-order model allows beyond the step model's are counted by kind
//!   (`abstracted`: the over-approximations, which only make the proof stronger);
//! - every conjunct of the invariant holds in every reachable state (a conjunct that fails is a
//!   wrong invariant), and each property's formula agrees with the step model's own function;
//! - the shortest path to a state that violates a property is kept: the real violation a
//!   refuted proof is settled with.
//!
//! The search is breadth-first over symmetry representatives (Enactors sorted), so the first
//! violation found is a shortest one.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write as _;
use std::time::{Duration, Instant};

use crate::check::proof::abstraction::{abstract_state, universe};
use crate::check::proof::formula::{Evaluator, Structure, Term, Universe};
use crate::check::proof::invariant::{ProofProperty, conjuncts};
use crate::check::proof::successors::successors;
use crate::check::proof::transitions::{FirstOrder, StepKind, Transition};
use crate::check::step_model::properties::{
    monotonic_generation, no_empty_record, referenced_plans_kept,
};
use crate::check::step_model::state::StepState;
use crate::check::step_model::transition::{
    Cycles, Mover, StepModel, StepModelError, concrete_path,
};
use crate::protocol::config::Config;
use crate::protocol::event::Step;
use crate::protocol::variant::Variant;

/// A progress line goes to stderr this often during a long check.
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

/// A path of the step model from its initial state, as the code's log would have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trace {
    /// The log: the setup, then one step per model step (unlocks are silent).
    pub steps: Vec<Step>,
    /// Model steps from the initial state (unlocks included).
    pub depth: usize,
}

/// A break in the chain: a step-model successor the first-order model refuses, or a
/// reachable state where a conjunct or a property's formula disagrees with the step model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Break {
    /// What broke, in a sentence.
    pub what: String,
    /// How the step model reaches it.
    pub trace: Trace,
}

/// What the conformance check found for one variant on one configuration.
#[derive(Debug, Clone)]
pub struct Conformance {
    /// The variant.
    pub variant: Variant,
    /// The configuration, explored with looping Enactors.
    pub config: Config,
    /// Reachable states (symmetry representatives).
    pub states: usize,
    /// Step-model successors compared with the first-order model's.
    pub transitions: u64,
    /// Step-model successors the first-order model refuses.
    pub mismatches: u64,
    /// First-order successors the step model does not take, in all.
    pub abstracted: u64,
    /// The same, by kind of step.
    pub abstracted_by_kind: BTreeMap<StepKind, u64>,
    /// Step-model successors matched, by the kind of first-order step that matched them.
    pub fired: BTreeMap<StepKind, u64>,
    /// Conjuncts of the invariant evaluated on every state.
    pub conjuncts: usize,
    /// For each conjunct false in some reachable state, in how many.
    pub conjunct_failures: BTreeMap<&'static str, u64>,
    /// (state, property) pairs where the property's formula and the step model's function
    /// disagree.
    pub property_mismatches: u64,
    /// The first breaks found, one per kind at most, each with its trace.
    pub breaks: Vec<Break>,
    /// For each property, the shortest path to a state that violates it, if any does.
    pub violations: Vec<(ProofProperty, Trace)>,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl Conformance {
    /// Whether the two models agree: no step-model successor refused, no property whose
    /// formula disagrees with the step model. (Which conjuncts must hold depends on what was
    /// proven: see [`Conformance::conjunct_failures`].)
    pub fn linked(&self) -> bool {
        self.mismatches == 0 && self.property_mismatches == 0
    }

    /// (state, conjunct) pairs where a conjunct is false, in all.
    pub fn total_conjunct_failures(&self) -> u64 {
        self.conjunct_failures.values().sum()
    }

    /// The `planrace-conformance` line: the fields the design names, in its order, then
    /// `property_mismatches`, `cycles=forever` and the seconds.
    pub fn line(&self) -> String {
        format!(
            "planrace-conformance variant={} config={} states={} transitions={} mismatches={} \
             abstracted={} conjuncts={} conjunct_failures={} property_mismatches={} \
             cycles=forever seconds={:.2}",
            self.variant,
            self.config,
            self.states,
            self.transitions,
            self.mismatches,
            self.abstracted,
            self.conjuncts,
            self.total_conjunct_failures(),
            self.property_mismatches,
            self.seconds
        )
    }
}

/// The step model's own verdict on `property` in `state`.
fn step_model_holds(property: ProofProperty, state: &StepState) -> bool {
    match property {
        ProofProperty::NoEmptyRecord => no_empty_record(state),
        ProofProperty::MonotonicGeneration => monotonic_generation(state),
        ProofProperty::ReferencedPlansKept => referenced_plans_kept(state),
    }
}

/// The search's memory: every representative once, with the index of the state it was
/// first reached from.
struct Explored {
    states: Vec<StepState>,
    parents: Vec<usize>,
    index: HashMap<u64, usize>,
}

impl Explored {
    /// Adds `state`, reached from state number `parent`, unless it was reached before.
    fn add(&mut self, state: StepState, parent: usize) {
        if let Entry::Vacant(slot) = self.index.entry(state.fingerprint()) {
            slot.insert(self.states.len());
            self.states.push(state);
            self.parents.push(parent);
        }
    }

    /// The log of a shortest path to state `end`, as concrete steps from the initial state.
    fn trace(&self, model: &StepModel, end: usize) -> Trace {
        let mut chain = vec![end];
        while let Some(parent) = chain
            .last()
            .map(|c| self.parents[*c])
            .filter(|p| *p != usize::MAX)
        {
            chain.push(parent);
        }
        chain.pop();
        chain.reverse();
        let fingerprints: Vec<u64> = chain
            .iter()
            .map(|c| self.states[*c].fingerprint())
            .collect();
        let (steps, _) = concrete_path(model, &fingerprints);
        Trace {
            steps,
            depth: chain.len(),
        }
    }
}

/// The checks made on every state, and what they found so far.
struct Checker {
    universe: Universe,
    /// The first-order steps compared with the step model's (none: only look for
    /// violations).
    first_order: Vec<Transition>,
    conjuncts: Vec<(&'static str, Term)>,
    properties: Vec<(ProofProperty, Term)>,
    report: Conformance,
    /// Break descriptions and the state they were found in, to be traced at the end.
    pending_breaks: Vec<(String, usize)>,
    /// Properties already seen violated, with the state.
    violated: Vec<(ProofProperty, usize)>,
}

impl Checker {
    /// The checks of `variant`'s step model on `config` against the first-order model of
    /// `against` (none: only look for violations).
    fn new(variant: Variant, config: Config, against: Option<Variant>) -> Self {
        let conjuncts: Vec<(&'static str, Term)> = match against {
            Some(_) => conjuncts()
                .into_iter()
                .map(|c| (c.name, c.formula))
                .collect(),
            None => Vec::new(),
        };
        Checker {
            universe: universe(config),
            first_order: against.map_or_else(Vec::new, |v| FirstOrder::new(v).transitions()),
            properties: ProofProperty::ALL.map(|p| (p, p.formula())).to_vec(),
            report: Conformance {
                variant,
                config,
                states: 0,
                transitions: 0,
                mismatches: 0,
                abstracted: 0,
                abstracted_by_kind: BTreeMap::new(),
                fired: BTreeMap::new(),
                conjuncts: conjuncts.len(),
                conjunct_failures: BTreeMap::new(),
                property_mismatches: 0,
                breaks: Vec::new(),
                violations: Vec::new(),
                seconds: 0.0,
            },
            conjuncts,
            pending_breaks: Vec::new(),
            violated: Vec::new(),
        }
    }

    fn compares(&self) -> bool {
        !self.first_order.is_empty()
    }

    fn holds(&self, state: &Structure, term: &Term) -> bool {
        Evaluator {
            universe: &self.universe,
            state,
            bindings: Vec::new(),
        }
        .holds(term)
    }

    fn note_break(&mut self, what: String, at: usize) {
        let kind = what.split(':').next().unwrap_or_default().to_owned();
        if !self
            .pending_breaks
            .iter()
            .any(|(w, _)| w.starts_with(&kind))
        {
            self.pending_breaks.push((what, at));
        }
    }

    /// Checks the state's conjuncts and properties.
    fn check_state(&mut self, state: &StepState, structure: &Structure, at: usize) {
        for (name, formula) in self.conjuncts.clone() {
            if !self.holds(structure, &formula) {
                *self.report.conjunct_failures.entry(name).or_default() += 1;
                self.note_break(format!("conjunct {name}: false in a reachable state"), at);
            }
        }
        for (property, formula) in self.properties.clone() {
            let step_model = step_model_holds(property, state);
            if self.compares() && self.holds(structure, &formula) != step_model {
                self.report.property_mismatches += 1;
                self.note_break(
                    format!(
                        "property {property}: the formula says {}, the step model says \
                         {step_model}",
                        !step_model
                    ),
                    at,
                );
            }
            if !step_model && !self.violated.iter().any(|(p, _)| *p == property) {
                self.violated.push((property, at));
            }
        }
    }

    /// Compares the step model's successors of `state` with the first-order model's.
    fn check_successors(&mut self, structure: &Structure, taken: &[(Mover, Structure)], at: usize) {
        let allowed = successors(&self.universe, &self.first_order, structure);
        let mut matched: HashSet<&Structure> = HashSet::new();
        for (mover, next) in taken {
            self.report.transitions += 1;
            match allowed.iter().find(|(s, _)| s == next) {
                Some((s, kind)) => {
                    *self.report.fired.entry(*kind).or_default() += 1;
                    matched.insert(s);
                }
                None => {
                    self.report.mismatches += 1;
                    self.note_break(
                        format!(
                            "mismatch: the first-order model refuses the step model's step \
                             {mover:?} from this state"
                        ),
                        at,
                    );
                }
            }
        }
        let mut extra: HashSet<&Structure> = HashSet::new();
        for (s, kind) in &allowed {
            if !matched.contains(s) && extra.insert(s) {
                self.report.abstracted += 1;
                *self.report.abstracted_by_kind.entry(*kind).or_default() += 1;
            }
        }
    }

    /// Checks state number `at` and adds its successors to `explored`.
    fn visit(&mut self, model: &StepModel, explored: &mut Explored, at: usize) {
        let state = explored.states[at].clone();
        let structure = abstract_state(&self.universe, &state);
        self.check_state(&state, &structure, at);
        let mut movers = Vec::new();
        model.movers(&state, &mut movers);
        let mut taken = Vec::with_capacity(movers.len());
        for mover in movers {
            let mut next = state.clone();
            if model.step(&mut next, mover).is_err() {
                continue;
            }
            if self.compares() {
                taken.push((mover, abstract_state(&self.universe, &next)));
            }
            explored.add(next.representative(), at);
        }
        if self.compares() {
            self.check_successors(&structure, &taken, at);
        }
    }

    /// The report, each break and violation with its trace.
    fn finish(mut self, model: &StepModel, explored: &Explored, seconds: f64) -> Conformance {
        self.report.states = explored.states.len();
        self.report.breaks = self
            .pending_breaks
            .into_iter()
            .map(|(what, at)| Break {
                what,
                trace: explored.trace(model, at),
            })
            .collect();
        self.report.violations = self
            .violated
            .into_iter()
            .map(|(property, at)| (property, explored.trace(model, at)))
            .collect();
        self.report.seconds = seconds;
        self.report
    }
}

/// Explores every reachable state of `variant` on `config` with looping Enactors and checks
/// each link there. Prints a progress line to stderr every few seconds.
///
/// # Errors
/// [`StepModelError::TooLarge`] past the step model's limits.
pub fn check_conformance(variant: Variant, config: Config) -> Result<Conformance, StepModelError> {
    explore(variant, config, Some(variant))
}

/// The shortest violation of each property by `variant` on `config` with looping Enactors:
/// the same search as [`check_conformance`], without the first-order side (several times
/// faster), stopping once every property is violated. Its report counts states and
/// violations only.
///
/// # Errors
/// [`StepModelError::TooLarge`] past the step model's limits.
pub fn search_violations(variant: Variant, config: Config) -> Result<Conformance, StepModelError> {
    explore(variant, config, None)
}

/// Explores `variant`'s step model on `config`, comparing it with the first-order model of
/// `against` (none: only look for violations).
fn explore(
    variant: Variant,
    config: Config,
    against: Option<Variant>,
) -> Result<Conformance, StepModelError> {
    let started = Instant::now();
    let model = StepModel::new(variant, config, Cycles::Unbounded)?;
    let mut checker = Checker::new(variant, config, against);
    let init = model.init().representative();
    if let Some(against) = against
        && !checker.holds(
            &abstract_state(&checker.universe, &init),
            &FirstOrder::new(against).init(),
        )
    {
        checker.note_break(
            "init: the step model's initial state is not initial".into(),
            0,
        );
    }
    let mut explored = Explored {
        index: HashMap::from([(init.fingerprint(), 0)]),
        states: vec![init],
        parents: vec![usize::MAX],
    };
    let mut last_report = Instant::now();
    let mut at = 0;
    while at < explored.states.len() {
        checker.visit(&model, &mut explored, at);
        at += 1;
        if !checker.compares() && checker.violated.len() == ProofProperty::ALL.len() {
            break;
        }
        if last_report.elapsed() >= PROGRESS_EVERY {
            last_report = Instant::now();
            let _ = writeln!(
                std::io::stderr(),
                "planrace: {} of {variant} {config}: {at} of {} states, {:.1} s",
                if checker.compares() {
                    "conformance"
                } else {
                    "violation search"
                },
                explored.states.len(),
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok(checker.finish(&model, &explored, started.elapsed().as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The check can fail: the step model of `Fixed` against the first-order model of a
    /// variant without the compare-and-swap (which installs a stale plan where `Fixed`
    /// refuses it) is caught with mismatches.
    #[test]
    fn a_first_order_model_that_differs_from_the_step_model_is_caught() {
        let config: Config = "2E1P4G2K".parse().expect("valid");
        for wrong in [
            Variant::Buggy,
            Variant::GuardedSweepOnly,
            Variant::SkipDeletedPlan,
        ] {
            let report = explore(Variant::Fixed, config, Some(wrong)).expect("fits");
            assert!(report.mismatches > 0, "{wrong}: {}", report.line());
            assert!(
                report.breaks.iter().any(|b| b.what.starts_with("mismatch")),
                "{wrong}"
            );
        }
        let right = explore(Variant::Fixed, config, Some(Variant::Fixed)).expect("fits");
        assert_eq!(right.mismatches, 0);
    }
}
