//! The prover: every obligation of every variant and property, answered by a real SMT solver,
//! turned into verdicts; each refuted property settled by a search of the step model for a
//! real violation; and the conformance check that links the first-order model to the step
//! model.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;

use thiserror::Error;

use crate::check::execution::render_timeline;
use crate::check::harness::{Verdict, VerdictLine};
use crate::check::proof::conformance::{Conformance, Trace, check_conformance, search_violations};
use crate::check::proof::explain::explain;
use crate::check::proof::invariant::{Conjunct, ProofProperty, conjuncts, is_well_formed};
use crate::check::proof::obligation::{Claim, Query, query};
use crate::check::proof::solver::{Answer, Solver, SolverError};
use crate::check::proof::transitions::{FirstOrder, StepKind};
use crate::check::property::{Property, Violation};
use crate::check::step_model::transition::StepModelError;
use crate::protocol::config::Config;
use crate::protocol::variant::Variant;

/// The configurations the conformance check explores by default (looping Enactors): all
/// variants finish in about a second each.
pub const CONFORMANCE_SIZES: [&str; 1] = ["2E1P4G2K"];

/// The configurations a refuted property's real violation is searched in, smallest first.
pub const SEARCH_SIZES: [&str; 4] = ["2E1P4G2K", "3E1P4G2K", "2E2P4G2K", "3E2P4G2K"];

/// What to prove, with what.
#[derive(Debug, Clone)]
pub struct ProveOptions {
    /// The variants.
    pub variants: Vec<Variant>,
    /// The solver that answers the obligations.
    pub solver: Solver,
    /// Where the `.smt2` files go.
    pub dir: PathBuf,
    /// The configurations of the conformance check.
    pub conformance: Vec<Config>,
    /// The configurations of the search for a real violation, smallest first.
    pub search: Vec<Config>,
}

impl ProveOptions {
    /// Every variant, with `solver`, the files under `target/planrace/proof/`, and the
    /// default sizes.
    pub fn new(solver: Solver) -> Self {
        let sizes = |list: &[&str]| list.iter().filter_map(|c| c.parse().ok()).collect();
        Self {
            variants: Variant::ALL.to_vec(),
            solver,
            dir: PathBuf::from("target/planrace/proof"),
            conformance: sizes(&CONFORMANCE_SIZES),
            search: sizes(&SEARCH_SIZES),
        }
    }
}

