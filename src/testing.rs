//! The internals that planrace's own integration tests, benches and examples drive directly:
//! the shared world, the actors, one execution, the schedule hook, the suite's
//! matrix (under `--cfg loom`) and the verdict table. Everything a user of the crate needs is
//! re-exported at the crate root; nothing here is needed for that, and it may change with the
//! crate's tests.

pub use crate::check::verdict_table::{
    STEP_TABLE_HEADER, TABLE_HEADER, VerdictRow, parse_markdown, safe_variants, write_markdown,
};
pub use crate::protocol::enactor::{Cycle, Enactor, MAX_LOCK_ATTEMPTS};
pub use crate::protocol::execution::execute;
pub use crate::protocol::planner::Planner;
pub use crate::protocol::schedule::{FreeRun, Schedule};
pub use crate::protocol::sweep::sweep;
pub use crate::protocol::trace::Trace;
pub use crate::protocol::world::{World, steady_state};

/// The loom suite's explorations (`--cfg loom`).
#[cfg(loom)]
pub use crate::check::matrix::{
    DEEPER, FIXED_PROOF, INCIDENT, Job, Matrix, SUITE, SuiteConfig, WIDER, explore_job,
    explore_matrix, suite_jobs,
};
/// Real-thread runs: seeded faults as a schedule, and a schedule that forces a script.
#[cfg(not(any(loom, shuttle)))]
pub use crate::run::{fault::Faults, forced::ForcedSchedule};
