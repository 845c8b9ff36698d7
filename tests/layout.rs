//! The layout's one rule, checked: no file of the library imports a file that imports it back,
//! directly or through others (README, "Layout"). Test modules are left out: a file's tests may
//! use anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `src/` except the binary, by module path (`protocol::zone`).
fn library_files(src: &Path) -> BTreeMap<String, PathBuf> {
    let mut files = BTreeMap::new();
    let mut folders = vec![src.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("src/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                if path != src.join("bin") {
                    folders.push(path);
                }
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path
                .strip_prefix(src)
                .expect("under src/")
                .with_extension("");
            let mut parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
                parts.pop();
            }
            files.insert(parts.join("::"), path);
        }
    }
    files
}

/// The text of a file up to its test module.
fn without_tests(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("a source file");
    let end = text.find("#[cfg(test)]\nmod tests").unwrap_or(text.len());
    text[..end].to_owned()
}

/// Every `crate::a::b` path in `text`, brace groups (`crate::a::{b, c::d}`) expanded.
fn crate_paths(text: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("crate::") {
        rest = &rest[start + "crate::".len()..];
        let (path, after) = read_path(rest);
        expand(&path, after, &mut paths);
    }
    paths
}

/// The `a::b::` path at the start of `text`, and what follows it.
fn read_path(text: &str) -> (String, &str) {
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(text.len());
    (text[..end].to_owned(), &text[end..])
}

fn expand(prefix: &str, after: &str, paths: &mut Vec<String>) {
    if !(prefix.ends_with("::") && after.starts_with('{')) {
        paths.push(prefix.trim_end_matches(':').to_owned());
        return;
    }
    let mut depth = 0;
    let mut item_start = 1;
    for (index, c) in after.char_indices() {
        match c {
            '{' => depth += 1,
            '}' | ',' if depth == 1 => {
                let item = after[item_start..index].trim();
                if !item.is_empty() {
                    let (path, inner) = read_path(item);
                    expand(&format!("{prefix}{path}"), inner, paths);
                }
                item_start = index + 1;
                if c == '}' {
                    return;
                }
            }
            '}' => depth -= 1,
            _ => {}
        }
    }
}

/// The file a path leads to: the longest module prefix that is a file.
fn target<'a>(path: &str, files: &'a BTreeMap<String, PathBuf>) -> Option<&'a String> {
    let parts: Vec<&str> = path.split("::").filter(|p| *p != "self").collect();
    (1..=parts.len())
        .rev()
        .find_map(|n| files.get_key_value(&parts[..n].join("::")).map(|(k, _)| k))
}

/// A file that can reach itself through its imports, with the files on the way.
fn first_circle(imports: &BTreeMap<String, BTreeSet<String>>) -> Option<(String, Vec<String>)> {
    imports.keys().find_map(|start| {
        let mut seen = BTreeSet::new();
        let mut frontier: Vec<&String> = imports[start].iter().collect();
        while let Some(next) = frontier.pop() {
            if next == start {
                return Some((start.clone(), seen.into_iter().cloned().collect()));
            }
            if seen.insert(next) {
                frontier.extend(imports.get(next).into_iter().flatten());
            }
        }
        None
    })
}

fn graph(edges: &[(&str, &str)]) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to) in edges {
        graph
            .entry((*from).to_owned())
            .or_default()
            .insert((*to).to_owned());
        graph.entry((*to).to_owned()).or_default();
    }
    graph
}

#[test]
fn no_file_imports_a_file_that_imports_it_back() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let files = library_files(&src);
    let imports: BTreeMap<String, BTreeSet<String>> = files
        .iter()
        .map(|(module, path)| {
            let targets = crate_paths(&without_tests(path))
                .iter()
                .filter_map(|p| target(p, &files))
                .filter(|t| *t != module)
                .cloned()
                .collect();
            (module.clone(), targets)
        })
        .collect();
    assert!(
        imports.values().map(BTreeSet::len).sum::<usize>() > files.len(),
        "the import scan found almost nothing: {imports:?}"
    );
    if let Some((file, through)) = first_circle(&imports) {
        panic!("{file} imports a file that imports it back (through {through:?})");
    }
}

#[test]
fn the_scan_sees_grouped_imports_and_circles() {
    assert_eq!(
        crate_paths("use crate::a::{b, c::{d, e}};\nlet x = crate::f::g(1);"),
        vec!["a::b", "a::c::d", "a::c::e", "f::g"]
    );
    let files: BTreeMap<String, PathBuf> = ["a", "a::c"]
        .iter()
        .map(|m| ((*m).to_owned(), PathBuf::new()))
        .collect();
    assert_eq!(target("a::c::d", &files).map(String::as_str), Some("a::c"));
    assert_eq!(target("a::b", &files).map(String::as_str), Some("a"));
    assert_eq!(target("z", &files), None);
    assert_eq!(first_circle(&graph(&[("a", "b"), ("b", "c")])), None);
    let circle = first_circle(&graph(&[("a", "b"), ("b", "c"), ("c", "a")]));
    assert_eq!(circle.map(|(file, _)| file), Some("a".to_owned()));
}
