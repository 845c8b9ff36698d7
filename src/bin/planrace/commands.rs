//! The commands: `run` (seeded runs on real threads), `replay` (the incident, forced), `check`
//! (the step model, in check.rs), `prove` (the proof for every size, in prove.rs) and
//! `recover` (the recovery simulation, in recover.rs). `run`
//! and `replay` keep their records in process or on a DNS server (`--zone`, zone.rs).

use std::ops::ControlFlow;
use std::time::Duration;

use planrace::{FaultPlan, ReplayOptions, RunError, RunOptions, RunReport, RunWith, replay};

use crate::args::{Cli, Command, FaultKind, ReplayArgs, RunArgs};
use crate::check::check_command;
use crate::error::{CommandError, Ended};
use crate::interrupt::{Interrupts, Signal};
use crate::output::{Output, RunLine, SummaryLine};
use crate::progress::Progress;
use crate::prove::prove_command;
use crate::recover::recover_command;

/// Runs the command `cli` names.
pub fn run(cli: Cli, out: &Output) -> Result<Ended, CommandError> {
    match cli.command {
        Command::Run(args) => run_command(&args, out),
        Command::Replay(args) => replay_command(&args, out).map(|()| Ended::Done),
        Command::Check(args) => check_command(&args, out).map(|()| Ended::Done),
        Command::Prove(args) => prove_command(&args, out).map(|()| Ended::Done),
        Command::Recover(args) => recover_command(&args, out).map(|()| Ended::Done),
    }
}

/// The faults `args` asks for: the kind, then each adjustment given.
fn faults(args: &RunArgs) -> FaultPlan {
    let mut plan = match args.faults {
        FaultKind::LockLoss => FaultPlan::LOCK_LOSS,
        FaultKind::None => FaultPlan::NONE,
    };
    // Each value was checked against its stated range, which fits the field.
    let narrow = |value: u64, fallback| u32::try_from(value).unwrap_or(fallback);
    if let Some(percent) = args.slow_percent {
        plan.slow_percent = u8::try_from(percent).unwrap_or(100);
    }
    if let Some(lost) = args.lock_loss {
        plan.lock_loss = narrow(lost, u32::MAX);
    }
    if let Some(us) = args.backoff_us {
        plan.backoff = Duration::from_micros(us);
    }
    if let Some(us) = args.write_delay_us {
        plan.write_delay = Duration::from_micros(us);
    }
    if let Some(burst) = args.burst {
        plan.burst = narrow(burst, u32::MAX);
    }
    if let Some(us) = args.burst_pause_us {
        plan.burst_pause = Duration::from_micros(us);
    }
    plan
}

/// What the runs of one `run` command added up to.
#[derive(Debug, Default)]
struct Tally {
    completed: u64,
    empty_runs: u64,
    stuck_runs: u64,
}

