//! A configuration of the race: how many Enactors, endpoints and generations, and the sweep age.

use std::fmt;
use std::str::FromStr;

use crate::protocol::error::ConfigError;
use crate::sync::{SPAWN_LIMIT, SPAWN_LIMIT_REASON};

/// The size of the redundant fleet a run may have when the backend sets no lower limit.
pub(crate) const FLEET_LIMIT: usize = 64;

/// The most Enactor threads one run may have: the fleet limit, or fewer when the
/// synchronization backend can spawn fewer threads (loom: 4).
pub const MAX_ENACTORS: usize = match SPAWN_LIMIT {
    Some(limit) if limit < FLEET_LIMIT => limit,
    _ => FLEET_LIMIT,
};

const ENACTOR_LIMIT_REASON: &str = if MAX_ENACTORS < FLEET_LIMIT {
    SPAWN_LIMIT_REASON
} else {
    "a redundant fleet, not a thread pool"
};

/// The most endpoints a plan covers (plan addresses number endpoints in one octet).
pub const MAX_ENDPOINTS: usize = 256;

/// The most generations the Planner publishes in one run.
pub const MAX_GENERATIONS: u64 = 1_000_000;

/// One configuration of the race, written `<e>E<p>P<g>G<k>K` (`2E1P4G2K`: 2 Enactors,
/// 1 endpoint, 4 generations, the sweep deletes plans at least 2 generations older than the one
/// just applied).
///
/// Generation 1 is the steady state before the race: published and applied to every endpoint
/// before the threads start. The Planner publishes generations 2 to `generations` while the
/// Enactors run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Config {
    enactors: usize,
    endpoints: usize,
    generations: u64,
    sweep_age: u64,
}

impl Config {
    /// A validated config.
    ///
    /// # Errors
    /// A [`ConfigError`] when a count is zero or above its limit, or when there are too few
    /// generations for the sweep to ever delete a plan an Enactor could still be applying
    /// (`generations < sweep_age + 2`).
    pub fn new(
        enactors: usize,
        endpoints: usize,
        generations: u64,
        sweep_age: u64,
    ) -> Result<Self, ConfigError> {
        if enactors == 0 {
            return Err(ConfigError::NoEnactors);
        }
        if enactors > MAX_ENACTORS {
            return Err(ConfigError::TooManyEnactors {
                requested: enactors,
                max: MAX_ENACTORS,
                reason: ENACTOR_LIMIT_REASON,
            });
        }
        if endpoints == 0 {
            return Err(ConfigError::NoEndpoints);
        }
        if endpoints > MAX_ENDPOINTS {
            return Err(ConfigError::TooManyEndpoints {
                requested: endpoints,
                max: MAX_ENDPOINTS,
            });
        }
        if sweep_age == 0 {
            return Err(ConfigError::ZeroSweepAge);
        }
        if generations > MAX_GENERATIONS {
            return Err(ConfigError::TooManyGenerations {
                requested: generations,
                max: MAX_GENERATIONS,
            });
        }
        // Generation 1 is applied before the race, so a stale Enactor's plan is at least 2; the
        // sweep of an Enactor that applied the newest plan G deletes up to G-K. Both meet only
        // when G-K >= 2.
        let min = sweep_age.saturating_add(2);
        if generations < min {
            return Err(ConfigError::TooFewGenerations {
                generations,
                sweep_age,
                min,
            });
        }
        Ok(Self {
            enactors,
            endpoints,
            generations,
            sweep_age,
        })
    }

    /// The incident's size, `2E1P4G2K`: two Enactors, one endpoint, four generations, the sweep
    /// deleting plans two or more generations older than the one applied.
    pub const INCIDENT: Config = Config::constant(2, 1, 4, 2);

    /// A configuration the crate names as a constant (a suite's, the incident's). Evaluated at
    /// compile time, so an invalid one is a compile error, not a panic at run time. The checks
    /// are [`Config::new`]'s, restated because a `const fn` cannot drop the `String` a
    /// [`ConfigError`] may own; a test holds the two together.
    pub(crate) const fn constant(
        enactors: usize,
        endpoints: usize,
        generations: u64,
        sweep_age: u64,
    ) -> Self {
        assert!(
            enactors >= 1 && enactors <= MAX_ENACTORS,
            "Enactors out of range"
        );
        assert!(
            endpoints >= 1 && endpoints <= MAX_ENDPOINTS,
            "endpoints out of range"
        );
        assert!(sweep_age >= 1, "a sweep age of 0");
        assert!(
            generations <= MAX_GENERATIONS && generations >= sweep_age.saturating_add(2),
            "generations out of range"
        );
        Self {
            enactors,
            endpoints,
            generations,
            sweep_age,
        }
    }

    /// Number of Enactor threads.
    pub fn enactors(&self) -> usize {
        self.enactors
    }

    /// Number of endpoints every plan covers.
    pub fn endpoints(&self) -> usize {
        self.endpoints
    }

    /// The last generation the Planner publishes.
    pub fn generations(&self) -> u64 {
        self.generations
    }

