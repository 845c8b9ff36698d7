//! The protocol on real threads at real speed: the Planner publishes every generation and
//! notifies the Enactors over crossbeam channels; each Enactor runs a cycle per wake-up until
//! the Planner is done, with seeded faults injected; then a report of what the zone went
//! through.

use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, unbounded};

use crate::check::property::{Property, check_properties};
use crate::check::step_model::transition::Cycles;
use crate::check::step_model::validate::{Rejection, validate as validate_log};
use crate::check::world_view::WorldView;
use crate::protocol::config::Config;
use crate::protocol::enactor::{Cycle, Enactor};
use crate::protocol::error::StoreError;
use crate::protocol::event::{Actor, Event, Step};
use crate::protocol::execution::join;
use crate::protocol::plan::{EndpointId, Generation};
use crate::protocol::planner::Planner;
use crate::protocol::schedule::{FreeRun, Schedule};
use crate::protocol::trace::Trace;
use crate::protocol::variant::Variant;
use crate::protocol::world::{World, steady_state};
use crate::run::fault::{FaultPlan, Faults};
use crate::sync::thread;

/// What to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunOptions {
    /// The protocol.
    pub variant: Variant,
    /// Enactors, endpoints, generations (the Planner publishes 2..=G) and sweep age.
    pub config: Config,
    /// The faults to inject.
    pub faults: FaultPlan,
    /// The seed that decides the faults.
    pub seed: u64,
}

/// What a run did and what the zone went through.
#[derive(Debug, Clone, PartialEq)]
pub struct RunReport {
    /// The configuration run.
    pub options: RunOptions,
    /// Wall-clock time from the first publication to the end of the Enactors' last cycle.
    pub elapsed: Duration,
    /// Plans the Planner published during the run (generation 1 was already applied).
    pub plans_published: u64,
    /// Enactor cycles that installed their plan on at least one endpoint and swept.
    pub plans_enacted: u64,
    /// Records written (transactions that installed a plan).
    pub endpoint_updates: u64,
    /// Times an endpoint started resolving to nothing.
    pub empty_episodes: u64,
    /// Total time endpoints spent resolving to nothing (summed over endpoints).
    pub empty_time: Duration,
    /// The longest single stretch an endpoint resolved to nothing.
    pub longest_empty: Duration,
    /// Writes that moved an endpoint to an older generation.
    pub regressions: u64,
    /// Whether the run ended stuck: some endpoint not at the newest plan after the Enactors'
    /// next cycle, as the `progress` property defines it.
    pub stuck: bool,
    /// Endpoints resolving to nothing at the end.
    pub empty_at_end: Vec<EndpointId>,
    /// Names of the properties the run violated.
    pub violated: Vec<&'static str>,
    /// Whether the step model validated the run's log (false when the configuration is
    /// larger than the model holds, [`crate::MAX_MODEL_GENERATIONS`] generations and
    /// [`crate::MAX_MODEL_ENDPOINTS`] endpoints).
    pub validated: bool,
    /// Why the step model rejected the run's log, if it did: a step of the code the model
    /// cannot take.
    pub rejected: Option<String>,
}

impl RunReport {
    /// Records written per second of the run; `None` when the run took no measurable time.
    pub fn updates_per_second(&self) -> Option<f64> {
        let seconds = self.elapsed.as_secs_f64();
        (seconds > 0.0).then(|| self.endpoint_updates as f64 / seconds)
    }
}

/// Runs `options` on real threads, recording every step with its time, and reports what the
/// zone went through. `progress` is called after every publication with the number of plans
/// published so far and the total.
///
/// # Errors
/// A [`StoreError`] if the Planner's generations were not increasing (a Planner bug).
pub fn run(options: &RunOptions, progress: &dyn Fn(u64, u64)) -> Result<RunReport, StoreError> {
    let trace = Arc::new(Trace::timed());
    let keep_going = |done, total| {
        progress(done, total);
        ControlFlow::Continue(())
    };
    let (cycles, elapsed, _) = drive(options, Arc::clone(&trace), &keep_going)?;
    Ok(report(
        options,
        &trace.steps(),
        &trace.times(),
        &cycles,
        elapsed,
    ))
}

