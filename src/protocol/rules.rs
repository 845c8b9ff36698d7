//! The protocol's decisions, as pure functions: is a plan newer than what a record holds
//! ([`is_newer`]), what a transaction does to a record ([`WriteRule`]), and what the clean-up
//! sweep deletes ([`SweepRule`]). A [`Variant`](crate::Variant) is a choice of rules.
//!
//! The code (`zone`, `sweep`, `enactor`) and the step model (`check/step_model`) both call
//! these functions, so a rule cannot say one thing in the code and another in the model.

use crate::protocol::plan::Generation;
use crate::protocol::record::{Commit, Record};

/// The staleness check: whether `plan` is newer than the `active` generation a record holds
/// (any plan is newer than an empty record).
pub fn is_newer(plan: Generation, active: Option<Generation>) -> bool {
    active.is_none_or(|active| plan > active)
}

/// How a transaction decides whether it may replace a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteRule {
    /// Replace whatever is there (the incident's write).
    Unconditional,
    /// Replace only a strictly older generation: a compare-and-swap on the record's generation,
    /// evaluated inside the transaction, so the check and the write are one atomic step.
    NewerOnly,
    /// Replace whatever is there, but only if the plan being installed still exists, checked
    /// inside the transaction (`SkipDeletedPlan`, a fix proposed in a public model of the incident).
    IfPlanExists,
    /// Both checks, in the one transaction: the record must be older, and the plan being
    /// installed must still exist (the fixed protocol's write).
    NewerIfPlanExists,
}

impl WriteRule {
    /// Whether the rule compares generations (a compare-and-swap on the record's generation).
    pub fn compares_generations(self) -> bool {
        matches!(self, WriteRule::NewerOnly | WriteRule::NewerIfPlanExists)
    }

    /// Whether the rule checks that the plan being installed still exists.
    pub fn checks_own_plan(self) -> bool {
        matches!(self, WriteRule::IfPlanExists | WriteRule::NewerIfPlanExists)
    }

    /// The outcome that needs only the record: a conditional write refused because the record
    /// already holds `generation` or newer. `None` when the store must be consulted.
    pub fn refuses(self, record: Record, generation: Generation) -> Option<Commit> {
        record
            .active
            .filter(|active| self.compares_generations() && *active >= generation)
            .map(|active| Commit::Rejected { active })
    }

    /// What a transaction installing `generation` over `record` does, given which plans the
    /// store holds (`exists`), all in one step:
    /// - [`Self::refuses`] first;
    /// - then the record's active plan must still exist, to become the rollback entry
    ///   ([`Commit::ActivePlanMissing`], the incident's stuck state, otherwise);
    /// - then, for the rules that check it, the plan to install must still exist
    ///   ([`Commit::PlanDeleted`] otherwise);
    /// - and the record is replaced, its active plan becoming the rollback entry.
    pub fn decide(
        self,
        record: Record,
        generation: Generation,
        exists: impl Fn(Generation) -> bool,
    ) -> Commit {
        if let Some(refused) = self.refuses(record, generation) {
            return refused;
        }
        if let Some(missing) = record.active.filter(|active| !exists(*active)) {
            return Commit::ActivePlanMissing { missing };
        }
        if self.checks_own_plan() && !exists(generation) {
            return Commit::PlanDeleted;
        }
        Commit::Installed {
            rollback: record.active,
        }
    }
}

/// What the sweep may delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SweepRule {
    /// Every plan at least K generations older than the one just applied, by age alone (the
    /// incident's rule: it trusts that the record has moved on to the plan just applied).
    AgeOnly,
    /// The same age rule, but never a plan that a record's active or rollback entry references,
    /// as the store's reference counts say. Transactions update those counts in the same store
    /// step as their write, and the sweep reads them in the same store step as its delete, so
    /// the answer cannot go stale between the check and the delete.
    SkipReferenced,
    /// Never a referenced plan either, but the references are read record by record (each
    /// under its own lock, released at once) and the delete is a later, separate step.
    SkipReferencedNonAtomic,
}

/// What one sweep does: the plans it deletes and those it spares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SweepOutcome {
    /// Plans deleted, oldest first.
    pub deleted: Vec<Generation>,
    /// Plans old enough to delete that were kept because a record references them.
    pub spared: Vec<Generation>,
}

impl SweepRule {
    /// Whether the sweep reads the references record by record, each under its own lock,
    /// before the delete (rather than from the store's counts in the delete's own step).
    pub fn scans_records(self) -> bool {
        matches!(self, SweepRule::SkipReferencedNonAtomic)
    }

