//! Judging executions: the properties every execution must satisfy, the world as a log tells
//! it, one judged execution, the witnesses, the generic harness, the step model, the proof for
//! every size, and (under `--cfg loom`) the protocol as a harness model and the suite's matrix.
//! The layout is described once, in lib.rs.

pub(crate) mod execution;
pub mod harness;
#[cfg(any(loom, planrace_docs))]
pub(crate) mod matrix;
pub mod proof;
pub(crate) mod property;
#[cfg(any(loom, shuttle, planrace_docs))]
pub(crate) mod protocol_model;
pub(crate) mod step_model;
pub(crate) mod verdict_table;
pub mod witness;
pub(crate) mod world_view;