/// Like [`run`], but `progress` may stop the run: when it returns `ControlFlow::Break`, the
/// Planner publishes nothing more, the Enactors finish what they were woken for, and there is
/// no report (`Ok(None)`): an interrupted run is not a run of `options.config`.
///
/// # Errors
/// A [`StoreError`] if the Planner's generations were not increasing (a Planner bug).
pub fn run_interruptible(
    options: &RunOptions,
    progress: &dyn Fn(u64, u64) -> ControlFlow<()>,
) -> Result<Option<RunReport>, StoreError> {
    let trace = Arc::new(Trace::timed());
    let (cycles, elapsed, completed) = drive(options, Arc::clone(&trace), progress)?;
    Ok(completed.then(|| report(options, &trace.steps(), &trace.times(), &cycles, elapsed)))
}

/// Runs `options` on real threads with nothing recorded, for throughput measurements; returns
/// how long the run took.
///
/// # Errors
/// A [`StoreError`] if the Planner's generations were not increasing (a Planner bug).
pub fn run_untraced(options: &RunOptions) -> Result<Duration, StoreError> {
    drive(options, Arc::new(Trace::disabled()), &|_, _| {
        ControlFlow::Continue(())
    })
    .map(|(_, elapsed, _)| elapsed)
}

/// The run itself: the Planner on this thread, an Enactor per thread woken over a channel
/// after every publication, then the Enactors' next cycle alone. Also says whether every plan
/// was published (false when `progress` stopped the run).
fn drive(
    options: &RunOptions,
    trace: Arc<Trace>,
    progress: &dyn Fn(u64, u64) -> ControlFlow<()>,
) -> Result<(Vec<Cycle>, Duration, bool), StoreError> {
    let config = options.config;
    let world = Arc::new(World::new(config.endpoints(), trace));
    steady_state(&world, config.endpoints())?;
    let faults = Arc::new(Faults::new(options.faults, options.seed));
    let started = Instant::now();

    let (wake_ups, enactors): (Vec<Sender<()>>, Vec<_>) = (0..config.enactors())
        .map(|id| {
            let (wake_up, woken) = unbounded();
            let enactor = Enactor::new(id, options.variant, config.sweep_age());
            let world = Arc::clone(&world);
            let faults = Arc::clone(&faults);
            let handle = thread::spawn(move || enact(&enactor, &world, faults.as_ref(), &woken));
            (wake_up, handle)
        })
        .unzip();

    let total = config.generations() - 1;
    let mut published = Ok(());
    let mut completed = true;
    for (count, number) in (2..=config.generations()).enumerate() {
        published = Planner::publish(Generation(number), &world, faults.as_ref());
        if published.is_err() {
            break;
        }
        for wake_up in &wake_ups {
            // An Enactor that has stopped no longer needs waking.
            let _ = wake_up.send(());
        }
        if progress(count as u64 + 1, total).is_break() {
            completed = false;
            break;
        }
    }
    faults.done(Actor::Planner);
    drop(wake_ups);
    let cycles: Vec<Cycle> = enactors.into_iter().flat_map(join).collect();
    published?;
    Enactor::new(0, options.variant, config.sweep_age()).run_cycle(&world, &FreeRun);
    Ok((cycles, started.elapsed(), completed))
}

/// One Enactor's life: a cycle per wake-up (wake-ups that piled up meanwhile are covered by
/// the same cycle, which picks the newest plan), until the Planner hangs up.
fn enact(
    enactor: &Enactor,
    world: &World,
    schedule: &dyn Schedule,
    woken: &Receiver<()>,
) -> Vec<Cycle> {
    let mut cycles = Vec::new();
    while woken.recv().is_ok() {
        while woken.try_recv().is_ok() {}
        cycles.push(enactor.run_cycle(world, schedule));
    }
    schedule.done(enactor.actor());
    cycles
}

