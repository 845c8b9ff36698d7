//! Everything `planrace` prints on stdout goes through [`Output`]: text, and JSON Lines (one
//! JSON object per line, written here only, with serde). A reader that went away (a closed
//! pipe) ends the program quietly; any other write error is reported once.

use std::io::Write as _;

use serde::Serialize;
use thiserror::Error;

/// Why output could not be written.
#[derive(Debug, Error)]
pub enum OutputError {
    /// The reader closed the pipe: nobody is listening, so stop quietly.
    #[error("the output was closed")]
    Closed,
    /// Any other write error (a full disk...).
    #[error("cannot write the output: {0}")]
    Failed(#[source] std::io::Error),
}

impl From<std::io::Error> for OutputError {
    fn from(error: std::io::Error) -> Self {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            OutputError::Closed
        } else {
            OutputError::Failed(error)
        }
    }
}

/// The program's standard output, flushed after every write so that a write error shows at
/// once.
#[derive(Debug)]
pub struct Output {
    stdout: std::io::Stdout,
}

impl Output {
    /// Standard output.
    pub fn stdout() -> Self {
        Self {
            stdout: std::io::stdout(),
        }
    }

    /// Writes `text` as it is.
    pub fn text(&self, text: &str) -> Result<(), OutputError> {
        let mut out = self.stdout.lock();
        out.write_all(text.as_bytes())?;
        out.flush()?;
        Ok(())
    }

    /// Writes `text` and a newline.
    pub fn line(&self, text: &str) -> Result<(), OutputError> {
        self.text(&format!("{text}\n"))
    }

    /// Writes `value` as one JSON object on one line.
    pub fn json(&self, value: &impl Serialize) -> Result<(), OutputError> {
        let line = serde_json::to_string(value).map_err(|e| OutputError::Failed(e.into()))?;
        self.line(&line)
    }
}

/// `planrace run --json`: one run.
#[derive(Debug, Serialize)]
pub struct RunLine<'a> {
    /// Always `"run"`.
    pub kind: &'static str,
    pub variant: String,
    pub config: String,
    pub seed: u64,
    pub seconds: f64,
    pub plans_published: u64,
    pub plans_enacted: u64,
    pub endpoint_updates: u64,
    /// `null` when the run took no measurable time.
    pub updates_per_second: Option<f64>,
    pub empty_episodes: u64,
    pub empty_seconds: f64,
    pub longest_empty_seconds: f64,
    pub regressions: u64,
    pub stuck: bool,
    pub empty_at_end: Vec<usize>,
    pub violated: &'a [&'static str],
    pub validated: bool,
    /// Why the step model rejected the run's log, if it did.
    pub rejected: Option<&'a str>,
}

impl<'a> RunLine<'a> {
    /// The line of `report`.
    pub fn of(report: &'a planrace::RunReport) -> Self {
        Self {
            kind: "run",
            variant: report.options.variant.to_string(),
            config: report.options.config.to_string(),
            seed: report.options.seed,
            seconds: report.elapsed.as_secs_f64(),
            plans_published: report.plans_published,
            plans_enacted: report.plans_enacted,
            endpoint_updates: report.endpoint_updates,
            updates_per_second: report.updates_per_second(),
            empty_episodes: report.empty_episodes,
            empty_seconds: report.empty_time.as_secs_f64(),
            longest_empty_seconds: report.longest_empty.as_secs_f64(),
            regressions: report.regressions,
            stuck: report.stuck,
            empty_at_end: report.empty_at_end.iter().map(|e| e.0).collect(),
            violated: &report.violated,
            validated: report.validated,
            rejected: report.rejected.as_deref(),
        }
    }
}

/// `planrace run --json`: the last line, what the completed runs add up to.
#[derive(Debug, Serialize)]
pub struct SummaryLine {
    /// Always `"summary"`.
    pub kind: &'static str,
    pub variant: String,
    pub config: String,
    /// The first seed.
    pub seed: u64,
    /// Runs asked for.
    pub runs: u64,
    /// Runs that completed.
    pub completed: u64,
    pub with_empty_record: u64,
    pub ended_stuck: u64,
    /// `"SIGINT"` or `"SIGTERM"` when a signal stopped the runs, else `null`.
    pub interrupted: Option<&'static str>,
}

/// `planrace check --json`: one property's verdict.
#[cfg(feature = "stateright")]
#[derive(Debug, Serialize)]
pub struct VerdictJson {
    /// Always `"verdict"`.
    pub kind: &'static str,
    pub checker: String,
    pub variant: String,
    pub property: String,
    pub config: String,
    /// `one` or `forever`: how many cycles each Enactor ran.
    pub cycles: &'static str,
    pub states: u64,
    pub violations: u64,
    pub verdict: String,
    pub seconds: f64,
    /// Each witness: whether some reachable state reached it.
    pub witnesses: std::collections::BTreeMap<String, bool>,
}
