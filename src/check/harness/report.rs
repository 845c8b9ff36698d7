//! What an exploration found, and its `planrace-verdict` lines.

use std::ops::Range;

use crate::check::harness::deadlock::Deadlock;
use crate::check::harness::model::{Model, Violation};
use crate::check::harness::verdict_line::{Verdict, VerdictLine};

/// The property every model has: some thread can always move. Only a run that stopped at a
/// deadlock prints its verdict line ([`Exploration::deadlock_line`]).
pub const NO_DEADLOCK: &str = "no_deadlock";

/// A preemption bound as verdict lines and docs/verdicts.md print it: the number, or `none`
/// when every interleaving was explored.
pub fn bound_label(bound: Option<usize>) -> String {
    bound.map_or_else(|| "none".to_owned(), |b| b.to_string())
}

/// What a run covered, which decides the checker named on its verdict lines and the strongest
/// word they may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Coverage {
    /// loom: every interleaving within `bound` preemptions (`None`: every interleaving). No
    /// violation means `holds`, unless the run was cut short (`inconclusive`) or missed a
    /// witness (`vacuous`).
    Exhaustive {
        /// The preemption bound.
        bound: Option<usize>,
        /// loom's other limits in force (`max_permutations`, `max_duration_s`, `max_branches`),
        /// as `name=value` pairs; empty with loom's defaults.
        limits: Vec<(String, String)>,
        /// Why the exploration may have stopped before exploring everything, if it may have.
        cut: Option<String>,
    },
    /// shuttle: the interleavings a scheduler drew, one seed after another. No violation means
    /// only `not-found`: a sample cannot show that none exists.
    Sampled {
        /// The scheduler's name as verdict lines print it (`random`, `pct`).
        scheduler: &'static str,
        /// PCT's depth (the number of priority change points plus one); `None` for `random`.
        depth: Option<usize>,
        /// The seeds the scheduler ran with, each for a block of iterations.
        seeds: Range<u64>,
    },
}

impl Coverage {
    /// The checker that gives this coverage: `loom` or `shuttle`.
    pub fn checker(&self) -> &'static str {
        match self {
            Coverage::Exhaustive { .. } => "loom",
            Coverage::Sampled { .. } => "shuttle",
        }
    }

    /// What its runs are called on verdict lines: `executions` or `iterations`.
    pub fn counted(&self) -> &'static str {
        match self {
            Coverage::Exhaustive { .. } => "executions",
            Coverage::Sampled { .. } => "iterations",
        }
    }

    /// The preemption bound, `none` for a sample (shuttle's schedulers preempt anywhere).
    pub fn bound_label(&self) -> String {
        match self {
            Coverage::Exhaustive { bound, .. } => bound_label(*bound),
            Coverage::Sampled { .. } => "none".to_owned(),
        }
    }

    /// The settings printed between the bound and the count.
    pub fn settings(&self) -> Vec<(String, String)> {
        match self {
            Coverage::Exhaustive { limits, .. } => limits.clone(),
            Coverage::Sampled {
                scheduler,
                depth,
                seeds,
            } => {
                let mut settings = vec![("scheduler".to_owned(), (*scheduler).to_owned())];
                if let Some(depth) = depth {
                    settings.push(("depth".to_owned(), depth.to_string()));
                }
                settings.push((
                    "seeds".to_owned(),
                    format!("{}..{}", seeds.start, seeds.end),
                ));
                settings
            }
        }
    }

    /// Why the run may have stopped early, if it may have.
    pub fn cut(&self) -> Option<&str> {
        match self {
            Coverage::Exhaustive { cut, .. } => cut.as_deref(),
            Coverage::Sampled { .. } => None,
        }
    }
}

/// An execution in which a property failed.
#[derive(Debug, Clone)]
pub struct Counterexample<M: Model> {
    /// Which execution it was, counting from 1 in the checker's order (loom's exploration
    /// order, or shuttle's iterations across the seeds).
    pub execution: u64,
    /// The execution's full log.
    pub steps: Vec<M::Step>,
    /// Where the property failed.
    pub violation: Violation<M::Property>,
    /// Every property the execution broke, this one included: its timeline marks them all.
    pub violations: Vec<Violation<M::Property>>,
    /// Under shuttle, the schedule string that replays this execution (`harness::replay`).
    pub schedule: Option<String>,
    pub(crate) timeline: String,
}

impl<M: Model> Counterexample<M> {
    /// The execution as a timeline, the failing step marked.
    pub fn timeline(&self) -> &str {
        &self.timeline
    }
}

/// What the exploration found for one property.
#[derive(Debug, Clone)]
pub struct PropertyOutcome<M: Model> {
    /// The property.
    pub property: M::Property,
    /// Executions in which it failed.
    pub violations: u64,
    /// The first of them in the checker's order.
    pub first: Option<Counterexample<M>>,
    /// The one with the fewest steps (the earliest among equals).
    pub shortest: Option<Counterexample<M>>,
}

