//! Enacting the plans on a real DNS server (the `dns` feature): each endpoint's record is a
//! name in the zone `planrace.test.`, written with RFC 2136 UPDATE messages.
//!
//! - `ep<N>.planrace.test.` holds the active plan's addresses (A) and a generation marker,
//!   `TXT "gen=<g>"`; `rollback.ep<N>.planrace.test.` holds the rollback entry as its own TXT.
//! - A transaction is one UPDATE that replaces all three. A conditional write (the rules that
//!   compare generations) carries a prerequisite that the marker is still the one it read
//!   (RFC 2136 2.4.2, "RRset exists, value dependent"; 2.4.3 when there was none): the server
//!   applies the whole message or refuses it with NXRRSET, a compare-and-swap on the marker.
//! - A sweep that deletes a plan a record still points at deletes that record's addresses: the
//!   name then answers NOERROR with no address (NODATA), the incident's empty record.
//!
//! `zone`: [`DnsZone`], the client and the [`RecordServer`](crate::RecordServer) it is;
//! `bind`: [`Bind`], a throw-away BIND 9 `named` on loopback.

mod bind;
mod zone;

use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

use thiserror::Error;

pub use bind::Bind;
pub use zone::{Answer, DnsZone, ZONE_ORIGIN};

/// Why talking to the DNS server, or starting one, failed.
#[derive(Debug, Error)]
pub enum DnsError {
    /// A socket, file or process operation failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The server did not answer in time, after every try.
    #[error("no answer from {server} to {what} after {tries} tries of {per_try:?}")]
    Timeout {
        /// The server asked.
        server: SocketAddr,
        /// The request.
        what: String,
        /// How many times it was sent.
        tries: u32,
        /// How long each try waited.
        per_try: Duration,
    },
    /// A message could not be built or an answer could not be read.
    #[error("DNS message: {0}")]
    Message(String),
    /// The server answered with an error code the protocol does not expect.
    #[error("{server} answered {what} with {code}")]
    Refused {
        /// The server asked.
        server: SocketAddr,
        /// The request.
        what: String,
        /// The response code.
        code: String,
    },
    /// BIND's `named` is not installed.
    #[error("BIND 9's named was not found in PATH or /usr/sbin (Debian: apt-get install bind9)")]
    NamedNotFound,
    /// `named` stopped, or never answered, while starting.
    #[error("named did not start: {reason}; its log ends with:\n{log}")]
    NamedFailed {
        /// What was seen.
        reason: String,
        /// The end of named's own log.
        log: String,
    },
    /// A zone given on the command line is neither `bind` nor `dns://HOST:PORT`.
    #[error("zone {0:?}: expected `bind` or `dns://HOST:PORT` (e.g. dns://127.0.0.1:15353)")]
    BadZone(String),
}

/// Where the records are enacted: a throw-away `named`, or a server already running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DnsTarget {
    /// `bind`: start a `named` of our own on loopback for the run and remove it after.
    Bind,
    /// `dns://HOST:PORT`: a running server that accepts updates of `planrace.test.` from us.
    Server(SocketAddr),
}

impl FromStr for DnsTarget {
    type Err = DnsError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text == "bind" {
            return Ok(DnsTarget::Bind);
        }
        text.strip_prefix("dns://")
            .and_then(|address| address.parse().ok())
            .map(DnsTarget::Server)
            .ok_or_else(|| DnsError::BadZone(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_bad_ones_are_refused() {
        assert_eq!("bind".parse::<DnsTarget>().unwrap(), DnsTarget::Bind);
        assert_eq!(
            "dns://127.0.0.1:15353".parse::<DnsTarget>().unwrap(),
            DnsTarget::Server("127.0.0.1:15353".parse().unwrap())
        );
        for bad in [
            "",
            "BIND",
            "dns://",
            "dns://localhost",
            "127.0.0.1:53",
            "dns://1.2.3.4",
        ] {
            assert!(
                matches!(bad.parse::<DnsTarget>(), Err(DnsError::BadZone(_))),
                "{bad}"
            );
        }
    }
}
