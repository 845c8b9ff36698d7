//! The exact oracle: whether some execution of the step model, with the code's logging
//! discipline, produces exactly a given log. A brute-force search, slow and simple on purpose:
//! it is the reference [`validate`](super::validate::validate) is compared with on small logs
//! (tests/oracle.rs), not something a checker runs on every execution.
//!
//! The step model's steps are atomic; the code's are not quite. Each Enactor step the code logs
//! is an effect on shared state and an append to the log, and between the two other threads
//! may run. How far apart they can be is the logging discipline (docs/checkers.md, "The logging
//! discipline"), which the search follows exactly:
//! - an event logged inside the critical section of every shared object its effect touches
//!   (`Picked`, `Published`, `Swept` under the store's lock; `Checked`, `SweepScanned` and
//!   every commit under the record's lock, and the store's when the commit read it) is logged
//!   in its effect's step: any step the two could be told apart by needs the same lock;
//! - a step that takes a record's lock first takes it (silently), then makes its effect and
//!   logs it, then unlocks (silently): between lock and log another Enactor can find the lock
//!   taken and log that before the holder's event;
//! - a failed try-lock (`LockBusy`) is logged in the same step as the try, while another
//!   Enactor holds the lock (the code holds the log's lock across the try,
//!   `Trace::record_refusal`);
//! - a lock taken away by a fault (`LockLost`) needs no holder, and `GaveUp` touches no shared
//!   state: each is logged in its own step.
//!
//! The search tries every mover and every placement of the silent steps (lock, unlock),
//! follows a branch only while the events it logs are the log's next ones, and
//! remembers the (state, log position) pairs it has been to.

use std::collections::HashSet;

use crate::check::step_model::state::{EnactorState, Pc, StepState};
use crate::check::step_model::transition::{Cycles, Mover, StepModel, StepModelError, enactor};
use crate::protocol::config::Config;
use crate::protocol::event::{Event, Step};
use crate::protocol::variant::Variant;

/// Whether some execution of the step model of `variant` on `config`, logging as the code
/// logs, produces exactly `steps` (a prefix of an execution counts: a log may stop anywhere).
///
/// This is the reference the trace validator, [`crate::validate_log`], is tested against: the
/// two must agree on every log. It searches every interleaving that could explain the log, so
/// it is meant for small configurations and logs of tens of steps.
///
/// # Errors
/// [`StepModelError::TooLarge`] past the step model's limits.
pub fn explains(
    variant: Variant,
    config: Config,
    cycles: Cycles,
    steps: &[Step],
) -> Result<bool, StepModelError> {
    let model = StepModel::new(variant, config, cycles)?;
    let setup = model.setup_steps();
    if steps.len() < setup.len() || steps[..setup.len()] != setup[..] {
        return Ok(false);
    }
    let mut search = Search {
        model,
        log: &steps[setup.len()..],
        seen: HashSet::new(),
    };
    let start = Node {
        state: model.init(),
        phases: vec![Phase::Ready; config.enactors() + 1],
    };
    Ok(search.explains(start))
}

/// Where an Enactor is between the parts of a step the search separates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Phase {
    /// No step under way.
    Ready,
    /// It has taken this endpoint's lock for its next step, whose effect and event are still
    /// to come.
    Locked(u8),
}

/// A state of the search: the model's state and every Enactor's phase (the race's Enactors
/// in order, then the next cycle's).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Node {
    state: StepState,
    phases: Vec<Phase>,
}

impl Node {
    /// Which Enactor holds `endpoint`'s lock: in the model's state, or taken for a step not
    /// yet made.
    fn holder(&self, endpoint: u8) -> Option<usize> {
        self.state.lock_holder(endpoint).or_else(|| {
            self.phases
                .iter()
                .position(|phase| *phase == Phase::Locked(endpoint))
        })
    }
}

