//! The harness never says more than its run showed, nor contradicts itself (loom suite): a
//! cut-short exploration is `inconclusive`, one that missed a required witness is `vacuous`,
//! one within a preemption bound `bounded`; a model whose lists contradict themselves is
//! refused with every offender named, and one that reports what it does not list is stopped
//! at that execution; a deadlock is a result (every blocked thread by name and line, a
//! `no_deadlock` verdict line) printed once, and a panic is printed once; an execution that
//! broke several properties is shown once. The models that go wrong are written for these
//! tests.
#![cfg(loom)]

use std::convert::Infallible;
use std::fmt;
use std::time::Duration;

use planrace::harness::{
    CheckError, Log, Model, Verdict, Violation, explore, explore_until_violation, explore_with,
    model_builder,
};
use planrace::sync::{Mutex, thread};
use planrace::{ProtocolModel, Variant, witness};

#[path = "support/two_locks.rs"]
mod two_locks;
use two_locks::{Took, both_wait_at_their_second_lock, one_column, take_two_locks};

fn protocol(variant: Variant, config: &str) -> ProtocolModel {
    ProtocolModel {
        variant,
        config: config.parse().expect("a valid configuration"),
    }
}

#[test]
fn an_exploration_cut_short_by_a_permutation_limit_is_inconclusive() {
    let mut builder = model_builder(None).expect("loom's variables are valid");
    builder.preemption_bound = None;
    builder.checkpoint_interval = 500;
    builder.max_permutations = Some(500);
    // Fixed 2E1P4G2K has 46,552 executions: 500 is a fraction of it.
    let exploration = explore_with(protocol(Variant::Fixed, "2E1P4G2K"), &builder).expect("runs");
    // loom numbers executions from 1 and stops when the next number reaches the limit.
    assert_eq!(exploration.executions, 499);
    for outcome in &exploration.outcomes {
        let line = exploration.verdict_line(outcome).to_string();
        assert!(line.contains("verdict=inconclusive"), "{line}");
        assert!(
            line.contains("bound=none max_permutations=500 executions=499"),
            "{line}"
        );
    }
    assert!(
        exploration
            .report()
            .contains("max_permutations (500) was reached")
    );
}

#[test]
fn an_exploration_cut_short_by_a_time_limit_is_inconclusive() {
    let mut builder = model_builder(None).expect("loom's variables are valid");
    builder.preemption_bound = None;
    builder.checkpoint_interval = 200;
    builder.max_duration = Some(Duration::from_millis(1));
    let exploration = explore_with(protocol(Variant::Fixed, "2E1P4G2K"), &builder).expect("runs");
    assert!(
        exploration.executions < 46_552,
        "{}",
        exploration.executions
    );
    for outcome in &exploration.outcomes {
        assert_eq!(exploration.verdict(outcome), Verdict::Inconclusive);
    }
    assert!(exploration.report().contains("max_duration"));
}

#[test]
fn an_execution_longer_than_the_branch_limit_makes_the_exploration_inconclusive() {
    let mut builder = model_builder(None).expect("loom's variables are valid");
    builder.preemption_bound = None;
    builder.max_branches = 10;
    let exploration = explore_with(protocol(Variant::Fixed, "2E1P4G2K"), &builder).expect("runs");
    for outcome in &exploration.outcomes {
        let line = exploration.verdict_line(outcome).to_string();
        assert!(line.contains("max_branches=10"), "{line}");
        assert!(line.contains("verdict=inconclusive"), "{line}");
    }
    assert!(
        exploration
            .report()
            .contains("exceeded loom's max_branches (10)")
    );
}

#[test]
fn the_first_violation_ends_a_first_counterexample_exploration() {
    let started = std::time::Instant::now();
    let exploration =
        explore_until_violation(protocol(Variant::Buggy, "2E1P4G2K"), None).expect("runs");
    let seconds = started.elapsed().as_secs_f64();
    let violated: Vec<_> = exploration
        .outcomes
        .iter()
        .filter(|o| o.violated())
        .collect();
    assert!(!violated.is_empty());
    for outcome in &exploration.outcomes {
        let word = exploration.verdict(outcome);
        let expected = if outcome.violated() {
            Verdict::Violated
        } else {
            Verdict::Inconclusive
        };
        assert_eq!(word, expected, "{}", outcome.property);
        if let Some(first) = &outcome.first {
            assert_eq!(
                first.execution, exploration.executions,
                "the last one explored"
            );
        }
    }
    assert!(
        exploration
            .report()
            .contains("stopped at the first violation")
    );
    println!(
        "Buggy 2E1P4G2K: first counterexample at execution {} in {seconds:.3} s",
        exploration.executions
    );
}

