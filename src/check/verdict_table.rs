//! The verdict table of docs/verdicts.md: its rows, read back, and what they say is safe.
//! Available in every build, so that real-thread tests can trust what loom found.

use crate::protocol::variant::Variant;

/// The header line of the verdict table.
pub const TABLE_HEADER: &str =
    "| variant | property | config | bound | verdict | executions | violations | seconds |";

/// One row of the Markdown table: the verdict of one (variant, property, configuration).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerdictRow {
    /// Variant name.
    pub variant: String,
    /// Property name.
    pub property: String,
    /// Configuration, `<e>E<p>P<g>G<k>K`.
    pub config: String,
    /// Preemption bound, or `none`.
    pub bound: String,
    /// `holds` or `violated`.
    pub verdict: String,
    /// Executions explored.
    pub executions: u64,
    /// Executions that violated the property.
    pub violations: u64,
}

/// The rows as a Markdown table, each with its exploration's seconds, the violated verdicts in
/// bold.
pub fn write_markdown(rows: &[(VerdictRow, f64)]) -> String {
    let mut table = format!("{TABLE_HEADER}\n|---|---|---|---|---|---|---|---|\n");
    for (row, seconds) in rows {
        let verdict = if row.verdict == "holds" {
            row.verdict.clone()
        } else {
            format!("**{}**", row.verdict)
        };
        table.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {seconds:.2} |\n",
            row.variant,
            row.property,
            row.config,
            row.bound,
            verdict,
            row.executions,
            row.violations,
        ));
    }
    table
}

/// Reads the rows of every table written by [`write_markdown`] out of a Markdown document
/// (other lines are ignored). Seconds are dropped: they are the one column that varies.
pub fn parse_markdown(document: &str) -> Vec<VerdictRow> {
    let mut rows = Vec::new();
    let mut lines = document.lines();
    while lines.any(|line| line.trim() == TABLE_HEADER) {
        let _separator = lines.next();
        rows.extend(
            lines
                .by_ref()
                .take_while(|line| line.starts_with('|'))
                .filter_map(parse_row),
        );
    }
    rows
}

fn parse_row(line: &str) -> Option<VerdictRow> {
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
        executions,
        violations,
        _seconds,
    ] = cells.as_slice()
    else {
        return None;
    };
    Some(VerdictRow {
        variant: (*variant).to_owned(),
        property: (*property).to_owned(),
        config: (*config).to_owned(),
        bound: (*bound).to_owned(),
        verdict: (*verdict).to_owned(),
        executions: executions.parse().ok()?,
        violations: violations.parse().ok()?,
    })
}

/// The variants whose every row in `document`'s verdict table says `holds`: those loom found
/// safe on every configuration it explored.
pub fn safe_variants(document: &str) -> Vec<Variant> {
    let rows = parse_markdown(document);
    Variant::ALL
        .into_iter()
        .filter(|variant| {
            let mine: Vec<&VerdictRow> = rows
                .iter()
                .filter(|r| r.variant == variant.name())
                .collect();
            !mine.is_empty() && mine.iter().all(|r| r.verdict == "holds")
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
| Fixed | progress | 3E2P4G2K | 4 | holds | 90 | 0 | 4.00 |\n";

    #[test]
    fn rows_are_read_back_without_the_seconds() {
        let rows = parse_markdown(DOCUMENT);
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[3].bound, "4");
        assert_eq!(
            rows[0],
            VerdictRow {
                variant: "Buggy".into(),
                property: "progress".into(),
                config: "2E1P4G2K".into(),
                bound: "none".into(),
                verdict: "violated".into(),
                executions: 10,
                violations: 2,
            }
        );
    }

    #[test]
    fn written_rows_read_back() {
        let rows = parse_markdown(DOCUMENT);
        let timed: Vec<(VerdictRow, f64)> = rows.iter().map(|r| (r.clone(), 1.5)).collect();
        let written = write_markdown(&timed);
        assert!(written.contains("| **violated** |") && written.contains("| 1.50 |"));
        assert_eq!(parse_markdown(&written), rows);
    }

    #[test]
    fn safe_means_every_row_holds() {
        assert_eq!(safe_variants(DOCUMENT), vec![Variant::Fixed]);
        assert!(safe_variants("no table here").is_empty());
    }
}
