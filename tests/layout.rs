//! The layout's rule, checked (lib.rs, "Layout"): no file of the library imports a file that
//! imports it back, directly or through others; no top-level folder of `src/` imports a folder
//! that imports it back; and no file of the `planrace` binary does either. Test modules are left
//! out: a file's tests may use anything.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file under `src/` except the binary, by module path (`protocol::zone`); for the
/// binary's folder, every file of the binary (`main` is the root).
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
            if parts
                .last()
                .is_some_and(|p| p == "mod" || p == "lib" || p == "main")
            {
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
    let end = ["#[cfg(test)]\nmod tests", "#[cfg(all(test, "]
        .iter()
        .filter_map(|marker| text.find(marker))
        .min()
        .unwrap_or(text.len());
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

/// What each file of `files` imports, by module path.
fn imports(files: &BTreeMap<String, PathBuf>) -> BTreeMap<String, BTreeSet<String>> {
    let imports: BTreeMap<String, BTreeSet<String>> = files
        .iter()
        .map(|(module, path)| {
            let targets = crate_paths(&without_tests(path))
                .iter()
                .filter_map(|p| target(p, files))
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
    imports
}

/// The same imports between top-level folders (`check::proof::formula` is in `check`); the
/// files at the top (`lib`, `testing`) each stand for themselves.
fn folder_imports(
    imports: &BTreeMap<String, BTreeSet<String>>,
) -> BTreeMap<String, BTreeSet<String>> {
    let top = |module: &str| module.split("::").next().unwrap_or_default().to_owned();
    let mut folders: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, targets) in imports {
        let from = top(module);
        let reached: BTreeSet<String> = targets
            .iter()
            .map(|t| top(t))
            .filter(|t| *t != from)
            .collect();
        folders.entry(from).or_default().extend(reached);
    }
    folders
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_file_imports_a_file_that_imports_it_back() {
    let imports = imports(&library_files(&src()));
    if let Some((file, through)) = first_circle(&imports) {
        panic!("{file} imports a file that imports it back (through {through:?})");
    }
}

#[test]
fn no_folder_imports_a_folder_that_imports_it_back() {
    let folders = folder_imports(&imports(&library_files(&src())));
    assert!(
        ["sync", "protocol", "check", "render", "run", "recovery"]
            .iter()
            .all(|folder| folders.contains_key(*folder)),
        "{folders:?}"
    );
    if let Some((folder, through)) = first_circle(&folders) {
        panic!("{folder}/ imports a folder that imports it back (through {through:?})");
    }
}

#[test]
fn no_file_of_the_binary_imports_a_file_that_imports_it_back() {
    let binary = library_files(&src().join("bin/planrace"));
    assert!(
        binary.contains_key("") && binary.contains_key("commands"),
        "{binary:?}"
    );
    if let Some((file, through)) = first_circle(&imports(&binary)) {
        panic!("the binary's {file} imports a file that imports it back (through {through:?})");
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
    // Files in a circle only through their folders: a::x -> b::y -> a::z.
    let by_folder = folder_imports(&graph(&[("a::x", "b::y"), ("b::y", "a::z")]));
    assert!(first_circle(&by_folder).is_some(), "{by_folder:?}");
}
