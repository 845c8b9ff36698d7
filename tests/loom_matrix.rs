//! The loom proofs: every variant explored on every configuration of the suite, each verdict
//! computed by the exploration. Each variant must get the verdicts written here (`must_violate`,
//! per variant: what it must violate, and show how; every other property must hold at the
//! suite's bounds); docs/verdicts.md must say what the exploration found.
//!
//! One test per exploration (`explore_<variant>_<config>`), each making every check that its
//! exploration supports, so that the suite splits across machines by test name
//! (`cargo nextest run --partition`, docs/testing.md) without exploring anything twice.
#![cfg(loom)]

#[path = "support/doc_table.rs"]
mod doc_table;

use std::io::Write as _;
use std::path::Path;

use planrace::harness::{Verdict, bound_label};
use planrace::testing::{
    FIXED_PROOF, Job, SUITE, VerdictRow, explore_job, parse_markdown, suite_jobs,
};
use planrace::{Config, Exploration, Property, Variant, witness};

/// Where an exploration's configuration comes from: the suite's first or second
/// configuration, or `Fixed`'s two-endpoint proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Suite(usize),
    FixedProof,
}

impl Slot {
    fn config(self) -> Config {
        match self {
            Slot::Suite(index) => SUITE[index].config,
            Slot::FixedProof => FIXED_PROOF.config,
        }
    }
}

/// One `#[test]` per job of the suite, and the list of them.
macro_rules! job_tests {
    ($($name:ident => $variant:ident, $slot:expr;)*) => {
        $(
            #[test]
            fn $name() {
                in_own_process(stringify!($name), || check_job(Variant::$variant, $slot));
            }
        )*
        const TESTED: &[(Variant, Slot)] = &[$((Variant::$variant, $slot)),*];
    };
}

/// Set in the process that runs one exploration for its test.
const CHILD: &str = "PLANRACE_LOOM_CHILD";

/// Runs `check` in a process of its own: this test binary again, asked for `test` alone.
///
/// Two loom explorations in one process slow each other down several times over (loom
/// allocates and frees a stack for every modelled thread of every execution, and the two
/// contend for the allocator), while two processes run side by side at full speed. Under cargo-nextest, which
/// already gives every test its own process, `check` runs in place.
fn in_own_process(test: &str, check: impl FnOnce()) {
    let nextest = std::env::var("NEXTEST_EXECUTION_MODE").is_ok_and(|m| m == "process-per-test");
    if std::env::var_os(CHILD).is_some() || nextest {
        check();
        return;
    }
    let status = std::process::Command::new(std::env::current_exe().expect("this test binary"))
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .status()
        .expect("the test binary runs again");
    assert!(
        status.success(),
        "{test} failed in its own process (its output is above)"
    );
}

job_tests! {
    explore_buggy_2e1p4g2k => Buggy, Slot::Suite(0);
    explore_buggy_3e2p4g2k => Buggy, Slot::Suite(1);
    explore_fixed_2e1p4g2k => Fixed, Slot::Suite(0);
    explore_fixed_3e2p4g2k => Fixed, Slot::Suite(1);
    explore_fixed_2e2p4g2k_exhaustive => Fixed, Slot::FixedProof;
    explore_recheck_before_write_2e1p4g2k => RecheckBeforeWrite, Slot::Suite(0);
    explore_recheck_before_write_3e2p4g2k => RecheckBeforeWrite, Slot::Suite(1);
    explore_conditional_write_only_2e1p4g2k => ConditionalWriteOnly, Slot::Suite(0);
    explore_conditional_write_only_3e2p4g2k => ConditionalWriteOnly, Slot::Suite(1);
    explore_guarded_sweep_only_2e1p4g2k => GuardedSweepOnly, Slot::Suite(0);
    explore_guarded_sweep_only_3e2p4g2k => GuardedSweepOnly, Slot::Suite(1);
    explore_guarded_sweep_non_atomic_2e1p4g2k => GuardedSweepNonAtomic, Slot::Suite(0);
    explore_guarded_sweep_non_atomic_3e2p4g2k => GuardedSweepNonAtomic, Slot::Suite(1);
    explore_skip_deleted_plan_2e1p4g2k => SkipDeletedPlan, Slot::Suite(0);
    explore_skip_deleted_plan_3e2p4g2k => SkipDeletedPlan, Slot::Suite(1);
    explore_fixed_without_compare_2e1p4g2k => FixedWithoutCompare, Slot::Suite(0);
    explore_fixed_without_compare_3e2p4g2k => FixedWithoutCompare, Slot::Suite(1);
    explore_fixed_without_existence_check_2e1p4g2k => FixedWithoutExistenceCheck, Slot::Suite(0);
    explore_fixed_without_existence_check_3e2p4g2k => FixedWithoutExistenceCheck, Slot::Suite(1);
    explore_fixed_non_atomic_sweep_2e1p4g2k => FixedNonAtomicSweep, Slot::Suite(0);
    explore_fixed_non_atomic_sweep_3e2p4g2k => FixedNonAtomicSweep, Slot::Suite(1);
    explore_fixed_age_sweep_2e1p4g2k => FixedAgeSweep, Slot::Suite(0);
    explore_fixed_age_sweep_3e2p4g2k => FixedAgeSweep, Slot::Suite(1);
    explore_fixed_skip_partly_applied_2e1p4g2k => FixedSkipPartlyApplied, Slot::Suite(0);
    explore_fixed_skip_partly_applied_3e2p4g2k => FixedSkipPartlyApplied, Slot::Suite(1);
}

