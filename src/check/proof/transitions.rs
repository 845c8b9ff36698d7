//! The protocol as a first-order transition system, for any number of Enactors, endpoints and
//! generations: the step model's steps, each a guard on the pre-state and the parameters and
//! a definition of every state function it changes. Enactors loop forever (a finished cycle
//! picks again) and the Planner never stops publishing.
//!
//! Where it allows more than the step model (a sweep deleting only some of the plans it may
//! delete, a lock attempt failing with no holder, publishing past a configuration's last
//! generation) it over-approximates, so what it proves holds for the step model too; the
//! conformance check counts those extra successors.

use crate::check::proof::formula::{
    Domain, Pc, StateFn, Symbol, Term, and, app, int, ite, or, var,
};
use crate::protocol::rules::{SweepRule, WriteRule};
use crate::protocol::variant::Variant;

/// The kinds of step, one per kind of step the step model takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StepKind {
    /// The Planner publishes the next generation.
    Publish,
    /// An Enactor releases the record lock it holds (silent in the log).
    Unlock,
    /// An Enactor picks the newest plan, starting a cycle.
    Pick,
    /// An Enactor locks a record and compares its plan with it (the one-time check).
    Check,
    /// An Enactor locks a record again just before writing it (`RecheckBeforeWrite`).
    Recheck,
    /// An Enactor takes a record's lock and commits its write, as the variant's rule decides.
    Write,
    /// An Enactor's attempt on a record lock fails (another holds it, or a fault took it).
    Busy,
    /// An Enactor gives up on a record after its last attempt.
    GiveUp,
    /// An Enactor reads a record for its sweep (`GuardedSweepNonAtomic`).
    Scan,
    /// An Enactor deletes old plans.
    Sweep,
}

impl StepKind {
    /// The name printed in reports and file names.
    pub fn name(self) -> &'static str {
        match self {
            StepKind::Publish => "publish",
            StepKind::Unlock => "unlock",
            StepKind::Pick => "pick",
            StepKind::Check => "check",
            StepKind::Recheck => "recheck",
            StepKind::Write => "write",
            StepKind::Busy => "busy",
            StepKind::GiveUp => "give_up",
            StepKind::Scan => "scan",
            StepKind::Sweep => "sweep",
        }
    }
}

impl std::fmt::Display for StepKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A state function's value after a step, for every argument: `f(vars) := value`.
#[derive(Debug, Clone)]
pub(crate) struct Update {
    /// The function.
    pub f: StateFn,
    /// One variable per argument.
    pub vars: Vec<&'static str>,
    /// The new value, over the pre-state, the variables and the step's parameters.
    pub value: Term,
}

/// One kind of step: who takes it (the parameters), when it may (the guard) and what it
/// changes (the updates; every function not updated keeps its value).
#[derive(Debug, Clone)]
pub(crate) struct Transition {
    /// Which step.
    pub kind: StepKind,
    /// The parameters: the mover first (for an Enactor's step: `a`), then its choices.
    pub params: Vec<(&'static str, Domain)>,
    /// When the step may be taken, over the pre-state and the parameters.
    pub guard: Term,
    /// What it changes.
    pub updates: Vec<Update>,
}

impl Transition {
    /// The functions the step redefines.
    pub(crate) fn redefined(&self) -> Vec<StateFn> {
        self.updates.iter().map(|u| u.f).collect()
    }
}

fn a() -> Term {
    var("a")
}

fn of_a(f: StateFn) -> Term {
    app(f, [a()])
}

fn n() -> Term {
    Term::Symbol(Symbol::Endpoints)
}

/// `f(a) := value`, every other Enactor unchanged.
fn set_a(f: StateFn, value: Term) -> Update {
    Update {
        f,
        vars: vec!["x"],
        value: ite(var("x").eq(a()), value, app(f, [var("x")])),
    }
}

/// `f(a, y) := value(y)` for every `y`, every other Enactor unchanged.
fn set_a_row(f: StateFn, value: impl Fn(Term) -> Term) -> Update {
    Update {
        f,
        vars: vec!["x", "y"],
        value: ite(
            var("x").eq(a()),
            value(var("y")),
            app(f, [var("x"), var("y")]),
        ),
    }
}

/// `f(at) := value`, every other endpoint unchanged.
fn set_endpoint(f: StateFn, at: Term, value: Term) -> Update {
    Update {
        f,
        vars: vec!["y"],
        value: ite(var("y").eq(at), value, app(f, [var("y")])),
    }
}

/// The Enactor's lock taken by this step on `endpoint`, with the write's outcome.
fn take_lock(endpoint: Term, wrote: Term, previous: Term) -> [Update; 4] {
    [
        set_a(StateFn::Held, Term::Bool(true)),
        set_a(StateFn::HeldAt, endpoint),
        set_a(StateFn::HeldWrote, wrote),
        set_a(StateFn::HeldPrev, previous),
    ]
}

/// Its program point: `pc`, at endpoint `at`, attempt `attempt`.
fn go(pc: Term, at: Term, attempt: Term) -> [Update; 3] {
    [
        set_a(StateFn::Pc, pc),
        set_a(StateFn::At, at),
        set_a(StateFn::Attempt, attempt),
    ]
}

/// No other Enactor holds `endpoint`'s lock (the mover holds none when it takes a step).
fn lock_free(endpoint: Term) -> Term {
    Term::forall(
        "b",
        Domain::Enactor,
        app(StateFn::Held, [var("b")]).implies(app(StateFn::HeldAt, [var("b")]).ne(endpoint)),
    )
}

/// The first-order protocol of one variant.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FirstOrder {
    variant: Variant,
}

