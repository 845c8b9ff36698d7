//! The protocol variants: the incident's protocol and its fix, as settings of the two choices
//! that decide the race (how a record is written, and what the sweep may delete).

use std::fmt;
use std::str::FromStr;

use crate::protocol::error::VariantError;
use crate::protocol::rules::{SweepRule, WriteRule};

/// A version of the plan-update protocol.
///
/// Each variant is a choice of three settings: when the Enactor checks that its plan is newer
/// ([`Variant::rechecks_before_write`]), how a transaction writes ([`Variant::write_rule`]), and
/// what the sweep may delete ([`Variant::sweep_rule`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Variant {
    /// The protocol as the incident report describes it: the staleness check runs once, before
    /// the writes; each write replaces the record unconditionally; the sweep deletes every plan
    /// at least K generations older than the one just applied, whatever points to it.
    Buggy,
    /// The repaired protocol. Each write is conditional: a compare-and-swap on the record's
    /// generation, inside the endpoint's transaction, so a stale plan can no longer overwrite a
    /// newer one however late it arrives (the start-of-run check is kept only as a shortcut);
    /// and the same transaction refuses a plan that has been deleted, which a record older
    /// still (left behind by an Enactor that gave up on it) would otherwise accept.
    /// The sweep never deletes a plan that any record's active or rollback entry references: the
    /// store counts the references, transactions update the counts in the same store step as
    /// their write, and the sweep reads them in the same store step as its delete, so no write
    /// can slip in between the decision and the delete.
    Fixed,
    /// The first fix people reach for: check again, just before each endpoint's write. The
    /// re-check reads the record under its lock, releases it, then the write takes the lock
    /// again: a time-of-check to time-of-use gap, smaller than the incident's but still there.
    /// The sweep is the incident's.
    RecheckBeforeWrite,
    /// Only the conditional write of [`Variant::Fixed`], with the incident's age-based sweep.
    /// Tried because the stale overwrite looks like the whole bug.
    ConditionalWriteOnly,
    /// Only the guarded sweep of [`Variant::Fixed`] (never delete a referenced plan, decided
    /// atomically with the delete), with the incident's unconditional writes. Tried because
    /// the deletion looks like the whole bug.
    GuardedSweepOnly,
    /// The guarded sweep done the easy way: read every record (each under its own lock), then
    /// delete the unreferenced old plans in a separate step. Writes stay unconditional. A
    /// write that lands between the read and the delete is not seen.
    GuardedSweepNonAtomic,
    /// A fix proposed in a public model of this incident (not the operator's): inside its
    /// transaction, the Enactor checks that its own plan still exists before installing it, so
    /// it never installs an already deleted plan. Writes are otherwise unconditional and the
    /// sweep is the incident's.
    SkipDeletedPlan,
    /// [`Variant::Fixed`] without the compare-and-swap on the generation: the write still
    /// refuses a deleted plan, and the sweep is still guarded. Isolates the rule "check at
    /// commit time, on the generation".
    FixedWithoutCompare,
    /// [`Variant::Fixed`] without the existence check in the write: a compare-and-swap on the
    /// generation alone, with the guarded sweep. Isolates the rule "install only a plan that
    /// still exists": an Enactor that gave up on an endpoint leaves it old enough for a stale
    /// plan, deleted meanwhile, to be installed there.
    FixedWithoutExistenceCheck,
    /// [`Variant::Fixed`] with the guarded sweep done non-atomically: the references are read
    /// record by record, then the unreferenced old plans deleted in a later step. Isolates the
    /// rule "decide the delete in its own step".
    FixedNonAtomicSweep,
    /// [`Variant::Fixed`] with the incident's sweep by age. Isolates the rule "sweep by
    /// reachability, not by age".
    FixedAgeSweep,
    /// [`Variant::Fixed`] whose one-time check calls a plan stale as soon as any endpoint
    /// already holds it or a newer one, instead of only when every endpoint does: the shortcut
    /// "this plan has been applied already" read off one record. Writes and sweep are
    /// `Fixed`'s, so nothing unsafe is ever written; but an endpoint left behind by an Enactor
    /// that gave up on its lock is not finished by any cycle of the same plan that checks after
    /// the give-up, only by a newer plan. Isolates the rule "let the next cycle finish what a
    /// give-up left", and shows why `progress` is checked: every safety property holds for it.
    FixedSkipPartlyApplied,
}

