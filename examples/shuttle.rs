//! Samples the protocol's interleavings with shuttle, or replays one from its schedule string.
//!
//! ```sh
//! # One sample: variant, config, scheduler (random | pct:<depth>), seeds a..b, iterations a seed
//! RUSTFLAGS="--cfg shuttle" cargo run --release --example shuttle -- sample Buggy 3E3P6G2K pct:5 0..4 10000
//! # Replay a counterexample's schedule string (printed with it): the same log, step for step
//! RUSTFLAGS="--cfg shuttle" cargo run --release --example shuttle -- replay Buggy 3E3P6G2K <schedule>
//! ```
//!
//! `sample` prints the verdict lines and, for each violated property, the first and shortest
//! counterexample with the schedule that replays it; it stops at the first violation. `replay`
//! prints the replayed execution's timeline and the properties it violates. Exit status 0 on
//! success, 1 when `replay` reproduces no violation, 2 on bad arguments.

#[cfg(shuttle)]
fn main() -> std::process::ExitCode {
    use std::process::ExitCode;

    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(error) => {
            eprintln!("shuttle example: {error}");
            eprintln!(
                "usage: sample <Variant> <EPGK> <random|pct:D> <a..b> <iterations a seed>\n       \
                 replay <Variant> <EPGK> <schedule>"
            );
            ExitCode::from(2)
        }
    }
}

/// Runs the command; `Ok(false)` when a replay violated nothing.
#[cfg(shuttle)]
fn run(args: &[String]) -> Result<bool, Box<dyn std::error::Error>> {
    use planrace::harness::SchedulerKind;
    use planrace::harness::{Model, Sample, parse_seeds, replay};
    use planrace::{Config, ProtocolModel, Variant, sample};

    let words: Vec<&str> = args.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["sample", variant, config, scheduler, seeds, per_seed] => {
            let scheduler = match scheduler.split_once(':') {
                None if *scheduler == "random" => SchedulerKind::Random,
                Some(("pct", depth)) => SchedulerKind::Pct {
                    depth: depth
                        .parse()
                        .map_err(|_| format!("bad PCT depth {depth:?}"))?,
                },
                _ => return Err(format!("unknown scheduler {scheduler:?}").into()),
            };
            let plan = Sample {
                scheduler,
                seeds: parse_seeds(seeds)?,
                per_seed: per_seed.parse()?,
                until_first_violation: true,
            };
            let exploration = sample(variant.parse()?, config.parse()?, &plan)?;
            print!("{}", exploration.report());
            Ok(true)
        }
        ["replay", variant, config, schedule] => {
            let model = ProtocolModel {
                variant: variant.parse::<Variant>()?,
                config: config.parse::<Config>()?,
            };
            let steps = replay(&model, schedule)?;
            let violations = model.check(&steps);
            print!("{}", model.timeline(&steps, &violations));
            for violation in &violations {
                println!(
                    "violated: {} at step {}",
                    violation.property, violation.step
                );
            }
            Ok(!violations.is_empty())
        }
        _ => Err("expected `sample` or `replay` and their arguments".into()),
    }
}

#[cfg(not(shuttle))]
fn main() {
    eprintln!(
        "this example drives shuttle: run it as\n  RUSTFLAGS=\"--cfg shuttle\" cargo run --release --example shuttle -- sample Buggy 3E3P6G2K pct:5 0..4 10000"
    );
    std::process::exit(2);
}
