//! Points at which a run can be steered: every step that touches shared state first reports
//! where it is, so a replay can force one exact interleaving on real threads.

use crate::plan::{EndpointId, Generation};
use crate::trace::Actor;

/// A step an actor is about to take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Point {
    /// The Planner is about to publish this generation.
    Publish(Generation),
    /// An Enactor is about to read the newest plan.
    Pick,
    /// An Enactor is about to run its staleness check on this endpoint.
    Check(EndpointId),
    /// An Enactor is about to try this endpoint's transaction (once per attempt).
    Write(EndpointId),
    /// A non-atomic guarded sweep is about to read this endpoint's record.
    SweepScan(EndpointId),
    /// An Enactor is about to run its clean-up sweep (the delete step).
    Sweep,
}

/// Decides when each actor may take its next step.
///
/// The protocol calls [`Schedule::reach`] before every step and [`Schedule::done`] when an
/// actor has no more steps. An actor's step lasts from its `reach` until its next `reach` or
/// `done`, which is how a schedule knows the step has released its locks.
pub trait Schedule: Send + Sync {
    /// `actor` is about to take the step at `point`; returns when it may.
    fn reach(&self, actor: Actor, point: Point);
    /// `actor` has finished all its steps.
    fn done(&self, actor: Actor);

    /// Whether `actor`'s attempt number `attempt` (from 1) at `endpoint`'s transaction lock is
    /// to fail as if another actor held the lock: fault injection. Never, by default.
    fn lose_lock(&self, _actor: Actor, _endpoint: EndpointId, _attempt: u32) -> bool {
        false
    }
}

/// No steering: every step goes as soon as the actor reaches it. Under loom this is the only
/// schedule, because loom itself chooses the interleaving.
#[derive(Debug, Clone, Copy, Default)]
pub struct FreeRun;

impl Schedule for FreeRun {
    fn reach(&self, _actor: Actor, _point: Point) {}
    fn done(&self, _actor: Actor) {}
}

#[cfg(not(loom))]
pub use scripted::Script;

#[cfg(not(loom))]
mod scripted {
    use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
    use std::time::Duration;

    use super::{Point, Schedule};
    use crate::trace::Actor;

    /// Forces one interleaving on real threads: the listed steps run one at a time, in the
    /// listed order. Steps of an actor that finished without reaching them are skipped (a
    /// fixed protocol may stop earlier than the buggy one); once the script is used up, every
    /// actor runs freely.
    ///
    /// Blocking here uses `std::sync` on purpose: the script is a test harness for real threads
    /// and never runs under loom.
    #[derive(Debug)]
    pub struct Script {
        steps: Vec<(Actor, Point)>,
        state: Mutex<ScriptState>,
        turn: Condvar,
        patience: Duration,
    }

    #[derive(Debug, Default)]
    struct ScriptState {
        cursor: usize,
        running: Option<Actor>,
        finished: Vec<Actor>,
        diverged: Option<String>,
    }

    impl Script {
        /// A script of `steps`. An actor that waits longer than `patience` for a turn that never
        /// comes ends the script (see [`Script::divergence`]) instead of hanging the run.
        pub fn new(steps: Vec<(Actor, Point)>, patience: Duration) -> Self {
            Self {
                steps,
                state: Mutex::default(),
                turn: Condvar::new(),
                patience,
            }
        }

        /// Why the run left the script, if it did: the actor and step that waited in vain.
        pub fn divergence(&self) -> Option<String> {
            self.state().diverged.clone()
        }

        /// How many scripted steps ran.
        pub fn steps_taken(&self) -> usize {
            self.state().cursor.min(self.steps.len())
        }

        fn state(&self) -> MutexGuard<'_, ScriptState> {
            self.state.lock().unwrap_or_else(PoisonError::into_inner)
        }

        fn finish_step(&self, state: &mut ScriptState, actor: Actor) {
            if state.running == Some(actor) {
                state.running = None;
                state.cursor += 1;
            }
            self.skip_finished(state);
            self.turn.notify_all();
        }

