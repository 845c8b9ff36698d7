//! The proof for every size (`planrace prove`), checked end to end with both solvers: `Fixed`
//! holds for every property; every other variant is refuted in exactly the safety properties
//! it breaks (`must_refute`), each refutation explained by a counterexample to induction and
//! settled by a real violation of the step model; the
//! first-order model takes every step the step model takes (no mismatch), and `Fixed`'s
//! invariant holds in every reachable state.
//!
//! Needs the Debian packages `z3` and `cvc5` (`.ci/run` installs them): a missing solver fails
//! the test, it is never skipped. The proofs run in the default build (`cargo test`); the
//! conformance check runs in both: at 2E1P4G2K in the default (debug) build, and at 3E1P4G2K
//! and 2E2P4G2K in the loom suite's release build, where it is fast enough. Not in the shuttle
//! build: it would only repeat the loom suite's run.
#![cfg(not(shuttle))]

#[cfg(not(loom))]
use planrace::Verdict;
use planrace::proof::check_conformance;
#[cfg(not(loom))]
use planrace::proof::{
    ProofProperty, ProofReport, ProveOptions, SEARCH_SIZES, Solver, prove, search_violations,
};
use planrace::{Config, Variant};

fn sizes() -> Vec<Config> {
    let names: &[&str] = if cfg!(loom) {
        &["3E1P4G2K", "2E2P4G2K"]
    } else {
        // The sweep's age at 1 and 3 as well as 2: the proof is for any K, and so is the
        // model it is linked to.
        &["2E1P4G2K", "2E1P4G1K", "2E1P5G3K"]
    };
    names.iter().map(|c| c.parse().expect("valid")).collect()
}

#[cfg(not(loom))]
fn proof_with(solver: Solver, dir: &str) -> ProofReport {
    let mut options = ProveOptions::new(solver);
    options.dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(dir);
    let report = prove(&options, |line| eprintln!("{line}"))
        .unwrap_or_else(|e| panic!("the proof could not run: {e}"));
    println!("{report}");
    report
}

/// The properties the proof must refute for `variant`, written here rather than read from
/// docs/proof.md; every other property must hold. The match has no wildcard, so a new variant
/// cannot join without its expectation. The proof covers safety only: a variant that breaks
/// only `progress` (`FixedSkipPartlyApplied`) holds in every property here, and the step model
/// is what catches it (tests/step_model.rs).
#[cfg(not(loom))]
fn must_refute(variant: Variant) -> &'static [ProofProperty] {
    match variant {
        Variant::Fixed | Variant::FixedSkipPartlyApplied => &[],
        Variant::FixedWithoutCompare => &[ProofProperty::MonotonicGeneration],
        Variant::ConditionalWriteOnly
        | Variant::FixedWithoutExistenceCheck
        | Variant::FixedNonAtomicSweep
        | Variant::FixedAgeSweep => &[
            ProofProperty::NoEmptyRecord,
            ProofProperty::ReferencedPlansKept,
        ],
        Variant::Buggy
        | Variant::RecheckBeforeWrite
        | Variant::GuardedSweepOnly
        | Variant::GuardedSweepNonAtomic
        | Variant::SkipDeletedPlan => &ProofProperty::ALL,
    }
}

#[cfg(not(loom))]
fn assert_proof(report: &ProofReport) {
    let printed = report.to_string();
    for variant in &report.variants {
        for proof in &variant.properties {
            let what = format!("{} {}", proof.variant, proof.property);
            match proof.verdict {
                Verdict::Holds => {
                    assert_eq!(proof.refuted, 0, "{what}");
                    assert!(proof.violation.is_none(), "{what}");
                }
                Verdict::Violated => {
                    let (_, trace) = proof.violation.as_ref().expect("a real violation");
                    assert!(trace.depth > 0, "{what}");
                    // The timeline printed under this verdict line marks the violation.
                    let line = proof.verdict_line().to_string();
                    let start = printed.find(&line).expect("the verdict line is printed");
                    let section = &printed[start + line.len()..];
                    let section = &section[..section.find("planrace-").unwrap_or(section.len())];
                    let mark = format!("^^^ {} violated", proof.property);
                    assert!(
                        section.contains(&mark),
                        "{what}: no {mark:?} under its line"
                    );
                    if proof.refuted > 0 {
                        let cti = proof.counterexample.as_deref().unwrap_or_default();
                        assert!(
                            cti.contains("before:") && cti.contains("after:"),
                            "{what}: {cti}"
                        );
                        // Every value the explanation shows was read from the solver's model
                        // ("?" marks one it lacks), and it shows the state, not only the step.
                        assert!(
                            cti.contains("published: g") && !cti.contains('?'),
                            "{what}: {cti}"
                        );
                        assert!(
                            cti.contains("Enactor A: ")
                                || cti.contains("Enactor B: ")
                                || cti.contains(": active "),
                            "{what}: {cti}"
                        );
                    }
                }
                other => panic!("{what} is {other}: {:?}", proof.reason),
            }
        }
        for proof in &variant.properties {
            let expected = if must_refute(proof.variant).contains(&proof.property) {
                Verdict::Violated
            } else {
                Verdict::Holds
            };
            assert_eq!(
                proof.verdict, expected,
                "{} {}",
                proof.variant, proof.property
            );
        }
        for conformance in &variant.conformance {
            assert!(conformance.linked(), "{}", conformance.line());
        }
    }
}

