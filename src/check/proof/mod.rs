//! The proof for every size: the protocol as a first-order transition system over unbounded
//! sorts, `Fixed`'s inductive invariant, and the obligations that real SMT solvers (z3, cvc5)
//! discharge, with the checks that link it to the step model.
//!
//! - `formula`: terms, printed as SMT-LIB and evaluated on concrete states (one statement, two
//!   readers);
//! - `transitions`: the first-order protocol of each variant; `invariant`: the conjuncts and
//!   the properties they prove;
//! - `abstraction`, `successors`, `conformance`: the step model's states as first-order
//!   structures, the first-order successors of one, and the check that the two models take
//!   the same steps;
//! - `solver`, `obligation`, `prover`: the queries, the solvers that answer them, and the
//!   verdicts.

mod abstraction;

pub use conformance::{Break, Conformance, Trace, check_conformance, search_violations};
pub use invariant::{Conjunct, ProofProperty, conjuncts};
pub use obligation::Claim;
pub use prover::{
    CONFORMANCE_SIZES, ProofReport, PropertyProof, ProveError, ProveOptions, SEARCH_SIZES,
    SolverCall, VariantProof, prove,
};
pub use solver::{Answer, QUERY_TIMEOUT, Solver, SolverError};
pub use transitions::StepKind;

pub(crate) mod conformance;
mod explain;
pub(crate) mod formula;
pub(crate) mod invariant;
pub(crate) mod obligation;
pub(crate) mod prover;
pub(crate) mod solver;
mod successors;
pub(crate) mod transitions;
