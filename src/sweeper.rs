//! The clean-up sweep an Enactor runs after applying a plan: delete plans much older than it.

use std::collections::BTreeSet;

use crate::execution::Shared;
use crate::plan::Generation;
use crate::schedule::{Point, Schedule};
use crate::store::StoreGuard;
use crate::trace::{Actor, Event};
use crate::zone::Record;

/// What the sweep may delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SweepRule {
    /// Every plan at least K generations older than the one just applied, by age alone (the
    /// incident's rule: it trusts that the record has moved on to the plan just applied).
    AgeOnly,
    /// The same age rule, but never a plan that a record's active or rollback entry references,
    /// as the store's reference counts say. Transactions update those counts in the same store
    /// step as their write, and the sweep reads them in the same store step as its delete, so
    /// the answer cannot go stale between the check and the delete.
    SkipReferenced,
    /// Never a referenced plan either, but the references are read record by record (each
    /// under its own lock, released at once) and the delete is a later, separate step.
    SkipReferencedNonAtomic,
}

/// Deletes the plans that `rule` allows, relative to the `applied` generation and sweep age
/// `age`, as one step on the store, and logs what it deleted and what it kept.
pub fn sweep(
    rule: SweepRule,
    applied: Generation,
    age: u64,
    shared: &Shared,
    schedule: &dyn Schedule,
    actor: Actor,
) {
    let cutoff = applied.0.checked_sub(age);
    let old_enough = |generation: &Generation| cutoff.is_some_and(|c| generation.0 <= c);
    match rule {
        SweepRule::AgeOnly => {
            schedule.reach(actor, Point::Sweep);
            delete_old(shared, actor, applied, old_enough, |_, _| false);
        }
        SweepRule::SkipReferenced => {
            schedule.reach(actor, Point::Sweep);
            delete_old(shared, actor, applied, old_enough, |store, generation| {
                store.is_referenced(generation)
            });
        }
        SweepRule::SkipReferencedNonAtomic => {
            let mut referenced = BTreeSet::new();
            for (endpoint, record) in shared.zone.records() {
                schedule.reach(actor, Point::SweepScan(endpoint));
                let transaction = record.begin();
                let Record { active, rollback } = transaction.record();
                shared.trace.record(
                    actor,
                    Event::SweepScanned {
                        endpoint,
                        active,
                        rollback,
                    },
                );
                referenced.extend(active.into_iter().chain(rollback));
            }
            // Every record lock is released here: a write can land before the delete below.
            schedule.reach(actor, Point::Sweep);
            delete_old(shared, actor, applied, old_enough, |_, generation| {
                referenced.contains(&generation)
            });
        }
    }
}

/// Deletes, in one store step, the plans old enough to go that `keep` does not spare.
fn delete_old(
    shared: &Shared,
    actor: Actor,
    applied: Generation,
    old_enough: impl Fn(&Generation) -> bool,
    keep: impl Fn(&StoreGuard<'_>, Generation) -> bool,
) {
    let mut store = shared.store.lock();
    let (spared, deleted): (Vec<Generation>, Vec<Generation>) = store
        .generations()
        .into_iter()
        .filter(|g| old_enough(g))
        .partition(|g| keep(&store, *g));
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