#[test]
fn a_bound_too_small_to_reach_the_witnesses_is_vacuous_not_holds() {
    let mut builder = model_builder(None).expect("loom's variables are valid");
    builder.preemption_bound = Some(1);
    let exploration = explore_with(protocol(Variant::Buggy, "2E1P4G2K"), &builder).expect("runs");
    // With one preemption no Enactor ever holds a stale plan: the incident cannot happen, and
    // finding nothing proves nothing.
    assert_eq!(exploration.witness_count(witness::STALE_PLAN_HELD), Some(0));
    for outcome in &exploration.outcomes {
        assert_eq!(outcome.violations, 0);
        let line = exploration.verdict_line(outcome).to_string();
        assert!(line.contains("verdict=vacuous"), "{line}");
    }
    assert!(
        exploration
            .report()
            .contains("no execution reached stale_plan_held")
    );
}

#[test]
fn loom_never_finding_a_lock_taken_on_one_endpoint_does_not_make_fixed_vacuous() {
    // lock_busy is not required where loom cannot reach it (docs/loom-blind-spot.md), and is on two
    // endpoints, where it can.
    let one = protocol(Variant::Fixed, "2E1P4G2K");
    let two = protocol(Variant::Fixed, "3E2P4G2K");
    assert!(!one.required_witnesses().contains(&witness::LOCK_BUSY));
    assert!(two.required_witnesses().contains(&witness::LOCK_BUSY));
}

#[test]
fn an_execution_that_breaks_several_properties_is_shown_once_with_all_of_them() {
    let exploration = explore(protocol(Variant::Buggy, "3E2P4G2K"), Some(2)).expect("runs");
    let report = exploration.report();
    let mut shown = Vec::new();
    for outcome in exploration.outcomes.iter().filter(|o| o.violated()) {
        for example in [&outcome.first, &outcome.shortest].into_iter().flatten() {
            assert!(example.violations.contains(&example.violation));
            for violation in &example.violations {
                assert!(
                    example
                        .timeline()
                        .contains(&format!("^^^ {} violated", violation.property)),
                    "the timeline marks every property the execution broke"
                );
            }
            shown.push(example.execution);
        }
    }
    shown.sort_unstable();
    shown.dedup();
    for execution in shown {
        let headers = report
            .lines()
            .filter(|line| line.contains(&format!("(execution {execution} of ")))
            .count();
        assert_eq!(headers, 1, "execution {execution} is shown once:\n{report}");
    }
}

// --- Models that go wrong --------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Never {
    Listed,
    Unlisted,
    AlsoUnlisted,
}

impl fmt::Display for Never {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

/// Two threads take two locks in opposite orders, or (`unlisted`) a model whose check reports
/// a property it does not list.
#[derive(Debug, Clone, Copy)]
struct Broken {
    unlisted: bool,
}

impl Model for Broken {
    type Step = Took;
    type Property = Never;
    type Error = Infallible;

    fn variant(&self) -> String {
        "Broken".into()
    }

    fn config(&self) -> String {
        "2T".into()
    }

    fn properties(&self) -> Vec<Never> {
        vec![Never::Listed]
    }

    fn execute(&self, log: &Log<Took>) -> Result<(), Infallible> {
        if self.unlisted {
            log.record(Took("nothing"));
            return Ok(());
        }
        take_two_locks(log, true);
        Ok(())
    }

    fn check(&self, _steps: &[Took]) -> Vec<Violation<Never>> {
        if self.unlisted {
            [Never::Unlisted, Never::AlsoUnlisted]
                .map(|property| Violation {
                    property,
                    step: 0,
                    detail: "a property nobody listed".into(),
                })
                .to_vec()
        } else {
            Vec::new()
        }
    }

    fn thread_names(&self) -> Vec<String> {
        vec!["first".into(), "second".into()]
    }

