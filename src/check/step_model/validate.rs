//! Trace validation: an execution's log, walked through the step model's transition relation
//! (a walk, not a replay: nothing runs again, the model follows the log).
//! Every logged step must be a step the model can take, producing exactly the logged event; a
//! log the model cannot follow is rejected, with the step and the model state. This is what
//! links the model to the code: the model is trusted as far as the code's logs are accepted.
//!
//! The log does not record silent steps, so the validator places them:
//! - an unlock as late as the log allows: just before the holder's next step, or before another
//!   Enactor's step that needs the lock;
//! - a lock taken for a step not yet logged: the code logs a step under its lock, so between
//!   taking the lock and logging, another Enactor may find the lock taken;
//! - a failed try-lock (`LockBusy`) is logged in the same step as the try (the log's lock is
//!   held across it, `Trace::record_refusal`), so it is accepted when, at that point of the
//!   log, another Enactor holds the lock: it logged its step under the lock and has not
//!   released it, or it has taken the lock for its next logged step, which must be the first
//!   step after the `LockBusy` to take that lock. That Enactor released its own previous lock
//!   before taking this one, so it is released there too;
//! - a `LockLost` (a fault injector took the lock away, real threads only) is a failed
//!   try-lock that needs no holder.
//!
//! Placing unlocks as late as possible never refuses a log another placement would accept:
//! an unlock is forced earlier by every step that needs the lock, and a lock held longer can
//! only explain more `LockBusy` steps. The one choice, which Enactor held the lock, has a
//! single candidate whenever it has side effects (the first to take the lock afterwards).
//!
//! `oracle.rs` answers the same question by brute force, following the code's logging
//! discipline step by step; tests/oracle.rs holds the two to the same answer on every log.

use std::fmt;

use thiserror::Error;

use crate::check::step_model::state::{Pc, StepState};
use crate::check::step_model::transition::{
    Cycles, Mover, StepModel, StepModelError, enactor, enactor_mut,
};
use crate::protocol::config::Config;
use crate::protocol::event::{Actor, Event, Step};
use crate::protocol::variant::Variant;

/// A log the step model could not follow.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Rejection {
    /// The configuration does not fit the model.
    #[error(transparent)]
    TooLarge(#[from] StepModelError),
    /// The setup steps are not the model's steady state.
    #[error("step {step}: the setup is not the model's steady state: {found}")]
    Setup {
        /// Index of the step in the log.
        step: usize,
        /// The step found.
        found: String,
    },
    /// A logged step the model cannot take, or takes with another event.
    #[error(
        "step {step}: {actor} logged \"{logged}\", but the model {expected}\nmodel state: {state}"
    )]
    Step {
        /// Index of the step in the log.
        step: usize,
        /// Who took it.
        actor: String,
        /// The logged event.
        logged: String,
        /// What the model does instead.
        expected: String,
        /// The model state before the step.
        state: String,
    },
}

/// How far a log was validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validated {
    /// Logged steps walked through the model, setup included.
    pub steps: usize,
}

/// Walks `steps`, the log of one execution of `variant` on `config`, through the step model.
///
/// # Errors
/// The first step the model rejects.
pub fn validate(
    variant: Variant,
    config: Config,
    cycles: Cycles,
    steps: &[Step],
) -> Result<Validated, Rejection> {
    let model = StepModel::new(variant, config, cycles)?;
    let setup = model.setup_steps();
    for (index, expected) in setup.iter().enumerate() {
        if steps.get(index) != Some(expected) {
            return Err(Rejection::Setup {
                step: index,
                found: steps
                    .get(index)
                    .map_or_else(|| "the log ends".to_owned(), |s| s.event.to_string()),
            });
        }
    }
    let mut walk = Walk {
        model,
        state: model.init(),
    };
    for (index, step) in steps.iter().enumerate().skip(setup.len()) {
        walk.take(index, step, steps)?;
    }
    Ok(Validated { steps: steps.len() })
}

struct Walk {
    model: StepModel,
    state: StepState,
}

/// A model state, briefly.
struct Brief<'a>(&'a StepState);

impl fmt::Display for Brief<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let live: Vec<String> = self.0.live.iter().map(|g| g.to_string()).collect();
        write!(
            f,
            "published {}, store {{{}}}, records [",
            self.0.published,
            live.join(",")
        )?;
        for record in &self.0.records {
            write!(
                f,
                " {}/{}",
                record.active.map_or("-".to_owned(), |g| g.to_string()),
                record.rollback.map_or("-".to_owned(), |g| g.to_string())
            )?;
        }
        write!(f, " ], enactors [")?;
        for enactor in self.0.all_enactors() {
            write!(f, " {:?}", enactor.pc)?;
            if let Some(held) = enactor.held {
                write!(f, "+holds ep{}", held.endpoint)?;
            }
        }
        write!(f, " ]")
    }
}

