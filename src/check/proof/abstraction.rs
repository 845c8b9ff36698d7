//! The step model's states as first-order structures: the map the conformance check applies
//! to every reachable state and every successor before comparing them with the first-order
//! model's.

use crate::check::proof::formula::{Pc, StateFn, Structure, Universe};
use crate::check::step_model::state::{EnactorState, Pc as StepPc, StepState};
use crate::protocol::config::Config;
use crate::protocol::enactor::MAX_LOCK_ATTEMPTS;
use crate::protocol::plan::Generation;
use crate::protocol::record::Commit;

/// The universe of `config`'s states: its Enactors and endpoints, generations 0 to one past
/// its last (a first-order publish may go one further than the step model's Planner), its
/// sweep age and the code's lock attempts.
pub(crate) fn universe(config: Config) -> Universe {
    Universe {
        enactors: config.enactors(),
        endpoints: config.endpoints(),
        generations: usize::try_from(config.generations()).unwrap_or(usize::MAX) + 2,
        sweep_age: i64::try_from(config.sweep_age()).unwrap_or(i64::MAX),
        max_attempts: i64::from(MAX_LOCK_ATTEMPTS),
    }
}

fn code(generation: Option<Generation>) -> i64 {
    generation.map_or(0, |g| i64::try_from(g.0).unwrap_or(i64::MAX))
}

/// An Enactor's program point as (pc, at, attempt).
fn position(pc: StepPc) -> (Pc, u8, u8) {
    match pc {
        StepPc::Pick => (Pc::Pick, 0, 0),
        StepPc::Check(e) => (Pc::Check, e, 0),
        StepPc::Recheck(e) => (Pc::Recheck, e, 0),
        StepPc::Write { endpoint, attempt } => (Pc::Write, endpoint, attempt),
        StepPc::GiveUp(e) => (Pc::GiveUp, e, 0),
        StepPc::Scan(e) => (Pc::Scan, e, 0),
        StepPc::Sweep => (Pc::Sweep, 0, 0),
        StepPc::Done => (Pc::Done, 0, 0),
    }
}

/// `state` as a first-order structure over `universe`. Only the Enactors of the race are
/// mapped: with looping Enactors the step model has no next cycle apart.
pub(crate) fn abstract_state(universe: &Universe, state: &StepState) -> Structure {
    let mut s = universe.empty();
    let u = universe;
    s.set(u, StateFn::Published, &[], code(Some(state.published)));
    for g in state.live.iter() {
        s.set(u, StateFn::Live, &[code(Some(g))], 1);
    }
    for (p, record) in state.records.iter().enumerate() {
        let p = i64::try_from(p).unwrap_or(i64::MAX);
        s.set(u, StateFn::Active, &[p], code(record.active));
        s.set(u, StateFn::Rollback, &[p], code(record.rollback));
    }
    for (a, enactor) in state.enactors.iter().enumerate() {
        set_enactor(u, &mut s, i64::try_from(a).unwrap_or(i64::MAX), enactor);
    }
    s
}

fn set_enactor(u: &Universe, s: &mut Structure, a: i64, enactor: &EnactorState) {
    let (pc, at, attempt) = position(enactor.pc);
    s.set(u, StateFn::Pc, &[a], pc as i64);
    s.set(u, StateFn::At, &[a], i64::from(at));
    s.set(u, StateFn::Attempt, &[a], i64::from(attempt));
    s.set(u, StateFn::Plan, &[a], code(enactor.plan));
    s.set(
        u,
        StateFn::InstalledAny,
        &[a],
        i64::from(enactor.installed_any),
    );
    if let Some(held) = enactor.held {
        s.set(u, StateFn::Held, &[a], 1);
        s.set(u, StateFn::HeldAt, &[a], i64::from(held.endpoint));
        if let Some(Commit::Installed { rollback }) = held.outcome {
            s.set(u, StateFn::HeldWrote, &[a], 1);
            s.set(u, StateFn::HeldPrev, &[a], code(rollback));
        }
    }
    for p in 0..u.endpoints.min(64) {
        if enactor.older & (1 << p) != 0 {
            s.set(u, StateFn::Older, &[a, i64::try_from(p).unwrap_or(0)], 1);
        }
    }
    for g in enactor.scanned.iter() {
        s.set(u, StateFn::Scanned, &[a, code(Some(g))], 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::step_model::transition::{Cycles, StepModel};
    use crate::protocol::variant::Variant;

    /// The universe is as small as the conformance check can take: the step model's
    /// generations, one more for a first-order publish, and the none value 0. Every table of
    /// the check's states is that wide, so a larger one costs memory on every state.
    #[test]
    fn the_universe_holds_the_configurations_sizes_and_one_generation_more() {
        let config: Config = "3E2P5G1K".parse().expect("valid");
        let u = universe(config);
        assert_eq!((u.enactors, u.endpoints), (3, 2));
        assert_eq!(u.generations, 5 + 2, "generations 0 (none) to 6");
        assert_eq!(
            (u.sweep_age, u.max_attempts),
            (1, i64::from(MAX_LOCK_ATTEMPTS))
        );
    }

    /// Each endpoint an Enactor's check found older is its own `older` entry: the second
    /// endpoint's bit, not only the first's, reaches the first-order state.
    #[test]
    fn every_endpoint_found_older_is_mapped() {
        let config: Config = "2E3P4G2K".parse().expect("valid");
        let model = StepModel::new(Variant::Fixed, config, Cycles::OneEach).expect("fits");
        let mut state = model.init();
        state.enactors[1].older = 0b110;
        let u = universe(config);
        let s = abstract_state(&u, &state);
        let older = |a: i64, p: i64| s.get(&u, StateFn::Older, &[a, p]);
        assert_eq!([older(1, 0), older(1, 1), older(1, 2)], [0, 1, 1]);
        assert_eq!([older(0, 0), older(0, 1), older(0, 2)], [0, 0, 0]);
    }
}
