//! First-order terms over the protocol's state, written once and used twice: printed as SMT-LIB
//! for the solvers, and evaluated on concrete states of the step model for the conformance
//! check. One statement, two readers, so the formula the solver proves is the formula the
//! conformance check compares with the step model.

use std::fmt::Write as _;

/// What a bound variable or a transition's parameter ranges over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Domain {
    /// An Enactor: the uninterpreted sort `Enactor` (any number of them).
    Enactor,
    /// An endpoint: an integer from 0 to `N - 1`, `N` unconstrained but at least 1.
    Endpoint,
    /// An endpoint or `N` for "none": where an Enactor's writes go next.
    EndpointOrNone,
    /// A generation: an integer (0 stands for "none"). Every quantifier over generations is
    /// guarded by a membership that is false outside the published ones (see [`Term::forall_in`]),
    /// so evaluating it over the published range is exact.
    Generation,
    /// A set of generations: the plans one sweep deletes (a parameter only).
    GenerationSet,
}

impl Domain {
    /// The SMT-LIB sort of a value in this domain.
    pub(crate) fn sort(self) -> &'static str {
        match self {
            Domain::Enactor => "Enactor",
            Domain::Endpoint | Domain::EndpointOrNone | Domain::Generation => "Int",
            Domain::GenerationSet => "(Array Int Bool)",
        }
    }
}

/// The constants of a size-free statement: any value the solvers may choose; the conformance
/// check gives them the configuration's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Symbol {
    /// `N`: how many endpoints a plan covers.
    Endpoints,
    /// `K`: the sweep age.
    SweepAge,
    /// `MAX_ATTEMPTS`: lock attempts before an Enactor gives up on an endpoint.
    MaxAttempts,
}

impl Symbol {
    /// Every symbol, in declaration order.
    pub(crate) const ALL: [Symbol; 3] = [Symbol::Endpoints, Symbol::SweepAge, Symbol::MaxAttempts];

    /// The SMT-LIB name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Symbol::Endpoints => "N",
            Symbol::SweepAge => "K",
            Symbol::MaxAttempts => "MAX_ATTEMPTS",
        }
    }
}

/// A function of the state: one per variable of the step model, over the domains its
/// arguments name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum StateFn {
    /// The newest generation the Planner has published.
    Published,
    /// Whether a generation's plan is in the store.
    Live,
    /// An endpoint's active generation (0: none).
    Active,
    /// An endpoint's rollback generation (0: none).
    Rollback,
    /// An Enactor's program point (see [`Pc`]).
    Pc,
    /// The endpoint an Enactor's program point is at.
    At,
    /// The attempt of an Enactor about to write (0 otherwise).
    Attempt,
    /// The plan an Enactor picked (0: none).
    Plan,
    /// Whether an Enactor holds a record lock.
    Held,
    /// Which endpoint's lock an Enactor holds (0 when it holds none).
    HeldAt,
    /// Whether the lock an Enactor holds was taken by a write that installed its plan.
    HeldWrote,
    /// The generation that write replaced (0: none, or no such write).
    HeldPrev,
    /// Whether a write of the Enactor's cycle installed its plan.
    InstalledAny,
    /// Whether the Enactor's check found its plan newer than an endpoint's record.
    Older,
    /// Whether the Enactor's scan found a generation referenced.
    Scanned,
}

impl StateFn {
    /// Every state function, in declaration order.
    pub(crate) const ALL: [StateFn; 15] = [
        StateFn::Published,
        StateFn::Live,
        StateFn::Active,
        StateFn::Rollback,
        StateFn::Pc,
        StateFn::At,
        StateFn::Attempt,
        StateFn::Plan,
        StateFn::Held,
        StateFn::HeldAt,
        StateFn::HeldWrote,
        StateFn::HeldPrev,
        StateFn::InstalledAny,
        StateFn::Older,
        StateFn::Scanned,
    ];

