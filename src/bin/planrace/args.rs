//! The command line, as clap reads it: conventional parsing (`--flag value` and
//! `--flag=value`, `--help` on every command, `--version`), every number digits only and
//! within a stated range, and a flag given twice refused.

use clap::{Args, Parser, Subcommand, ValueEnum};
use planrace::recovery::ClientPolicy;
use planrace::{Config, MAX_GENERATIONS, MAX_LOCK_ATTEMPTS, Variant};

/// Most runs one `planrace run` may make.
pub const MAX_RUNS: u64 = 1_000_000;

/// Longest single pause a fault may inject, in microseconds (one second): every pause is
/// taken many times per run, so a longer one would make a run hang for practical purposes.
pub const MAX_PAUSE_US: u64 = 1_000_000;

/// The DNS plan-update race of October 2025, buggy and fixed, on real threads or checked.
#[derive(Debug, Parser)]
#[command(name = "planrace", version, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the protocol on real threads and report what the zone went through.
    Run(RunArgs),
    /// Force the incident's interleaving on real threads and print its timeline.
    Replay(ReplayArgs),
    /// Check the step model exhaustively with stateright (needs the stateright feature).
    Check(CheckArgs),
    /// Prove the protocol for every size with an SMT solver (needs z3 or cvc5 installed).
    Prove(ProveArgs),
    /// Simulate the fleet's recovery after the outage (deterministic, virtual time).
    Recover(RecoverArgs),
}

/// `planrace run`.
#[derive(Debug, Args)]
#[command(after_help = "\
On configurations with few generations (2E1P4G2K) the default bursts of 4 publish every plan \
at once and the race cannot show: add --burst 1.")]
pub struct RunArgs {
    /// Protocol variant: Buggy, Fixed, RecheckBeforeWrite, ConditionalWriteOnly,
    /// GuardedSweepOnly, GuardedSweepNonAtomic, SkipDeletedPlan, FixedWithoutCompare,
    /// FixedWithoutExistenceCheck, FixedNonAtomicSweep, FixedAgeSweep or FixedSkipPartlyApplied.
    #[arg(long, default_value = "Buggy", value_parser = variant)]
    pub variant: Variant,
    /// <E>E<P>P<G>G<K>K: Enactors (1-64), endpoints (1-256), generations (K+2 to 1000000)
    /// and sweep age K (1 to G-2).
    #[arg(long, default_value = "3E4P1000G2K", value_parser = config)]
    pub config: Config,
    /// Faults to inject; the options below adjust them.
    #[arg(long, value_enum, default_value_t = FaultKind::LockLoss)]
    pub faults: FaultKind,
    /// Percent of Enactor cycles that are slow [0-100].
    #[arg(long, value_parser = bounded::<0, 100>)]
    pub slow_percent: Option<u64>,
    /// Lock attempts a slow cycle loses per endpoint [0-3; 3 makes it give up].
    #[arg(long, value_parser = bounded::<0, { MAX_LOCK_ATTEMPTS as u64 }>)]
    pub lock_loss: Option<u64>,
    /// Microseconds each lost attempt costs [0-1000000].
    #[arg(long, value_parser = bounded::<0, MAX_PAUSE_US>)]
    pub backoff_us: Option<u64>,
    /// Microseconds a slow cycle waits before each write [0-1000000].
    #[arg(long, value_parser = bounded::<0, MAX_PAUSE_US>)]
    pub write_delay_us: Option<u64>,
    /// Generations the Planner publishes back to back [1-1000000].
    #[arg(long, value_parser = bounded::<1, MAX_GENERATIONS>)]
    pub burst: Option<u64>,
    /// Microseconds between bursts [0-1000000].
    #[arg(long, value_parser = bounded::<0, MAX_PAUSE_US>)]
    pub burst_pause_us: Option<u64>,
    /// Seed of the fault schedule [0-18446744073709551615; with --runs, the last seed too].
    #[arg(long, default_value_t = 0, value_parser = bounded::<0, { u64::MAX }>)]
    pub seed: u64,
    /// Consecutive seeds to run, starting at --seed [1-1000000].
    #[arg(long, default_value_t = 1, value_parser = bounded::<1, MAX_RUNS>)]
    pub runs: u64,
    /// Print JSON Lines: one object per run, then a summary object.
    #[arg(long)]
    pub json: bool,
    /// Where the records live: `memory` (in process), `bind` (a throw-away BIND 9 named on
    /// 127.0.0.1, removed at exit) or `dns://HOST:PORT` (a running server that accepts
    /// updates of planrace.test.); the last two need the dns feature.
    #[arg(long, default_value = "memory")]
    pub zone: String,
}

