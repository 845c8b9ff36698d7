//! The step model's state: the plan store, every endpoint's record, the Planner's progress, and
//! each Enactor's program point, locals and held lock.

use crate::protocol::plan::{EndpointId, Generation};
use crate::protocol::record::{Commit, Record};

/// A set of generations, one bit each (the model's limit is [`MAX_MODEL_GENERATIONS`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Generations(u64);

/// The most generations the step model can hold: one bit each in a `u64`, generation 0 unused.
pub const MAX_MODEL_GENERATIONS: u64 = 63;

/// The most endpoints the step model can hold: one bit each in a `u64`.
pub const MAX_MODEL_ENDPOINTS: usize = 64;

impl Generations {
    /// Whether `generation` is in the set.
    pub(crate) fn contains(self, generation: Generation) -> bool {
        generation.0 <= MAX_MODEL_GENERATIONS && self.0 & (1 << generation.0) != 0
    }

    /// Adds `generation`; generations past [`MAX_MODEL_GENERATIONS`] are never added (the
    /// model refuses such configurations before it runs).
    pub(crate) fn insert(&mut self, generation: Generation) {
        if generation.0 <= MAX_MODEL_GENERATIONS {
            self.0 |= 1 << generation.0;
        }
    }

    /// Removes `generation`.
    pub(crate) fn remove(&mut self, generation: Generation) {
        if generation.0 <= MAX_MODEL_GENERATIONS {
            self.0 &= !(1 << generation.0);
        }
    }

    /// The members, oldest first.
    pub(crate) fn iter(self) -> impl Iterator<Item = Generation> {
        (0..=MAX_MODEL_GENERATIONS)
            .filter(move |g| self.0 & (1 << g) != 0)
            .map(Generation)
    }

    /// The newest member.
    pub(crate) fn newest(self) -> Option<Generation> {
        (self.0 != 0).then(|| Generation(u64::from(63 - self.0.leading_zeros())))
    }
}

/// Where an Enactor is in its cycle: the next step it takes on shared state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Pc {
    /// About to read the newest plan.
    Pick,
    /// About to lock and read this endpoint's record for the staleness check.
    Check(u8),
    /// (`RecheckBeforeWrite`) about to lock and read this endpoint's record again before writing.
    Recheck(u8),
    /// About to try this endpoint's lock, attempt number `attempt` (from 1), and commit.
    Write {
        /// The endpoint.
        endpoint: u8,
        /// The attempt.
        attempt: u8,
    },
    /// Out of attempts for this endpoint: about to log that it gives up.
    GiveUp(u8),
    /// (`GuardedSweepNonAtomic`) about to lock and read this endpoint's record for the sweep.
    Scan(u8),
    /// About to delete old plans (one store step).
    Sweep,
    /// The cycle is over.
    Done,
}

/// A record lock an Enactor holds: it took the lock in its last step and releases it in its
/// next one (unlocking is a step of its own, as it is on real threads).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Held {
    /// The endpoint whose lock is held.
    pub endpoint: u8,
    /// The outcome of the commit made under it, if the step was a write.
    pub outcome: Option<Commit>,
}

/// One Enactor: its program point and locals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct EnactorState {
    /// The next step.
    pub pc: Pc,
    /// The lock it holds, released by its next step.
    pub held: Option<Held>,
    /// The plan it picked (`None` before the pick, or when the store was empty).
    pub plan: Option<Generation>,
    /// The endpoints whose check found the plan newer, one bit each.
    pub older: u64,
    /// Whether a write of this cycle installed the plan.
    pub installed_any: bool,
    /// (`GuardedSweepNonAtomic`) the plans the scanned records reference.
    pub scanned: Generations,
}

impl EnactorState {
    /// An Enactor about to start a cycle.
    pub(crate) const START: EnactorState = EnactorState {
        pc: Pc::Pick,
        held: None,
        plan: None,
        older: 0,
        installed_any: false,
        scanned: Generations(0),
    };

    /// Whether the cycle is over and every lock released.
    pub(crate) fn is_done(&self) -> bool {
        self.pc == Pc::Done && self.held.is_none()
    }
}

/// The whole state: what the store, the zone and every actor hold between two steps.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct StepState {
    /// The newest generation the Planner has published.
    pub published: Generation,
    /// The plans in the store.
    pub live: Generations,
    /// Every endpoint's record.
    pub records: Vec<Record>,
    /// The Enactors of the race, in id order (or sorted, as a symmetry representative).
    pub enactors: Vec<EnactorState>,
    /// The next cycle, run by Enactor A after every thread has joined; `None` until it starts.
    pub last: Option<EnactorState>,
}

impl StepState {
    /// Which Enactor of the race holds `endpoint`'s lock, if any.
    pub(crate) fn lock_holder(&self, endpoint: u8) -> Option<usize> {
        self.enactors
            .iter()
            .position(|e| e.held.is_some_and(|h| h.endpoint == endpoint))
    }

    /// Every Enactor state, the next cycle's included.
    pub(crate) fn all_enactors(&self) -> impl Iterator<Item = &EnactorState> {
        self.enactors.iter().chain(&self.last)
    }

    /// The record of `endpoint`.
    pub(crate) fn record(&self, endpoint: u8) -> Record {
        self.records
            .get(usize::from(endpoint))
            .copied()
            .unwrap_or_default()
    }

    /// The symmetry representative: Enactors are interchangeable, so the state with them
    /// sorted stands for every permutation of them. Locks are held inside each Enactor's own
    /// state, so nothing else refers to their order.
    pub(crate) fn representative(&self) -> StepState {
        let mut representative = self.clone();
        representative.enactors.sort_unstable();
        representative
    }

    /// A 64-bit hash of the state, as stateright keeps them.
    pub(crate) fn fingerprint(&self) -> u64 {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        std::hash::Hash::hash(self, &mut hasher);
        std::hash::Hasher::finish(&hasher)
    }

    /// Whether any record entry (active or rollback) points at `generation`: what the store's
    /// reference counts say (every commit updates them in its own store step).
    pub(crate) fn is_referenced(&self, generation: Generation) -> bool {
        self.records
            .iter()
            .any(|r| r.active == Some(generation) || r.rollback == Some(generation))
    }
}

/// An endpoint id of the model as the protocol's.
pub(crate) fn endpoint(index: u8) -> EndpointId {
    EndpointId(usize::from(index))
}