fn run_command(args: &RunArgs, out: &Output) -> Result<Ended, CommandError> {
    let last_seed = args
        .seed
        .checked_add(args.runs - 1)
        .ok_or(CommandError::SeedsOverflow {
            seed: args.seed,
            runs: args.runs,
        })?;
    let interrupts = Interrupts::install().map_err(CommandError::Signals)?;
    let server = crate::zone::open(&args.zone)?;
    let faults = faults(args);
    let progress = Progress::new();
    let mut tally = Tally::default();
    for seed in args.seed..=last_seed {
        let options = RunOptions {
            variant: args.variant,
            config: args.config,
            faults,
            seed,
        };
        let keep_going = |done, total| {
            let run = tally.completed + 1;
            progress.show(|| format!("run {run}/{}: {done}/{total} plans published", args.runs));
            if interrupts.received().is_some() {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        let with = RunWith {
            server: match &server {
                None => None,
                #[cfg(feature = "dns")]
                Some(server) => {
                    server
                        .zone
                        .reset(args.config.endpoints())
                        .map_err(crate::zone::ZoneError::from)?;
                    Some(server.zone.clone())
                }
                #[cfg(not(feature = "dns"))]
                Some(server) => match *server {},
            },
            progress: Some(&keep_going),
        };
        let report = match planrace::run(&options, with) {
            Ok(report) => report,
            Err(RunError::Interrupted) => break,
            Err(error) => return Err(error.into()),
        };
        tally.completed += 1;
        let first_empty = report.empty_episodes > 0 && tally.empty_runs == 0;
        tally.empty_runs += u64::from(report.empty_episodes > 0);
        tally.stuck_runs += u64::from(report.stuck);
        if args.json {
            out.json(&RunLine::of(&report))?;
        } else if args.runs == 1 || first_empty {
            // Over many runs, the first one that emptied a record stands for the rest.
            progress.finish();
            out.line(&describe(&report))?;
            #[cfg(feature = "dns")]
            if let Some(server) = &server {
                out.line(&server_answers(server, &report)?)?;
            }
        }
        if interrupts.received().is_some() {
            break;
        }
    }
    progress.finish();
    let interrupted = interrupts.received();
    summarize(args, &tally, interrupted, out)?;
    Ok(interrupted.map_or(Ended::Done, Ended::Interrupted))
}

/// The line (or, with `--json`, the object) that sums up several runs, or an interrupted one.
fn summarize(
    args: &RunArgs,
    tally: &Tally,
    interrupted: Option<Signal>,
    out: &Output,
) -> Result<(), CommandError> {
    let Tally {
        completed,
        empty_runs,
        stuck_runs,
    } = *tally;
    if args.json {
        out.json(&SummaryLine {
            kind: "summary",
            variant: args.variant.to_string(),
            config: args.config.to_string(),
            seed: args.seed,
            runs: args.runs,
            completed,
            with_empty_record: empty_runs,
            ended_stuck: stuck_runs,
            interrupted: interrupted.map(Signal::name),
        })?;
    } else if args.runs > 1 || interrupted.is_some() {
        let seeds = match completed {
            0 => "no seed".to_owned(),
            n => format!("seeds {}..={}", args.seed, args.seed + (n - 1)),
        };
        let stopped = interrupted
            .map(|signal| {
                format!(
                    " (stopped by {} after {completed} of {})",
                    signal.name(),
                    args.runs
                )
            })
            .unwrap_or_default();
        out.line(&format!(
            "{} {}: {completed} runs ({seeds}), {empty_runs} with an empty record, {stuck_runs} ended stuck{stopped}",
            args.variant, args.config
        ))?;
    }
    Ok(())
}

fn describe(report: &RunReport) -> String {
    let options = &report.options;
    let rate = report.updates_per_second().map_or_else(
        || "no measurable time".to_owned(),
        |rate| format!("{rate:.0}/s"),
    );
    let mut text = format!(
        "{} {} seed {}: {} plans published, {} enacted, {} endpoint updates ({rate}) in {:.1} ms",
        options.variant,
        options.config,
        options.seed,
        report.plans_published,
        report.plans_enacted,
        report.endpoint_updates,
        report.elapsed.as_secs_f64() * 1e3
    );
    if report.empty_episodes > 0 {
        text.push_str(&format!(
            "\n  EMPTY RECORD: {} episodes, {:.3} ms in all, longest {:.3} ms; empty at the end: {:?}",
            report.empty_episodes,
            report.empty_time.as_secs_f64() * 1e3,
            report.longest_empty.as_secs_f64() * 1e3,
            report.empty_at_end.iter().map(|e| e.0).collect::<Vec<_>>()
        ));
    }
    if report.regressions > 0 {
        text.push_str(&format!(
            "\n  {} generation regressions",
            report.regressions
        ));
    }
    if report.stuck {
        text.push_str(
            "\n  STUCK: the Enactors' next cycle could not bring every endpoint to the newest plan",
        );
    }
    if report.violated.is_empty() {
        text.push_str("\n  no property violated");
    } else {
        text.push_str(&format!("\n  violated: {}", report.violated.join(", ")));
    }
    text
}

fn replay_command(args: &ReplayArgs, out: &Output) -> Result<(), CommandError> {
    let (replay, on) = match crate::zone::open(&args.zone)? {
        None => (
            replay(ReplayOptions::incident(args.variant))?,
            String::new(),
        ),
        #[cfg(feature = "dns")]
        Some(server) => {
            let (replay, answers) = replay_on_zone(args.variant, &server)?;
            let on = format!(
                " on the DNS server {}\n\n{}",
                server.zone.server(),
                replay.timeline_with(&answers)
            );
            (replay, on)
        }
        #[cfg(not(feature = "dns"))]
        Some(server) => match server {},
    };
    let timeline = if on.is_empty() {
        format!("\n\n{}", replay.timeline())
    } else {
        on
    };
    out.text(&format!(
        "The incident's interleaving under {} (2E1P4G2K){timeline}",
        args.variant,
    ))?;
    let violated: Vec<&str> = replay
        .violations
        .iter()
        .map(|v| v.property.name())
        .collect();
    if violated.is_empty() {
        out.line("\nno property violated")?;
    } else {
        out.line(&format!("\nviolated: {}", violated.join(", ")))?;
    }
    Ok(())
}

/// The incident replayed with its records on `server`, and the server's answer for the
/// endpoint after each step.
#[cfg(feature = "dns")]
fn replay_on_zone(
    variant: planrace::Variant,
    server: &crate::zone::ServerZone,
) -> Result<(planrace::Execution, Vec<String>), CommandError> {
    let config = planrace::incident_config();
    server
        .zone
        .reset(config.endpoints())
        .map_err(crate::zone::ZoneError::from)?;
    let asker = server.zone.clone();
    let endpoint = planrace::EndpointId(0);
    let name = asker
        .endpoint_name(endpoint)
        .map_err(crate::zone::ZoneError::from)?;
    let answers = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let collected = std::sync::Arc::clone(&answers);
    let replay = planrace::replay(ReplayOptions {
        server: Some(server.zone.clone()),
        after_step: Some(std::sync::Arc::new(move |_: &planrace::Step| {
            let answer = asker.answer(endpoint).map_err(|error| error.to_string());
            collected
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(answer);
        })),
        ..ReplayOptions::new(variant, config, planrace::incident_script(variant))
    })?;
    let answers = std::mem::take(
        &mut *answers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    let notes = answers
        .into_iter()
        .map(|answer| match answer {
            Ok(answer) => Ok(format!("dns: {name} {answer}")),
            Err(error) => Err(planrace::ReplayError::Server(error)),
        })
        .collect::<Result<_, _>>()?;
    Ok((replay, notes))
}

/// What the server answers for each endpoint after a run, and how many updates it took.
#[cfg(feature = "dns")]
fn server_answers(
    server: &crate::zone::ServerZone,
    report: &RunReport,
) -> Result<String, CommandError> {
    let (applied, refused) = server.zone.update_counts();
    let mut text = format!(
        "  on {}: {applied} updates applied, {refused} refused by their prerequisite (so far)",
        server.zone.server()
    );
    for endpoint in (0..report.options.config.endpoints()).map(planrace::EndpointId) {
        let name = server
            .zone
            .endpoint_name(endpoint)
            .map_err(crate::zone::ZoneError::from)?;
        let answer = server
            .zone
            .answer(endpoint)
            .map_err(crate::zone::ZoneError::from)?;
        text.push_str(&format!("\n  dns: {name} {answer}"));
    }
    Ok(text)
}