impl Walk {
    fn reject(&self, index: usize, step: &Step, expected: String) -> Rejection {
        Rejection::Step {
            step: index,
            actor: step.actor.label(),
            logged: step.event.to_string(),
            expected,
            state: Brief(&self.state).to_string(),
        }
    }

    /// The model's mover for a logged actor.
    fn mover(&self, actor: Actor) -> Option<Mover> {
        match actor {
            Actor::Setup => None,
            Actor::Planner => Some(Mover::Planner),
            Actor::Enactor(n) => {
                let enactor = self.state.enactors.get(n)?;
                let last_cycle = self.model.cycles == Cycles::OneEach
                    && n == 0
                    && (self.state.last.is_some() || enactor.pc == Pc::Done);
                Some(if last_cycle {
                    Mover::Last
                } else {
                    Mover::Enactor(n)
                })
            }
        }
    }

    /// Releases the lock `mover` holds, if any (an unlock step).
    fn release_own(&mut self, mover: Mover) {
        if let Some(enactor) = enactor_mut(&mut self.state, mover) {
            enactor.held = None;
        }
    }

    /// The endpoint whose lock `mover`'s next step takes, if it takes one.
    fn needs(&self, mover: Mover) -> Option<u8> {
        match enactor(&self.state, mover)?.pc {
            Pc::Check(e) | Pc::Recheck(e) | Pc::Scan(e) | Pc::Write { endpoint: e, .. } => Some(e),
            Pc::Pick | Pc::GiveUp(_) | Pc::Sweep | Pc::Done => None,
        }
    }

    fn take(&mut self, index: usize, step: &Step, log: &[Step]) -> Result<(), Rejection> {
        let Some(mover) = self.mover(step.actor) else {
            return Err(self.reject(index, step, "has no such actor".to_owned()));
        };
        if mover == Mover::Last && self.state.last.is_none() {
            // Every thread has joined: their last unlocks came first.
            for n in 0..self.state.enactors.len() {
                self.release_own(Mover::Enactor(n));
            }
        }
        self.release_own(mover);
        let event = match &step.event {
            Event::LockLost { .. } => self.model.step_busy(&mut self.state, mover).map(|busy| {
                // The same step as a busy lock, logged as the fault it was.
                match busy {
                    Event::LockBusy { endpoint, attempt } => Event::LockLost { endpoint, attempt },
                    other => other,
                }
            }),
            Event::LockBusy { endpoint, .. } => {
                if !self.held_by_another(mover, endpoint.0, index, log) {
                    return Err(self.reject(
                        index,
                        step,
                        format!("finds no other Enactor holding {endpoint}'s lock there"),
                    ));
                }
                self.model.step_busy(&mut self.state, mover)
            }
            _ => {
                if let Some(endpoint) = self.needs(mover)
                    && let Some(holder) = self.state.lock_holder(endpoint).map(Mover::Enactor)
                    && holder != mover
                {
                    // The holder's unlock came first.
                    self.release_own(holder);
                }
                self.model
                    .step(&mut self.state, mover)
                    .and_then(|event| event.ok_or(crate::check::step_model::transition::Disabled))
            }
        };
        match event {
            Ok(event) if event == step.event => Ok(()),
            Ok(event) => Err(self.reject(index, step, format!("logs \"{event}\" there"))),
            Err(_) => Err(self.reject(index, step, "cannot take that step there".to_owned())),
        }
    }

    /// Whether an Enactor other than `mover` holds `endpoint`'s lock at step `index`: it
    /// logged a step under it and has not released it, or it took it for its next logged step
    /// (and released its own previous lock, which this notes).
    fn held_by_another(
        &mut self,
        mover: Mover,
        endpoint: usize,
        index: usize,
        log: &[Step],
    ) -> bool {
        let Ok(endpoint) = u8::try_from(endpoint) else {
            return false;
        };
        let me = match mover {
            Mover::Enactor(n) => Some(n),
            Mover::Last | Mover::Planner => None,
        };
        let holds_now = self
            .state
            .lock_holder(endpoint)
            .is_some_and(|holder| Some(holder) != me);
        if holds_now {
            return true;
        }
        match self.about_to_log(me, endpoint, index, log) {
            Some(holder) => {
                self.release_own(Mover::Enactor(holder));
                true
            }
            None => false,
        }
    }

