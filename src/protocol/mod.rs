//! The protocol, written once against [`crate::sync`]: what the Planner publishes, where it is
//! kept, the records the Enactors write, the world they share, the actors, and one execution.
//!
//! Files, each depending only on those above it:
//! - `plan`: generations, endpoints, plans; `error`: what the store, zone and parsers refuse;
//! - `config`: a configuration of the race (`<e>E<p>P<g>G<k>K`); `rules`: how a record is
//!   written and what a sweep may delete; `variant`: a choice of rules;
//! - `event`: the log's vocabulary (who did what); `trace`: the log; `schedule`: the hook every
//!   step reports to; `script`: a list of steps to force, and its text format;
//! - `store`, `zone`: the plan store and the records with their transaction locks;
//!   `record_server`: a server the records are also enacted on (real threads only);
//! - `world`: what the actors share, and the steady state before the race;
//! - `sweep`, `planner`, `enactor`: the actors (the sweep runs inside the Enactor);
//! - `execution`: one run of a configuration, under loom or on real threads.

pub(crate) mod config;
pub(crate) mod enactor;
pub(crate) mod error;
pub(crate) mod event;
pub(crate) mod execution;
pub(crate) mod mirror;
pub(crate) mod plan;
pub(crate) mod planner;
pub(crate) mod record;
pub(crate) mod rules;
pub(crate) mod schedule;
pub(crate) mod script;
pub(crate) mod store;
pub(crate) mod sweep;
pub(crate) mod trace;
pub(crate) mod variant;
pub(crate) mod world;
pub(crate) mod zone;
