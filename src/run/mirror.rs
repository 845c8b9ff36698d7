//! A server the zone's records are enacted on (real threads): the zone keeps its transaction
//! locks and its in-process view of every record, and each write is also made on the server,
//! decided by what the server holds. It enters the protocol through the zone's
//! [`ZoneMirror`] hook.
//!
//! The protocol speaks of generations and records only; `run::dns` implements
//! [`RecordServer`] over RFC 2136 UPDATE on a DNS server, where a conditional write is an UPDATE
//! with a prerequisite on the record's generation marker.

use std::fmt;
use std::sync::{Arc, Mutex};

use crate::protocol::mirror::{Mirrored, ZoneMirror};
use crate::protocol::plan::{EndpointId, Generation, Target};
use crate::protocol::record::{Commit, Record};
use crate::protocol::rules::WriteRule;
use crate::protocol::store::PlanStore;
use crate::protocol::trace::Trace;
use crate::protocol::world::World;

/// How many times a conditional write on the server is tried again after another writer
/// changed the record under it, before the server is reported as failing.
const MAX_CONDITION_ATTEMPTS: u32 = 4;

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

/// The condition a write on the server is made under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteCondition {
    /// Write whatever the record holds (a rule that does not compare generations).
    Always,
    /// Write only if the record is still active at this generation (`None`: still has none).
    ActiveIs(Option<Generation>),
}

/// The records of a zone, held by a server.
pub trait RecordServer: Send + Sync + fmt::Debug {
    /// The generation `endpoint`'s record is active at on the server, `None` if it has none.
    ///
    /// # Errors
    /// When the server cannot be asked.
    fn active(&self, endpoint: EndpointId) -> Result<Option<Generation>, ServerError>;

    /// Points `endpoint` at `generation`, answering with `targets` (none when the plan was
    /// already deleted), with `rollback` as its rollback entry, in one write made under
    /// `condition`.
    ///
    /// # Errors
    /// When the server cannot be asked or refuses for a reason other than the condition.
    fn install(
        &self,
        endpoint: EndpointId,
        generation: Generation,
        targets: &[Target],
        rollback: Option<Generation>,
        condition: WriteCondition,
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
struct FirstFailure(Mutex<Option<String>>);

impl FirstFailure {
    /// Keeps `error` unless an earlier failure was kept.
    fn keep(&self, what: &str, error: &ServerError) {
        let mut first = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        first.get_or_insert_with(|| format!("{what}: {error}"));
    }

    /// The failure kept, if any.
    fn get(&self) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

/// A server attached to a zone as its mirror, with the first failure it reported.
#[derive(Debug)]
pub(crate) struct ServerMirror {
    server: Arc<dyn RecordServer>,
    failure: FirstFailure,
}

impl ServerMirror {
    pub(crate) fn new(server: Arc<dyn RecordServer>) -> Self {
        Self {
            server,
            failure: FirstFailure::default(),
        }
    }

    /// The first failure the server reported, if any: a run that saw one did not run on the
    /// server as it claims.
    pub(crate) fn failure(&self) -> Option<String> {
        self.failure.get()
    }
}

/// The world a real-thread run of `endpoints` endpoints acts on, logging to `trace`, its zone
/// mirrored on `server` when there is one; and that mirror, to ask for the server's first
/// failure once the run is over.
pub(crate) fn world_on(
    endpoints: usize,
    trace: Arc<Trace>,
    server: Option<Arc<dyn RecordServer>>,
) -> (Arc<World>, Option<Arc<ServerMirror>>) {
    let mirror = server.map(|server| Arc::new(ServerMirror::new(server)));
    let world = match &mirror {
        Some(mirror) => World::mirrored(endpoints, trace, mirror.clone()),
        None => World::new(endpoints, trace),
    };
    (Arc::new(world), mirror)
}

impl ZoneMirror for ServerMirror {
    /// Reads the record's generation on the server, decides with the zone's rule, and writes
    /// on the server, conditioned on the generation read when the rule compares generations;
    /// a write refused because another writer moved the record is decided again from a fresh
    /// read.
    fn commit<'s>(
        &self,
        endpoint: EndpointId,
        record: Record,
        generation: Generation,
        rule: WriteRule,
        store: &'s PlanStore,
    ) -> Option<Mirrored<'s>> {
        let failed = |what: &str, error| {
            self.failure.keep(&format!("{what} on {endpoint}"), &error);
        };
        for _ in 0..MAX_CONDITION_ATTEMPTS {
            let active = match self.server.active(endpoint) {
                Ok(active) => active,
                Err(error) => {
                    failed("reading the record", error);
                    return None;
                }
            };
            let basis = Record { active, ..record };
            if let Some(refused) = rule.refuses(basis, generation) {
                return Some(Mirrored {
                    commit: refused,
                    store: None,
                });
            }
            let store = store.lock();
            let commit = rule.decide(basis, generation, |g| store.contains(g));
            let Commit::Installed { rollback } = commit else {
                return Some(Mirrored {
                    commit,
                    store: Some(store),
                });
            };
            let targets = store
                .get(generation)
                .map(|plan| plan.targets(endpoint))
                .unwrap_or_default();
            let condition = if rule.compares_generations() {
                WriteCondition::ActiveIs(active)
            } else {
                WriteCondition::Always
            };
            match self
                .server
                .install(endpoint, generation, &targets, rollback, condition)
            {
                Ok(ServerWrite::Applied) => {
                    return Some(Mirrored {
                        commit,
                        store: Some(store),
                    });
                }
                Ok(ServerWrite::ConditionFailed) => {}
                Err(error) => {
                    failed("writing the record", error);
                    return None;
                }
            }
        }
        failed(
            "a conditional write",
            format!("the record changed under {MAX_CONDITION_ATTEMPTS} attempts in a row").into(),
        );
        None
    }

    /// Every record the server still has active at one of `deleted` loses its addresses there.
    fn swept(&self, endpoints: usize, deleted: &[Generation]) {
        for endpoint in (0..endpoints).map(EndpointId) {
            let cleared = self.server.active(endpoint).and_then(|active| {
                match active.filter(|a| deleted.contains(a)) {
                    Some(gone) => self.server.clear(endpoint, gone).map(Some),
                    None => Ok(None),
                }
            });
            if let Err(error) = cleared {
                self.failure
                    .keep(&format!("clearing {endpoint} after a sweep"), &error);
                return;
            }
        }
    }
}
