//! The verdict matrix: every variant explored on every configuration of the suite, every
//! property's verdict, as verdict lines and as a Markdown table that docs/verdicts.md holds.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex as StdMutex, PoisonError};

use crate::check::protocol_model::{Exploration, ExploreError, explore, preemption_bound};
use crate::check::verdict_table::{VerdictRow, write_markdown};
use crate::protocol::config::Config;
use crate::protocol::variant::Variant;

/// A configuration of the loom suite with its default preemption bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuiteConfig {
    /// The configuration.
    pub config: Config,
    /// The preemption bound when `LOOM_MAX_PREEMPTIONS` is unset (`None`: exhaustive).
    pub bound: Option<usize>,
}

/// The incident's size, every interleaving.
pub const INCIDENT: SuiteConfig = SuiteConfig {
    config: Config::INCIDENT,
    bound: None,
};

/// Three Enactors on two endpoints, within three preemptions.
pub const WIDER: SuiteConfig = SuiteConfig {
    config: Config::constant(3, 2, 4, 2),
    bound: Some(3),
};

/// The suite's configurations, every variant explored on each.
pub const SUITE: [SuiteConfig; 2] = [INCIDENT, WIDER];

/// Where the suite finds a variant safe, the verdicts example looks one preemption deeper on
/// the bounded configuration. Too slow for every CI run, so the loom suite does not repeat it.
pub const DEEPER: SuiteConfig = SuiteConfig {
    config: WIDER.config,
    bound: Some(4),
};

/// `Fixed` alone, every interleaving on two endpoints. On one endpoint loom never explores an
/// Enactor finding a lock taken (docs/loom-blind-spot.md); with two it does, hundreds of thousands of
/// times, so this is the exhaustive proof that covers the retry and give-up paths too.
pub const FIXED_PROOF: SuiteConfig = SuiteConfig {
    config: Config::constant(2, 2, 4, 2),
    bound: None,
};

/// One exploration: a variant, a configuration, a preemption bound (`None`: exhaustive).
pub type Job = (Variant, Config, Option<usize>);

/// The loom suite's explorations: every variant on every configuration of [`SUITE`], and
/// `Fixed` on [`FIXED_PROOF`], each with the bound in force: `LOOM_MAX_PREEMPTIONS` when it
/// is set, the configuration's default otherwise.
///
/// # Errors
/// [`ExploreError::Setting`] when a loom variable (`LOOM_MAX_PREEMPTIONS`...) is set to a
/// value loom would reject.
pub fn suite_jobs() -> Result<Vec<Job>, ExploreError> {
    let configs = SUITE
        .iter()
        .map(|suite| Ok((suite.config, preemption_bound(suite.bound)?)))
        .collect::<Result<Vec<_>, ExploreError>>()?;
    let mut jobs: Vec<Job> = Variant::ALL
        .into_iter()
        .flat_map(|v| configs.iter().map(move |(s, b)| (v, *s, *b)))
        .collect();
    jobs.push((
        Variant::Fixed,
        FIXED_PROOF.config,
        preemption_bound(FIXED_PROOF.bound)?,
    ));
    Ok(jobs)
}

/// Every exploration of the matrix.
#[derive(Debug, Clone)]
pub struct Matrix {
    /// One exploration per job, grouped by variant in [`Variant::ALL`] order, in job order
    /// within a variant.
    pub explorations: Vec<Exploration>,
}

/// Explores one job.
///
/// # Errors
/// [`ExploreError`] if a loom variable is bad, or an execution failed outside the protocol,
/// panicked or deadlocked.
pub fn explore_job((variant, config, bound): Job) -> Result<Exploration, ExploreError> {
    explore(variant, config, bound)
}

/// Explores every job with `explore_job` (for instance [`explore_job`], or one that prints or
/// caches), `workers` explorations at a time, the longest first.
///
/// # Errors
/// The first [`ExploreError`] any exploration returned.
pub fn explore_matrix(
    jobs: &[Job],
    workers: usize,
    explore_job: impl Fn(Job) -> Result<Exploration, ExploreError> + Sync,
) -> Result<Matrix, ExploreError> {
    // Longest first, so that the workers end together: unbounded explorations are the big
    // ones, and among them those with more threads and endpoints.
    let mut order: Vec<usize> = (0..jobs.len()).collect();
    order.sort_by_key(|index| {
        let (_, config, bound) = jobs[*index];
        let size = config.enactors() * config.endpoints();
        (bound.is_some(), std::cmp::Reverse(size))
    });
    let next = AtomicUsize::new(0);
    let results = StdMutex::new(Vec::with_capacity(jobs.len()));
    std::thread::scope(|scope| {
        for _ in 0..workers.max(1) {
            scope.spawn(|| {
                while let Some(&index) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let result = explore_job(jobs[index]);
                    results
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push((index, result));
                }
            });
        }
    });
    let mut finished = results.into_inner().unwrap_or_else(PoisonError::into_inner);
    let variant_rank = |variant: Variant| Variant::ALL.iter().position(|v| *v == variant);
    finished.sort_by_key(|(index, _)| (variant_rank(jobs[*index].0), *index));
    let explorations = finished
        .into_iter()
        .map(|(_, result)| result)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Matrix { explorations })
}

impl Matrix {
    /// One row per (variant, property, configuration), with the exploration's seconds.
    pub fn rows(&self) -> Vec<(VerdictRow, f64)> {
        self.explorations
            .iter()
            .flat_map(|e| {
                e.outcomes
                    .iter()
                    .map(move |o| (VerdictRow::from(e.verdict_line(o)), e.seconds))
            })
            .collect()
    }

    /// The matrix as docs/verdicts.md's Markdown table.
    pub fn markdown(&self) -> String {
        write_markdown(&self.rows())
    }
}
