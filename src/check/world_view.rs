//! The zone's records and the store's live plans as a log says they are, rebuilt step by step:
//! what properties, timelines and run reports read instead of the live structures.

use std::collections::BTreeSet;
use std::fmt;

use crate::protocol::event::{Event, Step};
use crate::protocol::plan::{EndpointId, Generation};
use crate::protocol::record::Record;

/// The zone's records and the store's live plans, rebuilt step by step from a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct WorldView {
    records: Vec<Record>,
    live: BTreeSet<Generation>,
}

impl WorldView {
    /// The state before any step: no plan published, every record empty.
    pub(crate) fn new(endpoints: usize) -> Self {
        Self {
            records: vec![Record::default(); endpoints],
            live: BTreeSet::new(),
        }
    }

    /// Applies the effect of one step.
    pub(crate) fn apply(&mut self, step: &Step) {
        match &step.event {
            Event::Published { generation } => {
                self.live.insert(*generation);
            }
            Event::Installed {
                endpoint,
                generation,
                rollback,
            } => {
                if let Some(record) = self.records.get_mut(endpoint.0) {
                    record.active = Some(*generation);
                    record.rollback = *rollback;
                }
            }
            Event::Swept { deleted, .. } => {
                for generation in deleted {
                    self.live.remove(generation);
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
    }

    /// The generation `endpoint`'s record points to.
    pub(crate) fn active(&self, endpoint: EndpointId) -> Option<Generation> {
        self.records.get(endpoint.0).and_then(|r| r.active)
    }

    /// True when `endpoint` has been enacted but its record points to a deleted plan, so that
    /// resolving it yields no address at all.
    pub(crate) fn resolves_empty(&self, endpoint: EndpointId) -> bool {
        self.active(endpoint)
            .is_some_and(|generation| !self.live.contains(&generation))
    }
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
        let live: Vec<String> = self.live.iter().map(Generation::to_string).collect();
        write!(f, "store {{{}}}", live.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endpoint_never_enacted_is_not_empty() {
        let world = WorldView::new(2);
        assert!(!world.resolves_empty(EndpointId(1)));
    }
}