    /// An Enactor's own variables that say where it is and what it holds (those a
    /// counterexample shows).
    pub(crate) const ENACTOR_POSITION: [StateFn; 8] = [
        StateFn::Pc,
        StateFn::At,
        StateFn::Attempt,
        StateFn::Plan,
        StateFn::Held,
        StateFn::HeldAt,
        StateFn::HeldWrote,
        StateFn::HeldPrev,
    ];

    /// The SMT-LIB name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            StateFn::Published => "published",
            StateFn::Live => "live",
            StateFn::Active => "active",
            StateFn::Rollback => "rollback",
            StateFn::Pc => "pc",
            StateFn::At => "at",
            StateFn::Attempt => "attempt",
            StateFn::Plan => "plan",
            StateFn::Held => "held",
            StateFn::HeldAt => "held_at",
            StateFn::HeldWrote => "held_wrote",
            StateFn::HeldPrev => "held_prev",
            StateFn::InstalledAny => "installed_any",
            StateFn::Older => "older",
            StateFn::Scanned => "scanned",
        }
    }

    /// The domains of the arguments.
    pub(crate) fn arguments(self) -> &'static [Domain] {
        match self {
            StateFn::Published => &[],
            StateFn::Live => &[Domain::Generation],
            StateFn::Active | StateFn::Rollback => &[Domain::Endpoint],
            StateFn::Older => &[Domain::Enactor, Domain::Endpoint],
            StateFn::Scanned => &[Domain::Enactor, Domain::Generation],
            StateFn::Pc
            | StateFn::At
            | StateFn::Attempt
            | StateFn::Plan
            | StateFn::Held
            | StateFn::HeldAt
            | StateFn::HeldWrote
            | StateFn::HeldPrev
            | StateFn::InstalledAny => &[Domain::Enactor],
        }
    }

    /// Whether the value is a boolean (otherwise an integer).
    pub(crate) fn is_bool(self) -> bool {
        matches!(
            self,
            StateFn::Live
                | StateFn::Held
                | StateFn::HeldWrote
                | StateFn::InstalledAny
                | StateFn::Older
                | StateFn::Scanned
        )
    }
}

/// An Enactor's program point, as the integer [`StateFn::Pc`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pc {
    /// About to pick the newest plan (also: the cycle is over and the next one may start).
    Pick = 0,
    /// About to check the record at [`StateFn::At`].
    Check = 1,
    /// About to check that record again before writing it.
    Recheck = 2,
    /// About to try the lock of that record and write it.
    Write = 3,
    /// Out of attempts on that record.
    GiveUp = 4,
    /// About to read that record for the sweep.
    Scan = 5,
    /// About to sweep.
    Sweep = 6,
    /// The cycle is over.
    Done = 7,
}

impl Pc {
    /// Every program point.
    pub(crate) const ALL: [Pc; 8] = [
        Pc::Pick,
        Pc::Check,
        Pc::Recheck,
        Pc::Write,
        Pc::GiveUp,
        Pc::Scan,
        Pc::Sweep,
        Pc::Done,
    ];

    /// The SMT-LIB constant naming it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Pc::Pick => "PICK",
            Pc::Check => "CHECK",
            Pc::Recheck => "RECHECK",
            Pc::Write => "WRITE",
            Pc::GiveUp => "GIVE_UP",
            Pc::Scan => "SCAN",
            Pc::Sweep => "SWEEP",
            Pc::Done => "DONE",
        }
    }

    /// The program point an integer stands for.
    pub(crate) fn from_code(code: i64) -> Option<Pc> {
        Pc::ALL.into_iter().find(|pc| *pc as i64 == code)
    }
}