/// Why the prover could not finish.
#[derive(Debug, Error)]
pub enum ProveError {
    /// The solver could not answer.
    #[error(transparent)]
    Solver(#[from] SolverError),
    /// A query file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why not.
        source: std::io::Error,
    },
    /// A configuration the step model cannot hold.
    #[error(transparent)]
    StepModel(#[from] StepModelError),
}

/// One solver call.
#[derive(Debug, Clone)]
pub struct SolverCall {
    /// The variant.
    pub variant: Variant,
    /// The claim.
    pub claim: Claim,
    /// The query's file.
    pub file: PathBuf,
    /// The answer.
    pub answer: Answer,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// What the proof found for one variant and one property.
#[derive(Debug, Clone)]
pub struct PropertyProof {
    /// The variant.
    pub variant: Variant,
    /// The property.
    pub property: ProofProperty,
    /// The solver.
    pub solver: Solver,
    /// Obligations checked (init, steps, the property itself, each step's firing).
    pub obligations: usize,
    /// Obligations the solver refuted.
    pub refuted: usize,
    /// The verdict.
    pub verdict: Verdict,
    /// Why the verdict is not `holds`, in a sentence (`None` when it holds).
    pub reason: Option<String>,
    /// The first refuted obligation told as a counterexample to induction.
    pub counterexample: Option<String>,
    /// The shortest real violation found, with the configuration it was found in.
    pub violation: Option<(Config, Trace)>,
    /// Seconds of solver time spent on its obligations.
    pub seconds: f64,
}

impl PropertyProof {
    /// The verdict line.
    pub fn verdict_line(&self) -> VerdictLine {
        VerdictLine {
            checker: "smt".to_owned(),
            variant: self.variant.to_string(),
            property: self.property.to_string(),
            config: "any".to_owned(),
            bound: "none".to_owned(),
            settings: vec![("solver".to_owned(), self.solver.to_string())],
            counted: "obligations".to_owned(),
            count: u64::try_from(self.obligations).unwrap_or(u64::MAX),
            violations: u64::try_from(self.refuted).unwrap_or(u64::MAX),
            verdict: self.verdict,
            seconds: self.seconds,
            extra: Vec::new(),
        }
    }
}

/// The proof of one variant.
#[derive(Debug, Clone)]
pub struct VariantProof {
    /// The variant.
    pub variant: Variant,
    /// One proof per property, in [`ProofProperty::ALL`] order.
    pub properties: Vec<PropertyProof>,
    /// The conformance checks, one per configuration.
    pub conformance: Vec<Conformance>,
    /// Every solver call.
    pub calls: Vec<SolverCall>,
}

/// The whole proof.
#[derive(Debug, Clone)]
pub struct ProofReport {
    /// One per variant.
    pub variants: Vec<VariantProof>,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// `trace`'s timeline, its last step marked as the one that broke `property` (the search
/// stops at the first state that violates it).
fn violation_timeline(property: ProofProperty, config: Config, trace: &Trace) -> String {
    let last = trace.steps.len().saturating_sub(1);
    let marked = |property, detail: &str| Violation {
        property,
        step: last,
        detail: detail.to_owned(),
    };
    let violation = match property {
        ProofProperty::NoEmptyRecord => {
            marked(Property::NoEmptyRecord, "a record points at a deleted plan")
        }
        ProofProperty::MonotonicGeneration => marked(
            Property::MonotonicGeneration,
            "a write replaced a record with an older plan",
        ),
        // No checker of executions has this property: its mark follows the timeline.
        ProofProperty::ReferencedPlansKept => {
            return format!(
                "{}     ^^^ referenced_plans_kept violated: a record's active or rollback plan \
                 was deleted (its next transaction fails)\n",
                render_timeline(&trace.steps, config.endpoints(), &[])
            );
        }
    };
    render_timeline(&trace.steps, config.endpoints(), &[violation])
}

impl fmt::Display for ProofReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for variant in &self.variants {
            for proof in &variant.properties {
                writeln!(f, "{}", proof.verdict_line())?;
                if let Some(reason) = &proof.reason {
                    writeln!(f, "  {reason}")?;
                }
                if let Some(example) = &proof.counterexample {
                    write!(f, "{example}")?;
                }
                if let Some((config, trace)) = &proof.violation {
                    writeln!(
                        f,
                        "  the step model violates it at {config} with looping Enactors \
                         ({} model steps):\n{}",
                        trace.depth,
                        violation_timeline(proof.property, *config, trace)
                    )?;
                }
            }
        }
        for variant in &self.variants {
            for conformance in &variant.conformance {
                writeln!(f, "{}", conformance.line())?;
                for found in &conformance.breaks {
                    writeln!(
                        f,
                        "  {} (reached in {} model steps)",
                        found.what, found.trace.depth
                    )?;
                }
            }
        }
        Ok(())
    }
}

/// The queries of one property: init and every step for each conjunct of its support, the
/// property from the support, and each step's firing.
fn property_queries(
    variant: Variant,
    property: ProofProperty,
    all: &[Conjunct],
) -> Vec<(Query, PathBuf)> {
    let first_order = FirstOrder::new(variant);
    let transitions = first_order.transitions();
    let init = first_order.init();
    let names = property.support();
    let support: Vec<&Conjunct> = all.iter().filter(|c| names.contains(&c.name)).collect();
    let well_formed: Vec<&Conjunct> = all.iter().filter(|c| is_well_formed(c.name)).collect();
    let key = names.last().copied().unwrap_or_default();
    // The well-formedness conjuncts are inductive by themselves: their obligations assume
    // only them, and every property shares them (one file each, under well_formed/).
    let ask = |claim: Claim, transition, goal, conjunct: Option<&str>| {
        let (assumed, folder) = match conjunct {
            Some(name) if is_well_formed(name) => (&well_formed, "well_formed"),
            _ => (&support, key),
        };
        let query = query(variant, claim, assumed, &init, transition, goal);
        let path = PathBuf::from(variant.name())
            .join(folder)
            .join(format!("{claim}.smt2"));
        (query, path)
    };
    let mut queries = Vec::new();
    for conjunct in &support {
        let goal = Some(&conjunct.formula);
        let name = Some(conjunct.name);
        queries.push(ask(
            Claim::Init {
                conjunct: conjunct.name,
            },
            None,
            goal,
            name,
        ));
        for transition in &transitions {
            let claim = Claim::Step {
                step: transition.kind,
                conjunct: conjunct.name,
            };
            queries.push(ask(claim, Some(transition), goal, name));
        }
    }
    let goal = property.formula();
    queries.push(ask(Claim::Implies { property }, None, Some(&goal), None));
    for transition in &transitions {
        let claim = Claim::Fires {
            step: transition.kind,
        };
        queries.push(ask(claim, Some(transition), None, None));
    }
    queries
}

/// Writes every query and runs `solver` on each, two at a time.
fn answer_all(
    solver: Solver,
    dir: &Path,
    queries: &[(Query, PathBuf)],
) -> Result<HashMap<PathBuf, (Answer, f64)>, ProveError> {
    let mut unique: Vec<&(Query, PathBuf)> = Vec::new();
    for entry in queries {
        if !unique.iter().any(|u| u.1 == entry.1) {
            unique.push(entry);
        }
    }
    for (query, path) in &unique {
        let path = dir.join(path);
        let write = |p: &Path| -> std::io::Result<()> {
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(p, &query.text)
        };
        write(&path).map_err(|source| ProveError::Write { path, source })?;
    }
    let next = Mutex::new(unique.iter());
    let answers = Mutex::new(HashMap::new());
    let failure = Mutex::new(None);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                while let Some((_, path)) =
                    next.lock().map(|mut it| it.next().copied()).ok().flatten()
                {
                    match solver.run(&dir.join(path), false) {
                        Ok(run) => {
                            if let Ok(mut answers) = answers.lock() {
                                answers.insert(path.clone(), (run.answer, run.seconds));
                            }
                        }
                        Err(error) => {
                            if let Ok(mut failure) = failure.lock() {
                                failure.get_or_insert(error);
                            }
                            break;
                        }
                    }
                }
            });
        }
    });
    if let Some(error) = failure.into_inner().ok().flatten() {
        return Err(error.into());
    }
    Ok(answers.into_inner().unwrap_or_default())
}