    /// K: the sweep deletes plans at least this many generations older than the one applied.
    pub fn sweep_age(&self) -> u64 {
        self.sweep_age
    }
}

impl fmt::Display for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}E{}P{}G{}K",
            self.enactors, self.endpoints, self.generations, self.sweep_age
        )
    }
}

impl FromStr for Config {
    type Err = ConfigError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let malformed = |reason: String| ConfigError::Malformed {
            text: text.to_owned(),
            reason,
        };
        let mut numbers = [0u64; 4];
        let mut rest = text.trim();
        for (slot, letter) in numbers.iter_mut().zip(['E', 'P', 'G', 'K']) {
            let end = rest
                .find(|c: char| c.eq_ignore_ascii_case(&letter))
                .ok_or_else(|| malformed(format!("missing '{letter}'")))?;
            let digits = &rest[..end];
            // Digits only: Rust's integer parsing would also take a sign ("+3").
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(malformed(format!(
                    "{digits:?} before '{letter}' is not a number (digits only)"
                )));
            }
            *slot = digits
                .parse()
                .map_err(|e| malformed(format!("{digits:?} before '{letter}': {e}")))?;
            rest = &rest[end + 1..];
        }
        if !rest.is_empty() {
            return Err(malformed(format!("unexpected {rest:?} after 'K'")));
        }
        let [enactors, endpoints, generations, sweep_age] = numbers;
        let to_usize = |n: u64, what: &str| {
            usize::try_from(n).map_err(|_| malformed(format!("{what} {n} is too large")))
        };
        Self::new(
            to_usize(enactors, "enactors")?,
            to_usize(endpoints, "endpoints")?,
            generations,
            sweep_age,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_constant_is_checked_as_new_checks_it() {
        for (e, p, g, k) in [(2, 1, 4, 2), (3, 3, 5, 2), (1, 1, 3, 1), (4, 256, 6, 4)] {
            let constant = std::panic::catch_unwind(|| Config::constant(e, p, g, k)).ok();
            assert_eq!(constant, Config::new(e, p, g, k).ok(), "{e}E{p}P{g}G{k}K");
        }
        for (e, p, g, k) in [
            (0, 1, 4, 2),
            (2, 0, 4, 2),
            (2, 1, 4, 0),
            (2, 1, 3, 2),
            (2, 300, 4, 2),
        ] {
            assert!(Config::new(e, p, g, k).is_err());
            assert!(std::panic::catch_unwind(|| Config::constant(e, p, g, k)).is_err());
        }
    }

    #[test]
    fn parses_and_prints_the_config_notation() {
        let config: Config = "2E1P4G2K".parse().unwrap();
        assert_eq!(config, Config::new(2, 1, 4, 2).unwrap());
        assert_eq!(config.to_string(), "2E1P4G2K");
        assert_eq!(
            "3e2p5g2k".parse::<Config>().unwrap().to_string(),
            "3E2P5G2K"
        );
    }

    #[test]
    fn rejects_each_invalid_count_with_its_own_error() {
        assert_eq!(Config::new(0, 1, 4, 2), Err(ConfigError::NoEnactors));
        assert!(matches!(
            Config::new(MAX_ENACTORS + 1, 1, 4, 2),
            Err(ConfigError::TooManyEnactors {
                max: MAX_ENACTORS,
                ..
            })
        ));
        assert_eq!(Config::new(2, 0, 4, 2), Err(ConfigError::NoEndpoints));
        assert!(matches!(
            Config::new(2, MAX_ENDPOINTS + 1, 4, 2),
            Err(ConfigError::TooManyEndpoints { .. })
        ));
        assert_eq!(Config::new(2, 1, 4, 0), Err(ConfigError::ZeroSweepAge));
        assert_eq!(
            Config::new(2, 1, 3, 2),
            Err(ConfigError::TooFewGenerations {
                generations: 3,
                sweep_age: 2,
                min: 4
            })
        );
        assert!(matches!(
            Config::new(2, 1, MAX_GENERATIONS + 1, 2),
            Err(ConfigError::TooManyGenerations { .. })
        ));
        assert!(matches!(
            Config::new(2, 1, u64::MAX, u64::MAX),
            Err(ConfigError::TooManyGenerations { .. })
        ));
    }

    #[test]
    fn rejects_malformed_text_with_a_message() {
        for text in [
            "",
            "2E1P4G",
            "xE1P4G2K",
            "2E1P4G2K9",
            "2E-1P4G2K",
            "99999999999999999999E1P4G2K",
            "+3E+4P12G2K",
            "3E4P+12G2K",
            "3E 4P12G2K",
        ] {
            let error = text.parse::<Config>().unwrap_err();
            assert!(
                matches!(error, ConfigError::Malformed { .. }),
                "{text:?} gave {error:?}"
            );
            assert!(error.to_string().contains("expected e.g. 2E1P4G2K"));
        }
        let error = "0E1P4G2K".parse::<Config>().unwrap_err();
        assert_eq!(error, ConfigError::NoEnactors);
    }
}
