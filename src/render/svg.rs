//! A logged execution as a self-contained SVG sequence diagram: one lane per thread plus the
//! plan store and the zone, an arrow per step (solid for writes, dashed for reads), the state
//! after every change on the right, and the step where a property breaks in red.

use std::fmt::Write as _;

use crate::check::execution::{Execution, threads};
use crate::check::property::Violation;
use crate::check::world_view::WorldView;
use crate::protocol::event::{Actor, Event, Step};

const LEFT: usize = 70;
const LANE_GAP: usize = 150;
const TOP: usize = 80;
const ROW: usize = 28;
/// Room for the state column: at least this wide, wider when a state line needs it.
const STATE_WIDTH: usize = 330;
/// Width of one character of the 12px monospace font, rounded up.
const CHAR_WIDTH: usize = 8;
const RED: &str = "#c62828";
const INK: &str = "#222";
const MUTED: &str = "#888";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lane {
    Actor(Actor),
    Store,
    Zone,
}

/// One arrow of the diagram.
struct Arrow {
    from: Lane,
    to: Lane,
    dashed: bool,
    muted: bool,
    label: String,
}

fn arrow_for(step: &Step) -> Arrow {
    let me = Lane::Actor(step.actor);
    let write = |to, label: String| Arrow {
        from: me,
        to,
        dashed: false,
        muted: false,
        label,
    };
    let read = |from, label: String| Arrow {
        from,
        to: me,
        dashed: true,
        muted: false,
        label,
    };
    let muted = |label: String| Arrow {
        from: me,
        to: Lane::Zone,
        dashed: true,
        muted: true,
        label,
    };
    match &step.event {
        Event::Published { generation } => write(Lane::Store, format!("publish {generation}")),
        Event::Picked { generation } => read(
            Lane::Store,
            generation.map_or_else(|| "newest: none".to_owned(), |g| format!("newest: {g}")),
        ),
        Event::Checked { .. } | Event::SweepScanned { .. } => {
            read(Lane::Zone, step.event.to_string())
        }
        Event::Installed { .. } | Event::ActivePlanMissing { .. } => {
            write(Lane::Zone, step.event.to_string())
        }
        Event::Swept { .. } => write(Lane::Store, step.event.to_string()),
        Event::LockBusy { .. }
        | Event::LockLost { .. }
        | Event::Rejected { .. }
        | Event::PlanDeleted { .. }
        | Event::GaveUp { .. } => muted(step.event.to_string()),
    }
}

/// `text` made safe inside SVG text and attribute values.
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl Execution {
    /// The execution as an SVG sequence diagram titled `title`, with the step that emptied a
    /// record in red (or, when none did, the first violation: [`Execution::marked`]).
    pub fn svg(&self, title: &str) -> String {
        render_svg(title, &self.steps, self.endpoints, self.marked())
    }
}

/// Renders `steps` as an SVG sequence diagram titled `title`, marking `violation` in red.
pub(crate) fn render_svg(
    title: &str,
    steps: &[Step],
    endpoints: usize,
    violation: Option<&Violation>,
) -> String {
    let mut world = WorldView::new(endpoints);
    let setup = steps.iter().take_while(|s| s.actor == Actor::Setup).count();
    for step in &steps[..setup] {
        world.apply(step);
    }
    let canvas = Canvas::new(steps, setup, &world);
    let mut svg = String::new();
    canvas.header(&mut svg, title, &world);
    let mut last_state = world.to_string();
    for (row, (index, step)) in steps.iter().enumerate().skip(setup).enumerate() {
        world.apply(step);
        let state = world.to_string();
        let changed = (state != last_state).then_some(state.as_str());
        canvas.row(
            &mut svg,
            row,
            index,
            step,
            violation.filter(|v| v.step == index),
            changed,
        );
        last_state = state;
    }
    svg.push_str("</svg>\n");
    svg
}

/// Where everything goes: the lanes in order (the Planner, the store, the Enactors, the zone),
/// the state column, and the picture's size.
struct Canvas {
    lanes: Vec<Lane>,
    state_x: usize,
    width: usize,
    height: usize,
}

impl Canvas {
    /// The canvas for `steps`, whose first `setup` steps `world` has applied.
    fn new(steps: &[Step], setup: usize, world: &WorldView) -> Self {
        let mut actors = threads(steps);
        let mut lanes = Vec::new();
        if let Some(position) = actors.iter().position(|a| *a == Actor::Planner) {
            lanes.push(Lane::Actor(actors.remove(position)));
        }
        lanes.push(Lane::Store);
        lanes.extend(actors.into_iter().map(Lane::Actor));
        lanes.push(Lane::Zone);
        let state_x = LEFT + LANE_GAP * (lanes.len() - 1) + 80;
        let mut replay = world.clone();
        let widest_state = steps[setup..]
            .iter()
            .map(|step| {
                replay.apply(step);
                replay.to_string().chars().count()
            })
            .max()
            .unwrap_or(0);
        Self {
            lanes,
            state_x,
            width: state_x + STATE_WIDTH.max(widest_state * CHAR_WIDTH + 20),
            height: TOP + (steps.len() - setup + 2) * ROW,
        }
    }

