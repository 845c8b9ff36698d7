//! `planrace check`: the step model, checked by stateright, or browsed in its Explorer.

use crate::args::CheckArgs;
use crate::error::CommandError;
use crate::output::Output;

/// The Explorer's port when `--port` is not given.
#[cfg(feature = "stateright")]
const DEFAULT_PORT: u16 = 3000;

/// Runs `planrace check`.
#[cfg(feature = "stateright")]
pub fn check_command(args: &CheckArgs, out: &Output) -> Result<(), CommandError> {
    use std::net::{Ipv4Addr, SocketAddr, TcpListener};

    use planrace::{Cycles, StepModel, check_step_model, serve_explorer};

    use crate::args::CyclesArg;
    use crate::output::VerdictJson;

    let cycles = match args.cycles {
        CyclesArg::One => Cycles::OneEach,
        CyclesArg::Forever => Cycles::Unbounded,
    };
    let model = StepModel::new(args.variant, args.config, cycles)?;
    // The port was checked to be 1-65535.
    let port = args.port.and_then(|port| u16::try_from(port).ok());
    if args.serve || port.is_some() {
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port.unwrap_or(DEFAULT_PORT)));
        // stateright's server panics on a port it cannot bind: ask first.
        drop(TcpListener::bind(address).map_err(|e| CommandError::Serve(address, e))?);
        serve_explorer(model, address);
        out.line(&format!(
            "stateright Explorer for {} {}: http://{address}/ (Ctrl-C to stop)",
            args.variant, args.config
        ))?;
        loop {
            std::thread::park();
        }
    }
    let check = check_step_model(model);
    if args.json {
        for outcome in &check.outcomes {
            let line = check.verdict_line(outcome);
            out.json(&VerdictJson {
                kind: "verdict",
                checker: line.checker,
                variant: line.variant,
                property: line.property,
                config: line.config,
                cycles: match args.cycles {
                    CyclesArg::One => "one",
                    CyclesArg::Forever => "forever",
                },
                states: line.count,
                violations: line.violations,
                verdict: line.verdict.to_string(),
                seconds: line.seconds,
                witnesses: line
                    .extra
                    .into_iter()
                    .map(|(name, reached)| (name, reached == 1))
                    .collect(),
            })?;
        }
    } else {
        out.text(&check.report())?;
    }
    Ok(())
}

/// Without the `stateright` feature there is no checker to run.
#[cfg(not(feature = "stateright"))]
pub fn check_command(_args: &CheckArgs, _out: &Output) -> Result<(), CommandError> {
    Err(CommandError::NoStateright)
}
