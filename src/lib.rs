//! # planrace
//!
//! In October 2025 a DNS Planner published numbered plans and three redundant Enactors applied
//! them, each checking only once, at the start, that its plan was newer. A delayed Enactor
//! overwrote a newer plan with its stale one; another Enactor's clean-up deleted that plan as
//! too old, and the record was left empty and stuck. planrace implements that protocol and its
//! fix once, explores every interleaving under loom, and replays the incident on real threads.
//!
//! ## Modules
//! - [`sync`]: the facade over loom or parking_lot/std; the only place that names a backend.
//! - [`plan`], [`store`], [`zone`]: plans, the plan store, the DNS records and their locks.
//! - [`planner`], [`enactor`], [`sweeper`]: the actors.
//! - [`protocol`]: the variants ([`Variant::Buggy`], [`Variant::Fixed`] and the broken fixes).
//! - [`execution`]: one run of a [`Scenario`]; [`schedule`]: steering a run.
//! - [`invariant`]: the properties; [`trace`]: the event log and its timeline; [`svg`]: the
//!   same as a sequence diagram.
//! - [`harness`]: the checker, for any protocol: the `Model` trait, the event log, timelines,
//!   verdict lines, and (under `--cfg loom`) `explore`. docs/checking-your-own-updater.md uses
//!   it on another protocol.
//! - `explore` and `matrix` (under `--cfg loom`): the protocol as a `Model`, its witnesses, and
//!   the verdict matrix of every variant.
//! - [`verdicts`]: the verdict table of docs/verdicts.md, read back.
//! - `replay`, `fault`, `runtime` (real threads): forced interleavings, seeded faults, and runs
//!   that report what the zone went through (the `planrace` binary's `run` and `replay`).
//!
//! The story in full is docs/postmortem.md; the design rules it teaches, with code patterns
//! that run as doctests, are in docs/safe-updaters.md.

// Nothing a caller controls may reach an unwrap: errors are returned (see error.rs).
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]
// Replaying needs real threads, so the runnable example only exists in the default build.
#![cfg_attr(
    not(loom),
    doc = r#"
## Example

The incident, replayed on real threads (under `--cfg loom`, `explore` runs the proofs):

```
use planrace::{Property, Variant, replay_incident};

// Force the incident's interleaving on real threads.
let buggy = replay_incident(Variant::Buggy)?;
assert!(buggy.violations.iter().any(|v| v.property == Property::NoEmptyRecord));
println!("{}", buggy.timeline());

// The same interleaving against the fixed protocol violates nothing.
let fixed = replay_incident(Variant::Fixed)?;
assert!(fixed.violations.is_empty());
# Ok::<(), planrace::ReplayError>(())
```
"#
)]

// The code patterns of docs/safe-updaters.md run as doctests. Real threads only: they lock the
// facade's mutexes outside a loom model.
#[cfg(all(doctest, not(loom)))]
#[doc = include_str!("../docs/safe-updaters.md")]
pub struct SafeUpdatersDoctests;

pub mod enactor;
pub mod error;
pub mod execution;
#[cfg(loom)]
pub mod explore;
#[cfg(not(loom))]
pub mod fault;
pub mod harness;
pub mod invariant;
#[cfg(loom)]
pub mod matrix;
pub mod plan;
pub mod planner;
pub mod protocol;
#[cfg(not(loom))]
pub mod replay;
#[cfg(not(loom))]
pub mod runtime;
pub mod scenario;
pub mod schedule;
pub mod store;
pub mod svg;
pub mod sweeper;
pub mod sync;
pub mod trace;
pub mod verdicts;
pub mod zone;

pub use error::{ScenarioError, StoreError, VariantError, ZoneError};
pub use invariant::{Property, Violation};
pub use plan::{EndpointId, Generation, Plan, Target};
pub use protocol::Variant;
#[cfg(not(loom))]
pub use replay::{Replay, ReplayError, replay_incident};
pub use scenario::Scenario;
