//! Calibration against a published result: Marc Brooker's optimistic-concurrency experiment in
//! "Exponential Backoff And Jitter" (AWS Architecture Blog, 2015), set up as its simulator
//! documents it.
//!
//! One row with a version number; `clients` clients each update it once: read the version,
//! then write conditioned on it; a write that finds another version fails, and the client
//! backs off and starts again with a read. Every message takes a network delay of
//! `|N(10 ms, 2 ms)|`; backoff base 5 ms, cap 2,000 ms. Work is the number of writes, time is
//! when the last client succeeded; both averaged over `trials` runs.
//!
//! The post's findings, as it states them: un-jittered exponential backoff "is the clear
//! loser", taking more time and more work than the jittered ones; "Equal Jitter" does slightly
//! more work than "Full Jitter" and takes much longer; "Decorrelated Jitter" against "Full
//! Jitter" is less clear: Full Jitter uses less work, but slightly more time.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::recovery::policy::Backoff;
use crate::recovery::rng::Rng;

/// The simulator's backoff base, in milliseconds.
const BASE_MS: f64 = 5.0;
/// The simulator's backoff cap, in milliseconds.
const CAP_MS: f64 = 2_000.0;
/// Mean and deviation of one network delay, in milliseconds.
const NET_MEAN_MS: f64 = 10.0;
const NET_DEVIATION_MS: f64 = 2.0;

/// The backoffs the experiment compares, with the names the post gives them.
pub const BACKOFFS: [(&str, Backoff); 5] = [
    (
        "exponential",
        Backoff::Exponential {
            base: BASE_MS,
            cap: CAP_MS,
        },
    ),
    (
        "decorrelated-jitter",
        Backoff::DecorrelatedJitter {
            base: BASE_MS,
            cap: CAP_MS,
        },
    ),
    (
        "equal-jitter",
        Backoff::EqualJitter {
            base: BASE_MS,
            cap: CAP_MS,
        },
    ),
    (
        "full-jitter",
        Backoff::FullJitter {
            base: BASE_MS,
            cap: CAP_MS,
        },
    ),
    ("none", Backoff::Immediate),
];

/// One backoff's averages.
#[derive(Debug, Clone, PartialEq)]
pub struct BackoffResult {
    /// The backoff's name.
    pub name: &'static str,
    /// Writes per trial (the post's "work").
    pub calls: f64,
    /// Milliseconds until the last client succeeded, per trial (the post's "time").
    pub time_ms: f64,
}

/// The experiment's results for every backoff.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// Contending clients.
    pub clients: usize,
    /// Trials averaged.
    pub trials: usize,
    /// Seed of the first trial.
    pub seed: u64,
    /// One result per entry of [`BACKOFFS`], in that order.
    pub results: Vec<BackoffResult>,
}

impl Calibration {
    fn result(&self, name: &str) -> &BackoffResult {
        self.results
            .iter()
            .find(|r| r.name == name)
            .unwrap_or_else(|| unreachable!("every backoff of BACKOFFS is run"))
    }

    /// Full jitter's writes over un-jittered exponential backoff's: the post says under 0.5.
    pub fn calls_ratio(&self) -> f64 {
        self.result("full-jitter").calls / self.result("exponential").calls
    }

    /// Equal jitter over full jitter, in writes and in time: the post says slightly above 1
    /// and much above 1.
    pub fn equal_over_full(&self) -> (f64, f64) {
        let (equal, full) = (self.result("equal-jitter"), self.result("full-jitter"));
        (equal.calls / full.calls, equal.time_ms / full.time_ms)
    }

    /// The calibration's line: `planrace-brooker clients=... trials=... calls_ratio=<full /
    /// exponential> ...`, then each backoff's writes and time.
    pub fn line(&self) -> String {
        let (equal_calls, equal_time) = self.equal_over_full();
        let mut line = format!(
            "planrace-brooker clients={} trials={} seed={} calls_ratio={:.3} equal_over_full_calls={:.3} equal_over_full_time={:.3}",
            self.clients,
            self.trials,
            self.seed,
            self.calls_ratio(),
            equal_calls,
            equal_time
        );
        for result in &self.results {
            line.push_str(&format!(
                " {name}_calls={calls:.1} {name}_time_ms={time:.1}",
                name = result.name.replace('-', "_"),
                calls = result.calls,
                time = result.time_ms
            ));
        }
        line
    }
}

