//! The step model's transition relation: one step per step the code takes on shared state,
//! each producing the event the code logs for it (or none, for an unlock). The decisions are
//! the protocol's own functions in `protocol::rules`.

use thiserror::Error;

use crate::check::step_model::state::{
    EnactorState, Generations, Held, MAX_MODEL_ENDPOINTS, MAX_MODEL_GENERATIONS, Pc, StepState,
    endpoint,
};
use crate::protocol::config::Config;
use crate::protocol::enactor::MAX_LOCK_ATTEMPTS;
use crate::protocol::event::{Actor, Event, Step};
use crate::protocol::plan::Generation;
use crate::protocol::record::{Commit, Record};
use crate::protocol::rules::{SweepOutcome, is_newer};
use crate::protocol::variant::Variant;

/// How many cycles an Enactor runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cycles {
    /// One cycle each while the Planner publishes, then Enactor A's next cycle alone after
    /// every thread has joined: what `execute` runs (under loom, in replays, under shuttle).
    OneEach,
    /// Enactors that loop forever, each starting a new cycle when its last one is over, while
    /// the Planner publishes every generation: what the real-thread runtime runs, what
    /// `planrace check --cycles forever` checks, and the size the proof's conformance check
    /// compares with. Its states are finite (the Planner stops at the configuration's last
    /// generation) though its executions are not.
    Unbounded,
}

/// Who takes the next step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Mover {
    /// The Planner publishes the next generation.
    Planner,
    /// Enactor number `n` (its index in [`StepState::enactors`]) takes its next step.
    Enactor(usize),
    /// Enactor A's next cycle, after every thread has joined, takes its next step.
    Last,
}

/// A configuration the step model cannot represent.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StepModelError {
    /// More generations or endpoints than the model's bit sets hold.
    #[error(
        "{config} is larger than the step model holds (at most {MAX_MODEL_GENERATIONS} \
         generations and {MAX_MODEL_ENDPOINTS} endpoints)"
    )]
    TooLarge {
        /// The configuration.
        config: Config,
    },
}

/// The protocol as a state machine: one variant on one configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepModel {
    /// The variant, whose rules every step applies.
    pub variant: Variant,
    /// The configuration.
    pub config: Config,
    /// How many cycles an Enactor runs.
    pub cycles: Cycles,
}

impl StepModel {
    /// The model of `variant` on `config`.
    ///
    /// # Errors
    /// [`StepModelError::TooLarge`] past the model's limits.
    pub fn new(variant: Variant, config: Config, cycles: Cycles) -> Result<Self, StepModelError> {
        if config.generations() > MAX_MODEL_GENERATIONS || config.endpoints() > MAX_MODEL_ENDPOINTS
        {
            return Err(StepModelError::TooLarge { config });
        }
        Ok(Self {
            variant,
            config,
            cycles,
        })
    }

    fn endpoints(&self) -> u8 {
        u8::try_from(self.config.endpoints()).unwrap_or(u8::MAX)
    }

    /// The steady state before the race, as `execute` sets it up: generation 1 published and
    /// applied to every endpoint.
    pub(crate) fn init(&self) -> StepState {
        let mut live = Generations::default();
        live.insert(Generation(1));
        StepState {
            published: Generation(1),
            live,
            records: vec![
                Record {
                    active: Some(Generation(1)),
                    rollback: None,
                };
                self.config.endpoints()
            ],
            enactors: vec![EnactorState::START; self.config.enactors()],
            last: None,
        }
    }

    /// The log of the steady state's setup, as `execute` writes it.
    pub(crate) fn setup_steps(&self) -> Vec<Step> {
        let first = Generation(1);
        let mut steps = vec![Step {
            actor: Actor::Setup,
            event: Event::Published { generation: first },
        }];
        steps.extend((0..self.endpoints()).map(|e| Step {
            actor: Actor::Setup,
            event: Event::Installed {
                endpoint: endpoint(e),
                generation: first,
                rollback: None,
            },
        }));
        steps
    }

    /// The actor whose step `mover` takes, as the code's log names it.
    pub(crate) fn actor(&self, mover: Mover) -> Actor {
        match mover {
            Mover::Planner => Actor::Planner,
            Mover::Enactor(n) => Actor::Enactor(n),
            Mover::Last => Actor::Enactor(0),
        }
    }

