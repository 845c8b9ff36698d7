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
