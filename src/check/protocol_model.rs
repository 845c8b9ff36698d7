//! The protocol as a [`Model`] of the generic [`crate::check::harness`], and its checks: under
//! `--cfg loom` exhaustive exploration (every interleaving of a config, or every one within a
//! preemption bound), under `--cfg shuttle` a random or PCT sample of interleavings at sizes
//! loom cannot finish. Every property is checked on each execution and violations are counted
//! without stopping.

use std::sync::Arc;

use thiserror::Error;

use crate::check::execution::{Execution, render_timeline};
use crate::check::harness::{self, CheckError, Log, Model};
#[cfg(any(loom, planrace_docs))]
use crate::check::harness::{LoomSettingError, model_builder};
use crate::check::property::{Property, Violation, check_properties};
use crate::check::step_model::transition::Cycles;
use crate::check::step_model::validate::validate as validate_log;
use crate::check::witness;
use crate::protocol::config::Config;
use crate::protocol::error::StoreError;
use crate::protocol::event::{Actor, Event, Step};
use crate::protocol::execution::execute;
use crate::protocol::schedule::FreeRun;
use crate::protocol::trace::Trace;
use crate::protocol::variant::Variant;

/// Why an exploration or a sample of the protocol gave no verdicts.
#[derive(Debug, Error)]
pub enum ExploreError {
    /// A loom environment variable is set to a value loom would reject.
    #[cfg(any(loom, planrace_docs))]
    #[error(transparent)]
    Setting(#[from] LoomSettingError),
    /// The check itself failed: an execution failed outside the protocol (the Planner's
    /// generations were not increasing), panicked or deadlocked.
    #[error(transparent)]
    Check(#[from] CheckError<StoreError>),
}

/// The preemption bound to explore with: `LOOM_MAX_PREEMPTIONS` when it is set, `default`
/// otherwise (`None`: no bound, a fully exhaustive exploration). Every loom variable is
/// checked as loom parses it, so a value loom would reject is an error here.
///
/// # Errors
/// [`ExploreError::Setting`] naming the variable.
#[cfg(any(loom, planrace_docs))]
pub fn preemption_bound(default: Option<usize>) -> Result<Option<usize>, ExploreError> {
    Ok(model_builder(default)?.preemption_bound)
}

/// The protocol as a [`Model`]: one variant on one config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtocolModel {
    /// The protocol explored.
    pub variant: Variant,
    /// The configuration explored.
    pub config: Config,
}

/// Which witnesses the execution logged in `steps` reached (see [`witness`]).
fn witnesses_reached(steps: &[Step]) -> Vec<&'static str> {
    let mut newest_installed = None;
    let (mut stale, mut deleted, mut refused, mut busy) = (false, false, false, false);
    for step in steps {
        let attempted = match &step.event {
            Event::Installed { generation, .. }
            | Event::PlanDeleted { generation, .. }
            | Event::ActivePlanMissing { generation, .. } => Some(*generation),
            Event::Rejected { generation, .. } => {
                refused = true;
                Some(*generation)
            }
            Event::LockBusy { .. } => {
                busy = true;
                None
            }
            Event::Swept { deleted: gone, .. } => {
                deleted |= !gone.is_empty();
                None
            }
            _ => None,
        };
        if let Some(generation) = attempted {
            stale |= newest_installed.is_some_and(|newest| newest > generation);
        }
        if let Event::Installed { generation, .. } = step.event {
            newest_installed = newest_installed.max(Some(generation));
        }
    }
    [
        (stale, witness::STALE_PLAN_HELD),
        (deleted, witness::SWEEPER_DELETED),
        (refused || busy, witness::WRITE_LOST_RACE),
        (busy, witness::LOCK_BUSY),
    ]
    .into_iter()
    .filter_map(|(reached, name)| reached.then_some(name))
    .collect()
}

impl Model for ProtocolModel {
    type Step = Step;
    type Property = Property;
    type Error = StoreError;

    fn variant(&self) -> String {
        self.variant.to_string()
    }

    fn config(&self) -> String {
        self.config.to_string()
    }

    fn properties(&self) -> Vec<Property> {
        Property::ALL.to_vec()
    }

