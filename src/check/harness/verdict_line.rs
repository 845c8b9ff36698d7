//! The `planrace-verdict` line: one line per (checker, variant, property, configuration), the
//! format other checks read. Written and read here only.
//!
//! ```text
//! planrace-verdict checker=loom variant=Fixed property=progress config=2E1P4G2K bound=none executions=46552 violations=0 verdict=holds seconds=10.309 stale_plan_held=1276
//! planrace-verdict checker=shuttle variant=Buggy property=no-empty-record config=3E3P6G2K bound=none scheduler=pct depth=5 seeds=0..1 iterations=88 violations=1 verdict=violated seconds=0.010 first_violation=88
//! ```
//!
//! The fields come in that order. Between the bound and the count, a checker may name the
//! settings that shaped its run (`name=value`, such as shuttle's scheduler, depth and seeds);
//! the count is named after what the checker counts (`executions`, `states` or `iterations`),
//! and any number of `name=count` pairs (witnesses, the first violation) may follow `seconds`.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// The word every verdict line starts with.
pub const VERDICT_PREFIX: &str = "planrace-verdict";

/// The names a count may have, one per kind of checker.
const COUNT_NAMES: [&str; 3] = ["executions", "states", "iterations"];

/// What a check concluded about one property: the one vocabulary every checker, report, table
/// and parser uses. Each word says exactly what the run covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// An exhaustive check found no violation, and every required witness was reached (for the
    /// proof: every obligation was discharged). Only for `bound=none`.
    Holds,
    /// An exploration within a preemption bound found no violation, and every required
    /// witness was reached: every interleaving with at most that many preemptions is safe;
    /// interleavings with more were not explored.
    Bounded,
    /// Some execution (or state) broke the property.
    Violated,
    /// No violation, but some required witness was never reached: the run did not exercise
    /// the situation the property is about, so finding nothing proves little.
    Vacuous,
    /// No violation, but the check may have stopped before covering everything (a loom limit
    /// was reached; for the proof, a solver could not decide or the links disagree).
    Inconclusive,
    /// A sample (shuttle) found no violation: a sample cannot show that none exists.
    NotFound,
}

impl Verdict {
    /// Every verdict, strongest claim first.
    pub const ALL: [Verdict; 6] = [
        Verdict::Holds,
        Verdict::Bounded,
        Verdict::Violated,
        Verdict::Vacuous,
        Verdict::Inconclusive,
        Verdict::NotFound,
    ];

    /// The word verdict lines, tables and reports print.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Holds => "holds",
            Verdict::Bounded => "bounded",
            Verdict::Violated => "violated",
            Verdict::Vacuous => "vacuous",
            Verdict::Inconclusive => "inconclusive",
            Verdict::NotFound => "not-found",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.word())
    }
}

/// A word that is not a verdict.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "{0:?} is not a verdict: expected holds, bounded, violated, vacuous, inconclusive or not-found"
)]
pub struct UnknownVerdict(pub String);

impl FromStr for Verdict {
    type Err = UnknownVerdict;

    fn from_str(word: &str) -> Result<Self, Self::Err> {
        Verdict::ALL
            .into_iter()
            .find(|verdict| verdict.word() == word)
            .ok_or_else(|| UnknownVerdict(word.to_owned()))
    }
}

/// One verdict line.
#[derive(Debug, Clone, PartialEq)]
pub struct VerdictLine {
    /// The checker that produced it: `loom`, `stateright`, `shuttle` or `smt`.
    pub checker: String,
    /// The protocol variant.
    pub variant: String,
    /// The property.
    pub property: String,
    /// The configuration, `<e>E<p>P<g>G<k>K`, or `any` for a proof that covers every size.
    pub config: String,
    /// The bound (`none`: unbounded).
    pub bound: String,
    /// The settings that shaped the run besides the bound, in order (for shuttle: `scheduler`,
    /// `depth`, `seeds`).
    pub settings: Vec<(String, String)>,
    /// What the checker counted: `executions`, `states`, `iterations` or `obligations`.
    pub counted: String,
    /// How many it counted.
    pub count: u64,
    /// How many of them violated the property.
    pub violations: u64,
    /// The verdict.
    pub verdict: Verdict,
    /// Wall-clock seconds of the run.
    pub seconds: f64,
    /// Further `name=count` fields, in order (the witnesses).
    pub extra: Vec<(String, u64)>,
}