/// One move of the search: the node it leads to, and the event it logs, if any.
type Move = (Node, Option<Event>);

struct Search<'a> {
    model: StepModel,
    /// The log after the setup.
    log: &'a [Step],
    seen: HashSet<(Node, usize)>,
}

impl Search<'_> {
    /// Whether the moves from `start` can log the whole log exactly: a depth-first search
    /// with its own stack (it runs inside loom's executions, whose stacks are small).
    fn explains(&mut self, start: Node) -> bool {
        let mut pending = vec![(start, 0)];
        while let Some((node, at)) = pending.pop() {
            if at == self.log.len() {
                return true;
            }
            if !self.seen.insert((node.clone(), at)) {
                continue;
            }
            let mut movers = vec![Mover::Planner, Mover::Last];
            movers.extend((0..node.state.enactors.len()).map(Mover::Enactor));
            for mover in movers {
                for (next, event) in self.moves(&node, mover) {
                    match event {
                        None => pending.push((next, at)),
                        Some(event) => {
                            let step = &self.log[at];
                            if step.actor == self.model.actor(mover) && step.event == event {
                                pending.push((next, at + 1));
                            }
                        }
                    }
                }
            }
        }
        false
    }

    /// Every move `mover` can make from `node`.
    fn moves(&self, node: &Node, mover: Mover) -> Vec<Move> {
        let slot = match mover {
            Mover::Planner => {
                return self.atomic(node, mover).into_iter().collect();
            }
            Mover::Enactor(n) => n,
            Mover::Last => node.phases.len() - 1,
        };
        match node.phases[slot] {
            Phase::Locked(_) => {
                // The effect under the lock, and its event (the lock moves into the model's
                // state, to be released by the Enactor's next step).
                let mut ready = with_phase(node, slot, Phase::Ready);
                match self.model.step(&mut ready.state, mover) {
                    Ok(Some(event)) => vec![(ready, Some(event))],
                    Ok(None) | Err(_) => Vec::new(),
                }
            }
            Phase::Ready => self.ready_moves(node, mover, slot),
        }
    }

    /// The moves of an Enactor with no step under way.
    fn ready_moves(&self, node: &Node, mover: Mover, slot: usize) -> Vec<Move> {
        // The next cycle, not started yet, is at its pick: a step the model refuses until
        // every thread has joined.
        let current = enactor(&node.state, mover).map_or(EnactorState::START, |current| *current);
        let restarts = self.model.cycles == Cycles::Unbounded && current.is_done();
        if current.held.is_some() || restarts {
            // An unlock (silent), or a new cycle's pick.
            return self.atomic(node, mover).into_iter().collect();
        }
        match current.pc {
            Pc::Check(e) | Pc::Recheck(e) | Pc::Scan(e) => match node.holder(e) {
                None => vec![(with_phase(node, slot, Phase::Locked(e)), None)],
                Some(_) => Vec::new(),
            },
            Pc::Write { endpoint: e, .. } => {
                let mut moves = Vec::new();
                // A holder is another Enactor: one with no step under way holds no lock.
                match node.holder(e) {
                    None => moves.push((with_phase(node, slot, Phase::Locked(e)), None)),
                    Some(_) => moves.extend(self.refused(node, mover)),
                }
                moves.extend(self.lost(node, mover));
                moves
            }
            Pc::Pick | Pc::GiveUp(_) | Pc::Sweep => self.atomic(node, mover).into_iter().collect(),
            Pc::Done => Vec::new(),
        }
    }

    /// A step whose effect and event are one move.
    fn atomic(&self, node: &Node, mover: Mover) -> Option<Move> {
        let mut next = node.clone();
        let event = self.model.step(&mut next.state, mover).ok()?;
        Some((next, event))
    }

    /// A try-lock that fails while another Enactor holds the lock, logged as `LockBusy`.
    fn refused(&self, node: &Node, mover: Mover) -> Option<Move> {
        let mut next = node.clone();
        let busy = self.model.step_busy(&mut next.state, mover).ok()?;
        Some((next, Some(busy)))
    }

    /// A lock a fault took away: a failed try-lock that needs no holder, logged as
    /// `LockLost` in its own step.
    fn lost(&self, node: &Node, mover: Mover) -> Option<Move> {
        let mut next = node.clone();
        match self.model.step_busy(&mut next.state, mover).ok()? {
            Event::LockBusy { endpoint, attempt } => {
                Some((next, Some(Event::LockLost { endpoint, attempt })))
            }
            _ => None,
        }
    }
}

