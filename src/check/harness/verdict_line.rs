//! The `planrace-verdict` line: one line per (checker, variant, property, configuration), the
//! format other checks read. Written and read here only.
//!
//! ```text
//! planrace-verdict checker=loom variant=Fixed property=progress config=2E1P4G2K bound=none executions=46552 violations=0 verdict=holds seconds=10.309 stale_plan_held=1276
//! ```
//!
//! The fields come in that order; the count is named after what the checker counts
//! (`executions`, `states` or `iterations`), and any number of `name=count` pairs (witnesses)
//! may follow `seconds`.

use std::fmt;
use std::str::FromStr;

use thiserror::Error;

/// The word every verdict line starts with.
pub const VERDICT_PREFIX: &str = "planrace-verdict";

/// One verdict line.
#[derive(Debug, Clone, PartialEq)]
pub struct VerdictLine {
    /// The checker that produced it: `loom`, `stateright` or `shuttle`.
    pub checker: String,
    /// The protocol variant.
    pub variant: String,
    /// The property.
    pub property: String,
    /// The configuration, `<e>E<p>P<g>G<k>K`.
    pub config: String,
    /// The bound (`none`: unbounded).
    pub bound: String,
    /// What the checker counted: `executions`, `states` or `iterations`.
    pub counted: String,
    /// How many it counted.
    pub count: u64,
    /// How many of them violated the property.
    pub violations: u64,
    /// The verdict word (`holds`, `violated`, `vacuous`, `inconclusive`, `not-found`).
    pub verdict: String,
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
            "{VERDICT_PREFIX} checker={} variant={} property={} config={} bound={} {}={} \
             violations={} verdict={} seconds={:.3}",
            self.checker,
            self.variant,
            self.property,
            self.config,
            self.bound,
            self.counted,
            self.count,
            self.violations,
            self.verdict,
            self.seconds
        )?;
        for (name, count) in &self.extra {
            write!(f, " {name}={count}")?;
        }
        Ok(())
    }
}

/// The named fields, in order; `None` stands for the count, whose name varies.
const FIELDS: [Option<&str>; 10] = [
    Some("checker"),
    Some("variant"),
    Some("property"),
    Some("config"),
    Some("bound"),
    None,
    Some("violations"),
    Some("verdict"),
    Some("seconds"),
    None,
];

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
        let field = |index: usize, expected: &'static str| -> Result<&str, VerdictLineError> {
            match pairs.get(index) {
                Some((_, name, value)) if FIELDS[index].is_none_or(|wanted| wanted == *name) => {
                    Ok(value)
                }
                other => Err(VerdictLineError::Field {
                    position: index + 1,
                    expected,
                    found: other.map_or_else(String::new, |(_, n, v)| format!("{n}={v}")),
                }),
            }
        };
        let number = |index: usize, expected: &'static str| -> Result<u64, VerdictLineError> {
            let value = field(index, expected)?;
            value.parse().map_err(|_| VerdictLineError::Field {
                position: index + 1,
                expected,
                found: value.to_owned(),
            })
        };
        let counted = pairs
            .get(5)
            .map(|(_, name, _)| (*name).to_owned())
            .unwrap_or_default();
        let seconds = field(8, "seconds=<float>")?;
        let extra = pairs
            .iter()
            .skip(FIELDS.len() - 1)
            .map(|(position, name, value)| {
                value
                    .parse()
                    .map(|count| ((*name).to_owned(), count))
                    .map_err(|_| VerdictLineError::Field {
                        position: *position,
                        expected: "name=<count>",
                        found: format!("{name}={value}"),
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            checker: field(0, "checker=<name>")?.to_owned(),
            variant: field(1, "variant=<name>")?.to_owned(),
            property: field(2, "property=<name>")?.to_owned(),
            config: field(3, "config=<e>E<p>P<g>G<k>K")?.to_owned(),
            bound: field(4, "bound=<n|none>")?.to_owned(),
            count: number(5, "<executions|states|iterations>=<count>")?,
            counted,
            violations: number(6, "violations=<count>")?,
            verdict: field(7, "verdict=<word>")?.to_owned(),
            seconds: seconds.parse().map_err(|_| VerdictLineError::Field {
                position: 9,
                expected: "seconds=<float>",
                found: seconds.to_owned(),
            })?,
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
            counted: "executions".into(),
            count: 46_552,
            violations: 0,
            verdict: "holds".into(),
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
    }
}