impl Variant {
    /// Every variant, in the order reports list them.
    pub const ALL: [Variant; 12] = [
        Variant::Buggy,
        Variant::Fixed,
        Variant::RecheckBeforeWrite,
        Variant::ConditionalWriteOnly,
        Variant::GuardedSweepOnly,
        Variant::GuardedSweepNonAtomic,
        Variant::SkipDeletedPlan,
        Variant::FixedWithoutCompare,
        Variant::FixedWithoutExistenceCheck,
        Variant::FixedNonAtomicSweep,
        Variant::FixedAgeSweep,
        Variant::FixedSkipPartlyApplied,
    ];

    /// The variant's name, as verdict lines print it.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Buggy => "Buggy",
            Variant::Fixed => "Fixed",
            Variant::RecheckBeforeWrite => "RecheckBeforeWrite",
            Variant::ConditionalWriteOnly => "ConditionalWriteOnly",
            Variant::GuardedSweepOnly => "GuardedSweepOnly",
            Variant::GuardedSweepNonAtomic => "GuardedSweepNonAtomic",
            Variant::SkipDeletedPlan => "SkipDeletedPlan",
            Variant::FixedWithoutCompare => "FixedWithoutCompare",
            Variant::FixedWithoutExistenceCheck => "FixedWithoutExistenceCheck",
            Variant::FixedNonAtomicSweep => "FixedNonAtomicSweep",
            Variant::FixedAgeSweep => "FixedAgeSweep",
            Variant::FixedSkipPartlyApplied => "FixedSkipPartlyApplied",
        }
    }

    /// Whether the Enactor repeats the staleness check just before each endpoint's write, as a
    /// separate step from the write.
    pub fn rechecks_before_write(self) -> bool {
        matches!(self, Variant::RecheckBeforeWrite)
    }

    /// Whether the one-time check calls a plan stale when any endpoint already holds it or a
    /// newer one (`FixedSkipPartlyApplied`); every other variant calls it stale only when no
    /// endpoint is older, and writes the endpoints that are.
    pub fn skips_partly_applied_plans(self) -> bool {
        matches!(self, Variant::FixedSkipPartlyApplied)
    }

    /// How this variant's transactions write a record.
    pub fn write_rule(self) -> WriteRule {
        match self {
            Variant::Fixed
            | Variant::FixedNonAtomicSweep
            | Variant::FixedAgeSweep
            | Variant::FixedSkipPartlyApplied => WriteRule::NewerIfPlanExists,
            Variant::ConditionalWriteOnly | Variant::FixedWithoutExistenceCheck => {
                WriteRule::NewerOnly
            }
            Variant::SkipDeletedPlan | Variant::FixedWithoutCompare => WriteRule::IfPlanExists,
            Variant::Buggy
            | Variant::RecheckBeforeWrite
            | Variant::GuardedSweepOnly
            | Variant::GuardedSweepNonAtomic => WriteRule::Unconditional,
        }
    }

    /// What this variant's sweep may delete.
    pub fn sweep_rule(self) -> SweepRule {
        match self {
            Variant::Fixed
            | Variant::GuardedSweepOnly
            | Variant::FixedWithoutCompare
            | Variant::FixedWithoutExistenceCheck
            | Variant::FixedSkipPartlyApplied => SweepRule::SkipReferenced,
            Variant::GuardedSweepNonAtomic | Variant::FixedNonAtomicSweep => {
                SweepRule::SkipReferencedNonAtomic
            }
            Variant::Buggy
            | Variant::RecheckBeforeWrite
            | Variant::ConditionalWriteOnly
            | Variant::SkipDeletedPlan
            | Variant::FixedAgeSweep => SweepRule::AgeOnly,
        }
    }
}

impl fmt::Display for Variant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Variant {
    type Err = VariantError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Variant::ALL
            .into_iter()
            .find(|v| v.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| VariantError::Unknown {
                name: name.to_owned(),
                known: Variant::ALL.map(Variant::name).join(", "),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_listed() {
        for variant in Variant::ALL {
            assert_eq!(variant.name().parse::<Variant>(), Ok(variant));
        }
        let error = "Paxos".parse::<Variant>().unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown variant \"Paxos\" (known: Buggy, Fixed, RecheckBeforeWrite, \
             ConditionalWriteOnly, GuardedSweepOnly, GuardedSweepNonAtomic, SkipDeletedPlan, \
             FixedWithoutCompare, FixedWithoutExistenceCheck, FixedNonAtomicSweep, FixedAgeSweep, \
             FixedSkipPartlyApplied)"
        );
    }
}
