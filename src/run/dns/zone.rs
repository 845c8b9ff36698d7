//! The zone on a DNS server: queries and RFC 2136 UPDATE messages over UDP, built and read
//! with hickory-proto, every request bounded in tries and time.

use std::fmt;
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicU16, AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode, UpdateMessage};
use hickory_proto::rr::rdata::{A, TXT};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};

use crate::protocol::plan::{EndpointId, Generation, Target};
use crate::run::dns::DnsError;
use crate::run::mirror::{RecordServer, ServerError, ServerWrite, WriteCondition};

/// The zone every record lives in.
pub const ZONE_ORIGIN: &str = "planrace.test.";
/// TTL of the records written.
const TTL: u32 = 60;
/// A query is sent this many times before the server is declared unreachable.
const QUERY_TRIES: u32 = 5;
/// How long each query try waits for its answer.
const QUERY_WAIT: Duration = Duration::from_millis(500);
/// An UPDATE is sent once: sent again after a lost answer, a conditional one would be refused
/// by its own first copy. It waits this long for the answer.
const UPDATE_WAIT: Duration = Duration::from_secs(5);
/// Largest answer read (EDNS is not used, so 512 would do; leave room).
const MAX_ANSWER: usize = 4096;

/// What a query for an endpoint's addresses returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// NOERROR with the addresses, sorted.
    Addresses(Vec<Ipv4Addr>),
    /// NOERROR with no address: the name exists but has no A record (NODATA), the empty
    /// record.
    NoData,
    /// NXDOMAIN: nothing at all at the name.
    NxDomain,
}

impl fmt::Display for Answer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Answer::Addresses(addresses) => {
                let list: Vec<String> = addresses.iter().map(Ipv4Addr::to_string).collect();
                write!(f, "NOERROR A {}", list.join(" "))
            }
            Answer::NoData => f.write_str("NOERROR, no address (NODATA): the record is empty"),
            Answer::NxDomain => f.write_str("NXDOMAIN"),
        }
    }
}

/// The records of `planrace.test.` on a DNS server that accepts our updates.
#[derive(Debug)]
pub struct DnsZone {
    server: SocketAddr,
    origin: Name,
    next_id: AtomicU16,
    updates: AtomicU64,
    refused: AtomicU64,
}

impl DnsZone {
    /// The zone on `server`, after checking that the server answers for it (its SOA).
    ///
    /// # Errors
    /// When the server does not answer, or answers that it is not authoritative for the zone.
    pub fn connect(server: SocketAddr) -> Result<Self, DnsError> {
        let zone = Self::unchecked(server)?;
        zone.serves_the_zone()?;
        Ok(zone)
    }