impl<M: Model> PropertyOutcome<M> {
    /// True when some execution violated the property. False says only that none was found:
    /// [`Exploration::verdict`] says what that is worth (`holds`, `vacuous`,
    /// `inconclusive` or `not-found`).
    pub fn violated(&self) -> bool {
        self.violations > 0
    }
}

/// The result of exploring one model.
#[derive(Debug, Clone)]
pub struct Exploration<M: Model> {
    /// The model explored.
    pub model: M,
    /// What the run covered: every interleaving within a bound (loom), or a sample (shuttle).
    pub coverage: Coverage,
    /// Complete executions explored (iterations, for a sample).
    pub executions: u64,
    /// Wall-clock time of the exploration.
    pub seconds: f64,
    /// One outcome per property, in [`Model::properties`] order.
    pub outcomes: Vec<PropertyOutcome<M>>,
    /// For each of [`Model::witnesses`], the executions that reached it.
    pub witnessed: Vec<(&'static str, u64)>,
    /// The witnesses a "holds" needs ([`Model::required_witnesses`]).
    pub required_witnesses: Vec<&'static str>,
    /// Executions whose log the model's [`Model::validate`] accepted.
    pub validated: u64,
    /// Executions whose log it rejected.
    pub rejected: u64,
    /// The first rejected execution's number and the reason.
    pub first_rejection: Option<(u64, String)>,
    /// The part of [`Exploration::seconds`] spent validating logs.
    pub validation_seconds: f64,
    /// The deadlock the run stopped at, if it stopped at one: a violation of `no_deadlock`, a
    /// property every model has (the run could not go on, so the properties it had not seen
    /// violated are `inconclusive`).
    pub deadlock: Option<Deadlock>,
}

impl<M: Model> Exploration<M> {
    /// The outcome for `property`.
    pub fn outcome(&self, property: M::Property) -> Option<&PropertyOutcome<M>> {
        self.outcomes.iter().find(|o| o.property == property)
    }

    /// How many executions reached the witness called `name` (`None` for an unknown name).
    pub fn witness_count(&self, name: &str) -> Option<u64> {
        self.witnessed
            .iter()
            .find(|(witness, _)| *witness == name)
            .map(|(_, count)| *count)
    }

    /// The required witnesses that no execution reached.
    pub fn unreached_witnesses(&self) -> Vec<&'static str> {
        self.required_witnesses
            .iter()
            .copied()
            .filter(|name| self.witness_count(name).unwrap_or(0) == 0)
            .collect()
    }

    /// The verdict for `outcome`, never stronger than the run: `violated` when an execution
    /// broke the property; otherwise `inconclusive` when the run may have been cut short (a
    /// loom limit, a stop at the first violation, a deadlock),
    /// `vacuous` when a required witness was never reached, and else `holds` for an
    /// exploration of every interleaving, `bounded` for one within a preemption bound, or
    /// `not-found` for a sample.
    pub fn verdict(&self, outcome: &PropertyOutcome<M>) -> Verdict {
        if outcome.violated() {
            Verdict::Violated
        } else if self.coverage.cut().is_some() || self.deadlock.is_some() {
            Verdict::Inconclusive
        } else if !self.unreached_witnesses().is_empty() {
            Verdict::Vacuous
        } else {
            match self.coverage {
                Coverage::Exhaustive { bound: None, .. } => Verdict::Holds,
                Coverage::Exhaustive { bound: Some(_), .. } => Verdict::Bounded,
                Coverage::Sampled { .. } => Verdict::NotFound,
            }
        }
    }

    /// The `no_deadlock` verdict line of a run that stopped at a deadlock: `violated`, one
    /// execution of those run.
    pub fn deadlock_line(&self) -> Option<VerdictLine> {
        self.deadlock
            .as_ref()
            .map(|_| self.line(NO_DEADLOCK.to_owned(), 1, Verdict::Violated, Vec::new()))
    }

    /// The `planrace-verdict` line of one outcome, followed by the witness counts.
    pub fn verdict_line(&self, outcome: &PropertyOutcome<M>) -> VerdictLine {
        let mut extra: Vec<(String, u64)> = self
            .witnessed
            .iter()
            .map(|(witness, count)| ((*witness).to_owned(), *count))
            .collect();
        if let (Coverage::Sampled { .. }, Some(first)) = (&self.coverage, &outcome.first) {
            extra.push(("first_violation".to_owned(), first.execution));
        }
        self.line(
            outcome.property.to_string(),
            outcome.violations,
            self.verdict(outcome),
            extra,
        )
    }

