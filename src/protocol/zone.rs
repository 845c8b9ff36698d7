//! The zone, the Route 53 stand-in: one record per endpoint, each guarded by the transaction
//! lock that Enactors try to take before they write. A [`ZoneMirror`] may be attached: every
//! write is then decided by what the mirror holds and made there too.

use crossbeam_utils::CachePadded;
use std::sync::Arc;

use crate::protocol::error::ZoneError;
use crate::protocol::mirror::{Mirrored, ZoneMirror};
use crate::protocol::plan::{EndpointId, Generation, Target};
use crate::protocol::record::{Commit, Record};
use crate::protocol::rules::WriteRule;
use crate::protocol::store::{PlanStore, StoreGuard};
use crate::sync::{Mutex, MutexGuard};

/// One endpoint's record and its transaction lock.
#[derive(Debug)]
pub struct RecordLock {
    // One cache line pair per record, its mirror handle inside it: records written by
    // different Enactors do not share lines, and a zone of 1,024 records stays 128 KiB.
    slot: CachePadded<Slot>,
}

#[derive(Debug)]
struct Slot {
    record: Mutex<Record>,
    endpoint: EndpointId,
    mirror: Option<Arc<dyn ZoneMirror>>,
}

/// An open transaction on one record; the lock is released when it is dropped.
#[derive(Debug)]
pub struct Transaction<'a> {
    record: MutexGuard<'a, Record>,
    lock: &'a RecordLock,
}

impl RecordLock {
    fn new(endpoint: EndpointId, mirror: Option<Arc<dyn ZoneMirror>>) -> Self {
        Self {
            slot: CachePadded::new(Slot {
                record: Mutex::default(),
                endpoint,
                mirror,
            }),
        }
    }

    /// Opens a transaction if no one else holds this record's lock; `None` means "busy, retry".
    pub fn try_begin(&self) -> Option<Transaction<'_>> {
        self.slot
            .record
            .try_lock()
            .map(|record| Transaction { record, lock: self })
    }

    /// Waits for the lock and opens a transaction (used for reads and by sweeps that must hold
    /// records still while they delete).
    pub fn begin(&self) -> Transaction<'_> {
        Transaction {
            record: self.slot.record.lock(),
            lock: self,
        }
    }
}

impl Transaction<'_> {
    /// The record as this transaction sees it.
    pub fn record(&self) -> Record {
        *self.record
    }

    /// Tries to point the record at `generation`.
    ///
    /// Replacing a record moves its active plan to the rollback record, which needs that plan
    /// to exist: when the sweep has deleted it, the commit fails with
    /// [`Commit::ActivePlanMissing`]. The lookup, the write and the update of the store's
    /// reference counts happen under the store's lock, taken while the record's is held (record
    /// before store is the crate's one lock order): whenever the store is unlocked, its counts
    /// say exactly which plans the records point at.
    pub fn commit(&mut self, generation: Generation, rule: WriteRule, store: &PlanStore) -> Commit {
        self.commit_then(generation, rule, store, |_| ())
    }

    /// [`Transaction::commit`], calling `then` with the outcome while every lock the commit
    /// took is still held: an event logged there takes its place in the log in the same order
    /// as the commit took effect, before any other step on the store.
    pub fn commit_then(
        &mut self,
        generation: Generation,
        rule: WriteRule,
        store: &PlanStore,
        then: impl FnOnce(Commit),
    ) -> Commit {
        let slot = &self.lock.slot;
        let mirrored = slot
            .mirror
            .as_ref()
            .and_then(|mirror| mirror.commit(slot.endpoint, *self.record, generation, rule, store));
        if let Some(Mirrored {
            commit,
            store: mut held,
        }) = mirrored
        {
            if let (Commit::Installed { rollback }, Some(guard)) = (commit, held.as_mut()) {
                self.install(guard, generation, rollback);
            }
            then(commit);
            drop(held);
            return commit;
        }
        // A conditional write that loses is decided from the record alone, without the store.
        if let Some(refused) = rule.refuses(*self.record, generation) {
            then(refused);
            return refused;
        }
        let mut store = store.lock();
        let commit = rule.decide(*self.record, generation, |g| store.contains(g));
        if let Commit::Installed { rollback } = commit {
            self.install(&mut store, generation, rollback);
        }
        then(commit);
        commit
    }

    /// Points the record at `generation` with `rollback` as its rollback entry, and moves the
    /// store's reference counts with it (under the store's lock, `store`).
    fn install(
        &mut self,
        store: &mut StoreGuard<'_>,
        generation: Generation,
        rollback: Option<Generation>,
    ) {
        let dropped = self.record.rollback;
        *self.record = Record {
            active: Some(generation),
            rollback,
        };
        store.move_reference(generation, dropped);
    }
}