    /// Every mover that can take a step in `state`.
    pub(crate) fn movers(&self, state: &StepState, movers: &mut Vec<Mover>) {
        if state.published.0 < self.config.generations() {
            movers.push(Mover::Planner);
        }
        for (index, enactor) in state.enactors.iter().enumerate() {
            let restarts = self.cycles == Cycles::Unbounded && enactor.is_done();
            if restarts || self.can_step(state, enactor) {
                movers.push(Mover::Enactor(index));
            }
        }
        if self.cycles == Cycles::OneEach {
            match &state.last {
                Some(last) if self.can_step(state, last) => movers.push(Mover::Last),
                None if self.everyone_joined(state) => movers.push(Mover::Last),
                _ => {}
            }
        }
    }

    /// Whether the Planner is done and every Enactor's cycle is over: the next cycle may start.
    pub(crate) fn everyone_joined(&self, state: &StepState) -> bool {
        state.published.0 >= self.config.generations()
            && state.enactors.iter().all(EnactorState::is_done)
    }

    /// Whether every step has been taken: the execution is over.
    #[cfg(any(loom, feature = "stateright", all(test, not(shuttle))))]
    pub(crate) fn is_over(&self, state: &StepState) -> bool {
        self.everyone_joined(state) && state.last.as_ref().is_some_and(EnactorState::is_done)
    }

    /// Whether `enactor` has a step it can take now: an unlock always can; a blocking lock
    /// waits while another Enactor holds it; a try-lock always goes (and may find it taken).
    fn can_step(&self, state: &StepState, enactor: &EnactorState) -> bool {
        if enactor.held.is_some() {
            return true;
        }
        match enactor.pc {
            Pc::Done => false,
            Pc::Check(e) | Pc::Recheck(e) | Pc::Scan(e) => state.lock_holder(e).is_none(),
            Pc::Pick | Pc::Write { .. } | Pc::GiveUp(_) | Pc::Sweep => true,
        }
    }

    /// Takes `mover`'s next step; returns the event the code logs for it (`None` for a silent
    /// step: an unlock), or [`Disabled`] if `mover` cannot step now.
    pub(crate) fn step(
        &self,
        state: &mut StepState,
        mover: Mover,
    ) -> Result<Option<Event>, Disabled> {
        match mover {
            Mover::Planner => {
                if state.published.0 >= self.config.generations() {
                    return Err(Disabled);
                }
                let generation = Generation(state.published.0 + 1);
                state.published = generation;
                state.live.insert(generation);
                Ok(Some(Event::Published { generation }))
            }
            Mover::Enactor(index) => {
                let mut enactor = *state.enactors.get(index).ok_or(Disabled)?;
                if self.cycles == Cycles::Unbounded && enactor.is_done() {
                    enactor = EnactorState::START;
                }
                let event = self.step_enactor(state, &mut enactor)?;
                state.enactors[index] = enactor;
                Ok(event)
            }
            Mover::Last => {
                let mut last = match state.last {
                    Some(last) => last,
                    None if self.cycles == Cycles::OneEach && self.everyone_joined(state) => {
                        EnactorState::START
                    }
                    None => return Err(Disabled),
                };
                let event = self.step_enactor(state, &mut last)?;
                state.last = Some(last);
                Ok(event)
            }
        }
    }

    /// Forces `mover`'s pending try-lock to fail, as it does when another Enactor holds the
    /// lock or when a fault injector takes it away: the `LockBusy` (or `LockLost`) step.
    pub(crate) fn step_busy(&self, state: &mut StepState, mover: Mover) -> Result<Event, Disabled> {
        let enactor = enactor_mut(state, mover).ok_or(Disabled)?;
        if enactor.held.is_some() {
            return Err(Disabled);
        }
        busy(enactor)
    }