/// The sentence of what `claim` breaks.
fn broken(claim: Claim) -> String {
    let sentence = |name: &str| {
        conjuncts()
            .iter()
            .find(|c| c.name == name)
            .map_or(String::new(), |c| format!("{name}: {}", c.sentence))
    };
    match claim {
        Claim::Init { conjunct } | Claim::Step { conjunct, .. } => sentence(conjunct),
        Claim::Implies { property } => format!("{property}, from its support"),
        Claim::Fires { step } => format!("the step {step} can never fire"),
    }
}

/// Runs the first refuted query again for a model (a small one if there is one) and tells it.
fn counterexample(
    solver: Solver,
    dir: &Path,
    query: &Query,
    path: &Path,
) -> Result<String, ProveError> {
    let file = dir.join(path.with_extension("cti.smt2"));
    let mut run = None;
    for small in [true, false] {
        std::fs::write(&file, query.with_model(small)).map_err(|source| ProveError::Write {
            path: file.clone(),
            source,
        })?;
        let answer = solver.run(&file, true)?;
        let sat = answer.answer == Answer::Sat;
        run = Some(answer);
        if sat {
            break;
        }
    }
    let title = format!(
        "  counterexample to induction ({solver}, {}):\n",
        file.display()
    );
    Ok(match run {
        Some(run) if run.answer == Answer::Sat => {
            format!("{title}{}", explain(query, &run.rest, &broken(query.claim)))
        }
        other => format!(
            "  {solver} answered {} when asked for the model of {}: no counterexample to show\n",
            other.map_or("nothing", |r| r.answer.word()),
            file.display()
        ),
    })
}

