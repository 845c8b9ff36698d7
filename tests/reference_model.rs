//! A plain, single-threaded specification of the plan store and the zone, and property-based
//! tests that drive random operation sequences through both the real types and the
//! specification, comparing every result.
//!
//! The specification says what each operation must do in the simplest terms: a set of live
//! plans, and per endpoint an active and a rollback generation. "Referenced" is defined
//! directly (some record's active or rollback entry names the plan), so the store's reference
//! counts are checked against their meaning, not against another count.
#![cfg(not(any(loom, shuttle)))]

use std::collections::BTreeSet;
use std::sync::Arc;

use proptest::prelude::*;

use planrace::testing::{FreeRun, Trace, World, sweep};
use planrace::{
    Actor, Commit, EndpointId, Event, Generation, Plan, Record, StoreError, SweepRule, WriteRule,
};

const ENDPOINTS: usize = 3;

/// The specification.
#[derive(Debug, Default)]
struct Reference {
    plans: BTreeSet<u64>,
    records: [(Option<u64>, Option<u64>); ENDPOINTS],
}

impl Reference {
    /// Publishing succeeds only for a generation newer than every stored plan.
    fn publish(&mut self, generation: u64) -> Result<(), u64> {
        match self.plans.last() {
            Some(&newest) if newest >= generation => Err(newest),
            _ => {
                self.plans.insert(generation);
                Ok(())
            }
        }
    }

    fn is_referenced(&self, generation: u64) -> bool {
        self.records
            .iter()
            .any(|(active, rollback)| *active == Some(generation) || *rollback == Some(generation))
    }

    fn commit(&mut self, endpoint: usize, generation: u64, rule: WriteRule) -> Commit {
        let (active, _) = self.records[endpoint];
        let conditional = matches!(rule, WriteRule::NewerOnly | WriteRule::NewerIfPlanExists);
        let checks_plan = matches!(rule, WriteRule::IfPlanExists | WriteRule::NewerIfPlanExists);
        match active {
            Some(current) if conditional && current >= generation => Commit::Rejected {
                active: Generation(current),
            },
            Some(current) if !self.plans.contains(&current) => Commit::ActivePlanMissing {
                missing: Generation(current),
            },
            _ if checks_plan && !self.plans.contains(&generation) => Commit::PlanDeleted,
            _ => {
                self.records[endpoint] = (Some(generation), active);
                Commit::Installed {
                    rollback: active.map(Generation),
                }
            }
        }
    }

    /// Deletes every plan at least `age` generations older than `applied` (that the rule does
    /// not spare); returns (deleted, spared).
    fn sweep(&mut self, rule: SweepRule, applied: u64, age: u64) -> (Vec<u64>, Vec<u64>) {
        let old: Vec<u64> = self
            .plans
            .iter()
            .copied()
            .filter(|g| applied.checked_sub(age).is_some_and(|cutoff| *g <= cutoff))
            .collect();
        let (spared, deleted): (Vec<u64>, Vec<u64>) = old
            .into_iter()
            .partition(|g| rule != SweepRule::AgeOnly && self.is_referenced(*g));
        for generation in &deleted {
            self.plans.remove(generation);
        }
        (deleted, spared)
    }

    fn resolves_to_something(&self, endpoint: usize) -> bool {
        self.records[endpoint]
            .0
            .is_some_and(|g| self.plans.contains(&g))
    }
}

#[derive(Debug, Clone)]
enum Op {
    Publish(u64),
    Delete(u64),
    Commit(usize, u64, WriteRule),
    Sweep(SweepRule, u64, u64),
}

