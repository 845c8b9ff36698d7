//! A judged execution ([`crate::check::execution::Execution`]) as a picture (`svg`: an SVG
//! sequence diagram), and the files counterexamples are written to (`files`). Both read the
//! log and the violations the checkers produced, never the live structures; the text timeline
//! is the checkers' own (`check/execution.rs`), since their reports print it.

#[cfg(any(loom, shuttle, planrace_docs, feature = "stateright"))]
pub(crate) mod files;
pub(crate) mod svg;
