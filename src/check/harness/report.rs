//! What an exploration found, and its `planrace-verdict` lines.

use crate::check::harness::model::{Model, Violation};
use crate::check::harness::verdict_line::VerdictLine;

/// A preemption bound as verdict lines and docs/verdicts.md print it: the number, or `none`
/// when every interleaving was explored.
pub fn bound_label(bound: Option<usize>) -> String {
    bound.map_or_else(|| "none".to_owned(), |b| b.to_string())
}

/// An execution in which a property failed.
#[derive(Debug, Clone)]
pub struct Counterexample<M: Model> {
    /// Which execution it was, counting from 1 in loom's exploration order.
    pub execution: u64,
    /// The execution's full log.
    pub steps: Vec<M::Step>,
    /// Where the property failed.
    pub violation: Violation<M::Property>,
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
    /// The first of them in loom's order.
    pub first: Option<Counterexample<M>>,
    /// The one with the fewest steps (the earliest among equals).
    pub shortest: Option<Counterexample<M>>,
}

impl<M: Model> PropertyOutcome<M> {
    /// True when no explored execution violated the property.
    pub fn holds(&self) -> bool {
        self.violations == 0
    }

    /// The verdict as verdict lines print it: `holds` or `violated`.
    pub fn verdict(&self) -> &'static str {
        if self.holds() { "holds" } else { "violated" }
    }
}

/// The result of exploring one model.
#[derive(Debug, Clone)]
pub struct Exploration<M: Model> {
    /// The model explored.
    pub model: M,
    /// The preemption bound; `None` means every interleaving was explored.
    pub bound: Option<usize>,
    /// Complete executions explored.
    pub executions: u64,
    /// Wall-clock time of the exploration.
    pub seconds: f64,
    /// One outcome per property, in [`Model::properties`] order.
    pub outcomes: Vec<PropertyOutcome<M>>,
    /// For each of [`Model::witnesses`], the executions that reached it.
    pub witnessed: Vec<(&'static str, u64)>,
    /// Executions whose log the model's [`Model::validate`] accepted.
    pub validated: u64,
    /// Executions whose log it rejected.
    pub rejected: u64,
    /// The first rejected execution's number and the reason.
    pub first_rejection: Option<(u64, String)>,
    /// The part of [`Exploration::seconds`] spent validating logs.
    pub validation_seconds: f64,
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

    /// The verdict of one outcome, as a `planrace-verdict` line with the witness counts.
    pub fn verdict(&self, outcome: &PropertyOutcome<M>) -> VerdictLine {
        VerdictLine {
            checker: "loom".to_owned(),
            variant: self.model.variant(),
            property: outcome.property.to_string(),
            config: self.model.config(),
            bound: bound_label(self.bound),
            counted: "executions".to_owned(),
            count: self.executions,
            violations: outcome.violations,
            verdict: outcome.verdict().to_owned(),
            seconds: self.seconds,
            extra: self
                .witnessed
                .iter()
                .map(|(witness, count)| ((*witness).to_owned(), *count))
                .collect(),
        }
    }

    /// How many execution logs the model validated, and what it cost: `planrace-validation
    /// checker=loom variant=<Name> config=<c> executions=N validated=N rejected=N seconds=<s>
    /// share=<part of the exploration's time>`.
    pub fn validation_line(&self) -> String {
        format!(
            "planrace-validation checker=loom variant={} config={} executions={} validated={} rejected={} seconds={:.3} share={:.3}",
            self.model.variant(),
            self.model.config(),
            self.executions,
            self.validated,
            self.rejected,
            self.validation_seconds,
            self.validation_seconds / self.seconds.max(f64::MIN_POSITIVE)
        )
    }

    /// The `planrace-verdict` line for one outcome, followed by the witness counts.
    pub fn verdict_line(&self, outcome: &PropertyOutcome<M>) -> String {
        self.verdict(outcome).to_string()
    }

    /// Every verdict line, each violated one followed by its first counterexample's timeline
    /// and, when it is a different execution, the shortest one's.
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
        for outcome in &self.outcomes {
            report.push_str(&self.verdict_line(outcome));
            report.push('\n');
            if let Some(first) = &outcome.first {
                report.push_str(&self.describe("first", outcome.property, first));
            }
            match (&outcome.first, &outcome.shortest) {
                (Some(first), Some(shortest)) if shortest.execution != first.execution => {
                    report.push_str(&self.describe("shortest", outcome.property, shortest));
                }
                (Some(_), Some(_)) => {
                    report.push_str("(the first counterexample is also the shortest)\n\n")
                }
                _ => {}
            }
        }
        report
    }

    /// A counterexample, headed by what it is: `which` (first or shortest), the property, the
    /// execution's number and length.
    pub fn describe(
        &self,
        which: &str,
        property: M::Property,
        example: &Counterexample<M>,
    ) -> String {
        format!(
            "{which} counterexample for {} {property} {} (execution {} of {}, {} steps):\n{}\n",
            self.model.variant(),
            self.model.config(),
            example.execution,
            self.executions,
            example.steps.len(),
            example.timeline()
        )
    }
}
