//! The shuttle suite (`RUSTFLAGS="--cfg shuttle" cargo test --release`): the protocol's own
//! code, sampled by shuttle's random and PCT schedulers at sizes loom cannot finish. Every
//! broken variant must be caught by both schedulers at every size (but two that break only
//! after a give-up: `must_catch` says where those must be), `Fixed` must survive a
//! million sampled iterations with every dangerous situation reached, every iteration's log
//! must be accepted by the step model, and a counterexample must replay from its schedule
//! string. A sample proves nothing: no violation is reported `not-found`.
//!
//! `PLANRACE_SEEDS=a..b` narrows `Fixed`'s budget to those seeds, so that several CI jobs
//! can share it (docs/testing.md).
#![cfg(shuttle)]

#[path = "support/doc_table.rs"]
mod doc_table;

use std::io::Write as _;
use std::ops::Range;
use std::path::PathBuf;

use planrace::harness::{Model, ReplayScheduleError, Sample, replay, seeds_from_env};
use planrace::harness::{ScheduleError, SchedulerKind, Verdict};
use planrace::{Config, Exploration, Property, ProtocolModel, Variant, sample, witness};

use doc_table::table_rows;

/// The sizes the suite samples: the incident's three Enactors with three and four endpoints,
/// and a fleet of eight Enactors.
const CONFIGS: [&str; 3] = ["3E3P6G2K", "3E4P12G2K", "8E4P12G2K"];

/// PCT's depth, chosen when the suite had six broken variants (seeds 0..2, first violation):
/// at depth 5 PCT caught every one but ConditionalWriteOnly, which it missed in 200,000
/// iterations at every size, and at depth 8 in 100,000; at depth 12 it took 2,619-40,663
/// iterations, at depth 20 43-4,209, and every other variant at most 129. docs/testing.md
/// has today's iterations for every variant.
const PCT_DEPTH: usize = 20;

const SCHEDULERS: [SchedulerKind; 2] = [
    SchedulerKind::Random,
    SchedulerKind::Pct { depth: PCT_DEPTH },
];

/// A broken variant must be caught within seeds 0..4 of 50,000 iterations each, where
/// `must_catch` says it must (docs/testing.md has each first violation's iteration).
const CATCH_SEEDS: Range<u64> = 0..4;
const CATCH_PER_SEED: usize = 50_000;

/// Fixed's budget: 17 seeds of 10,000 iterations, on three sizes under two schedulers.
const FIXED_SEEDS: Range<u64> = 0..17;
const FIXED_PER_SEED: usize = 10_000;
const FIXED_TOTAL: u64 = (FIXED_SEEDS.end - FIXED_SEEDS.start) * FIXED_PER_SEED as u64 * 6;
const _: () = assert!(
    FIXED_TOTAL >= 1_000_000,
    "Fixed must survive a million iterations"
);

/// Straight to stderr: the test harness would hold output back until the end.
fn print_now(text: &str) {
    let _ = std::io::stderr().write_all(text.as_bytes());
}

fn config(text: &str) -> Config {
    text.parse().expect("the suite's configurations are valid")
}

/// Where a sampled counterexample's timeline and SVG go.
fn counterexample_dir(scheduler: SchedulerKind) -> PathBuf {
    let name = match scheduler.depth() {
        Some(depth) => format!("{}{depth}", scheduler.name()),
        None => scheduler.name().to_owned(),
    };
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/planrace/shuttle")
        .join(name)
}

/// Every iteration's log was accepted by the step model.
fn assert_validated(exploration: &Exploration) {
    assert_eq!(
        (exploration.validated, exploration.rejected),
        (exploration.executions, 0),
        "{} {}: the step model must accept every iteration's log; first rejection: {:?}",
        exploration.model.variant,
        exploration.model.config,
        exploration.first_rejection
    );
}

/// Whether `scheduler` must find `variant` broken on `size` within the budget: everywhere,
/// except two variants that keep every rule of `Fixed` but one and break only after an
/// Enactor gives up on a lock: PCT at depth 20 finds neither within the budget on any size,
/// the random scheduler finds `FixedWithoutExistenceCheck` on every size and
/// `FixedNonAtomicSweep` on two of the three (docs/testing.md has the iterations, which the
/// suite checks). Written here, not read from a run.
fn must_catch(variant: Variant, size: &str, scheduler: SchedulerKind) -> bool {
    let random = scheduler.depth().is_none();
    match variant {
        Variant::FixedWithoutExistenceCheck => random,
        Variant::FixedNonAtomicSweep => random && size != "3E4P12G2K",
        _ => true,
    }
}