    fn timeline(&self, steps: &[Took], violations: &[Violation<Never>]) -> String {
        one_column(steps, violations)
    }
}

#[test]
fn a_deadlock_is_a_result_with_every_blocked_thread_its_line_and_a_verdict_line() {
    let exploration = explore(Broken { unlisted: false }, None).expect("a deadlock is a result");
    let deadlock = exploration.deadlock.as_ref().expect("the model deadlocks");
    assert!(deadlock.execution >= 1);
    // Each thread by the model's name, waiting at its second lock.
    both_wait_at_their_second_lock(deadlock);
    assert!(deadlock.timeline.contains("a then b"), "{deadlock}");
    assert!(deadlock.timeline.contains("b then a"), "{deadlock}");
    // A verdict line for the deadlock; the property it never saw broken is inconclusive.
    let report = exploration.report();
    let line = exploration
        .deadlock_line()
        .expect("a no_deadlock line")
        .to_string();
    assert!(line.contains("property=no_deadlock") && line.contains("verdict=violated"));
    assert_eq!(report.matches(&line).count(), 1, "{report}");
    assert_eq!(
        report.matches("every unfinished thread is blocked").count(),
        1
    );
    let listed = exploration.outcome(Never::Listed).expect("listed");
    assert_eq!(exploration.verdict(listed), Verdict::Inconclusive);
    assert!(
        report.contains("stopped at a deadlock in execution"),
        "{report}"
    );
}

#[test]
fn properties_the_model_does_not_list_stop_the_run_at_the_first_execution_named_all() {
    let error = explore(Broken { unlisted: true }, None).expect_err("the model is inconsistent");
    let CheckError::Unlisted {
        execution,
        properties,
        witnesses,
    } = &error
    else {
        panic!("{error}");
    };
    assert_eq!(*execution, 1, "the first execution that shows them");
    assert_eq!(properties, &["Unlisted", "AlsoUnlisted"], "{error}");
    assert!(witnesses.is_empty());
    let text = format!("{error:?}");
    assert!(text.contains("Unlisted, AlsoUnlisted"), "{text}");
}

/// A model whose lists contradict themselves, or that never deadlocks and breaks nothing.
#[derive(Debug, Clone, Copy)]
enum Lists {
    /// `properties()` names `Listed` twice and `Unlisted` twice; `required_witnesses()` names
    /// two witnesses `witnesses()` does not list.
    Contradictory,
    /// Two threads add to a counter under a lock; the one property always holds, the one
    /// witness is always reached.
    Sound,
    /// Like `Sound`, but its property always fails and its witness is never reached.
    AlwaysBroken,
}

impl Model for Lists {
    type Step = Took;
    type Property = Never;
    type Error = Infallible;

    fn variant(&self) -> String {
        format!("{self:?}")
    }

    fn config(&self) -> String {
        "2T".into()
    }

    fn properties(&self) -> Vec<Never> {
        match self {
            Lists::Contradictory => vec![
                Never::Listed,
                Never::Unlisted,
                Never::Listed,
                Never::Unlisted,
            ],
            Lists::Sound | Lists::AlwaysBroken => vec![Never::Listed],
        }
    }

    fn execute(&self, log: &Log<Took>) -> Result<(), Infallible> {
        let counter = std::sync::Arc::new(Mutex::new(0));
        let (other, other_log) = (std::sync::Arc::clone(&counter), log.clone());
        let second = thread::spawn(move || {
            *other.lock() += 1;
            other_log.record(Took("second added"));
        });
        *counter.lock() += 1;
        log.record(Took("first added"));
        let _ = second.join();
        Ok(())
    }

    fn check(&self, steps: &[Took]) -> Vec<Violation<Never>> {
        match self {
            Lists::AlwaysBroken => vec![Violation {
                property: Never::Listed,
                step: steps.len().saturating_sub(1),
                detail: "always".into(),
            }],
            Lists::Contradictory | Lists::Sound => Vec::new(),
        }
    }

    fn timeline(&self, steps: &[Took], violations: &[Violation<Never>]) -> String {
        one_column(steps, violations)
    }

    fn witnesses(&self) -> &'static [&'static str] {
        &["both_added"]
    }

    fn required_witnesses(&self) -> Vec<&'static str> {
        match self {
            Lists::Contradictory => vec!["both_added", "stale", "raced"],
            Lists::Sound | Lists::AlwaysBroken => vec!["both_added"],
        }
    }

    fn witnessed(&self, steps: &[Took]) -> Vec<&'static str> {
        match self {
            Lists::AlwaysBroken => Vec::new(),
            Lists::Contradictory | Lists::Sound => (steps.len() == 2)
                .then_some("both_added")
                .into_iter()
                .collect(),
        }
    }
}

