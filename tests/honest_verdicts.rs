//! The harness never says more than its run showed (loom suite): a cut-short exploration is
//! `inconclusive`, one that missed a required witness is `vacuous`, a panic or deadlock names
//! its execution and shows what it had logged, a property the model does not list is an
//! error, and an execution that broke several properties is shown once.
#![cfg(loom)]

use std::convert::Infallible;
use std::fmt;
use std::time::Duration;

use planrace::harness::{
    CheckError, Log, Model, Timeline, Verdict, Violation, explore, explore_until_violation,
    explore_with, model_builder,
};
use planrace::sync::{Mutex, thread};
use planrace::{ProtocolModel, Variant, witness};

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
    // lock_busy is not required where loom cannot reach it (docs/model.md), and is on two
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

#[derive(Debug, Clone, PartialEq, Eq)]
struct Took(&'static str);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Never {
    Listed,
    Unlisted,
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
        let locks = std::sync::Arc::new((Mutex::new(()), Mutex::new(())));
        let (other, other_log) = (std::sync::Arc::clone(&locks), log.clone());
        let second = thread::spawn(move || {
            let _b = other.1.lock();
            other_log.record(Took("b then a"));
            let _a = other.0.lock();
        });
        let _a = locks.0.lock();
        log.record(Took("a then b"));
        let _b = locks.1.lock();
        drop((_a, _b));
        let _ = second.join();
        Ok(())
    }

    fn check(&self, _steps: &[Took]) -> Vec<Violation<Never>> {
        if self.unlisted {
            vec![Violation {
                property: Never::Unlisted,
                step: 0,
                detail: "a property nobody listed".into(),
            }]
        } else {
            Vec::new()
        }
    }

    fn timeline(&self, steps: &[Took], violations: &[Violation<Never>]) -> String {
        let mut timeline = Timeline::new(vec!["threads".into()]);
        timeline.header();
        for (index, step) in steps.iter().enumerate() {
            timeline.step(index, 0, step.0);
            for violation in violations.iter().filter(|v| v.step == index) {
                timeline.violated(violation);
            }
        }
        timeline.finish()
    }
}

#[test]
fn a_deadlock_names_its_execution_the_callers_line_and_what_was_logged() {
    let error = explore(Broken { unlisted: false }, None).expect_err("the model deadlocks");
    let CheckError::Panicked {
        execution,
        message,
        timeline,
    } = error
    else {
        panic!("a deadlock is reported as a panic of the execution: {error}");
    };
    assert!(execution >= 1);
    assert!(message.contains("deadlock"), "{message}");
    // The main thread's second lock: where it blocks when the other thread holds it.
    let line = include_str!("honest_verdicts.rs")
        .lines()
        .position(|line| line.trim() == "let _b = locks.1.lock();")
        .expect("the lock call is in this file")
        + 1;
    let caller = format!("file: \"{}\", line: {line},", file!());
    assert!(
        message.contains(&caller),
        "the deadlock names the line that blocked ({caller}):\n{message}"
    );
    assert!(timeline.contains("a then b"), "{timeline}");
    assert!(timeline.contains("b then a"), "{timeline}");
}

#[test]
fn a_property_the_model_does_not_list_is_an_error() {
    let error = explore(Broken { unlisted: true }, None).expect_err("the model is inconsistent");
    assert!(
        matches!(&error, CheckError::UnlistedProperty { property } if property == "Unlisted"),
        "{error}"
    );
}
