//! The loom suite's explorations, each run at most once per test binary and shared by every
//! test that needs it, so that `cargo test --test loom_matrix NAME` explores only what the
//! tests named need.

use std::collections::HashMap;
use std::io::Write as _;
use std::sync::{Condvar, Mutex, OnceLock, PoisonError};

use planrace::harness::bound_label;
use planrace::testing::{Job, Matrix, explore_job, explore_matrix, suite_jobs};
use planrace::{Exploration, ExploreError, Variant};

/// Explorations run at once, across all the tests running in parallel: one per core of the
/// 2-core machine the suite is sized for.
const WORKERS: usize = 2;

/// The suite's jobs that `wanted` selects (every variant on every configuration of the
/// suite, and `Fixed`'s two-endpoint proof), explored, each once for the whole binary. Every
/// verdict line and counterexample is printed as its exploration finishes, straight to stdout
/// so that the test harness does not hold it back.
pub fn matrix(wanted: impl Fn(&Job) -> bool) -> Matrix {
    let jobs: Vec<Job> = suite_jobs()
        .expect("LOOM_MAX_PREEMPTIONS must be a number")
        .into_iter()
        .filter(|job| wanted(job))
        .collect();
    explore_matrix(&jobs, WORKERS, cached).expect("every exploration runs")
}

/// The suite's explorations of `variant`.
pub fn explorations_of(variant: Variant) -> Vec<Exploration> {
    let matrix = matrix(|(v, ..)| *v == variant);
    assert!(
        !matrix.explorations.is_empty(),
        "the suite explores {variant}"
    );
    matrix.explorations
}

/// The suite's whole matrix.
pub fn whole_matrix() -> Matrix {
    matrix(|_| true)
}

fn cached(job: Job) -> Result<Exploration, ExploreError> {
    static CELLS: OnceLock<Mutex<HashMap<Job, &'static OnceLock<Exploration>>>> = OnceLock::new();
    let cell: &'static OnceLock<Exploration> = CELLS
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(job)
        .or_insert_with(|| Box::leak(Box::new(OnceLock::new())));
    let exploration = cell.get_or_init(|| {
        let (variant, config, bound) = job;
        print_now(&format!(
            "planrace: exploring {variant} {config} bound={}{}\n",
            bound_label(bound),
            if std::env::var_os("LOOM_MAX_PREEMPTIONS").is_some() {
                " (from LOOM_MAX_PREEMPTIONS)"
            } else {
                ""
            }
        ));
        let exploration = {
            let _core = Core::take();
            explore_job(job).expect("the exploration runs")
        };
        print_now(&exploration.report());
        exploration
    });
    Ok(exploration.clone())
}

/// One of the [`WORKERS`] cores, held for the length of an exploration: the test harness runs
/// tests in parallel, and each test explores its jobs `WORKERS` at a time, so without this the
/// explorations of two tests would share the cores.
struct Core;

static FREE_CORES: Mutex<usize> = Mutex::new(WORKERS);
static CORE_FREED: Condvar = Condvar::new();

impl Core {
    fn take() -> Self {
        let mut free = FREE_CORES.lock().unwrap_or_else(PoisonError::into_inner);
        while *free == 0 {
            free = CORE_FREED
                .wait(free)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *free -= 1;
        Core
    }
}

impl Drop for Core {
    fn drop(&mut self) {
        *FREE_CORES.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        CORE_FREED.notify_one();
    }
}

fn print_now(text: &str) {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes()).expect("stdout");
    out.flush().expect("stdout");
}
