//! The proof obligations of one variant and one property, as SMT-LIB queries: one per
//! (conjunct, initial state), per (step, conjunct), one for the property itself, and one per
//! step asking whether it can fire at all under the invariant.

use std::fmt;
use std::fmt::Write as _;

use crate::check::proof::formula::{Domain, Pc, Printer, StateFn, Symbol, Term, range};
use crate::check::proof::invariant::{Conjunct, ProofProperty};
use crate::check::proof::transitions::{StepKind, Transition};
use crate::protocol::variant::Variant;

/// What an obligation claims.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Claim {
    /// The initial states satisfy the conjunct.
    Init {
        /// The conjunct.
        conjunct: &'static str,
    },
    /// A step from a state satisfying the support leads to a state satisfying the conjunct.
    Step {
        /// The step.
        step: StepKind,
        /// The conjunct.
        conjunct: &'static str,
    },
    /// The support implies the property.
    Implies {
        /// The property.
        property: ProofProperty,
    },
    /// The step can fire from some state satisfying the support (its query must be `sat`:
    /// a step that never fires would be proven safe for nothing).
    Fires {
        /// The step.
        step: StepKind,
    },
}

impl Claim {
    /// Whether the claim holds when the solver answers `unsat` (otherwise: when `sat`).
    pub fn wants_unsat(self) -> bool {
        !matches!(self, Claim::Fires { .. })
    }
}

impl fmt::Display for Claim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Claim::Init { conjunct } => write!(f, "init-{conjunct}"),
            Claim::Step { step, conjunct } => write!(f, "{step}-{conjunct}"),
            Claim::Implies { property } => write!(f, "implies-{property}"),
            Claim::Fires { step } => write!(f, "fires-{step}"),
        }
    }
}

