//! A log laid out as text: a column per thread, a row per step.

use std::fmt::{self, Write as _};

use crate::check::harness::model::Violation;

/// The width a timeline is laid out for.
pub const TIMELINE_WIDTH: usize = 100;

/// Width of the step-number gutter in a timeline.
const GUTTER: usize = 5;

/// A timeline under construction: a column per thread, a row per step, indented lines for the
/// state after a step and for the properties it broke. Laid out for [`TIMELINE_WIDTH`] columns.
#[derive(Debug, Clone)]
pub struct Timeline {
    lanes: Vec<String>,
    column: usize,
    text: String,
}

impl Timeline {
    /// A timeline with a column for each of `lanes` (thread names, in column order).
    pub fn new(lanes: Vec<String>) -> Self {
        let column = (TIMELINE_WIDTH - GUTTER) / lanes.len().max(1);
        Self {
            lanes,
            column,
            text: String::new(),
        }
    }

    /// A line of its own, outside the columns (a summary of the setup, say).
    pub fn line(&mut self, text: &str) {
        let _ = writeln!(self.text, "{text}");
    }

    /// The column headings and a rule under them.
    pub fn header(&mut self) {
        let mut header = format!("{:<GUTTER$}", "step");
        for lane in &self.lanes {
            let _ = write!(header, "{lane:<width$}", width = self.column);
        }
        let _ = writeln!(self.text, "{}", header.trim_end());
        let _ = writeln!(
            self.text,
            "{}",
            "-".repeat(GUTTER + self.column * self.lanes.len())
        );
    }

    /// Step number `index`, taken by the thread in column `lane`.
    pub fn step(&mut self, index: usize, lane: usize, event: impl fmt::Display) {
        let row = format!(
            "{index:<GUTTER$}{:indent$}{event}",
            "",
            indent = lane.min(self.lanes.len().saturating_sub(1)) * self.column
        );
        let _ = writeln!(self.text, "{}", row.trim_end());
    }

    /// The state after the last step, on an indented `=>` line.
    pub fn state(&mut self, state: impl fmt::Display) {
        let _ = writeln!(self.text, "{:GUTTER$}=> {state}", "");
    }

    /// Marks `violation` under the last step.
    pub fn violated<P: fmt::Display>(&mut self, violation: &Violation<P>) {
        let _ = writeln!(
            self.text,
            "{:GUTTER$}^^^ {} violated: {}",
            "", violation.property, violation.detail
        );
    }

    /// The rendered timeline.
    pub fn finish(self) -> String {
        self.text
    }
}
