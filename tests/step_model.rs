//! The step model at the incident's size, checked by stateright (runs in the loom suite, and
//! with `--features stateright`): `Buggy` and every broken fix must be caught, in exactly the
//! properties it breaks, with a shortest counterexample; `Fixed` must hold with every witness
//! reached; docs/verdicts.md must say what the checks found.
//!
//! One test per check of [`STEP_SUITE`] (`step_<variant>_<config>`), each making every check
//! its run supports, so that the suite splits across machines by test name
//! (`cargo nextest run --partition`, docs/testing.md) without checking anything twice.
#![cfg(any(loom, feature = "stateright"))]

use std::io::Write as _;
use std::path::Path;

use planrace::testing::{VerdictRow, parse_markdown};
use planrace::{
    Cycles, Property, STEP_SUITE, StepCheck, StepModel, Variant, Verdict, check_step_model,
};

/// One `#[test]` per entry of [`STEP_SUITE`], and the list of them.
macro_rules! step_tests {
    ($($name:ident => $index:expr;)*) => {
        $(
            #[test]
            fn $name() {
                check_entry($index);
            }
        )*
        const TESTED: &[usize] = &[$($index),*];
    };
}

step_tests! {
    step_buggy_2e1p4g2k => 0;
    step_buggy_3e3p5g2k => 1;
    step_fixed_3e3p5g2k => 2;
    step_fixed_3e3p6g2k => 3;
    step_fixed_4e2p5g2k => 4;
    step_recheck_before_write_3e3p5g2k => 5;
    step_conditional_write_only_3e3p5g2k => 6;
    step_guarded_sweep_only_3e3p5g2k => 7;
    step_guarded_sweep_non_atomic_3e2p5g2k => 8;
    step_skip_deleted_plan_3e3p5g2k => 9;
    step_fixed_without_compare_3e3p5g2k => 10;
    step_fixed_without_existence_check_3e3p5g2k => 11;
    step_fixed_non_atomic_sweep_3e2p5g2k => 12;
    step_fixed_age_sweep_3e3p5g2k => 13;
    step_fixed_skip_partly_applied_3e3p5g2k => 14;
    step_buggy_3e3p5g1k => 15;
    step_buggy_3e3p5g3k => 16;
    step_fixed_3e3p5g1k => 17;
    step_fixed_3e3p5g3k => 18;
}

/// Checks entry `index` of [`STEP_SUITE`], prints its report, and makes every check it
/// supports.
fn check_entry(index: usize) {
    let (variant, config) = STEP_SUITE[index];
    let model = StepModel::new(variant, config, Cycles::OneEach).expect("fits");
    let check = check_step_model(model);
    let mut out = std::io::stdout().lock();
    out.write_all(check.report().as_bytes()).expect("stdout");
    out.flush().expect("stdout");
    drop(out);
    match variant {
        Variant::Buggy => buggy_is_caught_with_its_shortest_counterexamples(&check),
        Variant::Fixed => fixed_holds_at_the_incidents_size_with_every_witness_reached(&check),
        _ => a_broken_fix_is_caught(&check),
    }
    counterexamples_are_written_as_text_and_svg(&check);
    docs_verdicts_match_the_step_model(&check);
}

fn buggy_is_caught_with_its_shortest_counterexamples(check: &StepCheck) {
    for outcome in &check.outcomes {
        assert!(
            outcome.violations > 0,
            "the step model found no state of Buggy {} violating {}",
            check.model.config,
            outcome.property
        );
        let example = outcome.shortest.as_ref().expect("a counterexample is kept");
        let timeline = example.execution.timeline();
        assert!(
            timeline.contains(&format!("^^^ {} violated", outcome.property)),
            "{timeline}"
        );
    }
}

fn fixed_holds_at_the_incidents_size_with_every_witness_reached(check: &StepCheck) {
    assert!(check.states > 1_000_000, "{} states", check.states);
    for outcome in &check.outcomes {
        assert_eq!(
            check.verdict(outcome),
            Verdict::Holds,
            "Fixed {}: {}",
            check.model.config,
            check.report()
        );
    }
}