/// One query: a claim about a variant, as SMT-LIB text.
#[derive(Debug, Clone)]
pub(crate) struct Query {
    /// The claim.
    pub claim: Claim,
    /// The SMT-LIB text, ending in `(check-sat)`.
    pub text: String,
    /// The terms whose values explain a model, each with the state it is read in.
    pub probes: Vec<Probe>,
    /// Constants the probes name, fixed to pre-state terms: `(name, term)`.
    pub anchors: Vec<(&'static str, String)>,
}

/// A term whose value a counterexample shows.
#[derive(Debug, Clone)]
pub(crate) struct Probe {
    /// What it is, for the renderer.
    pub key: String,
    /// The term, printed.
    pub smt: String,
}

fn declare_state(out: &mut String) {
    out.push_str("(set-logic ALL)\n(declare-sort Enactor 0)\n");
    for symbol in Symbol::ALL {
        let _ = writeln!(
            out,
            "(declare-const {0} Int)\n(assert (<= 1 {0}))",
            symbol.name()
        );
    }
    for pc in Pc::ALL {
        let _ = writeln!(out, "(define-fun {} () Int {})", pc.name(), pc as i64);
    }
    for f in StateFn::ALL {
        let _ = writeln!(
            out,
            "(declare-fun {} ({}) {})",
            f.name(),
            argument_sorts(f),
            result_sort(f)
        );
    }
}

fn argument_sorts(f: StateFn) -> String {
    f.arguments()
        .iter()
        .map(|d| {
            if *d == Domain::Enactor {
                "Enactor"
            } else {
                "Int"
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn result_sort(f: StateFn) -> &'static str {
    if f.is_bool() { "Bool" } else { "Int" }
}

/// Declares a constant for each parameter (or skolem variable), with its range.
fn declare_constant(out: &mut String, name: &'static str, domain: Domain) {
    let _ = writeln!(out, "(declare-const {name} {})", domain.sort());
    if let Some(range) = range(name, domain) {
        let _ = writeln!(out, "(assert {})", Printer::PRE.print(&range));
    }
}

/// Defines the post-state of every function the step redefines.
fn define_post_state(out: &mut String, transition: &Transition) {
    for update in &transition.updates {
        let args: Vec<String> = update
            .vars
            .iter()
            .zip(update.f.arguments())
            .map(|(v, d)| format!("({v} {})", d.sort()))
            .collect();
        let _ = writeln!(
            out,
            "(define-fun {}_next ({}) {} {})",
            update.f.name(),
            args.join(" "),
            result_sort(update.f),
            Printer::PRE.print(&update.value)
        );
    }
}

/// Asserts that `goal` fails: its outer quantifier's variable becomes a constant (the
/// witness a model names), the body is denied.
fn deny(out: &mut String, goal: &Term, printer: &Printer<'_>) {
    match goal {
        Term::Forall(name, domain, body) => {
            declare_constant(out, name, *domain);
            let _ = writeln!(out, "(assert (not {}))", printer.print(body));
        }
        other => {
            let _ = writeln!(out, "(assert (not {}))", printer.print(other));
        }
    }
}

fn assume(out: &mut String, support: &[&Conjunct]) {
    for conjunct in support {
        let _ = writeln!(
            out,
            "; {}: {}\n(assert {})",
            conjunct.name,
            conjunct.sentence,
            Printer::PRE.print(&conjunct.formula)
        );
    }
}

/// The terms a claim's model is explained by: the published generation; the mover's and the
/// witness Enactor's locals; the records of the mover's endpoint and of the witness endpoint,
/// each endpoint fixed as a constant of the pre-state so that before and after show the same
/// record.
fn probes(
    claim: Claim,
    transition: Option<&Transition>,
    goal: Option<&Term>,
) -> (Vec<Probe>, Vec<(&'static str, String)>) {
    let redefined = transition.map(Transition::redefined).unwrap_or_default();
    let mut probes = Vec::new();
    let mut add = |key: String, term: Term| {
        for (when, primed) in [("pre", false), ("post", true)] {
            if !primed || matches!(claim, Claim::Step { .. }) {
                let printer = Printer {
                    primed,
                    redefined: &redefined,
                };
                probes.push(Probe {
                    key: format!("{when}.{key}"),
                    smt: printer.print(&term),
                });
            }
        }
    };
    add(
        "published".into(),
        Term::App(StateFn::Published, Vec::new()),
    );
    let mut enactors = Vec::new();
    let mut anchors = Vec::new();
    if transition.is_some_and(|t| t.params.first().is_some_and(|(n, _)| *n == "a")) {
        enactors.push("a");
        anchors.push(("ep_of_a", "(at a)".to_owned()));
    }
    match goal {
        Some(Term::Forall(name, Domain::Enactor, _)) => enactors.push(name),
        Some(Term::Forall(name, Domain::Endpoint, _)) => {
            anchors.push(("ep_witness", (*name).to_owned()));
        }
        _ => {}
    }
    for enactor in &enactors {
        for f in StateFn::ENACTOR_POSITION {
            add(
                format!("{enactor}.{}", f.name()),
                Term::App(f, vec![Term::Var(enactor)]),
            );
        }
        let plan = Term::App(StateFn::Plan, vec![Term::Var(enactor)]);
        add(
            format!("{enactor}.plan_live"),
            Term::App(StateFn::Live, vec![plan]),
        );
    }
    for (index, (name, _)) in anchors.iter().enumerate() {
        let endpoint = Term::Var(name);
        add(format!("ep{index}.id"), endpoint.clone());
        for f in [StateFn::Active, StateFn::Rollback] {
            let value = Term::App(f, vec![endpoint.clone()]);
            add(format!("ep{index}.{}", f.name()), value.clone());
            add(
                format!("ep{index}.{}_live", f.name()),
                Term::App(StateFn::Live, vec![value]),
            );
        }
    }
    if enactors.len() == 2 {
        let same = Term::Var("a").eq(Term::Var(enactors[1]));
        probes.push(Probe {
            key: "same_enactor".into(),
            smt: Printer::PRE.print(&same),
        });
    }
    (probes, anchors)
}

/// The query of `claim` for `variant`, assuming `support`.
pub(crate) fn query(
    variant: Variant,
    claim: Claim,
    support: &[&Conjunct],
    init: &Term,
    transition: Option<&Transition>,
    goal: Option<&Term>,
) -> Query {
    let mut text = format!(
        "; planrace proof obligation: {variant} {claim}\n; the claim holds when the answer is \
         {}\n",
        if claim.wants_unsat() { "unsat" } else { "sat" }
    );
    declare_state(&mut text);
    if let Some(transition) = transition {
        let _ = writeln!(text, "; the step {}", transition.kind);
        for (name, domain) in &transition.params {
            declare_constant(&mut text, name, *domain);
        }
        define_post_state(&mut text, transition);
    }
    match claim {
        Claim::Init { .. } => {
            let _ = writeln!(
                text,
                "; the initial states\n(assert {})",
                Printer::PRE.print(init)
            );
        }
        Claim::Step { .. } | Claim::Implies { .. } | Claim::Fires { .. } => {
            assume(&mut text, support);
        }
    }
    if let Some(transition) = transition {
        let _ = writeln!(
            text,
            "; its guard\n(assert {})",
            Printer::PRE.print(&transition.guard)
        );
    }
    let redefined = transition.map(Transition::redefined).unwrap_or_default();
    if let Some(goal) = goal {
        let printer = Printer {
            primed: matches!(claim, Claim::Step { .. }),
            redefined: &redefined,
        };
        text.push_str("; the goal, denied\n");
        deny(&mut text, goal, &printer);
    }
    text.push_str("(check-sat)\n");
    let (probes, anchors) = probes(claim, transition, goal);
    Query {
        claim,
        text,
        probes,
        anchors,
    }
}

impl Query {
    /// The query again, asking for the values of its probes after `sat`. With `small`, the
    /// sizes and the published generation are bounded, so that a model is small enough to
    /// read (a query that is `unsat` under the bounds is asked again without them).
    pub(crate) fn with_model(&self, small: bool) -> String {
        let values: Vec<&str> = self.probes.iter().map(|p| p.smt.as_str()).collect();
        let mut extra = String::new();
        for (name, term) in &self.anchors {
            let _ = writeln!(
                extra,
                "(declare-const {name} Int)\n(assert (= {name} {term}))"
            );
        }
        if small {
            extra.push_str(
                "(assert (<= N 3))\n(assert (<= K 2))\n(assert (<= MAX_ATTEMPTS 3))\n\
                 (assert (<= published 6))\n",
            );
        }
        let body = self.text.trim_end().trim_end_matches("(check-sat)");
        format!(
            "(set-option :produce-models true)\n{body}; values that explain a model\n{extra}\
             (check-sat)\n(get-value ({}))\n",
            values.join(" ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::proof::invariant::conjuncts;
    use crate::check::proof::transitions::FirstOrder;

    fn keys(query: &Query) -> Vec<&str> {
        query.probes.iter().map(|p| p.key.as_str()).collect()
    }

    /// A counterexample to a step is explained before and after the step, with the mover,
    /// its record, and the goal's witness (a second Enactor or a second record); a claim on
    /// one state is explained in that state alone.
    #[test]
    fn a_step_is_explained_before_and_after_with_the_mover_and_the_witness() {
        let first_order = FirstOrder::new(Variant::Fixed);
        let init = first_order.init();
        let transitions = first_order.transitions();
        let write = transitions
            .iter()
            .find(|t| t.kind == StepKind::Write)
            .expect("a write step");
        let all = conjuncts();
        let goal = |name: &str| &all.iter().find(|c| c.name == name).expect(name).formula;
        let write_query = |conjunct| {
            let claim = Claim::Step {
                step: StepKind::Write,
                conjunct,
            };
            query(
                Variant::Fixed,
                claim,
                &[],
                &init,
                Some(write),
                Some(goal(conjunct)),
            )
        };

        let over_records = write_query("references_kept");
        let shown = keys(&over_records);
        for key in [
            "pre.published",
            "post.published",
            "pre.a.pc",
            "post.a.held_wrote",
            "pre.ep0.active",
            "post.ep1.rollback_live",
        ] {
            assert!(shown.contains(&key), "{key} in {shown:?}");
        }
        let anchors: Vec<&str> = over_records.anchors.iter().map(|(n, _)| *n).collect();
        assert_eq!(anchors, ["ep_of_a", "ep_witness"]);

        let over_enactors = write_query("writes_newer");
        let shown = keys(&over_enactors);
        for key in ["pre.i.pc", "post.i.held_prev", "same_enactor"] {
            assert!(shown.contains(&key), "{key} in {shown:?}");
        }

        let initial = query(
            Variant::Fixed,
            Claim::Init {
                conjunct: "references_kept",
            },
            &[],
            &init,
            None,
            Some(goal("references_kept")),
        );
        let shown = keys(&initial);
        assert!(shown.contains(&"pre.published") && shown.contains(&"pre.ep0.active"));
        assert!(shown.iter().all(|key| key.starts_with("pre.")), "{shown:?}");
    }
}