/// Where an Enactor's cycle goes after the writes up to endpoint `from - 1`: the parameter
/// `nx` is the next endpoint its check found older (`N` for none), and the cycle goes there,
/// or to the sweep (if a write installed the plan), or ends.
struct NextWrite {
    /// What `nx` must satisfy.
    constraint: Term,
    /// The program point, endpoint and attempt after the step.
    pc: Term,
    at: Term,
    attempt: Term,
}

impl FirstOrder {
    /// The first-order protocol of `variant`.
    pub(crate) fn new(variant: Variant) -> Self {
        Self { variant }
    }

    /// The initial states: generation 1 published and applied to every endpoint, every
    /// Enactor about to pick, holding nothing.
    pub(crate) fn init(&self) -> Term {
        let enactor = |f: StateFn, value: Term| {
            Term::forall("i", Domain::Enactor, app(f, [var("i")]).eq(value))
        };
        and([
            app(StateFn::Published, []).eq(int(1)),
            app(StateFn::Live, [int(1)]),
            Term::forall_in("g", |g| app(StateFn::Live, [g]), |g| g.eq(int(1))),
            Term::forall(
                "p",
                Domain::Endpoint,
                and([
                    app(StateFn::Active, [var("p")]).eq(int(1)),
                    app(StateFn::Rollback, [var("p")]).eq(int(0)),
                ]),
            ),
            enactor(StateFn::Pc, Term::Pc(Pc::Pick)),
            enactor(StateFn::At, int(0)),
            enactor(StateFn::Attempt, int(0)),
            enactor(StateFn::Plan, int(0)),
            enactor(StateFn::Held, Term::Bool(false)),
            enactor(StateFn::HeldAt, int(0)),
            enactor(StateFn::HeldWrote, Term::Bool(false)),
            enactor(StateFn::HeldPrev, int(0)),
            enactor(StateFn::InstalledAny, Term::Bool(false)),
            Term::forall(
                "i",
                Domain::Enactor,
                Term::forall(
                    "p",
                    Domain::Endpoint,
                    app(StateFn::Older, [var("i"), var("p")]).not(),
                ),
            ),
            Term::forall(
                "i",
                Domain::Enactor,
                Term::forall_in(
                    "g",
                    |g| app(StateFn::Scanned, [var("i"), g]),
                    |_| Term::Bool(false),
                ),
            ),
        ])
    }

    /// Every kind of step the variant takes.
    pub(crate) fn transitions(&self) -> Vec<Transition> {
        let mut transitions = vec![self.publish(), self.unlock(), self.pick(), self.check()];
        if self.variant.rechecks_before_write() {
            transitions.push(self.recheck());
        }
        transitions.extend([self.write(), self.busy(), self.give_up()]);
        if self.variant.sweep_rule().scans_records() {
            transitions.push(self.scan());
        }
        transitions.push(self.sweep());
        transitions
    }

    fn publish(&self) -> Transition {
        let next = app(StateFn::Published, []).add(int(1));
        Transition {
            kind: StepKind::Publish,
            params: Vec::new(),
            guard: Term::Bool(true),
            updates: vec![
                Update {
                    f: StateFn::Published,
                    vars: Vec::new(),
                    value: next.clone(),
                },
                Update {
                    f: StateFn::Live,
                    vars: vec!["y"],
                    value: or([app(StateFn::Live, [var("y")]), var("y").eq(next)]),
                },
            ],
        }
    }

