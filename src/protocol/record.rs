//! A record's contents, and what a write does to it.

use crate::protocol::plan::Generation;

/// What an endpoint's DNS name points to: the active plan, and the rollback record that keeps
/// the previously active plan so an operator could switch back.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Record {
    /// The plan the name resolves through; `None` before the first enactment.
    pub active: Option<Generation>,
    /// The plan that was active before the last write.
    pub rollback: Option<Generation>,
}

/// The result of committing a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Commit {
    /// The record now points to the new plan; `rollback` is what it pointed to before.
    Installed {
        /// The previous active generation, now the rollback record.
        rollback: Option<Generation>,
    },
    /// A conditional write found the record already at `active`, as new or newer.
    Rejected {
        /// The generation the record holds.
        active: Generation,
    },
    /// The record's active plan has been deleted: the transaction cannot move it to rollback
    /// and fails. This is the incident's inconsistent state; every later write fails here too.
    ActivePlanMissing {
        /// The deleted generation the record still points to.
        missing: Generation,
    },
    /// Under [`WriteRule::IfPlanExists`](crate::WriteRule::IfPlanExists) or
    /// [`WriteRule::NewerIfPlanExists`](crate::WriteRule::NewerIfPlanExists): the plan to
    /// install has already been deleted, so the record is left as it is.
    PlanDeleted,
}