/// The properties the proof shows `variant` keeps for every size (docs/proof.md), which no
/// sample may then violate; written here, as tests/proof.rs's `must_refute` is. The match has
/// no wildcard, so a new variant cannot join without its expectation.
fn proven_for_every_size(variant: Variant) -> &'static [Property] {
    match variant {
        Variant::Fixed | Variant::FixedSkipPartlyApplied => {
            &[Property::NoEmptyRecord, Property::MonotonicGeneration]
        }
        Variant::FixedWithoutCompare => &[Property::NoEmptyRecord],
        Variant::ConditionalWriteOnly
        | Variant::FixedWithoutExistenceCheck
        | Variant::FixedNonAtomicSweep
        | Variant::FixedAgeSweep => &[Property::MonotonicGeneration],
        Variant::Buggy
        | Variant::RecheckBeforeWrite
        | Variant::GuardedSweepOnly
        | Variant::GuardedSweepNonAtomic
        | Variant::SkipDeletedPlan => &[],
    }
}

#[test]
fn every_broken_variant_is_caught_where_it_must_be() {
    let broken = Variant::ALL.into_iter().filter(|v| *v != Variant::Fixed);
    // The iteration of each first violation (None: not caught), by variant, size and scheduler.
    let mut first_violations: Vec<(Variant, &str, SchedulerKind, Option<u64>)> = Vec::new();
    for variant in broken {
        for size in CONFIGS {
            for scheduler in SCHEDULERS {
                let plan = Sample {
                    scheduler,
                    seeds: CATCH_SEEDS,
                    per_seed: CATCH_PER_SEED,
                    until_first_violation: true,
                };
                let exploration = sample(variant, config(size), &plan).expect("runs");
                assert_validated(&exploration);
                for outcome in exploration.outcomes.iter().filter(|o| o.violations > 0) {
                    assert!(
                        !proven_for_every_size(variant).contains(&outcome.property),
                        "{variant} {size}: {} violated {}, which the proof shows it keeps",
                        scheduler.name(),
                        outcome.property
                    );
                }
                let caught = exploration.outcomes.iter().find(|o| o.violations > 0);
                let iteration = caught
                    .and_then(|o| o.first.as_ref())
                    .map(|first| first.execution);
                first_violations.push((variant, size, scheduler, iteration));
                let Some(outcome) = caught else {
                    assert!(
                        !must_catch(variant, size, scheduler),
                        "{variant} {size}: {} found no violation in {} iterations",
                        scheduler.name(),
                        exploration.executions
                    );
                    print_now(&format!(
                        "{variant} {size}: {} found no violation in {} iterations (not \
                         expected to: see must_catch)\n",
                        scheduler.name(),
                        exploration.executions
                    ));
                    continue;
                };
                let first = outcome
                    .first
                    .as_ref()
                    .expect("a violation keeps its example");
                let schedule = first
                    .schedule
                    .as_deref()
                    .expect("a sampled example keeps its schedule");
                assert_eq!(
                    first.execution, exploration.executions,
                    "stopped at the first"
                );
                let written = exploration
                    .write_counterexamples(&counterexample_dir(scheduler))
                    .expect("writes the counterexamples");
                print_now(&format!(
                    "{}\nfirst violation: {} at iteration {}, schedule {schedule}\nwritten: {}\n",
                    exploration.verdict_line(outcome),
                    outcome.property,
                    first.execution,
                    written[0].display()
                ));
                if (variant, size, scheduler) == (Variant::Buggy, CONFIGS[0], SCHEDULERS[0]) {
                    print_now(&exploration.report());
                }
            }
        }
    }
    docs_first_violations_match(&first_violations);
}

/// docs/testing.md's table of iterations to the first violation ("The shuttle suite") is this
/// run's: one row per broken variant, one column per scheduler and size, `none in <budget>`
/// where the budget ran out. shuttle's schedules are deterministic for a seed, so the counts
/// repeat.
fn docs_first_violations_match(found: &[(Variant, &str, SchedulerKind, Option<u64>)]) {
    let mut header = vec!["variant".to_owned()];
    for scheduler in SCHEDULERS {
        header.extend(CONFIGS.map(|size| format!("{} {size}", scheduler.name())));
    }
    let header = format!("| {} |", header.join(" | "));
    let budget = (CATCH_SEEDS.end - CATCH_SEEDS.start) * CATCH_PER_SEED as u64;
    let mut variants: Vec<Variant> = found.iter().map(|(v, ..)| *v).collect();
    variants.dedup();
    let measured: Vec<Vec<String>> = variants
        .into_iter()
        .map(|variant| {
            let mut cells = vec![variant.name().to_owned()];
            for scheduler in SCHEDULERS {
                for size in CONFIGS {
                    let iteration = found
                        .iter()
                        .find(|(v, s, k, _)| (*v, *s, *k) == (variant, size, scheduler))
                        .and_then(|(.., iteration)| *iteration);
                    cells.push(iteration.map_or(format!("none in {budget}"), |n| n.to_string()));
                }
            }
            cells
        })
        .collect();
    let printed: Vec<String> = measured
        .iter()
        .map(|cells| format!("| {} |", cells.join(" | ")))
        .collect();
    assert_eq!(
        table_rows("testing.md", &header),
        measured,
        "docs/testing.md's iterations to the first violation disagree with this run; \
         measured:\n{header}\n{}",
        printed.join("\n")
    );
}

