//! The verdict matrix: every variant explored on every configuration of the suite, every
//! property's verdict, as verdict lines and as a Markdown table that docs/verdicts.md holds.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex as StdMutex, PoisonError};

use crate::explore::{Exploration, ExploreError, PropertyOutcome, explore, preemption_bound};
use crate::protocol::Variant;
use crate::scenario::Scenario;
use crate::verdicts::{TABLE_HEADER, VerdictRow};

/// The suite's configurations with their default preemption bounds (`None`: exhaustive).
pub const SUITE: [(&str, Option<usize>); 2] = [("2E1P4G2K", None), ("3E2P4G2K", Some(3))];

/// Where the suite finds a variant safe, the verdicts example looks one preemption deeper on
/// the bounded configuration. Too slow for every CI run, so the loom suite does not repeat it.
pub const DEEPER: (&str, usize) = ("3E2P4G2K", 4);

/// The suite's configurations, parsed, each with the bound in force: `LOOM_MAX_PREEMPTIONS`
/// when it is set, the configuration's default otherwise.
///
/// # Errors
/// [`ExploreError::BadBound`] when `LOOM_MAX_PREEMPTIONS` is not a number.
pub fn suite() -> Result<Vec<(Scenario, Option<usize>)>, ExploreError> {
    SUITE
        .iter()
        .map(|(config, default)| {
            let scenario = config
                .parse()
                .unwrap_or_else(|error| unreachable!("the suite's {config} is valid: {error}"));
            Ok((scenario, preemption_bound(*default)?))
        })
        .collect()
}

/// Every exploration of the matrix.
#[derive(Debug, Clone)]
pub struct Matrix {
    /// One exploration per (variant, configuration), variants in [`Variant::ALL`] order.
    pub explorations: Vec<Exploration>,
}

/// Explores every variant in `variants` on every configuration in `configs`, `workers`
/// explorations at a time, calling `done` with each exploration as it finishes.
///
/// # Errors
/// The first [`ExploreError`] any exploration returned.
pub fn explore_matrix(
    variants: &[Variant],
    configs: &[(Scenario, Option<usize>)],
    workers: usize,
    done: impl Fn(&Exploration) + Sync,
) -> Result<Matrix, ExploreError> {
    let mut jobs: Vec<(Variant, Scenario, Option<usize>)> = variants
        .iter()
        .flat_map(|v| configs.iter().map(move |(s, b)| (*v, *s, *b)))
        .collect();
    // Longest first: unbounded explorations are the big ones, and the workers end together.
    jobs.sort_by_key(|(_, _, bound)| bound.is_some());
    let next = AtomicUsize::new(0);
    let results = StdMutex::new(Vec::with_capacity(jobs.len()));
    std::thread::scope(|scope| {
        for _ in 0..workers.max(1) {
            scope.spawn(|| {
                while let Some(&(variant, scenario, bound)) =
                    jobs.get(next.fetch_add(1, Ordering::Relaxed))
                {
                    let result = explore(variant, scenario, bound);
                    if let Ok(exploration) = &result {
                        done(exploration);
                    }
                    results
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(result);
                }
            });
        }
    });
    let mut explorations = results
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_iter()
        .collect::<Result<Vec<_>, _>>()?;
    let position = |exploration: &Exploration| {
        let variant = variants
            .iter()
            .position(|v| *v == exploration.model.variant);
        let config = configs
            .iter()
            .position(|(s, _)| *s == exploration.model.scenario);
        (variant, config)
    };
    explorations.sort_by_key(position);
    Ok(Matrix { explorations })
}

fn row(exploration: &Exploration, outcome: &PropertyOutcome) -> VerdictRow {
    VerdictRow {
        variant: exploration.model.variant.to_string(),
        property: outcome.property.to_string(),
        config: exploration.model.scenario.to_string(),
        bound: exploration
            .bound
            .map_or_else(|| "none".to_owned(), |b| b.to_string()),
        verdict: if outcome.holds() { "holds" } else { "violated" }.to_owned(),
        executions: exploration.executions,
        violations: outcome.violations,
    }
}

impl Matrix {
    /// One row per (variant, property, configuration).
    pub fn rows(&self) -> Vec<VerdictRow> {
        self.explorations
            .iter()
            .flat_map(|e| e.outcomes.iter().map(move |o| row(e, o)))
            .collect()
    }

    /// The matrix as a Markdown table, one row per (variant, property, configuration), the
    /// violated verdicts in bold.
    pub fn markdown(&self) -> String {
        let mut table = format!("{TABLE_HEADER}\n|---|---|---|---|---|---|---|---|\n");
        for exploration in &self.explorations {
            for outcome in &exploration.outcomes {
                let row = row(exploration, outcome);
                let verdict = if outcome.holds() {
                    row.verdict
                } else {
                    format!("**{}**", row.verdict)
                };
                table.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} | {} | {:.2} |\n",
                    row.variant,
                    row.property,
                    row.config,
                    row.bound,
                    verdict,
                    row.executions,
                    row.violations,
                    exploration.seconds
                ));
            }
        }
        table
    }
}