        fn skip_finished(&self, state: &mut ScriptState) {
            while let Some((next, _)) = self.steps.get(state.cursor) {
                if !state.finished.contains(next) {
                    break;
                }
                state.cursor += 1;
            }
        }
    }

    impl Schedule for Script {
        fn reach(&self, actor: Actor, point: Point) {
            let mut state = self.state();
            self.finish_step(&mut state, actor);
            loop {
                if state.diverged.is_some() {
                    return;
                }
                let Some(next) = self.steps.get(state.cursor) else {
                    return;
                };
                if state.running.is_none() && *next == (actor, point) {
                    state.running = Some(actor);
                    return;
                }
                let (guard, wait) = self
                    .turn
                    .wait_timeout(state, self.patience)
                    .unwrap_or_else(PoisonError::into_inner);
                state = guard;
                if wait.timed_out() {
                    let expected = self.steps.get(state.cursor);
                    state.diverged = Some(format!(
                        "{} waited at {point:?}, script expects {expected:?}",
                        actor.label()
                    ));
                    self.turn.notify_all();
                    return;
                }
            }
        }

        fn done(&self, actor: Actor) {
            let mut state = self.state();
            state.finished.push(actor);
            self.finish_step(&mut state, actor);
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use std::sync::Arc;

        #[test]
        fn steps_run_in_script_order_whatever_the_thread_timing() {
            let script = Arc::new(Script::new(
                vec![
                    (Actor::Enactor(1), Point::Pick),
                    (Actor::Enactor(0), Point::Pick),
                    (Actor::Enactor(1), Point::Sweep),
                ],
                Duration::from_secs(10),
            ));
            let order = Arc::new(Mutex::new(Vec::new()));
            let threads: Vec<_> = [0, 1]
                .into_iter()
                .map(|n| {
                    let script = Arc::clone(&script);
                    let order = Arc::clone(&order);
                    std::thread::spawn(move || {
                        let me = Actor::Enactor(n);
                        script.reach(me, Point::Pick);
                        order.lock().unwrap().push((n, "pick"));
                        if n == 1 {
                            script.reach(me, Point::Sweep);
                            order.lock().unwrap().push((n, "sweep"));
                        }
                        script.done(me);
                    })
                })
                .collect();
            for thread in threads {
                thread.join().unwrap();
            }
            assert_eq!(
                *order.lock().unwrap(),
                vec![(1, "pick"), (0, "pick"), (1, "sweep")]
            );
            assert_eq!(script.divergence(), None);
            assert_eq!(script.steps_taken(), 3);
        }

        #[test]
        fn a_step_that_never_comes_is_reported_not_hung() {
            let script = Script::new(
                vec![(Actor::Planner, Point::Pick)],
                Duration::from_millis(50),
            );
            script.reach(Actor::Enactor(0), Point::Pick);
            assert!(script.divergence().is_some_and(|d| d.contains("Enactor A")));
        }
    }
}

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
pub fn script_of(steps: &[crate::trace::Step]) -> Result<Vec<(Actor, Point)>, ScriptError> {
    use crate::trace::Event;
    let mut script = Vec::with_capacity(steps.len());
    for (index, step) in steps.iter().enumerate() {
        let point = match &step.event {
            Event::Published { generation } => Point::Publish(*generation),
            Event::Picked { .. } => Point::Pick,
            Event::Checked { endpoint, .. } => Point::Check(*endpoint),
            Event::Installed { endpoint, .. }
            | Event::WriteRejected { endpoint, .. }
            | Event::TransactionFailed { endpoint, .. }
            | Event::PlanGone { endpoint, .. } => Point::Write(*endpoint),
            Event::SweepScanned { endpoint, .. } => Point::SweepScan(*endpoint),
            Event::Swept { .. } => Point::Sweep,
            Event::LockBusy { .. } => continue,
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

/// Writes a script as one line of space-separated steps, e.g.
/// `Planner:publish:2 A:pick A:check:0 A:write:0 A:scan:0 A:sweep`.
pub fn format_script(script: &[(Actor, Point)]) -> String {
    script
        .iter()
        .map(|(actor, point)| {
            let label = actor.label();
            let who = label.trim_start_matches("Enactor ");
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
        _ => return Err(malformed("actor must be Planner or an Enactor letter A-Z")),
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
mod script_text_tests {
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
