//! What the harness checks: a [`Model`] runs one execution and judges its log.

use std::fmt;

use crate::check::harness::log::Log;

/// A system to check: how one execution runs, and what must hold of the log it leaves.
///
/// `execute` runs inside loom's model closure (or shuttle's), so it must build every object of
/// the facade it uses itself, on every call, through [`crate::sync`]. The checkers clone the
/// model into their closures, hence `Clone` (a model is usually a few settings).
pub trait Model: Clone + Send + Sync + 'static {
    /// One entry of an execution's log.
    type Step: Clone + fmt::Debug + Send + 'static;
    /// A property that every execution must satisfy.
    type Property: Copy + Eq + fmt::Debug + fmt::Display + Send + 'static;
    /// Why an execution could not run at all (a fault of the harness, not of the protocol).
    type Error: std::error::Error + Send + 'static;

    /// The name of the protocol variant, for the verdict line's `variant=` field.
    fn variant(&self) -> String;

    /// The configuration, for the verdict line's `config=` field.
    fn config(&self) -> String;

    /// Every property, in the order verdicts are printed, each once: a property listed twice
    /// is refused before the first execution ([`CheckError::Model`]). [`Model::check`] may
    /// only report these: any other stops the run at the first execution that reports it
    /// ([`CheckError::Unlisted`], naming every such property).
    ///
    /// [`CheckError::Model`]: crate::harness::CheckError::Model
    /// [`CheckError::Unlisted`]: crate::harness::CheckError::Unlisted
    fn properties(&self) -> Vec<Self::Property>;

    /// Runs one execution, appending every step to `log` (the harness's, which it reads when
    /// the execution returns, and shows in part if it panics or deadlocks).
    ///
    /// # Errors
    /// When the execution could not run; the exploration then returns the first such error
    /// instead of verdicts.
    fn execute(&self, log: &Log<Self::Step>) -> Result<(), Self::Error>;

    /// The violations in `steps`. A property may be reported at several steps: the harness
    /// keeps, for each property, the one at the earliest step.
    fn check(&self, steps: &[Self::Step]) -> Vec<Violation<Self::Property>>;

    /// `steps` as a timeline, each violation marked under its step.
    fn timeline(&self, steps: &[Self::Step], violations: &[Violation<Self::Property>]) -> String;

    /// Names of the situations that make a "holds" verdict meaningful (a stale writer, a
    /// deletion, a lost race...): the exploration counts the executions that reach each one.
    /// In stateright's words they are `sometimes` properties: an exploration that violates
    /// nothing but never reaches one of [`Model::required_witnesses`] is `vacuous`, not
    /// `holds`.
    fn witnesses(&self) -> &'static [&'static str] {
        &[]
    }

    /// The witnesses a "holds" needs: all of [`Model::witnesses`] unless the model knows that
    /// its checker cannot reach one (and says why in its docs). Each must be among
    /// [`Model::witnesses`]: any other is refused before the first execution.
    fn required_witnesses(&self) -> Vec<&'static str> {
        self.witnesses().to_vec()
    }

    /// Which of [`Model::witnesses`] the execution logged in `steps` reached. A name not
    /// among them stops the run at that execution, as an unlisted property does.
    fn witnessed(&self, _steps: &[Self::Step]) -> Vec<&'static str> {
        Vec::new()
    }

    /// The names of an execution's threads in the order the checker numbers them: first the
    /// thread [`Model::execute`] is called on, then each thread it spawns, in spawn order (as
    /// the model's timeline labels its lanes). A deadlock report names its blocked threads
    /// with them; without them (the default) they are `thread 0`, `thread 1`...
    fn thread_names(&self) -> Vec<String> {
        Vec::new()
    }

    /// Replays `steps` through a model of the protocol (trace validation): `Ok(true)` when the
    /// model accepts every step, `Err` with the reason when it rejects one. `Ok(false)`, the
    /// default, means this model has nothing to validate against.
    ///
    /// # Errors
    /// Why the log is not an execution the model allows.
    fn validate(&self, _steps: &[Self::Step]) -> Result<bool, String> {
        Ok(false)
    }
}

/// Where and how a property failed in one execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation<P> {
    /// The property that failed.
    pub property: P,
    /// Index of the step in the log at which it failed.
    pub step: usize,
    /// What was wrong, in a few words.
    pub detail: String,
}
