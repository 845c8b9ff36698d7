//! The step model with Enactors that loop forever (`planrace check --cycles forever`), checked
//! by stateright (the loom suite, and `--features stateright`): `Fixed` holds at 3E2P5G2K with
//! every witness reached; `Buggy` and every broken fix that breaks a safety property are caught
//! with a shortest counterexample; `FixedSkipPartlyApplied`, which breaks only `progress`, must
//! hold here. With looping Enactors there is no end state, so `progress` is not checked (the
//! proof checks its safety half, `referenced_plans_kept`, tests/proof.rs). docs/proof.md's
//! count of `Fixed`'s states at 3E2P5G2K is checked against the run.
#![cfg(any(loom, feature = "stateright"))]

#[path = "support/doc_table.rs"]
mod doc_table;

use doc_table::table_rows;

use planrace::{Config, Cycles, Property, StepModel, Variant, Verdict, check_step_model};

fn check(variant: Variant, config: &str) -> planrace::StepCheck {
    let config: Config = config.parse().expect("valid");
    let model = StepModel::new(variant, config, Cycles::Unbounded).expect("fits");
    let check = check_step_model(model);
    println!("{}", check.report());
    for outcome in &check.outcomes {
        let line = check.verdict_line(outcome);
        assert!(
            line.settings
                .contains(&("cycles".to_owned(), "forever".to_owned())),
            "{line}"
        );
        assert_ne!(outcome.property, Property::Progress);
    }
    check
}

#[test]
fn fixed_holds_forever_at_3e2p5g2k_with_every_witness_reached() {
    let check = check(Variant::Fixed, "3E2P5G2K");
    assert_eq!(check.outcomes.len(), 2);
    assert_eq!(
        check.states,
        documented_states("3E2P5G2K (in the loom suite"),
        "docs/proof.md's count of Fixed's states with looping Enactors"
    );
    for outcome in &check.outcomes {
        assert_eq!(
            check.verdict(outcome),
            Verdict::Holds,
            "{}",
            outcome.property
        );
    }
}

/// The states docs/proof.md's table of looping runs gives in the row that starts with `row`.
fn documented_states(row: &str) -> usize {
    let rows = table_rows("proof.md", "| configuration | states |");
    let cells = rows
        .iter()
        .find(|cells| cells[0].starts_with(row))
        .unwrap_or_else(|| panic!("docs/proof.md has no row starting with {row:?}"));
    cells[1].parse().expect("a count of states")
}

/// Whether `variant` breaks a property the looping model checks. The match has no wildcard,
/// so a new variant cannot join without its expectation. `FixedSkipPartlyApplied` breaks only
/// `progress`, which is not checked here: its safety must hold instead.
fn breaks_safety(variant: Variant) -> bool {
    match variant {
        Variant::Fixed | Variant::FixedSkipPartlyApplied => false,
        Variant::Buggy
        | Variant::RecheckBeforeWrite
        | Variant::ConditionalWriteOnly
        | Variant::GuardedSweepOnly
        | Variant::GuardedSweepNonAtomic
        | Variant::SkipDeletedPlan
        | Variant::FixedWithoutCompare
        | Variant::FixedWithoutExistenceCheck
        | Variant::FixedNonAtomicSweep
        | Variant::FixedAgeSweep => true,
    }
}

#[test]
fn every_broken_variant_is_caught_with_looping_enactors() {
    for variant in Variant::ALL.into_iter().filter(|v| *v != Variant::Fixed) {
        let check = check(variant, "2E2P4G2K");
        let caught: Vec<_> = check.outcomes.iter().filter(|o| o.violations > 0).collect();
        if !breaks_safety(variant) {
            for outcome in &check.outcomes {
                assert_eq!(
                    check.verdict(outcome),
                    Verdict::Holds,
                    "{variant} {}",
                    outcome.property
                );
            }
            continue;
        }
        assert!(!caught.is_empty(), "{variant} is not caught");
        for outcome in caught {
            let example = outcome
                .shortest
                .as_ref()
                .expect("a shortest counterexample");
            let timeline = example.execution.timeline();
            assert!(
                timeline.contains(&format!("^^^ {} violated", outcome.property)),
                "{timeline}"
            );
        }
    }
}