/// Proves what `options` asks, calling `progress` with a line as each variant starts.
///
/// # Errors
/// A [`ProveError`] when the solver is missing or fails, a file cannot be written, or a
/// configuration does not fit the step model.
pub fn prove(
    options: &ProveOptions,
    mut progress: impl FnMut(&str),
) -> Result<ProofReport, ProveError> {
    let started = Instant::now();
    options.solver.version()?;
    let all = conjuncts();
    let mut variants = Vec::new();
    for variant in &options.variants {
        progress(&format!("proving {variant} with {}", options.solver));
        variants.push(prove_variant(*variant, options, &all)?);
    }
    Ok(ProofReport {
        variants,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn prove_variant(
    variant: Variant,
    options: &ProveOptions,
    all: &[Conjunct],
) -> Result<VariantProof, ProveError> {
    let per_property: Vec<(ProofProperty, Vec<(Query, PathBuf)>)> = ProofProperty::ALL
        .into_iter()
        .map(|p| (p, property_queries(variant, p, all)))
        .collect();
    let every: Vec<(Query, PathBuf)> = per_property
        .iter()
        .flat_map(|(_, q)| q.iter().cloned())
        .collect();
    let answers = answer_all(options.solver, &options.dir, &every)?;
    let conformance = options
        .conformance
        .iter()
        .map(|config| check_conformance(variant, *config))
        .collect::<Result<Vec<_>, _>>()?;
    let mut properties = Vec::new();
    for (property, queries) in &per_property {
        properties.push(judge(
            *property,
            queries,
            &answers,
            &conformance,
            options,
            variant,
        )?);
    }
    let mut calls: Vec<SolverCall> = Vec::new();
    for (query, path) in &every {
        if calls.iter().any(|c| c.file == options.dir.join(path)) {
            continue;
        }
        if let Some((answer, seconds)) = answers.get(path) {
            calls.push(SolverCall {
                variant,
                claim: query.claim,
                file: options.dir.join(path),
                answer: *answer,
                seconds: *seconds,
            });
        }
    }
    Ok(VariantProof {
        variant,
        properties,
        conformance,
        calls,
    })
}

/// Whether a step's firing is shown by a reachable state of the conformance check where the
/// support holds (a concrete model of the invariant and the guard).
fn fired_concretely(step: StepKind, support: &[&str], conformance: &[Conformance]) -> bool {
    conformance.iter().any(|c| {
        c.fired.get(&step).is_some_and(|n| *n > 0)
            && support
                .iter()
                .all(|name| !c.conjunct_failures.contains_key(name))
    })
}

/// What the solver's answers say of one property's obligations.
struct Tally<'q> {
    /// Solver seconds, summed.
    seconds: f64,
    /// Obligations refuted, with the first of them.
    refuted: usize,
    first_refuted: Option<&'q (Query, PathBuf)>,
    /// Obligations no answer settled.
    undecided: Vec<Claim>,
}

fn tally<'q>(
    queries: &'q [(Query, PathBuf)],
    answers: &HashMap<PathBuf, (Answer, f64)>,
    support: &[&str],
    conformance: &[Conformance],
) -> Tally<'q> {
    let mut tally = Tally {
        seconds: 0.0,
        refuted: 0,
        first_refuted: None,
        undecided: Vec::new(),
    };
    for entry in queries {
        let (query, path) = entry;
        let (answer, seconds) = answers.get(path).copied().unwrap_or((Answer::Unknown, 0.0));
        tally.seconds += seconds;
        let as_claimed = match answer {
            Answer::Unsat => query.claim.wants_unsat(),
            Answer::Sat => !query.claim.wants_unsat(),
            Answer::Unknown => false,
        };
        match (query.claim, answer) {
            _ if as_claimed => {}
            // A step the solver cannot show firing is shown by a reachable state.
            (Claim::Fires { step }, Answer::Unknown)
                if fired_concretely(step, support, conformance) => {}
            (Claim::Fires { .. }, _) | (_, Answer::Unknown) => tally.undecided.push(query.claim),
            (_, Answer::Sat | Answer::Unsat) => {
                tally.refuted += 1;
                tally.first_refuted.get_or_insert(entry);
            }
        }
    }
    tally
}

