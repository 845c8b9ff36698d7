//! `planrace`: run the DNS plan-update protocol on real threads, replay the incident, check
//! the step model, or simulate the fleet's recovery after the outage. `planrace --help` and
//! `planrace <command> --help` list every option.
//!
//! Exit status: 0 on success (also when the reader of its output went away: a closed pipe ends
//! it quietly); 1 when writing its output failed (a full disk); 2 for a bad command line or a
//! command that could not run (a missing SMT solver, say); 3 when `prove` found a link of the
//! proof broken;
//! 130 or 143 when SIGINT or SIGTERM stopped it, after the summary of what completed.

#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

#[cfg(not(any(loom, shuttle)))]
mod args;
#[cfg(not(any(loom, shuttle)))]
mod check;
#[cfg(not(any(loom, shuttle)))]
mod commands;
#[cfg(not(any(loom, shuttle)))]
mod error;
#[cfg(not(any(loom, shuttle)))]
mod interrupt;
#[cfg(not(any(loom, shuttle)))]
mod output;
#[cfg(not(any(loom, shuttle)))]
mod progress;
#[cfg(not(any(loom, shuttle)))]
mod prove;
#[cfg(not(any(loom, shuttle)))]
mod recover;
#[cfg(not(any(loom, shuttle)))]
mod zone;

#[cfg(not(any(loom, shuttle)))]
fn main() -> std::process::ExitCode {
    use std::process::ExitCode;

    use clap::Parser as _;

    use crate::output::{Output, OutputError};

    let out = Output::stdout();
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => {
            // --help and --version: their text is the program's output.
            return match out.text(&error.render().to_string()) {
                Ok(()) | Err(OutputError::Closed) => ExitCode::SUCCESS,
                Err(error) => {
                    complain(&format!("planrace: error: {error}"));
                    ExitCode::from(1)
                }
            };
        }
        Err(error) => {
            // clap's print writes to stderr and returns its error instead of panicking.
            let _ = error.print();
            return ExitCode::from(2);
        }
    };
    match commands::run(cli, &out) {
        Ok(error::Ended::Done) => ExitCode::SUCCESS,
        Ok(error::Ended::Interrupted(signal)) => ExitCode::from(signal.exit_code()),
        Err(error::CommandError::Output(OutputError::Closed)) => ExitCode::SUCCESS,
        Err(error::CommandError::Output(error)) => {
            complain(&format!("planrace: error: {error}"));
            ExitCode::from(1)
        }
        Err(error @ error::CommandError::ProofBroken(_)) => {
            complain(&format!("planrace: error: {error}"));
            ExitCode::from(3)
        }
        Err(error) => {
            complain(&format!(
                "planrace: error: {error}\n(run `planrace --help` for usage)"
            ));
            ExitCode::from(2)
        }
    }
}

/// Writes `message` to stderr. A stderr that cannot be written to (a full device, a closed
/// pipe) loses the message but never turns the exit status into a panic's: the status says
/// what went wrong.
#[cfg(not(any(loom, shuttle)))]
fn complain(message: &str) {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "{message}");
}

#[cfg(any(loom, shuttle))]
fn main() {
    use std::io::Write as _;
    let _ = writeln!(
        std::io::stderr(),
        "planrace runs real threads: build it without --cfg loom or --cfg shuttle"
    );
    std::process::exit(2);
}
