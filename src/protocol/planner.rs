//! The Planner: publishes new generations of the DNS plan.

use std::sync::Arc as PlanArc;

use crate::protocol::error::StoreError;
use crate::protocol::event::{Actor, Event};
use crate::protocol::plan::{Generation, Plan};
use crate::protocol::schedule::{Point, Schedule};
use crate::protocol::world::World;

/// Publishes the generations `first..=last`, one store step each.
#[derive(Debug, Clone, Copy)]
pub struct Planner {
    first: Generation,
    last: Generation,
}

impl Planner {
    /// A Planner that will publish `first..=last` (nothing if `first > last`).
    pub fn new(first: Generation, last: Generation) -> Self {
        Self { first, last }
    }

    /// Publishes every generation in order.
    ///
    /// # Errors
    /// [`StoreError::NotNewer`] if the store already holds a generation at least as new.
    pub fn run(&self, world: &World, schedule: &dyn Schedule) -> Result<(), StoreError> {
        for number in self.first.0..=self.last.0 {
            Self::publish(Generation(number), world, schedule)?;
        }
        schedule.done(Actor::Planner);
        Ok(())
    }

    /// Publishes the plan of `generation`: one step on the store.
    ///
    /// # Errors
    /// [`StoreError::NotNewer`] if the store already holds a generation at least as new.
    pub fn publish(
        generation: Generation,
        world: &World,
        schedule: &dyn Schedule,
    ) -> Result<(), StoreError> {
        schedule.reach(Actor::Planner, Point::Publish(generation));
        // Computing the plan is local work; only the publish itself touches the store.
        let plan = PlanArc::new(Plan::for_generation(generation, world.zone.endpoints()));
        let mut store = world.store.lock();
        store.publish(plan)?;
        world
            .trace
            .record(Actor::Planner, Event::Published { generation });
        Ok(())
    }
}

#[cfg(all(test, not(any(loom, shuttle))))]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::protocol::plan::EndpointId;
    use crate::protocol::record::Commit;
    use crate::protocol::rules::WriteRule;
    use crate::protocol::schedule::FreeRun;
    use crate::protocol::trace::Trace;

    #[test]
    fn every_published_plan_covers_every_endpoint_of_the_zone() {
        let world = World::new(3, Arc::new(Trace::recording()));
        Planner::new(Generation(1), Generation(2))
            .run(&world, &FreeRun)
            .expect("increasing generations");
        let newest = world.store.lock().newest().expect("published");
        assert_eq!(newest.generation(), Generation(2));
        assert_eq!(newest.endpoints(), 3);
        for (endpoint, record) in world.zone.records() {
            let commit =
                record
                    .begin()
                    .commit(Generation(2), WriteRule::Unconditional, &world.store);
            assert!(matches!(commit, Commit::Installed { .. }));
            let resolved = world.zone.resolve(endpoint, &world.store);
            assert!(
                resolved.is_ok_and(|targets| !targets.is_empty()),
                "{endpoint}"
            );
        }
        assert!(world.zone.resolve(EndpointId(3), &world.store).is_err());
    }

    #[test]
    fn publishing_an_old_generation_fails() {
        let world = World::new(1, Arc::new(Trace::recording()));
        let planner = Planner::new(Generation(2), Generation(3));
        assert!(planner.run(&world, &FreeRun).is_ok());
        assert!(planner.run(&world, &FreeRun).is_err());
    }
}
