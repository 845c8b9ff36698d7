//! A throw-away BIND 9 `named` on loopback: a fresh directory (on tmpfs when there is one), a
//! free high port, the zone `planrace.test.` open to updates from 127.0.0.1, a readiness poll,
//! and everything stopped and removed when the [`Bind`] is dropped.

use std::fs;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use crate::run::dns::DnsError;
use crate::run::dns::zone::{DnsZone, ZONE_ORIGIN};

/// How long `named` may take to answer its first query.
const READY_WITHIN: Duration = Duration::from_secs(15);
/// How often readiness is polled.
const POLL_EVERY: Duration = Duration::from_millis(50);
/// Ports tried when another process takes the free port first.
const PORT_TRIES: u32 = 3;
/// Lines of named's log quoted when it fails.
const LOG_TAIL: usize = 20;

/// A running `named` of our own; dropping it stops it and removes its directory.
#[derive(Debug)]
pub struct Bind {
    child: Child,
    directory: PathBuf,
    address: SocketAddr,
}

impl Bind {
    /// Starts `named` and waits until it answers for the zone.
    ///
    /// # Errors
    /// [`DnsError::NamedNotFound`] without BIND; [`DnsError::NamedFailed`] (with the end of
    /// its log) when it exits or does not answer within 15 s; [`DnsError::Io`] when its
    /// directory cannot be made.
    pub fn start() -> Result<Self, DnsError> {
        let named = find_named().ok_or(DnsError::NamedNotFound)?;
        let mut last = None;
        for _ in 0..PORT_TRIES {
            let directory = fresh_directory()?;
            let port = free_port()?;
            match Self::start_on(&named, directory.clone(), port) {
                Ok(bind) => return Ok(bind),
                Err(error) => {
                    // A named that started was stopped by its Bind's drop; files written
                    // before it started are removed here.
                    let _ = fs::remove_dir_all(&directory);
                    last = Some(error);
                }
            }
        }
        Err(last.unwrap_or(DnsError::NamedNotFound))
    }

    /// Where it listens.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    fn start_on(named: &Path, directory: PathBuf, port: u16) -> Result<Self, DnsError> {
        let io = |what: &str| {
            let what = what.to_owned();
            move |source| DnsError::Io { what, source }
        };
        let config = directory.join("named.conf");
        fs::write(&config, named_conf(&directory, port)).map_err(io("writing named.conf"))?;
        fs::write(directory.join("planrace.test.zone"), ZONE_FILE)
            .map_err(io("writing the zone file"))?;
        let log =
            fs::File::create(directory.join("named.log")).map_err(io("creating named.log"))?;
        let child = Command::new(named)
            .arg("-g")
            .arg("-c")
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(io("starting named"))?;
        let mut bind = Self {
            child,
            directory,
            address: (Ipv4Addr::LOCALHOST, port).into(),
        };
        bind.wait_until_ready()?;
        Ok(bind)
    }

    fn wait_until_ready(&mut self) -> Result<(), DnsError> {
        let started = Instant::now();
        let zone = DnsZone::unchecked(self.address)?;
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(self.failed(format!("named exited with {status}")));
            }
            if zone.serves_the_zone().is_ok() {
                return Ok(());
            }
            if started.elapsed() > READY_WITHIN {
                return Err(self.failed(format!("no answer within {READY_WITHIN:?}")));
            }
            thread::sleep(POLL_EVERY);
        }
    }

    fn failed(&self, reason: String) -> DnsError {
        let log = fs::read_to_string(self.directory.join("named.log")).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        let tail = lines[lines.len().saturating_sub(LOG_TAIL)..].join("\n");
        DnsError::NamedFailed { reason, log: tail }
    }
}

impl Drop for Bind {
    fn drop(&mut self) {
        // Best effort: a named that already exited, or a directory already gone, is fine.
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = fs::remove_dir_all(&self.directory);
    }
}

/// BIND's server, from PATH or where Debian installs it.
fn find_named() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin")])
        .map(|directory| directory.join("named"))
        .find(|candidate| candidate.is_file())
}

/// A new directory of our own: a leftover journal from an earlier run would stop the zone
/// from loading.
fn fresh_directory() -> Result<PathBuf, DnsError> {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    // Updates are written to the zone's journal: on tmpfs they are about 15 times as fast.
    let shm = Path::new("/dev/shm");
    let parent = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    loop {
        let number = NEXT.fetch_add(1, Ordering::Relaxed);
        let directory = parent.join(format!("planrace-named-{}-{number}", std::process::id()));
        match fs::create_dir(&directory) {
            Ok(()) => return Ok(directory),
            Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(source) => {
                return Err(DnsError::Io {
                    what: format!("creating {}", directory.display()),
                    source,
                });
            }
        }
    }
}

/// A port free for both UDP and TCP on loopback right now (named listens on both).
fn free_port() -> Result<u16, DnsError> {
    let io = |source| DnsError::Io {
        what: "finding a free port".to_owned(),
        source,
    };
    loop {
        let udp = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).map_err(io)?;
        let port = udp.local_addr().map_err(io)?.port();
        if TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok() {
            return Ok(port);
        }
    }
}

fn named_conf(directory: &Path, port: u16) -> String {
    let directory = directory.display();
    format!(
        r#"options {{
    directory "{directory}";
    pid-file "{directory}/named.pid";
    session-keyfile "{directory}/session.key";
    managed-keys-directory "{directory}";
    listen-on port {port} {{ 127.0.0.1; }};
    listen-on-v6 {{ none; }};
    recursion no;
    dnssec-validation no;
    notify no;
}};
controls {{ }};
zone "{zone}" {{
    type primary;
    file "{directory}/planrace.test.zone";
    allow-update {{ 127.0.0.1; }};
}};
"#,
        zone = ZONE_ORIGIN.trim_end_matches('.'),
    )
}

const ZONE_FILE: &str = "$ORIGIN planrace.test.
$TTL 60
@   IN SOA ns.planrace.test. hostmaster.planrace.test. 1 60 60 600 60
@   IN NS  ns.planrace.test.
ns  IN A   127.0.0.1
";
