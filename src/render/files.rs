//! The one place counterexamples become files: for each violated property, a `.txt` (verdict
//! line, timeline, replay script) and a `.svg` (sequence diagram), for loom's and shuttle's
//! explorations and for the step model's check alike.

use std::path::{Path, PathBuf};

#[cfg(any(loom, shuttle, planrace_docs))]
use crate::check::harness::Coverage;
#[cfg(any(loom, shuttle, planrace_docs))]
use crate::check::protocol_model::Exploration;
#[cfg(any(loom, feature = "stateright"))]
use crate::check::step_model::checker::StepCheck;
use crate::protocol::config::Config;
use crate::protocol::event::Step;
use crate::protocol::script::replay_instructions;
use crate::protocol::variant::Variant;
#[cfg(any(loom, shuttle, planrace_docs))]
use crate::render::svg::render_svg;

/// One counterexample's two files, `<stem>.txt` holding `before`, the replay script of
/// `steps`, then `after`, and `<stem>.svg` holding `svg`; returns their paths.
fn write_pair(
    dir: &Path,
    stem: &str,
    (before, after): (String, String),
    (variant, config, steps): (Variant, Config, &[Step]),
    svg: String,
) -> std::io::Result<[PathBuf; 2]> {
    let txt = dir.join(format!("{stem}.txt"));
    let replay = replay_instructions(variant, config, steps);
    std::fs::write(&txt, format!("{before}{replay}{after}"))?;
    let svg_path = dir.join(format!("{stem}.svg"));
    std::fs::write(&svg_path, svg)?;
    Ok([txt, svg_path])
}

#[cfg(any(loom, shuttle, planrace_docs))]
impl Exploration {
    /// Writes each violated property's shortest counterexample into `dir` as
    /// `<variant>-<property>-<config>.txt` (timeline, replay script, then the first
    /// counterexample) and `.svg` (sequence diagram). Returns the paths written.
    ///
    /// # Errors
    /// Any I/O error creating `dir` or writing a file.
    pub fn write_counterexamples(&self, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir)?;
        let (variant, config) = (self.model.variant, self.model.config);
        let mut written = Vec::new();
        for outcome in &self.outcomes {
            let (Some(first), Some(shortest)) = (&outcome.first, &outcome.shortest) else {
                continue;
            };
            let mut text = format!("{}\n\n", self.verdict_line(outcome));
            text.push_str(&self.describe("shortest", outcome.property, shortest));
            let mut after = String::from("\n");
            if first.execution != shortest.execution {
                after.push_str(&self.describe("first", outcome.property, first));
            }
            let title = format!(
                "{variant} {} {config}: shortest counterexample ({} steps, {} {} of {})",
                outcome.property,
                shortest.steps.len(),
                match self.coverage {
                    Coverage::Exhaustive { .. } => "execution",
                    Coverage::Sampled { .. } => "iteration",
                },
                shortest.execution,
                self.executions
            );
            let svg = render_svg(
                &title,
                &shortest.steps,
                config.endpoints(),
                Some(&shortest.violation),
            );
            written.extend(write_pair(
                dir,
                &self.file_stem(outcome.property),
                (text, after),
                (variant, config, &shortest.steps),
                svg,
            )?);
        }
        Ok(written)
    }
}

#[cfg(any(loom, feature = "stateright"))]
impl StepCheck {
    /// Writes each violated property's shortest counterexample into `dir` as
    /// `stateright-<variant>-<property>-<config>.txt` (verdict line and timeline) and `.svg`.
    /// Returns the paths written.
    ///
    /// # Errors
    /// Any I/O error creating `dir` or writing a file.
    pub fn write_counterexamples(&self, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        std::fs::create_dir_all(dir)?;
        let (variant, config) = (self.model.variant, self.model.config);
        let mut written = Vec::new();
        for outcome in &self.outcomes {
            let Some(example) = &outcome.shortest else {
                continue;
            };
            let title = format!(
                "{variant} {} {config}: shortest counterexample of the step model ({} model steps)",
                outcome.property, example.depth
            );
            let text = format!(
                "{}\n\n{title}:\n{}\n",
                self.verdict_line(outcome),
                example.execution.timeline()
            );
            written.extend(write_pair(
                dir,
                &format!("stateright-{variant}-{}-{config}", outcome.property),
                (text, String::new()),
                (variant, config, &example.execution.steps),
                example.execution.svg(&title),
            )?);
        }
        Ok(written)
    }
}