/// Straight to stdout, so that the test harness does not hold it back.
fn print_now(text: &str) {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).expect("stdout");
    out.flush().expect("stdout");
}

/// The suite's job for `variant` in `slot`, with the bound in force.
fn job(variant: Variant, slot: Slot) -> Job {
    suite_jobs()
        .expect("LOOM_MAX_PREEMPTIONS must be a number")
        .into_iter()
        .find(|(v, config, _)| *v == variant && *config == slot.config())
        .expect("the suite explores every job that has a test")
}

/// Explores one job and makes every check it supports.
fn check_job(variant: Variant, slot: Slot) {
    let (_, config, bound) = job(variant, slot);
    print_now(&format!(
        "planrace: exploring {variant} {config} bound={}{}\n",
        bound_label(bound),
        if std::env::var_os("LOOM_MAX_PREEMPTIONS").is_some() {
            " (from LOOM_MAX_PREEMPTIONS)"
        } else {
            ""
        }
    ));
    let exploration = explore_job((variant, config, bound)).expect("the exploration runs");
    print_now(&exploration.report());
    every_property_gets_the_verdict_this_suite_expects(&exploration);
    every_verdict_is_one_the_run_can_stand_behind(&exploration);
    every_violation_keeps_its_first_and_shortest_counterexample(&exploration);
    counterexamples_are_written_as_text_and_svg(&exploration);
    docs_verdicts_match_the_exploration(&exploration);
    docs_witness_counts_match_the_exploration(&exploration);
    the_exploration_reaches_the_situations_that_make_its_verdicts_mean_something(&exploration);
    every_explored_execution_is_a_run_of_the_step_model(&exploration);
}

/// The properties `variant` must violate on every configuration of the suite (at its default
/// bounds), written here rather than read from docs/verdicts.md, which the verdicts example
/// writes from these same explorations. Every other property must hold. The match has no
/// wildcard, so a new variant cannot join the suite without its expectation.
fn must_violate(variant: Variant) -> &'static [Property] {
    match variant {
        // ConditionalWriteOnly breaks only one preemption deeper (docs/verdicts.md, "Deeper
        // runs"), which the suite does not explore; so do the variants that break only
        // through an Enactor giving up on an endpoint's lock.
        Variant::Fixed
        | Variant::ConditionalWriteOnly
        | Variant::FixedWithoutExistenceCheck
        | Variant::FixedNonAtomicSweep
        | Variant::FixedAgeSweep
        | Variant::FixedSkipPartlyApplied => &[],
        // Without the compare, a stale write moves a record back; the guarded sweep keeps
        // its plan, so the record is never emptied and the next cycle moves it on.
        Variant::FixedWithoutCompare => &[Property::MonotonicGeneration],
        Variant::Buggy
        | Variant::RecheckBeforeWrite
        | Variant::GuardedSweepOnly
        | Variant::GuardedSweepNonAtomic
        | Variant::SkipDeletedPlan => &Property::ALL,
    }
}

