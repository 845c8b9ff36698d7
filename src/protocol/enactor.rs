//! The Enactor: picks the newest plan, checks once that it is newer than what is applied, writes
//! it endpoint by endpoint, then runs the clean-up sweep.

use crate::protocol::event::{Actor, Event};
use crate::protocol::plan::{EndpointId, Generation};
use crate::protocol::record::Commit;
use crate::protocol::rules::is_newer;
use crate::protocol::schedule::{Point, Schedule};
use crate::protocol::sweep::sweep;
use crate::protocol::variant::Variant;
use crate::protocol::world::World;
use crate::protocol::zone::RecordLock;
use crate::sync::thread;

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
    pub fn run_cycle(&self, world: &World, schedule: &dyn Schedule) -> Cycle {
        let me = self.actor();
        schedule.reach(me, Point::Pick);
        let picked = {
            let store = world.store.lock();
            let plan = store.newest();
            let generation = plan.as_ref().map(|p| p.generation());
            world.trace.record(me, Event::Picked { generation });
            generation
        };
        let Some(generation) = picked else {
            return Cycle::NothingPublished;
        };

        // The one-time staleness check, made before any write. Nothing re-checks it later
        // (except in RecheckBeforeWrite), so an Enactor delayed after this point still writes
        // whatever it picked. An endpoint already at this plan or newer is left out; the plan
        // is stale when no endpoint is older (FixedSkipPartlyApplied: when any endpoint is not).
        let older: Vec<bool> = world
            .zone
            .records()
            .map(|(endpoint, record)| self.check(world, schedule, endpoint, record, generation))
            .collect();
        let stale = if self.variant.skips_partly_applied_plans() {
            older.contains(&false)
        } else {
            !older.contains(&true)
        };
        if stale {
            return Cycle::Stale(generation);
        }

        let mut installed_any = false;
        let to_write = world.zone.records().zip(older).filter(|(_, older)| *older);
        for ((endpoint, record), _) in to_write {
            if self.variant.rechecks_before_write()
                && !self.check(world, schedule, endpoint, record, generation)
            {
                continue;
            }
            match self.write(world, schedule, endpoint, record, generation) {
                Some(Commit::Installed { .. }) => installed_any = true,
                Some(Commit::ActivePlanMissing { .. }) => return Cycle::Failed(generation),
                Some(Commit::Rejected { .. } | Commit::PlanDeleted) | None => {}
            }
        }
        if !installed_any {
            return Cycle::Superseded(generation);
        }

        sweep(
            self.variant.sweep_rule(),
            generation,
            self.sweep_age,
            world,
            schedule,
            me,
        );
        Cycle::Applied(generation)
    }

    /// Reads `endpoint`'s record and compares: true when `generation` is newer than what it
    /// holds. The record's lock is held only for the read.
    fn check(
        &self,
        world: &World,
        schedule: &dyn Schedule,
        endpoint: EndpointId,
        record: &RecordLock,
        generation: Generation,
    ) -> bool {
        schedule.reach(self.actor(), Point::Check(endpoint));
        let transaction = record.begin();
        let active = transaction.record().active;
        let newer = is_newer(generation, active);
        world.trace.record(
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
        world: &World,
        schedule: &dyn Schedule,
        endpoint: EndpointId,
        record: &RecordLock,
        generation: Generation,
    ) -> Option<Commit> {
        let me = self.actor();
        for attempt in 1..=MAX_LOCK_ATTEMPTS {
            schedule.reach(me, Point::Write(endpoint));
            // An injected fault takes the lock away without anyone holding it, and says so.
            let lost = schedule.lose_lock(me, endpoint, attempt);
            // A refusal is logged in the same step as the try: while the lock is still taken.
            let taken = world.trace.record_refusal(me, || {
                if lost {
                    Err(Event::LockLost { endpoint, attempt })
                } else {
                    record
                        .try_begin()
                        .ok_or(Event::LockBusy { endpoint, attempt })
                }
            });
            let Some(mut transaction) = taken else {
                // Under loom a yield lets the holder run instead of spinning on the same branch.
                thread::yield_now();
                continue;
            };
            let commit = transaction.commit_then(
                generation,
                self.variant.write_rule(),
                &world.store,
                |commit| {
                    world
                        .trace
                        .record(me, Event::committed(endpoint, generation, commit));
                },
            );
            return Some(commit);
        }
        world.trace.record(
            me,
            Event::GaveUp {
                endpoint,
                generation,
            },
        );
        None
    }
}

