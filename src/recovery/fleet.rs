//! The fleet after the race: droplets whose leases the lease manager keeps, the store they need
//! gone for a while, and what the manager's queue does once it is back. A discrete-event
//! simulation in virtual time (microseconds), seeded, on one thread.
//!
//! - Every droplet is checked once per `check_interval` (a scan in droplet order, as the lease
//!   manager walks its fleet); a droplet with no call in flight then calls to renew its lease.
//! - The manager has `workers` workers and one FIFO queue. A lease's work takes
//!   `base_work x (1 + queued / congestion)`, times a uniform factor in [0.5, 1.5): the longer
//!   the queue, the slower each lease (contention on the store and on the manager's own state).
//! - A call times out `timeout` after it was queued. A timed-out call is the client's to
//!   handle by its [`ClientPolicy`]; work already started goes on and its result is discarded
//!   (wasted work).
//! - From `outage_start` for `outage`, the store is unreachable: every lease's work fails when
//!   it ends, and leases lapse `lease_ttl` after their last renewal.
//! - Optional server-side policies: admission refused while the queue holds `throttle_queue`
//!   calls (the remediation), and a restart that empties the queue once the fleet has been
//!   collapsed for `restart.after` (the operators' action). A refused call is not retried by
//!   the client; the droplet calls again at its next check.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use crate::recovery::policy::{Bucket, ClientPolicy};
use crate::recovery::rng::Rng;

/// Virtual time in microseconds.
type Micros = u64;

const MICROS: f64 = 1e6;

fn micros(seconds: f64) -> Micros {
    (seconds * MICROS).round().max(0.0) as Micros
}

fn seconds(time: Micros) -> f64 {
    time as f64 / MICROS
}

/// A goodput below this fraction of what the fleet needs is a collapse.
pub const COLLAPSED_BELOW: f64 = 0.2;

/// The operators' restart: once the fleet has been collapsed for `after` seconds, the manager
/// restarts, dropping its queue and the work in progress, and takes `down` seconds to come back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Restart {
    /// Seconds of collapse before a restart.
    pub after: f64,
    /// Seconds the manager takes to come back.
    pub down: f64,
}

/// One simulated fleet.
#[derive(Debug, Clone, PartialEq)]
pub struct FleetConfig {
    /// Droplets, each with a lease.
    pub hosts: usize,
    /// Seconds a lease stays valid after its renewal.
    pub lease_ttl: f64,
    /// Seconds between two checks of one droplet.
    pub check_interval: f64,
    /// Leases the manager works on at once.
    pub workers: usize,
    /// Seconds one lease's work takes with an empty queue.
    pub base_work: f64,
    /// Queued calls that add one `base_work` to every lease's work.
    pub congestion: usize,
    /// Seconds after which a queued call times out.
    pub timeout: f64,
    /// When the store becomes unreachable (seconds).
    pub outage_start: f64,
    /// How long it stays unreachable (seconds): the trigger.
    pub outage: f64,
    /// Seconds simulated.
    pub horizon: f64,
    /// Width of one bucket of the goodput and queue series (seconds).
    pub bucket: f64,
    /// What clients do after a timeout or a failure.
    pub policy: ClientPolicy,
    /// Admission refused while the queue holds this many calls.
    pub throttle_queue: Option<usize>,
    /// The operators' restart.
    pub restart: Option<Restart>,
    /// Seed of the work-time and jitter draws.
    pub seed: u64,
}

impl FleetConfig {
    /// The incident's shape at `hosts` droplets: leases of 15 minutes checked every 5, 64
    /// workers at 20 ms a lease (3,200 leases/s with an empty queue; a fleet of 100,000 needs
    /// 333/s), calls timing out after 60 s, the store gone for 2 h 36 min (23:48 to 02:24)
    /// starting an hour in, 12 hours in all, the incident's client policy, no server-side
    /// remedy.
    pub fn incident(hosts: usize) -> Self {
        Self {
            hosts,
            lease_ttl: 900.0,
            check_interval: 300.0,
            workers: 64,
            base_work: 0.02,
            congestion: 1_000,
            timeout: 60.0,
            outage_start: 3_600.0,
            outage: 9_360.0,
            horizon: 12.0 * 3_600.0,
            bucket: 60.0,
            policy: ClientPolicy::incident(),
            throttle_queue: None,
            restart: None,
            seed: 0,
        }
    }

    /// Leases per second the manager completes with an empty queue.
    pub fn capacity_per_s(&self) -> f64 {
        self.workers as f64 / self.base_work
    }

    /// Renewals per second a healthy fleet asks for.
    pub fn demand_per_s(&self) -> f64 {
        self.hosts as f64 / self.check_interval
    }

