//! Why a check could not give verdicts.

use thiserror::Error;

#[cfg(loom)]
use crate::check::harness::LoomSettingError;

/// Why an exploration or a sample ended without verdicts.
#[derive(Debug, Error)]
pub enum CheckError<E: std::error::Error + 'static> {
    /// A loom environment variable is set to a value loom would reject.
    #[cfg(loom)]
    #[error(transparent)]
    Setting(#[from] LoomSettingError),
    /// An execution returned an error (a fault outside the protocol).
    #[error("an execution failed: {0}")]
    Execution(#[source] E),
    /// The model's `check` reported a property that its `properties()` does not list, so no
    /// verdict line would carry it.
    #[error("the model reported a violation of {property}, which is not among its properties()")]
    UnlistedProperty {
        /// The property, as it displays.
        property: String,
    },
    /// An execution panicked or deadlocked.
    #[error("execution {execution} panicked: {message}\nwhat it had logged:\n{timeline}")]
    Panicked {
        /// Which execution (iteration, under shuttle), counting from 1.
        execution: u64,
        /// The panic's message (for a deadlock, loom's list of blocked threads and where each
        /// blocked).
        message: String,
        /// The execution's log up to the panic, as a timeline.
        timeline: String,
    },
}

/// The message of a panic payload.
#[cfg(any(loom, shuttle))]
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}