fn report(
    options: &RunOptions,
    steps: &[Step],
    times: &[Instant],
    cycles: &[Cycle],
    elapsed: Duration,
) -> RunReport {
    let endpoints = options.config.endpoints();
    let mut world = WorldView::new(endpoints);
    let mut empty_since: Vec<Option<Instant>> = vec![None; endpoints];
    let mut empty_episodes = 0;
    let mut empty_time = Duration::ZERO;
    let mut longest_empty = Duration::ZERO;
    let mut regressions = 0;
    let mut endpoint_updates = 0;
    let end = times.last().copied().unwrap_or_else(Instant::now);
    for (step, at) in steps.iter().zip(times) {
        if let Event::Installed {
            endpoint,
            generation,
            ..
        } = step.event
        {
            if step.actor != Actor::Setup {
                endpoint_updates += 1;
            }
            if world
                .active(endpoint)
                .is_some_and(|before| before > generation)
            {
                regressions += 1;
            }
        }
        world.apply(step);
        for (index, since) in empty_since.iter_mut().enumerate() {
            match (world.resolves_empty(EndpointId(index)), *since) {
                (true, None) => {
                    empty_episodes += 1;
                    *since = Some(*at);
                }
                (false, Some(start)) => {
                    let stretch = at.duration_since(start);
                    empty_time += stretch;
                    longest_empty = longest_empty.max(stretch);
                    *since = None;
                }
                _ => {}
            }
        }
    }
    let empty_at_end: Vec<EndpointId> = empty_since
        .iter()
        .enumerate()
        .filter_map(|(index, since)| {
            since.map(|start| {
                let stretch = end.duration_since(start);
                empty_time += stretch;
                longest_empty = longest_empty.max(stretch);
                EndpointId(index)
            })
        })
        .collect();
    let violations = check_properties(steps, endpoints);
    let (validated, rejected) =
        match validate_log(options.variant, options.config, Cycles::Unbounded, steps) {
            Ok(_) => (true, None),
            Err(Rejection::TooLarge(_)) => (false, None),
            Err(rejection) => (false, Some(rejection.to_string())),
        };
    RunReport {
        options: *options,
        elapsed,
        plans_published: options.config.generations() - 1,
        plans_enacted: cycles
            .iter()
            .filter(|c| matches!(c, Cycle::Applied(_)))
            .count() as u64,
        endpoint_updates,
        empty_episodes,
        empty_time,
        longest_empty,
        regressions,
        stuck: violations.iter().any(|v| v.property == Property::Progress),
        empty_at_end,
        violated: violations.iter().map(|v| v.property.name()).collect(),
        validated,
        rejected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(variant: Variant, faults: FaultPlan, seed: u64) -> RunOptions {
        RunOptions {
            variant,
            config: "3E4P48G2K".parse().expect("valid"),
            faults,
            seed,
        }
    }

    #[test]
    fn a_fault_free_fixed_run_converges_and_reports_its_work() {
        let report = run(&options(Variant::Fixed, FaultPlan::NONE, 1), &|_, _| {}).unwrap();
        assert_eq!(report.plans_published, 47);
        assert!(report.plans_enacted >= 1);
        assert!(report.endpoint_updates >= 4);
        assert_eq!(report.regressions, 0);
        assert_eq!(report.empty_episodes, 0);
        assert!(!report.stuck);
        assert!(report.violated.is_empty());
        assert!(report.validated, "{:?}", report.rejected);
        assert!(report.updates_per_second().is_some_and(f64::is_finite));
    }

    #[test]
    fn a_run_stopped_by_its_progress_callback_has_no_report() {
        let stopped =
            run_interruptible(&options(Variant::Fixed, FaultPlan::NONE, 1), &|done, _| {
                if done >= 5 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .unwrap();
        assert!(stopped.is_none());
        let whole = run_interruptible(&options(Variant::Fixed, FaultPlan::NONE, 1), &|_, _| {
            ControlFlow::Continue(())
        })
        .unwrap();
        assert_eq!(whole.map(|report| report.plans_published), Some(47));
    }

    #[test]
    fn progress_is_reported_for_every_plan() {
        let calls = std::sync::Mutex::new(Vec::new());
        run(
            &options(Variant::Buggy, FaultPlan::NONE, 1),
            &|done, total| {
                calls.lock().unwrap().push((done, total));
            },
        )
        .unwrap();
        let calls = calls.into_inner().unwrap();
        assert_eq!(calls.len(), 47);
        assert_eq!(calls.last(), Some(&(47, 47)));
    }
}