    /// A verdict line of this run: its checker, model, coverage, count and seconds, with the
    /// property's own fields.
    fn line(
        &self,
        property: String,
        violations: u64,
        verdict: Verdict,
        extra: Vec<(String, u64)>,
    ) -> VerdictLine {
        VerdictLine {
            checker: self.coverage.checker().to_owned(),
            variant: self.model.variant(),
            property,
            config: self.model.config(),
            bound: self.coverage.bound_label(),
            settings: self.coverage.settings(),
            counted: self.coverage.counted().to_owned(),
            count: self.executions,
            violations,
            verdict,
            seconds: self.seconds,
            extra,
        }
    }

    /// How many execution logs the model validated, and what it cost: `planrace-validation
    /// checker=<loom|shuttle> variant=<Name> config=<c> <executions|iterations>=N validated=N
    /// rejected=N seconds=<s> share=<part of the run's time>`.
    pub fn validation_line(&self) -> String {
        format!(
            "planrace-validation checker={} variant={} config={} {}={} validated={} rejected={} seconds={:.3} share={:.3}",
            self.coverage.checker(),
            self.model.variant(),
            self.model.config(),
            self.coverage.counted(),
            self.executions,
            self.validated,
            self.rejected,
            self.validation_seconds,
            self.validation_seconds / self.seconds.max(f64::MIN_POSITIVE)
        )
    }

    /// Every verdict line, each violated one followed by its first counterexample's timeline
    /// and, when it is a different execution, the shortest one's. An execution that broke
    /// several properties is shown once, its timeline marking each of them; a run that may
    /// have been cut short, or missed a witness, says so.
    pub fn report(&self) -> String {
        let mut report = String::new();
        if self.validated + self.rejected > 0 {
            report.push_str(&self.validation_line());
            report.push('\n');
        }
        if let Some((execution, reason)) = &self.first_rejection {
            report.push_str(&format!(
                "execution {execution} of {} {} rejected by the step model: {reason}\n",
                self.model.variant(),
                self.model.config()
            ));
        }
        report.push_str(&self.headers());
        if let (Some(line), Some(deadlock)) = (self.deadlock_line(), &self.deadlock) {
            report.push_str(&format!("{line}\n{deadlock}\n"));
        }
        let mut shown: Vec<(u64, M::Property)> = Vec::new();
        for outcome in &self.outcomes {
            report.push_str(&self.verdict_line(outcome).to_string());
            report.push('\n');
            let examples = [("first", &outcome.first), ("shortest", &outcome.shortest)];
            for (which, example) in examples {
                let Some(example) = example else { continue };
                if let Some((_, property)) = shown.iter().find(|(e, _)| *e == example.execution) {
                    report.push_str(&format!(
                        "({which} counterexample: execution {}, shown above with {property})\n\n",
                        example.execution
                    ));
                    continue;
                }
                report.push_str(&self.describe(which, outcome.property, example));
                shown.push((example.execution, outcome.property));
            }
        }
        report
    }

    /// What each verdict word the report uses, other than `violated`, `holds` and `not-found`,
    /// means for this run: one line per word, above the verdict lines.
    fn headers(&self) -> String {
        let verdicts: Vec<Verdict> = self.outcomes.iter().map(|o| self.verdict(o)).collect();
        let (variant, config) = (self.model.variant(), self.model.config());
        let mut headers = String::new();
        if let (Some(cut), true) = (
            self.coverage.cut(),
            verdicts.contains(&Verdict::Inconclusive),
        ) {
            headers.push_str(&format!(
                "{variant} {config}: inconclusive, the exploration may have stopped early: {cut}\n"
            ));
        }
        if verdicts.contains(&Verdict::Vacuous) {
            headers.push_str(&format!(
                "{variant} {config}: no execution reached {}, so finding no violation proves little (vacuous)\n",
                self.unreached_witnesses().join(", ")
            ));
        }
        if let (
            Coverage::Exhaustive {
                bound: Some(bound), ..
            },
            true,
        ) = (&self.coverage, verdicts.contains(&Verdict::Bounded))
        {
            headers.push_str(&format!(
                "{variant} {config}: bounded, no interleaving with at most {bound} preemptions \
                 violates it; interleavings with more were not explored (bound=none explores them \
                 all)\n"
            ));
        }
        headers
    }

    /// A counterexample, headed by what it is: `which` (first or shortest), the property, the
    /// execution's number and length.
    pub fn describe(
        &self,
        which: &str,
        property: M::Property,
        example: &Counterexample<M>,
    ) -> String {
        let schedule = example
            .schedule
            .as_ref()
            .map(|schedule| format!("shuttle schedule (replays it): {schedule}\n"))
            .unwrap_or_default();
        format!(
            "{which} counterexample for {} {property} {} ({} {} of {}, {} steps):\n{}\n{schedule}",
            self.model.variant(),
            self.model.config(),
            match self.coverage {
                Coverage::Exhaustive { .. } => "execution",
                Coverage::Sampled { .. } => "iteration",
            },
            example.execution,
            self.executions,
            example.steps.len(),
            example.timeline()
        )
    }
}
