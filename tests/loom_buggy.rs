//! loom must find the incident in the buggy protocol: an execution that empties a record, one
//! that moves a record back to an older generation, and one that ends stuck.
#![cfg(loom)]

mod common;

use planrace::{Property, Variant};

fn assert_every_property_violated(config: &str, default_bound: Option<usize>) {
    let exploration = common::explore_and_report(Variant::Buggy, config, default_bound);
    assert!(exploration.executions > 0);
    for property in Property::ALL {
        let outcome = exploration
            .outcome(property)
            .expect("every property is checked");
        assert!(
            outcome.violations > 0,
            "loom found no execution of Buggy {config} violating {property}"
        );
        let example = outcome
            .first
            .as_ref()
            .expect("a violated property keeps its first counterexample");
        assert_eq!(example.violation.property, property);
        let timeline = example.timeline();
        assert!(
            timeline.contains(&format!("<== {property} violated")),
            "the timeline marks the breaking step:\n{timeline}"
        );
    }
}

#[test]
fn buggy_2e1p4g2k_exhaustive_violates_every_property() {
    assert_every_property_violated("2E1P4G2K", None);
}

#[test]
fn buggy_3e2p4g2k_bounded_violates_every_property() {
    assert_every_property_violated("3E2P4G2K", Some(3));
}
