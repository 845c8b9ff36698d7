//! The trace validator agrees with the exact oracle (`planrace::oracle_explains`) on every log
//! the code writes and on every systematic mutation of it (tests/support/differential.rs).
//! Each build brings its own logs: replays and real-thread runs (one cycle each, and
//! Enactors that loop) by default, loom executions under `--cfg loom`, shuttle iterations
//! under `--cfg shuttle`. Each test prints how many logs of each mutation were accepted and
//! rejected.

#[path = "support/differential.rs"]
mod differential;

#[cfg(not(any(loom, shuttle)))]
mod real_threads {
    use std::cell::RefCell;
    use std::sync::Arc;

    use proptest::prelude::*;
    use proptest::test_runner::{Config as RunnerConfig, TestRunner};

    use super::differential::Agreement;
    use planrace::testing::{Faults, Trace, execute};
    use planrace::{
        Config, Cycles, FaultPlan, ReplayOptions, RunOptions, RunWith, Variant, incident_config,
        replay, run,
    };

    fn config(text: &str) -> Config {
        text.parse().expect("a valid configuration")
    }

    /// `cases` cases; a failing one is printed (variant, size and seed), not saved to a file:
    /// real threads do not replay it exactly anyway.
    fn runner_config(cases: u32) -> RunnerConfig {
        RunnerConfig {
            cases,
            failure_persistence: None,
            ..RunnerConfig::default()
        }
    }

    #[test]
    fn the_incident_replays_of_every_variant() {
        let mut agreement = Agreement::default();
        for variant in Variant::ALL {
            let replayed =
                replay(ReplayOptions::incident(variant)).expect("the script is followed");
            agreement.compare(variant, incident_config(), Cycles::OneEach, &replayed.steps);
        }
        println!("incident replays, every variant: {agreement}");
        agreement.assert_discriminating();
    }

    /// One cycle each on real threads with the lock-loss fault: lost locks, retries and
    /// give-ups, and whatever order the threads happen to take.
    #[test]
    fn real_threads_one_cycle_each() {
        let agreement = RefCell::new(Agreement::default());
        let mut runner = TestRunner::new(runner_config(64));
        let sizes = ["2E1P4G2K", "2E2P4G2K", "3E2P4G2K"];
        let cases = (0..Variant::ALL.len(), 0..sizes.len(), any::<u64>());
        runner
            .run(&cases, |(variant, size, seed)| {
                let (variant, config) = (Variant::ALL[variant], config(sizes[size]));
                let trace = Arc::new(Trace::recording());
                let faults = Arc::new(Faults::new(FaultPlan::LOCK_LOSS, seed));
                execute(variant, &config, faults, Arc::clone(&trace)).expect("the run completes");
                let steps = trace.steps();
                agreement
                    .borrow_mut()
                    .compare(variant, config, Cycles::OneEach, &steps);
                Ok(())
            })
            .expect("the validator and the oracle agree");
        let agreement = agreement.into_inner();
        println!("real threads, one cycle each: {agreement}");
        agreement.assert_discriminating();
    }

    /// Enactors that loop while the Planner publishes, as `planrace run` runs them.
    #[test]
    fn real_threads_looping() {
        let agreement = RefCell::new(Agreement::default());
        let mut runner = TestRunner::new(runner_config(32));
        let sizes = ["2E2P4G2K", "3E2P6G2K"];
        let cases = (0..Variant::ALL.len(), 0..sizes.len(), any::<u64>());
        runner
            .run(&cases, |(variant, size, seed)| {
                let options = RunOptions {
                    variant: Variant::ALL[variant],
                    config: config(sizes[size]),
                    faults: FaultPlan::LOCK_LOSS,
                    seed,
                };
                let report = run(&options, RunWith::default()).expect("the run completes");
                let log = report.log.expect("a configuration the step model holds");
                agreement.borrow_mut().compare(
                    options.variant,
                    options.config,
                    Cycles::Unbounded,
                    &log,
                );
                Ok(())
            })
            .expect("the validator and the oracle agree");
        let agreement = agreement.into_inner();
        println!("real threads, looping: {agreement}");
        agreement.assert_discriminating();
    }
}

/// Logs from the checkers: every execution is validated as usual, and every `every`-th one is
/// also compared with the oracle, mutations included.
#[cfg(any(loom, shuttle))]
mod checkers {
    use std::sync::{Arc, Mutex, PoisonError};

    use super::differential::Agreement;
    use planrace::harness::{Log, Model, Violation};
    use planrace::{Config, Cycles, Property, ProtocolModel, Step, Variant};