#[cfg(all(test, not(any(loom, shuttle))))]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use super::*;
    use crate::protocol::event::Step;
    use crate::protocol::planner::Planner;
    use crate::protocol::rules::WriteRule;
    use crate::protocol::schedule::FreeRun;
    use crate::protocol::trace::Trace;
    use crate::protocol::world::steady_state;
    use crate::run::fault::{FaultPlan, Faults};

    /// Generation 1 applied to `endpoints` endpoints, then `2..=newest` published.
    fn published_world(endpoints: usize, newest: u64) -> World {
        let world = World::new(endpoints, Arc::new(Trace::recording()));
        steady_state(&world, endpoints).expect("an empty store");
        Planner::new(Generation(2), Generation(newest))
            .run(&world, &FreeRun)
            .expect("increasing generations");
        world
    }

    fn enactor_steps(world: &World) -> Vec<Step> {
        let steps = world.trace.steps();
        steps
            .into_iter()
            .filter(|s| matches!(s.actor, Actor::Enactor(_)))
            .collect()
    }

    #[test]
    fn nothing_published_means_nothing_to_do() {
        let world = World::new(1, Arc::new(Trace::recording()));
        let cycle = Enactor::new(0, Variant::Fixed, 2).run_cycle(&world, &FreeRun);
        assert_eq!(cycle, Cycle::NothingPublished);
    }

    #[test]
    fn a_plan_already_applied_is_stale_and_nothing_is_written() {
        for variant in Variant::ALL {
            let world = published_world(2, 1);
            let cycle = Enactor::new(0, variant, 2).run_cycle(&world, &FreeRun);
            assert_eq!(cycle, Cycle::Stale(Generation(1)), "{variant}");
            let events: Vec<Event> = enactor_steps(&world).into_iter().map(|s| s.event).collect();
            assert_eq!(
                events.len(),
                3,
                "{variant}: pick and two checks: {events:?}"
            );
            assert!(events.iter().all(|e| matches!(
                e,
                Event::Picked { .. } | Event::Checked { newer: false, .. }
            )));
        }
    }

    /// A plan on one endpoint only, as an Enactor that gave up on the other leaves it: `Fixed`
    /// finishes it, `FixedSkipPartlyApplied` calls it stale and leaves the other behind.
    #[test]
    fn a_partly_applied_plan_is_finished_unless_the_variant_skips_it() {
        for (variant, expected, other) in [
            (Variant::Fixed, Cycle::Applied(Generation(2)), Generation(2)),
            (
                Variant::FixedSkipPartlyApplied,
                Cycle::Stale(Generation(2)),
                Generation(1),
            ),
        ] {
            let world = published_world(2, 2);
            let (_, first) = world.zone.records().next().expect("two endpoints");
            let installed =
                first
                    .begin()
                    .commit(Generation(2), WriteRule::NewerIfPlanExists, &world.store);
            assert!(
                matches!(installed, Commit::Installed { .. }),
                "{installed:?}"
            );
            let cycle = Enactor::new(0, variant, 2).run_cycle(&world, &FreeRun);
            assert_eq!(cycle, expected, "{variant}");
            let (_, second) = world.zone.records().nth(1).expect("two endpoints");
            assert_eq!(second.begin().record().active, Some(other), "{variant}");
        }
    }

    #[test]
    fn the_newest_plan_is_applied_everywhere_then_swept_behind() {
        let world = published_world(2, 4);
        let cycle = Enactor::new(1, Variant::Buggy, 2).run_cycle(&world, &FreeRun);
        assert_eq!(cycle, Cycle::Applied(Generation(4)));
        for (endpoint, record) in world.zone.records() {
            let held = record.begin().record();
            assert_eq!(held.active, Some(Generation(4)), "{endpoint}");
            assert_eq!(held.rollback, Some(Generation(1)), "{endpoint}");
        }
        // Buggy's age rule deletes g1 and g2 although every rollback entry names g1.
        assert_eq!(
            world.store.lock().generations(),
            vec![Generation(3), Generation(4)]
        );
    }

    #[test]
    fn the_fixed_sweep_spares_the_rollback_plan() {
        let world = published_world(1, 4);
        let cycle = Enactor::new(0, Variant::Fixed, 2).run_cycle(&world, &FreeRun);
        assert_eq!(cycle, Cycle::Applied(Generation(4)));
        assert_eq!(
            world.store.lock().generations(),
            vec![Generation(1), Generation(3), Generation(4)]
        );
    }

    #[test]
    fn a_deleted_active_plan_fails_the_cycle() {
        let world = published_world(1, 4);
        assert!(world.store.lock().delete(Generation(1)));
        let cycle = Enactor::new(0, Variant::Fixed, 2).run_cycle(&world, &FreeRun);
        assert_eq!(cycle, Cycle::Failed(Generation(4)));
    }

    /// Between an Enactor's check and its write, publishes g4 and installs it on every
    /// endpoint, as a faster Enactor would.
    struct FasterEnactor<'a> {
        world: &'a World,
        done: AtomicBool,
    }

    impl Schedule for FasterEnactor<'_> {
        fn reach(&self, _actor: Actor, point: Point) {
            if matches!(point, Point::Write(_)) && !self.done.swap(true, Ordering::Relaxed) {
                Planner::publish(Generation(4), self.world, &FreeRun).expect("g4 is newest");
                for (_, record) in self.world.zone.records() {
                    record.begin().commit(
                        Generation(4),
                        WriteRule::NewerIfPlanExists,
                        &self.world.store,
                    );
                }
            }
        }

        fn done(&self, _actor: Actor) {}
    }

    #[test]
    fn a_stale_write_is_refused_by_fixed_and_installed_by_buggy() {
        for (variant, expected, active) in [
            (Variant::Fixed, Cycle::Superseded(Generation(3)), 4),
            (Variant::Buggy, Cycle::Applied(Generation(3)), 3),
        ] {
            let world = published_world(1, 3);
            let faster = FasterEnactor {
                world: &world,
                done: AtomicBool::new(false),
            };
            let cycle = Enactor::new(0, variant, 2).run_cycle(&world, &faster);
            assert_eq!(cycle, expected, "{variant}");
            let record = world.zone.record(EndpointId(0)).expect("endpoint 0");
            assert_eq!(record.begin().record().active, Some(Generation(active)));
        }
    }

    #[test]
    fn a_lock_lost_on_every_attempt_makes_the_enactor_give_up() {
        let plan = FaultPlan {
            slow_percent: 100,
            lock_loss: MAX_LOCK_ATTEMPTS,
            backoff: Duration::ZERO,
            write_delay: Duration::ZERO,
            ..FaultPlan::LOCK_LOSS
        };
        let world = published_world(1, 3);
        let cycle = Enactor::new(0, Variant::Fixed, 2).run_cycle(&world, &Faults::new(plan, 1));
        assert_eq!(cycle, Cycle::Superseded(Generation(3)));
        let steps = enactor_steps(&world);
        let busy = steps
            .iter()
            .filter(|s| matches!(s.event, Event::LockLost { .. }))
            .count();
        assert_eq!(busy, MAX_LOCK_ATTEMPTS as usize);
        assert!(matches!(
            steps.last().map(|s| &s.event),
            Some(Event::GaveUp { .. })
        ));
    }
}
