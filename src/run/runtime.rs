//! The protocol on real threads at real speed: the Planner publishes every generation and
//! notifies the Enactors over crossbeam channels; each Enactor runs a cycle per wake-up until
//! the Planner is done, with seeded faults injected; then a report of what the zone went
//! through.

use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, unbounded};
use thiserror::Error;

use crate::check::property::{Property, PropertyCheck};
use crate::check::step_model::transition::{Cycles, StepModel};
use crate::check::step_model::validate::{Rejection, validate as validate_log};
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
use crate::run::mirror::{RecordServer, world_on};
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
    /// The run's whole log, kept when the configuration is small enough for the step model
    /// to validate it (so that it can be checked again, by [`crate::oracle_explains`] for
    /// instance); `None` otherwise.
    pub log: Option<Vec<Step>>,
}

impl RunReport {
    /// Records written per second of the run; `None` when the run took no measurable time.
    pub fn updates_per_second(&self) -> Option<f64> {
        let seconds = self.elapsed.as_secs_f64();
        (seconds > 0.0).then(|| self.endpoint_updates as f64 / seconds)
    }
}

/// How a run is made, besides what it runs: where its records are also kept, and what watches
/// its progress. `RunWith::default()` keeps the records in process and watches nothing.
#[derive(Clone, Default)]
pub struct RunWith<'a> {
    /// A server every record is also enacted on (for instance `planrace::dns::DnsZone`, with
    /// the `dns` feature): each write is decided by what the server holds and made there,
    /// conditioned on the generation read when the variant's rule compares generations.
    pub server: Option<Arc<dyn RecordServer>>,
    /// Called after every publication with the number of plans published so far and the
    /// total. When it returns `ControlFlow::Break`, the Planner publishes nothing more, the
    /// Enactors finish what they were woken for, and the run ends with
    /// [`RunError::Interrupted`]: an interrupted run is not a run of the configuration.
    pub progress: Option<&'a dyn Fn(u64, u64) -> ControlFlow<()>>,
}

impl fmt::Debug for RunWith<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunWith")
            .field("server", &self.server)
            .field("progress", &self.progress.map(|_| "Fn(u64, u64)"))
            .finish()
    }
}

/// Why a run produced no report.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RunError {
    /// The run itself failed: the Planner's generations were not increasing (a Planner bug).
    #[error("the run failed: {0}")]
    Run(#[from] StoreError),
    /// The server failed during the run (the first failure), so the run did not happen on it
    /// as a report would claim. Check that the server is up and the zone allows updates.
    #[error("the record server failed: {0}")]
    Server(String),
    /// The progress callback stopped the run before every plan was published.
    #[error("the run was stopped before every plan was published")]
    Interrupted,
}

/// Runs `options` on real threads, made as `with` says, observing every step with its time as
/// it is logged, and reports what the zone went through.
///
/// The properties and the zone's emptiness are followed online, step by step, in constant
/// work per step and without keeping the log, so memory stays flat in the number of
/// generations; the log is kept only when the configuration is small enough for the step
/// model to validate it.
///
/// # Errors
/// [`RunError::Run`] if the Planner's generations were not increasing (a Planner bug);
/// [`RunError::Server`] if the server failed at any point of the run;
/// [`RunError::Interrupted`] if the progress callback stopped the run.
pub fn run(options: &RunOptions, with: RunWith<'_>) -> Result<RunReport, RunError> {
    let (observer, trace) = RunObserver::tracing(options);
    let (world, mirror) = world_on(options.config.endpoints(), trace, with.server);
    let progress = with.progress.unwrap_or(&|_, _| ControlFlow::Continue(()));
    let (cycles, elapsed, completed) = drive(options, &world, progress)?;
    if let Some(failure) = mirror.and_then(|mirror| mirror.failure()) {
        return Err(RunError::Server(failure));
    }
    if !completed {
        return Err(RunError::Interrupted);
    }
    Ok(RunObserver::report(&observer, options, &cycles, elapsed))
}

