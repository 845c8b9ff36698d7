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
//! nothing; it exits with an error when a verdict is `vacuous` or `inconclusive`:
//!
//! ```sh
//! LOOM_MAX_PREEMPTIONS=4 RUSTFLAGS="--cfg loom" cargo run --release --example verdicts -- ConditionalWriteOnly 3E2P4G2K
//! ```
//!
//! With `step-model`, it checks the step model's suite with stateright instead and rewrites
//! only that section of docs/verdicts.md (and the `stateright-*` counterexamples):
//!
//! ```sh
//! cargo run --release --features stateright --example verdicts -- step-model
//! ```

/// The heading of docs/verdicts.md's step-model section, which runs to the end of the file.
#[cfg(any(loom, feature = "stateright"))]
const STEP_SECTION: &str = "\n## The step model (stateright)\n";

/// The step-model section of the document at `path`, if it has one.
#[cfg(loom)]
fn kept_step_section(path: &std::path::Path) -> String {
    let document = std::fs::read_to_string(path).unwrap_or_default();
    document
        .find(STEP_SECTION)
        .map(|start| document[start..].to_owned())
        .unwrap_or_default()
}

/// Checks the step model's suite, writes its section of docs/verdicts.md (replacing the old
/// one) and its counterexamples under docs/counterexamples/ (`stateright-*`).
#[cfg(any(loom, feature = "stateright"))]
fn step_model() -> Result<(), Box<dyn std::error::Error>> {
    use planrace::testing::write_markdown;
    use planrace::{Cycles, STEP_SUITE, StepModel, check_step_model};

    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut rows = Vec::new();
    for (variant, config) in STEP_SUITE {
        let check = check_step_model(StepModel::new(variant, config, Cycles::OneEach)?);
        eprint!("{}", check.report());
        check.write_counterexamples(&root.join("docs/counterexamples"))?;
        rows.extend(check.rows());
    }
    let path = root.join("docs/verdicts.md");
    let document = std::fs::read_to_string(&path)?;
    let loom_part = document
        .find(STEP_SECTION)
        .map_or(&document[..], |end| &document[..end]);
    let section = format!(
        "{STEP_SECTION}\n\
         The step model (src/check/step_model/) checked by stateright: every reachable state, \
         Enactors interchangeable (symmetry reduction), no bound. `states` counts distinct \
         representative states, `violations` those in which the property fails. The verdict words \
         are defined in [checkers.md](checkers.md), \"The verdict words\". This is a result about the model; the code earns it through trace validation \
         ([checkers.md](checkers.md), \"What links it to the code\"). Written by `cargo run --release --features \
         stateright --example verdicts -- step-model`; the step-model tests fail when this \
         table and their own checks disagree (seconds aside). The shortest counterexamples are \
         the `stateright-*` files in [counterexamples/](counterexamples/).\n\n{}",
        write_markdown(&rows)
    );
    std::fs::write(
        &path,
        format!(
            "{}{section}",
            loom_part.trim_end_matches('\n').to_owned() + "\n"
        ),
    )?;
    eprintln!("wrote the step model's section of docs/verdicts.md");
    Ok(())
}

/// Runs `command`; an error is printed as its message (not its `Debug` form) with exit status 1.
#[cfg(any(loom, feature = "stateright"))]
fn exit_with(command: fn() -> Result<(), Box<dyn std::error::Error>>) -> std::process::ExitCode {
    match command() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("verdicts: error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

#[cfg(loom)]
fn main() -> std::process::ExitCode {
    exit_with(matrix)
}

/// Explores the whole matrix, or the one job named on the command line.
#[cfg(loom)]
fn matrix() -> Result<(), Box<dyn std::error::Error>> {
    use std::io::Write as _;
    use std::path::Path;

    use planrace::Variant;
    use planrace::testing::{DEEPER, Job, explore_job, explore_matrix, suite_jobs};

    let args: Vec<String> = std::env::args().skip(1).collect();
    if args == ["step-model"] {
        return step_model();
    }
    if let [variant, config] = args.as_slice() {
        return explore_one(variant.parse()?, config.parse()?);
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
                .all(|e| e.outcomes.iter().all(|o| !o.violated()))
        })
        .collect();
    let deeper_jobs: Vec<_> = unbroken
        .iter()
        .map(|variant| (*variant, DEEPER.config, DEEPER.bound))
        .collect();
    let deeper = explore_matrix(&deeper_jobs, 2, explore_and_show)?;
    let deeper_table = deeper.markdown();
    println!("{deeper_table}");

    // The step model's counterexamples (stateright-*) are written by the step-model mode.
    let examples = root.join("docs/counterexamples");
    if examples.exists() {
        for entry in std::fs::read_dir(&examples)? {
            let path = entry?.path();
            if !path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("stateright-"))
            {
                std::fs::remove_file(path)?;
            }
        }
    }
    for exploration in matrix.explorations.iter().chain(&deeper.explorations) {
        exploration.write_counterexamples(&examples)?;
    }
    write_document(root, &table, &deeper_table)
}