/// The verdict on `property` from its obligations' answers: `holds` when every one is as
/// claimed (and the step model agrees); otherwise the first refuted one told as a
/// counterexample, and the verdict settled by a real violation, or left `inconclusive`.
fn judge(
    property: ProofProperty,
    queries: &[(Query, PathBuf)],
    answers: &HashMap<PathBuf, (Answer, f64)>,
    conformance: &[Conformance],
    options: &ProveOptions,
    variant: Variant,
) -> Result<PropertyProof, ProveError> {
    let tally = tally(queries, answers, &property.support(), conformance);
    let mut proof = PropertyProof {
        variant,
        property,
        solver: options.solver,
        obligations: queries.len(),
        refuted: tally.refuted,
        verdict: Verdict::Holds,
        reason: None,
        counterexample: None,
        violation: None,
        seconds: tally.seconds,
    };
    let reached = conformance.iter().find_map(|c| {
        c.violations
            .iter()
            .find(|(p, _)| *p == property)
            .map(|(_, t)| (c.config, t.clone()))
    });
    let not_proven = match (tally.first_refuted, tally.undecided.first()) {
        (Some((query, path)), _) => {
            proof.counterexample = Some(counterexample(options.solver, &options.dir, query, path)?);
            format!("the invariant is not inductive for {variant}")
        }
        (None, Some(claim)) => format!(
            "{} could not decide {} obligation(s) (the first: {claim}), or showed a step that \
             can never fire",
            options.solver,
            tally.undecided.len()
        ),
        (None, None) => {
            // Proven: the step model must agree, or a link of the chain is broken.
            if let Some((config, trace)) = reached {
                proof.verdict = Verdict::Inconclusive;
                proof.reason = Some(format!(
                    "contradiction: every obligation was discharged, yet the step model \
                     violates it at {config} in {} steps: the first-order model does not \
                     describe the step model",
                    trace.depth
                ));
                proof.violation = Some((config, trace));
            }
            return Ok(proof);
        }
    };
    proof.violation = match reached {
        Some(found) => Some(found),
        None => search(variant, property, &options.search)?,
    };
    (proof.verdict, proof.reason) = match &proof.violation {
        Some(_) => (
            Verdict::Violated,
            Some(format!("{not_proven}; a real violation settles it")),
        ),
        None => (
            Verdict::Inconclusive,
            Some(format!(
                "{not_proven}, and the step model with looping Enactors reaches no violation at \
                 {}",
                sizes(&options.search)
            )),
        ),
    };
    Ok(proof)
}

fn sizes(configs: &[Config]) -> String {
    configs
        .iter()
        .map(Config::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The shortest violation of `property` in the smallest of `configs` that has one.
fn search(
    variant: Variant,
    property: ProofProperty,
    configs: &[Config],
) -> Result<Option<(Config, Trace)>, ProveError> {
    for config in configs {
        let found = search_violations(variant, *config)?;
        if let Some((_, trace)) = found.violations.into_iter().find(|(p, _)| *p == property) {
            return Ok(Some((*config, trace)));
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A well-formedness conjunct's steps are proven from the well-formedness conjuncts alone
    /// (they are inductive by themselves, and every property shares their files), the
    /// property's own conjunct from its whole support: each query assumes what docs/proof.md
    /// says, no more and no less. Each query is written to a file named after its claim.
    #[test]
    fn each_step_obligation_assumes_what_its_conjunct_needs() {
        let all = conjuncts();
        for property in ProofProperty::ALL {
            let support = property.support();
            let (key, well_formed) = support.split_last().expect("a support");
            let queries = property_queries(Variant::Fixed, property, &all);
            let mut paths: Vec<&PathBuf> = queries.iter().map(|(_, path)| path).collect();
            paths.sort_unstable();
            paths.dedup();
            assert_eq!(
                paths.len(),
                queries.len(),
                "each query has a file of its own"
            );
            let mut steps = 0;
            for (query, path) in &queries {
                let Claim::Step { conjunct, .. } = query.claim else {
                    continue;
                };
                let assumed: Vec<&str> = all
                    .iter()
                    .map(|c| c.name)
                    .filter(|name| query.text.contains(&format!("; {name}:")))
                    .collect();
                let (expected, folder) = if conjunct == *key {
                    (support.as_slice(), *key)
                } else {
                    (well_formed, "well_formed")
                };
                assert_eq!(assumed, expected, "{property}: {}", query.claim);
                assert!(
                    path.starts_with(Path::new("Fixed").join(folder)),
                    "{path:?}"
                );
                steps += 1;
            }
            assert!(
                steps > support.len(),
                "{property}: {steps} step obligations"
            );
        }
    }
}
