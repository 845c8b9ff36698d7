//! Explores every variant on every configuration of the loom suite, prints the verdict matrix
//! as a Markdown table, and writes it to docs/verdicts.md, with every shortest counterexample
//! in docs/counterexamples/ (.txt timeline and replay script, .svg sequence diagram).
//!
//! ```sh
//! RUSTFLAGS="--cfg loom" cargo run --release --example verdicts
//! ```
//!
//! With a variant and a configuration, it explores just that one (with `LOOM_MAX_PREEMPTIONS`
//! as the bound, none when unset) and prints its verdict lines and counterexamples, writing
//! nothing:
//!
//! ```sh
//! LOOM_MAX_PREEMPTIONS=4 RUSTFLAGS="--cfg loom" cargo run --release --example verdicts -- ConditionalWriteOnly 3E2P4G2K
//! ```

#[cfg(loom)]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    use std::io::Write as _;
    use std::path::Path;

    use planrace::Variant;
    use planrace::testing::{DEEPER, Job, explore_job, explore_matrix, suite_jobs};

    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [variant, config] = args.as_slice() {
        let variant: Variant = variant.parse()?;
        let config: planrace::Config = config.parse()?;
        let exploration = planrace::explore(variant, config, planrace::preemption_bound(None)?)?;
        print!("{}", exploration.report());
        return Ok(());
    }
    if !args.is_empty() {
        return Err("usage: verdicts [VARIANT CONFIG]".into());
    }

    // Each exploration's verdict lines go to stderr as it finishes.
    let explore_and_show = |job: Job| {
        let exploration = explore_job(job)?;
        for outcome in &exploration.outcomes {
            let _ = writeln!(std::io::stderr(), "{}", exploration.verdict_line(outcome));
        }
        Ok(exploration)
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let matrix = explore_matrix(&suite_jobs()?, 2, explore_and_show)?;
    let table = matrix.markdown();
    println!("{table}");

    // Look deeper where the suite found nothing.
    let unbroken: Vec<Variant> = Variant::ALL
        .into_iter()
        .filter(|variant| {
            matrix
                .explorations
                .iter()
                .filter(|e| e.model.variant == *variant)
                .all(|e| e.outcomes.iter().all(|o| o.holds()))
        })
        .collect();
    let (config, bound) = DEEPER;
    let deeper_config: planrace::Config = config.parse()?;
    let deeper_jobs: Vec<_> = unbroken
        .iter()
        .map(|variant| (*variant, deeper_config, Some(bound)))
        .collect();
    let deeper = explore_matrix(&deeper_jobs, 2, explore_and_show)?;
    let deeper_table = deeper.markdown();
    println!("{deeper_table}");

    let examples = root.join("docs/counterexamples");
    if examples.exists() {
        std::fs::remove_dir_all(&examples)?;
    }
    for exploration in matrix.explorations.iter().chain(&deeper.explorations) {
        exploration.write_counterexamples(&examples)?;
    }
    let document = format!(
        "# Verdict matrix\n\n\
         Every protocol variant explored by loom on every configuration of the suite, and \
         `Fixed` alone on 2E2P4G2K with no bound: the exhaustive proof that also covers an \
         Enactor finding a lock taken, which loom never explores on one endpoint \
         (docs/model.md). Each verdict \
         is what the exploration found, not what was expected. `bound=none` means every \
         interleaving was explored; a number is loom's preemption bound. `executions` counts \
         complete interleavings, `violations` those in which the property failed. Written by \
         `RUSTFLAGS=\"--cfg loom\" cargo run --release --example verdicts`; the loom suite fails \
         when this table and its own exploration disagree (seconds aside). docs/variants.md \
         explains each row; the shortest counterexample of each violation is in \
         [counterexamples/](counterexamples/).\n\n{table}\n\
         ## Deeper runs\n\n\
         The variants that hold on every configuration above, explored once more on {config} \
         with preemption bound {bound}. Written by the same command; too slow to repeat on every \
         CI run, so the loom suite does not check this table, but the real-thread stress tests \
         (tests/stress.rs) trust only variants that hold here too.\n\n{deeper_table}"
    );
    std::fs::write(root.join("docs/verdicts.md"), document)?;
    eprintln!("wrote docs/verdicts.md and docs/counterexamples/");
    Ok(())
}

#[cfg(not(loom))]
fn main() {
    eprintln!(
        "the verdict matrix comes from loom: run\n  RUSTFLAGS=\"--cfg loom\" cargo run --release --example verdicts"
    );
    std::process::exit(2);
}
