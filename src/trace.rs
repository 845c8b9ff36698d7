//! The event log of one execution, and its rendering as a timeline.
//!
//! Every step that touches shared state appends one [`Event`] while it still holds the lock
//! that protects that state, so the log's order is an order in which the steps really took
//! effect. The log itself sits behind a `std::sync::Mutex`, deliberately outside the facade:
//! it is instrumentation, not protocol, and must not add scheduling points for loom to explore.

use std::fmt;
use std::time::Instant;

pub use crate::harness::TIMELINE_WIDTH;
use crate::harness::Timeline;
use crate::invariant::{Violation, WorldView};
use crate::plan::{EndpointId, Generation};

/// Who performed a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Actor {
    /// The steady state before the race: generation 1 published and applied everywhere.
    Setup,
    /// The thread that publishes new generations.
    Planner,
    /// Enactor number `n` (0 is "A", 1 is "B", 2 is "C"). The clean-up sweep runs inside it.
    Enactor(usize),
}

impl Actor {
    /// The column heading of this actor in a timeline.
    pub fn label(self) -> String {
        match self {
            Actor::Setup => "Setup".to_owned(),
            Actor::Planner => "Planner".to_owned(),
            Actor::Enactor(n) => format!("Enactor {}", enactor_letter(n)),
        }
    }
}

fn enactor_letter(n: usize) -> char {
    u8::try_from(n)
        .ok()
        .filter(|n| *n < 26)
        .map_or('?', |n| char::from(b'A' + n))
}

/// One step that touched the plan store or the zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The Planner published a plan.
    Published {
        /// The new plan's generation.
        generation: Generation,
    },
    /// An Enactor looked for the newest plan in the store.
    Picked {
        /// The newest plan it saw; `None` if the store was empty.
        generation: Option<Generation>,
    },
    /// The one-time staleness check: is the picked plan newer than the endpoint's record?
    Checked {
        /// The endpoint whose record was read.
        endpoint: EndpointId,
        /// The plan being checked.
        plan: Generation,
        /// The generation the record pointed to at that moment.
        active: Option<Generation>,
        /// Whether the plan was newer, so that application goes on.
        newer: bool,
    },
    /// The endpoint's transaction lock was held by someone else; the Enactor will retry.
    LockBusy {
        /// The endpoint whose lock was taken.
        endpoint: EndpointId,
        /// Which attempt this was, from 1.
        attempt: u32,
    },
    /// A transaction replaced the endpoint's record.
    Installed {
        /// The endpoint written.
        endpoint: EndpointId,
        /// The generation the record now points to.
        generation: Generation,
        /// The rollback record: the generation it pointed to before.
        rollback: Option<Generation>,
    },
    /// A conditional write refused to replace a record that was already as new or newer.
    WriteRejected {
        /// The endpoint whose write was refused.
        endpoint: EndpointId,
        /// The generation the Enactor tried to write.
        generation: Generation,
        /// The generation the record holds.
        active: Generation,
    },
    /// A transaction failed because the record's active plan no longer exists: the record
    /// cannot be moved to rollback, the incident's inconsistent state.
    TransactionFailed {
        /// The endpoint whose transaction failed.
        endpoint: EndpointId,
        /// The generation the Enactor tried to write.
        generation: Generation,
        /// The deleted plan the record still points to.
        missing: Generation,
    },
    /// Under a plan check: the plan to install had been deleted; the record was left alone.
    PlanGone {
        /// The endpoint not written.
        endpoint: EndpointId,
        /// The deleted generation the Enactor tried to write.
        generation: Generation,
    },
    /// A non-atomic guarded sweep read one record, to learn which plans it references.
    SweepScanned {
        /// The endpoint whose record was read.
        endpoint: EndpointId,
        /// Its active generation at that moment.
        active: Option<Generation>,
        /// Its rollback generation at that moment.
        rollback: Option<Generation>,
    },
    /// The Enactor ran out of lock attempts for this endpoint and left it as it was.
    GaveUp {
        /// The endpoint left behind.
        endpoint: EndpointId,
        /// The generation that was not written.
        generation: Generation,
    },
    /// The clean-up sweep ran against the store.
    Swept {
        /// The generation the sweeping Enactor had just applied.
        applied: Generation,
        /// Plans deleted.
        deleted: Vec<Generation>,
        /// Plans old enough to delete that were kept because a record references them.
        spared: Vec<Generation>,
    },
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Published { generation } => write!(f, "publish {generation}"),
            Event::Picked {
                generation: Some(g),
            } => write!(f, "pick newest: {g}"),
            Event::Picked { generation: None } => write!(f, "pick newest: none"),
            Event::Checked {
                endpoint,
                plan,
                active,
                newer,
            } => write!(
                f,
                "check {plan}>{endpoint}@{}: {}",
                show(*active),
                if *newer { "ok" } else { "STALE" }
            ),
            Event::LockBusy { endpoint, attempt } => write!(f, "{endpoint} busy (try {attempt})"),
            Event::Installed {
                endpoint,
                generation,
                ..
            } => write!(f, "write {endpoint}:={generation}"),
            Event::WriteRejected {
                endpoint,
                generation,
                ..
            } => write!(f, "write {endpoint}:={generation} refused"),
            Event::TransactionFailed {
                endpoint, missing, ..
            } => write!(f, "txn {endpoint} FAIL: {missing} gone"),
            Event::PlanGone {
                endpoint,
                generation,
            } => write!(f, "skip {endpoint}: {generation} deleted"),
            Event::SweepScanned {
                endpoint,
                active,
                rollback,
            } => write!(f, "scan {endpoint}@{}/{}", show(*active), show(*rollback)),
            Event::GaveUp {
                endpoint,
                generation,
            } => write!(f, "give up {endpoint}:={generation}"),
            Event::Swept {
                deleted, spared, ..
            } => {
                write!(f, "sweep: del {}", list(deleted))?;
                if !spared.is_empty() {
                    write!(f, " keep {}", list(spared))?;
                }
                Ok(())
            }
        }
    }
}

