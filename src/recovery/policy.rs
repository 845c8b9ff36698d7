//! What a client does when its call times out or fails: the incident's (queue it again at
//! once), a fixed delay, exponential backoff with or without jitter, and a retry budget.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

use crate::recovery::rng::Rng;

/// How long a client waits before it calls again after a timeout or a failure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Backoff {
    /// No wait: the timed-out work is queued again at once (the incident's).
    Immediate,
    /// The same wait every time.
    Fixed {
        /// The wait, in seconds.
        delay: f64,
    },
    /// `min(cap, base * 2^attempt)`, no jitter.
    Exponential {
        /// First wait, in seconds.
        base: f64,
        /// Longest wait, in seconds.
        cap: f64,
    },
    /// Uniform in `[0, min(cap, base * 2^attempt))`.
    FullJitter {
        /// First wait's ceiling, in seconds.
        base: f64,
        /// Longest wait, in seconds.
        cap: f64,
    },
    /// Half of `min(cap, base * 2^attempt)`, plus uniform in the other half.
    EqualJitter {
        /// First wait's ceiling, in seconds.
        base: f64,
        /// Longest wait, in seconds.
        cap: f64,
    },
    /// `min(cap, uniform(base, previous * 3))`.
    DecorrelatedJitter {
        /// Shortest wait, in seconds.
        base: f64,
        /// Longest wait, in seconds.
        cap: f64,
    },
}

impl Backoff {
    /// The wait before retry number `attempt` (1 for the first retry); `previous` is the
    /// wait before the previous retry (decorrelated jitter walks from it; 0 for none).
    pub(crate) fn delay(self, attempt: u32, previous: f64, rng: &mut Rng) -> f64 {
        let exponential = |base: f64, cap: f64| cap.min(base * 2f64.powi(attempt.min(62) as i32));
        match self {
            Backoff::Immediate => 0.0,
            Backoff::Fixed { delay } => delay,
            Backoff::Exponential { base, cap } => exponential(base, cap),
            Backoff::FullJitter { base, cap } => rng.uniform(0.0, exponential(base, cap)),
            Backoff::EqualJitter { base, cap } => {
                let ceiling = exponential(base, cap);
                ceiling / 2.0 + rng.uniform(0.0, ceiling / 2.0)
            }
            Backoff::DecorrelatedJitter { base, cap } => {
                cap.min(rng.uniform(base, previous.max(base) * 3.0))
            }
        }
    }
}

/// A retry budget: a token bucket every retry takes a token from. A retry that finds the
/// bucket empty is not made; the client waits for its next scheduled call instead.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryBudget {
    /// Tokens added per second.
    pub refill_per_s: f64,
    /// Most tokens the bucket holds.
    pub burst: f64,
}

/// A client's policy after a timeout or a failure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClientPolicy {
    /// The policy's name on the command line and in reports.
    pub name: &'static str,
    /// How long it waits before calling again.
    pub backoff: Backoff,
    /// Whether retries are rationed.
    pub budget: Option<RetryBudget>,
}

/// Backoff parameters of the named policies: first wait 1 s, longest 10 minutes.
const BASE_S: f64 = 1.0;
const CAP_S: f64 = 600.0;

impl ClientPolicy {
    /// Every named policy, the incident's first.
    pub const ALL: [ClientPolicy; 7] = [
        ClientPolicy::named("incident", Backoff::Immediate, None),
        ClientPolicy::named("fixed", Backoff::Fixed { delay: 10.0 }, None),
        ClientPolicy::named(
            "exponential",
            Backoff::Exponential {
                base: BASE_S,
                cap: CAP_S,
            },
            None,
        ),
        ClientPolicy::named(
            "full-jitter",
            Backoff::FullJitter {
                base: BASE_S,
                cap: CAP_S,
            },
            None,
        ),
        ClientPolicy::named(
            "equal-jitter",
            Backoff::EqualJitter {
                base: BASE_S,
                cap: CAP_S,
            },
            None,
        ),
        ClientPolicy::named(
            "decorrelated-jitter",
            Backoff::DecorrelatedJitter {
                base: BASE_S,
                cap: CAP_S,
            },
            None,
        ),
        ClientPolicy::named(
            "budget",
            Backoff::FullJitter {
                base: BASE_S,
                cap: CAP_S,
            },
            Some(RetryBudget {
                refill_per_s: 50.0,
                burst: 500.0,
            }),
        ),
    ];

