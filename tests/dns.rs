//! The protocol enacted on a real BIND 9 server (`--features dns`; needs `named`, which
//! `.ci/run` installs): the Buggy replay leaves a real name answering with no address, Fixed's
//! stale write is refused by the server, and seeded runs agree with the server's answers.
//! Every request is bounded in tries and time (`dns::DnsZone`), every loop here in seeds.
#![cfg(all(feature = "dns", not(any(loom, shuttle))))]

use std::sync::{Arc, Mutex};

use planrace::WriteCondition::{ActiveIs, Always};
use planrace::dns::{Answer, Bind, DnsZone};
use planrace::{
    Actor, Config, EndpointId, FaultPlan, Generation, Plan, Property, ReplayOptions, RunOptions,
    RunWith, ServerWrite, Step, Variant, run,
};

/// Starts a throw-away named and connects to it.
fn server() -> (Bind, Arc<DnsZone>) {
    let bind = Bind::start().expect("named starts (is bind9 installed?)");
    let zone = Arc::new(DnsZone::connect(bind.address()).expect("named serves planrace.test."));
    (bind, zone)
}

fn addresses(generation: u64, endpoint: usize, endpoints: usize) -> Answer {
    let mut list: Vec<_> = Plan::for_generation(Generation(generation), endpoints)
        .targets(EndpointId(endpoint))
        .iter()
        .map(|target| target.load_balancer)
        .collect();
    list.sort();
    Answer::Addresses(list)
}

/// The incident replayed on the server, with its answer for the endpoint after every step.
fn replay(variant: Variant, zone: &Arc<DnsZone>) -> (Vec<Step>, Vec<Answer>, Vec<Property>) {
    zone.reset(1).expect("reset");
    let asker = Arc::clone(zone);
    let answers = Arc::new(Mutex::new(Vec::new()));
    let collected = Arc::clone(&answers);
    let replay = planrace::replay(ReplayOptions {
        server: Some(Arc::clone(zone) as _),
        after_step: Some(Arc::new(move |_: &Step| {
            let answer = asker.answer(EndpointId(0)).expect("the server answers");
            collected.lock().unwrap().push(answer);
        })),
        ..ReplayOptions::incident(variant)
    })
    .expect("the replay follows the script");
    let answers = std::mem::take(&mut *answers.lock().unwrap());
    let notes: Vec<String> = answers.iter().map(|a| format!("dns: ep0 {a}")).collect();
    println!("{}", replay.timeline_with(&notes));
    let violated = replay.violations.iter().map(|v| v.property).collect();
    (replay.steps, answers, violated)
}

#[test]
fn the_buggy_replay_leaves_a_real_empty_answer() {
    let (_bind, zone) = server();
    let (steps, answers, violated) = replay(Variant::Buggy, &zone);
    assert!(violated.contains(&Property::NoEmptyRecord), "{violated:?}");
    let emptied = answers
        .iter()
        .position(|answer| *answer == Answer::NoData)
        .expect("the server answered with no address at some step");
    assert!(
        answers[..emptied]
            .iter()
            .any(|answer| matches!(answer, Answer::Addresses(_))),
        "the name answered with addresses before it went empty"
    );
    let Step { actor, event } = &steps[emptied];
    println!("emptied by {}: {event}", actor.label());
    assert_eq!(answers.last(), Some(&Answer::NoData), "and it stays empty");
    assert_eq!(zone.marker(EndpointId(0)).unwrap(), Some(Generation(2)));
}

#[test]
fn the_fixed_replay_keeps_answering_with_the_newest_plan() {
    let (_bind, zone) = server();
    let (steps, answers, violated) = replay(Variant::Fixed, &zone);
    assert!(violated.is_empty(), "{violated:?}");
    // From the steady state's write on, the name always answers with addresses.
    let written = steps
        .iter()
        .position(|step| step.actor == Actor::Setup && step.event.to_string().contains(":="))
        .expect("the setup writes the record");
    assert!(
        answers[written..]
            .iter()
            .all(|a| matches!(a, Answer::Addresses(_))),
        "{answers:?}"
    );
    assert_eq!(answers.last(), Some(&addresses(4, 0, 1)));
}