    fn execute(&self, log: &Log<Step>) -> Result<(), StoreError> {
        let sink = log.clone();
        let trace = Arc::new(Trace::forwarding(move |step| sink.record(step)));
        execute(self.variant, &self.config, Arc::new(FreeRun), trace)
    }

    fn check(&self, steps: &[Step]) -> Vec<Violation> {
        check_properties(steps, self.config.endpoints())
    }

    fn timeline(&self, steps: &[Step], violations: &[Violation]) -> String {
        render_timeline(steps, self.config.endpoints(), violations)
    }

    fn witnesses(&self) -> &'static [&'static str] {
        &witness::ALL
    }

    /// All four, but `lock_busy` only where the checker can reach it: loom never explores an
    /// Enactor finding a lock taken on one endpoint (docs/loom-blind-spot.md), so under loom a one-endpoint `holds` does not need it. shuttle preempts at
    /// unlock and reaches it everywhere.
    fn required_witnesses(&self) -> Vec<&'static str> {
        if cfg!(loom) && self.config.endpoints() == 1 {
            witness::ALL
                .into_iter()
                .filter(|name| *name != witness::LOCK_BUSY)
                .collect()
        } else {
            witness::ALL.to_vec()
        }
    }

    fn witnessed(&self, steps: &[Step]) -> Vec<&'static str> {
        witnesses_reached(steps)
    }

    /// The Planner publishes on the thread `execute` is called on (which also runs the setup
    /// and Enactor A's next cycle), after spawning one thread per Enactor.
    fn thread_names(&self) -> Vec<String> {
        std::iter::once(Actor::Planner)
            .chain((0..self.config.enactors()).map(Actor::Enactor))
            .map(|actor| actor.label())
            .collect()
    }

    fn validate(&self, steps: &[Step]) -> Result<bool, String> {
        validate_log(self.variant, self.config, Cycles::OneEach, steps)
            .map(|_| true)
            .map_err(|rejection| rejection.to_string())
    }
}

/// The result of exploring one variant on one config.
pub type Exploration = harness::Exploration<ProtocolModel>;
/// What an exploration of the protocol found for one property.
pub type PropertyOutcome = harness::PropertyOutcome<ProtocolModel>;
/// An execution of the protocol in which a property failed.
pub type Counterexample = harness::Counterexample<ProtocolModel>;

impl harness::Exploration<ProtocolModel> {
    /// `<variant>-<property>-<config>`: the file name, without extension, of a counterexample.
    pub fn file_stem(&self, property: Property) -> String {
        format!("{}-{}-{}", self.model.variant, property, self.model.config)
    }

    /// A counterexample as an [`Execution`]: its log, this configuration's endpoints, and every
    /// property it broke.
    pub fn execution(&self, example: &Counterexample) -> Execution {
        Execution {
            steps: example.steps.clone(),
            endpoints: self.model.config.endpoints(),
            violations: example.violations.clone(),
        }
    }
}

/// Explores every interleaving of `config` under `variant` (within `bound` preemptions, if
/// given, unless `LOOM_MAX_PREEMPTIONS` sets another: see [`harness::explore`]), checks every
/// property on each execution, and counts the violations and witnesses.
///
/// # Errors
/// [`ExploreError::Setting`] for a loom variable loom would reject; [`ExploreError::Check`]
/// if an execution failed outside the protocol, panicked or deadlocked.
#[cfg(any(loom, planrace_docs))]
pub fn explore(
    variant: Variant,
    config: Config,
    bound: Option<usize>,
) -> Result<Exploration, ExploreError> {
    Ok(harness::explore(ProtocolModel { variant, config }, bound)?)
}

/// Runs the iterations `sample` describes of `config` under `variant` on shuttle's
/// scheduler, checks every property and validates every log on each, and counts the
/// violations and witnesses. No violation is reported `not-found`: a sample proves nothing.
///
/// # Errors
/// [`ExploreError::Check`] if an execution failed outside the protocol, panicked or
/// deadlocked.
#[cfg(any(shuttle, planrace_docs))]
pub fn sample(
    variant: Variant,
    config: Config,
    sample: &harness::Sample,
) -> Result<Exploration, ExploreError> {
    Ok(harness::sample(ProtocolModel { variant, config }, sample)?)
}
