//! Points at which a run can be steered: every step that touches shared state first reports
//! where it is, so a replay can force one exact interleaving on real threads.

use crate::protocol::event::Actor;
use crate::protocol::plan::{EndpointId, Generation};

/// A step an actor is about to take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Point {
    /// The Planner is about to publish this generation.
    Publish(Generation),
    /// An Enactor is about to read the newest plan.
    Pick,
    /// An Enactor is about to run its staleness check on this endpoint.
    Check(EndpointId),
    /// An Enactor is about to try this endpoint's transaction (once per attempt).
    Write(EndpointId),
    /// A non-atomic guarded sweep is about to read this endpoint's record.
    SweepScan(EndpointId),
    /// An Enactor is about to run its clean-up sweep (the delete step).
    Sweep,
}

/// Decides when each actor may take its next step.
///
/// The protocol calls [`Schedule::reach`] before every step and [`Schedule::done`] when an
/// actor has no more steps. An actor's step lasts from its `reach` until its next `reach` or
/// `done`, which is how a schedule knows the step has released its locks.
pub trait Schedule: Send + Sync {
    /// `actor` is about to take the step at `point`; returns when it may.
    fn reach(&self, actor: Actor, point: Point);
    /// `actor` has finished all its steps.
    fn done(&self, actor: Actor);

    /// Whether `actor`'s attempt number `attempt` (from 1) at `endpoint`'s transaction lock is
    /// to fail as if another actor held the lock: fault injection. Never, by default.
    fn lose_lock(&self, _actor: Actor, _endpoint: EndpointId, _attempt: u32) -> bool {
        false
    }
}

/// No steering: every step goes as soon as the actor reaches it. Under loom this is the only
/// schedule, because loom itself chooses the interleaving.
#[derive(Debug, Clone, Copy, Default)]
pub struct FreeRun;

impl Schedule for FreeRun {
    fn reach(&self, _actor: Actor, _point: Point) {}
    fn done(&self, _actor: Actor) {}
}
