//! The validator against the exact oracle: a log and its systematic mutations, each judged by
//! both, which must agree (tests/oracle.rs in every build: real threads and replays by default,
//! loom executions under `--cfg loom`, shuttle iterations under `--cfg shuttle`).

use std::collections::BTreeMap;
use std::fmt;

use planrace::{
    Actor, Config, Cycles, EndpointId, Event, Generation, Step, Variant, oracle_explains,
    validate_log,
};

/// How a log was changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Mutation {
    /// The log as the code wrote it.
    Unchanged,
    /// One step left out.
    Drop,
    /// Two adjacent steps of different actors swapped.
    Swap,
    /// A generation in a step one higher, or one lower.
    Generation,
    /// The endpoint of a step changed to the next one.
    Endpoint,
    /// A `LockBusy` inserted: by the actor of the step after it, on that step's endpoint (or
    /// the first), as that actor's next attempt: a log the code could write if the lock
    /// was held then.
    InsertBusy,
    /// A `LockLost` inserted the same way.
    InsertLost,
    /// A step attributed to another Enactor.
    Reattribute,
    /// The log cut short, after its setup.
    Truncate,
}

impl Mutation {
    /// Every kind, in the order the summary prints them.
    pub const ALL: [Mutation; 9] = [
        Mutation::Unchanged,
        Mutation::Drop,
        Mutation::Swap,
        Mutation::Generation,
        Mutation::Endpoint,
        Mutation::InsertBusy,
        Mutation::InsertLost,
        Mutation::Reattribute,
        Mutation::Truncate,
    ];
}

/// Every mutation of `log` of every kind, the unchanged log first. Steps of the setup are
/// mutated too (the validator and the oracle must both refuse a setup that is not theirs).
pub fn mutants(log: &[Step], config: Config) -> Vec<(Mutation, Vec<Step>)> {
    let mut all = vec![(Mutation::Unchanged, log.to_vec())];
    for at in 0..log.len() {
        let mut dropped = log.to_vec();
        dropped.remove(at);
        all.push((Mutation::Drop, dropped));
        // The model starts from the setup's steady state: a log is cut short after it.
        if at > config.endpoints() {
            all.push((Mutation::Truncate, log[..at].to_vec()));
        }
        if at + 1 < log.len() && log[at].actor != log[at + 1].actor {
            let mut swapped = log.to_vec();
            swapped.swap(at, at + 1);
            all.push((Mutation::Swap, swapped));
        }
        for delta in [1, -1] {
            if let Some(event) = shift_generation(&log[at].event, delta) {
                all.push((
                    Mutation::Generation,
                    replaced(log, at, log[at].actor, event),
                ));
            }
        }
        if let Some(event) = next_endpoint(&log[at].event, config.endpoints()) {
            all.push((Mutation::Endpoint, replaced(log, at, log[at].actor, event)));
        }
        if let Actor::Enactor(n) = log[at].actor {
            for other in (0..config.enactors()).filter(|other| *other != n) {
                let event = log[at].event.clone();
                all.push((
                    Mutation::Reattribute,
                    replaced(log, at, Actor::Enactor(other), event),
                ));
            }
            let endpoint = endpoint_of(&log[at].event).unwrap_or(EndpointId(0));
            let attempt = next_attempt(&log[..at], log[at].actor, endpoint);
            for (kind, event) in [
                (Mutation::InsertBusy, Event::LockBusy { endpoint, attempt }),
                (Mutation::InsertLost, Event::LockLost { endpoint, attempt }),
            ] {
                let mut inserted = log.to_vec();
                inserted.insert(
                    at,
                    Step {
                        actor: Actor::Enactor(n),
                        event,
                    },
                );
                all.push((kind, inserted));
            }
        }
    }
    all
}