    /// One step of `enactor`: releasing the lock it holds (silent), or the step at its
    /// program point. Each program point has its function below, named after the code it
    /// models (`protocol/enactor.rs` and `protocol/sweep.rs`), so the two read side by side.
    fn step_enactor(
        &self,
        state: &mut StepState,
        enactor: &mut EnactorState,
    ) -> Result<Option<Event>, Disabled> {
        if enactor.held.take().is_some() {
            return Ok(None);
        }
        if enactor.pc == Pc::Pick {
            return Ok(Some(pick(state, enactor)));
        }
        let plan = enactor.plan.ok_or(Disabled)?;
        match enactor.pc {
            Pc::Done | Pc::Pick => Err(Disabled),
            Pc::Check(e) | Pc::Recheck(e) => self.check(state, enactor, plan, e).map(Some),
            Pc::Write { endpoint: e, .. } => self.write(state, enactor, plan, e).map(Some),
            Pc::GiveUp(e) => {
                enactor.pc = self.next_write(enactor, Some(e));
                Ok(Some(Event::GaveUp {
                    endpoint: endpoint(e),
                    generation: plan,
                }))
            }
            Pc::Scan(e) => self.scan(state, enactor, e).map(Some),
            Pc::Sweep => Ok(Some(self.sweep(state, enactor, plan))),
        }
    }

    /// `Enactor::check`: reads endpoint `e`'s record under its lock and compares. In the
    /// one-time check (`Pc::Check`) the result marks `e` to be written; a re-check before a
    /// write (`Pc::Recheck`) decides that write.
    fn check(
        &self,
        state: &StepState,
        enactor: &mut EnactorState,
        plan: Generation,
        e: u8,
    ) -> Result<Event, Disabled> {
        if state.lock_holder(e).is_some() {
            return Err(Disabled);
        }
        let active = state.record(e).active;
        let newer = is_newer(plan, active);
        enactor.held = Some(Held {
            endpoint: e,
            outcome: None,
        });
        if let Pc::Check(_) = enactor.pc {
            if newer {
                enactor.older |= 1 << e;
            }
            enactor.pc = if e + 1 < self.endpoints() {
                Pc::Check(e + 1)
            } else if enactor.older == 0 || self.skips_partly_applied(enactor.older) {
                Pc::Done
            } else {
                self.next_write(enactor, None)
            };
        } else {
            enactor.pc = if newer {
                Pc::Write {
                    endpoint: e,
                    attempt: 1,
                }
            } else {
                self.next_write(enactor, Some(e))
            };
        }
        Ok(Event::Checked {
            endpoint: endpoint(e),
            plan,
            active,
            newer,
        })
    }

    /// `Enactor::write`, one attempt: the lock taken (`LockBusy` when another Enactor holds
    /// it) and the variant's write rule decides the commit, under the lock.
    fn write(
        &self,
        state: &mut StepState,
        enactor: &mut EnactorState,
        plan: Generation,
        e: u8,
    ) -> Result<Event, Disabled> {
        if state.lock_holder(e).is_some() {
            return busy(enactor);
        }
        let index = usize::from(e);
        let record = state.records.get(index).copied().ok_or(Disabled)?;
        let live = state.live;
        let commit = self
            .variant
            .write_rule()
            .decide(record, plan, |g| live.contains(g));
        if let Commit::Installed { rollback } = commit {
            state.records[index] = Record {
                active: Some(plan),
                rollback,
            };
            enactor.installed_any = true;
        }
        enactor.held = Some(Held {
            endpoint: e,
            outcome: Some(commit),
        });
        enactor.pc = if let Commit::ActivePlanMissing { .. } = commit {
            Pc::Done
        } else {
            self.next_write(enactor, Some(e))
        };
        Ok(Event::committed(endpoint(e), plan, commit))
    }

    /// `scan_references` in `protocol/sweep.rs` (`GuardedSweepNonAtomic`): reads endpoint
    /// `e`'s record under its lock and remembers the plans it names.
    fn scan(
        &self,
        state: &StepState,
        enactor: &mut EnactorState,
        e: u8,
    ) -> Result<Event, Disabled> {
        if state.lock_holder(e).is_some() {
            return Err(Disabled);
        }
        let Record { active, rollback } = state.record(e);
        for generation in active.into_iter().chain(rollback) {
            enactor.scanned.insert(generation);
        }
        enactor.held = Some(Held {
            endpoint: e,
            outcome: None,
        });
        enactor.pc = if e + 1 < self.endpoints() {
            Pc::Scan(e + 1)
        } else {
            Pc::Sweep
        };
        Ok(Event::SweepScanned {
            endpoint: endpoint(e),
            active,
            rollback,
        })
    }

