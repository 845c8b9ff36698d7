//! The loom driver (`--cfg loom`): every interleaving of a [`Model`], every property checked
//! on each, violations and witnesses counted, counterexamples kept.

use std::io::Write as _;
use std::sync::{Arc as StdArc, Mutex as StdMutex, PoisonError};
use std::time::Instant;

use crate::check::harness::model::Model;
use crate::check::harness::report::{Coverage, Exploration};
use crate::check::harness::tally::Tally;
use crate::sync::explore_every_interleaving;

/// A progress line goes to stderr after every this many executions.
pub const PROGRESS_EVERY: u64 = 20_000;

/// Explores every interleaving of `model` (within `bound` preemptions, if given), checks
/// every property on each execution, counts violations and witnesses, and keeps the first
/// and the shortest counterexample of each property. A progress line goes to stderr every
/// [`PROGRESS_EVERY`] executions.
///
/// # Errors
/// The first error an execution returned.
pub fn explore<M: Model + Clone>(
    model: M,
    bound: Option<usize>,
) -> Result<Exploration<M>, M::Error> {
    let tally = StdArc::new(StdMutex::new(Tally::new(&model)));
    let started = Instant::now();
    let (in_model, in_tally) = (model.clone(), StdArc::clone(&tally));
    explore_every_interleaving(bound, move || {
        let result = in_model.execute();
        let mut tally = in_tally.lock().unwrap_or_else(PoisonError::into_inner);
        tally.executions += 1;
        let execution = tally.executions;
        match result {
            Ok(steps) => {
                tally.count(execution, &in_model, &steps);
            }
            Err(error) => {
                tally.error.get_or_insert(error);
            }
        }
        if execution % PROGRESS_EVERY == 0 {
            // Straight to stderr: the test harness would hold eprintln! back until the end.
            let _ = writeln!(
                std::io::stderr(),
                "planrace: exploring {} {}: {execution} executions, {:.1} s",
                in_model.variant(),
                in_model.config(),
                started.elapsed().as_secs_f64()
            );
        }
    });
    let seconds = started.elapsed().as_secs_f64();
    let mut tally = std::mem::replace(
        &mut *tally.lock().unwrap_or_else(PoisonError::into_inner),
        Tally::new(&model),
    );
    if let Some(error) = tally.error.take() {
        return Err(error);
    }
    Ok(tally.finish(model, Coverage::Exhaustive { bound }, seconds))
}
