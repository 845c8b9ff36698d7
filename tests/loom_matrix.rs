//! The loom proofs: every variant explored on every configuration of the suite, each verdict
//! computed by the exploration. `Buggy` must violate every property and show how; `Fixed` must
//! hold every one; docs/verdicts.md must say what the exploration found.
#![cfg(loom)]

mod common;

use std::path::Path;

use planrace::harness::bound_label;
use planrace::testing::{FIXED_PROOF, SUITE, parse_markdown, suite_jobs};
use planrace::{Property, Variant, witness};

#[test]
fn buggy_violates_every_property_and_shows_how() {
    for exploration in common::explorations_of(Variant::Buggy) {
        for property in Property::ALL {
            let outcome = exploration
                .outcome(property)
                .expect("every property is checked");
            assert!(
                outcome.violations > 0,
                "loom found no execution of Buggy {} violating {property}",
                exploration.model.config
            );
            let first = outcome.first.as_ref().expect("first counterexample kept");
            assert_eq!(first.violation.property, property);
            assert!(
                first
                    .timeline()
                    .contains(&format!("^^^ {property} violated")),
                "the timeline marks the breaking step:\n{}",
                first.timeline()
            );
        }
    }
}

#[test]
fn fixed_holds_every_property() {
    for exploration in common::explorations_of(Variant::Fixed) {
        assert!(exploration.executions > 0);
        for outcome in &exploration.outcomes {
            let shown = outcome
                .first
                .as_ref()
                .map(|example| example.timeline())
                .unwrap_or_default();
            assert_eq!(
                outcome.violations, 0,
                "Fixed {} violates {}:\n{shown}",
                exploration.model.config, outcome.property
            );
        }
    }
}

#[test]
fn every_violation_keeps_its_first_and_shortest_counterexample() {
    let matrix = common::whole_matrix();
    let jobs = suite_jobs().expect("LOOM_MAX_PREEMPTIONS must be a number");
    assert_eq!(matrix.explorations.len(), jobs.len());
    for exploration in &matrix.explorations {
        for outcome in &exploration.outcomes {
            match (&outcome.first, &outcome.shortest) {
                (None, None) => assert!(outcome.holds()),
                (Some(first), Some(shortest)) => {
                    assert!(!outcome.holds());
                    assert!(shortest.steps.len() <= first.steps.len());
                    assert!(shortest.execution >= first.execution);
                    assert_eq!(shortest.violation.property, outcome.property);
                }
                _ => panic!("first and shortest are kept together"),
            }
        }
    }
}

#[test]
fn counterexamples_are_written_as_text_and_svg() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/planrace");
    for exploration in &common::whole_matrix().explorations {
        let written = exploration
            .write_counterexamples(&dir)
            .expect("target/planrace is writable");
        let violated = exploration.outcomes.iter().filter(|o| !o.holds()).count();
        assert_eq!(written.len(), 2 * violated);
        for outcome in exploration.outcomes.iter().filter(|o| !o.holds()) {
            let stem = dir.join(exploration.file_stem(outcome.property));
            let text = std::fs::read_to_string(stem.with_extension("txt")).expect("txt written");
            assert!(text.contains(&format!("^^^ {} violated", outcome.property)));
            let svg = std::fs::read_to_string(stem.with_extension("svg")).expect("svg written");
            assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
            assert!(svg.contains(&format!("{} violated", outcome.property)));
        }
    }
}

