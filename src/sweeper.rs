//! The clean-up sweep an Enactor runs after applying a plan: delete plans much older than it.

use std::collections::BTreeSet;

use crate::execution::Shared;
use crate::plan::Generation;
use crate::trace::{Actor, Event};

/// What the sweep may delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SweepRule {
    /// Every plan at least K generations older than the one just applied, by age alone (the
    /// incident's rule: it trusts that the record has moved on to the plan just applied).
    AgeOnly,
    /// The same age rule, but never a plan that a record's active or rollback entry references.
    /// The sweep holds every record's transaction lock while it reads the references and
    /// deletes, so the answer cannot go stale between the check and the delete.
    SkipReferenced,
}

/// Deletes the plans that `rule` allows, relative to the `applied` generation and sweep age
/// `age`, as one step on the store, and logs what it deleted and what it kept.
pub fn sweep(rule: SweepRule, applied: Generation, age: u64, shared: &Shared, actor: Actor) {
    let cutoff = applied.0.checked_sub(age);
    let old_enough = |generation: &Generation| cutoff.is_some_and(|c| generation.0 <= c);
    match rule {
        SweepRule::AgeOnly => {
            let mut store = shared.store.lock();
            let deleted: Vec<Generation> =
                store.generations().into_iter().filter(old_enough).collect();
            for generation in &deleted {
                store.delete(*generation);
            }
            shared.trace.record(
                actor,
                Event::Swept {
                    applied,
                    deleted,
                    spared: Vec::new(),
                },
            );
        }
        SweepRule::SkipReferenced => {
            // Records before the store: the crate's one lock order (see zone::Transaction).
            let held: Vec<_> = shared.zone.records().map(|(_, r)| r.begin()).collect();
            let referenced: BTreeSet<Generation> = held
                .iter()
                .flat_map(|t| [t.record().active, t.record().rollback])
                .flatten()
                .collect();
            let mut store = shared.store.lock();
            let (spared, deleted): (Vec<Generation>, Vec<Generation>) = store
                .generations()
                .into_iter()
                .filter(old_enough)
                .partition(|g| referenced.contains(g));
            for generation in &deleted {
                store.delete(*generation);
            }
            shared.trace.record(
                actor,
                Event::Swept {
                    applied,
                    deleted,
                    spared,
                },
            );
        }
    }
}