/// Samples Fixed on every size under `scheduler` with the seeds `PLANRACE_SEEDS` names (all of
/// the suite's by default), and asserts that nothing was found, that every log validated, and
/// that every dangerous situation was reached: otherwise the sample exercised nothing.
fn fixed_survives(scheduler: SchedulerKind) {
    let seeds = seeds_from_env(FIXED_SEEDS).expect("PLANRACE_SEEDS is a range of seeds");
    let mut total = 0;
    for size in CONFIGS {
        let plan = Sample {
            scheduler,
            seeds: seeds.clone(),
            per_seed: FIXED_PER_SEED,
            until_first_violation: false,
        };
        let exploration = sample(Variant::Fixed, config(size), &plan).expect("runs");
        assert_eq!(
            exploration.executions,
            plan.budget(),
            "the whole budget ran"
        );
        assert_validated(&exploration);
        print_now(&exploration.report());
        for outcome in &exploration.outcomes {
            let shown = outcome
                .first
                .as_ref()
                .map(|e| e.timeline())
                .unwrap_or_default();
            assert_eq!(
                outcome.violations,
                0,
                "Fixed {size} violates {} under {}:\n{shown}",
                outcome.property,
                scheduler.name()
            );
            assert_eq!(exploration.verdict(outcome), Verdict::NotFound);
        }
        for name in witness::ALL {
            assert!(
                exploration.witness_count(name) > Some(0),
                "Fixed {size} under {}: no iteration reached {name}",
                scheduler.name()
            );
        }
        total += exploration.executions;
    }
    print_now(&format!(
        "Fixed survived {total} {} iterations (seeds {}..{}); the suite's full budget over both schedulers is {FIXED_TOTAL}\n",
        scheduler.name(),
        seeds.start,
        seeds.end
    ));
}

#[test]
fn fixed_survives_the_random_schedulers_budget() {
    fixed_survives(SchedulerKind::Random);
}

#[test]
fn fixed_survives_the_pct_schedulers_budget() {
    fixed_survives(SchedulerKind::Pct { depth: PCT_DEPTH });
}

#[test]
fn a_counterexample_replays_from_its_schedule_string() {
    let size = config("8E4P12G2K");
    let plan = Sample {
        scheduler: SchedulerKind::Random,
        seeds: CATCH_SEEDS,
        per_seed: CATCH_PER_SEED,
        until_first_violation: true,
    };
    let exploration = sample(Variant::Buggy, size, &plan).expect("runs");
    let again = sample(Variant::Buggy, size, &plan).expect("runs");
    assert_eq!(
        (again.executions, &again.witnessed),
        (exploration.executions, &exploration.witnessed),
        "the same seeds draw the same schedules"
    );
    let outcome = exploration
        .outcome(Property::MonotonicGeneration)
        .filter(|o| o.violations > 0)
        .or_else(|| exploration.outcomes.iter().find(|o| o.violations > 0))
        .expect("Buggy is caught");
    let first = outcome.first.as_ref().expect("kept");
    let schedule = first.schedule.as_deref().expect("with its schedule");

    let model = ProtocolModel {
        variant: Variant::Buggy,
        config: size,
    };
    let replayed = replay(&model, schedule).expect("the schedule replays");
    assert_eq!(replayed, first.steps, "the replay takes the same steps");
    assert!(
        model
            .check(&replayed)
            .iter()
            .any(|v| v.property == outcome.property),
        "the replay breaks the same property"
    );

    let elsewhere = ProtocolModel {
        variant: Variant::Buggy,
        config: config("3E3P6G2K"),
    };
    assert!(matches!(
        replay(&elsewhere, schedule),
        Err(ReplayScheduleError::Schedule(ScheduleError::Diverged))
    ));
    let truncated = &schedule[..schedule.len() / 2];
    assert!(matches!(
        replay(&model, truncated),
        Err(ReplayScheduleError::Schedule(ScheduleError::Malformed(_)))
    ));
}
