//! A table read out of a page of docs/, for the tests that hold the docs' numbers to their own
//! runs.

use std::path::Path;

/// The rows of the first table in `docs/<page>` whose header line starts with `header`, each
/// a list of its cells, trimmed, with the commas that group digits removed (the docs write
/// 1,234 where a run counts 1234). Empty when the page has no such table.
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
                .map(|c| c.trim().replace(',', ""))
                .collect()
        })
        .collect()
}
