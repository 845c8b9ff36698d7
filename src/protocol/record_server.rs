//! A server the zone's records are enacted on (real threads only): the zone keeps its
//! transaction locks and its in-process view of every record, and each write is also made on
//! the server, decided by what the server holds.
//!
//! The protocol speaks of generations and records only; `run::dns` implements this over RFC
//! 2136 UPDATE on a DNS server, where a conditional write is an UPDATE with a prerequisite on
//! the record's generation marker.

use std::fmt;
use std::sync::{Arc, Mutex};

use crate::protocol::plan::{EndpointId, Generation, Target};

/// A failure of the server (unreachable, timed out, refused for a reason other than a
/// prerequisite), in the server's own words.
pub type ServerError = Box<dyn std::error::Error + Send + Sync>;

/// What a write on the server did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerWrite {
    /// The server applied the whole write.
    Applied,
    /// The server refused the write because its condition no longer held: another writer
    /// changed the record's generation since it was read.
    ConditionFailed,
}

/// The records of a zone, held by a server.
pub trait RecordServer: Send + Sync + fmt::Debug {
    /// The generation `endpoint`'s record is active at on the server, `None` if it has none.
    ///
    /// # Errors
    /// When the server cannot be asked.
    fn active(&self, endpoint: EndpointId) -> Result<Option<Generation>, ServerError>;

    /// Points `endpoint` at `generation`, answering with `targets` (none when the plan was
    /// already deleted), with `rollback` as its rollback entry, in one write. `expected` makes
    /// it conditional: the write applies only if the record is still active at `expected`
    /// (`Some(None)`: still has no generation); `None` writes unconditionally.
    ///
    /// # Errors
    /// When the server cannot be asked or refuses for a reason other than the condition.
    fn install(
        &self,
        endpoint: EndpointId,
        generation: Generation,
        targets: &[Target],
        rollback: Option<Generation>,
        expected: Option<Option<Generation>>,
    ) -> Result<ServerWrite, ServerError>;

    /// Removes the addresses of `endpoint`'s record if it is still active at `deleted`: the
    /// clean-up sweep deleted that plan, so the name answers with nothing (the incident's empty
    /// record). The generation marker stays, pointing at the deleted plan.
    ///
    /// # Errors
    /// When the server cannot be asked or refuses for a reason other than the condition.
    fn clear(&self, endpoint: EndpointId, deleted: Generation) -> Result<ServerWrite, ServerError>;
}

/// The first failure a zone's server reported. The protocol's steps cannot fail, so a server
/// failure is kept here, the step goes on as the in-process records decide, and the run that
/// drove it reports the failure instead of a result.
#[derive(Debug, Default)]
pub(crate) struct FirstFailure(Mutex<Option<String>>);

impl FirstFailure {
    /// Keeps `error` unless an earlier failure was kept.
    pub(crate) fn keep(&self, what: &str, error: &ServerError) {
        let mut first = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        first.get_or_insert_with(|| format!("{what}: {error}"));
    }

    /// The failure kept, if any.
    pub(crate) fn get(&self) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

/// A server attached to a zone, with the first failure it reported.
#[derive(Debug)]
pub(crate) struct Attached {
    pub(crate) server: Arc<dyn RecordServer>,
    pub(crate) failure: FirstFailure,
}