/// The properties the step model must find violated for a broken fix at the suite's sizes,
/// written here rather than read from docs/verdicts.md (which the verdicts example writes
/// from these same checks); every other property must hold. The match has no wildcard, so a
/// new variant cannot join the suite without its expectation. The variants that keep all of
/// `Fixed` but one rule break exactly what that rule protects (docs/safe-updaters.md).
fn must_violate(variant: Variant) -> &'static [Property] {
    match variant {
        Variant::Buggy
        | Variant::RecheckBeforeWrite
        | Variant::GuardedSweepOnly
        | Variant::GuardedSweepNonAtomic
        | Variant::SkipDeletedPlan => &Property::ALL,
        Variant::ConditionalWriteOnly
        | Variant::FixedWithoutExistenceCheck
        | Variant::FixedNonAtomicSweep
        | Variant::FixedAgeSweep => &[Property::NoEmptyRecord, Property::Progress],
        Variant::FixedWithoutCompare => &[Property::MonotonicGeneration],
        Variant::FixedSkipPartlyApplied => &[Property::Progress],
        Variant::Fixed => &[],
    }
}

fn a_broken_fix_is_caught(check: &StepCheck) {
    let expected = must_violate(check.model.variant);
    let violated: Vec<_> = check.outcomes.iter().filter(|o| o.violations > 0).collect();
    assert_eq!(
        violated.iter().map(|o| o.property).collect::<Vec<_>>(),
        expected,
        "{} {}: the properties the step model found violated",
        check.model.variant,
        check.model.config
    );
    for outcome in violated {
        assert!(
            outcome.shortest.is_some(),
            "{} {}",
            check.model.variant,
            outcome.property
        );
    }
}

fn counterexamples_are_written_as_text_and_svg(check: &StepCheck) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/planrace");
    let written = check
        .write_counterexamples(&dir)
        .expect("target/planrace is writable");
    let violated = check.outcomes.iter().filter(|o| o.violations > 0).count();
    assert_eq!(written.len(), 2 * violated);
    for path in written
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "svg"))
    {
        let svg = std::fs::read_to_string(path).expect("svg written");
        assert!(svg.starts_with("<svg") && svg.contains("violated"));
    }
}

/// The step model's rows of docs/verdicts.md.
fn documented_rows() -> Vec<VerdictRow> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/verdicts.md");
    parse_markdown(&std::fs::read_to_string(&path).expect("docs"))
        .into_iter()
        .filter(|row| row.checker == "stateright")
        .collect()
}

fn docs_verdicts_match_the_step_model(check: &StepCheck) {
    let documented: Vec<VerdictRow> = documented_rows()
        .into_iter()
        .filter(|row| {
            (&row.variant, &row.config)
                == (
                    &check.model.variant.to_string(),
                    &check.model.config.to_string(),
                )
        })
        .collect();
    let checked: Vec<VerdictRow> = check
        .rows()
        .into_iter()
        .map(|(row, _seconds)| row)
        .collect();
    assert_eq!(
        documented, checked,
        "docs/verdicts.md disagrees with the step model; regenerate its table with \
         cargo run --release --features stateright --example verdicts -- step-model"
    );
}

#[test]
fn every_check_of_the_suite_has_its_test_and_its_rows_in_the_docs() {
    let mut tested = TESTED.to_vec();
    tested.sort_unstable();
    assert_eq!(
        tested,
        (0..STEP_SUITE.len()).collect::<Vec<_>>(),
        "one test per check"
    );
    let documented: Vec<(String, String)> = documented_rows()
        .into_iter()
        .map(|row| (row.variant, row.config))
        .collect();
    let expected: Vec<(String, String)> = STEP_SUITE
        .iter()
        .flat_map(|(variant, config)| {
            planrace::Property::ALL.map(|_| (variant.to_string(), config.to_string()))
        })
        .collect();
    assert_eq!(
        documented, expected,
        "docs/verdicts.md has other step-model rows"
    );
}