/// A first-order term. Booleans and integers share one type; the builders below keep them
/// apart, and the solvers check the sorts of every printed query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Term {
    /// An integer literal.
    Int(i64),
    /// A boolean literal.
    Bool(bool),
    /// A program point, printed as its constant.
    Pc(Pc),
    /// A bound variable or a parameter of the transition.
    Var(&'static str),
    /// A constant of the statement.
    Symbol(Symbol),
    /// A state function applied to arguments.
    App(StateFn, Vec<Term>),
    /// Membership of a generation in a set-valued parameter.
    Member(&'static str, Box<Term>),
    /// Negation.
    Not(Box<Term>),
    /// Conjunction (true when empty).
    And(Vec<Term>),
    /// Disjunction (false when empty).
    Or(Vec<Term>),
    /// Implication.
    Implies(Box<Term>, Box<Term>),
    /// Equality.
    Eq(Box<Term>, Box<Term>),
    /// Strictly less.
    Lt(Box<Term>, Box<Term>),
    /// Less or equal.
    Le(Box<Term>, Box<Term>),
    /// Sum.
    Add(Box<Term>, Box<Term>),
    /// Difference.
    Sub(Box<Term>, Box<Term>),
    /// If-then-else.
    Ite(Box<Term>, Box<Term>, Box<Term>),
    /// Universal quantification over a domain.
    Forall(&'static str, Domain, Box<Term>),
}

/// A variable.
pub(crate) fn var(name: &'static str) -> Term {
    Term::Var(name)
}

/// An integer.
pub(crate) fn int(value: i64) -> Term {
    Term::Int(value)
}

/// A state function applied to `args`.
pub(crate) fn app<const N: usize>(f: StateFn, args: [Term; N]) -> Term {
    Term::App(f, args.into())
}

/// Conjunction.
pub(crate) fn and(terms: impl IntoIterator<Item = Term>) -> Term {
    Term::And(terms.into_iter().collect())
}

/// Disjunction.
pub(crate) fn or(terms: impl IntoIterator<Item = Term>) -> Term {
    Term::Or(terms.into_iter().collect())
}

/// If-then-else.
pub(crate) fn ite(condition: Term, then: Term, otherwise: Term) -> Term {
    Term::Ite(Box::new(condition), Box::new(then), Box::new(otherwise))
}

impl Term {
    /// `self = other`.
    pub(crate) fn eq(self, other: Term) -> Term {
        Term::Eq(Box::new(self), Box::new(other))
    }

    /// `self ≠ other`.
    pub(crate) fn ne(self, other: Term) -> Term {
        self.eq(other).not()
    }

    /// `self < other`.
    pub(crate) fn lt(self, other: Term) -> Term {
        Term::Lt(Box::new(self), Box::new(other))
    }

    /// `self ≤ other`.
    pub(crate) fn le(self, other: Term) -> Term {
        Term::Le(Box::new(self), Box::new(other))
    }

    /// `self + other`.
    pub(crate) fn add(self, other: Term) -> Term {
        Term::Add(Box::new(self), Box::new(other))
    }

    /// `self - other`.
    pub(crate) fn sub(self, other: Term) -> Term {
        Term::Sub(Box::new(self), Box::new(other))
    }

    /// `¬self`.
    #[allow(clippy::should_implement_trait)]
    pub(crate) fn not(self) -> Term {
        Term::Not(Box::new(self))
    }

    /// `self → then`.
    pub(crate) fn implies(self, then: Term) -> Term {
        Term::Implies(Box::new(self), Box::new(then))
    }

    /// `∀ name ∈ domain. body`; over endpoints the range `0 ≤ name < N` is part of it.
    pub(crate) fn forall(name: &'static str, domain: Domain, body: Term) -> Term {
        Term::Forall(name, domain, Box::new(body))
    }

    /// `∀ generation g. member(g) → body(g)`: the only way the statements quantify over
    /// generations, so that a generation outside the published range never matters.
    pub(crate) fn forall_in(
        name: &'static str,
        member: impl Fn(Term) -> Term,
        body: impl Fn(Term) -> Term,
    ) -> Term {
        Term::forall(
            name,
            Domain::Generation,
            member(var(name)).implies(body(var(name))),
        )
    }
}

/// The range a variable of `domain` must lie in, as a term (`None`: the sort is the range).
pub(crate) fn range(name: &'static str, domain: Domain) -> Option<Term> {
    let n = Term::Symbol(Symbol::Endpoints);
    match domain {
        Domain::Endpoint => Some(and([int(0).le(var(name)), var(name).lt(n)])),
        Domain::EndpointOrNone => Some(and([int(0).le(var(name)), var(name).le(n)])),
        Domain::Enactor | Domain::Generation | Domain::GenerationSet => None,
    }
}

/// Prints terms as SMT-LIB. `primed` names the state functions that a transition redefines:
/// in primed mode their applications print as the post-state's `name_next`, the others as
/// themselves (a function the transition leaves alone is the same before and after).
pub(crate) struct Printer<'a> {
    /// Print the post-state.
    pub primed: bool,
    /// The functions with a post-state definition of their own.
    pub redefined: &'a [StateFn],
}

impl Printer<'_> {
    /// A printer of the pre-state.
    pub(crate) const PRE: Printer<'static> = Printer {
        primed: false,
        redefined: &[],
    };

    /// `term` as SMT-LIB.
    pub(crate) fn print(&self, term: &Term) -> String {
        let mut out = String::new();
        self.write(term, &mut out);
        out
    }

    /// The name `f` has in this printer's state.
    pub(crate) fn function_name(&self, f: StateFn) -> String {
        if self.primed && self.redefined.contains(&f) {
            format!("{}_next", f.name())
        } else {
            f.name().to_owned()
        }
    }

    fn write(&self, term: &Term, out: &mut String) {
        match term {
            Term::Int(value) if *value < 0 => {
                let _ = write!(out, "(- {})", value.unsigned_abs());
            }
            Term::Int(value) => {
                let _ = write!(out, "{value}");
            }
            Term::Bool(value) => out.push_str(if *value { "true" } else { "false" }),
            Term::Pc(pc) => out.push_str(pc.name()),
            Term::Var(name) => out.push_str(name),
            Term::Symbol(symbol) => out.push_str(symbol.name()),
            Term::App(f, args) if args.is_empty() => out.push_str(&self.function_name(*f)),
            Term::App(f, args) => self.list(&self.function_name(*f), args, out),
            Term::Member(set, element) => {
                let _ = write!(out, "(select {set} ");
                self.write(element, out);
                out.push(')');
            }
            Term::Not(inner) => self.list("not", std::slice::from_ref(inner.as_ref()), out),
            Term::And(terms) if terms.is_empty() => out.push_str("true"),
            Term::Or(terms) if terms.is_empty() => out.push_str("false"),
            Term::And(terms) if terms.len() == 1 => self.write(&terms[0], out),
            Term::Or(terms) if terms.len() == 1 => self.write(&terms[0], out),
            Term::And(terms) => self.list("and", terms, out),
            Term::Or(terms) => self.list("or", terms, out),
            Term::Implies(a, b) => self.pair("=>", a, b, out),
            Term::Eq(a, b) => self.pair("=", a, b, out),
            Term::Lt(a, b) => self.pair("<", a, b, out),
            Term::Le(a, b) => self.pair("<=", a, b, out),
            Term::Add(a, b) => self.pair("+", a, b, out),
            Term::Sub(a, b) => self.pair("-", a, b, out),
            Term::Ite(c, a, b) => {
                out.push_str("(ite ");
                self.write(c, out);
                out.push(' ');
                self.write(a, out);
                out.push(' ');
                self.write(b, out);
                out.push(')');
            }
            Term::Forall(name, domain, body) => {
                let _ = write!(out, "(forall (({name} {})) ", domain.sort());
                match range(name, *domain) {
                    Some(range) => self.write(&range.implies((**body).clone()), out),
                    None => self.write(body, out),
                }
                out.push(')');
            }
        }
    }

    fn pair(&self, head: &str, a: &Term, b: &Term, out: &mut String) {
        let _ = write!(out, "({head} ");
        self.write(a, out);
        out.push(' ');
        self.write(b, out);
        out.push(')');
    }

    fn list(&self, head: &str, terms: &[Term], out: &mut String) {
        let _ = write!(out, "({head}");
        for term in terms {
            out.push(' ');
            self.write(term, out);
        }
        out.push(')');
    }
}

