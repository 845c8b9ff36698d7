//! Judging executions: the properties every execution must satisfy, the world as a log tells
//! it, the generic harness, and (under `--cfg loom`) the protocol as a harness model, the
//! suite's matrix of explorations and the verdict table of docs/verdicts.md.
//!
//! Files, each depending only on those above it (and on `protocol/`):
//! - `harness/`: the checker for any protocol (model, log, timeline, report, loom driver);
//! - `world_view`: records and live plans rebuilt from a log; `property`: the properties;
//! - `verdict_table`: the Markdown table of verdicts, written and read;
//! - `step_model`: the protocol as a state machine, the validator of logs, and (loom or the
//!   `stateright` feature) its exhaustive check;
//! - `protocol_model` (loom or shuttle): the protocol as a [`harness::Model`], its witnesses,
//!   and the files a counterexample is written to (through `render/`); `matrix` (loom): the
//!   suite's jobs.

pub(crate) mod execution;
pub mod harness;
#[cfg(loom)]
pub(crate) mod matrix;
pub(crate) mod proof;
pub(crate) mod property;
#[cfg(any(loom, shuttle))]
pub(crate) mod protocol_model;
pub(crate) mod step_model;
pub(crate) mod verdict_table;
pub mod witness;
pub(crate) mod world_view;
