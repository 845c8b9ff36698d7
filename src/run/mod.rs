//! The protocol on real threads (default build only): seeded faults (`fault`), a schedule that
//! forces a scripted interleaving (`scripted`), the incident and any script replayed
//! (`replay`), and runs at full speed with a report of what the zone went through (`runtime`);
//! with the `dns` feature, the records enacted on a real DNS server (`dns`).

#[cfg(feature = "dns")]
pub mod dns;
pub(crate) mod fault;
pub(crate) mod mirror;
pub(crate) mod replay;
pub(crate) mod runtime;
pub(crate) mod scripted;