#[test]
fn docs_verdicts_match_the_exploration() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/verdicts.md");
    let explored: Vec<_> = common::whole_matrix()
        .rows()
        .into_iter()
        .map(|(row, _seconds)| row)
        .collect();
    // The deeper runs' table is not repeated here, and the step model's rows are its own
    // tests': only loom's rows on the suite's configurations are compared.
    let documented: Vec<_> =
        parse_markdown(&std::fs::read_to_string(&path).expect("docs/verdicts.md"))
            .into_iter()
            .filter(|d| d.checker == "loom")
            .filter(|d| {
                let mut configs = SUITE.iter().chain([&FIXED_PROOF]);
                configs.any(|(config, bound)| d.config == *config && d.bound == bound_label(*bound))
            })
            .collect();
    let mut compared = 0;
    for row in &explored {
        let Some(doc) = documented.iter().find(|d| {
            (&d.variant, &d.property, &d.config) == (&row.variant, &row.property, &row.config)
        }) else {
            panic!(
                "docs/verdicts.md has no row for {} {} {}; regenerate it with \
                 RUSTFLAGS=\"--cfg loom\" cargo run --release --example verdicts",
                row.variant, row.property, row.config
            );
        };
        if doc.bound != row.bound {
            // LOOM_MAX_PREEMPTIONS changed the bound: a different exploration, nothing to compare.
            continue;
        }
        assert_eq!(
            doc, row,
            "docs/verdicts.md disagrees with the exploration; regenerate it with \
             RUSTFLAGS=\"--cfg loom\" cargo run --release --example verdicts"
        );
        compared += 1;
    }
    assert_eq!(
        documented.len(),
        explored.len(),
        "docs/verdicts.md has extra rows"
    );
    if std::env::var_os("LOOM_MAX_PREEMPTIONS").is_none() {
        assert_eq!(compared, explored.len());
    }
}

#[test]
fn the_explorations_reach_the_situations_that_make_their_verdicts_mean_something() {
    let matrix = common::whole_matrix();
    for exploration in &matrix.explorations {
        let count = |name| exploration.witness_count(name).unwrap_or_default();
        let (variant, config) = (exploration.model.variant, exploration.model.config);
        for name in witness::ALL {
            assert!(count(name) <= exploration.executions);
        }
        // Every exploration sees a stale Enactor and a deleting sweep: the incident's setting.
        for name in [witness::STALE_PLAN_HELD, witness::SWEEPER_DELETED] {
            assert!(
                count(name) > 0,
                "no execution of {variant} {config} reached {name}"
            );
        }
        // A "holds" verdict must also have seen writes lose races.
        if exploration.outcomes.iter().all(|o| o.holds()) {
            assert!(
                count(witness::WRITE_LOST_RACE) > 0,
                "{variant} {config} holds, but no write ever lost a race"
            );
        }
    }
    // The lock-retry path of every variant that holds: loom never takes it on the one-endpoint
    // configuration (docs/model.md), so the two-endpoint one must.
    for variant in Variant::ALL {
        let explorations: Vec<_> = matrix
            .explorations
            .iter()
            .filter(|e| e.model.variant == variant)
            .collect();
        if !explorations
            .iter()
            .all(|e| e.outcomes.iter().all(|o| o.holds()))
        {
            continue;
        }
        let busy: u64 = explorations
            .iter()
            .filter_map(|e| e.witness_count(witness::LOCK_BUSY))
            .sum();
        assert!(
            busy > 0,
            "{variant} holds, but no exploration found an endpoint's lock taken"
        );
    }
}

#[test]
fn the_exploration_is_deterministic() {
    let explore = || {
        let config = "3E2P4G2K".parse().expect("a valid configuration");
        planrace::explore(Variant::Buggy, config, Some(2)).expect("explores")
    };
    let (first, second) = (explore(), explore());
    assert!(first.executions > 0);
    assert_eq!(first.executions, second.executions);
    assert_eq!(first.witnessed, second.witnessed);
    for (a, b) in first.outcomes.iter().zip(&second.outcomes) {
        assert_eq!(a.violations, b.violations);
        let steps = |o: &planrace::PropertyOutcome| {
            o.shortest.as_ref().map(|c| (c.execution, c.steps.clone()))
        };
        assert_eq!(steps(a), steps(b), "the same shortest counterexample");
    }
}

#[test]
fn every_explored_execution_is_a_run_of_the_step_model() {
    // Trace validation: each execution's log replayed through the step model's transitions.
    for exploration in &common::whole_matrix().explorations {
        let (variant, config) = (exploration.model.variant, exploration.model.config);
        assert_eq!(
            exploration.rejected, 0,
            "{variant} {config}: {:?}",
            exploration.first_rejection
        );
        assert_eq!(
            exploration.validated, exploration.executions,
            "{variant} {config}"
        );
    }
}