/// Each property the variant must violate was violated, its first counterexample's timeline
/// marking the breaking step; each other property was violated by no execution.
fn every_property_gets_the_verdict_this_suite_expects(exploration: &Exploration) {
    assert!(exploration.executions > 0);
    let (variant, config) = (exploration.model.variant, exploration.model.config);
    for property in Property::ALL {
        let outcome = exploration
            .outcome(property)
            .expect("every property is checked");
        if must_violate(variant).contains(&property) {
            assert!(
                outcome.violations > 0,
                "loom found no execution of {variant} {config} violating {property}"
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
        } else {
            let shown = outcome
                .first
                .as_ref()
                .map(|example| example.timeline())
                .unwrap_or_default();
            assert_eq!(
                outcome.violations, 0,
                "{variant} {config} violates {property}:\n{shown}"
            );
        }
    }
}

/// A suite run cut short by a loom limit (`inconclusive`) or missing a witness (`vacuous`) is
/// a failure, not a pass: its verdicts would not mean what docs/verdicts.md says.
/// The required witnesses `variant` cannot reach on `config`, so that its properties that hold
/// there are `vacuous`, the honest word: `FixedWithoutCompare` never loses a write race on one
/// endpoint, since its write never compares generations and loom finds no lock taken there
/// (docs/loom-blind-spot.md). Written here, like `must_violate`, not read from the run.
fn unreachable_witnesses(variant: Variant, config: Config) -> &'static [&'static str] {
    match (variant, config.endpoints()) {
        (Variant::FixedWithoutCompare, 1) => &[witness::WRITE_LOST_RACE],
        _ => &[],
    }
}

fn every_verdict_is_one_the_run_can_stand_behind(exploration: &Exploration) {
    let (variant, config) = (exploration.model.variant, exploration.model.config);
    let unreachable = unreachable_witnesses(variant, config);
    for outcome in &exploration.outcomes {
        let word = exploration.verdict(outcome);
        assert!(
            matches!(
                (word, exploration.coverage.bound_label().as_str()),
                (Verdict::Violated, _) | (Verdict::Holds, "none")
            ) || (word == Verdict::Bounded && exploration.coverage.bound_label() != "none")
                || (word == Verdict::Vacuous
                    && !unreachable.is_empty()
                    && exploration.unreached_witnesses() == unreachable),
            "{} {} {}: {word}\n{}",
            exploration.model.variant,
            exploration.model.config,
            outcome.property,
            exploration.report()
        );
    }
}

fn every_violation_keeps_its_first_and_shortest_counterexample(exploration: &Exploration) {
    for outcome in &exploration.outcomes {
        match (&outcome.first, &outcome.shortest) {
            (None, None) => assert!(!outcome.violated()),
            (Some(first), Some(shortest)) => {
                assert!(outcome.violated());
                assert!(shortest.steps.len() <= first.steps.len());
                assert!(shortest.execution >= first.execution);
                assert_eq!(shortest.violation.property, outcome.property);
            }
            _ => panic!("first and shortest are kept together"),
        }
    }
}

fn counterexamples_are_written_as_text_and_svg(exploration: &Exploration) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/planrace");
    let written = exploration
        .write_counterexamples(&dir)
        .expect("target/planrace is writable");
    let violated = exploration.outcomes.iter().filter(|o| o.violated()).count();
    assert_eq!(written.len(), 2 * violated);
    for outcome in exploration.outcomes.iter().filter(|o| o.violated()) {
        let stem = dir.join(exploration.file_stem(outcome.property));
        let text = std::fs::read_to_string(stem.with_extension("txt")).expect("txt written");
        assert!(text.contains(&format!("^^^ {} violated", outcome.property)));
        let svg = std::fs::read_to_string(stem.with_extension("svg")).expect("svg written");
        assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
        assert!(svg.contains(&format!("{} violated", outcome.property)));
    }
}

/// Loom's rows of docs/verdicts.md on the suite's configurations (the deeper runs' table is
/// not repeated here, and the step model's rows are its own tests').
fn documented_rows() -> Vec<VerdictRow> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/verdicts.md");
    parse_markdown(&std::fs::read_to_string(&path).expect("docs/verdicts.md"))
        .into_iter()
        .filter(|d| d.checker == "loom")
        .filter(|d| {
            let mut configs = SUITE.iter().chain([&FIXED_PROOF]);
            configs.any(|suite| {
                d.config == suite.config.to_string() && d.bound == bound_label(suite.bound)
            })
        })
        .collect()
}

fn docs_verdicts_match_the_exploration(exploration: &Exploration) {
    let documented = documented_rows();
    for outcome in &exploration.outcomes {
        let row = VerdictRow::from(exploration.verdict_line(outcome));
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
            *doc, row,
            "docs/verdicts.md disagrees with the exploration; regenerate it with \
             RUSTFLAGS=\"--cfg loom\" cargo run --release --example verdicts"
        );
    }
}