#[test]
fn the_server_refuses_a_stale_conditional_write() {
    let (_bind, zone) = server();
    let endpoint = EndpointId(0);
    let plan = |g| Plan::for_generation(Generation(g), 1).targets(endpoint);
    zone.reset(1).unwrap();
    let (applied_before, refused_before) = zone.update_counts();
    let applied = zone.write(endpoint, Generation(1), &plan(1), None, ActiveIs(None));
    assert_eq!(applied.unwrap(), ServerWrite::Applied);
    // A delayed writer read generation 1; a fast one moves the record to 3 meanwhile.
    let read = zone.marker(endpoint).unwrap();
    assert_eq!(read, Some(Generation(1)));
    let fast = zone.write(endpoint, Generation(3), &plan(3), read, ActiveIs(read));
    assert_eq!(fast.unwrap(), ServerWrite::Applied);
    // The delayed writer's conditional write of 2 is refused by the server (NXRRSET)...
    let stale = zone.write(endpoint, Generation(2), &plan(2), read, ActiveIs(read));
    assert_eq!(stale.unwrap(), ServerWrite::ConditionFailed);
    assert_eq!(zone.marker(endpoint).unwrap(), Some(Generation(3)));
    assert_eq!(zone.answer(endpoint).unwrap(), addresses(3, 0, 1));
    // ...while the same write without the prerequisite, Buggy's, regresses the record.
    let buggy = zone.write(
        endpoint,
        Generation(2),
        &plan(2),
        Some(Generation(3)),
        Always,
    );
    assert_eq!(buggy.unwrap(), ServerWrite::Applied);
    assert_eq!(zone.marker(endpoint).unwrap(), Some(Generation(2)));
    assert_eq!(zone.rollback(endpoint).unwrap(), Some(Generation(3)));
    let (applied, refused) = zone.update_counts();
    assert_eq!((applied - applied_before, refused - refused_before), (3, 1));
}

#[test]
fn a_write_is_decided_by_what_the_server_holds() {
    // Another writer moved the record on the server; the protocol's Fixed transaction reads
    // the server, not its own view, and refuses its now-stale plan.
    let (_bind, zone) = server();
    let config: Config = "1E1P4G2K".parse().unwrap();
    zone.reset(1).unwrap();
    let options = RunOptions {
        variant: Variant::Fixed,
        config,
        faults: FaultPlan::NONE,
        seed: 0,
    };
    let with = RunWith {
        server: Some(Arc::clone(&zone) as _),
        ..RunWith::default()
    };
    let report = run(&options, with).expect("the run completes");
    assert!(report.violated.is_empty(), "{report:?}");
    assert_eq!(zone.answer(EndpointId(0)).unwrap(), addresses(4, 0, 1));
    let outside = zone.write(
        EndpointId(0),
        Generation(9),
        &[],
        Some(Generation(4)),
        ActiveIs(Some(Generation(4))),
    );
    assert_eq!(outside.unwrap(), ServerWrite::Applied);
    assert_eq!(zone.answer(EndpointId(0)).unwrap(), Answer::NoData);
}

/// Seeded runs of `variant` on the server with the lock-loss fault: the report of each, and
/// the server's answer for every endpoint afterwards.
fn seeded(variant: Variant, zone: &Arc<DnsZone>, seed: u64) -> (planrace::RunReport, Vec<Answer>) {
    let config: Config = "3E4P12G2K".parse().unwrap();
    zone.reset(config.endpoints()).expect("reset");
    let options = RunOptions {
        variant,
        config,
        faults: FaultPlan::LOCK_LOSS,
        seed,
    };
    let with = RunWith {
        server: Some(Arc::clone(zone) as _),
        ..RunWith::default()
    };
    let report =
        run(&options, with).unwrap_or_else(|error| panic!("{variant} seed {seed}: {error}"));
    assert!(
        report.validated,
        "{variant} seed {seed}: {:?}",
        report.rejected
    );
    let answers = (0..config.endpoints())
        .map(|endpoint| zone.answer(EndpointId(endpoint)).expect("answer"))
        .collect();
    (report, answers)
}

/// Seeds Buggy gets to empty a real record.
const BUGGY_SEEDS: u64 = 300;
/// Seeds Fixed must survive.
const FIXED_SEEDS: u64 = 1_000;

#[test]
fn buggy_empties_a_real_record_within_bounded_seeds() {
    let (_bind, zone) = server();
    for seed in 0..BUGGY_SEEDS {
        let (report, answers) = seeded(Variant::Buggy, &zone, seed);
        // The server and the in-process records agree on which endpoints are empty.
        let empty_on_server: Vec<EndpointId> = (0..answers.len())
            .filter(|endpoint| answers[*endpoint] == Answer::NoData)
            .map(EndpointId)
            .collect();
        assert_eq!(
            empty_on_server, report.empty_at_end,
            "seed {seed}: {answers:?}"
        );
        if !empty_on_server.is_empty() {
            println!("Buggy seed {seed}: empty on the server: {empty_on_server:?}; {report:?}");
            return;
        }
    }
    panic!("no real record emptied in {BUGGY_SEEDS} seeded runs of Buggy");
}

#[test]
fn fixed_never_empties_a_real_record() {
    let (_bind, zone) = server();
    for seed in 0..FIXED_SEEDS {
        let (report, answers) = seeded(Variant::Fixed, &zone, seed);
        assert!(report.violated.is_empty(), "seed {seed}: {report:?}");
        for (endpoint, answer) in answers.iter().enumerate() {
            assert_eq!(
                *answer,
                addresses(12, endpoint, 4),
                "seed {seed}, endpoint {endpoint}"
            );
        }
    }
    let (updates, refused) = zone.update_counts();
    println!(
        "Fixed, {FIXED_SEEDS} seeds: {updates} updates applied, {refused} refused by their prerequisite"
    );
}