    /// The zone on `server`, not yet asked anything.
    pub(crate) fn unchecked(server: SocketAddr) -> Result<Self, DnsError> {
        let origin = Name::from_ascii(ZONE_ORIGIN).map_err(|e| DnsError::Message(e.to_string()))?;
        // Request IDs only need to differ between requests in flight; start somewhere else
        // each time so that two processes on one server do not take each other's answers.
        let seed = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| since.subsec_nanos());
        Ok(Self {
            server,
            origin,
            next_id: AtomicU16::new(seed as u16 ^ std::process::id() as u16),
            updates: AtomicU64::new(0),
            refused: AtomicU64::new(0),
        })
    }

    /// The server's address.
    pub fn server(&self) -> SocketAddr {
        self.server
    }

    /// UPDATE messages the server applied, and those it refused because their prerequisite
    /// failed, so far.
    pub fn update_counts(&self) -> (u64, u64) {
        (
            self.updates.load(Ordering::Relaxed),
            self.refused.load(Ordering::Relaxed),
        )
    }

    /// The name of `endpoint`'s record.
    pub fn endpoint_name(&self, endpoint: EndpointId) -> Result<Name, DnsError> {
        self.name(&format!("ep{}", endpoint.0))
    }

    /// What a query for `endpoint`'s addresses returns now.
    ///
    /// # Errors
    /// When the server does not answer or answers with an error.
    pub fn answer(&self, endpoint: EndpointId) -> Result<Answer, DnsError> {
        let name = self.endpoint_name(endpoint)?;
        let response = self.query(&name, RecordType::A)?;
        match response.response_code() {
            ResponseCode::NXDomain => Ok(Answer::NxDomain),
            ResponseCode::NoError => {
                let mut addresses: Vec<Ipv4Addr> = response
                    .answers()
                    .iter()
                    .filter_map(|record| match record.data() {
                        RData::A(A(address)) => Some(*address),
                        _ => None,
                    })
                    .collect();
                addresses.sort();
                Ok(if addresses.is_empty() {
                    Answer::NoData
                } else {
                    Answer::Addresses(addresses)
                })
            }
            code => Err(self.refused_with(format!("A {name}"), code)),
        }
    }

    /// The generation marker of `endpoint`'s record: the generation it is active at.
    ///
    /// # Errors
    /// When the server does not answer, answers with an error, or holds a marker that is not
    /// one planrace writes.
    pub fn marker(&self, endpoint: EndpointId) -> Result<Option<Generation>, DnsError> {
        self.generation_at(&self.endpoint_name(endpoint)?)
    }

    /// The rollback entry of `endpoint`'s record.
    ///
    /// # Errors
    /// As [`DnsZone::marker`].
    pub fn rollback(&self, endpoint: EndpointId) -> Result<Option<Generation>, DnsError> {
        self.generation_at(&self.rollback_name(endpoint)?)
    }

    /// One UPDATE: `endpoint` answers with `targets`, its marker says `generation` and its
    /// rollback entry `rollback`. Under [`WriteCondition::ActiveIs`], the message carries the
    /// prerequisite that the marker still says that generation (or, for `None`, that there is
    /// none).
    ///
    /// # Errors
    /// When the server does not answer, or refuses for another reason than the prerequisite.
    pub fn write(
        &self,
        endpoint: EndpointId,
        generation: Generation,
        targets: &[Target],
        rollback: Option<Generation>,
        condition: WriteCondition,
    ) -> Result<ServerWrite, DnsError> {
        let name = self.endpoint_name(endpoint)?;
        let rollback_name = self.rollback_name(endpoint)?;
        let mut message = self.update_message();
        if let WriteCondition::ActiveIs(expected) = condition {
            message.add_pre_requisite(match expected {
                Some(active) => marker_record(&name, active, 0),
                None => absent(&name, RecordType::TXT),
            });
        }
        message.add_update(delete_set(&name, RecordType::A));
        for target in targets {
            message.add_update(Record::from_rdata(
                name.clone(),
                TTL,
                RData::A(A(target.load_balancer)),
            ));
        }
        message.add_update(delete_set(&name, RecordType::TXT));
        message.add_update(marker_record(&name, generation, TTL));
        message.add_update(delete_set(&rollback_name, RecordType::TXT));
        if let Some(rollback) = rollback {
            message.add_update(marker_record(&rollback_name, rollback, TTL));
        }
        self.update(message, &format!("UPDATE {name} to {generation}"))
    }

    /// One UPDATE: `endpoint` loses its addresses if its marker still says `deleted`.
    ///
    /// # Errors
    /// As [`DnsZone::write`].
    pub fn clear_addresses(
        &self,
        endpoint: EndpointId,
        deleted: Generation,
    ) -> Result<ServerWrite, DnsError> {
        let name = self.endpoint_name(endpoint)?;
        let mut message = self.update_message();
        message.add_pre_requisite(marker_record(&name, deleted, 0));
        message.add_update(delete_set(&name, RecordType::A));
        self.update(
            message,
            &format!("UPDATE {name}: delete the addresses of {deleted}"),
        )
    }

    /// Removes every record planrace keeps for endpoints `0..endpoints` (their names and their
    /// rollback names): a run starts from an empty zone. A few endpoints per UPDATE, so that
    /// each message stays within a plain UDP message's 512 bytes.
    ///
    /// # Errors
    /// As [`DnsZone::write`].
    pub fn reset(&self, endpoints: usize) -> Result<(), DnsError> {
        const PER_MESSAGE: usize = 8;
        for first in (0..endpoints).step_by(PER_MESSAGE) {
            let mut message = self.update_message();
            for endpoint in (first..endpoints.min(first + PER_MESSAGE)).map(EndpointId) {
                for name in [self.endpoint_name(endpoint)?, self.rollback_name(endpoint)?] {
                    message.add_update(delete_set(&name, RecordType::ANY));
                }
            }
            let what = format!("UPDATE: remove the records of endpoints from {first}");
            if self.update(message, &what)? == ServerWrite::ConditionFailed {
                return Err(DnsError::Message(format!(
                    "{what}: refused as if a prerequisite failed, but it has none"
                )));
            }
        }
        Ok(())
    }

    fn name(&self, label: &str) -> Result<Name, DnsError> {
        Name::from_ascii(label)
            .and_then(|name| name.append_domain(&self.origin))
            .map_err(|e| DnsError::Message(e.to_string()))
    }

    fn rollback_name(&self, endpoint: EndpointId) -> Result<Name, DnsError> {
        self.name(&format!("rollback.ep{}", endpoint.0))
    }

    pub(crate) fn serves_the_zone(&self) -> Result<(), DnsError> {
        let response = self.query(&self.origin, RecordType::SOA)?;
        if response.response_code() == ResponseCode::NoError && !response.answers().is_empty() {
            Ok(())
        } else {
            Err(self.refused_with(
                format!("SOA {ZONE_ORIGIN} (is the server authoritative for it?)"),
                response.response_code(),
            ))
        }
    }

    fn generation_at(&self, name: &Name) -> Result<Option<Generation>, DnsError> {
        let response = self.query(name, RecordType::TXT)?;
        match response.response_code() {
            ResponseCode::NXDomain => Ok(None),
            ResponseCode::NoError => {
                let mut markers =
                    response
                        .answers()
                        .iter()
                        .filter_map(|record| match record.data() {
                            RData::TXT(txt) => Some(txt.to_string()),
                            _ => None,
                        });
                let Some(marker) = markers.next() else {
                    return Ok(None);
                };
                marker
                    .strip_prefix("gen=")
                    .and_then(|number| number.parse().ok())
                    .filter(|_| markers.next().is_none())
                    .map(|number| Some(Generation(number)))
                    .ok_or_else(|| {
                        DnsError::Message(format!(
                            "{name} holds a marker planrace did not write: {marker:?}"
                        ))
                    })
            }
            code => Err(self.refused_with(format!("TXT {name}"), code)),
        }
    }

    fn update_message(&self) -> Message {
        let mut zone = Query::query(self.origin.clone(), RecordType::SOA);
        zone.set_query_class(DNSClass::IN);
        let mut message = Message::new();
        message
            .set_id(self.next_id())
            .set_message_type(MessageType::Query)
            .set_op_code(OpCode::Update)
            .set_recursion_desired(false);
        message.add_zone(zone);
        message
    }

    fn update(&self, message: Message, what: &str) -> Result<ServerWrite, DnsError> {
        let response = self.exchange(&message, what, 1, UPDATE_WAIT)?;
        match response.response_code() {
            ResponseCode::NoError => {
                self.updates.fetch_add(1, Ordering::Relaxed);
                Ok(ServerWrite::Applied)
            }
            ResponseCode::NXRRSet | ResponseCode::YXRRSet => {
                self.refused.fetch_add(1, Ordering::Relaxed);
                Ok(ServerWrite::ConditionFailed)
            }
            code => Err(self.refused_with(what.to_owned(), code)),
        }
    }

    fn query(&self, name: &Name, record_type: RecordType) -> Result<Message, DnsError> {
        let mut message = Message::new();
        message
            .set_id(self.next_id())
            .set_message_type(MessageType::Query)
            .set_op_code(OpCode::Query)
            .set_recursion_desired(false)
            .add_query(Query::query(name.clone(), record_type));
        self.exchange(
            &message,
            &format!("{record_type} {name}"),
            QUERY_TRIES,
            QUERY_WAIT,
        )
    }

    /// Sends `message` and waits for the answer with its ID, `tries` times at most.
    fn exchange(
        &self,
        message: &Message,
        what: &str,
        tries: u32,
        per_try: Duration,
    ) -> Result<Message, DnsError> {
        let io = |doing: &str| {
            let what = format!("{doing} ({what})");
            move |source| DnsError::Io { what, source }
        };
        let bytes = message
            .to_vec()
            .map_err(|e| DnsError::Message(e.to_string()))?;
        let local: SocketAddr = if self.server.is_ipv4() {
            (Ipv4Addr::LOCALHOST, 0).into()
        } else {
            (std::net::Ipv6Addr::LOCALHOST, 0).into()
        };
        let socket = UdpSocket::bind(local).map_err(io("binding a UDP socket"))?;
        socket
            .connect(self.server)
            .map_err(io("connecting to the server"))?;
        let mut buffer = [0u8; MAX_ANSWER];
        for _ in 0..tries {
            socket.send(&bytes).map_err(io("sending"))?;
            // Datagrams that are not the answer do not extend the wait.
            let deadline = Instant::now() + per_try;
            loop {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                socket
                    .set_read_timeout(Some(left))
                    .map_err(io("setting a timeout"))?;
                match socket.recv(&mut buffer) {
                    Ok(length) => {
                        let Ok(response) = Message::from_vec(&buffer[..length]) else {
                            continue;
                        };
                        if response.id() == message.id()
                            && response.message_type() == MessageType::Response
                        {
                            return Ok(response);
                        }
                    }
                    Err(error)
                        if matches!(
                            error.kind(),
                            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                        ) =>
                    {
                        break;
                    }
                    Err(error) => return Err(io("receiving")(error)),
                }
            }
        }
        Err(DnsError::Timeout {
            server: self.server,
            what: what.to_owned(),
            tries,
            per_try,
        })
    }

    fn next_id(&self) -> u16 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    fn refused_with(&self, what: String, code: ResponseCode) -> DnsError {
        DnsError::Refused {
            server: self.server,
            what,
            code: code.to_string(),
        }
    }
}