    fn lane_x(&self, lane: Lane) -> usize {
        LEFT + LANE_GAP * self.lanes.iter().position(|l| *l == lane).unwrap_or(0)
    }

    /// The opening tag, the arrow heads, the title, the state before the race, and the lanes.
    fn header(&self, svg: &mut String, title: &str, world: &WorldView) {
        let (width, height, state_x) = (self.width, self.height, self.state_x);
        let bottom = height - ROW / 2;
        let _ = writeln!(
            svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="DejaVu Sans Mono, Menlo, monospace" font-size="12">"#
        );
        let _ = writeln!(
            svg,
            r#"<defs><marker id="head" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="{INK}"/></marker><marker id="head-red" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="{RED}"/></marker><marker id="head-muted" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="{MUTED}"/></marker></defs>"#
        );
        let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
        let _ = writeln!(
            svg,
            r#"<text x="10" y="20" font-size="14" font-weight="bold" fill="{INK}">{}</text>"#,
            escape(title)
        );
        let _ = writeln!(
            svg,
            r#"<text x="10" y="38" fill="{MUTED}">before the race: {}</text>"#,
            escape(&world.to_string())
        );
        for lane in &self.lanes {
            let x = self.lane_x(*lane);
            let name = match lane {
                Lane::Actor(actor) => actor.label(),
                Lane::Store => "Plan store".to_owned(),
                Lane::Zone => "Zone (DNS)".to_owned(),
            };
            let _ = writeln!(
                svg,
                r##"<rect x="{}" y="{}" width="130" height="22" rx="4" fill="#eef2f7" stroke="{INK}"/><text x="{x}" y="{}" text-anchor="middle" font-weight="bold" fill="{INK}">{}</text><line x1="{x}" y1="{}" x2="{x}" y2="{bottom}" stroke="#bbb" stroke-dasharray="2,3"/>"##,
                x - 65,
                TOP - 30,
                TOP - 15,
                escape(&name),
                TOP - 8,
            );
        }
        let _ = writeln!(
            svg,
            r#"<text x="{state_x}" y="{}" font-weight="bold" fill="{INK}">zone / store after the step</text>"#,
            TOP - 15
        );
    }

    /// Row `row` (from 0 after the setup): step `index`'s arrow, in red when `breaks` names the
    /// violation it caused, and the state after it when it `changed`.
    fn row(
        &self,
        svg: &mut String,
        row: usize,
        index: usize,
        step: &Step,
        breaks: Option<&Violation>,
        changed: Option<&str>,
    ) {
        let state_x = self.state_x;
        let y = TOP + (row + 1) * ROW;
        let arrow = arrow_for(step);
        let (color, head) = match (breaks.is_some(), arrow.muted) {
            (true, _) => (RED, "head-red"),
            (false, true) => (MUTED, "head-muted"),
            (false, false) => (INK, "head"),
        };
        let (x1, x2) = (self.lane_x(arrow.from), self.lane_x(arrow.to));
        let end = if x2 > x1 { x2 - 4 } else { x2 + 4 };
        let dash = if arrow.dashed {
            r#" stroke-dasharray="5,4""#
        } else {
            ""
        };
        let weight = if breaks.is_some() { 2.5 } else { 1.3 };
        let _ = writeln!(
            svg,
            r#"<text x="8" y="{}" fill="{MUTED}">{index}</text><line x1="{x1}" y1="{y}" x2="{end}" y2="{y}" stroke="{color}" stroke-width="{weight}"{dash} marker-end="url(#{head})"/><text x="{}" y="{}" text-anchor="middle" fill="{color}"{}>{}</text>"#,
            y + 4,
            (x1 + x2) / 2,
            y - 5,
            if breaks.is_some() {
                r#" font-weight="bold""#
            } else {
                ""
            },
            escape(&arrow.label)
        );
        if let Some(state) = changed {
            let _ = writeln!(
                svg,
                r#"<text x="{state_x}" y="{}" fill="{color}">{}</text>"#,
                y + 4,
                escape(state)
            );
        }
        if let Some(violation) = breaks {
            let _ = writeln!(
                svg,
                r#"<text x="{state_x}" y="{}" fill="{RED}" font-weight="bold">✗ {} violated</text>"#,
                y + 18,
                violation.property
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::property::Property;
    use crate::protocol::plan::{EndpointId, Generation};

    #[test]
    fn the_breaking_step_is_red_and_text_is_escaped() {
        let steps = vec![
            Step {
                actor: Actor::Planner,
                event: Event::Published {
                    generation: Generation(1),
                },
            },
            Step {
                actor: Actor::Enactor(0),
                event: Event::Installed {
                    endpoint: EndpointId(0),
                    generation: Generation(1),
                    rollback: None,
                },
            },
        ];
        let violation = Violation {
            property: Property::NoEmptyRecord,
            step: 1,
            detail: String::new(),
        };
        let svg = render_svg("a <title> & more", &steps, 1, Some(&violation));
        assert!(svg.starts_with("<svg"));
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains("a &lt;title&gt; &amp; more"));
        assert!(svg.contains(&format!(r#"stroke="{RED}""#)));
        assert!(svg.contains("no_empty_record violated"));
        assert!(svg.contains("Enactor A") && svg.contains("Zone (DNS)"));
    }
}