    fn unlock(&self) -> Transition {
        Transition {
            kind: StepKind::Unlock,
            params: vec![("a", Domain::Enactor)],
            guard: of_a(StateFn::Held),
            updates: vec![
                set_a(StateFn::Held, Term::Bool(false)),
                set_a(StateFn::HeldAt, int(0)),
                set_a(StateFn::HeldWrote, Term::Bool(false)),
                set_a(StateFn::HeldPrev, int(0)),
            ],
        }
    }

    /// The pick, and the restart of a finished cycle with it: the parameter `g` is the newest
    /// plan in the store, or 0 when the store is empty.
    fn pick(&self) -> Transition {
        let g = var("g");
        let newest = or([
            and([
                g.clone().eq(int(0)),
                Term::forall_in("z", |z| app(StateFn::Live, [z]), |_| Term::Bool(false)),
            ]),
            and([
                app(StateFn::Live, [g.clone()]),
                Term::forall_in("z", |z| app(StateFn::Live, [z]), |z| z.le(g.clone())),
            ]),
        ]);
        let mut updates = vec![
            set_a(StateFn::Plan, g.clone()),
            set_a(StateFn::InstalledAny, Term::Bool(false)),
            set_a_row(StateFn::Older, |_| Term::Bool(false)),
            set_a_row(StateFn::Scanned, |_| Term::Bool(false)),
        ];
        updates.extend(go(
            ite(g.eq(int(0)), Term::Pc(Pc::Done), Term::Pc(Pc::Check)),
            int(0),
            int(0),
        ));
        Transition {
            kind: StepKind::Pick,
            params: vec![("a", Domain::Enactor), ("g", Domain::Generation)],
            guard: and([
                of_a(StateFn::Held).not(),
                or([
                    of_a(StateFn::Pc).eq(Term::Pc(Pc::Pick)),
                    of_a(StateFn::Pc).eq(Term::Pc(Pc::Done)),
                ]),
                newest,
            ]),
            updates,
        }
    }

    /// Whether the Enactor's plan is newer than `endpoint`'s record (any plan is newer than an
    /// empty record): [`crate::protocol::rules::is_newer`].
    fn newer(endpoint: Term) -> Term {
        let active = app(StateFn::Active, [endpoint]);
        or([active.clone().eq(int(0)), active.lt(of_a(StateFn::Plan))])
    }

    /// [`NextWrite`] from endpoint `from`, with `older(a, y)` after the step given by
    /// `older` and `installed_any(a)` after it by `installed`.
    fn next_write(&self, from: Term, older: impl Fn(Term) -> Term, installed: Term) -> NextWrite {
        let nx = var("nx");
        let constraint = and([
            from.clone().le(nx.clone()),
            nx.clone().lt(n()).implies(older(nx.clone())),
            Term::forall(
                "y",
                Domain::Endpoint,
                and([from.le(var("y")), var("y").lt(nx.clone())]).implies(older(var("y")).not()),
            ),
        ]);
        let (write_pc, write_attempt) = if self.variant.rechecks_before_write() {
            (Pc::Recheck, 0)
        } else {
            (Pc::Write, 1)
        };
        let after_writes = if self.variant.sweep_rule().scans_records() {
            Pc::Scan
        } else {
            Pc::Sweep
        };
        let has_next = nx.clone().lt(n());
        NextWrite {
            constraint,
            pc: ite(
                has_next.clone(),
                Term::Pc(write_pc),
                ite(installed, Term::Pc(after_writes), Term::Pc(Pc::Done)),
            ),
            at: ite(has_next.clone(), nx, int(0)),
            attempt: ite(has_next, int(write_attempt), int(0)),
        }
    }

    /// The Enactor's guard for a step at its program point `pc` on the endpoint `at(a)`.
    fn at_pc(pc: Pc) -> Term {
        and([
            of_a(StateFn::Held).not(),
            of_a(StateFn::Pc).eq(Term::Pc(pc)),
        ])
    }

