//! The shuttle driver gives results, not panic dumps (`--cfg shuttle`): a deadlock is a result
//! with every blocked thread by the model's name and the line it waits at, the schedule that
//! replays it and a `no_deadlock` verdict line; and the panic hook in place before a sample is
//! the one in place after it. The models are written for these tests.
#![cfg(shuttle)]

use std::convert::Infallible;
use std::fmt;

use planrace::harness::{Log, Model, Sample, SchedulerKind, Verdict, Violation, sample};

#[path = "support/two_locks.rs"]
mod two_locks;
use two_locks::{Took, both_wait_at_their_second_lock, one_column, take_two_locks};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Safe;

impl fmt::Display for Safe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("safe")
    }
}

/// Two threads take two locks in opposite orders (`inverted`), or in the same order.
#[derive(Debug, Clone, Copy)]
struct Locks {
    inverted: bool,
}

impl Model for Locks {
    type Step = Took;
    type Property = Safe;
    type Error = Infallible;

    fn variant(&self) -> String {
        if self.inverted { "Inverted" } else { "Ordered" }.into()
    }

    fn config(&self) -> String {
        "2T".into()
    }

    fn properties(&self) -> Vec<Safe> {
        vec![Safe]
    }

    fn execute(&self, log: &Log<Took>) -> Result<(), Infallible> {
        take_two_locks(log, self.inverted);
        Ok(())
    }

    fn check(&self, _steps: &[Took]) -> Vec<Violation<Safe>> {
        Vec::new()
    }

    fn timeline(&self, steps: &[Took], violations: &[Violation<Safe>]) -> String {
        one_column(steps, violations)
    }

    fn thread_names(&self) -> Vec<String> {
        vec!["first".into(), "second".into()]
    }
}

fn plan() -> Sample {
    Sample {
        scheduler: SchedulerKind::Random,
        seeds: 0..4,
        per_seed: 1_000,
        until_first_violation: false,
    }
}

#[test]
fn a_deadlock_is_a_result_with_every_blocked_thread_its_line_and_its_schedule() {
    let exploration = sample(Locks { inverted: true }, &plan()).expect("a deadlock is a result");
    let deadlock = exploration
        .deadlock
        .as_ref()
        .expect("the random scheduler finds it");
    both_wait_at_their_second_lock(deadlock);
    assert!(deadlock.schedule.is_some(), "{deadlock}");
    let report = exploration.report();
    let line = exploration.deadlock_line().expect("a line").to_string();
    assert!(line.contains("property=no_deadlock") && line.contains("verdict=violated"));
    assert_eq!(
        report.matches("every unfinished thread is blocked").count(),
        1
    );
    assert!(
        report.contains("shuttle schedule (replays it): "),
        "{report}"
    );
    let safe = exploration.outcome(Safe).expect("listed");
    assert_eq!(exploration.verdict(safe), Verdict::Inconclusive);
}

#[test]
fn a_model_that_takes_its_locks_in_order_never_deadlocks() {
    let exploration = sample(Locks { inverted: false }, &plan()).expect("runs");
    assert!(exploration.deadlock.is_none());
    let safe = exploration.outcome(Safe).expect("listed");
    assert_eq!(exploration.verdict(safe), Verdict::NotFound);
}

/// Set in the process that runs one test's body for its parent.
const CHILD: &str = "PLANRACE_SAMPLES_CHILD";

/// What the hook installed before a sample prints.
const OWN_HOOK: &str = "the caller's own panic hook";

#[test]
fn the_panic_hook_in_place_before_a_sample_is_in_place_after_it() {
    if std::env::var_os(CHILD).is_some() {
        std::panic::set_hook(Box::new(|_| eprintln!("{OWN_HOOK}")));
        let _ = sample(Locks { inverted: false }, &plan()).expect("runs");
        // An ordinary failed assertion after sampling.
        let sum = std::hint::black_box(1) + 1;
        let _ = std::panic::catch_unwind(|| assert_eq!(sum, 3, "arithmetic"));
        return;
    }
    let test = "the_panic_hook_in_place_before_a_sample_is_in_place_after_it";
    let output = std::process::Command::new(std::env::current_exe().expect("this test binary"))
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .output()
        .expect("the test binary runs again");
    let printed = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{printed}");
    assert_eq!(printed.matches(OWN_HOOK).count(), 1, "{printed}");
    assert!(!printed.contains("serializing schedule"), "{printed}");
}
