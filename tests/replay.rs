//! The incident on real threads: the interleaving forced step by step, no sleeps.
#![cfg(not(any(loom, shuttle)))]

use std::path::Path;
use std::sync::Arc;

use planrace::testing::{FreeRun, Trace, execute};
use planrace::{
    Config, Cycles, Event, Generation, Property, Rejection, ReplayOptions, Variant,
    check_properties, incident_config, incident_script, parse_script, replay, validate_log,
};

fn properties(replay: &planrace::Execution) -> Vec<Property> {
    replay.violations.iter().map(|v| v.property).collect()
}

#[test]
fn buggy_replay_empties_the_record_and_ends_stuck() {
    let replay = replay(ReplayOptions::incident(Variant::Buggy)).expect("the script is followed");
    println!("{}", replay.timeline());
    assert_eq!(
        properties(&replay),
        vec![
            Property::MonotonicGeneration,
            Property::NoEmptyRecord,
            Property::Progress
        ]
    );
    // The next cycle tried to move on and could not: the record's plan is gone.
    let last = replay.steps.last().map(|s| &s.event);
    assert!(
        matches!(
            last,
            Some(Event::ActivePlanMissing { missing, .. }) if *missing == Generation(2)
        ),
        "the run ends stuck, got {last:?}"
    );
}

#[test]
fn fixed_replay_refuses_the_stale_write_and_spares_live_plans() {
    let replay = replay(ReplayOptions::incident(Variant::Fixed)).expect("the script is followed");
    println!("{}", replay.timeline());
    assert_eq!(properties(&replay), vec![]);
    let events: Vec<&Event> = replay.steps.iter().map(|s| &s.event).collect();
    assert!(events.iter().any(|e| matches!(
        e,
        Event::Rejected { generation, active, .. }
            if *generation == Generation(2) && *active == Generation(4)
    )));
    assert!(events.iter().any(|e| matches!(
        e,
        Event::Swept { spared, .. } if spared.contains(&Generation(1))
    )));
}

#[test]
fn the_replay_is_the_same_every_time() {
    let first = replay(ReplayOptions::incident(Variant::Buggy)).expect("replay");
    for _ in 0..20 {
        let again = replay(ReplayOptions::incident(Variant::Buggy)).expect("replay");
        assert_eq!(again.steps, first.steps);
    }
}

#[test]
fn the_script_covers_the_incident() {
    let config = incident_config();
    assert_eq!(config.to_string(), "2E1P4G2K");
    assert_eq!(incident_script(Variant::Buggy).len(), 11);
}

#[test]
fn fixed_never_violates_a_property_on_free_running_threads() {
    let config: Config = "3E3P6G2K".parse().expect("valid");
    for _ in 0..300 {
        let trace = Arc::new(Trace::recording());
        execute(
            Variant::Fixed,
            &config,
            Arc::new(FreeRun),
            Arc::clone(&trace),
        )
        .expect("runs");
        let steps = trace.steps();
        let violations = check_properties(&steps, config.endpoints());
        assert!(violations.is_empty(), "{violations:?}");
    }
}

/// The value of `key=` in a verdict line.
fn field<'a>(line: &'a str, key: &str) -> &'a str {
    line.split_whitespace()
        .find_map(|f| f.strip_prefix(key).and_then(|f| f.strip_prefix('=')))
        .unwrap_or_else(|| panic!("no {key}= in {line:?}"))
}

#[test]
fn every_committed_counterexample_replays_on_real_threads() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/counterexamples");
    let mut files = 0;
    let mut replayed = 0;
    for entry in std::fs::read_dir(&dir).expect("docs/counterexamples exists") {
        let path = entry.expect("readable").path();
        if path.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        files += 1;
        let text = std::fs::read_to_string(&path).expect("readable");
        let verdict = text.lines().next().unwrap_or_default();
        let variant: Variant = field(verdict, "variant").parse().expect("variant");
        let config: Config = field(verdict, "config").parse().expect("config");
        let property = field(verdict, "property");
        let Some(line) = text.lines().find_map(|l| l.strip_prefix("replay-script: ")) else {
            assert!(
                text.contains("Not replayable"),
                "{} has no script",
                path.display()
            );
            continue;
        };
        let script = parse_script(line).expect("the script parses");
        let replay = replay(ReplayOptions::new(variant, config, script))
            .unwrap_or_else(|e| panic!("{} did not replay: {e}", path.display()));
        assert!(
            replay
                .violations
                .iter()
                .any(|v| v.property.name() == property),
            "replaying {} did not violate {property}:\n{}",
            path.display(),
            replay.timeline()
        );
        replayed += 1;
    }
    assert!(files > 0, "no counterexample files in {}", dir.display());
    println!("{replayed} of {files} counterexamples replayed on real threads");
}

#[test]
fn replays_are_validated_and_the_validator_can_refuse() {
    // Every variant follows its own version of the incident's script (a re-check before each
    // write, a scan before each sweep, where the variant takes them).
    for variant in Variant::ALL {
        let replay =
            replay(ReplayOptions::incident(variant)).expect("the script is followed and validated");
        let validated = validate_log(variant, incident_config(), Cycles::OneEach, &replay.steps);
        assert!(validated.is_ok(), "{variant}: {validated:?}");
    }
    // The re-check saves RecheckBeforeWrite from this interleaving; the non-atomic sweep's
    // scan, taken before A's stale write, empties the record all the same.
    let recheck = replay(ReplayOptions::incident(Variant::RecheckBeforeWrite)).expect("replays");
    assert!(recheck.violations.is_empty(), "{}", recheck.timeline());
    let scan = replay(ReplayOptions::incident(Variant::GuardedSweepNonAtomic)).expect("replays");
    assert!(
        scan.violations
            .iter()
            .any(|v| v.property == Property::NoEmptyRecord),
        "{}",
        scan.timeline()
    );
    // The code of one variant is not an execution of another: Fixed refuses the stale write
    // that Buggy's model installs, and the other way round.
    let config = incident_config();
    for (code, model) in [
        (Variant::Fixed, Variant::Buggy),
        (Variant::Buggy, Variant::Fixed),
    ] {
        let replay = replay(ReplayOptions::incident(code)).expect("the script is followed");
        let rejection = validate_log(model, config, Cycles::OneEach, &replay.steps)
            .expect_err("another variant's log is rejected");
        let Rejection::Step { step, .. } = &rejection else {
            panic!("{rejection}");
        };
        assert!(*step > 0, "{rejection}");
        println!("{code}'s log against the {model} model: {rejection}");
    }
}
