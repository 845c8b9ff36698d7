//! A deadlock as a result: which execution, every blocked thread by the model's name for it
//! with the source line it waits at, what the execution had logged, and under shuttle the
//! schedule that replays it. Read from the checker's own deadlock message.

use std::fmt;

/// An execution in which every unfinished thread was blocked.
#[derive(Clone, PartialEq, Eq)]
pub struct Deadlock {
    /// Which execution (iteration, under shuttle), counting from 1.
    pub execution: u64,
    /// The blocked threads, in the order the checker numbers them.
    pub blocked: Vec<Blocked>,
    /// The execution's log up to the deadlock, as the model's timeline.
    pub timeline: String,
    /// Under shuttle, the schedule string that replays the execution up to the deadlock.
    pub schedule: Option<String>,
}

/// One blocked thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocked {
    /// The model's name for the thread ([`Model::thread_names`](crate::harness::Model::thread_names)),
    /// or `thread <n>` when it gives none.
    pub thread: String,
    /// Where it waits, `file:line:column` of the call that blocked (the facade's lock calls
    /// report their caller), when the checker knows it.
    pub waits_at: Option<String>,
}

impl fmt::Display for Deadlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "deadlock in execution {}: every unfinished thread is blocked",
            self.execution
        )?;
        for blocked in &self.blocked {
            match &blocked.waits_at {
                Some(at) => writeln!(f, "  {} waits at {at}", blocked.thread)?,
                None => writeln!(
                    f,
                    "  {} waits (the checker does not say where)",
                    blocked.thread
                )?,
            }
        }
        if let Some(schedule) = &self.schedule {
            writeln!(f, "shuttle schedule (replays it): {schedule}")?;
        }
        write!(f, "what it had logged:\n{}", self.timeline)
    }
}

impl fmt::Debug for Deadlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The name of the checker's thread number `index`: the model's, or `thread <index>`.
#[cfg(any(loom, shuttle, planrace_docs))]
pub(crate) fn thread_name(names: &[String], index: usize) -> String {
    names
        .get(index)
        .cloned()
        .unwrap_or_else(|| format!("thread {index}"))
}

/// The blocked threads of loom's deadlock message, `deadlock; threads = [(Id(0),
/// Blocked(Location(Some(Location { file: "f.rs", line: 3, col: 9 })))), (Id(1), Terminated)]`,
/// named from `names`; `None` when `message` is not a deadlock.
#[cfg(any(loom, planrace_docs))]
pub(crate) fn loom_blocked(message: &str, names: &[String]) -> Option<Vec<Blocked>> {
    let threads = message.strip_prefix("deadlock; threads = ")?;
    let mut blocked = Vec::new();
    let mut rest = threads;
    while let Some(start) = rest.find("(Id(") {
        rest = &rest[start + "(Id(".len()..];
        let digits = rest.find(')').unwrap_or(rest.len());
        let Ok(index) = rest[..digits].parse::<usize>() else {
            continue;
        };
        let state = &rest[..rest.find("(Id(").unwrap_or(rest.len())];
        if state.contains("Blocked") {
            blocked.push(Blocked {
                thread: thread_name(names, index),
                waits_at: loom_location(state),
            });
        }
    }
    Some(blocked)
}

/// `file:line:column` out of the `Debug` of the std `Location` loom prints,
/// `Location { file: "f.rs", line: 3, column: 9 }` (`col` in older toolchains).
#[cfg(any(loom, planrace_docs))]
fn loom_location(state: &str) -> Option<String> {
    let field = |name: &str, end: char| {
        let from = state.find(name)? + name.len();
        let to = state[from..].find(end)? + from;
        Some(state[from..to].trim_matches('"').to_owned())
    };
    let column = field("column: ", ' ').or_else(|| field("col: ", ' '))?;
    Some(format!(
        "{}:{}:{column}",
        field("file: ", ',')?,
        field("line: ", ',')?
    ))
}

/// The blocked tasks of shuttle's deadlock message, `deadlock! blocked tasks: [main-thread
/// (task "main-thread"(0)), <unknown> (task TaskId(1))]`, named from `names`, each with where
/// `waits_at` says it waits; `None` when `message` is not a deadlock.
#[cfg(any(shuttle, planrace_docs))]
pub(crate) fn shuttle_blocked(
    message: &str,
    names: &[String],
    waits_at: impl Fn(usize) -> Option<String>,
) -> Option<Vec<Blocked>> {
    let tasks = message.strip_prefix("deadlock! blocked tasks: ")?;
    let mut blocked = Vec::new();
    let mut rest = tasks;
    while let Some(start) = rest.find("(task ") {
        rest = &rest[start + "(task ".len()..];
        // The task's id ends with its number in parentheses: `TaskId(1)` or `"name"(0)`.
        let (Some(open), Some(close)) = (rest.find('('), rest.find(')')) else {
            break;
        };
        if let Some(index) = rest
            .get(open + 1..close)
            .and_then(|n| n.parse::<usize>().ok())
        {
            blocked.push(Blocked {
                thread: thread_name(names, index),
                waits_at: waits_at(index),
            });
        }
        rest = &rest[close..];
    }
    Some(blocked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(any(loom, planrace_docs))]
    #[test]
    fn loom_s_message_names_each_blocked_thread_and_its_line() {
        let message = "deadlock; threads = [(Id(0), Blocked(Location(Some(Location { file: \
                       \"src/a.rs\", line: 3, column: 9 })))), (Id(1), Terminated), (Id(2), \
                       Blocked(Location(None)))]";
        let names = vec!["Planner".to_owned()];
        let blocked = loom_blocked(message, &names).expect("a deadlock");
        assert_eq!(
            blocked,
            vec![
                Blocked {
                    thread: "Planner".into(),
                    waits_at: Some("src/a.rs:3:9".into())
                },
                Blocked {
                    thread: "thread 2".into(),
                    waits_at: None
                },
            ]
        );
        assert!(loom_blocked("assertion failed", &names).is_none());
    }

    #[cfg(any(shuttle, planrace_docs))]
    #[test]
    fn shuttle_s_message_names_each_blocked_task() {
        let message = "deadlock! blocked tasks: [main-thread (task \"main-thread\"(0)), \
                       <unknown> (task TaskId(1))]";
        let names = vec!["Planner".to_owned(), "Enactor A".to_owned()];
        let blocked = shuttle_blocked(message, &names, |task| {
            (task == 1).then(|| "src/b.rs:1:2".to_owned())
        })
        .expect("a deadlock");
        assert_eq!(blocked[0].thread, "Planner");
        assert_eq!(blocked[1].waits_at.as_deref(), Some("src/b.rs:1:2"));
    }

    #[test]
    fn a_deadlock_reads_as_a_report() {
        let deadlock = Deadlock {
            execution: 3,
            blocked: vec![Blocked {
                thread: "Enactor A".into(),
                waits_at: Some("src/a.rs:3:9".into()),
            }],
            timeline: "step 0\n".into(),
            schedule: None,
        };
        let text = format!("{deadlock:?}");
        assert!(text.contains("Enactor A waits at src/a.rs:3:9\n"), "{text}");
        assert_eq!(text, deadlock.to_string());
    }
}
