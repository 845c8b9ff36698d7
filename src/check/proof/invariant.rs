//! The inductive invariant of `Fixed`, conjunct by conjunct, and the properties it proves.
//!
//! Each property rests on a *support*: the conjuncts whose induction proves it. The four
//! well-formedness conjuncts (ranges of generations, endpoints and attempts) are in every
//! support and inductive by themselves (their obligations assume only them); the key
//! conjunct's obligations assume the whole support. The key conjuncts do not need most of the
//! well-formedness ones, but they keep a solver's counterexample to induction among states
//! that look like the protocol's, so that it can be read.

use std::fmt;

use crate::check::proof::formula::{Domain, Pc, StateFn, Symbol, Term, and, app, int, var};

/// One conjunct of the invariant: a name, a sentence, a formula over one state.
#[derive(Debug, Clone)]
pub struct Conjunct {
    /// The name reports print.
    pub name: &'static str,
    /// What it says, in one sentence.
    pub sentence: &'static str,
    /// The formula: `∀ v. body`, the variable named so that a query can make it a constant.
    pub(crate) formula: Term,
}

fn published() -> Term {
    app(StateFn::Published, [])
}

fn between(low: Term, value: Term, high: Term) -> Term {
    and([low.le(value.clone()), value.le(high)])
}

fn enactor(name: &'static str, body: Term) -> Term {
    Term::forall(name, Domain::Enactor, body)
}

fn endpoint(name: &'static str, body: Term) -> Term {
    Term::forall(name, Domain::Endpoint, body)
}

fn of(f: StateFn, name: &'static str) -> Term {
    app(f, [var(name)])
}

/// Every conjunct of `Fixed`'s invariant, well-formedness first.
pub fn conjuncts() -> Vec<Conjunct> {
    let i = "i";
    let p = "p";
    vec![
        Conjunct {
            name: "store_published",
            sentence: "every plan in the store has a published generation",
            formula: Term::forall_in(
                "h",
                |h| app(StateFn::Live, [h]),
                |h| between(int(1), h, published()),
            ),
        },
        Conjunct {
            name: "records_published",
            sentence: "every record's active entry is a published generation, and its rollback \
                       entry is none or a published generation",
            formula: endpoint(
                p,
                and([
                    between(int(1), of(StateFn::Active, p), published()),
                    between(int(0), of(StateFn::Rollback, p), published()),
                ]),
            ),
        },
        Conjunct {
            name: "plans_published",
            sentence: "every Enactor's plan is none or published, it has one from its pick to \
                       the end of its cycle, and the generation its write replaced is none or \
                       published",
            formula: enactor(
                i,
                and([
                    between(int(0), of(StateFn::Plan, i), published()),
                    and([
                        of(StateFn::Pc, i).ne(Term::Pc(Pc::Pick)),
                        of(StateFn::Pc, i).ne(Term::Pc(Pc::Done)),
                    ])
                    .implies(int(1).le(of(StateFn::Plan, i))),
                    between(int(0), of(StateFn::HeldPrev, i), published()),
                ]),
            ),
        },
        Conjunct {
            name: "positions_in_range",
            sentence: "every Enactor is at an endpoint, holds an endpoint's lock if any, and \
                       while it writes is on an attempt from 1 to the limit",
            formula: enactor(
                i,
                and([
                    between(
                        int(0),
                        of(StateFn::At, i),
                        Term::Symbol(Symbol::Endpoints).sub(int(1)),
                    ),
                    between(
                        int(0),
                        of(StateFn::HeldAt, i),
                        Term::Symbol(Symbol::Endpoints).sub(int(1)),
                    ),
                    of(StateFn::Pc, i).eq(Term::Pc(Pc::Write)).implies(between(
                        int(1),
                        of(StateFn::Attempt, i),
                        Term::Symbol(Symbol::MaxAttempts),
                    )),
                ]),
            ),
        },
        Conjunct {
            name: "references_kept",
            sentence: "every plan a record references, as its active or its rollback entry, is \
                       in the store",
            formula: endpoint(
                p,
                and([
                    app(StateFn::Live, [of(StateFn::Active, p)]),
                    of(StateFn::Rollback, p)
                        .ne(int(0))
                        .implies(app(StateFn::Live, [of(StateFn::Rollback, p)])),
                ]),
            ),
        },
        Conjunct {
            name: "writes_newer",
            sentence: "a write that has just installed its plan, its lock still held, replaced \
                       an older generation",
            formula: enactor(
                i,
                and([of(StateFn::Held, i), of(StateFn::HeldWrote, i)])
                    .implies(of(StateFn::HeldPrev, i).lt(of(StateFn::Plan, i))),
            ),
        },
    ]
}