/// The sizes of a concrete state: how many Enactors, endpoints and generations (0 included)
/// its tables hold, and the values of the [`Symbol`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Universe {
    /// Enactors.
    pub enactors: usize,
    /// Endpoints (`N`).
    pub endpoints: usize,
    /// Generations 0 to `generations - 1`.
    pub generations: usize,
    /// The sweep age (`K`).
    pub sweep_age: i64,
    /// Lock attempts before giving up.
    pub max_attempts: i64,
}

impl Universe {
    /// How many values a table argument or a step parameter of `domain` takes (0 for a set,
    /// which no table is indexed by).
    pub(crate) fn width(&self, domain: Domain) -> usize {
        match domain {
            Domain::Enactor => self.enactors,
            Domain::Endpoint => self.endpoints,
            Domain::EndpointOrNone => self.endpoints + 1,
            Domain::Generation => self.generations,
            Domain::GenerationSet => 0,
        }
    }

    /// How many values `f`'s table holds.
    fn size(&self, f: StateFn) -> usize {
        f.arguments().iter().map(|d| self.width(*d)).product()
    }

    fn offset(&self, f: StateFn) -> usize {
        StateFn::ALL
            .iter()
            .take_while(|g| **g != f)
            .map(|g| self.size(*g))
            .sum()
    }

