//! Shared by the loom suites: explore, print the verdict lines and timelines, return the result.

use std::io::Write as _;

use planrace::explore::{Exploration, explore, preemption_bound};
use planrace::{Scenario, Variant};

/// Explores `variant` on `config` with `LOOM_MAX_PREEMPTIONS`, or `default_bound` when it is
/// unset, and prints the report. Printing goes straight to stdout so that the verdict lines
/// appear even when the test passes and the harness captures `println!`.
pub fn explore_and_report(
    variant: Variant,
    config: &str,
    default_bound: Option<usize>,
) -> Exploration {
    let scenario: Scenario = config
        .parse()
        .expect("the suite's configurations are valid");
    let bound = preemption_bound(default_bound).expect("LOOM_MAX_PREEMPTIONS must be a number");
    let header = format!(
        "planrace: {variant} {scenario}: preemption bound {} ({})\n",
        bound.map_or_else(|| "none".to_owned(), |b| b.to_string()),
        if std::env::var_os("LOOM_MAX_PREEMPTIONS").is_some() {
            "from LOOM_MAX_PREEMPTIONS"
        } else {
            "this test's default"
        }
    );
    std::io::stdout()
        .write_all(header.as_bytes())
        .expect("stdout");
    let exploration = explore(variant, scenario, bound).expect("exploration runs");
    let mut out = std::io::stdout().lock();
    out.write_all(exploration.report().as_bytes())
        .expect("stdout");
    out.flush().expect("stdout");
    exploration
}
