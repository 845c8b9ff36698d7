//! The Planner: publishes new generations of the DNS plan.

use std::sync::Arc as PlanArc;

use crate::error::StoreError;
use crate::execution::Shared;
use crate::plan::{Generation, Plan};
use crate::schedule::{Point, Schedule};
use crate::trace::{Actor, Event};

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
    pub fn run(&self, shared: &Shared, schedule: &dyn Schedule) -> Result<(), StoreError> {
        for number in self.first.0..=self.last.0 {
            Self::publish(Generation(number), shared, schedule)?;
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
        shared: &Shared,
        schedule: &dyn Schedule,
    ) -> Result<(), StoreError> {
        schedule.reach(Actor::Planner, Point::Publish(generation));
        // Computing the plan is local work; only the publish itself touches the store.
        let plan = PlanArc::new(Plan::for_generation(generation, shared.zone.endpoints()));
        let mut store = shared.store.lock();
        store.publish(plan)?;
        shared
            .trace
            .record(Actor::Planner, Event::Published { generation });
        Ok(())
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::plan::EndpointId;
    use crate::schedule::FreeRun;
    use crate::trace::Trace;
    use crate::zone::{Commit, WriteRule};

    #[test]
    fn every_published_plan_covers_every_endpoint_of_the_zone() {
        let shared = Shared::new(3, Arc::new(Trace::recording()));
        Planner::new(Generation(1), Generation(2))
            .run(&shared, &FreeRun)
            .expect("increasing generations");
        let newest = shared.store.lock().newest().expect("published");
        assert_eq!(newest.generation(), Generation(2));
        assert_eq!(newest.endpoints(), 3);
        for (endpoint, record) in shared.zone.records() {
            let commit =
                record
                    .begin()
                    .commit(Generation(2), WriteRule::Unconditional, &shared.store);
            assert!(matches!(commit, Commit::Installed { .. }));
            let resolved = shared.zone.resolve(endpoint, &shared.store);
            assert!(
                resolved.is_ok_and(|targets| !targets.is_empty()),
                "{endpoint}"
            );
        }
        assert!(shared.zone.resolve(EndpointId(3), &shared.store).is_err());
    }

    #[test]
    fn publishing_an_old_generation_fails() {
        let shared = Shared::new(1, Arc::new(Trace::recording()));
        let planner = Planner::new(Generation(2), Generation(3));
        assert!(planner.run(&shared, &FreeRun).is_ok());
        assert!(planner.run(&shared, &FreeRun).is_err());
    }
}
