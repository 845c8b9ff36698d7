//! The zone's records and the store's live plans as a log says they are, rebuilt step by step:
//! what properties, timelines and run reports read instead of the live structures.

use std::fmt;

use crate::protocol::event::{Event, Step};
use crate::protocol::plan::{EndpointId, Generation};
use crate::protocol::record::Record;

/// The records and the live plans as the log has told them so far.
///
/// Every step is applied in constant time (amortized over the plans a sweep deletes): the
/// live plans are a bit per generation, and the view counts, per generation, the endpoints
/// whose active entry names it, so that a deletion finds the records it empties without
/// looking at every endpoint. Generations are dense (1 to G), so these tables grow to G entries
/// at most.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WorldView {
    records: Vec<Record>,
    /// `live[g]`: whether plan `g` is in the store.
    live: Vec<bool>,
    /// `holders[g]`: how many records have `g` as their active entry.
    holders: Vec<u32>,
}

/// Which endpoints a step made resolve to nothing, and which it made resolve again.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Emptiness {
    /// Endpoints that resolved to a plan before the step and to nothing after it.
    pub(crate) emptied: Vec<EndpointId>,
    /// Endpoints that resolved to nothing before the step and to a plan after it.
    pub(crate) refilled: Vec<EndpointId>,
}

impl WorldView {
    pub(crate) fn new(endpoints: usize) -> Self {
        Self {
            records: vec![Record::default(); endpoints],
            live: Vec::new(),
            holders: Vec::new(),
        }
    }

    /// Applies `step`, and says which endpoints it emptied or refilled.
    pub(crate) fn apply(&mut self, step: &Step) -> Emptiness {
        let mut change = Emptiness::default();
        match &step.event {
            Event::Published { generation } => {
                *slot(&mut self.live, *generation) = true;
            }
            Event::Installed {
                endpoint,
                generation,
                rollback,
            } => {
                let was_empty = self.resolves_empty(*endpoint);
                let Some(record) = self.records.get_mut(endpoint.0) else {
                    return change;
                };
                if let Some(previous) = record.active.replace(*generation) {
                    let count = slot(&mut self.holders, previous);
                    *count = count.saturating_sub(1);
                }
                record.rollback = *rollback;
                *slot(&mut self.holders, *generation) += 1;
                match (was_empty, self.resolves_empty(*endpoint)) {
                    (false, true) => change.emptied.push(*endpoint),
                    (true, false) => change.refilled.push(*endpoint),
                    _ => {}
                }
            }
            Event::Swept { deleted, .. } => {
                for generation in deleted {
                    *slot(&mut self.live, *generation) = false;
                    if self.holders.get(index(*generation)).is_some_and(|n| *n > 0) {
                        // Rare (it is the incident): only then are the records looked at.
                        change.emptied.extend(
                            (0..self.records.len())
                                .map(EndpointId)
                                .filter(|e| self.active(*e) == Some(*generation)),
                        );
                    }
                }
            }
            Event::Picked { .. }
            | Event::Checked { .. }
            | Event::LockBusy { .. }
            | Event::LockLost { .. }
            | Event::Rejected { .. }
            | Event::ActivePlanMissing { .. }
            | Event::PlanDeleted { .. }
            | Event::SweepScanned { .. }
            | Event::GaveUp { .. } => {}
        }
        change
    }

    /// How many endpoints the zone has.
    pub(crate) fn endpoints(&self) -> usize {
        self.records.len()
    }

    pub(crate) fn active(&self, endpoint: EndpointId) -> Option<Generation> {
        self.records.get(endpoint.0).and_then(|r| r.active)
    }

    pub(crate) fn resolves_empty(&self, endpoint: EndpointId) -> bool {
        self.active(endpoint)
            .is_some_and(|generation| !self.is_live(generation))
    }

    fn is_live(&self, generation: Generation) -> bool {
        self.live.get(index(generation)).copied().unwrap_or(false)
    }
}

/// A generation's index in the per-generation tables.
fn index(generation: Generation) -> usize {
    usize::try_from(generation.0).unwrap_or(usize::MAX)
}

/// The entry of `table` for `generation`, growing the table to hold it.
fn slot<T: Default + Clone>(table: &mut Vec<T>, generation: Generation) -> &mut T {
    let at = index(generation);
    if table.len() <= at {
        table.resize(at + 1, T::default());
    }
    &mut table[at]
}

impl fmt::Display for WorldView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, record) in self.records.iter().enumerate() {
            let endpoint = EndpointId(index);
            match record.active {
                Some(g) => write!(f, "{endpoint}={g}")?,
                None => write!(f, "{endpoint}=-")?,
            }
            if self.resolves_empty(endpoint) {
                f.write_str(" EMPTY")?;
            }
            if let Some(rollback) = record.rollback {
                write!(f, " rb={rollback}")?;
            }
            f.write_str("  ")?;
        }
        let live: Vec<String> = (0..self.live.len())
            .filter(|g| self.live[*g])
            .map(|g| Generation(g as u64).to_string())
            .collect();
        write!(f, "store {{{}}}", live.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::protocol::event::Actor;

    fn step(event: Event) -> Step {
        Step {
            actor: Actor::Enactor(0),
            event,
        }
    }

    fn installed(endpoint: usize, generation: u64) -> Step {
        step(Event::Installed {
            endpoint: EndpointId(endpoint),
            generation: Generation(generation),
            rollback: None,
        })
    }

    #[test]
    fn an_endpoint_never_enacted_is_not_empty() {
        let world = WorldView::new(2);
        assert!(!world.resolves_empty(EndpointId(1)));
    }

    #[test]
    fn each_step_says_which_endpoints_it_emptied_or_refilled() {
        let mut world = WorldView::new(3);
        for g in [1, 2] {
            world.apply(&step(Event::Published {
                generation: Generation(g),
            }));
        }
        for e in 0..3 {
            assert_eq!(world.apply(&installed(e, 1)), Emptiness::default());
        }
        world.apply(&installed(2, 2));
        let swept = world.apply(&step(Event::Swept {
            applied: Generation(2),
            deleted: vec![Generation(1)],
            spared: Vec::new(),
        }));
        assert_eq!(swept.emptied, vec![EndpointId(0), EndpointId(1)]);
        assert!(world.resolves_empty(EndpointId(0)) && !world.resolves_empty(EndpointId(2)));
        let refilled = world.apply(&installed(0, 2));
        assert_eq!(refilled.refilled, vec![EndpointId(0)]);
        // Installing a plan that is already gone empties the record at once.
        let gone = world.apply(&installed(2, 1));
        assert_eq!(gone.emptied, vec![EndpointId(2)]);
        assert_eq!(
            world.to_string(),
            "ep0=g2  ep1=g1 EMPTY  ep2=g1 EMPTY  store {g2}"
        );
    }
}
