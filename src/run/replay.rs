//! The incident's interleaving, forced step by step on real threads.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use thiserror::Error;

use crate::check::execution::Execution;
use crate::check::step_model::transition::Cycles;
use crate::check::step_model::validate::{Rejection, validate as validate_log};
use crate::protocol::config::Config;
use crate::protocol::error::StoreError;
use crate::protocol::event::{Actor, Step};
use crate::protocol::execution::execute_in;
use crate::protocol::plan::{EndpointId, Generation};
use crate::protocol::schedule::Point;
use crate::protocol::script::format_script;
use crate::protocol::trace::Trace;
use crate::protocol::variant::Variant;
use crate::protocol::world::World;
use crate::run::forced::ForcedSchedule;
use crate::run::mirror::{RecordServer, world_on};

/// How long a scripted step may wait for its turn before the replay is declared diverged.
const PATIENCE: Duration = Duration::from_secs(10);

/// Why a replay did not produce the scripted interleaving.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReplayError {
    /// The threads did not reach the steps the script expected.
    #[error("the run left the script: {0}")]
    Diverged(String),
    /// The run itself failed.
    #[error("the run failed: {0}")]
    Run(#[from] StoreError),
    /// The run's log is not an execution the step model allows (trace validation).
    #[error("the step model rejects the run's log: {0}")]
    Rejected(Rejection),
    /// The record server failed during the replay.
    #[error("the record server failed: {0}")]
    Server(String),
}

/// The config the incident replay runs: two Enactors, one endpoint, four generations, the
/// sweep deleting plans two or more generations older than the one applied (`2E1P4G2K`).
pub fn incident_config() -> Config {
    Config::INCIDENT
}

/// The incident, step by step (Enactor A is the delayed one, B the fast one), as `variant`'s
/// Enactors take it:
/// A picks generation 2 and passes its check; the Planner moves on to 4; B picks 4, checks and
/// writes it; A, late, writes its stale 2 over it; B's sweep deletes every plan two or more
/// generations older than 4, including 2, which the record now points to.
///
/// A variant whose Enactors take extra steps gets them where they fall: a re-check right
/// before each write (`RecheckBeforeWrite`: A's re-check comes after B's write, sees 4, and A
/// writes nothing), and a sweep that reads the records first (`GuardedSweepNonAtomic`: B reads
/// the record right after its write, before A's stale write, which is that variant's own race).
/// Steps of an Enactor that stopped earlier are skipped by the script.
pub fn incident_script(variant: Variant) -> Vec<(Actor, Point)> {
    let a = Actor::Enactor(0);
    let b = Actor::Enactor(1);
    let endpoint = EndpointId(0);
    let recheck = variant.rechecks_before_write();
    let scans = variant.sweep_rule().scans_records();
    let write = |enactor| {
        let recheck = recheck.then_some((enactor, Point::Check(endpoint)));
        recheck
            .into_iter()
            .chain([(enactor, Point::Write(endpoint))])
    };
    let scan = |enactor| scans.then_some((enactor, Point::SweepScan(endpoint)));
    let mut script = vec![
        (Actor::Planner, Point::Publish(Generation(2))),
        (a, Point::Pick),
        (a, Point::Check(endpoint)),
        (Actor::Planner, Point::Publish(Generation(3))),
        (Actor::Planner, Point::Publish(Generation(4))),
        (b, Point::Pick),
        (b, Point::Check(endpoint)),
    ];
    script.extend(write(b));
    // A non-atomic sweep reads the record before A's write and deletes after it.
    script.extend(scan(b));
    script.extend(write(a));
    script.push((b, Point::Sweep));
    script.extend(scan(a));
    script.push((a, Point::Sweep));
    script
}

/// A hook a replay calls after each step (see [`ReplayOptions::after_step`]).
pub type AfterStep = Arc<dyn Fn(&Step) + Send + Sync>;