    /// Another Enactor that has taken `endpoint`'s lock for its next logged step but had not
    /// logged it yet at step `index`. Only the first step after `index` that takes the lock
    /// can be that one: the lock is held until its holder has logged. A log that stops first
    /// leaves any Enactor about to take the lock that logs nothing more.
    fn about_to_log(
        &self,
        me: Option<usize>,
        endpoint: u8,
        index: usize,
        log: &[Step],
    ) -> Option<usize> {
        let later = &log[index + 1..];
        let waiting = |n: usize| {
            Some(n) != me
                && self
                    .state
                    .enactors
                    .get(n)
                    .is_some_and(|other| other.pc != Pc::Done)
                && self.needs(Mover::Enactor(n)) == Some(endpoint)
        };
        let taker = later
            .iter()
            .position(|step| takes_lock(&step.event, usize::from(endpoint)));
        match taker {
            Some(at) => match later[at].actor {
                Actor::Enactor(n) => (waiting(n)
                    && later.iter().position(|s| s.actor == Actor::Enactor(n)) == Some(at))
                .then_some(n),
                Actor::Setup | Actor::Planner => None,
            },
            None => {
                let silent: Vec<usize> = (0..self.state.enactors.len())
                    .filter(|n| waiting(*n) && !later.iter().any(|s| s.actor == Actor::Enactor(*n)))
                    .collect();
                // One that holds no lock, if any: its choice releases nothing.
                silent
                    .iter()
                    .copied()
                    .find(|n| self.state.enactors[*n].held.is_none())
                    .or_else(|| silent.first().copied())
            }
        }
    }
}

/// Whether `event` is logged by a step that holds `endpoint`'s lock.
fn takes_lock(event: &Event, endpoint: usize) -> bool {
    match event {
        Event::Checked { endpoint: e, .. }
        | Event::SweepScanned { endpoint: e, .. }
        | Event::Installed { endpoint: e, .. }
        | Event::Rejected { endpoint: e, .. }
        | Event::ActivePlanMissing { endpoint: e, .. }
        | Event::PlanDeleted { endpoint: e, .. } => e.0 == endpoint,
        _ => false,
    }
}

/// The logs on which the validator once disagreed with the exact oracle (tests/oracle.rs),
/// kept as they were found.
#[cfg(all(test, not(any(loom, shuttle))))]
mod tests {
    use super::*;
    use crate::protocol::plan::{EndpointId, Generation};

    fn setup(endpoints: usize) -> Vec<Step> {
        let mut steps = vec![published(Actor::Setup, 1)];
        steps.extend((0..endpoints).map(|e| installed(Actor::Setup, e, 1, None)));
        steps
    }

    fn published(actor: Actor, generation: u64) -> Step {
        Step {
            actor,
            event: Event::Published {
                generation: Generation(generation),
            },
        }
    }

    fn picked(n: usize, generation: u64) -> Step {
        Step {
            actor: Actor::Enactor(n),
            event: Event::Picked {
                generation: Some(Generation(generation)),
            },
        }
    }

    fn checked(n: usize, endpoint: usize, plan: u64, active: u64) -> Step {
        Step {
            actor: Actor::Enactor(n),
            event: Event::Checked {
                endpoint: EndpointId(endpoint),
                plan: Generation(plan),
                active: Some(Generation(active)),
                newer: plan > active,
            },
        }
    }

    fn busy(n: usize, endpoint: usize) -> Step {
        busy_again(n, endpoint, 1)
    }

    fn busy_again(n: usize, endpoint: usize, attempt: u32) -> Step {
        Step {
            actor: Actor::Enactor(n),
            event: Event::LockBusy {
                endpoint: EndpointId(endpoint),
                attempt,
            },
        }
    }

    fn installed(actor: Actor, endpoint: usize, generation: u64, rollback: Option<u64>) -> Step {
        Step {
            actor,
            event: Event::Installed {
                endpoint: EndpointId(endpoint),
                generation: Generation(generation),
                rollback: rollback.map(Generation),
            },
        }
    }

    fn accepts(variant: Variant, config: &str, steps: &[Step]) -> bool {
        let config = config.parse().expect("a valid configuration");
        validate(variant, config, Cycles::OneEach, steps).is_ok()
    }

