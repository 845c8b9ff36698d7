//! One execution of the protocol as every checker and runner hands it on: its log, the size of
//! its zone and the properties it broke; and that execution as a text timeline. `render/` draws
//! the same value as a picture and writes it to files.

use crate::check::harness::Timeline;
use crate::check::property::{Property, Violation, check_properties};
use crate::check::world_view::WorldView;
use crate::protocol::event::{Actor, Step};

/// One logged execution of the protocol, judged: what a replay returns, and what a loom,
/// shuttle or stateright counterexample is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Execution {
    /// The log: the setup, then every step in the order it took effect.
    pub steps: Vec<Step>,
    /// How many endpoints the zone had.
    pub endpoints: usize,
    /// The properties the execution broke, each at the step where it broke.
    pub violations: Vec<Violation>,
}

impl Execution {
    /// The execution logged in `steps` on a zone of `endpoints`, with every property checked.
    pub fn judged(steps: Vec<Step>, endpoints: usize) -> Self {
        let violations = check_properties(&steps, endpoints);
        Self {
            steps,
            endpoints,
            violations,
        }
    }

    /// The execution as a timeline, every violation marked under its step.
    pub fn timeline(&self) -> String {
        render_timeline(&self.steps, self.endpoints, &self.violations)
    }

    /// The execution as a timeline with `notes[i]`, when there is one, under step `i` (for
    /// instance a DNS server's answer after that step).
    pub fn timeline_with(&self, notes: &[String]) -> String {
        render_annotated_timeline(&self.steps, self.endpoints, &self.violations, notes)
    }

    /// The violation a picture marks: the step that emptied a record or, when none did, the
    /// first violation.
    pub fn marked(&self) -> Option<&Violation> {
        self.violations
            .iter()
            .find(|v| v.property == Property::NoEmptyRecord)
            .or(self.violations.first())
    }
}

/// The actors that took a step in `steps`, setup excluded, in column order: the Planner, then
/// the Enactors by number.
pub(crate) fn threads(steps: &[Step]) -> Vec<Actor> {
    let mut actors: Vec<Actor> = steps
        .iter()
        .map(|s| s.actor)
        .filter(|a| *a != Actor::Setup)
        .collect();
    actors.sort();
    actors.dedup();
    actors
}

/// Renders `steps` as a timeline: a column per thread (the Planner, then each Enactor, whose
/// sweep appears in its own column), a row per step, a line with the zone's records and the
/// store's live plans under every step that changed them, and each violation's property name
/// under the step where it broke. The steady-state setup is summed up in one line on top.
/// Laid out for [`TIMELINE_WIDTH`] columns.
pub(crate) fn render_timeline(
    steps: &[Step],
    endpoints: usize,
    violations: &[Violation],
) -> String {
    render_annotated_timeline(steps, endpoints, violations, &[])
}

/// [`render_timeline`] with `notes[i]`, when there is one, on a line of its own under step `i`
/// (for the setup, the last setup step's note under the setup line).
fn render_annotated_timeline(
    steps: &[Step],
    endpoints: usize,
    violations: &[Violation],
    notes: &[String],
) -> String {
    let note = |index: usize| notes.get(index).map(|note| format!("     {note}"));
    let actors = threads(steps);
    let mut timeline = Timeline::new(actors.iter().map(|a| a.label()).collect());
    let mut world = WorldView::new(endpoints);
    let setup: Vec<String> = steps
        .iter()
        .take_while(|s| s.actor == Actor::Setup)
        .map(|s| {
            world.apply(s);
            s.event.to_string()
        })
        .collect();
    if !setup.is_empty() {
        timeline.line(&format!("setup: {}", setup.join(", ")));
        timeline.line(&format!("     {world}"));
        if let Some(note) = note(setup.len() - 1) {
            timeline.line(&note);
        }
    }
    timeline.header();
    for (index, step) in steps.iter().enumerate().skip(setup.len()) {
        let before = world.to_string();
        world.apply(step);
        let lane = actors.iter().position(|a| *a == step.actor).unwrap_or(0);
        timeline.step(index, lane, &step.event);
        let after = world.to_string();
        if after != before {
            timeline.state(after);
        }
        if let Some(note) = note(index) {
            timeline.line(&note);
        }
        for violation in violations.iter().filter(|v| v.step == index) {
            timeline.violated(violation);
        }
    }
    timeline.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::harness::TIMELINE_WIDTH;
    use crate::protocol::event::Event;
    use crate::protocol::plan::{EndpointId, Generation};
    use crate::protocol::trace::Trace;

    #[test]
    fn timeline_has_a_column_per_actor_and_shows_state_changes() {
        let trace = Trace::recording();
        trace.record(
            Actor::Planner,
            Event::Published {
                generation: Generation(1),
            },
        );
        trace.record(
            Actor::Enactor(1),
            Event::Installed {
                endpoint: EndpointId(0),
                generation: Generation(1),
                rollback: None,
            },
        );
        let text = render_timeline(&trace.steps(), 1, &[]);
        let header = text.lines().next().unwrap_or_default();
        assert!(header.contains("Planner") && header.contains("Enactor B"));
        assert!(text.contains("write ep0:=g1"));
        assert!(text.contains("ep0=g1"));
        assert!(text.contains("store {g1}"));
        assert!(
            text.lines()
                .all(|line| line.chars().count() <= TIMELINE_WIDTH)
        );
    }
}
