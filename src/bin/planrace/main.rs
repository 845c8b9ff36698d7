//! `planrace`: run the DNS plan-update protocol on real threads, or replay the incident.
//!
//! ```text
//! planrace run [--variant NAME] [--config EPGK] [--faults none|lock-loss] [--seed N] [--runs N]
//!              [--slow-percent P] [--lock-loss N] [--backoff-us U] [--write-delay-us U]
//!              [--burst N] [--burst-pause-us U] [--json]
//! planrace replay [--variant NAME]
//! planrace check [--variant NAME] [--config EPGK] [--json] [--serve [--port N]]
//! planrace help
//! ```

#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used))]

#[cfg(not(any(loom, shuttle)))]
mod check;
#[cfg(not(any(loom, shuttle)))]
mod cli;

#[cfg(not(any(loom, shuttle)))]
fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match cli::main(&args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("planrace: error: {error}\n(run `planrace help` for usage)");
            std::process::ExitCode::from(2)
        }
    }
}

#[cfg(any(loom, shuttle))]
fn main() {
    eprintln!("planrace runs real threads: build it without --cfg loom or --cfg shuttle");
    std::process::exit(2);
}
