//! `planrace check`: the step model, checked by stateright, or browsed in its Explorer.

use planrace::{Config, Variant};

use crate::cli::CliError;

/// What `planrace check` was asked.
pub struct CheckArgs {
    variant: Variant,
    config: Config,
    json: bool,
    /// The Explorer's port on 127.0.0.1, when `--serve` was given.
    serve: Option<u16>,
}

/// The Explorer's port when `--port` is not given.
const DEFAULT_PORT: u16 = 3000;

/// Parses `check`'s arguments.
pub fn parse_check(args: &[String]) -> Result<CheckArgs, CliError> {
    let mut parsed = CheckArgs {
        variant: Variant::Fixed,
        config: "3E3P5G2K".parse()?,
        json: false,
        serve: None,
    };
    let mut port = None;
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--json" => parsed.json = true,
            "--serve" => parsed.serve = Some(DEFAULT_PORT),
            "--variant" | "--config" | "--port" => {
                let value = args
                    .next()
                    .ok_or_else(|| CliError::MissingValue(flag.clone()))?;
                match flag.as_str() {
                    "--variant" => parsed.variant = value.parse()?,
                    "--config" => parsed.config = value.parse()?,
                    _ => port = Some(crate::cli::number::<u16>(flag, value)?),
                }
            }
            other => return Err(CliError::UnknownOption(other.to_owned())),
        }
    }
    if let Some(port) = port {
        parsed.serve = Some(port);
    }
    Ok(parsed)
}

/// Runs `planrace check`.
#[cfg(feature = "stateright")]
pub fn check_command(args: &CheckArgs) -> Result<(), CliError> {
    use planrace::{Cycles, StepModel, check_step_model, serve_explorer};
    use std::net::{Ipv4Addr, SocketAddr, TcpListener};

    let model = StepModel::new(args.variant, args.config, Cycles::OneEach)?;
    if let Some(port) = args.serve {
        let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        // stateright's server panics on a port it cannot bind: ask first.
        drop(TcpListener::bind(address).map_err(|e| CliError::Serve(address, e))?);
        serve_explorer(model, address);
        println!(
            "stateright Explorer for {} {}: http://{address}/ (Ctrl-C to stop)",
            args.variant, args.config
        );
        loop {
            std::thread::park();
        }
    }
    let check = check_step_model(model);
    if args.json {
        for outcome in &check.outcomes {
            let line = check.verdict_line(outcome);
            let witnesses: Vec<String> = line
                .extra
                .iter()
                .map(|(name, reached)| format!("\"{name}\":{}", *reached == 1))
                .collect();
            println!(
                "{{\"checker\":\"stateright\",\"variant\":\"{}\",\"property\":\"{}\",\
                 \"config\":\"{}\",\"states\":{},\"violations\":{},\"verdict\":\"{}\",\
                 \"seconds\":{:.3},\"witnesses\":{{{}}}}}",
                line.variant,
                line.property,
                line.config,
                line.count,
                line.violations,
                line.verdict,
                line.seconds,
                witnesses.join(",")
            );
        }
    } else {
        print!("{}", check.report());
    }
    Ok(())
}

/// Without the `stateright` feature there is no checker to run.
#[cfg(not(feature = "stateright"))]
pub fn check_command(_args: &CheckArgs) -> Result<(), CliError> {
    Err(CliError::NoStateright)
}