    const fn named(name: &'static str, backoff: Backoff, budget: Option<RetryBudget>) -> Self {
        Self {
            name,
            backoff,
            budget,
        }
    }

    /// The incident's policy: timed-out work queued again at once, no budget.
    pub fn incident() -> Self {
        Self::ALL[0]
    }
}

impl fmt::Display for ClientPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// A policy name that is not one of [`ClientPolicy::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "unknown policy {0:?}: expected one of incident, fixed, exponential, full-jitter, equal-jitter, decorrelated-jitter, budget"
)]
pub struct UnknownPolicy(pub String);

impl FromStr for ClientPolicy {
    type Err = UnknownPolicy;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ClientPolicy::ALL
            .into_iter()
            .find(|policy| policy.name == text)
            .ok_or_else(|| UnknownPolicy(text.to_owned()))
    }
}

/// The budget's state during a run.
#[derive(Debug, Clone)]
pub(crate) struct Bucket {
    budget: RetryBudget,
    tokens: f64,
    at_s: f64,
}

impl Bucket {
    pub(crate) fn new(budget: RetryBudget) -> Self {
        Self {
            budget,
            tokens: budget.burst,
            at_s: 0.0,
        }
    }

    /// Takes a token at `now_s` if there is one.
    pub(crate) fn take(&mut self, now_s: f64) -> bool {
        let refill = (now_s - self.at_s).max(0.0) * self.budget.refill_per_s;
        self.tokens = (self.tokens + refill).min(self.budget.burst);
        self.at_s = now_s;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_follow_their_formulas() {
        let mut rng = Rng::new(1);
        let exponential = Backoff::Exponential {
            base: 1.0,
            cap: 600.0,
        };
        assert_eq!(exponential.delay(3, 0.0, &mut rng), 8.0);
        assert_eq!(exponential.delay(20, 0.0, &mut rng), 600.0);
        for attempt in 1..12 {
            let ceiling = 600f64.min(2f64.powi(attempt as i32));
            let full = Backoff::FullJitter {
                base: 1.0,
                cap: 600.0,
            }
            .delay(attempt, 0.0, &mut rng);
            assert!((0.0..ceiling).contains(&full));
            let equal = Backoff::EqualJitter {
                base: 1.0,
                cap: 600.0,
            }
            .delay(attempt, 0.0, &mut rng);
            assert!((ceiling / 2.0..ceiling).contains(&equal));
            let decorrelated = Backoff::DecorrelatedJitter {
                base: 1.0,
                cap: 600.0,
            }
            .delay(attempt, 5.0, &mut rng);
            assert!((1.0..=15.0).contains(&decorrelated));
        }
        assert_eq!(Backoff::Immediate.delay(5, 0.0, &mut rng), 0.0);
    }

    #[test]
    fn policies_parse_by_name_and_unknown_ones_are_refused() {
        for policy in ClientPolicy::ALL {
            assert_eq!(policy.name.parse::<ClientPolicy>().unwrap(), policy);
        }
        assert_eq!(ClientPolicy::incident().backoff, Backoff::Immediate);
        assert!("jitter".parse::<ClientPolicy>().is_err());
    }

    #[test]
    fn a_bucket_rations_retries_and_refills() {
        let mut bucket = Bucket::new(RetryBudget {
            refill_per_s: 1.0,
            burst: 2.0,
        });
        assert!(bucket.take(0.0) && bucket.take(0.0));
        assert!(!bucket.take(0.5));
        assert!(bucket.take(1.0));
        assert!(!bucket.take(1.0));
    }
}