/// What to replay and how: a variant on a configuration, the script that forces its steps,
/// and optionally a server the records are also enacted on and a hook called after each step.
#[derive(Clone)]
pub struct ReplayOptions {
    /// The protocol.
    pub variant: Variant,
    /// The configuration.
    pub config: Config,
    /// The steps to force, in order (for instance a loom counterexample's, from
    /// `planrace::script_of` or the `replay-script:` line of its file, read with
    /// `planrace::parse_script`). Steps of an Enactor that stopped earlier are skipped.
    pub script: Vec<(Actor, Point)>,
    /// A server every record is also enacted on (for instance `planrace::dns::DnsZone`, with
    /// the `dns` feature); `None` keeps the records in process.
    pub server: Option<Arc<dyn RecordServer>>,
    /// Called after each step, in log order and while the step's locks are still held, so
    /// that what it asks the server is the state that step left (the DNS tests collect the
    /// server's answer after every step this way).
    pub after_step: Option<AfterStep>,
}

impl ReplayOptions {
    /// `script` forced on `config` under `variant`, records in process, no hook.
    pub fn new(variant: Variant, config: Config, script: Vec<(Actor, Point)>) -> Self {
        Self {
            variant,
            config,
            script,
            server: None,
            after_step: None,
        }
    }

    /// The incident's interleaving ([`incident_script`]) on its configuration
    /// ([`incident_config`]) under `variant`.
    pub fn incident(variant: Variant) -> Self {
        Self::new(variant, incident_config(), incident_script(variant))
    }
}

impl fmt::Debug for ReplayOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReplayOptions")
            .field("variant", &self.variant)
            .field("config", &self.config)
            .field("script", &format_script(&self.script))
            .field("server", &self.server)
            .field("after_step", &self.after_step.as_ref().map(|_| "Fn(&Step)"))
            .finish()
    }
}

/// Runs `options.config` under `options.variant` on real threads, forcing the steps of
/// `options.script` in order, and returns the execution with its violations. The log is
/// validated against the step model.
///
/// ```
/// use planrace::{Property, ReplayOptions, Variant, replay};
///
/// let buggy = replay(ReplayOptions::incident(Variant::Buggy))?;
/// assert!(buggy.violations.iter().any(|v| v.property == Property::NoEmptyRecord));
/// # Ok::<(), planrace::ReplayError>(())
/// ```
///
/// # Errors
/// [`ReplayError::Diverged`] if the threads could not follow the script;
/// [`ReplayError::Rejected`] if the step model rejects the log;
/// [`ReplayError::Server`] if the server failed during the replay.
pub fn replay(options: ReplayOptions) -> Result<Execution, ReplayError> {
    let ReplayOptions {
        variant,
        config,
        script,
        server,
        after_step,
    } = options;
    let kept: Arc<Mutex<Vec<Step>>> = Arc::default();
    let log = Arc::clone(&kept);
    let trace = Arc::new(Trace::forwarding(move |step| {
        if let Some(after_step) = &after_step {
            after_step(&step);
        }
        log.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(step);
    }));
    let (world, mirror) = world_on(config.endpoints(), trace, server);
    follow(variant, config, script, &world)?;
    if let Some(failure) = mirror.and_then(|mirror| mirror.failure()) {
        return Err(ReplayError::Server(failure));
    }
    let steps = std::mem::take(&mut *kept.lock().unwrap_or_else(PoisonError::into_inner));
    finish(variant, config, steps)
}

/// Runs `script` in `world`.
fn follow(
    variant: Variant,
    config: Config,
    script: Vec<(Actor, Point)>,
    world: &Arc<World>,
) -> Result<(), ReplayError> {
    let script = Arc::new(ForcedSchedule::new(script, PATIENCE));
    execute_in(Arc::clone(world), variant, &config, script.clone())?;
    match script.divergence() {
        Some(divergence) => Err(ReplayError::Diverged(divergence)),
        None => Ok(()),
    }
}

/// Validates and checks a replayed log.
fn finish(variant: Variant, config: Config, steps: Vec<Step>) -> Result<Execution, ReplayError> {
    match validate_log(variant, config, Cycles::OneEach, &steps) {
        // A configuration larger than the step model holds is replayed unvalidated.
        Ok(_) | Err(Rejection::TooLarge(_)) => {}
        Err(rejection) => return Err(ReplayError::Rejected(rejection)),
    }
    Ok(Execution::judged(steps, config.endpoints()))
}