/// `node` with Enactor `slot` in `phase`.
fn with_phase(node: &Node, slot: usize, phase: Phase) -> Node {
    let mut next = node.clone();
    next.phases[slot] = phase;
    next
}

#[cfg(all(test, not(any(loom, shuttle))))]
mod tests {
    use super::*;
    use crate::check::step_model::validate::validate;
    use crate::protocol::event::Actor;
    use crate::protocol::plan::{EndpointId, Generation};

    fn config(text: &str) -> Config {
        text.parse().expect("a valid configuration")
    }

    fn step(actor: Actor, event: Event) -> Step {
        Step { actor, event }
    }

    /// The setup of a one-endpoint configuration, then the Planner's generation 2.
    fn opening() -> Vec<Step> {
        vec![
            step(
                Actor::Setup,
                Event::Published {
                    generation: Generation(1),
                },
            ),
            step(
                Actor::Setup,
                Event::Installed {
                    endpoint: EndpointId(0),
                    generation: Generation(1),
                    rollback: None,
                },
            ),
            step(
                Actor::Planner,
                Event::Published {
                    generation: Generation(2),
                },
            ),
        ]
    }

    fn picked(n: usize) -> Step {
        step(
            Actor::Enactor(n),
            Event::Picked {
                generation: Some(Generation(2)),
            },
        )
    }

    fn checked(n: usize) -> Step {
        step(
            Actor::Enactor(n),
            Event::Checked {
                endpoint: EndpointId(0),
                plan: Generation(2),
                active: Some(Generation(1)),
                newer: true,
            },
        )
    }

    fn busy(n: usize) -> Step {
        step(
            Actor::Enactor(n),
            Event::LockBusy {
                endpoint: EndpointId(0),
                attempt: 1,
            },
        )
    }

    /// The oracle's answer on `steps` (Fixed 2E1P4G2K), checked to be the validator's.
    fn explained(steps: &[Step]) -> bool {
        let (variant, config) = (Variant::Fixed, config("2E1P4G2K"));
        let oracle = explains(variant, config, Cycles::OneEach, steps).expect("a small model");
        let validator = validate(variant, config, Cycles::OneEach, steps);
        assert_eq!(oracle, validator.is_ok(), "{validator:?}");
        oracle
    }

    #[test]
    fn a_busy_lock_needs_a_holder_at_some_moment_before_it_is_logged() {
        // B has not even picked a plan: nobody can hold the lock A finds taken.
        let mut lie = opening();
        lie.extend([picked(0), checked(0), busy(0)]);
        assert!(!explained(&lie));
        // B holds the lock for its check while A's write tries it: B's Checked comes later.
        let mut early = opening();
        early.extend([picked(0), picked(1), checked(0), busy(0), checked(1)]);
        assert!(explained(&early));
    }

    #[test]
    fn a_log_must_open_with_the_setup_and_follow_the_planner() {
        let mut wrong = opening();
        wrong.remove(1);
        assert!(!explained(&wrong));
        let mut late = opening();
        late.push(step(
            Actor::Enactor(0),
            Event::Picked {
                generation: Some(Generation(1)),
            },
        ));
        // Generation 2 was published before A's pick: A cannot pick generation 1.
        assert!(!explained(&late));
        assert!(explained(&opening()));
    }
}
