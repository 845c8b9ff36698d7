//! The loom suite's one exploration of the whole verdict matrix, shared by its tests.

use std::io::Write as _;
use std::sync::OnceLock;

use planrace::Variant;
use planrace::matrix::{Matrix, explore_matrix, suite};

/// Explorations run at once: one per core of the 2-core machine the suite is sized for.
const WORKERS: usize = 2;

/// The matrix of every variant on every configuration of the suite, explored once for all the
/// tests of this binary. Every verdict line and counterexample is printed as its exploration
/// finishes, straight to stdout so that the test harness does not hold it back.
pub fn matrix() -> &'static Matrix {
    static MATRIX: OnceLock<Matrix> = OnceLock::new();
    MATRIX.get_or_init(|| {
        let configs = suite().expect("LOOM_MAX_PREEMPTIONS must be a number");
        let source = if std::env::var_os("LOOM_MAX_PREEMPTIONS").is_some() {
            "from LOOM_MAX_PREEMPTIONS"
        } else {
            "the suite's defaults"
        };
        let bounds: Vec<String> = configs
            .iter()
            .map(|(scenario, bound)| {
                let bound = bound.map_or_else(|| "none".to_owned(), |b| b.to_string());
                format!("{scenario} bound={bound}")
            })
            .collect();
        print_now(&format!(
            "planrace: exploring {} variants on {} ({source})\n",
            Variant::ALL.len(),
            bounds.join(", ")
        ));
        explore_matrix(&Variant::ALL, &configs, WORKERS, |exploration| {
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
