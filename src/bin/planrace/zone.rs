//! `--zone`: where the records of `run` and `replay` live. In process by default; with the
//! dns feature, on a throw-away BIND 9 `named` or on a running DNS server.

#[cfg(feature = "dns")]
use std::sync::Arc;

#[cfg(feature = "dns")]
use planrace::dns::{Bind, DnsError, DnsTarget, DnsZone};
use thiserror::Error;

/// Why `--zone` cannot be used.
#[derive(Debug, Error)]
pub enum ZoneError {
    /// A server zone in a build without DNS.
    #[cfg(not(feature = "dns"))]
    #[error(
        "--zone {0} needs the dns feature: cargo run --release --features dns -- ... --zone {0}"
    )]
    NoDns(String),
    /// The server could not be started or reached.
    #[cfg(feature = "dns")]
    #[error(transparent)]
    Dns(#[from] DnsError),
}

/// The records on a DNS server, and the `named` started for them if `--zone bind` asked for
/// one: it is stopped and its directory removed when this is dropped, on every way out of the
/// command (done, error or signal).
#[cfg(feature = "dns")]
#[derive(Debug)]
pub struct ServerZone {
    /// The zone's client.
    pub zone: Arc<DnsZone>,
    _bind: Option<Bind>,
}

/// Without the dns feature there is no server zone.
#[cfg(not(feature = "dns"))]
#[derive(Debug)]
pub enum ServerZone {}

/// The server `--zone text` names, started or reached; `None` for `memory`.
///
/// # Errors
/// A malformed value, a server that does not start or answer, or no dns feature.
pub fn open(text: &str) -> Result<Option<ServerZone>, ZoneError> {
    if text == "memory" {
        return Ok(None);
    }
    #[cfg(feature = "dns")]
    {
        let (bind, address) = match text.parse::<DnsTarget>()? {
            DnsTarget::Bind => {
                let bind = Bind::start()?;
                let address = bind.address();
                (Some(bind), address)
            }
            DnsTarget::Server(address) => (None, address),
        };
        Ok(Some(ServerZone {
            zone: Arc::new(DnsZone::connect(address)?),
            _bind: bind,
        }))
    }
    #[cfg(not(feature = "dns"))]
    Err(ZoneError::NoDns(text.to_owned()))
}
