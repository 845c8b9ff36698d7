//! The clean-up sweep an Enactor runs after applying a plan: delete plans much older than it.

use std::collections::BTreeSet;

use crate::protocol::event::{Actor, Event};
use crate::protocol::plan::Generation;
use crate::protocol::record::Record;
use crate::protocol::rules::{SweepOutcome, SweepRule};
use crate::protocol::schedule::{Point, Schedule};
use crate::protocol::world::World;

/// Deletes the plans that `rule` allows, relative to the `applied` generation and sweep age
/// `age`, as one step on the store, and logs what it deleted and what it kept.
pub fn sweep(
    rule: SweepRule,
    applied: Generation,
    age: u64,
    world: &World,
    schedule: &dyn Schedule,
    actor: Actor,
) {
    // The references as this rule reads them: from the store's counts in the delete's own
    // step, or from every record, scanned one by one before it.
    let scanned = rule
        .scans_records()
        .then(|| scan_references(world, schedule, actor));
    // Every record lock is released here: a write can land before the delete below.
    schedule.reach(actor, Point::Sweep);
    let mut store = world.store.lock();
    let SweepOutcome { deleted, spared } =
        rule.sweep(applied, age, store.generations(), |generation| {
            scanned.as_ref().map_or_else(
                || store.is_referenced(generation),
                |scanned| scanned.contains(&generation),
            )
        });
    // The plans a record still points at: deleting them empties those records, which a
    // mirror is told.
    let emptying: Vec<Generation> = if world.zone.is_mirrored() {
        deleted
            .iter()
            .copied()
            .filter(|generation| store.is_referenced(*generation))
            .collect()
    } else {
        Vec::new()
    };
    for generation in &deleted {
        store.delete(*generation);
    }
    world.zone.swept(&emptying);
    world.trace.record(
        actor,
        Event::Swept {
            applied,
            deleted,
            spared,
        },
    );
}

/// Reads every record, each under its own lock released at once, and returns the plans they
/// reference.
fn scan_references(world: &World, schedule: &dyn Schedule, actor: Actor) -> BTreeSet<Generation> {
    let mut referenced = BTreeSet::new();
    for (endpoint, record) in world.zone.records() {
        schedule.reach(actor, Point::SweepScan(endpoint));
        let transaction = record.begin();
        let Record { active, rollback } = transaction.record();
        world.trace.record(
            actor,
            Event::SweepScanned {
                endpoint,
                active,
                rollback,
            },
        );
        referenced.extend(active.into_iter().chain(rollback));
    }
    referenced
}