    /// The slot of `f(args)`, or `None` when an argument is outside the tables (where every
    /// function is 0 or false).
    fn slot(&self, f: StateFn, args: &[i64]) -> Option<usize> {
        let mut index = 0;
        for (domain, arg) in f.arguments().iter().zip(args) {
            let width = self.width(*domain);
            let arg = usize::try_from(*arg).ok().filter(|a| *a < width)?;
            index = index * width + arg;
        }
        Some(self.offset(f) + index)
    }

    fn symbol(&self, symbol: Symbol) -> i64 {
        match symbol {
            Symbol::Endpoints => i64::try_from(self.endpoints).unwrap_or(i64::MAX),
            Symbol::SweepAge => self.sweep_age,
            Symbol::MaxAttempts => self.max_attempts,
        }
    }

    /// An all-zero state: every function 0 or false everywhere.
    pub(crate) fn empty(&self) -> Structure {
        Structure {
            values: vec![0; StateFn::ALL.iter().map(|f| self.size(*f)).sum()],
        }
    }

    /// Every tuple of arguments of `f` inside the tables.
    pub(crate) fn tuples(&self, f: StateFn) -> Vec<Vec<i64>> {
        let mut tuples = vec![Vec::new()];
        for domain in f.arguments() {
            let width = i64::try_from(self.width(*domain)).unwrap_or(0);
            tuples = tuples
                .into_iter()
                .flat_map(|prefix| {
                    (0..width).map(move |value| {
                        let mut tuple = prefix.clone();
                        tuple.push(value);
                        tuple
                    })
                })
                .collect();
        }
        tuples
    }
}

/// A concrete state: every state function's values, Booleans as 0 and 1, in one table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Structure {
    values: Vec<i64>,
}

impl Structure {
    /// `f(args)` (0 outside the tables).
    pub(crate) fn get(&self, universe: &Universe, f: StateFn, args: &[i64]) -> i64 {
        universe
            .slot(f, args)
            .and_then(|slot| self.values.get(slot).copied())
            .unwrap_or(0)
    }

    /// Sets `f(args)`; arguments outside the tables are ignored (the statements never write
    /// there: every write is at an argument some guard put in range).
    pub(crate) fn set(&mut self, universe: &Universe, f: StateFn, args: &[i64], value: i64) {
        if let Some(slot) = universe.slot(f, args).and_then(|s| self.values.get_mut(s)) {
            *slot = value;
        }
    }
}

