//! The docs make no claim the code does not back: every Rust block of the worked example is
//! copied from the file CI builds and runs, the postmortem's timeline is the incident replay,
//! the README's is the committed loom counterexample, and every relative link leads somewhere.
#![cfg(not(any(loom, shuttle)))]

#[path = "support/doc_table.rs"]
mod doc_table;

use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The contents of every fenced block whose info string is `lang`.
fn blocks(markdown: &str, lang: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match (&mut current, line.trim_start().strip_prefix("```")) {
            (None, Some(info)) if info.trim() == lang => current = Some(String::new()),
            (Some(block), Some("")) => {
                found.push(std::mem::take(block));
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    found
}

#[test]
fn the_worked_examples_quote_the_examples_that_ci_runs() {
    let examples = [
        read("examples/config_gc.rs"),
        read("examples/lockfree.rs"),
        read("tests/guide_model.rs"),
    ];
    let quoted = blocks(&read("docs/checking-your-own-updater.md"), "rust");
    assert!(quoted.len() >= 8, "the walkthrough quotes the examples");
    assert!(
        quoted.contains(&examples[2]),
        "the guide quotes tests/guide_model.rs whole"
    );
    for block in quoted {
        assert!(
            examples.iter().any(|example| example.contains(&block)),
            "docs/checking-your-own-updater.md quotes code that neither examples/config_gc.rs, \
             examples/lockfree.rs nor tests/guide_model.rs has:\n{block}"
        );
    }
    let lockfree = &examples[1];
    let quoted_lockfree = blocks(&read("docs/checking-your-own-updater.md"), "rust")
        .into_iter()
        .filter(|block| lockfree.contains(block))
        .count();
    assert!(
        quoted_lockfree >= 2,
        "the lock-free section quotes examples/lockfree.rs"
    );
}

#[test]
fn the_postmortem_timeline_is_the_incident_replay() {
    let replay = planrace::replay(planrace::ReplayOptions::incident(planrace::Variant::Buggy))
        .expect("the replay runs");
    let quoted = blocks(&read("docs/postmortem.md"), "text");
    assert_eq!(quoted.len(), 1);
    assert_eq!(
        quoted[0],
        replay.timeline(),
        "docs/postmortem.md's timeline differs from `planrace replay --variant Buggy`"
    );
}

#[test]
fn the_readme_timeline_is_the_committed_counterexample() {
    let counterexample = read("docs/counterexamples/Buggy-no_empty_record-2E1P4G2K.txt");
    let timeline = blocks(&read("README.md"), "text")
        .into_iter()
        .find(|block| block.starts_with("setup:"))
        .expect("README shows a timeline");
    assert!(counterexample.contains(&timeline));
}

#[test]
fn every_relative_link_leads_to_a_file() {
    let mut pages: Vec<PathBuf> = vec![root().join("README.md")];
    for entry in std::fs::read_dir(root().join("docs")).expect("docs/") {
        let path = entry.expect("docs entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            pages.push(path);
        }
    }
    let mut checked = 0;
    for page in pages {
        let text = std::fs::read_to_string(&page).expect("readable page");
        let dir = page.parent().expect("a page is in a directory");
        for target in text
            .split("](")
            .skip(1)
            .filter_map(|rest| rest.split(')').next())
        {
            if target.starts_with("http") || target.starts_with('#') {
                continue;
            }
            let file = target.split('#').next().unwrap_or(target);
            assert!(
                dir.join(file).exists(),
                "{} links to {target}, which does not exist",
                page.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 20, "only {checked} links found");
}

/// The title of docs/incident.svg.
const INCIDENT_TITLE: &str =
    "The incident's interleaving under Buggy, 2E1P4G2K (planrace replay --variant Buggy)";

#[test]
fn the_incident_diagram_is_the_incident_replay() {
    let replay = planrace::replay(planrace::ReplayOptions::incident(planrace::Variant::Buggy))
        .expect("the replay runs");
    let drawn = replay.svg(INCIDENT_TITLE);
    let path = root().join("docs/incident.svg");
    let kept = read("docs/incident.svg");
    // Blessing rewrites the file and still fails this run: it never turns a red test green.
    if kept != drawn && std::env::var_os("PLANRACE_BLESS").is_some() {
        std::fs::write(&path, &drawn).expect("docs/ is writable");
        panic!("docs/incident.svg was out of date and is rewritten: run the test again");
    }
    assert_eq!(
        kept, drawn,
        "docs/incident.svg is out of date: rewrite it with PLANRACE_BLESS=1 cargo test --test docs, then run again"
    );
}

/// The pages whose counts come from docs/verdicts.md. Not checked here: verdicts.md itself
/// (the source), benchmarks.md (its own measurements), testing.md and
/// checking-your-own-updater.md (counts of other runs: mutants, samples, the guide's models).
const PAGES_QUOTING_VERDICTS: [&str; 11] = [
    "README.md",
    "docs/model.md",
    "docs/checkers.md",
    "docs/loom-blind-spot.md",
    "docs/safe-updaters.md",
    "docs/variants.md",
    "docs/postmortem.md",
    "docs/operations.md",
    "docs/real-stores.md",
    "docs/proof.md",
    "docs/cli.md",
];

/// `1,603,473` as a number, if the word is one (digits, with thousands separators).
fn count(word: &str) -> Option<u64> {
    let word = word.trim_matches(|c: char| !c.is_ascii_digit());
    let digits: String = word.chars().filter(|c| *c != ',').collect();
    if word.is_empty() || !word.chars().all(|c| c.is_ascii_digit() || c == ',') {
        return None;
    }
    digits.parse().ok()
}

/// What the prose quotes: `(Some(violations), total)` for "N of M executions" (or "N of its M
/// executions"), `(None, total)` for "M executions" standing alone; states likewise.
fn quoted_counts(text: &str) -> Vec<(Option<u64>, u64, String)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let unit = |w: &str| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        w == "executions" || w == "states"
    };
    let mut found = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let Some(total) = count(word) else { continue };
        if !words.get(i + 1).is_some_and(|w| unit(w)) {
            continue;
        }
        let context = words[i.saturating_sub(4)..(i + 2).min(words.len())].join(" ");
        let before = |k: usize| i.checked_sub(k).map(|j| words[j]);
        let of_at = match (before(1), before(2)) {
            (Some("of"), _) => Some(2),
            (Some("its" | "the"), Some("of")) => Some(3),
            _ => None,
        };
        match of_at.and_then(before).and_then(count) {
            Some(violations) => found.push((Some(violations), total, context)),
            // "every 20,000 executions" is a rate, and a small count is another program's.
            None if before(1) != Some("every") && total >= 1_000 => {
                found.push((None, total, context));
            }
            None => {}
        }
    }
    found
}

/// The rows of docs/testing.md's table of witness counts: each exploration's executions and
/// its four witness counts, which the loom suite checks against its own explorations
/// (`docs_witness_counts_match_the_exploration` in tests/loom_matrix.rs).
fn witness_rows() -> Vec<(u64, Vec<u64>)> {
    doc_table::table_rows("testing.md", "| Variant | Config | Executions |")
        .into_iter()
        .map(|row| {
            let cells: Vec<u64> = row[2..].iter().filter_map(|cell| count(cell)).collect();
            assert_eq!(cells.len(), 5, "a witness row has five counts: {row:?}");
            (cells[0], cells[1..].to_vec())
        })
        .collect()
}

/// Every execution or state count the prose quotes is docs/verdicts.md's: "N of M executions"
/// is some row's violations and executions, and "M executions" some row's total. A count of
/// executions that reached a situation ("a lock found taken in N of the M executions") is a
/// witness count of docs/testing.md's table, which the loom suite checks. A count that drifts
/// from the table it comes from fails here, not in a reader's hands.
#[test]
fn the_counts_in_the_prose_are_the_verdict_tables() {
    let rows = planrace::testing::parse_markdown(&read("docs/verdicts.md"));
    assert!(!rows.is_empty(), "docs/verdicts.md has no verdict table");
    let witnessed = witness_rows();
    assert!(
        !witnessed.is_empty(),
        "docs/testing.md has no witness table"
    );
    let mut checked = 0;
    for page in PAGES_QUOTING_VERDICTS {
        for (violations, total, context) in quoted_counts(&read(page)) {
            let verdict = rows
                .iter()
                .any(|row| row.count == total && violations.is_none_or(|v| row.violations == v));
            let witness = witnessed.iter().any(|(executions, counts)| {
                *executions == total && violations.is_none_or(|v| counts.contains(&v))
            });
            assert!(
                verdict || witness,
                "{page} quotes \"{context}\", which no row of docs/verdicts.md or of \
                 docs/testing.md's witness table says"
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} counts found in the prose");
}

/// docs/safe-updaters.md's table of the sweep's age K is the step model's rows of
/// docs/verdicts.md: for each K, `Buggy`'s states, its emptied and its stuck states, and
/// `Fixed`'s states and verdict at 3 Enactors, 3 endpoints and 5 generations.
#[test]
fn the_sweep_age_table_is_the_step_models() {
    let rows: Vec<_> = planrace::testing::parse_markdown(&read("docs/verdicts.md"))
        .into_iter()
        .filter(|row| row.checker == "stateright")
        .collect();
    let row = |variant: &str, property: &str, k: &str| {
        rows.iter()
            .find(|r| {
                r.variant == variant && r.property == property && r.config == format!("3E3P5G{k}K")
            })
            .unwrap_or_else(|| panic!("no step-model row for {variant} {property} K={k}"))
    };
    let table = doc_table::table_rows("safe-updaters.md", "| K |");
    assert_eq!(table.len(), 3, "one row per K");
    for cells in &table {
        let k = cells[0].as_str();
        let buggy = row("Buggy", "no_empty_record", k);
        let expected = [
            k.to_owned(),
            buggy.count.to_string(),
            buggy.violations.to_string(),
            row("Buggy", "progress", k).violations.to_string(),
            row("Fixed", "no_empty_record", k).count.to_string(),
            row("Fixed", "no_empty_record", k).verdict.to_string(),
        ];
        assert_eq!(
            cells.as_slice(),
            expected,
            "docs/safe-updaters.md's row for K={k}"
        );
    }
}

#[test]
fn quoted_counts_reads_pairs_and_totals_and_skips_rates() {
    let quoted = quoted_counts(
        "loom finds it in 31,848 of 322,106 executions, 1,008 of its 100,104 executions \
         empty it; 1,603,473 executions in all, a line every 20,000 executions, 4 executions.",
    );
    let counts: Vec<(Option<u64>, u64)> = quoted.iter().map(|(v, t, _)| (*v, *t)).collect();
    assert_eq!(
        counts,
        [
            (Some(31_848), 322_106),
            (Some(1_008), 100_104),
            (None, 1_603_473)
        ]
    );
}
