//! Ratios between designs measured in the same run, their spread over several runs, and what
//! this machine can decide from them.
//!
//! At every point (endpoints x Enactors) one run interleaves fixed-work runs
//! (`support/fixed_work.rs`) of `Buggy`, `Fixed`, `GlobalMutex`, `AtomicLimit` and `Buggy`
//! again, rotating the
//! order each round so that a drift of the machine's speed during the run falls on every design
//! alike. A run's ratio is a throughput ratio of medians (`Fixed / Buggy` above 1 means `Fixed`
//! is faster). `Buggy / Buggy` compares a design with itself: its spread is the noise this
//! machine adds to a ratio at that point.
//!
//! The target is `Fixed` at least 0.95x `Buggy`. A point is `met` when every run's ratio is at
//! least 0.95, `missed` when every run's ratio is below it, and `undecidable` when the runs fall
//! on both sides: the noise is then larger than the distance to the target.
//!
//! `cargo bench --bench ratios` prints one `planrace-ratio` line per point, then a Markdown
//! table; progress goes to stderr.

#[cfg(not(any(loom, shuttle)))]
#[path = "support/fixed_work.rs"]
mod fixed_work;

#[cfg(not(any(loom, shuttle)))]
mod real {
    use std::time::Duration;

    use planrace::Variant;

    use crate::fixed_work::{self, Design};

    /// Plans per fixed-work run.
    const PLANS: u64 = 100;
    /// Independent runs per point; the spread is taken over these.
    const RUNS: usize = 5;
    /// Measurements of each design in one run; a run's figure is their median.
    const ROUNDS: usize = 11;
    /// Roughly how long one measurement (a batch of fixed-work runs) takes.
    const BATCH: Duration = Duration::from_millis(20);
    /// `Fixed` must reach this fraction of `Buggy`'s throughput.
    const TARGET: f64 = 0.95;
    const ENACTORS: [usize; 4] = [1, 2, 3, 8];
    const ENDPOINTS: [usize; 3] = [1, 64, 1024];

    /// The designs one run interleaves; the last is the control, `Buggy` measured again.
    const ARMS: [Design; 5] = [
        Design::Protocol(Variant::Buggy),
        Design::Protocol(Variant::Fixed),
        Design::GlobalMutex,
        Design::AtomicLimit,
        Design::Protocol(Variant::Buggy),
    ];
    const BUGGY: usize = 0;
    const FIXED: usize = 1;
    const GLOBAL_MUTEX: usize = 2;
    const ATOMIC_LIMIT: usize = 3;
    /// The ratios reported besides the control: `Fixed` over each of these arms, `Buggy`
    /// first (the target is about that one).
    const REFERENCES: [usize; 3] = [BUGGY, GLOBAL_MUTEX, ATOMIC_LIMIT];
    const CONTROL: usize = 4;

    /// A ratio's median and range over the runs.
    #[derive(Debug, Clone, Copy)]
    struct Spread {
        median: f64,
        min: f64,
        max: f64,
    }

    impl Spread {
        fn of(mut values: Vec<f64>) -> Spread {
            values.sort_by(f64::total_cmp);
            Spread {
                median: values[values.len() / 2],
                min: values[0],
                max: values[values.len() - 1],
            }
        }

        fn field(&self) -> String {
            format!("{:.3}[{:.3}..{:.3}]", self.median, self.min, self.max)
        }

        fn cell(&self) -> String {
            format!("{:.2} ({:.2}-{:.2})", self.median, self.min, self.max)
        }
    }

    /// What one point's runs say about the target.
    fn decision(ratio: &Spread) -> &'static str {
        if ratio.min >= TARGET {
            "met"
        } else if ratio.max < TARGET {
            "missed"
        } else {
            "undecidable"
        }
    }

    fn median(mut times: Vec<Duration>) -> f64 {
        times.sort();
        times[times.len() / 2].as_secs_f64()
    }

    /// Fixed-work runs per measurement so that one takes about [`BATCH`].
    fn batch_size(enactors: usize, endpoints: usize) -> u32 {
        for design in ARMS {
            fixed_work::run(design, enactors, endpoints, PLANS);
        }
        let one = fixed_work::run(ARMS[BUGGY], enactors, endpoints, PLANS);
        (BATCH.as_secs_f64() / one.as_secs_f64().max(1e-9)).clamp(1.0, 1000.0) as u32
    }

    /// One run at one point: the median time of each arm.
    fn run(enactors: usize, endpoints: usize, batch: u32) -> [f64; ARMS.len()] {
        let mut times: [Vec<Duration>; ARMS.len()] = Default::default();
        for round in 0..ROUNDS {
            for offset in 0..ARMS.len() {
                let arm = (round + offset) % ARMS.len();
                let time = (0..batch)
                    .map(|_| fixed_work::run(ARMS[arm], enactors, endpoints, PLANS))
                    .sum();
                times[arm].push(time);
            }
        }
        times.map(median)
    }

    struct Point {
        endpoints: usize,
        enactors: usize,
        /// `Fixed` over each of [`REFERENCES`], in that order.
        fixed_over: Vec<Spread>,
        control: Spread,
    }

    fn measure(endpoints: usize, enactors: usize) -> Point {
        let batch = batch_size(enactors, endpoints);
        let runs: Vec<[f64; ARMS.len()]> =
            (0..RUNS).map(|_| run(enactors, endpoints, batch)).collect();
        // Throughput ratios: a design's throughput is the inverse of its time.
        let ratio =
            |num: usize, den: usize| Spread::of(runs.iter().map(|t| t[den] / t[num]).collect());
        Point {
            endpoints,
            enactors,
            fixed_over: REFERENCES.map(|arm| ratio(FIXED, arm)).to_vec(),
            control: ratio(CONTROL, BUGGY),
        }
    }

    pub fn main() {
        let mut points = Vec::new();
        for endpoints in ENDPOINTS {
            for enactors in ENACTORS {
                eprintln!("ratios: {endpoints} endpoint(s), {enactors} Enactor(s), {RUNS} runs");
                let point = measure(endpoints, enactors);
                let ratios: Vec<String> = REFERENCES
                    .iter()
                    .zip(&point.fixed_over)
                    .map(|(arm, spread)| {
                        format!("fixed_over_{}={}", ARMS[*arm].name(), spread.field())
                    })
                    .collect();
                println!(
                    "planrace-ratio endpoints={endpoints} enactors={enactors} plans={PLANS} \
                     runs={RUNS} {} buggy_over_buggy={} target={TARGET} decision={}",
                    ratios.join(" "),
                    point.control.field(),
                    decision(&point.fixed_over[0]),
                );
                points.push(point);
            }
        }
        let headings: Vec<String> = REFERENCES
            .iter()
            .map(|arm| format!("Fixed / {}", ARMS[*arm].name()))
            .collect();
        println!();
        println!(
            "| endpoints | Enactors | {} | Buggy / Buggy (noise) | Fixed >= {TARGET}x Buggy |",
            headings.join(" | ")
        );
        println!("|---|---|{}---|---|", "---|".repeat(headings.len()));
        for point in &points {
            let cells: Vec<String> = point.fixed_over.iter().map(Spread::cell).collect();
            println!(
                "| {} | {} | {} | {} | {} |",
                point.endpoints,
                point.enactors,
                cells.join(" | "),
                point.control.cell(),
                decision(&point.fixed_over[0]),
            );
        }
    }
}

#[cfg(not(any(loom, shuttle)))]
fn main() {
    real::main();
}

#[cfg(any(loom, shuttle))]
fn main() {}