    /// When the trigger ends (seconds).
    pub fn trigger_end(&self) -> f64 {
        self.outage_start + self.outage
    }
}

/// What one run did.
#[derive(Debug, Clone, PartialEq)]
pub struct RecoveryReport {
    /// The run's configuration.
    pub config: FleetConfig,
    /// Seconds from the trigger's end until every droplet held a valid lease at once; `None`
    /// if that never happened within the horizon.
    pub recovery_s: Option<f64>,
    /// Calls made (first calls and retries, refused ones included).
    pub calls: u64,
    /// Calls refused by the throttle or during a restart.
    pub refused: u64,
    /// Lease work that ended without a lease: its client had timed out, or the store was
    /// unreachable.
    pub wasted: u64,
    /// The longest the queue got.
    pub peak_queue: usize,
    /// Restarts made.
    pub restarts: u32,
    /// Leases established per second, per bucket.
    pub goodput: Vec<f64>,
    /// The longest queue in each bucket.
    pub queue: Vec<usize>,
    /// Whether goodput stayed below [`COLLAPSED_BELOW`] of what the fleet needs in every
    /// bucket from the trigger's end to the horizon.
    pub metastable: bool,
}

impl RecoveryReport {
    /// The report's line: `planrace-recovery policy=... hosts=... recovered=<yes|no>
    /// recovery_s=<float|none> calls=... wasted=... peak_queue=...`, then the server-side
    /// policies, `refused=`, `restarts=`, `metastable=` and `seed=`.
    pub fn line(&self) -> String {
        let config = &self.config;
        format!(
            "planrace-recovery policy={} hosts={} recovered={} recovery_s={} calls={} wasted={} peak_queue={} throttle_queue={} restart={} refused={} restarts={} metastable={} seed={}",
            config.policy,
            config.hosts,
            if self.recovery_s.is_some() {
                "yes"
            } else {
                "no"
            },
            self.recovery_s
                .map_or_else(|| "none".to_owned(), |s| format!("{s:.1}")),
            self.calls,
            self.wasted,
            self.peak_queue,
            config
                .throttle_queue
                .map_or_else(|| "none".to_owned(), |q| q.to_string()),
            config
                .restart
                .map_or_else(|| "none".to_owned(), |r| format!("{}s", r.after)),
            self.refused,
            self.restarts,
            if self.metastable { "yes" } else { "no" },
            config.seed,
        )
    }
}

/// Where a droplet's call is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Call {
    /// No call in flight: the droplet calls at its next check.
    None,
    /// Waiting in the manager's queue.
    Queued,
    /// Being worked on.
    InService,
    /// Backing off before it calls again.
    Waiting,
}

#[derive(Debug, Clone, Copy)]
struct Droplet {
    lease_until: Micros,
    call: Call,
    /// Changes with every call, so that events about an earlier call are recognised as stale.
    ticket: u32,
    attempt: u32,
    previous_wait: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// The scan checks the next droplets.
    Scan,
    /// Every minute: is the fleet collapsed, is a restart due.
    Watchdog,
    /// The manager is back after a restart.
    Up,
    /// A worker finished a lease's work (`epoch` says which manager life it began in).
    Done {
        droplet: u32,
        ticket: u32,
        epoch: u32,
    },
    /// A call in service reached its timeout.
    Expired { droplet: u32, ticket: u32 },
    /// A backed-off client calls again.
    Retry { droplet: u32, ticket: u32 },
}

/// How often the scan runs (it checks `hosts / check_interval` droplets per second).
const SCAN_EVERY: Micros = 1_000_000;
/// How often the watchdog looks.
const WATCHDOG_EVERY: Micros = 60_000_000;

struct Fleet {
    config: FleetConfig,
    rng: Rng,
    now: Micros,
    droplets: Vec<Droplet>,
    /// (droplet, ticket, deadline), deadlines in queue order (every call gets the same timeout).
    queue: VecDeque<(u32, u32, Micros)>,
    /// Calls in service: (droplet, ticket, deadline).
    in_service: Vec<(u32, u32, Micros)>,
    free_workers: usize,
    epoch: u32,
    down_until: Micros,
    events: BinaryHeap<Reverse<(Micros, u64, Kind)>>,
    sequence: u64,
    /// Lease expiries in renewal order: (expiry, droplet).
    expiries: VecDeque<(Micros, u32)>,
    valid: usize,
    scanned: u64,
    budget: Option<Bucket>,
    collapsed_since: Option<Micros>,
    report: RecoveryReport,
}

