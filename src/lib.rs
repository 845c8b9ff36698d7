//! # planrace
//!
//! In October 2025 a DNS Planner published numbered plans and three redundant Enactors applied
//! them. One Enactor checked its plan was newer only once, at the start, then fell far behind;
//! it overwrote a newer plan with its stale one, another Enactor's clean-up deleted that stale
//! plan as too old, and the endpoint's record was left pointing at nothing, stuck.
//! planrace implements that protocol and its fix once, runs them under loom to explore every
//! interleaving, and on real threads to replay the incident.
//!
//! ## Modules
//! - [`sync`]: the facade over loom or parking_lot/std; the only place that names a backend.
//! - [`plan`], [`store`], [`zone`]: plans, the plan store, the DNS records and their locks.
//! - [`planner`], [`enactor`], [`sweeper`]: the actors.
//! - [`protocol`]: the variants ([`Variant::Buggy`], [`Variant::Fixed`] and the broken fixes).
//! - [`execution`]: one run of a [`Scenario`]; [`schedule`]: steering a run.
//! - [`invariant`]: the properties; [`trace`]: the event log and its timeline; [`svg`]: the
//!   same as a sequence diagram.
//! - `explore` and `matrix` (under `--cfg loom`): exhaustive exploration, verdict lines, the
//!   verdict matrix of every variant.
//! - [`verdicts`]: the verdict table of docs/verdicts.md, read back.
//! - `replay`, `fault`, `runtime` (real threads): forced interleavings, seeded faults, and runs
//!   that report what the zone went through (the `planrace` binary's `run` and `replay`).

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