/// Evaluates terms on concrete states: `state` for the functions, `bindings` for variables
/// and parameters (the last binding of a name wins, as an inner quantifier's does).
pub(crate) struct Evaluator<'a> {
    /// The sizes and the symbols' values.
    pub universe: &'a Universe,
    /// The state the functions read.
    pub state: &'a Structure,
    /// Variables and parameters in scope.
    pub bindings: Vec<(&'static str, i64)>,
}

impl Evaluator<'_> {
    /// Whether `term` holds.
    pub(crate) fn holds(&mut self, term: &Term) -> bool {
        self.value(term) != 0
    }

    fn lookup(&self, name: &str) -> i64 {
        self.bindings
            .iter()
            .rev()
            .find(|(bound, _)| *bound == name)
            .map_or(0, |(_, value)| *value)
    }

    /// `term`'s value (Booleans as 0 and 1).
    pub(crate) fn value(&mut self, term: &Term) -> i64 {
        match term {
            Term::Int(value) => *value,
            Term::Bool(value) => i64::from(*value),
            Term::Pc(pc) => *pc as i64,
            Term::Var(name) => self.lookup(name),
            Term::Symbol(symbol) => self.universe.symbol(*symbol),
            Term::App(f, args) => {
                let args: Vec<i64> = args.iter().map(|a| self.value(a)).collect();
                self.state.get(self.universe, *f, &args)
            }
            Term::Member(set, element) => {
                let element = self.value(element);
                let set = self.lookup(set);
                i64::from((0..63).contains(&element) && set & (1 << element) != 0)
            }
            Term::Not(inner) => i64::from(!self.holds(inner)),
            Term::And(terms) => i64::from(terms.iter().all(|t| self.holds(t))),
            Term::Or(terms) => i64::from(terms.iter().any(|t| self.holds(t))),
            Term::Implies(a, b) => i64::from(!self.holds(a) || self.holds(b)),
            Term::Eq(a, b) => i64::from(self.value(a) == self.value(b)),
            Term::Lt(a, b) => i64::from(self.value(a) < self.value(b)),
            Term::Le(a, b) => i64::from(self.value(a) <= self.value(b)),
            Term::Add(a, b) => self.value(a).saturating_add(self.value(b)),
            Term::Sub(a, b) => self.value(a).saturating_sub(self.value(b)),
            Term::Ite(c, a, b) => {
                if self.holds(c) {
                    self.value(a)
                } else {
                    self.value(b)
                }
            }
            Term::Forall(name, domain, body) => {
                let width = self.universe.width(*domain);
                i64::from(self.all_values(name, width, body))
            }
        }
    }

    fn all_values(&mut self, name: &'static str, width: usize, body: &Term) -> bool {
        let mut all = true;
        for value in 0..i64::try_from(width).unwrap_or(0) {
            self.bindings.push((name, value));
            all = self.holds(body);
            self.bindings.pop();
            if !all {
                break;
            }
        }
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn universe() -> Universe {
        Universe {
            enactors: 2,
            endpoints: 3,
            generations: 5,
            sweep_age: 2,
            max_attempts: 3,
        }
    }

    #[test]
    fn endpoint_quantifiers_carry_their_range_in_smt_and_in_evaluation() {
        let u = universe();
        let mut state = u.empty();
        for p in 0..3 {
            state.set(&u, StateFn::Active, &[p], 4);
        }
        let all_four = Term::forall(
            "p",
            Domain::Endpoint,
            app(StateFn::Active, [var("p")]).eq(int(4)),
        );
        let mut eval = Evaluator {
            universe: &u,
            state: &state,
            bindings: Vec::new(),
        };
        assert!(eval.holds(&all_four));
        state.set(&u, StateFn::Active, &[1], 3);
        let mut eval = Evaluator {
            universe: &u,
            state: &state,
            bindings: Vec::new(),
        };
        assert!(!eval.holds(&all_four));
        assert_eq!(
            Printer::PRE.print(&all_four),
            "(forall ((p Int)) (=> (and (<= 0 p) (< p N)) (= (active p) 4)))"
        );
    }

    #[test]
    fn primed_printing_names_only_redefined_functions_as_the_post_state() {
        let term = and([
            app(StateFn::Live, [int(2)]),
            app(StateFn::Active, [int(0)]).eq(int(-1)),
        ]);
        let printer = Printer {
            primed: true,
            redefined: &[StateFn::Live],
        };
        assert_eq!(
            printer.print(&term),
            "(and (live_next 2) (= (active 0) (- 1)))"
        );
    }

    /// Outside its table a function is 0 and a write is ignored, even one place past the
    /// end, where the next function's table starts.
    #[test]
    fn outside_the_tables_every_function_is_zero() {
        let u = universe();
        let mut state = u.empty();
        for f in StateFn::ALL {
            for tuple in u.tuples(f) {
                state.set(&u, f, &tuple, 9);
            }
        }
        let full = state.clone();
        assert_eq!(state.get(&u, StateFn::Live, &[-1]), 0);
        assert_eq!(
            state.get(&u, StateFn::Live, &[5]),
            0,
            "one past the last generation"
        );
        assert_eq!(
            state.get(&u, StateFn::Active, &[3]),
            0,
            "one past the last endpoint"
        );
        assert_eq!(state.get(&u, StateFn::Older, &[1, 7]), 0);
        state.set(&u, StateFn::Active, &[3], 1);
        state.set(&u, StateFn::Older, &[2, 0], 1);
        assert_eq!(state, full, "writes outside the tables change nothing");
    }

    /// The printer writes what both solvers parse: an empty conjunction as `true`, an empty
    /// disjunction as `false`, a one-term one as its term, and a constant without parentheses.
    #[test]
    fn degenerate_connectives_and_constants_print_as_smt_lib() {
        let p = |t: Term| Printer::PRE.print(&t);
        let live = || app(StateFn::Live, [int(1)]);
        assert_eq!(p(and(Vec::new())), "true");
        assert_eq!(p(or(Vec::new())), "false");
        assert_eq!(p(and([live()])), "(live 1)");
        assert_eq!(p(or([live()])), "(live 1)");
        assert_eq!(p(or([live(), live()])), "(or (live 1) (live 1))");
        assert_eq!(p(and([live(), live()])), "(and (live 1) (live 1))");
        assert_eq!(p(app(StateFn::Published, [])), "published");
        assert_eq!(p(Term::Pc(Pc::GiveUp)), "GIVE_UP");
    }

    /// Each program point has its own SMT-LIB constant and reads back from its code, so that
    /// a counterexample's `pc` values name the right point.
    #[test]
    fn program_points_have_distinct_names_and_read_back_from_their_codes() {
        let mut names: Vec<&str> = Pc::ALL.iter().map(|pc| pc.name()).collect();
        assert!(
            names
                .iter()
                .all(|name| name.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        );
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Pc::ALL.len());
        for pc in Pc::ALL {
            assert_eq!(Pc::from_code(pc as i64), Some(pc));
        }
        assert_eq!(Pc::from_code(Pc::ALL.len() as i64), None);
    }

    /// The flags are Booleans and everything else an integer: the sorts the queries declare.
    #[test]
    fn flags_are_booleans_and_the_rest_integers() {
        let booleans: Vec<StateFn> = StateFn::ALL.into_iter().filter(|f| f.is_bool()).collect();
        assert_eq!(
            booleans,
            [
                StateFn::Live,
                StateFn::Held,
                StateFn::HeldWrote,
                StateFn::InstalledAny,
                StateFn::Older,
                StateFn::Scanned
            ]
        );
    }
}
