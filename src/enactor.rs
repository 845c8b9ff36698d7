//! The Enactor: picks the newest plan, checks once that it is newer than what is applied, writes
//! it endpoint by endpoint, then runs the clean-up sweep.

use crate::execution::Shared;
use crate::plan::{EndpointId, Generation};
use crate::protocol::Variant;
use crate::schedule::{Point, Schedule};
use crate::sweeper;
use crate::sync::thread;
use crate::trace::{Actor, Event};
use crate::zone::{Commit, RecordLock};

/// How many times an Enactor tries an endpoint's transaction lock before it leaves that
/// endpoint for its next cycle. The incident's Enactors retried, and the retries are what made
/// one of them so late; a bound keeps every explored execution finite.
pub const MAX_LOCK_ATTEMPTS: u32 = 3;

/// How one Enactor cycle ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cycle {
    /// The store held no plan.
    NothingPublished,
    /// The staleness check found the plan no newer than any endpoint's record; nothing written.
    Stale(Generation),
    /// Every write was refused, skipped or given up; nothing was installed, so there was no
    /// sweep.
    Superseded(Generation),
    /// At least one endpoint was written, then the sweep ran.
    Applied(Generation),
    /// A transaction failed because a record's active plan was deleted: the stuck state.
    Failed(Generation),
}

/// One of the redundant Enactors.
#[derive(Debug, Clone, Copy)]
pub struct Enactor {
    id: usize,
    variant: Variant,
    sweep_age: u64,
}

impl Enactor {
    /// Enactor number `id` (0 is "A") running `variant` with sweep age `sweep_age`.
    pub fn new(id: usize, variant: Variant, sweep_age: u64) -> Self {
        Self {
            id,
            variant,
            sweep_age,
        }
    }

    /// The actor this Enactor appears as in traces.
    pub fn actor(&self) -> Actor {
        Actor::Enactor(self.id)
    }

    /// Runs one cycle: pick, check once, write every endpoint the check found older, sweep.
    pub fn run_cycle(&self, shared: &Shared, schedule: &dyn Schedule) -> Cycle {
        let me = self.actor();
        schedule.reach(me, Point::Pick);
        let picked = {
            let store = shared.store.lock();
            let plan = store.newest();
            let generation = plan.as_ref().map(|p| p.generation());
            shared.trace.record(me, Event::Picked { generation });
            generation
        };
        let Some(generation) = picked else {
            return Cycle::NothingPublished;
        };

        // The one-time staleness check, made before any write. Nothing re-checks it later
        // (except in RecheckBeforeWrite), so an Enactor delayed after this point still writes
        // whatever it picked. An endpoint already at this plan or newer is left out; the plan
        // is stale when no endpoint is older.
        let older: Vec<bool> = shared
            .zone
            .records()
            .map(|(endpoint, record)| self.check(shared, schedule, endpoint, record, generation))
            .collect();
        if !older.contains(&true) {
            return Cycle::Stale(generation);
        }

        let mut installed = 0;
        let to_write = shared.zone.records().zip(older).filter(|(_, older)| *older);
        for ((endpoint, record), _) in to_write {
            if self.variant.rechecks_before_write()
                && !self.check(shared, schedule, endpoint, record, generation)
            {
                continue;
            }
            match self.write(shared, schedule, endpoint, record, generation) {
                Some(Commit::Installed { .. }) => installed += 1,
                Some(Commit::ActivePlanMissing { .. }) => return Cycle::Failed(generation),
                Some(Commit::Rejected { .. } | Commit::PlanDeleted) | None => {}
            }
        }
        if installed == 0 {
            return Cycle::Superseded(generation);
        }

        sweeper::sweep(
            self.variant.sweep_rule(),
            generation,
            self.sweep_age,
            shared,
            schedule,
            me,
        );
        Cycle::Applied(generation)
    }

    /// Reads `endpoint`'s record and compares: true when `generation` is newer than what it
    /// holds. The record's lock is held only for the read.
    fn check(
        &self,
        shared: &Shared,
        schedule: &dyn Schedule,
        endpoint: EndpointId,
        record: &RecordLock,
        generation: Generation,
    ) -> bool {
        schedule.reach(self.actor(), Point::Check(endpoint));
        let transaction = record.begin();
        let active = transaction.record().active;
        let newer = active.is_none_or(|active| generation > active);
        shared.trace.record(
            self.actor(),
            Event::Checked {
                endpoint,
                plan: generation,
                active,
                newer,
            },
        );
        newer
    }

    /// Writes one endpoint in a transaction, retrying while another actor holds its lock.
    /// `None` when every attempt found the lock taken.
    fn write(
        &self,
        shared: &Shared,
        schedule: &dyn Schedule,
        endpoint: EndpointId,
        record: &RecordLock,
        generation: Generation,
    ) -> Option<Commit> {
        let me = self.actor();
        for attempt in 1..=MAX_LOCK_ATTEMPTS {
            schedule.reach(me, Point::Write(endpoint));
            let lost = schedule.lose_lock(me, endpoint, attempt);
            let Some(mut transaction) = record.try_begin().filter(|_| !lost) else {
                shared
                    .trace
                    .record(me, Event::LockBusy { endpoint, attempt });
                // Under loom a yield lets the holder run instead of spinning on the same branch.
                thread::yield_now();
                continue;
            };
            let commit = transaction.commit(generation, self.variant.write_rule(), &shared.store);
            let event = match commit {
                Commit::Installed { rollback } => Event::Installed {
                    endpoint,
                    generation,
                    rollback,
                },
                Commit::Rejected { active } => Event::WriteRejected {
                    endpoint,
                    generation,
                    active,
                },
                Commit::ActivePlanMissing { missing } => Event::TransactionFailed {
                    endpoint,
                    generation,
                    missing,
                },
                Commit::PlanDeleted => Event::PlanGone {
                    endpoint,
                    generation,
                },
            };
            shared.trace.record(me, event);
            return Some(commit);
        }
        shared.trace.record(
            me,
            Event::GaveUp {
                endpoint,
                generation,
            },
        );
        None
    }
}