    fn check(&self) -> Transition {
        let e = of_a(StateFn::At);
        let newer = Self::newer(e.clone());
        let older = |y: Term| {
            ite(
                y.clone().eq(e.clone()),
                newer.clone(),
                app(StateFn::Older, [a(), y]),
            )
        };
        let last = e.clone().add(int(1)).lt(n()).not();
        let next = self.next_write(int(0), older, Term::Bool(false));
        // With some endpoint older the plan is written from the first such endpoint, `nx`;
        // with none, `nx` is n and the cycle is done. FixedSkipPartlyApplied writes only when
        // every endpoint is older: `ny`, the first endpoint that is not (n when none), must be
        // n, or the cycle is done.
        let mut params = vec![("a", Domain::Enactor), ("nx", Domain::EndpointOrNone)];
        let none = var("nx").eq(n());
        let (on_last, otherwise) = if self.variant.skips_partly_applied_plans() {
            params.push(("ny", Domain::EndpointOrNone));
            let ny = var("ny");
            let first_not_older = and([
                ny.clone().lt(n()).implies(older(ny.clone()).not()),
                Term::forall(
                    "y",
                    Domain::Endpoint,
                    var("y").lt(ny.clone()).implies(older(var("y"))),
                ),
            ]);
            let every_older = ny.clone().eq(n());
            (
                and([
                    first_not_older,
                    ite(every_older, next.constraint, none.clone()),
                ]),
                and([none, ny.eq(n())]),
            )
        } else {
            (next.constraint, none)
        };
        let mut updates = vec![set_a_row(StateFn::Older, older)];
        updates.extend(take_lock(e.clone(), Term::Bool(false), int(0)));
        updates.extend(go(
            ite(last.clone(), next.pc, Term::Pc(Pc::Check)),
            ite(last.clone(), next.at, e.clone().add(int(1))),
            ite(last.clone(), next.attempt, int(0)),
        ));
        Transition {
            kind: StepKind::Check,
            params,
            guard: and([
                Self::at_pc(Pc::Check),
                lock_free(e),
                ite(last, on_last, otherwise),
            ]),
            updates,
        }
    }

    fn recheck(&self) -> Transition {
        let e = of_a(StateFn::At);
        let newer = Self::newer(e.clone());
        let next = self.next_write(
            e.clone().add(int(1)),
            |y| app(StateFn::Older, [a(), y]),
            of_a(StateFn::InstalledAny),
        );
        let mut updates = take_lock(e.clone(), Term::Bool(false), int(0)).to_vec();
        updates.extend(go(
            ite(newer.clone(), Term::Pc(Pc::Write), next.pc),
            ite(newer.clone(), e.clone(), next.at),
            ite(newer.clone(), int(1), next.attempt),
        ));
        Transition {
            kind: StepKind::Recheck,
            params: vec![("a", Domain::Enactor), ("nx", Domain::EndpointOrNone)],
            guard: and([
                Self::at_pc(Pc::Recheck),
                lock_free(e),
                ite(newer, var("nx").eq(n()), next.constraint),
            ]),
            updates,
        }
    }

    /// The write: the variant's [`WriteRule`] decides, in the same order as
    /// [`WriteRule::decide`]: refused (a conditional write over an equal or newer record),
    /// stuck (the record's active plan is gone), refused again (the plan to install is gone,
    /// for the rules that check it), or installed.
    fn write(&self) -> Transition {
        let rule: WriteRule = self.variant.write_rule();
        let e = of_a(StateFn::At);
        let active = app(StateFn::Active, [e.clone()]);
        let plan = of_a(StateFn::Plan);
        let refused = if rule.compares_generations() {
            and([active.clone().ne(int(0)), plan.clone().le(active.clone())])
        } else {
            Term::Bool(false)
        };
        let missing = and([
            refused.clone().not(),
            active.clone().ne(int(0)),
            app(StateFn::Live, [active.clone()]).not(),
        ]);
        let plan_gone = if rule.checks_own_plan() {
            app(StateFn::Live, [plan.clone()]).not()
        } else {
            Term::Bool(false)
        };
        let installs = and([refused.not(), missing.clone().not(), plan_gone.not()]);
        let installed = or([of_a(StateFn::InstalledAny), installs.clone()]);
        let next = self.next_write(
            e.clone().add(int(1)),
            |y| app(StateFn::Older, [a(), y]),
            installed.clone(),
        );
        let mut updates = vec![
            set_endpoint(
                StateFn::Active,
                e.clone(),
                ite(installs.clone(), plan, active.clone()),
            ),
            set_endpoint(
                StateFn::Rollback,
                e.clone(),
                ite(
                    installs.clone(),
                    active.clone(),
                    app(StateFn::Rollback, [e.clone()]),
                ),
            ),
            set_a(StateFn::InstalledAny, installed),
        ];
        updates.extend(take_lock(
            e.clone(),
            installs.clone(),
            ite(installs, active, int(0)),
        ));
        updates.extend(go(
            ite(missing.clone(), Term::Pc(Pc::Done), next.pc),
            ite(missing.clone(), int(0), next.at),
            ite(missing.clone(), int(0), next.attempt),
        ));
        Transition {
            kind: StepKind::Write,
            params: vec![("a", Domain::Enactor), ("nx", Domain::EndpointOrNone)],
            guard: and([
                Self::at_pc(Pc::Write),
                lock_free(e),
                ite(missing, var("nx").eq(n()), next.constraint),
            ]),
            updates,
        }
    }

