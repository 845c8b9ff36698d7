//! The verdict tables of docs/verdicts.md, written and read here only: loom's (a row per
//! exploration, counting executions) and the step model's (stateright, counting states); and
//! what they say is safe. Available in every build, so that real-thread tests can trust what
//! the checkers found.

use crate::check::harness::{Verdict, VerdictLine};
use crate::protocol::variant::Variant;

/// The header line of loom's verdict table.
pub const TABLE_HEADER: &str =
    "| variant | property | config | bound | verdict | executions | violations | seconds |";

/// The header line of the step model's verdict table.
pub const STEP_TABLE_HEADER: &str =
    "| variant | property | config | bound | verdict | states | violations | seconds |";

/// The checker whose table has `header`, if it is a verdict table's.
fn checker_of(header: &str) -> Option<&'static str> {
    match header.trim() {
        TABLE_HEADER => Some("loom"),
        STEP_TABLE_HEADER => Some("stateright"),
        _ => None,
    }
}

/// One row of the Markdown table: the verdict of one (variant, property, configuration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerdictRow {
    /// The checker: `loom` or `stateright`.
    pub checker: String,
    /// Variant name.
    pub variant: String,
    /// Property name.
    pub property: String,
    /// Configuration, `<e>E<p>P<g>G<k>K`.
    pub config: String,
    /// Preemption bound, or `none`.
    pub bound: String,
    /// The verdict.
    pub verdict: Verdict,
    /// Executions (loom) or distinct states (stateright) explored.
    pub count: u64,
    /// How many of them violated the property.
    pub violations: u64,
}

impl From<VerdictLine> for VerdictRow {
    /// The table's columns of a verdict line (the seconds and witnesses stay on the line).
    fn from(line: VerdictLine) -> Self {
        Self {
            checker: line.checker,
            variant: line.variant,
            property: line.property,
            config: line.config,
            bound: line.bound,
            verdict: line.verdict,
            count: line.count,
            violations: line.violations,
        }
    }
}

/// The rows as a Markdown table, each with its exploration's seconds, every verdict weaker
/// than `holds` or `bounded` in bold.
/// The table's header follows the first row's checker.
pub fn write_markdown(rows: &[(VerdictRow, f64)]) -> String {
    let header = match rows.first() {
        Some((row, _)) if row.checker == "stateright" => STEP_TABLE_HEADER,
        _ => TABLE_HEADER,
    };
    let mut table = format!("{header}\n|---|---|---|---|---|---|---|---|\n");
    for (row, seconds) in rows {
        let verdict = if matches!(row.verdict, Verdict::Holds | Verdict::Bounded) {
            row.verdict.to_string()
        } else {
            format!("**{}**", row.verdict)
        };
        table.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {seconds:.2} |\n",
            row.variant, row.property, row.config, row.bound, verdict, row.count, row.violations,
        ));
    }
    table
}

/// Reads the rows of every table written by [`write_markdown`] out of a Markdown document
/// (other lines are ignored). Seconds are dropped: they are the one column that varies.
pub fn parse_markdown(document: &str) -> Vec<VerdictRow> {
    let mut rows = Vec::new();
    let mut lines = document.lines();
    while let Some(line) = lines.next() {
        let Some(checker) = checker_of(line) else {
            continue;
        };
        let _separator = lines.next();
        rows.extend(
            lines
                .by_ref()
                .take_while(|line| line.starts_with('|'))
                .filter_map(|line| parse_row(checker, line)),
        );
    }
    rows
}

fn parse_row(checker: &str, line: &str) -> Option<VerdictRow> {
    let cells: Vec<&str> = line
        .trim_matches('|')
        .split('|')
        .map(|cell| cell.trim().trim_matches('*'))
        .collect();
    let [
        variant,
        property,
        config,
        bound,
        verdict,
        count,
        violations,
        _seconds,
    ] = cells.as_slice()
    else {
        return None;
    };
    Some(VerdictRow {
        checker: checker.to_owned(),
        variant: (*variant).to_owned(),
        property: (*property).to_owned(),
        config: (*config).to_owned(),
        bound: (*bound).to_owned(),
        verdict: verdict.parse().ok()?,
        count: count.parse().ok()?,
        violations: violations.parse().ok()?,
    })
}

/// The variants whose every row in `document`'s verdict tables says `holds` or `bounded`:
/// those every checker found safe on every configuration it covered, within its bound.
pub fn safe_variants(document: &str) -> Vec<Variant> {
    let rows = parse_markdown(document);
    Variant::ALL
        .into_iter()
        .filter(|variant| {
            let mine: Vec<&VerdictRow> = rows
                .iter()
                .filter(|r| r.variant == variant.name())
                .collect();
            !mine.is_empty()
                && mine
                    .iter()
                    .all(|r| matches!(r.verdict, Verdict::Holds | Verdict::Bounded))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCUMENT: &str = "intro\n\n\
| variant | property | config | bound | verdict | executions | violations | seconds |\n\
|---|---|---|---|---|---|---|---|\n\
| Buggy | progress | 2E1P4G2K | none | **violated** | 10 | 2 | 0.50 |\n\
| Fixed | progress | 2E1P4G2K | none | holds | 8 | 0 | 0.40 |\n\
| Fixed | progress | 3E2P4G2K | 3 | holds | 9 | 0 | 0.40 |\n\
\nsecond table\n\n\
| variant | property | config | bound | verdict | executions | violations | seconds |\n\
|---|---|---|---|---|---|---|---|\n\
| Fixed | progress | 3E2P4G2K | 4 | holds | 90 | 0 | 4.00 |\n\
\nthe step model\n\n\
| variant | property | config | bound | verdict | states | violations | seconds |\n\
|---|---|---|---|---|---|---|---|\n\
| Fixed | progress | 3E3P5G2K | none | holds | 100 | 0 | 1.00 |\n";

    #[test]
    fn rows_are_read_back_without_the_seconds() {
        let rows = parse_markdown(DOCUMENT);
        assert_eq!(rows.len(), 5);
        assert_eq!(rows[3].bound, "4");
        assert_eq!(
            (rows[4].checker.as_str(), rows[4].count),
            ("stateright", 100)
        );
        assert_eq!(
            rows[0],
            VerdictRow {
                checker: "loom".into(),
                variant: "Buggy".into(),
                property: "progress".into(),
                config: "2E1P4G2K".into(),
                bound: "none".into(),
                verdict: Verdict::Violated,
                count: 10,
                violations: 2,
            }
        );
    }

    #[test]
    fn written_rows_read_back() {
        let rows = parse_markdown(DOCUMENT);
        for checker in ["loom", "stateright"] {
            let mine: Vec<VerdictRow> = rows
                .iter()
                .filter(|r| r.checker == checker)
                .cloned()
                .collect();
            let timed: Vec<(VerdictRow, f64)> = mine.iter().map(|r| (r.clone(), 1.5)).collect();
            let written = write_markdown(&timed);
            assert!(written.contains("| 1.50 |"));
            assert_eq!(parse_markdown(&written), mine);
        }
        assert!(write_markdown(&[(rows[0].clone(), 0.5)]).contains("| **violated** |"));
    }

    #[test]
    fn safe_means_every_row_holds() {
        assert_eq!(safe_variants(DOCUMENT), vec![Variant::Fixed]);
        assert!(safe_variants("no table here").is_empty());
    }
}
