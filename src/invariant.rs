//! The properties checked on every execution, evaluated over its event log.
//!
//! Checking from the log rather than by reading the live structures keeps the checks out of
//! the model: reading the zone from inside an execution would take its locks and multiply the
//! interleavings loom has to explore.

use std::collections::BTreeSet;
use std::fmt;

use crate::plan::{EndpointId, Generation};
use crate::trace::{Event, Step};
use crate::zone::Record;

/// A property of the plan-update system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Property {
    /// Once an endpoint has been enacted, it resolves to at least one target at every step.
    NoEmptyRecord,
    /// An endpoint's active generation never decreases.
    MonotonicGeneration,
    /// When all threads have finished (including the Enactors' next cycle), every endpoint
    /// holds the newest generation that any Enactor picked: the system is not stuck.
    Progress,
}

impl Property {
    /// Every property, in the order verdicts are printed.
    pub const ALL: [Property; 3] = [
        Property::NoEmptyRecord,
        Property::MonotonicGeneration,
        Property::Progress,
    ];

    /// The property's name as verdict lines print it.
    pub fn name(self) -> &'static str {
        match self {
            Property::NoEmptyRecord => "no_empty_record",
            Property::MonotonicGeneration => "monotonic_generation",
            Property::Progress => "progress",
        }
    }
}

impl fmt::Display for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where and how a property failed in one execution of the protocol (`progress` fails at the
/// last step).
pub type Violation = crate::harness::Violation<Property>;

/// The zone's records and the store's live plans, rebuilt step by step from a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorldView {
    records: Vec<Record>,
    live: BTreeSet<Generation>,
}

impl WorldView {
    /// The state before any step: no plan published, every record empty.
    pub fn new(endpoints: usize) -> Self {
        Self {
            records: vec![Record::default(); endpoints],
            live: BTreeSet::new(),
        }
    }