#[test]
fn a_model_whose_lists_contradict_themselves_is_refused_with_every_offender_named() {
    let error = explore(Lists::Contradictory, None).expect_err("refused");
    let CheckError::Model(model) = &error else {
        panic!("{error}");
    };
    assert_eq!(model.repeated_properties, ["Listed", "Unlisted"]);
    assert_eq!(model.unknown_required_witnesses, ["stale", "raced"]);
    let text = error.to_string();
    for name in ["Listed", "Unlisted", "stale", "raced"] {
        assert!(text.contains(name), "{text}");
    }
}

#[test]
fn a_bounded_exploration_says_bounded_and_only_an_unbounded_one_says_holds() {
    let bounded = explore(Lists::Sound, Some(1)).expect("runs");
    let unbounded = explore(Lists::Sound, None).expect("runs");
    for outcome in &bounded.outcomes {
        assert_eq!(bounded.verdict(outcome), Verdict::Bounded);
        let line = bounded.verdict_line(outcome).to_string();
        assert!(
            line.contains("bound=1") && line.contains("verdict=bounded"),
            "{line}"
        );
    }
    assert!(
        bounded
            .report()
            .contains("bounded, no interleaving with at most 1 preemptions")
    );
    for outcome in &unbounded.outcomes {
        assert_eq!(unbounded.verdict(outcome), Verdict::Holds);
    }
    assert!(!unbounded.report().contains("bounded"));
}

#[test]
fn the_vacuity_header_stands_only_above_vacuous_verdicts() {
    // Every verdict is `violated`: a missing witness does not make it weaker, and the header
    // that says "proves little" has nothing to explain.
    let broken = explore(Lists::AlwaysBroken, None).expect("runs");
    assert!(!broken.unreached_witnesses().is_empty());
    for outcome in &broken.outcomes {
        assert_eq!(broken.verdict(outcome), Verdict::Violated);
    }
    assert!(
        !broken.report().contains("proves little"),
        "{}",
        broken.report()
    );
}

/// A model whose execution panics.
#[derive(Debug, Clone, Copy)]
struct Panicky;

/// What `Panicky` panics with.
const PANIC_MESSAGE: &str = "the model's own assertion failed";

impl Model for Panicky {
    type Step = Took;
    type Property = Never;
    type Error = Infallible;

    fn variant(&self) -> String {
        "Panicky".into()
    }

    fn config(&self) -> String {
        "1T".into()
    }

    fn properties(&self) -> Vec<Never> {
        vec![Never::Listed]
    }

    fn execute(&self, log: &Log<Took>) -> Result<(), Infallible> {
        log.record(Took("about to panic"));
        panic!("{PANIC_MESSAGE}");
    }

    fn check(&self, _steps: &[Took]) -> Vec<Violation<Never>> {
        Vec::new()
    }

    fn timeline(&self, steps: &[Took], violations: &[Violation<Never>]) -> String {
        one_column(steps, violations)
    }
}

/// Set in the process that runs one test's body for its parent.
const CHILD: &str = "PLANRACE_HONEST_CHILD";

/// This test binary again, running `test` alone with [`CHILD`] set: what it printed, stdout
/// and stderr together.
fn child_output(test: &str) -> String {
    let output = std::process::Command::new(std::env::current_exe().expect("this test binary"))
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .expect("the test binary runs again");
    assert!(output.status.success(), "{test} failed in its own process");
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn a_panic_is_printed_once_and_the_error_reads_as_text() {
    if std::env::var_os(CHILD).is_some() {
        let error = explore(Panicky, None).expect_err("the model panics");
        // What a user's `main` returning the error prints.
        eprintln!("Error: {error:?}");
        return;
    }
    let printed = child_output("a_panic_is_printed_once_and_the_error_reads_as_text");
    assert_eq!(printed.matches(PANIC_MESSAGE).count(), 1, "{printed}");
    assert!(printed.contains("what it had logged:\n"), "{printed}");
    assert!(!printed.contains("\\n"), "no escaped newlines: {printed}");
}

#[test]
fn a_deadlock_report_is_printed_once() {
    if std::env::var_os(CHILD).is_some() {
        let exploration = explore(Broken { unlisted: false }, None).expect("a result");
        print!("{}", exploration.report());
        return;
    }
    let printed = child_output("a_deadlock_report_is_printed_once");
    assert_eq!(
        printed
            .matches("every unfinished thread is blocked")
            .count(),
        1,
        "{printed}"
    );
    // loom's own message (its thread ids, its panic) is not printed beside the report.
    assert!(!printed.contains("deadlock; threads"), "{printed}");
    assert!(!printed.contains("Id(0)"), "{printed}");
}
