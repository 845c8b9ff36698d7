//! The hook through which a zone's commits and a sweep's deletions are also made somewhere else:
//! like [`Schedule`](crate::protocol::schedule::Schedule), the protocol calls it at its steps and
//! knows nothing of what stands behind it. On real threads, `run/mirror.rs` attaches a record
//! server (a real DNS server, with the `dns` feature); under loom and shuttle no zone has one.

use std::fmt;

use crate::protocol::plan::{EndpointId, Generation};
use crate::protocol::record::{Commit, Record};
use crate::protocol::rules::WriteRule;
use crate::protocol::store::{PlanStore, StoreGuard};

/// A commit a mirror decided and made, with the store's lock it decided under.
#[derive(Debug)]
pub struct Mirrored<'s> {
    /// What the commit did.
    pub commit: Commit,
    /// The store's lock, held from the decision until the zone's own record has followed it
    /// and the step is logged; `None` when the decision needed no store (a conditional write
    /// refused on the record alone).
    pub store: Option<StoreGuard<'s>>,
}

/// Where a zone's records are also kept.
pub trait ZoneMirror: Send + Sync + fmt::Debug {
    /// Decides the commit of `generation` under `rule` on `endpoint` (whose record in the zone
    /// is `record`) from what the mirror holds, and makes it there; the zone's record then
    /// follows. `None` when the mirror failed (it keeps the failure for the run to report): the
    /// zone then decides the commit itself.
    fn commit<'s>(
        &self,
        endpoint: EndpointId,
        record: Record,
        generation: Generation,
        rule: WriteRule,
        store: &'s PlanStore,
    ) -> Option<Mirrored<'s>>;

    /// A sweep deleted `deleted`, plans some of the zone's `endpoints` records still point at:
    /// the mirror empties what it holds of them. Called under the store's lock, so that the
    /// mirror sees deletions and commits in the order they took effect.
    fn swept(&self, endpoints: usize, deleted: &[Generation]);
}