/// `planrace replay`.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Protocol variant (every variant replays the incident as its Enactors take it).
    #[arg(long, default_value = "Buggy", value_parser = variant)]
    pub variant: Variant,
    /// Where the records live (on a server, each step is followed by its answer): `memory` (in process), `bind` (a throw-away BIND 9 named on
    /// 127.0.0.1, removed at exit) or `dns://HOST:PORT` (a running server that accepts
    /// updates of planrace.test.); the last two need the dns feature.
    #[arg(long, default_value = "memory")]
    pub zone: String,
}

/// `planrace check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Protocol variant.
    #[arg(long, default_value = "Fixed", value_parser = variant)]
    pub variant: Variant,
    /// The configuration to check (the step model holds up to 63 generations).
    #[arg(long, default_value = "3E3P5G2K", value_parser = config)]
    pub config: Config,
    /// How many cycles each Enactor runs: one (then Enactor A's next cycle after every thread
    /// has joined), or forever (each Enactor loops while the Planner publishes).
    #[arg(long, value_enum, default_value_t = CyclesArg::One)]
    pub cycles: CyclesArg,
    /// Print JSON Lines: one object per property.
    #[arg(long)]
    pub json: bool,
    /// Browse the model's states in stateright's Explorer on 127.0.0.1 instead.
    #[arg(long)]
    pub serve: bool,
    /// The Explorer's port [1-65535]; implies --serve.
    #[arg(long, value_parser = bounded::<1, 65535>)]
    pub port: Option<u64>,
}

/// `--cycles`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CyclesArg {
    /// One cycle per Enactor, as the loom suite runs the code.
    One,
    /// Enactors that loop forever.
    Forever,
}

/// `planrace prove`.
#[derive(Debug, Args)]
#[command(after_help = "\
One line per variant and property: planrace-verdict checker=smt variant=<V> property=<P> \
config=any bound=none solver=<S> obligations=<N> violations=<N> verdict=<holds|violated|\
inconclusive> seconds=<S>; a refuted property is followed by its counterexample to induction \
and the step model's shortest violation. Then one planrace-conformance line per variant. The \
queries are written under target/planrace/proof/ (rerun one with `z3 FILE` or `cvc5 --mbqi FILE`). \
Exit status 3 when a link of the proof is broken (a conformance mismatch, or a proof the step \
model contradicts).")]
pub struct ProveArgs {
    /// Prove only this variant (default: every variant).
    #[arg(long, value_parser = variant)]
    pub variant: Option<Variant>,
    /// The solver that answers the obligations.
    #[arg(long, value_enum, default_value_t = SolverArg::Z3)]
    pub solver: SolverArg,
    /// The configuration of the conformance check (looping Enactors; the step model holds up
    /// to 63 generations).
    #[arg(long, default_value = "2E1P4G2K", value_parser = config)]
    pub conformance: Config,
    /// Print JSON Lines: one object per property, per solver call and per conformance check.
    #[arg(long)]
    pub json: bool,
}

/// `--solver`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SolverArg {
    /// z3 (Debian package z3).
    Z3,
    /// cvc5 (Debian package cvc5).
    Cvc5,
}

