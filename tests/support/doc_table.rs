//! A table read out of a page of docs/, for the tests that hold the docs' numbers to their own
//! runs.

use std::path::Path;

/// The rows of the first table in `docs/<page>` whose header line starts with `header`, each
/// a list of its cells, trimmed, with the commas that group digits removed (the docs write
/// 1,234 where a run counts 1234; "2E1P4G2K, no bound" keeps its comma). Empty when the page
/// has no such table.
pub fn table_rows(page: &str, header: &str) -> Vec<Vec<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join(page);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{} cannot be read: {e}", path.display()));
    text.lines()
        .skip_while(|line| !line.starts_with(header))
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .map(|line| {
            let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
            inner
                .split('|')
                .map(|cell| ungrouped(cell.trim()))
                .collect()
        })
        .collect()
}

/// `cell` without the commas that sit between two digits.
fn ungrouped(cell: &str) -> String {
    let chars: Vec<char> = cell.chars().collect();
    let grouping = |i: usize| {
        chars[i] == ','
            && i.checked_sub(1).is_some_and(|b| chars[b].is_ascii_digit())
            && chars.get(i + 1).is_some_and(char::is_ascii_digit)
    };
    (0..chars.len())
        .filter(|i| !grouping(*i))
        .map(|i| chars[i])
        .collect()
}