    /// `sweep` in `protocol/sweep.rs`: one store step deleting what the variant's sweep rule
    /// lets it delete.
    fn sweep(&self, state: &mut StepState, enactor: &mut EnactorState, plan: Generation) -> Event {
        let rule = self.variant.sweep_rule();
        let scanned = enactor.scanned;
        let SweepOutcome { deleted, spared } =
            rule.sweep(plan, self.config.sweep_age(), state.live.iter(), |g| {
                if rule.scans_records() {
                    scanned.contains(g)
                } else {
                    state.is_referenced(g)
                }
            });
        for generation in &deleted {
            state.live.remove(*generation);
        }
        enactor.pc = Pc::Done;
        Event::Swept {
            applied: plan,
            deleted,
            spared,
        }
    }

    /// Where the cycle goes after endpoint `after` (or before the first one): the next endpoint
    /// the check found older, then the sweep (if a write installed the plan) or the end.
    fn next_write(&self, enactor: &EnactorState, after: Option<u8>) -> Pc {
        let from = after.map_or(0, |e| e + 1);
        let next = (from..self.endpoints()).find(|e| enactor.older & (1 << e) != 0);
        match next {
            Some(e) if self.variant.rechecks_before_write() => Pc::Recheck(e),
            Some(e) => Pc::Write {
                endpoint: e,
                attempt: 1,
            },
            None if !enactor.installed_any => Pc::Done,
            None if self.variant.sweep_rule().scans_records() => Pc::Scan(0),
            None => Pc::Sweep,
        }
    }

    /// Whether the one-time check's `older` endpoints make the plan stale for a variant that
    /// skips a plan some endpoint already holds ([`Variant::skips_partly_applied_plans`]).
    fn skips_partly_applied(&self, older: u64) -> bool {
        let every = (1u64 << self.endpoints()) - 1;
        self.variant.skips_partly_applied_plans() && older != every
    }
}

/// `Enactor::run_cycle`'s pick: reads the newest plan (no lock: one store step); with none,
/// the cycle is over.
fn pick(state: &StepState, enactor: &mut EnactorState) -> Event {
    let picked = state.live.newest();
    enactor.plan = picked;
    enactor.pc = if picked.is_some() {
        Pc::Check(0)
    } else {
        Pc::Done
    };
    Event::Picked { generation: picked }
}

/// Replays a path between symmetry representatives (their fingerprints, the initial state's
/// left out) as concrete steps from the initial state: at each step the mover whose next
/// state has the next representative, so that the log is one the code can produce as it is.
/// Returns the log (the setup first) and the state reached.
pub(crate) fn concrete_path(model: &StepModel, chain: &[u64]) -> (Vec<Step>, StepState) {
    let mut steps = model.setup_steps();
    let mut state = model.init();
    let mut movers = Vec::new();
    for target in chain {
        movers.clear();
        model.movers(&state, &mut movers);
        for mover in &movers {
            let mut next = state.clone();
            if let Ok(event) = model.step(&mut next, *mover)
                && next.representative().fingerprint() == *target
            {
                steps.extend(event.map(|event| Step {
                    actor: model.actor(*mover),
                    event,
                }));
                state = next;
                break;
            }
        }
    }
    (steps, state)
}

/// The state of the Enactor that `mover` moves, if it moves one.
pub(crate) fn enactor(state: &StepState, mover: Mover) -> Option<&EnactorState> {
    match mover {
        Mover::Enactor(n) => state.enactors.get(n),
        Mover::Last => state.last.as_ref(),
        Mover::Planner => None,
    }
}

/// [`enactor`], to change.
pub(crate) fn enactor_mut(state: &mut StepState, mover: Mover) -> Option<&mut EnactorState> {
    match mover {
        Mover::Enactor(n) => state.enactors.get_mut(n),
        Mover::Last => state.last.as_mut(),
        Mover::Planner => None,
    }
}