/// A line that is not a verdict line.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VerdictLineError {
    /// The line does not start with [`VERDICT_PREFIX`].
    #[error("not a verdict line: it does not start with {VERDICT_PREFIX}")]
    NotAVerdict,
    /// A field is missing, out of order, or not `name=value`.
    #[error("verdict line field {position}: expected {expected}, found {found:?}")]
    Field {
        /// Which field, counting from 1 after the prefix.
        position: usize,
        /// What belongs there.
        expected: &'static str,
        /// What was there.
        found: String,
    },
}

impl fmt::Display for VerdictLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{VERDICT_PREFIX} checker={} variant={} property={} config={} bound={}",
            self.checker, self.variant, self.property, self.config, self.bound,
        )?;
        for (name, value) in &self.settings {
            write!(f, " {name}={value}")?;
        }
        write!(
            f,
            " {}={} violations={} verdict={} seconds={:.3}",
            self.counted, self.count, self.violations, self.verdict, self.seconds
        )?;
        for (name, count) in &self.extra {
            write!(f, " {name}={count}")?;
        }
        Ok(())
    }
}

/// The line's `name=value` words, each with its position, read one after another.
struct Fields<'a> {
    pairs: std::iter::Peekable<std::vec::IntoIter<(usize, &'a str, &'a str)>>,
    position: usize,
}

impl<'a> Fields<'a> {
    /// The next field, which must be called `name`.
    fn named(&mut self, name: &str, expected: &'static str) -> Result<&'a str, VerdictLineError> {
        self.position += 1;
        match self.pairs.next() {
            Some((_, found, value)) if found == name => Ok(value),
            other => Err(VerdictLineError::Field {
                position: self.position,
                expected,
                found: other.map_or_else(String::new, |(_, n, v)| format!("{n}={v}")),
            }),
        }
    }

    /// The next field parsed as `T`, which must be called `name`.
    fn parsed<T: FromStr>(
        &mut self,
        name: &str,
        expected: &'static str,
    ) -> Result<T, VerdictLineError> {
        let value = self.named(name, expected)?;
        value.parse().map_err(|_| VerdictLineError::Field {
            position: self.position,
            expected,
            found: format!("{name}={value}"),
        })
    }
}

impl FromStr for VerdictLine {
    type Err = VerdictLineError;

