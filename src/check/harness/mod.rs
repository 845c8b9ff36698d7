//! The checking harness, independent of the DNS protocol: a [`Model`] says how to run one
//! execution and what must hold of its log; `explore` (under `--cfg loom`) runs every
//! interleaving, and `sample` (under `--cfg shuttle`) a random or PCT sample of them, both
//! counting violations and keeping counterexamples; [`Exploration`] prints `planrace-verdict`
//! lines; [`Timeline`] lays a log out in columns, one per thread.
//!
//! planrace's own protocol is one such model (`ProtocolModel`); docs/checking-your-own-updater.md
//! and `examples/config_gc.rs` check a different one with the same pieces.
//!
//! One concept per file, one file per driver (`loom`, `shuttle`); the layout is described once,
//! in lib.rs.

mod deadlock;
mod error;
mod log;
#[cfg(any(loom, planrace_docs))]
mod loom;
mod model;
#[cfg(any(loom, shuttle, planrace_docs))]
mod quiet;
mod report;
#[cfg(any(shuttle, planrace_docs))]
mod shuttle;
// Also in the default build's unit tests: the tally and the verdict words are tested there,
// where cargo-mutants can afford to run them per mutant (docs/testing.md).
#[cfg(any(loom, shuttle, planrace_docs, test))]
mod tally;
mod timeline;
mod verdict_line;

#[cfg(any(loom, planrace_docs))]
pub use self::loom::{
    LoomSettingError, ModelBuilder, PROGRESS_EVERY, check_loom_variable, explore,
    explore_until_violation, explore_with, model_builder,
};
#[cfg(any(shuttle, planrace_docs))]
pub use self::shuttle::{
    ReplayScheduleError, SAMPLE_PROGRESS_EVERY, SEEDS_VARIABLE, Sample, ScheduleError,
    SchedulerKind, SeedsError, parse_seeds, replay, sample, seeds_from_env,
};
pub use deadlock::{Blocked, Deadlock};
pub use error::{CheckError, ModelError};
pub use log::Log;
pub use model::{Model, Violation};
pub use report::{
    Counterexample, Coverage, Exploration, NO_DEADLOCK, PropertyOutcome, bound_label,
};
pub use timeline::{TIMELINE_WIDTH, Timeline};
pub use verdict_line::{UnknownVerdict, VERDICT_PREFIX, Verdict, VerdictLine, VerdictLineError};
