//! Error types.

use thiserror::Error;

use crate::protocol::plan::{EndpointId, Generation};

/// A config that cannot be run, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConfigError {
    /// No Enactor means nothing is ever applied.
    #[error("a config needs at least one enactor")]
    NoEnactors,
    /// More Enactor threads than the backend can run.
    #[error("{requested} enactors requested, at most {max} can run here ({reason})")]
    TooManyEnactors {
        /// Enactors asked for.
        requested: usize,
        /// The largest number allowed in this build.
        max: usize,
        /// Why the limit exists.
        reason: &'static str,
    },
    /// No endpoint means there is no record to protect.
    #[error("a config needs at least one endpoint")]
    NoEndpoints,
    /// More endpoints than a plan can address.
    #[error("{requested} endpoints requested, at most {max} are supported")]
    TooManyEndpoints {
        /// Endpoints asked for.
        requested: usize,
        /// The largest number allowed.
        max: usize,
    },
    /// K = 0 would delete the plan an Enactor has just applied.
    #[error("sweep age K must be at least 1: K=0 deletes the plan that was just applied")]
    ZeroSweepAge,
    /// Too few generations for any sweep to reach a plan that an Enactor could still apply.
    #[error(
        "{generations} generations with sweep age K={sweep_age} cannot trigger the race: \
         the sweep can only delete a plan newer than the initial one with at least {min} generations"
    )]
    TooFewGenerations {
        /// Generations asked for.
        generations: u64,
        /// The sweep age asked for.
        sweep_age: u64,
        /// The smallest generation count that exercises the sweep.
        min: u64,
    },
    /// More generations than the Planner will publish in one run.
    #[error("{requested} generations requested, at most {max} are supported")]
    TooManyGenerations {
        /// Generations asked for.
        requested: u64,
        /// The largest number allowed.
        max: u64,
    },
    /// A configuration string that is not of the form `<e>E<p>P<g>G<k>K`.
    #[error("malformed configuration {text:?}: {reason} (expected e.g. 2E1P4G2K)")]
    Malformed {
        /// The text given.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// A refused operation on the plan store.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StoreError {
    /// Generations only go up.
    #[error("cannot publish {generation}: the store already holds {newest}")]
    NotNewer {
        /// The generation offered.
        generation: Generation,
        /// The newest generation present.
        newest: Generation,
    },
}

/// A refused operation on the zone.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ZoneError {
    /// The zone has no record for this endpoint.
    #[error("{endpoint} is not in the zone, which has {endpoints} endpoints")]
    UnknownEndpoint {
        /// The endpoint asked for.
        endpoint: EndpointId,
        /// How many endpoints the zone has.
        endpoints: usize,
    },
}

/// A protocol variant name that does not exist.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VariantError {
    /// The name matches no variant.
    #[error("unknown variant {name:?} (known: {known})")]
    Unknown {
        /// The name given.
        name: String,
        /// The names that exist.
        known: String,
    },
}
