//! The properties checked on every execution, evaluated over its event log.
//!
//! Checking from the log rather than by reading the live structures keeps the checks out of
//! the model: reading the zone from inside an execution would take its locks and multiply the
//! interleavings loom has to explore.

use std::fmt;

use crate::check::world_view::{Emptiness, WorldView};
use crate::protocol::event::{Event, Step};
use crate::protocol::plan::{EndpointId, Generation};

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
pub type Violation = crate::check::harness::Violation<Property>;

/// Checks every property over one execution's log; at most one violation per property, at the
/// first step where it broke. Linear in the log: each step is checked as it comes, in
/// constant work, without copying anything.
pub fn check_properties(steps: &[Step], endpoints: usize) -> Vec<Violation> {
    let mut check = PropertyCheck::new(endpoints);
    for step in steps {
        check.observe(step);
    }
    check.finish()
}

/// What one step did to the zone, as [`PropertyCheck::observe`] saw it.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Observed {
    /// The endpoints it emptied or refilled.
    pub(crate) emptiness: Emptiness,
    /// Whether it moved an endpoint to an older generation.
    pub(crate) regressed: bool,
}

/// The properties checked online, one step at a time as the log grows: constant work per step
/// (amortized over the plans a sweep deletes), and nothing kept of the steps themselves, so a
/// run of a million generations is checked as it goes in flat memory.
#[derive(Debug, Clone)]
pub(crate) struct PropertyCheck {
    world: WorldView,
    steps: usize,
    newest_picked: Option<Generation>,
    violations: Vec<Violation>,
}

impl PropertyCheck {
    /// A check of a zone of `endpoints` endpoints, before any step.
    pub(crate) fn new(endpoints: usize) -> Self {
        Self {
            world: WorldView::new(endpoints),
            steps: 0,
            newest_picked: None,
            violations: Vec::new(),
        }
    }

    /// Whether `property` has been violated so far.
    fn seen(&self, property: Property) -> bool {
        self.violations.iter().any(|v| v.property == property)
    }

    /// Takes the next step of the log into account, and says what it did to the zone.
    pub(crate) fn observe(&mut self, step: &Step) -> Observed {
        let index = self.steps;
        self.steps += 1;
        let mut regressed = false;
        match step.event {
            Event::Picked {
                generation: Some(generation),
            } => self.newest_picked = self.newest_picked.max(Some(generation)),
            Event::Installed {
                endpoint,
                generation,
                ..
            } => {
                if let Some(previous) = self.world.active(endpoint).filter(|p| *p > generation) {
                    regressed = true;
                    if !self.seen(Property::MonotonicGeneration) {
                        self.violations.push(Violation {
                            property: Property::MonotonicGeneration,
                            step: index,
                            detail: format!("{endpoint} went back from {previous} to {generation}"),
                        });
                    }
                }
            }
            _ => {}
        }
        let emptiness = self.world.apply(step);
        if let Some(endpoint) = emptiness.emptied.first().copied()
            && !self.seen(Property::NoEmptyRecord)
        {
            let deleted = self.world.active(endpoint).map(|g| g.to_string());
            self.violations.push(Violation {
                property: Property::NoEmptyRecord,
                step: index,
                detail: format!(
                    "{endpoint} resolves to nothing: its plan {} was deleted",
                    deleted.unwrap_or_default()
                ),
            });
        }
        Observed {
            emptiness,
            regressed,
        }
    }

    /// The violations of the whole log, once its last step has been observed: the safety
    /// properties in the order they broke, then `progress`, judged on the final records.
    pub(crate) fn finish(mut self) -> Vec<Violation> {
        if let Some(newest) = self.newest_picked
            && let Some(endpoint) = (0..self.world.endpoints())
                .map(EndpointId)
                .find(|e| self.world.active(*e) != Some(newest))
        {
            let held = self
                .world
                .active(endpoint)
                .map_or_else(|| "nothing".to_owned(), |g| g.to_string());
            self.violations.push(Violation {
                property: Property::Progress,
                step: self.steps.saturating_sub(1),
                detail: format!("{endpoint} ends at {held}, newest picked is {newest}"),
            });
        }
        self.violations
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::event::Actor;

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
        assert!(check_properties(&steps, 1).is_empty());
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
        let violations = check_properties(&steps, 1);
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
        let properties: Vec<Property> = check_properties(&steps, 1)
            .iter()
            .map(|v| v.property)
            .collect();
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
        let regressions: Vec<usize> = check_properties(&steps, 1)
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
        assert!(check_properties(&steps, 1).is_empty());
    }
}