/// `planrace recover`.
#[derive(Debug, Args)]
#[command(after_help = "\
One line per run: planrace-recovery policy=<name> hosts=<N> recovered=<yes|no> \
recovery_s=<float|none> calls=<N> wasted=<N> peak_queue=<N> ... \
--brooker runs the calibration against \"Exponential Backoff And Jitter\" instead; \
--scenarios runs docs/recovery.svg's comparison and, with --svg, writes the picture.")]
pub struct RecoverArgs {
    /// Droplets in the fleet [1-1000000].
    #[arg(long, default_value_t = 100_000, value_parser = bounded::<1, 1_000_000>)]
    pub hosts: u64,
    /// Seconds the store stays unreachable [0-86400].
    #[arg(long, default_value_t = 9_360, value_parser = bounded::<0, 86_400>)]
    pub outage_s: u64,
    /// Seconds simulated [60-604800].
    #[arg(long, default_value_t = 43_200, value_parser = bounded::<60, 604_800>)]
    pub horizon_s: u64,
    /// Client policy: incident, fixed, exponential, full-jitter, equal-jitter,
    /// decorrelated-jitter or budget (full jitter with a retry budget).
    #[arg(long, default_value = "incident", value_parser = policy)]
    pub policy: ClientPolicy,
    /// Refuse calls while the lease manager's queue holds this many [1-10000000].
    #[arg(long, value_parser = bounded::<1, 10_000_000>)]
    pub throttle_queue: Option<u64>,
    /// Restart the lease manager after this many seconds of collapse [60-86400].
    #[arg(long, value_parser = bounded::<60, 86_400>)]
    pub restart_after_s: Option<u64>,
    /// Seed of the simulation's draws [0-18446744073709551615].
    #[arg(long, default_value_t = 0, value_parser = bounded::<0, { u64::MAX }>)]
    pub seed: u64,
    /// Print JSON Lines instead: one object per run.
    #[arg(long)]
    pub json: bool,
    /// Run the calibration against Brooker's backoff experiment instead.
    #[arg(long, conflicts_with_all = ["scenarios", "policy", "throttle_queue", "restart_after_s"])]
    pub brooker: bool,
    /// Contending clients of the calibration [1-10000].
    #[arg(long, default_value_t = 100, requires = "brooker", value_parser = bounded::<1, 10_000>)]
    pub clients: u64,
    /// Trials the calibration averages [1-100000].
    #[arg(long, default_value_t = 100, requires = "brooker", value_parser = bounded::<1, 100_000>)]
    pub trials: u64,
    /// Run every policy and remedy of docs/recovery.svg instead.
    #[arg(long, conflicts_with_all = ["policy", "throttle_queue", "restart_after_s"])]
    pub scenarios: bool,
    /// With --scenarios: write the picture to this file.
    #[arg(long, requires = "scenarios")]
    pub svg: Option<std::path::PathBuf>,
}

/// The faults `planrace run` can inject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FaultKind {
    /// The incident's: slow cycles lose locks and back off, the Planner publishes in bursts.
    LockLoss,
    /// None at all.
    None,
}

fn variant(text: &str) -> Result<Variant, String> {
    text.parse()
        .map_err(|e: planrace::VariantError| e.to_string())
}

fn policy(text: &str) -> Result<ClientPolicy, String> {
    text.parse()
        .map_err(|error: planrace::recovery::UnknownPolicy| error.to_string())
}

fn config(text: &str) -> Result<Config, String> {
    text.parse()
        .map_err(|e: planrace::ConfigError| e.to_string())
}

/// A number written in digits only (no sign, no spaces), from `MIN` to `MAX`.
fn bounded<const MIN: u64, const MAX: u64>(text: &str) -> Result<u64, String> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{text:?} is not a number (digits only)"));
    }
    let number: u64 = text
        .parse()
        .map_err(|_| format!("{text} is out of range: at most {MAX}"))?;
    if (MIN..=MAX).contains(&number) {
        Ok(number)
    } else {
        Err(format!("{number} is out of range: {MIN} to {MAX}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn numbers_are_digits_within_their_range() {
        assert_eq!(bounded::<1, 10>("7"), Ok(7));
        for bad in [
            "",
            "+5",
            "-1",
            " 5",
            "5 ",
            "0",
            "11",
            "99999999999999999999999",
        ] {
            assert!(bounded::<1, 10>(bad).is_err(), "{bad:?}");
        }
    }
}
