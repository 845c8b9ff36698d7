//! The vocabulary of an execution's log: who took a step ([`Actor`]) and what it did to the
//! plan store or the zone ([`Event`]). The actors write it, and every checker, renderer and
//! runner reads it, so it sits below all of them.

use std::fmt;

use crate::protocol::plan::{EndpointId, Generation};
use crate::protocol::record::Commit;

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
    /// A fault injector took the endpoint's lock away from this attempt (real threads only):
    /// the Enactor retries as if the lock were held.
    LockLost {
        /// The endpoint whose lock was lost.
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
    Rejected {
        /// The endpoint whose write was refused.
        endpoint: EndpointId,
        /// The generation the Enactor tried to write.
        generation: Generation,
        /// The generation the record holds.
        active: Generation,
    },
    /// A transaction failed because the record's active plan no longer exists: the record
    /// cannot be moved to rollback, the incident's inconsistent state.
    ActivePlanMissing {
        /// The endpoint whose transaction failed.
        endpoint: EndpointId,
        /// The generation the Enactor tried to write.
        generation: Generation,
        /// The deleted plan the record still points to.
        missing: Generation,
    },
    /// Under a plan check: the plan to install had been deleted; the record was left alone.
    PlanDeleted {
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

impl Event {
    /// The event that logs `commit`, a transaction's outcome writing `generation` to
    /// `endpoint`.
    pub fn committed(endpoint: EndpointId, generation: Generation, commit: Commit) -> Self {
        match commit {
            Commit::Installed { rollback } => Event::Installed {
                endpoint,
                generation,
                rollback,
            },
            Commit::Rejected { active } => Event::Rejected {
                endpoint,
                generation,
                active,
            },
            Commit::ActivePlanMissing { missing } => Event::ActivePlanMissing {
                endpoint,
                generation,
                missing,
            },
            Commit::PlanDeleted => Event::PlanDeleted {
                endpoint,
                generation,
            },
        }
    }
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
            Event::LockLost { endpoint, attempt } => write!(f, "{endpoint} lost (try {attempt})"),
            Event::Installed {
                endpoint,
                generation,
                ..
            } => write!(f, "write {endpoint}:={generation}"),
            Event::Rejected {
                endpoint,
                generation,
                ..
            } => write!(f, "write {endpoint}:={generation} refused"),
            Event::ActivePlanMissing {
                endpoint, missing, ..
            } => write!(f, "txn {endpoint} FAIL: {missing} gone"),
            Event::PlanDeleted {
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