/// The attempt `actor`'s next try of `endpoint`'s lock would be after `log`: one more than
/// its previous step's, if that was a failed try of the same lock.
fn next_attempt(log: &[Step], actor: Actor, endpoint: EndpointId) -> u32 {
    match log
        .iter()
        .rev()
        .find(|step| step.actor == actor)
        .map(|s| &s.event)
    {
        Some(
            Event::LockBusy {
                endpoint: e,
                attempt,
            }
            | Event::LockLost {
                endpoint: e,
                attempt,
            },
        ) if *e == endpoint => attempt + 1,
        _ => 1,
    }
}

/// `log` with step `at` replaced.
fn replaced(log: &[Step], at: usize, actor: Actor, event: Event) -> Vec<Step> {
    let mut changed = log.to_vec();
    changed[at] = Step { actor, event };
    changed
}

fn shift(generation: Generation, delta: i64) -> Option<Generation> {
    generation.0.checked_add_signed(delta).map(Generation)
}

/// `event` with its first generation moved by `delta`, if it names one.
fn shift_generation(event: &Event, delta: i64) -> Option<Event> {
    let mut event = event.clone();
    let generation = match &mut event {
        Event::Published { generation }
        | Event::Installed { generation, .. }
        | Event::Rejected { generation, .. }
        | Event::ActivePlanMissing { generation, .. }
        | Event::PlanDeleted { generation, .. }
        | Event::GaveUp { generation, .. } => generation,
        Event::Picked {
            generation: Some(generation),
        } => generation,
        Event::Checked { plan, .. } => plan,
        Event::Swept { applied, .. } => applied,
        Event::SweepScanned {
            active: Some(active),
            ..
        } => active,
        Event::Picked { generation: None }
        | Event::SweepScanned { active: None, .. }
        | Event::LockBusy { .. }
        | Event::LockLost { .. } => return None,
    };
    *generation = shift(*generation, delta)?;
    Some(event)
}

/// The endpoint `event` names, if it names one, to change.
fn endpoint_mut(event: &mut Event) -> Option<&mut EndpointId> {
    match event {
        Event::Checked { endpoint, .. }
        | Event::LockBusy { endpoint, .. }
        | Event::LockLost { endpoint, .. }
        | Event::Installed { endpoint, .. }
        | Event::Rejected { endpoint, .. }
        | Event::ActivePlanMissing { endpoint, .. }
        | Event::PlanDeleted { endpoint, .. }
        | Event::SweepScanned { endpoint, .. }
        | Event::GaveUp { endpoint, .. } => Some(endpoint),
        Event::Published { .. } | Event::Picked { .. } | Event::Swept { .. } => None,
    }
}

/// The endpoint `event` names, if it names one.
fn endpoint_of(event: &Event) -> Option<EndpointId> {
    endpoint_mut(&mut event.clone()).copied()
}

/// `event` on the next endpoint (the first after the last), if it names one and the zone has
/// more than one.
fn next_endpoint(event: &Event, endpoints: usize) -> Option<Event> {
    if endpoints < 2 {
        return None;
    }
    let mut event = event.clone();
    let endpoint = endpoint_mut(&mut event)?;
    *endpoint = EndpointId((endpoint.0 + 1) % endpoints);
    Some(event)
}

/// How many logs of each kind the validator and the oracle accepted and rejected (they
/// agreed on every one, or the comparison stopped).
#[derive(Debug, Default)]
pub struct Agreement {
    /// Per kind: (accepted, rejected).
    counts: BTreeMap<Mutation, (u64, u64)>,
    /// Source logs compared.
    pub sources: u64,
}

impl Agreement {
    /// Judges `log` (a log of `variant` on `config`) and every mutation of it with both, and
    /// panics with the log at the first disagreement. A source log must be accepted.
    pub fn compare(&mut self, variant: Variant, config: Config, cycles: Cycles, log: &[Step]) {
        self.sources += 1;
        for (kind, mutant) in mutants(log, config) {
            let validator = validate_log(variant, config, cycles, &mutant);
            let oracle = oracle_explains(variant, config, cycles, &mutant)
                .expect("a configuration the step model holds");
            assert_eq!(
                validator.is_ok(),
                oracle,
                "{variant} {config} {cycles:?}, {kind:?}: the validator says {validator:?}, the \
                 oracle {}, on\n{}",
                if oracle { "accepts" } else { "rejects" },
                listing(&mutant)
            );
            assert!(
                kind != Mutation::Unchanged || oracle,
                "{variant} {config}: a log the code wrote is rejected: {validator:?}\n{}",
                listing(&mutant)
            );
            let (accepted, rejected) = self.counts.entry(kind).or_default();
            if oracle {
                *accepted += 1;
            } else {
                *rejected += 1;
            }
        }
    }

