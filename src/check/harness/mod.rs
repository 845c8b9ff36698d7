//! The checking harness, independent of the DNS protocol: a [`Model`] says how to run one
//! execution and what must hold of its log; `explore` (under `--cfg loom`) runs every
//! interleaving, counts violations and keeps counterexamples; [`Exploration`] prints
//! `planrace-verdict` lines; [`Timeline`] lays a log out in columns, one per thread.
//!
//! planrace's own protocol is one such model (`ProtocolModel`); docs/checking-your-own-updater.md
//! and `examples/config_gc.rs` check a different one with the same pieces.
//!
//! One concept per file: `model` (the trait and [`Violation`]), `log` ([`Log`]), `timeline`
//! ([`Timeline`]), `report` (what an exploration found), `verdict_line` (the `planrace-verdict`
//! line, written and read), `explore` (the loom driver).

#[cfg(loom)]
mod explore;
mod log;
mod model;
mod report;
mod timeline;
mod verdict_line;

#[cfg(loom)]
pub use explore::{PROGRESS_EVERY, explore};
pub use log::Log;
pub use model::{Model, Violation};
pub use report::{Counterexample, Exploration, PropertyOutcome, bound_label};
pub use timeline::{TIMELINE_WIDTH, Timeline};
pub use verdict_line::{VERDICT_PREFIX, VerdictLine, VerdictLineError};