/// Whether `conjunct` is one of the well-formedness conjuncts (inductive by themselves, in
/// every support).
pub(crate) fn is_well_formed(conjunct: &str) -> bool {
    WELL_FORMED.contains(&conjunct)
}

/// The conjuncts every support holds.
const WELL_FORMED: [&str; 4] = [
    "store_published",
    "records_published",
    "plans_published",
    "positions_in_range",
];

/// A property the proof proves or refutes for every size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProofProperty {
    /// Every record's active plan is in the store (the loom and step-model property of the
    /// same name).
    NoEmptyRecord,
    /// No write replaces a record with an older plan (the same property as the checkers').
    MonotonicGeneration,
    /// No record's active or rollback plan is ever deleted, so no transaction fails for a
    /// missing plan: the safety half of `progress`, whose other half (every Enactor keeps
    /// getting turns and locks) is fairness, which a safety proof cannot give.
    ReferencedPlansKept,
}

impl ProofProperty {
    /// Every property, in the order reports print them.
    pub const ALL: [ProofProperty; 3] = [
        ProofProperty::NoEmptyRecord,
        ProofProperty::MonotonicGeneration,
        ProofProperty::ReferencedPlansKept,
    ];

    /// The name verdict lines print.
    pub fn name(self) -> &'static str {
        match self {
            ProofProperty::NoEmptyRecord => "no_empty_record",
            ProofProperty::MonotonicGeneration => "monotonic_generation",
            ProofProperty::ReferencedPlansKept => "referenced_plans_kept",
        }
    }

    /// The property as a formula over one state.
    pub(crate) fn formula(self) -> Term {
        let p = "p";
        let i = "i";
        match self {
            ProofProperty::NoEmptyRecord => endpoint(
                p,
                of(StateFn::Active, p)
                    .ne(int(0))
                    .implies(app(StateFn::Live, [of(StateFn::Active, p)])),
            ),
            ProofProperty::MonotonicGeneration => enactor(
                i,
                and([
                    of(StateFn::Held, i),
                    of(StateFn::HeldWrote, i),
                    of(StateFn::HeldPrev, i).ne(int(0)),
                    of(StateFn::Plan, i).ne(int(0)),
                ])
                .implies(of(StateFn::HeldPrev, i).le(of(StateFn::Plan, i))),
            ),
            ProofProperty::ReferencedPlansKept => endpoint(
                p,
                and([
                    of(StateFn::Active, p)
                        .ne(int(0))
                        .implies(app(StateFn::Live, [of(StateFn::Active, p)])),
                    of(StateFn::Rollback, p)
                        .ne(int(0))
                        .implies(app(StateFn::Live, [of(StateFn::Rollback, p)])),
                ]),
            ),
        }
    }

    /// The names of the conjuncts whose induction proves it.
    pub fn support(self) -> Vec<&'static str> {
        let key = match self {
            ProofProperty::NoEmptyRecord | ProofProperty::ReferencedPlansKept => "references_kept",
            ProofProperty::MonotonicGeneration => "writes_newer",
        };
        WELL_FORMED.iter().copied().chain([key]).collect()
    }
}

impl fmt::Display for ProofProperty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_support_names_conjuncts_that_exist() {
        let names: Vec<&str> = conjuncts().iter().map(|c| c.name).collect();
        for property in ProofProperty::ALL {
            for name in property.support() {
                assert!(names.contains(&name), "{property}: {name}");
            }
        }
    }

    #[test]
    fn every_conjunct_is_one_quantifier_over_a_variable_a_query_can_fix() {
        for conjunct in conjuncts() {
            assert!(
                matches!(conjunct.formula, Term::Forall(name, ..) if ["i", "p", "h"].contains(&name)),
                "{}",
                conjunct.name
            );
        }
    }
}