    #[test]
    fn the_next_cycle_finds_no_lock_busy_when_every_other_thread_has_joined() {
        // Both Enactors found generation 1 current and stopped; Enactor A's next cycle runs
        // alone, so no one can hold a lock it tries. A release before that cycle started
        // once counted as "released since its previous step" (when a LockBusy could be
        // logged after the try).
        let mut steps = setup(1);
        steps.extend([
            picked(0, 1),
            checked(0, 0, 1, 1),
            picked(1, 1),
            checked(1, 0, 1, 1),
        ]);
        steps.extend((2..=4).map(|g| published(Actor::Planner, g)));
        steps.extend([picked(0, 4), checked(0, 0, 4, 1)]);
        assert!(accepts(Variant::Fixed, "2E1P4G2K", &steps));
        steps.push(busy(0, 0));
        let config = "2E1P4G2K".parse().expect("a valid configuration");
        let rejection = validate(Variant::Fixed, config, Cycles::OneEach, &steps);
        let Err(Rejection::Step { step, state, .. }) = rejection else {
            panic!("expected a rejected step, got {rejection:?}");
        };
        // The rejection names the step and every Enactor's state, the next cycle's last.
        assert_eq!(step, 11);
        assert!(
            state.ends_with("enactors [ Done Done Write { endpoint: 0, attempt: 1 } ]"),
            "{state}"
        );
    }

    #[test]
    fn a_lock_busy_is_not_explained_by_a_holder_that_logs_after_another_taker() {
        // A checked g2, B checked g4; B's write finds the lock busy, then B writes, then A
        // writes. A cannot have held the lock at B's failed try: B took it before A logged.
        let mut steps = setup(1);
        steps.extend([
            published(Actor::Planner, 2),
            picked(0, 2),
            checked(0, 0, 2, 1),
        ]);
        steps.extend([published(Actor::Planner, 3), published(Actor::Planner, 4)]);
        steps.extend([picked(1, 4), checked(1, 0, 4, 1), busy(1, 0)]);
        let writes = [
            installed(Actor::Enactor(1), 0, 4, Some(1)),
            installed(Actor::Enactor(0), 0, 2, Some(4)),
        ];
        let mut without_busy = steps.clone();
        without_busy.pop();
        without_busy.extend(writes.clone());
        assert!(accepts(Variant::Buggy, "2E1P4G2K", &without_busy));
        steps.extend(writes);
        assert!(!accepts(Variant::Buggy, "2E1P4G2K", &steps));
    }

    #[test]
    fn a_log_may_stop_after_a_lock_busy_whose_holder_has_not_logged_yet() {
        // A's write of endpoint 1 finds it busy: B or C took it for the check the log stops
        // before.
        let mut steps = setup(2);
        steps.extend((2..=4).map(|g| published(Actor::Planner, g)));
        steps.extend([
            picked(0, 4),
            checked(0, 0, 4, 1),
            picked(1, 4),
            checked(1, 0, 4, 1),
        ]);
        steps.extend([picked(2, 4), checked(2, 0, 4, 1), checked(0, 1, 4, 1)]);
        steps.extend([installed(Actor::Enactor(0), 0, 4, Some(1)), busy(0, 1)]);
        assert!(accepts(Variant::GuardedSweepOnly, "3E2P4G2K", &steps));
        // A tries again and the log stops: B or C still holds the lock, though A logs on.
        steps.push(busy_again(0, 1, 2));
        assert!(accepts(Variant::GuardedSweepOnly, "3E2P4G2K", &steps));
    }

    #[test]
    fn two_lock_busy_steps_cannot_each_be_explained_by_the_other_enactor_holding_on() {
        // Found by shuttle (Buggy 3E2P5G2K): A's write of endpoint 0 finds it busy twice (C
        // holds it after writing it), then C's write of endpoint 1 finds that busy (A holds
        // it after checking it). C releases endpoint 0 before trying endpoint 1, and A
        // releases endpoint 1 before trying endpoint 0: each try needs the other's lock still
        // held after its own release came first. Accepted when a LockBusy could be logged
        // after its try; the try and its log are one step now.
        let mut steps = setup(2);
        steps.extend([
            picked(1, 1),
            checked(1, 0, 1, 1),
            published(Actor::Planner, 2),
        ]);
        steps.extend([picked(2, 2), picked(0, 2), published(Actor::Planner, 3)]);
        steps.extend([
            published(Actor::Planner, 4),
            checked(1, 1, 1, 1),
            checked(2, 0, 2, 1),
        ]);
        steps.extend([
            published(Actor::Planner, 5),
            checked(0, 0, 2, 1),
            checked(2, 1, 2, 1),
        ]);
        steps.extend([
            checked(0, 1, 2, 1),
            installed(Actor::Enactor(2), 0, 2, Some(1)),
        ]);
        steps.extend([busy(0, 0), busy_again(0, 0, 2)]);
        let write = installed(Actor::Enactor(2), 1, 2, Some(1));
        let mut without = steps.clone();
        without.push(write.clone());
        assert!(accepts(Variant::Buggy, "3E2P5G2K", &without));
        steps.extend([busy(2, 1), write]);
        assert!(!accepts(Variant::Buggy, "3E2P5G2K", &steps));
    }
}
