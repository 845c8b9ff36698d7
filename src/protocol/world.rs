//! The world the actors act on: the plan store, the zone, and the event log they append to;
//! and the steady state it is in before the race.

use std::sync::Arc;

use crate::protocol::error::StoreError;
use crate::protocol::event::{Actor, Event};
use crate::protocol::mirror::ZoneMirror;
use crate::protocol::plan::{Generation, Plan};
use crate::protocol::rules::WriteRule;
use crate::protocol::store::PlanStore;
use crate::protocol::trace::Trace;
use crate::protocol::zone::Zone;

/// What the actors share: the plan store, the zone, and the instrumentation.
#[derive(Debug)]
pub struct World {
    /// Published plans.
    pub store: PlanStore,
    /// The DNS records.
    pub zone: Zone,
    /// The event log.
    pub trace: Arc<Trace>,
}

impl World {
    /// An empty store and a zone of `endpoints` empty records, logging to `trace`.
    pub fn new(endpoints: usize, trace: Arc<Trace>) -> Self {
        Self {
            store: PlanStore::new(),
            zone: Zone::new(endpoints),
            trace,
        }
    }

    /// Like [`World::new`], with every write also decided by and made on `mirror`.
    pub fn mirrored(endpoints: usize, trace: Arc<Trace>, mirror: Arc<dyn ZoneMirror>) -> Self {
        Self {
            store: PlanStore::new(),
            zone: Zone::mirrored(endpoints, mirror),
            trace,
        }
    }
}

/// The steady state before the race: generation 1 published and applied to every endpoint.
///
/// # Errors
/// [`StoreError::NotNewer`] if the store already holds a plan.
pub fn steady_state(world: &World, endpoints: usize) -> Result<(), StoreError> {
    let first = Generation(1);
    {
        let mut store = world.store.lock();
        store.publish(Arc::new(Plan::for_generation(first, endpoints)))?;
        world
            .trace
            .record(Actor::Setup, Event::Published { generation: first });
    }
    for (endpoint, record) in world.zone.records() {
        record
            .begin()
            .commit_then(first, WriteRule::Unconditional, &world.store, |commit| {
                world
                    .trace
                    .record(Actor::Setup, Event::committed(endpoint, first, commit));
            });
    }
    Ok(())
}
