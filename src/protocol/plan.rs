//! What the Planner publishes: numbered plans of load-balancer targets per endpoint.

use std::fmt;
use std::net::Ipv4Addr;

/// A plan's generation number. The Planner numbers plans 1, 2, 3, ... in publication order,
/// so a larger generation always means a newer plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Generation(pub u64);

impl fmt::Display for Generation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "g{}", self.0)
    }
}

/// One DNS name that the plans cover (in the incident: the regional endpoint, its IPv6 and
/// FIPS variants, ...). Endpoints are numbered from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EndpointId(pub usize);

impl fmt::Display for EndpointId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ep{}", self.0)
    }
}

/// A load balancer that an endpoint's name resolves to, with its share of the traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Target {
    /// The load balancer's address, as the DNS answer carries it.
    pub load_balancer: Ipv4Addr,
    /// Relative weight of this load balancer in the endpoint's answer.
    pub weight: u16,
}

/// One generation of the DNS plan: for every endpoint, the targets it should resolve to.
///
/// The targets are a pure function of the generation (see [`Plan::for_generation`]), so a plan
/// stores only its generation and size and computes them when asked: a store that a stuck
/// system can no longer clean up holds a million plans in a few tens of megabytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    generation: Generation,
    endpoints: usize,
}

/// Load balancers per endpoint in a planned answer.
const TARGETS_PER_ENDPOINT: u8 = 2;

impl Plan {
    /// The plan the Planner computes for `generation` over `endpoints` endpoints.
    ///
    /// The Planner's real input is load-balancer health and capacity; here the targets are a
    /// pure function of the generation, so that every execution of the model is reproducible
    /// and a timeline can name the addresses. Every endpoint gets two weighted targets: a plan
    /// never leaves an endpoint empty, so an empty answer can only come from the race.
    pub fn for_generation(generation: Generation, endpoints: usize) -> Self {
        Self {
            generation,
            endpoints,
        }
    }

    /// This plan's generation.
    pub fn generation(&self) -> Generation {
        self.generation
    }

    /// The targets this plan gives `endpoint`; empty if the plan does not cover it.
    pub fn targets(&self, endpoint: EndpointId) -> Vec<Target> {
        if endpoint.0 >= self.endpoints {
            return Vec::new();
        }
        (0..TARGETS_PER_ENDPOINT)
            .map(|slot| Target {
                load_balancer: Ipv4Addr::new(
                    10,
                    (endpoint.0 % 256) as u8,
                    (self.generation.0 % 256) as u8,
                    slot + 1,
                ),
                weight: 50 + u16::from(slot) * 25,
            })
            .collect()
    }

    /// How many endpoints this plan covers.
    pub fn endpoints(&self) -> usize {
        self.endpoints
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_endpoint_of_a_plan_has_targets() {
        let plan = Plan::for_generation(Generation(7), 3);
        assert_eq!(plan.endpoints(), 3);
        for endpoint in 0..3 {
            let targets = plan.targets(EndpointId(endpoint));
            assert_eq!(targets.len(), usize::from(TARGETS_PER_ENDPOINT));
            assert!(targets.iter().all(|t| t.load_balancer.octets()[2] == 7));
        }
        assert!(plan.targets(EndpointId(3)).is_empty());
    }

    #[test]
    fn generations_order_by_number() {
        assert!(Generation(2) > Generation(1));
        assert_eq!(Generation(3).to_string(), "g3");
        assert_eq!(EndpointId(1).to_string(), "ep1");
    }
}