#[cfg(not(loom))]
#[test]
fn z3_proves_fixed_and_refutes_each_variant_in_what_it_breaks() {
    let report = proof_with(Solver::Z3, "proof-z3");
    assert_proof(&report);
    every_proven_property_has_no_violation_in_the_step_model(&report);
    docs_proof_table_says_what_the_proof_found(&report);
    docs_quote_the_proofs_violations(&report);
}

/// docs/proof.md's table of verdicts ("What is proven, for which variant") is the proof's,
/// with the size and length of each violation that settles a refutation.
#[cfg(not(loom))]
fn docs_proof_table_says_what_the_proof_found(report: &ProofReport) {
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/proof.md"))
        .expect("docs/proof.md");
    for variant in &report.variants {
        let row: Vec<String> = docs
            .lines()
            .map(|line| {
                line.split('|')
                    .map(|cell| cell.trim().replace('*', ""))
                    .collect::<Vec<_>>()
            })
            .find(|cells| {
                cells.get(1).is_some_and(|c| *c == variant.variant.name()) && cells.len() == 6
            })
            .unwrap_or_else(|| panic!("docs/proof.md has no row for {}", variant.variant));
        // A refuted property's cell also says where the step model settles it.
        let found: Vec<String> = variant
            .properties
            .iter()
            .map(|p| match &p.violation {
                Some((config, trace)) => {
                    format!("{} at {config} in {} steps", p.verdict.word(), trace.depth)
                }
                None => p.verdict.word().to_owned(),
            })
            .collect();
        assert_eq!(
            row[2..5],
            found,
            "docs/proof.md's row for {}",
            variant.variant
        );
    }
}

/// Every "at `<config>` in N steps" that docs/safe-updaters.md quotes of the proof is a
/// violation the proof's report settles a refutation with.
#[cfg(not(loom))]
fn docs_quote_the_proofs_violations(report: &ProofReport) {
    let found: Vec<String> = report
        .variants
        .iter()
        .flat_map(|variant| &variant.properties)
        .filter_map(|p| p.violation.as_ref())
        .map(|(config, trace)| format!("at `{config}` in {} steps", trace.depth))
        .collect();
    let page = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/safe-updaters.md"
    ))
    .expect("docs/safe-updaters.md");
    let text = page.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut quoted = 0;
    for (end, _) in text.match_indices(" steps") {
        let Some(start) = text[..end].rfind("at `") else {
            continue;
        };
        let claim = &text[start..end + " steps".len()];
        if claim.len() > 40 {
            continue;
        }
        assert!(
            found.iter().any(|f| f == claim),
            "docs/safe-updaters.md quotes \"{claim}\", which no refutation of the proof shows"
        );
        quoted += 1;
    }
    assert!(
        quoted > 0,
        "docs/safe-updaters.md quotes no violation of the proof"
    );
}

#[cfg(not(loom))]
#[test]
fn cvc5_agrees() {
    let report = proof_with(Solver::Cvc5, "proof-cvc5");
    assert_proof(&report);
}

/// What the proof says of a property agrees with an exhaustive search of the step model: a
/// property proven for every size has no violation at the search's sizes either.
#[cfg(not(loom))]
fn every_proven_property_has_no_violation_in_the_step_model(report: &ProofReport) {
    for variant in &report.variants {
        let proven: Vec<ProofProperty> = variant
            .properties
            .iter()
            .filter(|p| p.verdict == Verdict::Holds)
            .map(|p| p.property)
            .collect();
        for config in SEARCH_SIZES
            .iter()
            .take(if cfg!(debug_assertions) { 2 } else { 4 })
        {
            let config: Config = config.parse().expect("valid");
            let search = search_violations(variant.variant, config).expect("fits");
            for (property, trace) in &search.violations {
                assert!(
                    !proven.contains(property),
                    "{} {property} is proven, yet violated at {config} in {} steps",
                    variant.variant,
                    trace.depth
                );
            }
        }
    }
}

#[test]
fn the_first_order_model_takes_every_step_of_the_step_model() {
    for config in sizes() {
        for variant in Variant::ALL {
            let conformance = check_conformance(variant, config).expect("fits");
            println!("{}", conformance.line());
            assert!(conformance.transitions > 0);
            assert_eq!(conformance.mismatches, 0, "{:?}", conformance.breaks);
            assert_eq!(
                conformance.property_mismatches, 0,
                "{:?}",
                conformance.breaks
            );
            if variant == Variant::Fixed {
                assert_eq!(
                    conformance.total_conjunct_failures(),
                    0,
                    "{:?}",
                    conformance.breaks
                );
            }
        }
    }
}

/// The binary runs real threads only, so this test is in the default build only.
#[cfg(not(loom))]
#[test]
fn a_missing_solver_is_an_error_that_names_its_package() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_planrace"))
        .args(["prove", "--variant", "Fixed"])
        .env("PATH", "")
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("apt-get install z3"), "{stderr}");
}
