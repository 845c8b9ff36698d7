//! The protocol, written once against [`crate::sync`]: what the Planner publishes, where it is
//! kept, the records the Enactors write, the world they share, the actors, and one execution.
//! The layout is described once, in lib.rs.

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