/// Explores `variant` on `config` alone and prints its report; a run that proved less than it
/// set out to (`vacuous`, `inconclusive`) is an error.
#[cfg(loom)]
fn explore_one(
    variant: planrace::Variant,
    config: planrace::Config,
) -> Result<(), Box<dyn std::error::Error>> {
    use planrace::Verdict;

    let exploration = planrace::explore(variant, config, planrace::preemption_bound(None)?)?;
    print!("{}", exploration.report());
    let weak: Vec<_> = exploration
        .outcomes
        .iter()
        .map(|outcome| exploration.verdict(outcome))
        .filter(|word| matches!(*word, Verdict::Vacuous | Verdict::Inconclusive))
        .collect();
    if let Some(word) = weak.first() {
        return Err(format!("{variant} {config}: {word} (see the report above)").into());
    }
    Ok(())
}

/// Writes docs/verdicts.md: the suite's `table`, the `deeper_table`, and the step model's
/// section as it was.
#[cfg(loom)]
fn write_document(
    root: &std::path::Path,
    table: &str,
    deeper_table: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    use planrace::testing::DEEPER;

    let document = format!(
        "# Verdict matrix\n\n\
         Every protocol variant explored by loom on every configuration of the suite, and \
         `Fixed` alone on 2E2P4G2K with no bound: the exhaustive proof that also covers an \
         Enactor finding a lock taken, which loom never explores on one endpoint \
         ([loom-blind-spot.md](loom-blind-spot.md)). Each verdict \
         is what the exploration found, not what was expected. `bound=none` means every \
         interleaving was explored; a number is loom's preemption bound. `executions` counts \
         complete interleavings, `violations` those in which the property failed. The verdict words are defined in \
         [checkers.md](checkers.md), \"The verdict words\". Written by \
         `RUSTFLAGS=\"--cfg loom\" cargo run --release --example verdicts`; the loom suite fails \
         when this table and its own exploration disagree (seconds aside). docs/variants.md \
         explains each row; the shortest counterexample of each violation is in \
         [counterexamples/](counterexamples/).\n\n{table}\n\
         ## Deeper runs\n\n\
         The variants that hold on every configuration above, explored once more on {} \
         with preemption bound {}. Written by the same command; too slow to repeat on every \
         CI run, so the loom suite does not check this table, but the real-thread stress tests \
         (tests/stress.rs) trust only variants that hold here too.\n\n{deeper_table}{}",
        DEEPER.config,
        planrace::harness::bound_label(DEEPER.bound),
        kept_step_section(&root.join("docs/verdicts.md"))
    );
    std::fs::write(root.join("docs/verdicts.md"), document)?;
    eprintln!("wrote docs/verdicts.md and docs/counterexamples/");
    Ok(())
}

#[cfg(all(not(any(loom, shuttle)), feature = "stateright"))]
fn main() -> std::process::ExitCode {
    exit_with(step_model_only)
}

/// Without loom only the step model's table can be written.
#[cfg(all(not(any(loom, shuttle)), feature = "stateright"))]
fn step_model_only() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().skip(1).eq(["step-model"]) {
        return step_model();
    }
    Err(
        "without --cfg loom only the step model's table can be written: \
         cargo run --release --features stateright --example verdicts -- step-model"
            .into(),
    )
}

#[cfg(any(shuttle, all(not(loom), not(feature = "stateright"))))]
fn main() {
    eprintln!(
        "the verdict matrix comes from loom: run\n  RUSTFLAGS=\"--cfg loom\" cargo run --release --example verdicts\n\
         and the step model's table from stateright:\n  cargo run --release --features stateright --example verdicts -- step-model"
    );
    std::process::exit(2);
}
