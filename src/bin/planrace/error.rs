//! What a command can fail with, and how it ended when it did not: the one file every
//! command imports its outcome from.

use planrace::ReplayError;
use thiserror::Error;

use crate::interrupt::Signal;
use crate::output::OutputError;

/// What went wrong running a command.
#[derive(Debug, Error)]
pub enum CommandError {
    /// The output could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// `--seed` and `--runs` together would pass the last seed.
    #[error("--seed {seed} with --runs {runs} passes the last seed, {}", u64::MAX)]
    SeedsOverflow {
        /// The first seed.
        seed: u64,
        /// The runs asked for.
        runs: u64,
    },
    /// The signal handlers could not be installed.
    #[error("cannot listen for SIGINT and SIGTERM: {0}")]
    Signals(#[source] std::io::Error),
    /// The replay could not follow its script.
    #[error(transparent)]
    Replay(#[from] ReplayError),
    /// A run failed (the Planner, or the DNS server the records were enacted on).
    #[error(transparent)]
    Run(#[from] planrace::RunError),
    /// `--zone` cannot be used.
    #[error(transparent)]
    Zone(#[from] crate::zone::ZoneError),
    /// A file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: std::path::PathBuf,
        /// Why not.
        source: std::io::Error,
    },
    /// A configuration the step model cannot hold.
    #[error(transparent)]
    StepModel(#[from] planrace::StepModelError),
    /// The proof could not run.
    #[error(transparent)]
    Prove(#[from] planrace::proof::ProveError),
    /// A link of the proof is broken: the report above says which.
    #[error("a link of the proof is broken: {0}")]
    ProofBroken(String),
    /// `check` in a build without the checker.
    #[cfg(not(feature = "stateright"))]
    #[error(
        "planrace check needs the stateright feature: \
         cargo run --release --features stateright -- check ..."
    )]
    NoStateright,
    /// The Explorer's address could not be bound.
    #[cfg(feature = "stateright")]
    #[error("cannot serve the Explorer on {0}: {1}")]
    Serve(std::net::SocketAddr, std::io::Error),
}

/// How a command ended, when it did not fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// It did everything asked.
    Done,
    /// A signal stopped it after it summarised what it had done.
    Interrupted(Signal),
}