    /// Applies the effect of one step.
    pub fn apply(&mut self, step: &Step) {
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
            | Event::WriteRejected { .. }
            | Event::TransactionFailed { .. }
            | Event::PlanGone { .. }
            | Event::SweepScanned { .. }
            | Event::GaveUp { .. } => {}
        }
    }

    /// The generation `endpoint`'s record points to.
    pub fn active(&self, endpoint: EndpointId) -> Option<Generation> {
        self.records.get(endpoint.0).and_then(|r| r.active)
    }

    /// True when `endpoint` has been enacted but its record points to a deleted plan, so that
    /// resolving it yields no address at all.
    pub fn resolves_empty(&self, endpoint: EndpointId) -> bool {
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

/// Checks every property over one execution's log; at most one violation per property, at the
/// first step where it broke.
pub fn check(steps: &[Step], endpoints: usize) -> Vec<Violation> {
    let mut violations = Vec::new();
    let mut world = WorldView::new(endpoints);
    let mut newest_picked: Option<Generation> = None;
    let mut empty_seen = false;
    let mut regression_seen = false;

    for (index, step) in steps.iter().enumerate() {
        let before = world.clone();
        world.apply(step);
        match step.event {
            Event::Picked {
                generation: Some(generation),
            } => newest_picked = newest_picked.max(Some(generation)),
            Event::Installed {
                endpoint,
                generation,
                ..
            } if !regression_seen => {
                if let Some(previous) = before.active(endpoint).filter(|p| *p > generation) {
                    regression_seen = true;
                    violations.push(Violation {
                        property: Property::MonotonicGeneration,
                        step: index,
                        detail: format!("{endpoint} went back from {previous} to {generation}"),
                    });
                }
            }
            _ => {}
        }
        if !empty_seen {
            if let Some(endpoint) = (0..endpoints)
                .map(EndpointId)
                .find(|e| world.resolves_empty(*e))
            {
                empty_seen = true;
                let deleted = world.active(endpoint).map(|g| g.to_string());
                violations.push(Violation {
                    property: Property::NoEmptyRecord,
                    step: index,
                    detail: format!(
                        "{endpoint} resolves to nothing: its plan {} was deleted",
                        deleted.unwrap_or_default()
                    ),
                });
            }
        }
    }

    if let Some(newest) = newest_picked {
        if let Some(endpoint) = (0..endpoints)
            .map(EndpointId)
            .find(|e| world.active(*e) != Some(newest))
        {
            let held = world
                .active(endpoint)
                .map_or_else(|| "nothing".to_owned(), |g| g.to_string());
            violations.push(Violation {
                property: Property::Progress,
                step: steps.len().saturating_sub(1),
                detail: format!("{endpoint} ends at {held}, newest picked is {newest}"),
            });
        }
    }
    violations
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Actor;

    fn step(actor: Actor, event: Event) -> Step {
        Step { actor, event }
    }

    fn installed(actor: Actor, generation: u64, rollback: Option<u64>) -> Step {
        step(
            actor,
            Event::Installed {
                endpoint: EndpointId(0),
                generation: Generation(generation),
                rollback: rollback.map(Generation),
            },
        )
    }

    fn published(generation: u64) -> Step {
        step(
            Actor::Planner,
            Event::Published {
                generation: Generation(generation),
            },
        )
    }

    fn picked(actor: Actor, generation: u64) -> Step {
        step(
            actor,
            Event::Picked {
                generation: Some(Generation(generation)),
            },
        )
    }

    #[test]
    fn a_clean_history_violates_nothing() {
        let steps = vec![
            published(1),
            published(2),
            picked(Actor::Enactor(0), 2),
            installed(Actor::Enactor(0), 2, None),
        ];
        assert!(check(&steps, 1).is_empty());
    }

    #[test]
    fn deleting_the_active_plan_empties_the_record() {
        let steps = vec![
            published(1),
            picked(Actor::Enactor(0), 1),
            installed(Actor::Enactor(0), 1, None),
            step(
                Actor::Enactor(1),
                Event::Swept {
                    applied: Generation(3),
                    deleted: vec![Generation(1)],
                    spared: vec![],
                },
            ),
        ];
        let violations = check(&steps, 1);
        let empty = violations
            .iter()
            .find(|v| v.property == Property::NoEmptyRecord);
        assert_eq!(empty.map(|v| v.step), Some(3));
    }

    #[test]
    fn a_stale_overwrite_is_a_regression_and_blocks_progress() {
        let steps = vec![
            published(1),
            published(2),
            picked(Actor::Enactor(0), 1),
            picked(Actor::Enactor(1), 2),
            installed(Actor::Enactor(1), 2, None),
            installed(Actor::Enactor(0), 1, Some(2)),
        ];
        let properties: Vec<Property> = check(&steps, 1).iter().map(|v| v.property).collect();
        assert_eq!(
            properties,
            vec![Property::MonotonicGeneration, Property::Progress]
        );
    }

    #[test]
    fn each_property_is_reported_once_at_its_first_failure() {
        let steps = vec![
            published(1),
            published(2),
            published(3),
            installed(Actor::Enactor(0), 3, None),
            installed(Actor::Enactor(1), 2, Some(3)),
            installed(Actor::Enactor(0), 3, Some(2)),
            installed(Actor::Enactor(1), 1, Some(3)),
        ];
        let regressions: Vec<usize> = check(&steps, 1)
            .iter()
            .filter(|v| v.property == Property::MonotonicGeneration)
            .map(|v| v.step)
            .collect();
        assert_eq!(regressions, vec![4]);
    }

    #[test]
    fn writing_the_same_generation_again_is_not_a_regression() {
        let steps = vec![
            published(1),
            picked(Actor::Enactor(0), 1),
            installed(Actor::Enactor(0), 1, None),
            installed(Actor::Enactor(1), 1, Some(1)),
        ];
        assert!(check(&steps, 1).is_empty());
    }

    #[test]
    fn an_endpoint_never_enacted_is_not_empty() {
        let world = WorldView::new(2);
        assert!(!world.resolves_empty(EndpointId(1)));
    }
}