/// The header of docs/testing.md's table of witness counts.
const WITNESS_TABLE: &str = "| Variant | Config | Executions |";

/// The first two cells of a witness row: "`Fixed`" and "2E1P4G2K, no bound" (or "bound 3").
fn witness_key(variant: Variant, config: Config, bound: &str) -> [String; 2] {
    let bound = match bound {
        "none" => "no bound".to_owned(),
        preemptions => format!("bound {preemptions}"),
    };
    [format!("`{variant}`"), format!("{config}, {bound}")]
}

/// docs/testing.md's table of witness counts ("Witnesses: the "holds" verdicts are not
/// vacuous") quotes some of the suite's explorations: a row for this variant, configuration
/// and bound must hold this exploration's executions and witness counts, so that the numbers
/// the docs quote cannot drift from what loom finds.
fn docs_witness_counts_match_the_exploration(exploration: &Exploration) {
    let (variant, config) = (exploration.model.variant, exploration.model.config);
    let rows = doc_table::table_rows("testing.md", WITNESS_TABLE);
    // Every row names one of the suite's explorations at its default bound, so that a row this
    // lookup misreads fails here instead of being skipped.
    let suite = Variant::ALL.into_iter().flat_map(|v| {
        SUITE
            .iter()
            .map(move |s| witness_key(v, s.config, &bound_label(s.bound)))
    });
    let fixed_proof = witness_key(
        Variant::Fixed,
        FIXED_PROOF.config,
        &bound_label(FIXED_PROOF.bound),
    );
    let explored: Vec<[String; 2]> = suite.chain([fixed_proof]).collect();
    for row in &rows {
        assert!(
            explored.iter().any(|key| row[..2] == key[..]),
            "docs/testing.md's witness row {row:?} names no exploration of the suite"
        );
    }
    let bound = exploration.coverage.bound_label();
    let key = witness_key(variant, config, &bound);
    let Some(row) = rows.iter().find(|cells| cells[..2] == key) else {
        return;
    };
    let quoted: Vec<u64> = row[2..]
        .iter()
        .map(|cell| cell.parse().expect("a count"))
        .collect();
    let mut measured = vec![exploration.executions];
    measured.extend(witness::ALL.map(|name| exploration.witness_count(name).unwrap_or_default()));
    assert_eq!(
        quoted,
        measured,
        "docs/testing.md's witness row {key:?} disagrees with the exploration: executions, \
         then {:?}",
        witness::ALL
    );
}

fn the_exploration_reaches_the_situations_that_make_its_verdicts_mean_something(
    exploration: &Exploration,
) {
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
    if exploration.outcomes.iter().all(|o| !o.violated()) {
        // A "holds" verdict must also have seen writes lose races, and where there is more
        // than one endpoint, an Enactor finding a lock taken: loom never explores that on one
        // endpoint (docs/loom-blind-spot.md), so the multi-endpoint configurations must.
        assert!(
            count(witness::WRITE_LOST_RACE) > 0,
            "{variant} {config} holds, but no write ever lost a race"
        );
        if config.endpoints() > 1 {
            assert!(
                count(witness::LOCK_BUSY) > 0,
                "{variant} {config} holds, but no execution found an endpoint's lock taken"
            );
        }
    }
}

fn every_explored_execution_is_a_run_of_the_step_model(exploration: &Exploration) {
    // Trace validation: each execution's log replayed through the step model's transitions.
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

#[test]
fn every_job_of_the_suite_has_its_test_and_its_rows_in_the_docs() {
    let jobs = suite_jobs().expect("LOOM_MAX_PREEMPTIONS must be a number");
    let tested: Vec<Job> = TESTED.iter().map(|&(v, slot)| job(v, slot)).collect();
    assert_eq!(tested.len(), jobs.len(), "one test per job");
    for job in &jobs {
        assert!(tested.contains(job), "{job:?} has no test");
    }
    // No exploration needed: docs/verdicts.md lists exactly these jobs' properties.
    let mut documented: Vec<_> = documented_rows()
        .into_iter()
        .map(|d| (d.variant, d.property, d.config))
        .collect();
    let mut expected: Vec<_> = jobs
        .iter()
        .flat_map(|(variant, config, _)| {
            Property::ALL.map(|p| (variant.to_string(), p.to_string(), config.to_string()))
        })
        .collect();
    documented.sort();
    expected.sort();
    assert_eq!(
        documented, expected,
        "docs/verdicts.md has other rows than the suite"
    );
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