/// Runs one fleet to its horizon.
pub fn simulate(config: &FleetConfig) -> RecoveryReport {
    simulate_with_progress(config, &mut |_| {})
}

/// [`simulate`], calling `progress` with the fraction of the horizon simulated about every
/// simulated minute.
pub fn simulate_with_progress(
    config: &FleetConfig,
    progress: &mut dyn FnMut(f64),
) -> RecoveryReport {
    let mut fleet = Fleet::new(config.clone());
    fleet.run(progress);
    fleet.finish()
}

impl Fleet {
    fn new(config: FleetConfig) -> Self {
        let hosts = config.hosts;
        let ttl = micros(config.lease_ttl);
        let interval = micros(config.check_interval);
        // Every lease was renewed at its droplet's last check, one interval before its next.
        let droplets: Vec<Droplet> = (0..hosts)
            .map(|index| Droplet {
                lease_until: (interval as u128 * index as u128 / hosts.max(1) as u128) as Micros
                    + ttl.saturating_sub(interval),
                call: Call::None,
                ticket: 0,
                attempt: 0,
                previous_wait: 0.0,
            })
            .collect();
        let expiries = droplets
            .iter()
            .enumerate()
            .map(|(index, droplet)| (droplet.lease_until, index as u32))
            .collect();
        let buckets = (config.horizon / config.bucket).ceil() as usize;
        let mut fleet = Self {
            rng: Rng::new(config.seed),
            now: 0,
            droplets,
            queue: VecDeque::new(),
            in_service: Vec::with_capacity(config.workers),
            free_workers: config.workers,
            epoch: 0,
            down_until: 0,
            events: BinaryHeap::new(),
            sequence: 0,
            expiries,
            valid: hosts,
            scanned: 0,
            budget: config.policy.budget.map(Bucket::new),
            collapsed_since: None,
            report: RecoveryReport {
                config: config.clone(),
                recovery_s: None,
                calls: 0,
                refused: 0,
                wasted: 0,
                peak_queue: 0,
                restarts: 0,
                goodput: vec![0.0; buckets],
                queue: vec![0; buckets],
                metastable: false,
            },
            config,
        };
        fleet.schedule(0, Kind::Scan);
        fleet.schedule(WATCHDOG_EVERY, Kind::Watchdog);
        fleet
    }

    fn schedule(&mut self, at: Micros, kind: Kind) {
        self.sequence += 1;
        self.events.push(Reverse((at, self.sequence, kind)));
    }

    fn run(&mut self, progress: &mut dyn FnMut(f64)) {
        let horizon = micros(self.config.horizon);
        let mut next_progress = 0;
        loop {
            let next_event = self.events.peek().map(|Reverse((at, _, _))| *at);
            let next_timeout = self.queue.front().map(|(_, _, deadline)| *deadline);
            let Some(at) = next_event.into_iter().chain(next_timeout).min() else {
                break;
            };
            if at > horizon {
                break;
            }
            self.now = at;
            if at >= next_progress {
                progress(at as f64 / horizon as f64);
                next_progress = at + WATCHDOG_EVERY;
            }
            self.lapse_leases();
            // At equal times a queued call's timeout comes first: it was due before anything
            // scheduled for the same instant could take it.
            if next_timeout == Some(at) {
                if let Some((droplet, ticket, _)) = self.queue.pop_front()
                    && self.is_current(droplet, ticket, Call::Queued)
                {
                    self.timed_out(droplet);
                }
                continue;
            }
            let Some(Reverse((_, _, kind))) = self.events.pop() else {
                break;
            };
            match kind {
                Kind::Scan => self.scan(),
                Kind::Watchdog => self.watchdog(),
                Kind::Up => {
                    self.free_workers = self.config.workers;
                    self.start_work();
                }
                Kind::Done {
                    droplet,
                    ticket,
                    epoch,
                } => self.done(droplet, ticket, epoch),
                Kind::Expired { droplet, ticket } => {
                    if self.is_current(droplet, ticket, Call::InService) {
                        self.timed_out(droplet);
                    }
                }
                Kind::Retry { droplet, ticket } => {
                    if self.is_current(droplet, ticket, Call::Waiting) {
                        self.call(droplet);
                    }
                }
            }
        }
        self.now = horizon;
        self.lapse_leases();
    }

    fn is_current(&self, droplet: u32, ticket: u32, call: Call) -> bool {
        let d = &self.droplets[droplet as usize];
        d.ticket == ticket && d.call == call
    }

    fn in_outage(&self) -> bool {
        let start = micros(self.config.outage_start);
        (start..start + micros(self.config.outage)).contains(&self.now)
    }

