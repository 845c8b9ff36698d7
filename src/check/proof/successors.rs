//! The first-order model's successors of one concrete state: every transition, with every
//! value of its parameters that satisfies its guard, applied by evaluating its updates.

use crate::check::proof::formula::{Domain, Evaluator, StateFn, Structure, Universe};
use crate::check::proof::transitions::{StepKind, Transition};

/// The values a parameter of `domain` takes in `state`. A set of deleted plans ranges over
/// the subsets of the plans in the store: the guard of the only step that has one (the sweep)
/// deletes nothing else, and deleting a plan not in the store changes nothing.
fn values(universe: &Universe, state: &Structure, domain: Domain) -> Vec<i64> {
    match domain {
        Domain::Enactor | Domain::Endpoint | Domain::EndpointOrNone | Domain::Generation => {
            (0..i64::try_from(universe.width(domain)).unwrap_or(0)).collect()
        }
        Domain::GenerationSet => {
            let live: i64 = (0..universe.generations.min(63))
                .filter(|g| state.get(universe, StateFn::Live, &[*g as i64]) != 0)
                .fold(0, |mask, g| mask | (1 << g));
            // Every submask of `live`, counting down from it.
            let mut subsets = vec![live];
            let mut subset = live;
            while subset != 0 {
                subset = (subset - 1) & live;
                subsets.push(subset);
            }
            subsets
        }
    }
}

/// The state after `transition` with `bindings` (its parameters), from `pre`.
fn apply(
    universe: &Universe,
    pre: &Structure,
    transition: &Transition,
    bindings: &[(&'static str, i64)],
) -> Structure {
    let mut post = pre.clone();
    let mut eval = Evaluator {
        universe,
        state: pre,
        bindings: bindings.to_vec(),
    };
    for update in &transition.updates {
        for tuple in universe.tuples(update.f) {
            let depth = eval.bindings.len();
            eval.bindings
                .extend(update.vars.iter().copied().zip(tuple.iter().copied()));
            let value = eval.value(&update.value);
            eval.bindings.truncate(depth);
            post.set(universe, update.f, &tuple, value);
        }
    }
    post
}

/// Every successor of `pre` under `transitions`, with the kind of step that makes it.
pub(crate) fn successors(
    universe: &Universe,
    transitions: &[Transition],
    pre: &Structure,
) -> Vec<(Structure, StepKind)> {
    let mut found = Vec::new();
    for transition in transitions {
        let choices: Vec<Vec<i64>> = transition
            .params
            .iter()
            .map(|(_, domain)| values(universe, pre, *domain))
            .collect();
        let mut bindings: Vec<(&'static str, i64)> = Vec::new();
        each_binding(
            &transition.params,
            &choices,
            &mut bindings,
            &mut |bindings| {
                let mut eval = Evaluator {
                    universe,
                    state: pre,
                    bindings: bindings.to_vec(),
                };
                if eval.holds(&transition.guard) {
                    found.push((apply(universe, pre, transition, bindings), transition.kind));
                }
            },
        );
    }
    found
}

/// Calls `visit` with every combination of parameter values.
fn each_binding(
    params: &[(&'static str, Domain)],
    choices: &[Vec<i64>],
    bindings: &mut Vec<(&'static str, i64)>,
    visit: &mut impl FnMut(&[(&'static str, i64)]),
) {
    let Some(((name, _), rest)) = params.split_first() else {
        visit(bindings);
        return;
    };
    let Some((values, later)) = choices.split_first() else {
        return;
    };
    for value in values {
        bindings.push((name, *value));
        each_binding(rest, later, bindings, visit);
        bindings.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sweep's set of deleted plans ranges over exactly the subsets of the plans in the
    /// store, each once: a missing subset would hide a step of the step model from the
    /// conformance check, and a set holding a plan not in the store is a value no guard
    /// should have to refuse.
    #[test]
    fn a_deleted_set_is_each_subset_of_the_live_plans_once() {
        let u = Universe {
            enactors: 1,
            endpoints: 1,
            generations: 6,
            sweep_age: 2,
            max_attempts: 3,
        };
        let mut state = u.empty();
        for g in [1, 3, 4] {
            state.set(&u, StateFn::Live, &[g], 1);
        }
        let mut subsets = values(&u, &state, Domain::GenerationSet);
        subsets.sort_unstable();
        let live = 0b1_1010;
        let expected: Vec<i64> = (0..=live).filter(|s| s & !live == 0).collect();
        assert_eq!(expected.len(), 8);
        assert_eq!(subsets, expected);
    }
}
