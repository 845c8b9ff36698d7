//! The plan store: plans the Planner published, by generation, until the sweep deletes them.

use std::collections::BTreeMap;
use std::sync::Arc as PlanArc;

use crossbeam_utils::CachePadded;

use crate::protocol::error::StoreError;
use crate::protocol::plan::{Generation, Plan};
use crate::sync::{Mutex, MutexGuard};

/// Published plans by generation, and how many zone records reference each generation. One
/// lock guards the whole store: every operation on it is one step, as a single conditional
/// request to the real table would be.
///
/// Plans are immutable once published, so they are handed out as `std::sync::Arc`: sharing an
/// immutable value needs no modelled synchronization.
#[derive(Debug, Default)]
pub struct PlanStore {
    // Cache-padded: the store's lock is the most contended word of the protocol, and a
    // neighbour on its cache line (the zone's record table, in the shared World) would be
    // invalidated at every lock and unlock (docs/benchmarks.md has what that cost).
    plans: CachePadded<Mutex<Plans>>,
}

#[derive(Debug, Default)]
struct Plans {
    by_generation: BTreeMap<Generation, PlanArc<Plan>>,
    /// Record entries (active or rollback) pointing at each generation. Transactions update it
    /// in the same store step as their write (see `zone::Transaction::commit`).
    references: BTreeMap<Generation, usize>,
}

/// Exclusive access to the store for one step; released when dropped.
#[derive(Debug)]
pub struct StoreGuard<'a> {
    plans: MutexGuard<'a, Plans>,
}

impl PlanStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// Locks the store for one step.
    pub fn lock(&self) -> StoreGuard<'_> {
        StoreGuard {
            plans: self.plans.lock(),
        }
    }
}

impl StoreGuard<'_> {
    /// Adds a plan. Generations only go up: a plan that is not newer than the newest plan
    /// present is refused.
    pub fn publish(&mut self, plan: PlanArc<Plan>) -> Result<(), StoreError> {
        let generation = plan.generation();
        if let Some((&newest, _)) = self.plans.by_generation.last_key_value()
            && newest >= generation
        {
            return Err(StoreError::NotNewer { generation, newest });
        }
        self.plans.by_generation.insert(generation, plan);
        Ok(())
    }

    /// The plan with the highest generation, if any.
    pub fn newest(&self) -> Option<PlanArc<Plan>> {
        self.plans
            .by_generation
            .last_key_value()
            .map(|(_, plan)| PlanArc::clone(plan))
    }

    /// The plan of `generation`, unless it was never published or has been deleted.
    pub fn get(&self, generation: Generation) -> Option<PlanArc<Plan>> {
        self.plans.by_generation.get(&generation).cloned()
    }

    /// Whether the plan of `generation` is present.
    pub fn contains(&self, generation: Generation) -> bool {
        self.plans.by_generation.contains_key(&generation)
    }

    /// The generations present, oldest first.
    pub fn generations(&self) -> Vec<Generation> {
        self.plans.by_generation.keys().copied().collect()
    }

    /// Records that a record entry now points at `added` and that one entry pointing at
    /// `dropped` (if any) is gone.
    pub fn move_reference(&mut self, added: Generation, dropped: Option<Generation>) {
        *self.plans.references.entry(added).or_default() += 1;
        if let Some(dropped) = dropped
            && let Some(count) = self.plans.references.get_mut(&dropped)
        {
            *count -= 1;
            if *count == 0 {
                self.plans.references.remove(&dropped);
            }
        }
    }

    /// Whether any record entry (active or rollback) points at `generation`.
    pub fn is_referenced(&self, generation: Generation) -> bool {
        self.plans.references.contains_key(&generation)
    }

    /// Deletes the plan of `generation`; true if it was present.
    pub fn delete(&mut self, generation: Generation) -> bool {
        self.plans.by_generation.remove(&generation).is_some()
    }
}

#[cfg(all(test, not(any(loom, shuttle))))]
mod tests {
    use super::*;

    fn plan(generation: u64) -> PlanArc<Plan> {
        PlanArc::new(Plan::for_generation(Generation(generation), 1))
    }

    #[test]
    fn newest_follows_publication_and_deletion() {
        let store = PlanStore::new();
        assert!(store.lock().newest().is_none());
        let mut guard = store.lock();
        guard.publish(plan(1)).unwrap();
        guard.publish(plan(2)).unwrap();
        assert_eq!(guard.newest().map(|p| p.generation()), Some(Generation(2)));
        assert!(guard.delete(Generation(2)));
        assert!(!guard.delete(Generation(2)));
        assert_eq!(guard.newest().map(|p| p.generation()), Some(Generation(1)));
        assert_eq!(guard.generations(), vec![Generation(1)]);
    }

    #[test]
    fn a_deleted_plan_cannot_be_resolved() {
        let store = PlanStore::new();
        let mut guard = store.lock();
        guard.publish(plan(1)).unwrap();
        assert!(guard.get(Generation(1)).is_some());
        guard.delete(Generation(1));
        assert!(guard.get(Generation(1)).is_none());
        assert!(!guard.contains(Generation(1)));
    }

    #[test]
    fn references_follow_the_records() {
        let store = PlanStore::new();
        let mut guard = store.lock();
        guard.move_reference(Generation(1), None);
        guard.move_reference(Generation(2), None);
        assert!(guard.is_referenced(Generation(1)) && guard.is_referenced(Generation(2)));
        guard.move_reference(Generation(3), Some(Generation(1)));
        assert!(!guard.is_referenced(Generation(1)));
        guard.move_reference(Generation(3), Some(Generation(2)));
        guard.move_reference(Generation(4), Some(Generation(3)));
        assert!(
            guard.is_referenced(Generation(3)),
            "one entry still points at g3"
        );
        assert!(!guard.is_referenced(Generation(2)));
        guard.move_reference(Generation(5), Some(Generation(9)));
        assert!(guard.is_referenced(Generation(5)));
    }

    #[test]
    fn publishing_an_old_generation_is_refused() {
        let store = PlanStore::new();
        let mut guard = store.lock();
        guard.publish(plan(2)).unwrap();
        let error = guard.publish(plan(2)).unwrap_err();
        assert_eq!(
            error,
            StoreError::NotNewer {
                generation: Generation(2),
                newest: Generation(2)
            }
        );
        assert!(guard.publish(plan(1)).is_err());
    }
}