/// Runs the experiment with `clients` clients, `trials` trials per backoff.
pub fn calibrate(clients: usize, trials: usize, seed: u64) -> Calibration {
    let results = BACKOFFS
        .iter()
        .enumerate()
        .map(|(index, (name, backoff))| {
            let (mut calls, mut time) = (0u64, 0.0);
            for trial in 0..trials {
                let trial_seed = seed
                    .wrapping_mul(1_000_003)
                    .wrapping_add((index * trials + trial) as u64);
                let (c, t) = trial_run(clients, *backoff, &mut Rng::new(trial_seed));
                calls += c;
                time += t;
            }
            BackoffResult {
                name,
                calls: calls as f64 / trials as f64,
                time_ms: time / trials as f64,
            }
        })
        .collect();
    Calibration {
        clients,
        trials,
        seed,
        results,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Message {
    /// A read reaches the server.
    Read { client: usize },
    /// The read's answer reaches the client.
    ReadAnswer { client: usize, version: u64 },
    /// A write reaches the server.
    Write { client: usize, version: u64 },
    /// The write's answer reaches the client.
    WriteAnswer { client: usize, success: bool },
}

/// Time is in nanoseconds, so that the heap orders integers.
fn nanos(ms: f64) -> u64 {
    (ms * 1e6).round() as u64
}

/// One trial: the writes made and the time the last client succeeded (ms).
fn trial_run(clients: usize, backoff: Backoff, rng: &mut Rng) -> (u64, f64) {
    let delay = |rng: &mut Rng| nanos(rng.normal(NET_MEAN_MS, NET_DEVIATION_MS).abs());
    let mut messages = BinaryHeap::new();
    let mut sequence = 0u64;
    let mut send = |messages: &mut BinaryHeap<_>, at: u64, message: Message| {
        sequence += 1;
        messages.push(Reverse((at, sequence, message)));
    };
    for client in 0..clients {
        let at = delay(rng);
        send(&mut messages, at, Message::Read { client });
    }
    let (mut version, mut writes, mut last) = (0u64, 0u64, 0u64);
    let mut attempts = vec![0u32; clients];
    let mut previous = vec![0.0f64; clients];
    while let Some(Reverse((now, _, message))) = messages.pop() {
        last = now;
        match message {
            Message::Read { client } => {
                let at = now + delay(rng);
                send(&mut messages, at, Message::ReadAnswer { client, version });
            }
            Message::ReadAnswer {
                client,
                version: read,
            } => {
                let at = now + delay(rng);
                send(
                    &mut messages,
                    at,
                    Message::Write {
                        client,
                        version: read,
                    },
                );
            }
            Message::Write {
                client,
                version: expected,
            } => {
                writes += 1;
                let success = expected == version;
                if success {
                    version += 1;
                }
                let at = now + delay(rng);
                send(&mut messages, at, Message::WriteAnswer { client, success });
            }
            Message::WriteAnswer { client, success } => {
                if !success {
                    attempts[client] += 1;
                    let wait = backoff.delay(attempts[client], previous[client], rng);
                    previous[client] = wait;
                    let at = now + delay(rng) + nanos(wait);
                    send(&mut messages, at, Message::Read { client });
                }
            }
        }
    }
    (writes, last as f64 / 1e6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_client_writes_once() {
        let calibration = calibrate(1, 3, 0);
        assert!(calibration.results.iter().all(|r| r.calls == 1.0));
    }

    #[test]
    fn every_client_succeeds_exactly_once_per_trial() {
        // Each success raises the version by one, so a trial ends after `clients` successes:
        // at least `clients` writes, whatever the backoff.
        let calibration = calibrate(20, 5, 3);
        for result in &calibration.results {
            assert!(result.calls >= 20.0, "{result:?}");
        }
        assert_eq!(calibration, calibrate(20, 5, 3));
    }
}
