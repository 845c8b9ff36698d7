//! The protocol on real threads (default build only): seeded faults, scripted replays, runs at
//! full speed with a report of what the zone went through, the record server a zone can be
//! mirrored on, and with the `dns` feature a real DNS server. The layout is described once, in
//! lib.rs.

#[cfg(feature = "dns")]
pub mod dns;
pub(crate) mod fault;
pub(crate) mod forced;
pub(crate) mod mirror;
pub(crate) mod replay;
pub(crate) mod runtime;