    /// A failed lock attempt. Allowed whether or not another Enactor holds the lock: the step
    /// model fails it only when one does, a fault injector at any time.
    fn busy(&self) -> Transition {
        let attempt = of_a(StateFn::Attempt);
        let last = attempt.clone().lt(Term::Symbol(Symbol::MaxAttempts)).not();
        Transition {
            kind: StepKind::Busy,
            params: vec![("a", Domain::Enactor)],
            guard: Self::at_pc(Pc::Write),
            updates: go(
                ite(last.clone(), Term::Pc(Pc::GiveUp), Term::Pc(Pc::Write)),
                of_a(StateFn::At),
                ite(last, int(0), attempt.add(int(1))),
            )
            .to_vec(),
        }
    }

    fn give_up(&self) -> Transition {
        let next = self.next_write(
            of_a(StateFn::At).add(int(1)),
            |y| app(StateFn::Older, [a(), y]),
            of_a(StateFn::InstalledAny),
        );
        Transition {
            kind: StepKind::GiveUp,
            params: vec![("a", Domain::Enactor), ("nx", Domain::EndpointOrNone)],
            guard: and([Self::at_pc(Pc::GiveUp), next.constraint]),
            updates: go(next.pc, next.at, next.attempt).to_vec(),
        }
    }

    fn scan(&self) -> Transition {
        let e = of_a(StateFn::At);
        let active = app(StateFn::Active, [e.clone()]);
        let rollback = app(StateFn::Rollback, [e.clone()]);
        let last = e.clone().add(int(1)).lt(n()).not();
        let mut updates = vec![set_a_row(StateFn::Scanned, |y| {
            or([
                app(StateFn::Scanned, [a(), y.clone()]),
                and([y.clone().ne(int(0)), y.clone().eq(active.clone())]),
                and([y.clone().ne(int(0)), y.eq(rollback.clone())]),
            ])
        })];
        updates.extend(take_lock(e.clone(), Term::Bool(false), int(0)));
        updates.extend(go(
            ite(last.clone(), Term::Pc(Pc::Sweep), Term::Pc(Pc::Scan)),
            ite(last, int(0), e.clone().add(int(1))),
            int(0),
        ));
        Transition {
            kind: StepKind::Scan,
            params: vec![("a", Domain::Enactor)],
            guard: and([Self::at_pc(Pc::Scan), lock_free(e)]),
            updates,
        }
    }

    /// The sweep deletes a set `del` of plans, each in the store, at least K generations older
    /// than the plan applied ([`SweepRule::old_enough`]) and, where the rule spares references,
    /// referenced by no record (as the rule reads references). The step model deletes all of
    /// them; any subset is allowed here, which only adds behaviours.
    fn sweep(&self) -> Transition {
        let rule: SweepRule = self.variant.sweep_rule();
        let g = var("g");
        let old_enough = g
            .clone()
            .le(of_a(StateFn::Plan).sub(Term::Symbol(Symbol::SweepAge)));
        let unreferenced = if !rule.spares_referenced() {
            Term::Bool(true)
        } else if rule.scans_records() {
            app(StateFn::Scanned, [a(), g.clone()]).not()
        } else {
            Term::forall(
                "p",
                Domain::Endpoint,
                and([
                    app(StateFn::Active, [var("p")]).ne(g.clone()),
                    app(StateFn::Rollback, [var("p")]).ne(g.clone()),
                ]),
            )
        };
        let deletable = Term::forall_in(
            "g",
            |g| Term::Member("del", Box::new(g)),
            |g| {
                and([
                    app(StateFn::Live, [g]),
                    old_enough.clone(),
                    unreferenced.clone(),
                ])
            },
        );
        let mut updates = vec![Update {
            f: StateFn::Live,
            vars: vec!["y"],
            value: and([
                app(StateFn::Live, [var("y")]),
                Term::Member("del", Box::new(var("y"))).not(),
            ]),
        }];
        updates.extend(go(Term::Pc(Pc::Done), int(0), int(0)));
        Transition {
            kind: StepKind::Sweep,
            params: vec![("a", Domain::Enactor), ("del", Domain::GenerationSet)],
            guard: and([Self::at_pc(Pc::Sweep), deletable]),
            updates,
        }
    }
}
