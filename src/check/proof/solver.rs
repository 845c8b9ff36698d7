//! The SMT solvers, driven as programs over SMT-LIB files: the file a solver answered is the
//! file left under `target/planrace/proof/` for anyone to rerun by hand, and the default build
//! links nothing native.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;
use std::time::{Duration, Instant};

use thiserror::Error;

/// How long one query may run.
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(60);

/// An SMT solver the prover can run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Solver {
    /// z3 (Debian package `z3`): the default.
    Z3,
    /// cvc5 (Debian package `cvc5`): the second opinion.
    Cvc5,
}

impl Solver {
    /// Both solvers, the default first.
    pub const ALL: [Solver; 2] = [Solver::Z3, Solver::Cvc5];

    /// The program's name, as `--solver` and the verdict lines spell it.
    pub fn name(self) -> &'static str {
        match self {
            Solver::Z3 => "z3",
            Solver::Cvc5 => "cvc5",
        }
    }

    /// The Debian package that installs it.
    pub fn package(self) -> &'static str {
        self.name()
    }

    fn command(self, file: &Path, models: bool) -> Command {
        let seconds = QUERY_TIMEOUT.as_secs();
        let mut command = Command::new(self.name());
        match self {
            Solver::Z3 => {
                command.arg("-smt2").arg(format!("-T:{seconds}"));
            }
            Solver::Cvc5 => {
                // Model-based instantiation: without it cvc5 1.0 answers `unknown` on most of
                // these quantified queries, sat and unsat alike.
                command
                    .arg("--lang=smt2")
                    .arg("--mbqi")
                    .arg(format!("--tlimit={}", seconds * 1000));
                if models {
                    command.arg("--produce-models");
                }
            }
        }
        command.arg(file);
        command
    }

    /// Whether the solver can be run: `Ok` with its version line.
    ///
    /// # Errors
    /// [`SolverError::Missing`] when the program is not installed.
    pub fn version(self) -> Result<String, SolverError> {
        let output = Command::new(self.name())
            .arg("--version")
            .output()
            .map_err(|source| self.launch_error(source))?;
        let text = String::from_utf8_lossy(&output.stdout);
        Ok(text.lines().next().unwrap_or_default().trim().to_owned())
    }

    fn launch_error(self, source: std::io::Error) -> SolverError {
        if source.kind() == std::io::ErrorKind::NotFound {
            SolverError::Missing {
                solver: self.name(),
                package: self.package(),
            }
        } else {
            SolverError::Launch {
                solver: self.name(),
                source,
            }
        }
    }

    /// Runs the solver on `file`; `models` asks for the values its `get-value` commands want.
    ///
    /// # Errors
    /// A [`SolverError`] when the solver is missing, cannot start, or answers something other
    /// than `sat`, `unsat`, `unknown` or `timeout`.
    pub fn run(self, file: &Path, models: bool) -> Result<Run, SolverError> {
        let started = Instant::now();
        let output = self
            .command(file, models)
            .output()
            .map_err(|source| self.launch_error(source))?;
        let seconds = started.elapsed().as_secs_f64();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let first = stdout.lines().next().unwrap_or_default().trim();
        let answer = match first {
            "sat" => Answer::Sat,
            "unsat" => Answer::Unsat,
            "unknown" | "timeout" => Answer::Unknown,
            _ => {
                return Err(SolverError::Unreadable {
                    solver: self.name(),
                    file: file.to_path_buf(),
                    output: format!("{stdout}{}", String::from_utf8_lossy(&output.stderr)),
                });
            }
        };
        Ok(Run {
            answer,
            rest: stdout.lines().skip(1).collect::<Vec<_>>().join("\n"),
            seconds,
        })
    }
}

impl fmt::Display for Solver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Solver {
    type Err = SolverError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Solver::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| SolverError::Unknown {
                name: name.to_owned(),
            })
    }
}

/// What a solver said of a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// A model exists.
    Sat,
    /// No model exists.
    Unsat,
    /// The solver could not decide (or ran out of time).
    Unknown,
}

impl Answer {
    /// The word the solver printed (`timeout` reads as `unknown`).
    pub fn word(self) -> &'static str {
        match self {
            Answer::Sat => "sat",
            Answer::Unsat => "unsat",
            Answer::Unknown => "unknown",
        }
    }
}

/// One run of a solver on one file.
#[derive(Debug, Clone)]
pub struct Run {
    /// The answer.
    pub answer: Answer,
    /// What followed the answer (the values asked for).
    pub rest: String,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// A solver that could not answer.
#[derive(Debug, Error)]
pub enum SolverError {
    /// The solver is not installed.
    #[error(
        "the SMT solver {solver} is not installed: install the Debian package \
         (apt-get install {package}) or choose another with --solver"
    )]
    Missing {
        /// The program.
        solver: &'static str,
        /// The package that installs it.
        package: &'static str,
    },
    /// The solver could not be started.
    #[error("cannot start {solver}: {source}")]
    Launch {
        /// The program.
        solver: &'static str,
        /// Why not.
        source: std::io::Error,
    },
    /// The solver answered something that is not an answer.
    #[error("{solver} did not answer sat, unsat or unknown on {}:\n{output}", file.display())]
    Unreadable {
        /// The program.
        solver: &'static str,
        /// The query.
        file: PathBuf,
        /// What it printed.
        output: String,
    },
    /// `--solver` named no solver the prover knows.
    #[error("unknown solver {name:?} (known: z3, cvc5)")]
    Unknown {
        /// The name given.
        name: String,
    },
}