    /// The protocol's model, whose validation also runs the comparison.
    #[derive(Clone)]
    pub struct Compared {
        inner: ProtocolModel,
        every: u64,
        /// Executions validated so far, and what the comparisons found.
        seen: Arc<Mutex<(u64, Agreement)>>,
    }

    impl Compared {
        /// `variant` on `config`, comparing every `every`-th execution.
        pub fn new(variant: Variant, config: &str, every: u64) -> Self {
            Self {
                inner: ProtocolModel {
                    variant,
                    config: config.parse::<Config>().expect("a valid configuration"),
                },
                every,
                seen: Arc::default(),
            }
        }

        /// What the comparisons found.
        pub fn agreement(&self) -> Agreement {
            let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
            std::mem::take(&mut seen.1)
        }
    }

    impl Model for Compared {
        type Step = Step;
        type Property = Property;
        type Error = <ProtocolModel as Model>::Error;

        fn variant(&self) -> String {
            self.inner.variant()
        }

        fn config(&self) -> String {
            self.inner.config()
        }

        fn properties(&self) -> Vec<Property> {
            self.inner.properties()
        }

        fn execute(&self, log: &Log<Step>) -> Result<(), Self::Error> {
            self.inner.execute(log)
        }

        fn check(&self, steps: &[Step]) -> Vec<Violation<Property>> {
            self.inner.check(steps)
        }

        fn timeline(&self, steps: &[Step], violations: &[Violation<Property>]) -> String {
            self.inner.timeline(steps, violations)
        }

        fn thread_names(&self) -> Vec<String> {
            self.inner.thread_names()
        }

        fn validate(&self, steps: &[Step]) -> Result<bool, String> {
            let mut seen = self.seen.lock().unwrap_or_else(PoisonError::into_inner);
            seen.0 += 1;
            if seen.0 % self.every == 1 {
                let model = self.inner;
                seen.1
                    .compare(model.variant, model.config, Cycles::OneEach, steps);
            }
            self.inner.validate(steps)
        }
    }
}

#[cfg(loom)]
mod loom_executions {
    use super::checkers::Compared;
    use super::differential::Agreement;
    use planrace::Variant;
    use planrace::harness::explore;

    /// Two Enactors on two endpoints (where loom makes locks busy), within three preemptions:
    /// every variant, one execution in 10 compared.
    #[test]
    fn loom_executions_of_every_variant() {
        let mut all = Agreement::default();
        for variant in Variant::ALL {
            let model = Compared::new(variant, "2E2P4G2K", 10);
            let exploration = explore(model.clone(), Some(3)).expect("the exploration runs");
            assert_eq!(exploration.rejected, 0, "{variant}");
            let agreement = model.agreement();
            println!(
                "loom {variant} 2E2P4G2K bound 3: {} executions; {agreement}",
                exploration.executions
            );
            all.merge(agreement);
        }
        println!("loom, every variant: {all}");
        all.assert_discriminating();
        all.assert_documented(&format!(
            "loom, {} variants, `2E2P4G2K` bound 3",
            Variant::ALL.len()
        ));
    }
}

#[cfg(shuttle)]
mod shuttle_iterations {
    use super::checkers::Compared;
    use super::differential::Agreement;
    use planrace::Variant;
    use planrace::harness::{Sample, SchedulerKind, sample};

    /// Three Enactors on two endpoints, random and PCT schedules: every variant, one
    /// iteration in 10 compared.
    #[test]
    fn shuttle_iterations_of_every_variant() {
        let mut all = Agreement::default();
        for variant in Variant::ALL {
            for scheduler in [SchedulerKind::Random, SchedulerKind::Pct { depth: 3 }] {
                let model = Compared::new(variant, "3E2P5G2K", 10);
                let plan = Sample {
                    scheduler,
                    seeds: 0..4,
                    per_seed: 100,
                    until_first_violation: false,
                };
                let exploration = sample(model.clone(), &plan).expect("the sample runs");
                assert_eq!(exploration.rejected, 0, "{variant}");
                let agreement = model.agreement();
                println!(
                    "shuttle {} {variant} 3E2P5G2K: {} iterations; {agreement}",
                    scheduler.name(),
                    exploration.executions
                );
                all.merge(agreement);
            }
        }
        println!("shuttle, every variant: {all}");
        all.assert_discriminating();
        all.assert_documented(&format!(
            "shuttle, {} variants, `3E2P5G2K`",
            Variant::ALL.len()
        ));
    }
}
