//! Trace validation: an execution's log, walked through the step model's transition relation
//! (a walk, not a replay: nothing runs again, the model follows the log).
//! Every logged step must be a step the model can take, producing exactly the logged event; a
//! log the model cannot follow is rejected, with the step and the model state. This is what
//! links the model to the code: the model is trusted as far as the code's logs are accepted.
//!
//! The log does not record silent steps, so the validator places them:
//! - an unlock as late as the log allows: just before the holder's next step, or before another
//!   Enactor's step that needs the lock;
//! - a failed try-lock (`LockBusy`) is accepted when another Enactor held the lock at some
//!   moment between the busy Enactor's previous logged step and the `LockBusy` itself: it holds
//!   it now, released it since, or its next logged step is the one it took the lock for (it has
//!   the lock but had not yet logged). The busy step changes only the busy Enactor's own
//!   attempt count, so it commutes with every step in between;
//! - a `LockLost` (a fault injector took the lock away, real threads only) is a failed
//!   try-lock that needs no holder.

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
        previous: vec![None; config.enactors()],
        released: vec![None; config.endpoints()],
    };
    for (index, step) in steps.iter().enumerate().skip(setup.len()) {
        walk.take(index, step, steps)?;
    }
    Ok(Validated { steps: steps.len() })
}

struct Walk {
    model: StepModel,
    state: StepState,
    /// Each Enactor's previous logged step.
    previous: Vec<Option<usize>>,
    /// Each endpoint's last lazy release: the log index it happened before, and by whom.
    released: Vec<Option<(usize, usize)>>,
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

    /// Releases the lock `mover` holds, if any (an unlock step), noting when.
    fn release_own(&mut self, mover: Mover, index: usize) {
        if let Some(enactor) = enactor_mut(&mut self.state, mover)
            && let Some(held) = enactor.held.take()
            && let (Some(slot), Mover::Enactor(n)) =
                (self.released.get_mut(usize::from(held.endpoint)), mover)
        {
            *slot = Some((index, n));
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
                self.release_own(Mover::Enactor(n), index);
            }
        }
        self.release_own(mover, index);
        let event = match &step.event {
            Event::LockLost { .. } => self.model.step_busy(&mut self.state, mover).map(|busy| {
                // The same step as a busy lock, logged as the fault it was.
                match busy {
                    Event::LockBusy { endpoint, attempt } => Event::LockLost { endpoint, attempt },
                    other => other,
                }
            }),
            Event::LockBusy { endpoint, .. } => {
                let held_meanwhile = self.held_meanwhile(mover, endpoint.0, index, log);
                if !held_meanwhile {
                    return Err(self.reject(
                        index,
                        step,
                        format!("finds no other Enactor holding {endpoint}'s lock at any moment since this Enactor's previous step"),
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
                    self.release_own(holder, index);
                }
                self.model
                    .step(&mut self.state, mover)
                    .and_then(|event| event.ok_or(crate::check::step_model::transition::Disabled))
            }
        };
        match event {
            Ok(event) if event == step.event => {
                if let Actor::Enactor(n) = step.actor
                    && let Some(slot) = self.previous.get_mut(n)
                {
                    *slot = Some(index);
                }
                Ok(())
            }
            Ok(event) => Err(self.reject(index, step, format!("logs \"{event}\" there"))),
            Err(_) => Err(self.reject(index, step, "cannot take that step there".to_owned())),
        }
    }

    /// Whether an Enactor other than `mover` held `endpoint`'s lock at some moment between
    /// `mover`'s previous logged step and step `index`.
    fn held_meanwhile(&self, mover: Mover, endpoint: usize, index: usize, log: &[Step]) -> bool {
        let Ok(endpoint8) = u8::try_from(endpoint) else {
            return false;
        };
        let me = match mover {
            Mover::Enactor(n) => Some(n),
            Mover::Last | Mover::Planner => None,
        };
        let since = me
            .and_then(|n| self.previous.get(n).copied().flatten())
            .unwrap_or(0);
        let holds_now = self
            .state
            .lock_holder(endpoint8)
            .is_some_and(|holder| Some(holder) != me);
        let released_since = self
            .released
            .get(endpoint)
            .copied()
            .flatten()
            .is_some_and(|(at, by)| at > since && Some(by) != me);
        // Another Enactor took the lock for its next logged step but had not logged it yet (it
        // may still hold the lock of its previous step: it releases that one first).
        let about_to_log = self.state.enactors.iter().enumerate().any(|(n, other)| {
            Some(n) != me
                && other.pc != Pc::Done
                && self.needs(Mover::Enactor(n)) == Some(endpoint8)
                && log[index + 1..]
                    .iter()
                    .find(|s| s.actor == Actor::Enactor(n))
                    .is_some_and(|next| takes_lock(&next.event, endpoint))
        });
        holds_now || released_since || about_to_log
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
