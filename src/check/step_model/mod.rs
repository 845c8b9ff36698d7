//! The step model: the protocol as a state machine with one step per step the code takes on
//! shared state (pick, each check, each try-lock with its commit, each unlock, each scan, the
//! sweep, each publication), its rules taken from the protocol's own decision functions.
//!
//! - `state`: what a state holds; `transition`: the steps, each producing the event the code
//!   logs for it; `properties`: the properties and witnesses on one state;
//! - `validate`: an execution's log replayed through the transitions (trace validation, the
//!   link between the model and the code); `oracle`: the exact, brute-force answer to the
//!   same question, which the validator is tested against;
//! - `checker` (`--cfg loom` or the `stateright` feature): every reachable state checked by
//!   stateright, the shortest counterexamples, and stateright's Explorer.

#[cfg(any(loom, feature = "stateright"))]
pub(crate) mod checker;
pub(crate) mod oracle;
pub(crate) mod properties;
pub(crate) mod state;
pub(crate) mod transition;
pub(crate) mod validate;
