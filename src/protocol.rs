//! The protocol variants: the incident's protocol and its fix, as settings of the two choices
//! that decide the race (how a record is written, and what the sweep may delete).

use std::fmt;
use std::str::FromStr;

use crate::error::VariantError;
use crate::sweeper::SweepRule;
use crate::zone::WriteRule;

/// A version of the plan-update protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Variant {
    /// The protocol as the incident report describes it: the staleness check runs once, before
    /// the writes; each write replaces the record unconditionally; the sweep deletes every plan
    /// at least K generations older than the one just applied, whatever points to it.
    Buggy,
    /// The repaired protocol. Each write is conditional: a compare-and-swap on the record's
    /// generation, inside the endpoint's transaction, so a stale plan can no longer overwrite a
    /// newer one however late it arrives (the start-of-run check is kept only as a shortcut).
    /// The sweep never deletes a plan that any record's active or rollback entry references, and
    /// it decides that while holding every record's lock, so no write can slip in between the
    /// decision and the delete.
    Fixed,
}

impl Variant {
    /// Every variant, in the order reports list them.
    pub const ALL: [Variant; 2] = [Variant::Buggy, Variant::Fixed];

    /// The variant's name, as verdict lines print it.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Buggy => "Buggy",
            Variant::Fixed => "Fixed",
        }
    }

    /// How this variant's transactions write a record.
    pub fn write_rule(self) -> WriteRule {
        match self {
            Variant::Buggy => WriteRule::Unconditional,
            Variant::Fixed => WriteRule::NewerOnly,
        }
    }

    /// What this variant's sweep may delete.
    pub fn sweep_rule(self) -> SweepRule {
        match self {
            Variant::Buggy => SweepRule::AgeOnly,
            Variant::Fixed => SweepRule::SkipReferenced,
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
            "unknown variant \"Paxos\" (known: Buggy, Fixed)"
        );
    }
}
