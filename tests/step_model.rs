//! The step model at the incident's size, checked by stateright (runs in the loom suite, and
//! with `--features stateright`): `Buggy` and every broken fix must be caught with a shortest
//! counterexample; `Fixed` must hold with every witness reached; docs/verdicts.md must say
//! what the checks found.
#![cfg(any(loom, feature = "stateright"))]

use std::collections::HashMap;
use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, PoisonError};

use planrace::testing::parse_markdown;
use planrace::{Config, Cycles, STEP_SUITE, StepCheck, StepModel, Variant, check_step_model};

/// Checks run at once: one per core of the 2-core machine the suite is sized for.
const WORKERS: usize = 2;

/// One check, run once for the whole binary.
type Cell = &'static OnceLock<StepCheck>;

/// The suite's checks that `wanted` selects, each run at most once per test binary (by
/// [`WORKERS`] threads) and printed as it finishes.
fn checks_of(wanted: impl Fn(Variant) -> bool) -> Vec<&'static StepCheck> {
    static CELLS: OnceLock<Mutex<HashMap<(Variant, &str), Cell>>> = OnceLock::new();
    let cells: Vec<(Variant, &str, Cell)> = STEP_SUITE
        .iter()
        .filter(|(variant, _)| wanted(*variant))
        .map(|&(variant, config)| {
            let cell: Cell = CELLS
                .get_or_init(Mutex::default)
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry((variant, config))
                .or_insert_with(|| Box::leak(Box::new(OnceLock::new())));
            (variant, config, cell)
        })
        .collect();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..WORKERS {
            scope.spawn(|| {
                while let Some((variant, config, cell)) =
                    cells.get(next.fetch_add(1, Ordering::Relaxed))
                {
                    cell.get_or_init(|| {
                        let config: Config = config
                            .parse()
                            .expect("the suite's configurations are valid");
                        let model =
                            StepModel::new(*variant, config, Cycles::OneEach).expect("fits");
                        let check = check_step_model(model);
                        let mut out = std::io::stdout().lock();
                        out.write_all(check.report().as_bytes()).expect("stdout");
                        out.flush().expect("stdout");
                        check
                    });
                }
            });
        }
    });
    cells
        .iter()
        .map(|(_, _, cell)| cell.get().expect("every check ran"))
        .collect()
}

#[test]
fn buggy_is_caught_with_its_shortest_counterexamples() {
    for check in checks_of(|v| v == Variant::Buggy) {
        for outcome in &check.outcomes {
            assert!(
                outcome.violations > 0,
                "the step model found no state of Buggy {} violating {}",
                check.model.config,
                outcome.property
            );
            let example = outcome.shortest.as_ref().expect("a counterexample is kept");
            let timeline = check.timeline(example);
            assert!(
                timeline.contains(&format!("^^^ {} violated", outcome.property)),
                "{timeline}"
            );
        }
    }
}

#[test]
fn fixed_holds_at_the_incidents_size_with_every_witness_reached() {
    let checks = checks_of(|v| v == Variant::Fixed);
    assert!(checks.iter().any(|c| c.model.config.enactors() >= 3));
    for check in checks {
        assert!(check.states > 1_000_000, "{} states", check.states);
        for outcome in &check.outcomes {
            assert_eq!(
                check.verdict(outcome),
                "holds",
                "Fixed {}: {}",
                check.model.config,
                check.report()
            );
        }
    }
}

#[test]
fn every_broken_fix_is_caught() {
    for check in checks_of(|v| v != Variant::Fixed && v != Variant::Buggy) {
        let violated: Vec<_> = check.outcomes.iter().filter(|o| o.violations > 0).collect();
        assert!(
            !violated.is_empty(),
            "{} {} holds in the step model",
            check.model.variant,
            check.model.config
        );
        for outcome in violated {
            assert!(
                outcome.shortest.is_some(),
                "{} {}",
                check.model.variant,
                outcome.property
            );
        }
    }
}

#[test]
fn counterexamples_are_written_as_text_and_svg() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/planrace");
    for check in checks_of(|_| true) {
        let written = check
            .write_counterexamples(&dir)
            .expect("target/planrace is writable");
        let violated = check.outcomes.iter().filter(|o| o.violations > 0).count();
        assert_eq!(written.len(), 2 * violated);
        for path in written
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "svg"))
        {
            let svg = std::fs::read_to_string(path).expect("svg written");
            assert!(svg.starts_with("<svg") && svg.contains("violated"));
        }
    }
}

#[test]
fn docs_verdicts_match_the_step_model() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/verdicts.md");
    let documented: Vec<_> = parse_markdown(&std::fs::read_to_string(&path).expect("docs"))
        .into_iter()
        .filter(|row| row.checker == "stateright")
        .collect();
    let checked: Vec<_> = checks_of(|_| true)
        .into_iter()
        .flat_map(StepCheck::rows)
        .map(|(row, _seconds)| row)
        .collect();
    assert_eq!(
        documented, checked,
        "docs/verdicts.md disagrees with the step model; regenerate its table with \
         cargo run --release --features stateright --example verdicts -- step-model"
    );
}
