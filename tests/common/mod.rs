//! The loom suite's one exploration of the whole verdict matrix, shared by its tests.

use std::io::Write as _;
use std::sync::OnceLock;

use planrace::harness::bound_label;
use planrace::matrix::{Matrix, explore_matrix, suite_jobs};

/// Explorations run at once: one per core of the 2-core machine the suite is sized for.
const WORKERS: usize = 2;

/// The suite's matrix (every variant on every configuration, and `Fixed`'s two-endpoint proof), explored once for all the
/// tests of this binary. Every verdict line and counterexample is printed as its exploration
/// finishes, straight to stdout so that the test harness does not hold it back.
pub fn matrix() -> &'static Matrix {
    static MATRIX: OnceLock<Matrix> = OnceLock::new();
    MATRIX.get_or_init(|| {
        let jobs = suite_jobs().expect("LOOM_MAX_PREEMPTIONS must be a number");
        let source = if std::env::var_os("LOOM_MAX_PREEMPTIONS").is_some() {
            "from LOOM_MAX_PREEMPTIONS"
        } else {
            "the suite's defaults"
        };
        let listed: Vec<String> = jobs
            .iter()
            .map(|(variant, scenario, bound)| {
                format!("{variant} {scenario} bound={}", bound_label(*bound))
            })
            .collect();
        print_now(&format!(
            "planrace: {} explorations ({source}): {}\n",
            jobs.len(),
            listed.join(", ")
        ));
        explore_matrix(&jobs, WORKERS, |exploration| {
            print_now(&exploration.report());
        })
        .expect("every exploration runs")
    })
}

fn print_now(text: &str) {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).expect("stdout");
    out.flush().expect("stdout");
}