    fn from_str(line: &str) -> Result<Self, Self::Err> {
        let mut words = line.split_whitespace();
        if words.next() != Some(VERDICT_PREFIX) {
            return Err(VerdictLineError::NotAVerdict);
        }
        let pairs: Vec<(usize, &str, &str)> = words
            .enumerate()
            .map(|(index, word)| {
                word.split_once('=')
                    .map(|(name, value)| (index + 1, name, value))
                    .ok_or_else(|| VerdictLineError::Field {
                        position: index + 1,
                        expected: "name=value",
                        found: word.to_owned(),
                    })
            })
            .collect::<Result<_, _>>()?;
        let mut fields = Fields {
            pairs: pairs.into_iter().peekable(),
            position: 0,
        };
        let checker = fields.named("checker", "checker=<name>")?.to_owned();
        let variant = fields.named("variant", "variant=<name>")?.to_owned();
        let property = fields.named("property", "property=<name>")?.to_owned();
        let config = fields
            .named("config", "config=<e>E<p>P<g>G<k>K")?
            .to_owned();
        let bound = fields.named("bound", "bound=<n|none>")?.to_owned();
        let mut settings = Vec::new();
        while let Some((_, name, value)) = fields
            .pairs
            .next_if(|(_, name, _)| !COUNT_NAMES.contains(name))
        {
            fields.position += 1;
            settings.push((name.to_owned(), value.to_owned()));
        }
        let counted = fields
            .pairs
            .peek()
            .map(|(_, name, _)| (*name).to_owned())
            .unwrap_or_default();
        let count = fields.parsed(&counted, "<executions|states|iterations>=<count>")?;
        let violations = fields.parsed("violations", "violations=<count>")?;
        let verdict = fields.parsed(
            "verdict",
            "verdict=<holds|bounded|violated|vacuous|inconclusive|not-found>",
        )?;
        let seconds = fields.parsed("seconds", "seconds=<float>")?;
        let extra = fields
            .pairs
            .map(|(position, name, value)| {
                value
                    .parse()
                    .map(|count| (name.to_owned(), count))
                    .map_err(|_| VerdictLineError::Field {
                        position,
                        expected: "name=<count>",
                        found: format!("{name}={value}"),
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            checker,
            variant,
            property,
            config,
            bound,
            settings,
            counted,
            count,
            violations,
            verdict,
            seconds,
            extra,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line() -> VerdictLine {
        VerdictLine {
            checker: "loom".into(),
            variant: "Fixed".into(),
            property: "progress".into(),
            config: "2E1P4G2K".into(),
            bound: "none".into(),
            settings: Vec::new(),
            counted: "executions".into(),
            count: 46_552,
            violations: 0,
            verdict: Verdict::Holds,
            seconds: 10.309,
            extra: vec![("stale_plan_held".into(), 1276), ("lock_busy".into(), 0)],
        }
    }

    #[test]
    fn a_line_reads_back_as_written() {
        let text = line().to_string();
        assert_eq!(
            text,
            "planrace-verdict checker=loom variant=Fixed property=progress config=2E1P4G2K \
             bound=none executions=46552 violations=0 verdict=holds seconds=10.309 \
             stale_plan_held=1276 lock_busy=0"
        );
        assert_eq!(text.parse::<VerdictLine>(), Ok(line()));
    }

    #[test]
    fn fields_out_of_order_or_malformed_are_named() {
        assert_eq!(
            "timeline".parse::<VerdictLine>(),
            Err(VerdictLineError::NotAVerdict)
        );
        let swapped = line().to_string().replace(
            "variant=Fixed property=progress",
            "property=progress variant=Fixed",
        );
        let error = swapped.parse::<VerdictLine>().unwrap_err();
        assert!(
            matches!(error, VerdictLineError::Field { position: 2, .. }),
            "{error}"
        );
        let short = "planrace-verdict checker=loom variant=Fixed";
        assert!(short.parse::<VerdictLine>().is_err());
        let bad_count = line()
            .to_string()
            .replace("executions=46552", "executions=many");
        assert!(bad_count.parse::<VerdictLine>().is_err());
        let bad_extra = format!("{} lonely", line());
        assert!(bad_extra.parse::<VerdictLine>().is_err());
        let bad_witness = line().to_string().replace("lock_busy=0", "lock_busy=many");
        assert_eq!(
            bad_witness.parse::<VerdictLine>(),
            Err(VerdictLineError::Field {
                position: 11,
                expected: "name=<count>",
                found: "lock_busy=many".to_owned(),
            })
        );
        assert_eq!(
            "planrace-verdict checker=loom lonely variant=Fixed".parse::<VerdictLine>(),
            Err(VerdictLineError::Field {
                position: 2,
                expected: "name=value",
                found: "lonely".to_owned(),
            })
        );
        let no_count = line().to_string().replace("executions=46552 ", "");
        assert!(no_count.parse::<VerdictLine>().is_err());
        let bad_word = line().to_string().replace("verdict=holds", "verdict=fine");
        assert!(
            matches!(
                bad_word.parse::<VerdictLine>(),
                Err(VerdictLineError::Field { position: 8, .. })
            ),
            "{bad_word}"
        );
    }

    #[test]
    fn every_verdict_reads_back_as_printed() {
        for verdict in Verdict::ALL {
            assert_eq!(verdict.to_string().parse::<Verdict>(), Ok(verdict));
        }
        assert!("Holds".parse::<Verdict>().is_err());
    }

    #[test]
    fn settings_between_the_bound_and_the_count_read_back() {
        let sampled = VerdictLine {
            checker: "shuttle".into(),
            counted: "iterations".into(),
            settings: vec![
                ("scheduler".into(), "pct".into()),
                ("depth".into(), "5".into()),
                ("seeds".into(), "0..4".into()),
            ],
            verdict: Verdict::NotFound,
            extra: vec![("first_violation".into(), 12)],
            ..line()
        };
        let text = sampled.to_string();
        assert!(
            text.contains("bound=none scheduler=pct depth=5 seeds=0..4 iterations=46552"),
            "{text}"
        );
        assert_eq!(text.parse::<VerdictLine>(), Ok(sampled));
        // Five fields, three settings, the count and the violations come before the verdict.
        let bad_word = text.replace("verdict=not-found", "verdict=fine");
        assert!(
            matches!(
                bad_word.parse::<VerdictLine>(),
                Err(VerdictLineError::Field { position: 11, .. })
            ),
            "{bad_word}"
        );
    }
}