/// Every endpoint's record.
#[derive(Debug)]
pub struct Zone {
    records: Vec<RecordLock>,
    mirror: Option<Arc<dyn ZoneMirror>>,
}

impl Zone {
    /// A zone of `endpoints` empty records.
    pub fn new(endpoints: usize) -> Self {
        Self::build(endpoints, None)
    }

    /// A zone of `endpoints` empty records, every write also decided by and made on `mirror`.
    pub fn mirrored(endpoints: usize, mirror: Arc<dyn ZoneMirror>) -> Self {
        Self::build(endpoints, Some(mirror))
    }

    fn build(endpoints: usize, mirror: Option<Arc<dyn ZoneMirror>>) -> Self {
        Self {
            records: (0..endpoints)
                .map(|index| RecordLock::new(EndpointId(index), mirror.clone()))
                .collect(),
            mirror,
        }
    }

    /// Whether a mirror is attached (a sweep then says which records it emptied).
    pub(crate) fn is_mirrored(&self) -> bool {
        self.mirror.is_some()
    }

    /// Tells the mirror, if any, that a sweep deleted `deleted`, plans some record still
    /// points at. Called under the store's lock.
    pub(crate) fn swept(&self, deleted: &[Generation]) {
        if let Some(mirror) = &self.mirror
            && !deleted.is_empty()
        {
            mirror.swept(self.records.len(), deleted);
        }
    }

    /// How many endpoints the zone holds.
    pub fn endpoints(&self) -> usize {
        self.records.len()
    }

    /// Every endpoint with its record, in endpoint order.
    pub fn records(&self) -> impl Iterator<Item = (EndpointId, &RecordLock)> {
        self.records
            .iter()
            .enumerate()
            .map(|(index, record)| (EndpointId(index), record))
    }

    /// The record of `endpoint`.
    pub fn record(&self, endpoint: EndpointId) -> Result<&RecordLock, ZoneError> {
        self.records
            .get(endpoint.0)
            .ok_or(ZoneError::UnknownEndpoint {
                endpoint,
                endpoints: self.records.len(),
            })
    }

    /// What a DNS query for `endpoint` returns: the active plan's targets, or nothing when the
    /// record points nowhere or to a deleted plan.
    pub fn resolve(
        &self,
        endpoint: EndpointId,
        store: &PlanStore,
    ) -> Result<Vec<Target>, ZoneError> {
        let active = self.record(endpoint)?.begin().record().active;
        Ok(active
            .and_then(|generation| store.lock().get(generation))
            .map(|plan| plan.targets(endpoint))
            .unwrap_or_default())
    }
}

#[cfg(all(test, not(any(loom, shuttle))))]
mod tests {
    use super::*;
    use crate::protocol::plan::Plan;
    use crate::protocol::rules::WriteRule;
    use std::sync::Arc;

    fn store_with(generations: &[u64]) -> PlanStore {
        let store = PlanStore::new();
        for g in generations {
            store
                .lock()
                .publish(Arc::new(Plan::for_generation(Generation(*g), 2)))
                .unwrap();
        }
        store
    }

    #[test]
    fn a_held_lock_makes_try_begin_return_busy() {
        let zone = Zone::new(1);
        let record = zone.record(EndpointId(0)).unwrap();
        let open = record.try_begin();
        assert!(open.is_some());
        assert!(record.try_begin().is_none());
        drop(open);
        assert!(record.try_begin().is_some());
    }

    #[test]
    fn unconditional_commit_replaces_and_keeps_rollback() {
        let store = store_with(&[1, 2]);
        let zone = Zone::new(1);
        let mut txn = zone.record(EndpointId(0)).unwrap().begin();
        let first = txn.commit(Generation(2), WriteRule::Unconditional, &store);
        assert_eq!(first, Commit::Installed { rollback: None });
        let second = txn.commit(Generation(1), WriteRule::Unconditional, &store);
        assert_eq!(
            second,
            Commit::Installed {
                rollback: Some(Generation(2))
            }
        );
        assert_eq!(txn.record().active, Some(Generation(1)));
        assert_eq!(txn.record().rollback, Some(Generation(2)));
    }