/// A failed try-lock: the next attempt, or giving up after the last.
fn busy(enactor: &mut EnactorState) -> Result<Event, Disabled> {
    let Pc::Write {
        endpoint: e,
        attempt,
    } = enactor.pc
    else {
        return Err(Disabled);
    };
    enactor.pc = if u32::from(attempt) < MAX_LOCK_ATTEMPTS {
        Pc::Write {
            endpoint: e,
            attempt: attempt + 1,
        }
    } else {
        Pc::GiveUp(e)
    };
    Ok(Event::LockBusy {
        endpoint: endpoint(e),
        attempt: u32::from(attempt),
    })
}

/// A step the mover cannot take in this state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Disabled;

#[cfg(all(test, not(any(loom, shuttle))))]
mod tests {
    use std::collections::{HashSet, VecDeque};

    use super::*;

    /// Every candidate mover of a state: the Planner, each Enactor, the next cycle.
    fn candidates(state: &StepState) -> Vec<Mover> {
        let mut all = vec![Mover::Planner, Mover::Last];
        all.extend((0..state.enactors.len()).map(Mover::Enactor));
        all
    }

    /// `movers` offers exactly the movers whose step the model takes, in every reachable
    /// state (breadth first, over every mover that can step); under `OneEach` the execution
    /// is over exactly when no one can move.
    #[test]
    fn movers_are_exactly_those_that_can_step() {
        for (variant, config, cycles) in [
            (Variant::Buggy, "2E1P4G2K", Cycles::OneEach),
            (Variant::GuardedSweepNonAtomic, "2E2P4G2K", Cycles::OneEach),
            (Variant::RecheckBeforeWrite, "2E1P4G2K", Cycles::Unbounded),
            (Variant::Fixed, "2E1P4G2K", Cycles::Unbounded),
        ] {
            let config = config.parse().expect("a valid configuration");
            let model = StepModel::new(variant, config, cycles).expect("a small model");
            let mut seen = HashSet::from([model.init()]);
            let mut pending = VecDeque::from([model.init()]);
            let mut offered = Vec::new();
            while let Some(state) = pending.pop_front() {
                offered.clear();
                model.movers(&state, &mut offered);
                let mut can_step = Vec::new();
                for mover in candidates(&state) {
                    let mut next = state.clone();
                    if model.step(&mut next, mover).is_ok() {
                        can_step.push(mover);
                        if seen.insert(next.clone()) {
                            pending.push_back(next);
                        }
                    }
                }
                offered.sort_by_key(|m| format!("{m:?}"));
                can_step.sort_by_key(|m| format!("{m:?}"));
                assert_eq!(
                    offered, can_step,
                    "{variant} {config} {cycles:?} in {state:?}"
                );
                if cycles == Cycles::OneEach {
                    assert_eq!(model.is_over(&state), offered.is_empty(), "{state:?}");
                }
            }
            assert!(
                seen.len() > 100,
                "{variant} {config}: {} states",
                seen.len()
            );
        }
    }

    /// A path of symmetry representatives becomes concrete steps that reach a state with the
    /// same representative, as a log the validator accepts.
    #[test]
    fn a_path_of_representatives_replays_as_concrete_steps() {
        let config = "3E2P4G2K".parse().expect("a valid configuration");
        let model = StepModel::new(Variant::Buggy, config, Cycles::OneEach).expect("small");
        let mut state = model.init();
        let mut chain = Vec::new();
        let mut movers = Vec::new();
        // Always the last mover that can move: Enactor C first, then B, then A.
        loop {
            movers.clear();
            model.movers(&state, &mut movers);
            let Some(mover) = movers.last().copied() else {
                break;
            };
            model
                .step(&mut state, mover)
                .expect("an offered mover steps");
            chain.push(state.representative().fingerprint());
        }
        let (steps, reached) = concrete_path(&model, &chain);
        assert_eq!(reached.representative(), state.representative());
        assert!(steps.len() > chain.len() / 2, "{steps:?}");
        let validated = crate::check::step_model::validate::validate(
            Variant::Buggy,
            config,
            Cycles::OneEach,
            &steps,
        );
        assert!(validated.is_ok(), "{validated:?}");
    }
}
