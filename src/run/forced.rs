//! The schedule that forces a script (`protocol/script.rs`: the steps and their text) on real
//! threads, step by step.

use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::protocol::event::Actor;
use crate::protocol::schedule::{Point, Schedule};

/// Forces one interleaving on real threads: the listed steps run one at a time, in the
/// listed order. Steps of an actor that finished without reaching them are skipped (a
/// fixed protocol may stop earlier than the buggy one); once the script is used up, every
/// actor runs freely.
///
/// Blocking here uses `std::sync` on purpose: the script is a test harness for real threads
/// and never runs under loom.
#[derive(Debug)]
pub struct ForcedSchedule {
    steps: Vec<(Actor, Point)>,
    state: Mutex<ForcedState>,
    turn: Condvar,
    patience: Duration,
}

#[derive(Debug, Default)]
struct ForcedState {
    cursor: usize,
    running: Option<Actor>,
    finished: Vec<Actor>,
    diverged: Option<String>,
}

impl ForcedSchedule {
    /// A script of `steps`. An actor that waits longer than `patience` for a turn that never
    /// comes ends the script (see [`ForcedSchedule::divergence`]) instead of hanging the run.
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

    fn state(&self) -> MutexGuard<'_, ForcedState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn finish_step(&self, state: &mut ForcedState, actor: Actor) {
        if state.running == Some(actor) {
            state.running = None;
            state.cursor += 1;
        }
        self.skip_finished(state);
        self.turn.notify_all();
    }

    fn skip_finished(&self, state: &mut ForcedState) {
        while let Some((next, _)) = self.steps.get(state.cursor) {
            if !state.finished.contains(next) {
                break;
            }
            state.cursor += 1;
        }
    }
}

impl Schedule for ForcedSchedule {
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
        let script = Arc::new(ForcedSchedule::new(
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
        let script = ForcedSchedule::new(
            vec![(Actor::Planner, Point::Pick)],
            Duration::from_millis(50),
        );
        script.reach(Actor::Enactor(0), Point::Pick);
        assert!(script.divergence().is_some_and(|d| d.contains("Enactor A")));
    }
}
