//! # planrace
//!
//! In October 2025 a DNS Planner published numbered plans and three redundant Enactors applied
//! them, each checking only once, at the start, that its plan was newer. A delayed Enactor
//! overwrote a newer plan with its stale one; another Enactor's clean-up deleted that plan as
//! too old, and the record was left empty and stuck. planrace implements that protocol and its
//! fix once, explores every interleaving under loom, and replays the incident on real threads.
//!
//! ## Layout
//! The tree is the architecture; every file depends only on files of the layers above it:
//! - [`sync`]: the facade over loom or parking_lot/std, one file per backend; the only place
//!   that names a backend.
//! - `protocol/`: plans, the plan store, the zone's records and their locks, the variants'
//!   rules, the log's vocabulary ([`Event`], [`Actor`], [`Step`]), the world the actors share,
//!   the actors (the Planner and the Enactors, whose clean-up sweep runs inside their cycle),
//!   and one execution of a [`Config`].
//! - `check/`: the properties ([`Property`], [`check_properties`]); the [`harness`], the checker
//!   for any protocol (`Model`, `Log`, `Timeline`, verdict lines, and under `--cfg loom` its
//!   `explore`); under `--cfg loom`, the protocol as a harness model (`explore`) and the
//!   suite's matrix; the verdict table of docs/verdicts.md.
//! - `render/`: an execution as a text timeline or an SVG sequence diagram.
//! - `run/` (real threads): seeded faults, forced interleavings (`replay`), and runs that
//!   report what the zone went through (`run`); the `planrace` binary's commands.
//! - [`testing`]: the internals that the crate's own tests, benches and examples drive
//!   directly; not needed to use the crate.
//!
//! The story in full is docs/postmortem.md; the design rules it teaches, with code patterns
//! that run as doctests, are in docs/safe-updaters.md.

// Nothing a caller controls may reach an unwrap: errors are returned (see protocol/error.rs).
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]
#![warn(unreachable_pub, missing_debug_implementations)]
// Replaying needs real threads, so the runnable example only exists in the default build.
#![cfg_attr(
    not(any(loom, shuttle)),
    doc = r#"
## Example

The incident, replayed on real threads (under `--cfg loom`, `explore` runs the proofs):

```
use planrace::{Property, ReplayOptions, Variant, replay};

// Force the incident's interleaving on real threads.
let buggy = replay(ReplayOptions::incident(Variant::Buggy))?;
assert!(buggy.violations.iter().any(|v| v.property == Property::NoEmptyRecord));
println!("{}", buggy.timeline());

// The same interleaving against the fixed protocol violates nothing.
let fixed = replay(ReplayOptions::incident(Variant::Fixed))?;
assert!(fixed.violations.is_empty());
# Ok::<(), planrace::ReplayError>(())
```
"#
)]

// The code patterns of docs/safe-updaters.md run as doctests. Real threads only: they lock the
// facade's mutexes outside a loom model.
#[cfg(all(doctest, not(any(loom, shuttle))))]
#[doc = include_str!("../docs/safe-updaters.md")]
pub struct SafeUpdatersDoctests;

mod check;
mod protocol;
pub mod recovery;
mod render;
#[cfg(not(any(loom, shuttle)))]
mod run;
pub mod sync;
pub mod testing;

pub use check::execution::Execution;
pub use check::harness;
pub use check::harness::Verdict;
pub use check::proof::conformance::{
    Break, Conformance, Trace, check_conformance, search_violations,
};
pub use check::proof::invariant::{Conjunct, ProofProperty, conjuncts};
pub use check::proof::obligation::Claim;
pub use check::proof::prover::{
    CONFORMANCE_SIZES, ProofReport, PropertyProof, ProveError, ProveOptions, SEARCH_SIZES,
    SolverCall, VariantProof, prove,
};
pub use check::proof::solver::{Answer, QUERY_TIMEOUT, Solver, SolverError};
pub use check::proof::transitions::StepKind;
pub use check::property::{Property, Violation, check_properties};
#[cfg(shuttle)]
pub use check::protocol_model::sample;
#[cfg(any(loom, shuttle))]
pub use check::protocol_model::{
    Counterexample, Exploration, ExploreError, PropertyOutcome, ProtocolModel,
};
#[cfg(loom)]
pub use check::protocol_model::{explore, preemption_bound};
#[cfg(any(loom, feature = "stateright"))]
pub use check::step_model::checker::{
    STEP_SUITE, StepCheck, StepCounterexample, StepOutcome, check as check_step_model,
    serve as serve_explorer,
};
pub use check::step_model::state::{MAX_MODEL_ENDPOINTS, MAX_MODEL_GENERATIONS};
pub use check::step_model::transition::{Cycles, StepModel, StepModelError};
pub use check::step_model::validate::{Rejection, Validated, validate as validate_log};
pub use check::witness;
pub use protocol::config::{Config, MAX_ENACTORS, MAX_ENDPOINTS, MAX_GENERATIONS};
pub use protocol::enactor::MAX_LOCK_ATTEMPTS;
pub use protocol::error::{ConfigError, StoreError, VariantError, ZoneError};
pub use protocol::event::{Actor, Event, Step};
pub use protocol::mirror::{Mirrored, ZoneMirror};
pub use protocol::plan::{EndpointId, Generation, Plan, Target};
pub use protocol::record::{Commit, Record};
pub use protocol::rules::{SweepOutcome, SweepRule, WriteRule, is_newer};
pub use protocol::schedule::Point;
pub use protocol::script::{ScriptError, format_script, parse_script, script_of};
pub use protocol::store::{PlanStore, StoreGuard};
pub use protocol::variant::Variant;
pub use protocol::zone::{RecordLock, Transaction, Zone};
/// Enacting the plans on a real DNS server (the `dns` feature, real threads).
#[cfg(all(feature = "dns", not(any(loom, shuttle))))]
pub use run::dns;
#[cfg(not(any(loom, shuttle)))]
pub use run::fault::FaultPlan;
#[cfg(not(any(loom, shuttle)))]
pub use run::mirror::{RecordServer, ServerError, ServerWrite, WriteCondition};
#[cfg(not(any(loom, shuttle)))]
pub use run::replay::{
    AfterStep, ReplayError, ReplayOptions, incident_config, incident_script, replay,
};
#[cfg(not(any(loom, shuttle)))]
pub use run::runtime::{RunError, RunOptions, RunReport, RunWith, run};