    fn bucket(&self) -> usize {
        ((seconds(self.now) / self.config.bucket) as usize).min(self.report.goodput.len() - 1)
    }

    /// Leases whose time ran out stop counting as valid.
    fn lapse_leases(&mut self) {
        while let Some(&(expiry, droplet)) = self.expiries.front() {
            if expiry > self.now {
                break;
            }
            self.expiries.pop_front();
            if self.droplets[droplet as usize].lease_until == expiry {
                self.valid -= 1;
            }
        }
    }

    /// The scan reaches the droplets due by now; each with no call in flight calls.
    fn scan(&mut self) {
        let hosts = self.config.hosts as u64;
        let due =
            (self.now as u128 * hosts as u128 / micros(self.config.check_interval) as u128) as u64;
        while self.scanned < due {
            let droplet = (self.scanned % hosts) as u32;
            self.scanned += 1;
            if self.droplets[droplet as usize].call == Call::None {
                self.droplets[droplet as usize].attempt = 0;
                self.call(droplet);
            }
        }
        self.schedule(self.now + SCAN_EVERY, Kind::Scan);
    }

    /// A call reaches the manager: queued, or refused (throttled or restarting).
    fn call(&mut self, droplet: u32) {
        self.report.calls += 1;
        let throttled = self
            .config
            .throttle_queue
            .is_some_and(|limit| self.queue.len() >= limit);
        let d = &mut self.droplets[droplet as usize];
        d.ticket = d.ticket.wrapping_add(1);
        if throttled || self.now < self.down_until {
            self.report.refused += 1;
            d.call = Call::None;
            return;
        }
        d.call = Call::Queued;
        let deadline = self.now + micros(self.config.timeout);
        self.queue.push_back((droplet, d.ticket, deadline));
        let bucket = self.bucket();
        let length = self.queue.len();
        self.report.peak_queue = self.report.peak_queue.max(length);
        self.report.queue[bucket] = self.report.queue[bucket].max(length);
        self.start_work();
    }

    /// Free workers take calls from the head of the queue.
    fn start_work(&mut self) {
        while self.free_workers > 0 && self.now >= self.down_until {
            let Some((droplet, ticket, deadline)) = self.queue.pop_front() else {
                return;
            };
            self.free_workers -= 1;
            self.droplets[droplet as usize].call = Call::InService;
            let congestion = 1.0 + self.queue.len() as f64 / self.config.congestion as f64;
            let work = self.config.base_work * congestion * self.rng.uniform(0.5, 1.5);
            let ends = self.now + micros(work).max(1);
            self.in_service.push((droplet, ticket, deadline));
            let epoch = self.epoch;
            self.schedule(
                ends,
                Kind::Done {
                    droplet,
                    ticket,
                    epoch,
                },
            );
            if ends > deadline {
                self.schedule(deadline, Kind::Expired { droplet, ticket });
            }
        }
    }

    /// A lease's work ended: a lease, or wasted work.
    fn done(&mut self, droplet: u32, ticket: u32, epoch: u32) {
        if epoch != self.epoch {
            return; // Begun before a restart, which already counted it and freed its worker.
        }
        self.free_workers += 1;
        if let Some(at) = self
            .in_service
            .iter()
            .position(|(d, t, _)| *d == droplet && *t == ticket)
        {
            self.in_service.swap_remove(at);
        }
        let current = self.is_current(droplet, ticket, Call::InService);
        if self.in_outage() || !current {
            self.report.wasted += 1;
            if current {
                // The store was unreachable: the client sees a failure, as after a timeout.
                self.timed_out(droplet);
            }
        } else {
            self.leased(droplet);
        }
        self.start_work();
    }

    fn leased(&mut self, droplet: u32) {
        let until = self.now + micros(self.config.lease_ttl);
        let d = &mut self.droplets[droplet as usize];
        if d.lease_until <= self.now {
            self.valid += 1;
        }
        d.lease_until = until;
        d.call = Call::None;
        d.attempt = 0;
        d.previous_wait = 0.0;
        self.expiries.push_back((until, droplet));
        let bucket = self.bucket();
        self.report.goodput[bucket] += 1.0 / self.config.bucket;
        let trigger_end = micros(self.config.trigger_end());
        if self.report.recovery_s.is_none()
            && self.now >= trigger_end
            && self.valid == self.config.hosts
        {
            self.report.recovery_s = Some(seconds(self.now - trigger_end));
        }
    }

