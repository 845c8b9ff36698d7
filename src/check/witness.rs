//! The witnesses: the situations without which "holds" would prove nothing. One list, shared
//! by the code's model (`protocol_model.rs`, which finds them in a log) and the step model
//! (`step_model/properties.rs`, which finds them in a state), so that the two checkers' verdict
//! lines name the same witnesses in the same order.

/// An Enactor tried to write a plan older than one already installed on some endpoint: it
/// was holding a stale plan, the incident's precondition.
pub const STALE_PLAN_HELD: &str = "stale_plan_held";
/// A sweep deleted at least one plan.
pub const SWEEPER_DELETED: &str = "sweeper_deleted";
/// A write lost a race: its endpoint's lock was held by another Enactor, or a newer
/// generation had already been installed and the write was refused.
pub const WRITE_LOST_RACE: &str = "write_lost_race";
/// The first kind of lost race alone: an Enactor found an endpoint's lock taken and had to
/// retry. Counted apart because loom never explores this on the one-endpoint
/// configuration (docs/loom-blind-spot.md); the two-endpoint one does.
pub const LOCK_BUSY: &str = "lock_busy";
/// All of them, in the order verdict lines print them.
pub const ALL: [&str; 4] = [STALE_PLAN_HELD, SWEEPER_DELETED, WRITE_LOST_RACE, LOCK_BUSY];
