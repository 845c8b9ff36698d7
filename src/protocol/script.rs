//! A script: the steps, in order, that force one interleaving on real threads; how to derive
//! one from a logged execution, and its one-line text format (written and read here only).

use crate::protocol::event::{Actor, Event, Step};
use crate::protocol::plan::{EndpointId, Generation};
use crate::protocol::schedule::Point;

/// Why a logged execution cannot be turned into a script.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScriptError {
    /// Running out of lock attempts depends on another thread holding a lock mid-step, which a
    /// step-by-step script cannot force on real threads.
    #[error("step {step}: {actor} gave up on a lock; a script cannot force lock losses")]
    GaveUp {
        /// Index of the step in the log.
        step: usize,
        /// Who gave up.
        actor: String,
    },
    /// A script token that does not parse.
    #[error("bad script step {token:?}: {reason}")]
    Malformed {
        /// The token.
        token: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// The script that replays a logged execution on real threads: one scripted step per logged
/// step, in log order. Failed lock attempts are left out (on replay the lock is simply free, the
/// outcome the same); the steady-state setup needs no script.
///
/// # Errors
/// [`ScriptError::GaveUp`] when the execution depends on an Enactor exhausting its retries.
pub fn script_of(steps: &[Step]) -> Result<Vec<(Actor, Point)>, ScriptError> {
    let mut script = Vec::with_capacity(steps.len());
    for (index, step) in steps.iter().enumerate() {
        let point = match &step.event {
            Event::Published { generation } => Point::Publish(*generation),
            Event::Picked { .. } => Point::Pick,
            Event::Checked { endpoint, .. } => Point::Check(*endpoint),
            Event::Installed { endpoint, .. }
            | Event::Rejected { endpoint, .. }
            | Event::ActivePlanMissing { endpoint, .. }
            | Event::PlanDeleted { endpoint, .. } => Point::Write(*endpoint),
            Event::SweepScanned { endpoint, .. } => Point::SweepScan(*endpoint),
            Event::Swept { .. } => Point::Sweep,
            Event::LockBusy { .. } | Event::LockLost { .. } => continue,
            Event::GaveUp { .. } => {
                return Err(ScriptError::GaveUp {
                    step: index,
                    actor: step.actor.label(),
                });
            }
        };
        if step.actor != Actor::Setup {
            script.push((step.actor, point));
        }
    }
    Ok(script)
}

/// How to replay the logged execution `steps` of `variant` on `config` on real threads: the
/// call to make and its `replay-script:` line, or why a script cannot force it. Counterexample
/// files carry this (only the checkers write them).
#[cfg(any(loom, shuttle, planrace_docs, feature = "stateright"))]
pub(crate) fn replay_instructions(
    variant: crate::protocol::variant::Variant,
    config: crate::protocol::config::Config,
    steps: &[Step],
) -> String {
    match script_of(steps) {
        Ok(script) => format!(
            "To replay on real threads: planrace::replay(ReplayOptions::new(Variant::{variant}, \
             \"{config}\".parse()?, planrace::parse_script(line)?)), with the line below (see \
             docs/variants.md).\n\
             replay-script: {}\n",
            format_script(&script)
        ),
        Err(reason) => format!("Not replayable on real threads: {reason}\n"),
    }
}

/// Writes a script as one line of space-separated steps, e.g.
/// `Planner:publish:2 A:pick A:check:0 A:write:0 A:scan:0 A:sweep`. Enactors 0 to 25 are the
/// letters `A` to `Z`; from 26 on, `E26`, `E27`, and so on.
pub fn format_script(script: &[(Actor, Point)]) -> String {
    script
        .iter()
        .map(|(actor, point)| {
            let who = match actor {
                Actor::Enactor(n) => match u8::try_from(*n) {
                    Ok(n) if n < 26 => char::from(b'A' + n).to_string(),
                    _ => format!("E{n}"),
                },
                other => other.label(),
            };
            let what = match point {
                Point::Publish(g) => format!("publish:{}", g.0),
                Point::Pick => "pick".to_owned(),
                Point::Check(e) => format!("check:{}", e.0),
                Point::Write(e) => format!("write:{}", e.0),
                Point::SweepScan(e) => format!("scan:{}", e.0),
                Point::Sweep => "sweep".to_owned(),
            };
            format!("{who}:{what}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads a script written by [`format_script`].
///
/// # Errors
/// [`ScriptError::Malformed`] naming the first token that does not parse.
pub fn parse_script(text: &str) -> Result<Vec<(Actor, Point)>, ScriptError> {
    text.split_whitespace().map(parse_step).collect()
}

fn parse_step(token: &str) -> Result<(Actor, Point), ScriptError> {
    let malformed = |reason: &str| ScriptError::Malformed {
        token: token.to_owned(),
        reason: reason.to_owned(),
    };
    let mut parts = token.split(':');
    let who = parts.next().unwrap_or_default();
    let what = parts
        .next()
        .ok_or_else(|| malformed("expected ACTOR:STEP"))?;
    let number = parts.next();
    if parts.next().is_some() {
        return Err(malformed("too many ':'"));
    }
    let actor = match who.as_bytes() {
        b"Planner" => Actor::Planner,
        [letter @ b'A'..=b'Z'] => Actor::Enactor(usize::from(letter - b'A')),
        [b'E', digits @ ..] if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) => {
            let n: usize = who[1..]
                .parse()
                .map_err(|_| malformed("Enactor number too large"))?;
            if n < 26 {
                return Err(malformed("Enactors 0-25 are written as letters A-Z"));
            }
            Actor::Enactor(n)
        }
        _ => {
            return Err(malformed(
                "actor must be Planner, an Enactor letter A-Z, or E26 and up",
            ));
        }
    };
    let number = |what: &str| -> Result<u64, ScriptError> {
        number
            .ok_or_else(|| malformed(&format!("{what} needs a number")))?
            .parse()
            .map_err(|_| malformed("not a number"))
    };
    let endpoint = |what: &str| -> Result<EndpointId, ScriptError> {
        usize::try_from(number(what)?)
            .map(EndpointId)
            .map_err(|_| malformed("endpoint too large"))
    };
    let point = match what {
        "publish" => Point::Publish(Generation(number(what)?)),
        "pick" => Point::Pick,
        "check" => Point::Check(endpoint(what)?),
        "write" => Point::Write(endpoint(what)?),
        "scan" => Point::SweepScan(endpoint(what)?),
        "sweep" => Point::Sweep,
        _ => return Err(malformed("unknown step")),
    };
    Ok((actor, point))
}

#[cfg(test)]
mod tests {
    use crate::protocol::config::FLEET_LIMIT;

    #[test]
    fn scripts_round_trip_for_every_enactor_a_config_allows() {
        let script: Vec<(Actor, Point)> = (0..FLEET_LIMIT)
            .flat_map(|n| {
                [
                    (Actor::Enactor(n), Point::Pick),
                    (Actor::Enactor(n), Point::Check(EndpointId(n))),
                ]
            })
            .collect();
        let text = format_script(&script);
        assert!(!text.contains('?'), "{text}");
        assert!(text.contains("Z:pick") && text.contains("E26:pick") && text.contains("E63:"));
        assert_eq!(parse_script(&text), Ok(script));
        for bad in ["E5:pick", "E2x:pick", "E99999999999999999999999:pick"] {
            assert!(parse_script(bad).is_err(), "{bad}");
        }
    }

    use super::*;

    #[test]
    fn scripts_round_trip_through_text() {
        let script = vec![
            (Actor::Planner, Point::Publish(Generation(2))),
            (Actor::Enactor(0), Point::Pick),
            (Actor::Enactor(1), Point::Check(EndpointId(1))),
            (Actor::Enactor(2), Point::Write(EndpointId(0))),
            (Actor::Enactor(1), Point::SweepScan(EndpointId(3))),
            (Actor::Enactor(1), Point::Sweep),
        ];
        let text = format_script(&script);
        assert_eq!(
            text,
            "Planner:publish:2 A:pick B:check:1 C:write:0 B:scan:3 B:sweep"
        );
        assert_eq!(parse_script(&text), Ok(script));
    }

    #[test]
    fn bad_tokens_are_named() {
        for bad in [
            "A",
            "Q1:pick",
            "A:publish",
            "A:check:x",
            "A:jump",
            "A:pick:1:2",
        ] {
            let error = parse_script(bad).unwrap_err();
            assert!(error.to_string().contains(bad), "{error}");
        }
    }
}
