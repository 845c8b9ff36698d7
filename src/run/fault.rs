//! Seeded, reproducible faults for runs on real threads: slow Enactor cycles that lose endpoint
//! locks and wait before their writes (the incident's "unusually high delays"), and a Planner
//! that publishes in bursts.
//!
//! Every decision is a pure function of the seed, the actor, its cycle number, the endpoint
//! and the attempt, never of timing, so the same seed gives the same fault schedule however the
//! threads interleave. Faults are applied through the [`Schedule`] hooks the protocol already
//! calls before every step, so no protocol code changes for them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::protocol::config::MAX_ENACTORS;
use crate::protocol::event::Actor;
use crate::protocol::plan::EndpointId;
use crate::protocol::schedule::{Point, Schedule};

/// Which faults to inject, and how hard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FaultPlan {
    /// Percent chance (0-100) that a given Enactor cycle is slow.
    pub slow_percent: u8,
    /// In a slow cycle, how many attempts at each endpoint's lock fail before one succeeds.
    pub lock_loss: u32,
    /// How long each lost lock attempt costs the Enactor (its backoff).
    pub backoff: Duration,
    /// In a slow cycle, an extra wait before each write.
    pub write_delay: Duration,
    /// The Planner publishes this many generations back to back (1: no bursts).
    pub burst: u32,
    /// The Planner's pause between bursts.
    pub burst_pause: Duration,
}

impl FaultPlan {
    /// No faults at all.
    pub const NONE: FaultPlan = FaultPlan {
        slow_percent: 0,
        lock_loss: 0,
        backoff: Duration::ZERO,
        write_delay: Duration::ZERO,
        burst: 1,
        burst_pause: Duration::ZERO,
    };

    /// The incident's fault: a third of the Enactor cycles lose each endpoint's lock twice
    /// (short of the Enactor's attempt limit, so they are late rather than giving up), back off
    /// 50 µs each time and wait 100 µs before every write; the Planner publishes in bursts of 4.
    pub const LOCK_LOSS: FaultPlan = FaultPlan {
        slow_percent: 33,
        lock_loss: 2,
        backoff: Duration::from_micros(50),
        write_delay: Duration::from_micros(100),
        burst: 4,
        burst_pause: Duration::from_micros(200),
    };
}

/// A [`Schedule`] that injects the faults of a [`FaultPlan`], decided by a seed.
#[derive(Debug)]
pub struct Faults {
    plan: FaultPlan,
    seed: u64,
    /// Each Enactor's current cycle number; only that Enactor's thread writes its slot.
    cycles: Vec<AtomicU64>,
}

impl Faults {
    /// The faults of `plan`, decided by `seed`.
    pub fn new(plan: FaultPlan, seed: u64) -> Self {
        Self {
            plan,
            seed,
            cycles: (0..MAX_ENACTORS).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// Whether cycle `cycle` of Enactor `enactor` is a slow one.
    pub fn is_slow(&self, enactor: usize, cycle: u64) -> bool {
        let roll = mix(self.seed, [enactor as u64, cycle, 0]) % 100;
        roll < u64::from(self.plan.slow_percent)
    }

    fn current_cycle(&self, actor: Actor) -> Option<(usize, u64)> {
        match actor {
            Actor::Enactor(n) => self
                .cycles
                .get(n)
                .map(|cycle| (n, cycle.load(Ordering::Relaxed))),
            Actor::Planner | Actor::Setup => None,
        }
    }

    fn in_slow_cycle(&self, actor: Actor) -> bool {
        self.current_cycle(actor)
            .is_some_and(|(enactor, cycle)| self.is_slow(enactor, cycle))
    }
}

/// SplitMix64 over the seed and the decision's coordinates: a well-spread, stateless hash.
fn mix(seed: u64, coordinates: [u64; 3]) -> u64 {
    let mut state = seed;
    for value in coordinates {
        state = state
            .wrapping_add(value)
            .wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        state = z ^ (z >> 31);
    }
    state
}

fn pause(duration: Duration) {
    if !duration.is_zero() {
        std::thread::sleep(duration);
    }
}

impl Schedule for Faults {
    fn reach(&self, actor: Actor, point: Point) {
        match (actor, point) {
            (Actor::Enactor(n), Point::Pick) => {
                if let Some(cycle) = self.cycles.get(n) {
                    cycle.fetch_add(1, Ordering::Relaxed);
                }
            }
            (Actor::Enactor(_), Point::Write(_)) if self.in_slow_cycle(actor) => {
                pause(self.plan.write_delay);
            }
            (Actor::Planner, Point::Publish(generation)) => {
                // Generation 2 opens the first burst; a pause before each later one.
                let burst = u64::from(self.plan.burst.max(1));
                if generation.0 > 2 && (generation.0 - 2) % burst == 0 {
                    pause(self.plan.burst_pause);
                }
            }
            _ => {}
        }
    }

    fn done(&self, _actor: Actor) {}

    fn lose_lock(&self, actor: Actor, _endpoint: EndpointId, attempt: u32) -> bool {
        let lost = attempt <= self.plan.lock_loss && self.in_slow_cycle(actor);
        if lost {
            pause(self.plan.backoff);
        }
        lost
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_slow_cycles() {
        let a = Faults::new(FaultPlan::LOCK_LOSS, 7);
        let b = Faults::new(FaultPlan::LOCK_LOSS, 7);
        let c = Faults::new(FaultPlan::LOCK_LOSS, 8);
        let pattern = |f: &Faults| -> Vec<bool> {
            (0..3)
                .flat_map(|e| (0..200).map(move |cycle| (e, cycle)))
                .map(|(e, cycle)| f.is_slow(e, cycle))
                .collect()
        };
        assert_eq!(pattern(&a), pattern(&b));
        assert_ne!(pattern(&a), pattern(&c));
        let slow = pattern(&a).iter().filter(|s| **s).count();
        // 33% of 600 cycles, give or take what a fair hash allows.
        assert!((120..280).contains(&slow), "{slow} slow cycles");
    }

    #[test]
    fn a_slow_cycle_loses_exactly_lock_loss_attempts() {
        let plan = FaultPlan {
            slow_percent: 100,
            backoff: Duration::ZERO,
            write_delay: Duration::ZERO,
            ..FaultPlan::LOCK_LOSS
        };
        let faults = Faults::new(plan, 1);
        let a = Actor::Enactor(0);
        faults.reach(a, Point::Pick);
        let lost: Vec<bool> = (1..=4)
            .map(|attempt| faults.lose_lock(a, EndpointId(0), attempt))
            .collect();
        assert_eq!(lost, vec![true, true, false, false]);
        assert!(!faults.lose_lock(Actor::Planner, EndpointId(0), 1));
    }

    #[test]
    fn no_faults_means_no_lost_lock() {
        let faults = Faults::new(FaultPlan::NONE, 1);
        faults.reach(Actor::Enactor(0), Point::Pick);
        assert!(!faults.lose_lock(Actor::Enactor(0), EndpointId(0), 1));
    }
}