fn op() -> impl Strategy<Value = Op> {
    let generation = 1..10u64;
    let rule = prop_oneof![
        Just(WriteRule::Unconditional),
        Just(WriteRule::NewerOnly),
        Just(WriteRule::IfPlanExists),
        Just(WriteRule::NewerIfPlanExists),
    ];
    // The sequential sweep rules: the non-atomic one differs only in when it reads records.
    let sweep_rule = prop_oneof![
        Just(SweepRule::AgeOnly),
        Just(SweepRule::SkipReferenced),
        Just(SweepRule::SkipReferencedNonAtomic),
    ];
    prop_oneof![
        3 => generation.clone().prop_map(Op::Publish),
        1 => generation.clone().prop_map(Op::Delete),
        4 => (0..ENDPOINTS, generation.clone(), rule).prop_map(|(e, g, r)| Op::Commit(e, g, r)),
        2 => (sweep_rule, generation, 0..4u64).prop_map(|(r, g, k)| Op::Sweep(r, g, k)),
    ]
}

fn last_sweep(trace: &Trace) -> Option<(Vec<u64>, Vec<u64>)> {
    trace
        .steps()
        .into_iter()
        .rev()
        .find_map(|step| match step.event {
            Event::Swept {
                deleted, spared, ..
            } => Some((
                deleted.iter().map(|g| g.0).collect(),
                spared.iter().map(|g| g.0).collect(),
            )),
            _ => None,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn store_and_zone_behave_as_specified(ops in prop::collection::vec(op(), 1..40)) {
        let trace = Arc::new(Trace::recording());
        let real = World::new(ENDPOINTS, Arc::clone(&trace));
        let mut spec = Reference::default();
        for op in ops {
            match op {
                Op::Publish(g) => {
                    let plan = Arc::new(Plan::for_generation(Generation(g), ENDPOINTS));
                    let got = real.store.lock().publish(plan);
                    let want = spec.publish(g).map_err(|newest| StoreError::NotNewer {
                        generation: Generation(g),
                        newest: Generation(newest),
                    });
                    prop_assert_eq!(got, want, "publish {}", g);
                }
                Op::Delete(g) => {
                    let got = real.store.lock().delete(Generation(g));
                    prop_assert_eq!(got, spec.plans.remove(&g), "delete {}", g);
                }
                Op::Commit(e, g, rule) => {
                    let record = real.zone.record(EndpointId(e)).expect("endpoint in range");
                    let got = record.begin().commit(Generation(g), rule, &real.store);
                    prop_assert_eq!(got, spec.commit(e, g, rule), "commit ep{} g{} {:?}", e, g, rule);
                }
                Op::Sweep(rule, applied, age) => {
                    sweep(rule, Generation(applied), age, &real, &FreeRun, Actor::Enactor(0));
                    let want = spec.sweep(rule, applied, age);
                    prop_assert_eq!(last_sweep(&trace), Some(want), "sweep {:?}", rule);
                }
            }
            // After every operation, the whole observable state agrees.
            let store = real.store.lock();
            let live: Vec<u64> = store.generations().iter().map(|g| g.0).collect();
            prop_assert_eq!(&live, &spec.plans.iter().copied().collect::<Vec<_>>());
            prop_assert_eq!(store.newest().map(|p| p.generation().0), spec.plans.last().copied());
            for g in 1..10 {
                prop_assert_eq!(store.is_referenced(Generation(g)), spec.is_referenced(g), "references of g{}", g);
                prop_assert_eq!(store.contains(Generation(g)), spec.plans.contains(&g));
            }
            drop(store);
            for (e, (active, rollback)) in spec.records.iter().enumerate() {
                let endpoint = EndpointId(e);
                let lock = real.zone.record(endpoint).expect("endpoint in range");
                let want = Record { active: active.map(Generation), rollback: rollback.map(Generation) };
                prop_assert_eq!(lock.begin().record(), want);
                let targets = real.zone.resolve(endpoint, &real.store).expect("endpoint in range");
                prop_assert_eq!(!targets.is_empty(), spec.resolves_to_something(e));
                if let (false, Some(g)) = (targets.is_empty(), active) {
                    let plan = Plan::for_generation(Generation(*g), ENDPOINTS);
                    prop_assert_eq!(targets.as_slice(), plan.targets(endpoint));
                }
            }
        }
    }
}
