//! Why a check could not give verdicts, and the panics the drivers catch.

use std::fmt;

use thiserror::Error;

#[cfg(any(loom, planrace_docs))]
use crate::check::harness::LoomSettingError;
use crate::check::harness::model::Model;

/// Why an exploration or a sample ended without verdicts.
///
/// `Debug` prints what `Display` prints, so that an error returned from `main` (or shown by
/// `expect`) reads as a report, not as a struct with escaped newlines.
#[derive(Error)]
pub enum CheckError<E: std::error::Error + 'static> {
    /// A loom environment variable is set to a value loom would reject.
    #[cfg(any(loom, planrace_docs))]
    #[error(transparent)]
    Setting(#[from] LoomSettingError),
    /// The model's own lists contradict each other; refused before the first execution.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// An execution returned an error (a fault outside the protocol).
    #[error("execution {execution} failed: {source}")]
    Execution {
        /// Which execution (iteration, under shuttle), counting from 1.
        execution: u64,
        /// The error it returned.
        #[source]
        source: E,
    },
    /// The model reported, for one execution, properties that its `properties()` does not list
    /// or witnesses that its `witnesses()` does not list: no verdict line would carry them.
    /// The run stops at the first execution that shows them.
    #[error(
        "execution {execution} reported what the model does not list: {}",
        unlisted(properties, witnesses)
    )]
    Unlisted {
        /// Which execution (iteration, under shuttle), counting from 1.
        execution: u64,
        /// Every property `check` reported that `properties()` does not list, as they display.
        properties: Vec<String>,
        /// Every witness `witnessed` named that `witnesses()` does not list.
        witnesses: Vec<String>,
    },
    /// An execution panicked (a deadlock is not a panic: it is a result, see
    /// [`Exploration::deadlock`](crate::harness::Exploration::deadlock)).
    #[error("execution {execution} panicked: {message}\nwhat it had logged:\n{timeline}")]
    Panicked {
        /// Which execution (iteration, under shuttle), counting from 1.
        execution: u64,
        /// The panic's message.
        message: String,
        /// The execution's log up to the panic, as a timeline.
        timeline: String,
    },
}

impl<E: std::error::Error + 'static> fmt::Debug for CheckError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

fn unlisted(properties: &[String], witnesses: &[String]) -> String {
    let mut parts = Vec::new();
    if !properties.is_empty() {
        parts.push(format!(
            "properties {} (add them to properties())",
            properties.join(", ")
        ));
    }
    if !witnesses.is_empty() {
        parts.push(format!(
            "witnesses {} (add them to witnesses())",
            witnesses.join(", ")
        ));
    }
    parts.join("; ")
}

/// A model whose lists contradict each other, with every offender named.
#[derive(Debug, Clone, Default, PartialEq, Eq, Error)]
#[error("the model's lists contradict each other: {}", self.offences().join("; "))]
pub struct ModelError {
    /// Properties `properties()` lists more than once, as they display.
    pub repeated_properties: Vec<String>,
    /// Witnesses `witnesses()` lists more than once.
    pub repeated_witnesses: Vec<String>,
    /// Witnesses `required_witnesses()` names that `witnesses()` does not list.
    pub unknown_required_witnesses: Vec<String>,
}

impl ModelError {
    /// The contradictions in `model`'s lists, if there are any.
    pub fn of<M: Model>(model: &M) -> Option<Self> {
        let listed = model.witnesses();
        let error = Self {
            repeated_properties: repeated(model.properties().iter().map(ToString::to_string)),
            repeated_witnesses: repeated(listed.iter().map(ToString::to_string)),
            unknown_required_witnesses: model
                .required_witnesses()
                .into_iter()
                .filter(|name| !listed.contains(name))
                .map(ToOwned::to_owned)
                .collect(),
        };
        (error != Self::default()).then_some(error)
    }

    fn offences(&self) -> Vec<String> {
        let mut offences = Vec::new();
        if !self.repeated_properties.is_empty() {
            offences.push(format!(
                "properties() lists {} more than once",
                self.repeated_properties.join(", ")
            ));
        }
        if !self.repeated_witnesses.is_empty() {
            offences.push(format!(
                "witnesses() lists {} more than once",
                self.repeated_witnesses.join(", ")
            ));
        }
        if !self.unknown_required_witnesses.is_empty() {
            offences.push(format!(
                "required_witnesses() names {}, which witnesses() does not list",
                self.unknown_required_witnesses.join(", ")
            ));
        }
        offences
    }
}

/// The names that occur more than once in `names`, each once, in order of first repetition.
fn repeated(names: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = Vec::new();
    let mut repeated = Vec::new();
    for name in names {
        if seen.contains(&name) {
            if !repeated.contains(&name) {
                repeated.push(name);
            }
        } else {
            seen.push(name);
        }
    }
    repeated
}

/// The message of a panic payload.
#[cfg(any(loom, shuttle, planrace_docs, test))]
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

#[cfg(test)]
mod tests {
    use super::repeated;

    #[test]
    fn every_repeated_name_is_named_once() {
        let names = ["a", "b", "a", "c", "b", "a"].map(String::from);
        assert_eq!(repeated(names.into_iter()), vec!["a", "b"]);
    }
}
