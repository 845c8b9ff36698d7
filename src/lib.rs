//! # planrace
//!
//! In October 2025 a DNS Planner published numbered plans and three redundant Enactors applied
//! them, each checking only once, at the start, that its plan was newer. A delayed Enactor
//! overwrote a newer plan with its stale one; another Enactor's clean-up deleted that plan as
//! too old, and the record was left empty and stuck. planrace implements that protocol and its
//! fix once, explores every interleaving under loom, and replays the incident on real threads.
//!
//! ## Layout
//! This is the one description of the layout; README links here. The tree is the
//! architecture: no file imports a file that imports it back, and no top-level folder imports
//! a folder that imports it back (tests/layout.rs checks both, and the binary's files too).
//! Folders depend on those above them in this list:
//!
//! ```text
//! sync/       primitives only: one file per backend (native.rs: parking_lot and std; loom.rs,
//!             shuttle.rs: the checkers' Mutex, thread and atomics), each with its facts
//! protocol/   the protocol, written once against sync/: plans, configs, rules, variants; the
//!             log (event, trace); the hooks a run is steered and mirrored through (schedule,
//!             mirror); the store and the zone; the actors (planner, enactor, sweep); one
//!             execution; scripts of steps as text
//! check/      judging executions: the properties and the world a log tells (property,
//!             world_view); one judged Execution and its text timeline (execution); the
//!             witnesses (witness); the generic harness with one file per driver
//!             (harness/loom.rs, harness/shuttle.rs) and the verdict line (Verdict); the
//!             protocol as a harness model and the loom suite's matrix; the step model
//!             (step_model/: state machine, trace validation, stateright check); the proof for
//!             every size (proof/); docs/verdicts.md's table
//! render/     pictures and files from the checkers' data: an Execution as an SVG sequence
//!             diagram (svg), and the one writer of counterexample files (files)
//! recovery/   the recovery simulation, independent of the protocol (fleet, policy, brooker,
//!             rng, and its chart)
//! run/        real threads: seeded faults, scripted replays, runs with their reports, the
//!             record server a zone is mirrored on (mirror), and with the `dns` feature a real
//!             DNS server (dns/)
//! testing.rs  the internals the crate's own tests, benches and examples drive (hidden)
//! bin/planrace/  the command line: one file per command, errors in error.rs
//! ```
//!
//! Beside `src/`: `tests/` (the loom suite `loom_matrix.rs`, `step_model.rs`,
//! `shuttle_suite.rs`, `proof.rs`, `stress.rs`, `replay.rs`, `dns.rs`, `docs.rs`, `cli.rs`,
//! `layout.rs`...), `examples/` (`verdicts.rs` writes docs/verdicts.md; `config_gc.rs` and
//! `lockfree.rs` check other protocols with the harness; `shuttle.rs`), `benches/`
//! (criterion), `docs/`, and `.ci/run`.
//!
//! ## Public items
//! - The protocol: [`Config`] (`<e>E<p>P<g>G<k>K`, with [`MAX_ENACTORS`], [`MAX_ENDPOINTS`],
//!   [`MAX_GENERATIONS`]), [`Variant`] (a choice of [`WriteRule`] and [`SweepRule`], with
//!   [`SweepOutcome`] and [`is_newer`]), [`Generation`], [`EndpointId`], [`Plan`], [`Target`],
//!   [`PlanStore`] and its [`StoreGuard`], [`Zone`] with its [`RecordLock`]s and
//!   [`Transaction`]s, [`Record`] and the [`Commit`] a write makes, [`MAX_LOCK_ATTEMPTS`].
//! - The hooks: [`Point`] (where a step is about to happen), [`ZoneMirror`] and [`Mirrored`]
//!   (where a zone's writes are also made).
//! - The log: [`Actor`], [`Event`], [`Step`]; scripts of steps as text ([`parse_script`],
//!   [`format_script`], [`script_of`], [`ScriptError`]).
//! - Errors: [`ConfigError`], [`StoreError`], [`VariantError`], [`ZoneError`].
//! - Judging: [`Property`], [`Violation`], [`check_properties`]; [`Execution`] (a judged log,
//!   as a timeline or an SVG); [`witness`] (the situations a `holds` needs); [`Verdict`].
//! - The generic checker: [`harness`] (a `Model`, `explore` under loom, `sample` under
//!   shuttle, verdict lines); the protocol as its model under loom or shuttle
//!   (`ProtocolModel`, `explore`, `sample`, `Exploration`, `Counterexample`,
//!   `PropertyOutcome`, `ExploreError`, `preemption_bound`).
//! - The step model: [`StepModel`] ([`Cycles`], [`StepModelError`], [`MAX_MODEL_ENDPOINTS`],
//!   [`MAX_MODEL_GENERATIONS`]); trace validation ([`validate_log`], [`Validated`],
//!   [`Rejection`]) and the exact oracle it is tested against ([`oracle_explains`]); with loom or the `stateright` feature, its exhaustive check
//!   (`check_step_model`, `StepCheck`, `StepOutcome`, `StepCounterexample`, `STEP_SUITE`,
//!   `serve_explorer`).
//! - The proof for every size: [`proof`] (`prove`, its options and report, the solvers, the
//!   conformance check).
//! - Real threads (default build): [`run`] with [`RunOptions`], [`RunWith`], [`RunReport`],
//!   [`RunError`] and [`FaultPlan`]; [`replay`] with [`ReplayOptions`], [`AfterStep`],
//!   [`ReplayError`], [`incident_config`], [`incident_script`]; a [`RecordServer`] to mirror
//!   a zone on ([`ServerWrite`], [`WriteCondition`], [`ServerError`]); with the `dns` feature,
//!   `dns` (BIND 9 over RFC 2136).
//! - [`sync`]: the primitives the protocol is written against; [`recovery`]: the recovery
//!   simulation.
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
#[doc(hidden)]
pub mod testing;

pub use check::execution::Execution;
pub use check::harness;
pub use check::harness::Verdict;
pub use check::proof;
pub use check::property::{Property, Violation, check_properties};
#[cfg(any(shuttle, planrace_docs))]
pub use check::protocol_model::sample;
#[cfg(any(loom, shuttle, planrace_docs))]
pub use check::protocol_model::{
    Counterexample, Exploration, ExploreError, PropertyOutcome, ProtocolModel,
};
#[cfg(any(loom, planrace_docs))]
pub use check::protocol_model::{explore, preemption_bound};
#[cfg(any(loom, feature = "stateright"))]
pub use check::step_model::checker::{
    STEP_SUITE, StepCheck, StepCounterexample, StepOutcome, check as check_step_model,
    serve as serve_explorer,
};
pub use check::step_model::oracle::explains as oracle_explains;
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
