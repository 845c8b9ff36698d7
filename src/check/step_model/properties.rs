//! The properties and witnesses, evaluated on one state of the step model. They say what the
//! loom properties of `check::property` say of a log, state by state.

#[cfg(any(loom, feature = "stateright"))]
use crate::check::step_model::state::Pc;
use crate::check::step_model::state::StepState;
#[cfg(any(loom, feature = "stateright"))]
use crate::check::step_model::transition::StepModel;
use crate::protocol::record::Commit;

/// `no_empty_record`: every record points at a plan that still exists.
pub(crate) fn no_empty_record(state: &StepState) -> bool {
    state
        .records
        .iter()
        .all(|r| r.active.is_none_or(|g| state.live.contains(g)))
}

/// `monotonic_generation`: no write has just replaced a record with an older plan (checked in
/// the state right after the write, while its lock is still held).
pub(crate) fn monotonic_generation(state: &StepState) -> bool {
    state.all_enactors().all(|e| {
        !matches!(
            (e.held.and_then(|h| h.outcome), e.plan),
            (Some(Commit::Installed { rollback: Some(previous) }), Some(plan)) if previous > plan
        )
    })
}

/// `referenced_plans_kept`: every plan a record references, as its active or its rollback
/// entry, is still in the store (the safety half of `progress`: no transaction can fail for a
/// missing plan).
pub(crate) fn referenced_plans_kept(state: &StepState) -> bool {
    state.records.iter().all(|r| {
        r.active
            .into_iter()
            .chain(r.rollback)
            .all(|g| state.live.contains(g))
    })
}

/// `progress`: when every step has been taken, every record holds the newest plan any
/// Enactor picked.
#[cfg(any(loom, feature = "stateright"))]
pub(crate) fn progress(model: &StepModel, state: &StepState) -> bool {
    if !model.is_over(state) {
        return true;
    }
    let newest = state.all_enactors().filter_map(|e| e.plan).max();
    newest.is_none_or(|newest| state.records.iter().all(|r| r.active == Some(newest)))
}

/// Witness `stale_plan_held`: an Enactor is about to write a plan older than what some record
/// already holds.
#[cfg(any(loom, feature = "stateright"))]
pub(crate) fn stale_plan_held(state: &StepState) -> bool {
    let newest = state.records.iter().filter_map(|r| r.active).max();
    state.all_enactors().any(|e| {
        matches!(e.pc, Pc::Write { .. }) && e.held.is_none() && e.plan < newest && e.plan.is_some()
    })
}

/// Witness `sweeper_deleted`: a published plan is gone from the store.
#[cfg(any(loom, feature = "stateright"))]
pub(crate) fn sweeper_deleted(state: &StepState) -> bool {
    (1..=state.published.0).any(|g| !state.live.contains(crate::protocol::plan::Generation(g)))
}

/// Witness `lock_busy`: an Enactor has found an endpoint's lock taken (it is on a later
/// attempt, or giving up).
#[cfg(any(loom, feature = "stateright"))]
pub(crate) fn lock_busy(state: &StepState) -> bool {
    state
        .all_enactors()
        .any(|e| matches!(e.pc, Pc::Write { attempt: 2.., .. } | Pc::GiveUp(_)))
}

/// Witness `write_lost_race`: a write found its lock taken, or a conditional write was just
/// refused because a newer plan was already installed.
#[cfg(any(loom, feature = "stateright"))]
pub(crate) fn write_lost_race(state: &StepState) -> bool {
    lock_busy(state)
        || state.all_enactors().any(|e| {
            matches!(
                e.held.and_then(|h| h.outcome),
                Some(Commit::Rejected { .. })
            )
        })
}
