//! A solver's model of a failed obligation, read back and told as a counterexample to
//! induction: the state before, the step, the state after, and the conjunct it breaks, with
//! Enactors and endpoints named as timelines name them.

use std::collections::HashMap;
use std::fmt::Write as _;

use crate::check::proof::formula::Pc;
use crate::check::proof::obligation::{Claim, Query};

/// A value in a solver's model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Value {
    Int(i64),
    Bool(bool),
}

/// An s-expression.
enum Sexp {
    Atom(String),
    List(Vec<Sexp>),
}

fn parse_sexp(tokens: &mut std::iter::Peekable<std::vec::IntoIter<String>>) -> Option<Sexp> {
    let token = tokens.next()?;
    if token != "(" {
        return Some(Sexp::Atom(token));
    }
    let mut items = Vec::new();
    while tokens.peek().is_some_and(|t| t != ")") {
        items.push(parse_sexp(tokens)?);
    }
    tokens.next();
    Some(Sexp::List(items))
}

fn value_of(sexp: &Sexp) -> Option<Value> {
    match sexp {
        Sexp::Atom(atom) => match atom.as_str() {
            "true" => Some(Value::Bool(true)),
            "false" => Some(Value::Bool(false)),
            number => number.parse().ok().map(Value::Int),
        },
        Sexp::List(items) => match items.as_slice() {
            [Sexp::Atom(minus), Sexp::Atom(n)] if minus == "-" => {
                n.parse::<i64>().ok().map(|n| Value::Int(-n))
            }
            _ => None,
        },
    }
}

/// Reads a `get-value` answer: `((term value) ...)`, the values in the order asked.
fn parse_values(text: &str) -> Vec<Option<Value>> {
    let spaced = text.replace('(', " ( ").replace(')', " ) ");
    let tokens: Vec<String> = spaced.split_whitespace().map(str::to_owned).collect();
    match parse_sexp(&mut tokens.into_iter().peekable()) {
        Some(Sexp::List(pairs)) => pairs
            .iter()
            .map(|pair| match pair {
                Sexp::List(items) if items.len() == 2 => value_of(&items[1]),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

struct Model {
    values: HashMap<String, Value>,
}

impl Model {
    fn int(&self, key: &str) -> Option<i64> {
        match self.values.get(key) {
            Some(Value::Int(n)) => Some(*n),
            _ => None,
        }
    }

    fn bool(&self, key: &str) -> bool {
        matches!(self.values.get(key), Some(Value::Bool(true)))
    }

    fn generation(&self, key: &str) -> String {
        match self.int(key) {
            Some(0) => "none".to_owned(),
            Some(g) => format!("g{g}"),
            None => "?".to_owned(),
        }
    }

    fn stored(&self, key: &str) -> &'static str {
        if self.bool(key) {
            "in the store"
        } else {
            "deleted"
        }
    }

    fn enactor(&self, when: &str, var: &str, name: &str) -> String {
        let at = |f: &str| self.int(&format!("{when}.{var}.{f}")).unwrap_or_default();
        let position = match Pc::from_code(at("pc")) {
            Some(Pc::Pick) => "about to pick".to_owned(),
            Some(Pc::Check) => format!("about to check ep{}", at("at")),
            Some(Pc::Recheck) => format!("about to check ep{} again", at("at")),
            Some(Pc::Write) => format!("about to write ep{} (attempt {})", at("at"), at("attempt")),
            Some(Pc::GiveUp) => format!("giving up on ep{}", at("at")),
            Some(Pc::Scan) => format!("about to read ep{} for its sweep", at("at")),
            Some(Pc::Sweep) => "about to sweep".to_owned(),
            Some(Pc::Done) => "done with its cycle".to_owned(),
            None => format!("at program point {}", at("pc")),
        };
        let plan = self.generation(&format!("{when}.{var}.plan"));
        let stored = self.stored(&format!("{when}.{var}.plan_live"));
        let lock = if self.bool(&format!("{when}.{var}.held")) {
            let wrote = if self.bool(&format!("{when}.{var}.held_wrote")) {
                format!(
                    ", its write installed {plan} over {}",
                    self.generation(&format!("{when}.{var}.held_prev"))
                )
            } else {
                String::new()
            };
            format!("holds ep{}'s lock{wrote}", at("held_at"))
        } else {
            "holds no lock".to_owned()
        };
        format!("{name}: {position}, plan {plan} ({stored}), {lock}")
    }

    fn endpoint(&self, when: &str, index: usize) -> Option<String> {
        let id = self.int(&format!("{when}.ep{index}.id"))?;
        let entry = |f: &str| {
            let g = self.generation(&format!("{when}.ep{index}.{f}"));
            if g == "none" {
                g
            } else {
                format!(
                    "{g} ({})",
                    self.stored(&format!("{when}.ep{index}.{f}_live"))
                )
            }
        };
        Some(format!(
            "ep{id}: active {}, rollback {}",
            entry("active"),
            entry("rollback")
        ))
    }

    fn state(&self, when: &str, enactors: &[(&str, String)]) -> String {
        let mut out = format!(
            "    published: {}\n",
            self.generation(&format!("{when}.published"))
        );
        for (var, name) in enactors {
            let duplicate = *var != "a" && self.bool("same_enactor");
            if !duplicate && self.values.contains_key(&format!("{when}.{var}.pc")) {
                let _ = writeln!(out, "    {}", self.enactor(when, var, name));
            }
        }
        let mut seen = Vec::new();
        for index in 0..2 {
            if let Some(line) = self.endpoint(when, index)
                && !seen.contains(&line)
            {
                let _ = writeln!(out, "    {line}");
                seen.push(line);
            }
        }
        out
    }
}

/// Tells `query`'s model (the solver's `get-value` answer `answer`) as a counterexample:
/// `broken` is the sentence of the conjunct or property the step breaks.
pub(crate) fn explain(query: &Query, answer: &str, broken: &str) -> String {
    let values = parse_values(answer);
    let model = Model {
        values: query
            .probes
            .iter()
            .zip(values)
            .filter_map(|(probe, value)| Some((probe.key.clone(), value?)))
            .collect(),
    };
    let enactors = [("a", "Enactor A".to_owned()), ("i", "Enactor B".to_owned())];
    let mut out = String::new();
    match query.claim {
        Claim::Step { step, .. } => {
            let _ = write!(
                out,
                "  before:\n{}  step: {}{step}\n  after:\n{}",
                model.state("pre", &enactors),
                if model.values.contains_key("pre.a.pc") {
                    "Enactor A's "
                } else {
                    "the Planner's "
                },
                model.state("post", &enactors)
            );
        }
        Claim::Init { .. } | Claim::Implies { .. } | Claim::Fires { .. } => {
            let _ = write!(out, "  state:\n{}", model.state("pre", &enactors));
        }
    }
    let _ = writeln!(out, "  broken: {broken}");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_value_answers_are_read_in_order_with_negative_numbers() {
        let answer = "((N 1)\n (K 39)\n ((active w) (- 39))\n ((live (active w)) true))";
        assert_eq!(
            parse_values(answer),
            vec![
                Some(Value::Int(1)),
                Some(Value::Int(39)),
                Some(Value::Int(-39)),
                Some(Value::Bool(true))
            ]
        );
    }
}