    /// Accepted and rejected logs of `kind`.
    pub fn count(&self, kind: Mutation) -> (u64, u64) {
        self.counts.get(&kind).copied().unwrap_or_default()
    }

    /// Adds `other`'s counts to these.
    #[cfg(any(loom, shuttle))]
    pub fn merge(&mut self, other: Agreement) {
        self.sources += other.sources;
        for (kind, (accepted, rejected)) in other.counts {
            let (a, r) = self.counts.entry(kind).or_default();
            *a += accepted;
            *r += rejected;
        }
    }

    /// Asserts that both answers came up: the mutations that can only break a log were
    /// rejected at least once, and the code's own logs and their prefixes were accepted.
    pub fn assert_discriminating(&self) {
        for kind in [
            Mutation::Drop,
            Mutation::Swap,
            Mutation::Generation,
            Mutation::InsertBusy,
            Mutation::Reattribute,
        ] {
            assert!(self.count(kind).1 > 0, "no {kind:?} was rejected:\n{self}");
        }
        for kind in [Mutation::Unchanged, Mutation::Truncate] {
            assert_eq!(self.count(kind).1, 0, "{kind:?} rejected:\n{self}");
            assert!(self.count(kind).0 > 0, "no {kind:?} log:\n{self}");
        }
    }
}

impl Agreement {
    /// Asserts that docs/testing.md's row for `source` ("The validator against an exact
    /// oracle") has these counts: logs, mutants accepted, mutants rejected, and inserted
    /// `LockBusy` accepted / rejected.
    #[cfg(any(loom, shuttle))]
    pub fn assert_documented(&self, source: &str) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/testing.md");
        let document = std::fs::read_to_string(path).expect("docs/testing.md");
        let prefix = format!("| {source} |");
        let row = document
            .lines()
            .find(|line| line.starts_with(&prefix))
            .unwrap_or_else(|| panic!("docs/testing.md has no row `{prefix}`"));
        let mutants = |accepted: bool| -> u64 {
            Mutation::ALL
                .into_iter()
                .filter(|kind| *kind != Mutation::Unchanged)
                .map(|kind| {
                    let (a, r) = self.count(kind);
                    if accepted { a } else { r }
                })
                .sum()
        };
        let (busy_accepted, busy_rejected) = self.count(Mutation::InsertBusy);
        let measured = format!(
            "{prefix} {} | {} | {} | {} / {} |",
            thousands(self.sources),
            thousands(mutants(true)),
            thousands(mutants(false)),
            thousands(busy_accepted),
            thousands(busy_rejected)
        );
        assert_eq!(
            row, measured,
            "docs/testing.md disagrees with this run:\n{self}"
        );
    }
}

/// `n` with a comma every three digits, as the docs write counts.
#[cfg(any(loom, shuttle))]
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

impl fmt::Display for Agreement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} source logs; validator and oracle agreed on every log:",
            self.sources
        )?;
        writeln!(
            f,
            "  {:<12} {:>9} {:>9}",
            "mutation", "accepted", "rejected"
        )?;
        for kind in Mutation::ALL {
            let (accepted, rejected) = self.count(kind);
            writeln!(
                f,
                "  {:<12} {accepted:>9} {rejected:>9}",
                format!("{kind:?}")
            )?;
        }
        Ok(())
    }
}

/// A log, one numbered step per line.
fn listing(log: &[Step]) -> String {
    log.iter()
        .enumerate()
        .map(|(index, step)| format!("{index:>3} {:<10} {}\n", step.actor.label(), step.event))
        .collect()
}