    /// A call timed out or failed: the client's policy decides what comes next.
    fn timed_out(&mut self, droplet: u32) {
        let now_s = seconds(self.now);
        let d = self.droplets[droplet as usize];
        let attempt = d.attempt + 1;
        let allowed = self.budget.as_mut().is_none_or(|bucket| bucket.take(now_s));
        if !allowed {
            self.droplets[droplet as usize].call = Call::None;
            return;
        }
        let wait = self
            .config
            .policy
            .backoff
            .delay(attempt, d.previous_wait, &mut self.rng);
        let d = &mut self.droplets[droplet as usize];
        d.attempt = attempt;
        d.previous_wait = wait;
        if wait <= 0.0 {
            self.call(droplet);
        } else {
            d.call = Call::Waiting;
            d.ticket = d.ticket.wrapping_add(1);
            let ticket = d.ticket;
            self.schedule(self.now + micros(wait), Kind::Retry { droplet, ticket });
        }
    }

    /// Every minute: note whether the fleet is collapsed, and restart if the operators would.
    fn watchdog(&mut self) {
        self.schedule(self.now + WATCHDOG_EVERY, Kind::Watchdog);
        let Some(restart) = self.config.restart else {
            return;
        };
        if self.now < micros(self.config.trigger_end()) {
            return;
        }
        let last = ((seconds(self.now) / self.config.bucket) as usize)
            .saturating_sub(1)
            .min(self.report.goodput.len() - 1);
        let collapsed = self.report.goodput[last] < self.collapse_threshold()
            && self.queue.len() >= self.config.workers;
        if !collapsed {
            self.collapsed_since = None;
            return;
        }
        let since = *self.collapsed_since.get_or_insert(self.now);
        if self.now - since >= micros(restart.after) {
            self.restart(restart);
        }
    }

    /// The manager restarts: its queue and the work in progress are dropped; their clients
    /// find out when their calls time out.
    fn restart(&mut self, restart: Restart) {
        self.report.restarts += 1;
        self.collapsed_since = None;
        self.epoch += 1;
        self.report.wasted += self.in_service.len() as u64;
        let dropped: Vec<(u32, u32, Micros)> = self
            .queue
            .drain(..)
            .chain(self.in_service.drain(..))
            .collect();
        for (droplet, ticket, deadline) in dropped {
            // The client still waits for its call; make it one that only a timeout ends.
            self.droplets[droplet as usize].call = Call::InService;
            self.schedule(deadline.max(self.now), Kind::Expired { droplet, ticket });
        }
        self.free_workers = 0;
        self.down_until = self.now + micros(restart.down);
        self.schedule(self.down_until, Kind::Up);
    }

    /// Leases per second below which a bucket counts as collapsed.
    fn collapse_threshold(&self) -> f64 {
        COLLAPSED_BELOW * self.config.capacity_per_s().min(self.config.demand_per_s())
    }

    fn finish(mut self) -> RecoveryReport {
        let threshold = self.collapse_threshold();
        let first = (self.config.trigger_end() / self.config.bucket).ceil() as usize;
        let after = &self.report.goodput[first.min(self.report.goodput.len())..];
        self.report.metastable = !after.is_empty() && after.iter().all(|g| *g < threshold);
        self.report
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small(policy: &str) -> FleetConfig {
        FleetConfig {
            horizon: 4.0 * 3_600.0,
            outage_start: 600.0,
            outage: 1_800.0,
            policy: policy.parse().unwrap(),
            ..FleetConfig::incident(2_000)
        }
    }

    #[test]
    fn a_healthy_fleet_keeps_every_lease() {
        let report = simulate(&FleetConfig {
            outage: 0.0,
            ..small("incident")
        });
        assert!(report.recovery_s.is_some(), "{}", report.line());
        assert_eq!(report.wasted, 0);
        assert!(!report.metastable);
        let steady = report.goodput[report.goodput.len() / 2];
        let demand = report.config.demand_per_s();
        assert!(
            (steady - demand).abs() < demand * 0.1,
            "{steady} vs {demand}"
        );
    }

    #[test]
    fn the_same_seed_gives_the_same_run() {
        let config = small("full-jitter");
        assert_eq!(simulate(&config), simulate(&config));
        let other = simulate(&FleetConfig {
            seed: 1,
            ..config.clone()
        });
        assert_ne!(other.goodput, simulate(&config).goodput);
    }

    #[test]
    fn a_small_fleet_recovers_after_the_outage_whatever_its_policy() {
        for policy in ClientPolicy::ALL {
            let report = simulate(&FleetConfig {
                policy,
                ..small("incident")
            });
            assert!(report.recovery_s.is_some(), "{}", report.line());
            assert!(!report.metastable, "{}", report.line());
            assert!(
                report.wasted > 0,
                "the outage wastes work: {}",
                report.line()
            );
        }
    }
}
