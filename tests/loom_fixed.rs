//! The fixed protocol: loom explores every execution of the configuration and none violates any
//! property.
#![cfg(loom)]

mod common;

use planrace::{Property, Variant};

fn assert_every_property_holds(config: &str, default_bound: Option<usize>) {
    let exploration = common::explore_and_report(Variant::Fixed, config, default_bound);
    assert!(exploration.executions > 0);
    for property in Property::ALL {
        let outcome = exploration
            .outcome(property)
            .expect("every property is checked");
        let shown = outcome
            .first
            .as_ref()
            .map(|example| example.timeline())
            .unwrap_or_default();
        assert_eq!(
            outcome.violations, 0,
            "Fixed {config} violates {property}, first counterexample:\n{shown}"
        );
    }
}

#[test]
fn fixed_2e1p4g2k_exhaustive_holds_every_property() {
    assert_every_property_holds("2E1P4G2K", None);
}

#[test]
fn fixed_3e2p4g2k_bounded_holds_every_property() {
    assert_every_property_holds("3E2P4G2K", Some(3));
}
