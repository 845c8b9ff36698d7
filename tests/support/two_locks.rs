//! Two threads and two locks, for the tests of the harness's drivers (loom's in
//! tests/honest_verdicts.rs, shuttle's in tests/honest_samples.rs): taken in opposite orders,
//! they deadlock.

use std::fmt;
use std::sync::Arc;

use planrace::harness::{Deadlock, Log, Timeline, Violation};
use planrace::sync::{Mutex, thread};

/// One logged step: what a thread did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Took(pub &'static str);

/// The calling thread takes lock a, then b. A second thread takes b then a when `inverted` (a
/// lock-order inversion), a then b otherwise.
pub fn take_two_locks(log: &Log<Took>, inverted: bool) {
    let locks = Arc::new((Mutex::new(()), Mutex::new(())));
    let (other, other_log) = (Arc::clone(&locks), log.clone());
    let second = thread::spawn(move || {
        if inverted {
            let _b = other.1.lock();
            other_log.record(Took("b then a"));
            let _a = other.0.lock();
        } else {
            let _a = other.0.lock();
            other_log.record(Took("a then b"));
            let _b = other.1.lock();
        }
    });
    let _a = locks.0.lock();
    log.record(Took("a then b"));
    let _b = locks.1.lock();
    drop((_a, _b));
    let _ = second.join();
}

/// Asserts that `deadlock` names both threads (`first`, `second`: the model's names) and that
/// each waits at its second lock, by this file's line.
pub fn both_wait_at_their_second_lock(deadlock: &Deadlock) {
    let line_of = |code: &str| {
        include_str!("two_locks.rs")
            .lines()
            .position(|line| line.trim() == code)
            .map_or(0, |index| index + 1)
    };
    let expected = [
        ("first", line_of("let _b = locks.1.lock();")),
        ("second", line_of("let _a = other.0.lock();")),
    ];
    assert_eq!(deadlock.blocked.len(), expected.len(), "{deadlock}");
    for (blocked, (name, line)) in deadlock.blocked.iter().zip(expected) {
        let at = format!("{}:{line}:", file!());
        assert_eq!(blocked.thread, name, "{deadlock}");
        assert!(
            blocked
                .waits_at
                .as_deref()
                .is_some_and(|w| w.starts_with(&at)),
            "{name} waits at {at}:\n{deadlock}"
        );
    }
}

/// A log in one column, each violation marked under its step.
pub fn one_column<P: fmt::Display>(steps: &[Took], violations: &[Violation<P>]) -> String {
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