/// The run itself: the Planner on this thread, an Enactor per thread woken over a channel
/// after every publication, then the Enactors' next cycle alone. Also says whether every plan
/// was published (false when `progress` stopped the run).
fn drive(
    options: &RunOptions,
    world: &Arc<World>,
    progress: &dyn Fn(u64, u64) -> ControlFlow<()>,
) -> Result<(Vec<Cycle>, Duration, bool), StoreError> {
    let config = options.config;
    steady_state(world, config.endpoints())?;
    let faults = Arc::new(Faults::new(options.faults, options.seed));
    let started = Instant::now();

    let (wake_ups, enactors): (Vec<Sender<()>>, Vec<_>) = (0..config.enactors())
        .map(|id| {
            let (wake_up, woken) = unbounded();
            let enactor = Enactor::new(id, options.variant, config.sweep_age());
            let world = Arc::clone(world);
            let faults = Arc::clone(&faults);
            let handle = thread::spawn(move || enact(&enactor, &world, faults.as_ref(), &woken));
            (wake_up, handle)
        })
        .unzip();

    let total = config.generations() - 1;
    let mut published = Ok(());
    let mut completed = true;
    for (count, number) in (2..=config.generations()).enumerate() {
        published = Planner::publish(Generation(number), world, faults.as_ref());
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
    Enactor::new(0, options.variant, config.sweep_age()).run_cycle(world, &FreeRun);
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

/// What a run's steps add up to, followed as they are logged.
#[derive(Debug)]
struct RunObserver {
    check: PropertyCheck,
    /// When each endpoint started resolving to nothing, while it does.
    empty_since: Vec<Option<Instant>>,
    empty_episodes: u64,
    empty_time: Duration,
    longest_empty: Duration,
    regressions: u64,
    endpoint_updates: u64,
    /// When the last step was logged.
    last: Option<Instant>,
    /// The whole log, kept only when the step model can validate it.
    kept: Option<Vec<Step>>,
}

/// A run's observer, shared with the trace that feeds it.
type SharedObserver = Arc<std::sync::Mutex<RunObserver>>;

impl RunObserver {
    /// An observer of a zone of `endpoints` endpoints, keeping the log when `keep_log`.
    fn new(endpoints: usize, keep_log: bool) -> Self {
        Self {
            check: PropertyCheck::new(endpoints),
            empty_since: vec![None; endpoints],
            empty_episodes: 0,
            empty_time: Duration::ZERO,
            longest_empty: Duration::ZERO,
            regressions: 0,
            endpoint_updates: 0,
            last: None,
            kept: keep_log.then(Vec::new),
        }
    }

    /// An observer for a run of `options`, and the trace that feeds it every step.
    fn tracing(options: &RunOptions) -> (SharedObserver, Arc<Trace>) {
        let endpoints = options.config.endpoints();
        let validatable =
            StepModel::new(options.variant, options.config, Cycles::Unbounded).is_ok();
        let observer = Arc::new(std::sync::Mutex::new(RunObserver::new(
            endpoints,
            validatable,
        )));
        let sink = Arc::clone(&observer);
        let trace = Trace::forwarding(move |step| {
            let at = Instant::now();
            lock(&sink).observe(step, at);
        });
        (observer, Arc::new(trace))
    }

    /// Takes step `step`, logged at `at`, into account.
    fn observe(&mut self, step: Step, at: Instant) {
        if matches!(step.event, Event::Installed { .. }) && step.actor != Actor::Setup {
            self.endpoint_updates += 1;
        }
        let observed = self.check.observe(&step);
        self.regressions += u64::from(observed.regressed);
        let change = observed.emptiness;
        for endpoint in change.emptied {
            if let Some(since) = self.empty_since.get_mut(endpoint.0) {
                self.empty_episodes += 1;
                *since = Some(at);
            }
        }
        for endpoint in change.refilled {
            if let Some(start) = self.empty_since.get_mut(endpoint.0).and_then(Option::take) {
                self.end_empty_stretch(at.duration_since(start));
            }
        }
        self.last = Some(at);
        if let Some(kept) = &mut self.kept {
            kept.push(step);
        }
    }

    fn end_empty_stretch(&mut self, stretch: Duration) {
        self.empty_time += stretch;
        self.longest_empty = self.longest_empty.max(stretch);
    }

    /// The report of the run `observer` followed.
    fn report(
        observer: &SharedObserver,
        options: &RunOptions,
        cycles: &[Cycle],
        elapsed: Duration,
    ) -> RunReport {
        let mut observer = std::mem::replace(&mut *lock(observer), RunObserver::new(0, false));
        let end = observer.last.unwrap_or_else(Instant::now);
        let mut empty_at_end = Vec::new();
        for index in 0..observer.empty_since.len() {
            if let Some(start) = observer.empty_since[index].take() {
                observer.end_empty_stretch(end.duration_since(start));
                empty_at_end.push(EndpointId(index));
            }
        }
        let (validated, rejected) = match &observer.kept {
            Some(steps) => {
                match validate_log(options.variant, options.config, Cycles::Unbounded, steps) {
                    Ok(_) => (true, None),
                    Err(Rejection::TooLarge(_)) => (false, None),
                    Err(rejection) => (false, Some(rejection.to_string())),
                }
            }
            None => (false, None),
        };
        let violations = observer.check.finish();
        let log = observer.kept.take();
        RunReport {
            options: *options,
            elapsed,
            plans_published: options.config.generations() - 1,
            plans_enacted: cycles
                .iter()
                .filter(|c| matches!(c, Cycle::Applied(_)))
                .count() as u64,
            endpoint_updates: observer.endpoint_updates,
            empty_episodes: observer.empty_episodes,
            empty_time: observer.empty_time,
            longest_empty: observer.longest_empty,
            regressions: observer.regressions,
            stuck: violations.iter().any(|v| v.property == Property::Progress),
            empty_at_end,
            violated: violations.iter().map(|v| v.property.name()).collect(),
            validated,
            rejected,
            log,
        }
    }
}

/// Locks the observer; a panic while it was held leaves counts that are still valid.
fn lock(observer: &SharedObserver) -> std::sync::MutexGuard<'_, RunObserver> {
    observer
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
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
        let report = run(
            &options(Variant::Fixed, FaultPlan::NONE, 1),
            RunWith::default(),
        )
        .unwrap();
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
        let stop_at_five = |done, _| {
            if done >= 5 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        };
        let with = RunWith {
            progress: Some(&stop_at_five),
            ..RunWith::default()
        };
        let stopped = run(&options(Variant::Fixed, FaultPlan::NONE, 1), with);
        assert_eq!(stopped, Err(RunError::Interrupted));
        let go_on = |_, _| ControlFlow::Continue(());
        let with = RunWith {
            progress: Some(&go_on),
            ..RunWith::default()
        };
        let whole = run(&options(Variant::Fixed, FaultPlan::NONE, 1), with).unwrap();
        assert_eq!(whole.plans_published, 47);
    }

    #[test]
    fn progress_is_reported_for_every_plan() {
        let calls = std::sync::Mutex::new(Vec::new());
        let record = |done, total| {
            calls.lock().unwrap().push((done, total));
            ControlFlow::Continue(())
        };
        let with = RunWith {
            progress: Some(&record),
            ..RunWith::default()
        };
        run(&options(Variant::Buggy, FaultPlan::NONE, 1), with).unwrap();
        let calls = calls.into_inner().unwrap();
        assert_eq!(calls.len(), 47);
        assert_eq!(calls.last(), Some(&(47, 47)));
    }
}
