//! `planrace prove`: the proof for every size, by an SMT solver, with its conformance check.

use std::collections::BTreeMap;
use std::io::Write as _;

use planrace::Verdict;
use planrace::proof::{Conformance, ProofReport, ProveOptions, Solver, prove};
use serde::Serialize;

use crate::args::{ProveArgs, SolverArg};
use crate::error::CommandError;
use crate::output::Output;

/// `--json`: one property's verdict.
#[derive(Debug, Serialize)]
struct ProofJson {
    /// Always `"verdict"`.
    kind: &'static str,
    checker: &'static str,
    variant: String,
    property: String,
    config: &'static str,
    solver: String,
    obligations: usize,
    violations: usize,
    verdict: &'static str,
    reason: Option<String>,
    seconds: f64,
}

/// `--json`: one solver call.
#[derive(Debug, Serialize)]
struct CallJson {
    /// Always `"solver_call"`.
    kind: &'static str,
    variant: String,
    claim: String,
    file: String,
    answer: &'static str,
    seconds: f64,
}

/// `--json`: one conformance check.
#[derive(Debug, Serialize)]
struct ConformanceJson {
    /// Always `"conformance"`.
    kind: &'static str,
    variant: String,
    config: String,
    states: usize,
    transitions: u64,
    mismatches: u64,
    abstracted: u64,
    abstracted_by_kind: BTreeMap<String, u64>,
    conjuncts: usize,
    conjunct_failures: BTreeMap<String, u64>,
    property_mismatches: u64,
    seconds: f64,
}

fn conformance_json(c: &Conformance) -> ConformanceJson {
    ConformanceJson {
        kind: "conformance",
        variant: c.variant.to_string(),
        config: c.config.to_string(),
        states: c.states,
        transitions: c.transitions,
        mismatches: c.mismatches,
        abstracted: c.abstracted,
        abstracted_by_kind: c
            .abstracted_by_kind
            .iter()
            .map(|(k, n)| (k.to_string(), *n))
            .collect(),
        conjuncts: c.conjuncts,
        conjunct_failures: c
            .conjunct_failures
            .iter()
            .map(|(k, n)| ((*k).to_owned(), *n))
            .collect(),
        property_mismatches: c.property_mismatches,
        seconds: c.seconds,
    }
}

fn print_json(report: &ProofReport, out: &Output) -> Result<(), CommandError> {
    for variant in &report.variants {
        for proof in &variant.properties {
            out.json(&ProofJson {
                kind: "verdict",
                checker: "smt",
                variant: proof.variant.to_string(),
                property: proof.property.to_string(),
                config: "any",
                solver: proof.solver.to_string(),
                obligations: proof.obligations,
                violations: proof.refuted,
                verdict: proof.verdict.word(),
                reason: proof.reason.clone(),
                seconds: proof.seconds,
            })?;
        }
        for call in &variant.calls {
            out.json(&CallJson {
                kind: "solver_call",
                variant: call.variant.to_string(),
                claim: call.claim.to_string(),
                file: call.file.display().to_string(),
                answer: call.answer.word(),
                seconds: call.seconds,
            })?;
        }
        for conformance in &variant.conformance {
            out.json(&conformance_json(conformance))?;
        }
    }
    Ok(())
}

/// What breaks the chain in `report`, if anything: a conformance check that found the models
/// apart, or a proof the step model contradicts.
fn broken_link(report: &ProofReport) -> Option<String> {
    for variant in &report.variants {
        if let Some(c) = variant.conformance.iter().find(|c| !c.linked()) {
            return Some(c.line());
        }
        let contradicted = variant.properties.iter().find(|p| {
            p.verdict == Verdict::Inconclusive
                && p.reason
                    .as_deref()
                    .is_some_and(|r| r.starts_with("contradiction"))
        });
        if let Some(p) = contradicted {
            return Some(format!(
                "{} {}: {}",
                p.variant,
                p.property,
                p.reason.as_deref().unwrap_or_default()
            ));
        }
    }
    None
}

/// Runs `planrace prove`.
pub fn prove_command(args: &ProveArgs, out: &Output) -> Result<(), CommandError> {
    let solver = match args.solver {
        SolverArg::Z3 => Solver::Z3,
        SolverArg::Cvc5 => Solver::Cvc5,
    };
    let mut options = ProveOptions::new(solver);
    if let Some(variant) = args.variant {
        options.variants = vec![variant];
    }
    options.conformance = vec![args.conformance];
    let report = prove(&options, |line| {
        let _ = writeln!(std::io::stderr(), "planrace: {line}");
    })?;
    if args.json {
        print_json(&report, out)?;
    } else {
        out.text(&report.to_string())?;
    }
    match broken_link(&report) {
        Some(what) => Err(CommandError::ProofBroken(what)),
        None => Ok(()),
    }
}