    #[test]
    fn conditional_commit_refuses_an_older_or_equal_generation() {
        let store = store_with(&[1, 2]);
        let zone = Zone::new(1);
        let mut txn = zone.record(EndpointId(0)).unwrap().begin();
        txn.commit(Generation(2), WriteRule::NewerOnly, &store);
        for older in [1, 2] {
            assert_eq!(
                txn.commit(Generation(older), WriteRule::NewerOnly, &store),
                Commit::Rejected {
                    active: Generation(2)
                }
            );
        }
        assert_eq!(txn.record().active, Some(Generation(2)));
    }

    #[test]
    fn commits_keep_the_store_reference_counts() {
        let store = store_with(&[1, 2, 3]);
        let zone = Zone::new(1);
        let mut txn = zone.record(EndpointId(0)).unwrap().begin();
        for g in [1, 2, 3] {
            txn.commit(Generation(g), WriteRule::NewerOnly, &store);
        }
        let guard = store.lock();
        assert!(
            !guard.is_referenced(Generation(1)),
            "g1 fell off the rollback record"
        );
        assert!(guard.is_referenced(Generation(2)) && guard.is_referenced(Generation(3)));
    }

    #[test]
    fn a_record_whose_plan_was_deleted_blocks_every_later_write() {
        let store = store_with(&[1, 2, 3]);
        let zone = Zone::new(2);
        let endpoint = EndpointId(1);
        let record = zone.record(endpoint).unwrap();
        record
            .begin()
            .commit(Generation(1), WriteRule::Unconditional, &store);
        assert_eq!(zone.resolve(endpoint, &store).unwrap().len(), 2);
        store.lock().delete(Generation(1));
        assert!(zone.resolve(endpoint, &store).unwrap().is_empty());
        for rule in [WriteRule::Unconditional, WriteRule::NewerOnly] {
            assert_eq!(
                record.begin().commit(Generation(3), rule, &store),
                Commit::ActivePlanMissing {
                    missing: Generation(1)
                }
            );
        }
    }

    #[test]
    fn a_plan_check_refuses_to_install_a_deleted_plan() {
        let store = store_with(&[1, 2, 3]);
        let zone = Zone::new(1);
        let mut txn = zone.record(EndpointId(0)).unwrap().begin();
        txn.commit(Generation(3), WriteRule::IfPlanExists, &store);
        store.lock().delete(Generation(2));
        assert_eq!(
            txn.commit(Generation(2), WriteRule::IfPlanExists, &store),
            Commit::PlanDeleted
        );
        assert_eq!(
            txn.commit(Generation(1), WriteRule::IfPlanExists, &store),
            Commit::Installed {
                rollback: Some(Generation(3))
            }
        );
    }

    #[test]
    fn the_fixed_write_refuses_a_deleted_plan_even_over_an_older_record() {
        let store = store_with(&[1, 2, 3]);
        let zone = Zone::new(1);
        let mut txn = zone.record(EndpointId(0)).unwrap().begin();
        txn.commit(Generation(1), WriteRule::NewerIfPlanExists, &store);
        store.lock().delete(Generation(2));
        assert_eq!(
            txn.commit(Generation(2), WriteRule::NewerIfPlanExists, &store),
            Commit::PlanDeleted
        );
        assert_eq!(
            txn.commit(Generation(1), WriteRule::NewerIfPlanExists, &store),
            Commit::Rejected {
                active: Generation(1)
            }
        );
        assert_eq!(txn.record().active, Some(Generation(1)));
    }

    #[test]
    fn unknown_endpoints_are_an_error() {
        let zone = Zone::new(1);
        let store = PlanStore::new();
        assert!(zone.record(EndpointId(1)).is_err());
        assert_eq!(
            zone.resolve(EndpointId(5), &store).unwrap_err(),
            ZoneError::UnknownEndpoint {
                endpoint: EndpointId(5),
                endpoints: 1
            }
        );
        assert!(zone.resolve(EndpointId(0), &store).unwrap().is_empty());
    }
}