    /// Whether the rule spares plans that a record references.
    pub fn spares_referenced(self) -> bool {
        !matches!(self, SweepRule::AgeOnly)
    }

    /// Whether `generation` is old enough for the sweep of an Enactor that has just applied
    /// `applied`, with sweep age `age`, to delete: at least `age` generations older.
    pub fn old_enough(applied: Generation, age: u64, generation: Generation) -> bool {
        applied
            .0
            .checked_sub(age)
            .is_some_and(|cutoff| generation.0 <= cutoff)
    }

    /// What a sweep after applying `applied` does to the plans `live` (oldest first), given
    /// which of them a record references (as this rule reads the references: from the store's
    /// counts, or from the records scanned before the delete).
    pub fn sweep(
        self,
        applied: Generation,
        age: u64,
        live: impl IntoIterator<Item = Generation>,
        referenced: impl Fn(Generation) -> bool,
    ) -> SweepOutcome {
        let (spared, deleted) = live
            .into_iter()
            .filter(|generation| Self::old_enough(applied, age, *generation))
            .partition(|generation| self.spares_referenced() && referenced(*generation));
        SweepOutcome { deleted, spared }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_WRITES: [WriteRule; 4] = [
        WriteRule::Unconditional,
        WriteRule::NewerOnly,
        WriteRule::IfPlanExists,
        WriteRule::NewerIfPlanExists,
    ];

    fn record(active: u64, rollback: u64) -> Record {
        Record {
            active: Some(Generation(active)),
            rollback: Some(Generation(rollback)),
        }
    }

    #[test]
    fn staleness_compares_generations() {
        assert!(is_newer(Generation(1), None));
        assert!(is_newer(Generation(3), Some(Generation(2))));
        assert!(!is_newer(Generation(2), Some(Generation(2))));
    }

    #[test]
    fn each_write_rule_decides_as_documented() {
        let everything = |_: Generation| true;
        let newer = record(3, 2);
        let outcomes: Vec<Commit> = ALL_WRITES
            .iter()
            .map(|rule| rule.decide(newer, Generation(2), everything))
            .collect();
        let installed = Commit::Installed {
            rollback: Some(Generation(3)),
        };
        let rejected = Commit::Rejected {
            active: Generation(3),
        };
        assert_eq!(outcomes, vec![installed, rejected, installed, rejected]);
        // The plan to install is gone: only the rules that check it refuse it.
        let only_active = |g: Generation| g == Generation(1);
        let outcomes: Vec<Commit> = ALL_WRITES
            .iter()
            .map(|rule| rule.decide(record(1, 1), Generation(2), only_active))
            .collect();
        let installed = Commit::Installed {
            rollback: Some(Generation(1)),
        };
        assert_eq!(
            outcomes,
            vec![
                installed,
                installed,
                Commit::PlanDeleted,
                Commit::PlanDeleted
            ]
        );
        // The active plan is gone: every rule is stuck, unless it refuses first.
        for rule in ALL_WRITES {
            assert_eq!(
                rule.decide(record(1, 1), Generation(2), |_| false),
                Commit::ActivePlanMissing {
                    missing: Generation(1)
                },
                "{rule:?}"
            );
        }
        assert_eq!(
            WriteRule::NewerOnly.refuses(record(4, 1), Generation(2)),
            Some(Commit::Rejected {
                active: Generation(4)
            })
        );
        assert_eq!(
            WriteRule::Unconditional.refuses(record(4, 1), Generation(2)),
            None
        );
    }

    #[test]
    fn sweeps_delete_old_plans_and_spare_referenced_ones_when_the_rule_says() {
        let live = [1, 2, 3, 4, 5].map(Generation);
        let referenced = |g: Generation| g == Generation(2);
        let age_only = SweepRule::AgeOnly.sweep(Generation(5), 2, live, referenced);
        assert_eq!(age_only.deleted, [1, 2, 3].map(Generation));
        assert!(age_only.spared.is_empty());
        for rule in [
            SweepRule::SkipReferenced,
            SweepRule::SkipReferencedNonAtomic,
        ] {
            let guarded = rule.sweep(Generation(5), 2, live, referenced);
            assert_eq!(guarded.deleted, [1, 3].map(Generation));
            assert_eq!(guarded.spared, vec![Generation(2)]);
        }
        assert!(!SweepRule::old_enough(Generation(1), 2, Generation(1)));
    }
}