fn show(generation: Option<Generation>) -> String {
    generation.map_or_else(|| "-".to_owned(), |g| g.to_string())
}

fn list(generations: &[Generation]) -> String {
    if generations.is_empty() {
        return "-".to_owned();
    }
    generations
        .iter()
        .map(Generation::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// One entry of the log: who did what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The actor that performed the step.
    pub actor: Actor,
    /// What it did.
    pub event: Event,
}

/// The event log of one execution.
///
/// A disabled trace records nothing, for throughput runs that only want the protocol; a timed
/// one also records when each step happened, for runs on real threads.
#[derive(Debug, Default)]
pub struct Trace {
    enabled: bool,
    timed: bool,
    log: std::sync::Mutex<Log>,
}

#[derive(Debug, Default)]
struct Log {
    steps: Vec<Step>,
    times: Vec<Instant>,
}

impl Trace {
    /// A trace that records every step.
    pub fn recording() -> Self {
        Self {
            enabled: true,
            ..Self::default()
        }
    }

    /// A trace that records every step and the moment it was recorded.
    pub fn timed() -> Self {
        Self {
            enabled: true,
            timed: true,
            ..Self::default()
        }
    }

    /// A trace that records nothing.
    pub fn disabled() -> Self {
        Self::default()
    }

    /// Appends a step. Call it while holding the lock of the state the step changed.
    pub fn record(&self, actor: Actor, event: Event) {
        if self.enabled {
            let mut log = self.log();
            log.steps.push(Step { actor, event });
            if self.timed {
                log.times.push(Instant::now());
            }
        }
    }

    /// A copy of the steps recorded so far.
    pub fn steps(&self) -> Vec<Step> {
        self.log().steps.clone()
    }

    /// When each step was recorded, for a timed trace (empty otherwise).
    pub fn times(&self) -> Vec<Instant> {
        self.log().times.clone()
    }

    fn log(&self) -> std::sync::MutexGuard<'_, Log> {
        // A panic while pushing leaves complete Vecs behind, so a poisoned log is still valid.
        self.log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The actors that took a step in `steps`, setup excluded, in column order: the Planner, then
/// the Enactors by number.
pub fn threads(steps: &[Step]) -> Vec<Actor> {
    let mut actors: Vec<Actor> = steps
        .iter()
        .map(|s| s.actor)
        .filter(|a| *a != Actor::Setup)
        .collect();
    actors.sort();
    actors.dedup();
    actors
}

/// Renders `steps` as a timeline: a column per thread (the Planner, then each Enactor, whose
/// sweep appears in its own column), a row per step, a line with the zone's records and the
/// store's live plans under every step that changed them, and each violation's property name
/// under the step where it broke. The steady-state setup is summed up in one line on top.
/// Laid out for [`TIMELINE_WIDTH`] columns.
pub fn render_timeline(steps: &[Step], endpoints: usize, violations: &[Violation]) -> String {
    let actors = threads(steps);
    let mut timeline = Timeline::new(actors.iter().map(|a| a.label()).collect());
    let mut world = WorldView::new(endpoints);
    let setup: Vec<String> = steps
        .iter()
        .take_while(|s| s.actor == Actor::Setup)
        .map(|s| {
            world.apply(s);
            s.event.to_string()
        })
        .collect();
    if !setup.is_empty() {
        timeline.line(&format!("setup: {}", setup.join(", ")));
        timeline.line(&format!("     {world}"));
    }
    timeline.header();
    for (index, step) in steps.iter().enumerate().skip(setup.len()) {
        let before = world.to_string();
        world.apply(step);
        let lane = actors.iter().position(|a| *a == step.actor).unwrap_or(0);
        timeline.step(index, lane, &step.event);
        let after = world.to_string();
        if after != before {
            timeline.state(after);
        }
        for violation in violations.iter().filter(|v| v.step == index) {
            timeline.violated(violation);
        }
    }
    timeline.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_trace_records_nothing() {
        let trace = Trace::disabled();
        trace.record(
            Actor::Planner,
            Event::Published {
                generation: Generation(1),
            },
        );
        assert!(trace.steps().is_empty());
    }

    #[test]
    fn timeline_has_a_column_per_actor_and_shows_state_changes() {
        let trace = Trace::recording();
        trace.record(
            Actor::Planner,
            Event::Published {
                generation: Generation(1),
            },
        );
        trace.record(
            Actor::Enactor(1),
            Event::Installed {
                endpoint: EndpointId(0),
                generation: Generation(1),
                rollback: None,
            },
        );
        let text = render_timeline(&trace.steps(), 1, &[]);
        let header = text.lines().next().unwrap_or_default();
        assert!(header.contains("Planner") && header.contains("Enactor B"));
        assert!(text.contains("write ep0:=g1"));
        assert!(text.contains("ep0=g1"));
        assert!(text.contains("store {g1}"));
        assert!(
            text.lines()
                .all(|line| line.chars().count() <= TIMELINE_WIDTH)
        );
    }
}