impl RecordServer for DnsZone {
    fn active(&self, endpoint: EndpointId) -> Result<Option<Generation>, ServerError> {
        Ok(self.marker(endpoint)?)
    }

    fn install(
        &self,
        endpoint: EndpointId,
        generation: Generation,
        targets: &[Target],
        rollback: Option<Generation>,
        condition: WriteCondition,
    ) -> Result<ServerWrite, ServerError> {
        Ok(self.write(endpoint, generation, targets, rollback, condition)?)
    }

    fn clear(&self, endpoint: EndpointId, deleted: Generation) -> Result<ServerWrite, ServerError> {
        Ok(self.clear_addresses(endpoint, deleted)?)
    }
}

/// The marker TXT record `gen=<generation>` at `name`.
fn marker_record(name: &Name, generation: Generation, ttl: u32) -> Record {
    Record::from_rdata(
        name.clone(),
        ttl,
        RData::TXT(TXT::new(vec![format!("gen={}", generation.0)])),
    )
}

/// "Delete an RRset" (RFC 2136 2.5.2): class ANY, no data.
fn delete_set(name: &Name, record_type: RecordType) -> Record {
    let mut record = Record::update0(name.clone(), 0, record_type);
    record.set_dns_class(DNSClass::ANY);
    record
}

/// "RRset does not exist" (RFC 2136 2.4.3): class NONE, no data.
fn absent(name: &Name, record_type: RecordType) -> Record {
    let mut record = Record::update0(name.clone(), 0, record_type);
    record.set_dns_class(DNSClass::NONE);
    record
}
