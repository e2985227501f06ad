//! The built-in functions (§3), one row each in [`BUILTINS`]: the name,
//! the parameters, the result type, and how the value is computed.
//!
//! The checker resolves a call's name here (E0204 for an unknown one, with
//! a suggestion), checks the number of arguments (E0204) and their types,
//! and refuses these names for fields and results (E0107); the code
//! generator emits the row's instruction; the VM finds the row again by
//! that instruction and calls its evaluation. Adding a function is a row
//! here with its evaluation, plus its instruction in the bytecode.

use crate::bytecode::Instr;
use crate::ops::OpError;
use crate::types::BaseType::{self, Bool, Date as DateT, Int, String as Str};
use crate::value::{Date, Value};
use serde::{Serialize, Serializer};
use std::fmt;

/// A parameter of a built-in function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// The name of a step, not an expression: `attempts(collect)`.
    Step,
    /// A present value of this type.
    Value(BaseType),
    /// A string literal holding a regular expression in the syntax of the
    /// `regex` crate ([`compile_pattern`]); E0205 when it is anything
    /// else or does not compile.
    Pattern,
}

/// How a built-in function gets its value at run time.
#[derive(Debug, Clone, Copy)]
pub enum Eval {
    /// How many times the step argument has been entered in this run: the
    /// instruction `attempts STEP` reads it from the run's state.
    StepEntries,
    /// A function of the argument values alone, computed by the
    /// instruction.
    Pure(Instr, fn(&[Value]) -> Result<Value, OpError>),
    /// A function of the argument values and the run's clock (the host's
    /// date), computed by the instruction.
    Clock(Instr, fn(&[Value], Date) -> Result<Value, OpError>),
    /// Whether the value argument matches the pattern as a whole: the
    /// instruction `matches c` names the pattern's constant, which the
    /// verified module holds compiled.
    Pattern,
}

/// One built-in function.
#[derive(Debug)]
pub struct Builtin {
    pub name: &'static str,
    pub params: &'static [Param],
    pub ret: BaseType,
    pub eval: Eval,
}

/// Every built-in function, in the order messages list them.
pub static BUILTINS: &[Builtin] = &[
    Builtin {
        name: "attempts",
        params: &[Param::Step],
        ret: Int,
        eval: Eval::StepEntries,
    },
    Builtin {
        name: "age",
        params: &[Param::Value(DateT)],
        ret: Int,
        eval: Eval::Clock(Instr::Age, age),
    },
    Builtin {
        name: "lower",
        params: &[Param::Value(Str)],
        ret: Str,
        eval: Eval::Pure(Instr::Lower, lower),
    },
    Builtin {
        name: "upper",
        params: &[Param::Value(Str)],
        ret: Str,
        eval: Eval::Pure(Instr::Upper, upper),
    },
    Builtin {
        name: "trim",
        params: &[Param::Value(Str)],
        ret: Str,
        eval: Eval::Pure(Instr::Trim, trim),
    },
    Builtin {
        name: "len",
        params: &[Param::Value(Str)],
        ret: Int,
        eval: Eval::Pure(Instr::Len, len),
    },
    Builtin {
        name: "today",
        params: &[],
        ret: DateT,
        eval: Eval::Clock(Instr::Today, today),
    },
    Builtin {
        name: "contains",
        params: &[Param::Value(Str), Param::Value(Str)],
        ret: Bool,
        eval: Eval::Pure(Instr::Contains, contains),
    },
    Builtin {
        name: "starts_with",
        params: &[Param::Value(Str), Param::Value(Str)],
        ret: Bool,
        eval: Eval::Pure(Instr::StartsWith, starts_with),
    },
    Builtin {
        name: "ends_with",
        params: &[Param::Value(Str), Param::Value(Str)],
        ret: Bool,
        eval: Eval::Pure(Instr::EndsWith, ends_with),
    },
    Builtin {
        name: "matches",
        params: &[Param::Value(Str), Param::Pattern],
        ret: Bool,
        eval: Eval::Pattern,
    },
];

/// The most memory, in bytes, one compiled `matches` pattern may take
/// (the `regex` crate's size limit): a pattern over it is E0205.
pub const PATTERN_SIZE_LIMIT: usize = 1 << 20;

/// Compiles a `matches` pattern so that it matches only the whole of a
/// string. The error is the last line of the `regex` crate's message about
/// the pattern as written (what is wrong, without the anchoring).
pub fn compile_pattern(pattern: &str) -> Result<regex::Regex, String> {
    let build = |text: &str| {
        regex::RegexBuilder::new(text)
            .size_limit(PATTERN_SIZE_LIMIT)
            .dfa_size_limit(PATTERN_SIZE_LIMIT)
            .build()
            .map_err(|e| match e {
                regex::Error::CompiledTooBig(_) => {
                    format!("the pattern compiles to more than {PATTERN_SIZE_LIMIT} bytes")
                }
                other => {
                    let text = other.to_string();
                    let last = text.lines().last().unwrap_or_default().trim();
                    last.strip_prefix("error: ").unwrap_or(last).to_string()
                }
            })
    };
    build(pattern)?;
    build(&format!(r"\A(?:{pattern})\z"))
}

// ----- evaluations -------------------------------------------------------

/// `age(date)`: whole years from the date to the clock ([`Date::age_at`]).
fn age(args: &[Value], clock: Date) -> Result<Value, OpError> {
    match args {
        [Value::Date(d)] => Ok(Value::Int(d.age_at(clock))),
        _ => Err(OpError::Type),
    }
}

fn today(args: &[Value], clock: Date) -> Result<Value, OpError> {
    match args {
        [] => Ok(Value::Date(clock)),
        _ => Err(OpError::Type),
    }
}

fn string(args: &[Value], f: impl Fn(&str) -> Value) -> Result<Value, OpError> {
    match args {
        [Value::Str(s)] => Ok(f(s)),
        _ => Err(OpError::Type),
    }
}

fn lower(args: &[Value]) -> Result<Value, OpError> {
    string(args, |s| Value::Str(s.to_lowercase()))
}

fn upper(args: &[Value]) -> Result<Value, OpError> {
    string(args, |s| Value::Str(s.to_uppercase()))
}

fn trim(args: &[Value]) -> Result<Value, OpError> {
    string(args, |s| Value::Str(s.trim().to_string()))
}

/// A test on two strings, case-sensitive.
fn two_strings(args: &[Value], f: impl Fn(&str, &str) -> bool) -> Result<Value, OpError> {
    match args {
        [Value::Str(s), Value::Str(part)] => Ok(Value::Bool(f(s, part))),
        _ => Err(OpError::Type),
    }
}

fn contains(args: &[Value]) -> Result<Value, OpError> {
    two_strings(args, |s, part| s.contains(part))
}

fn starts_with(args: &[Value]) -> Result<Value, OpError> {
    two_strings(args, |s, prefix| s.starts_with(prefix))
}

fn ends_with(args: &[Value]) -> Result<Value, OpError> {
    two_strings(args, |s, suffix| s.ends_with(suffix))
}

/// `len(string)`: Unicode scalar values, not bytes.
fn len(args: &[Value]) -> Result<Value, OpError> {
    string(args, |s| {
        Value::Int(i64::try_from(s.chars().count()).unwrap_or(i64::MAX))
    })
}

// ----- lookups -------------------------------------------------------------

/// The built-in function called `name`.
pub fn lookup(name: &str) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.name == name)
}

/// The built-in function the instruction computes.
pub fn by_instr(instr: Instr) -> Option<&'static Builtin> {
    BUILTINS.iter().find(|b| b.instr() == Some(instr))
}

/// Every built-in function's name.
pub fn names() -> impl Iterator<Item = &'static str> {
    BUILTINS.iter().map(|b| b.name)
}

/// The names as a message lists them: "`attempts`, `age`, ... and `today`".
pub fn listed() -> String {
    let names: Vec<String> = names().map(|n| format!("`{n}`")).collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => names.concat(),
    }
}

impl Builtin {
    /// The instruction that computes it; `None` for `attempts` and
    /// `matches`, whose instructions take the step or the pattern as an
    /// operand.
    pub fn instr(&self) -> Option<Instr> {
        match self.eval {
            Eval::StepEntries | Eval::Pattern => None,
            Eval::Pure(i, _) | Eval::Clock(i, _) => Some(i),
        }
    }

    /// Whether it reads the run's clock.
    pub fn reads_clock(&self) -> bool {
        matches!(self.eval, Eval::Clock(..))
    }

    /// Whether it gives the same value for the same arguments in every run
    /// and at every point of one: no clock, no step counts.
    pub fn is_pure(&self) -> bool {
        matches!(self.eval, Eval::Pure(..))
    }

    /// `age(date) -> int`, `attempts(STEP) -> int`.
    pub fn signature(&self) -> String {
        let params: Vec<&str> = self
            .params
            .iter()
            .map(|p| match p {
                Param::Step => "STEP",
                Param::Pattern => "\"PATTERN\"",
                Param::Value(t) => t.name(),
            })
            .collect();
        format!("{}({}) -> {}", self.name, params.join(", "), self.ret)
    }
}

impl PartialEq for Builtin {
    fn eq(&self, other: &Builtin) -> bool {
        self.name == other.name
    }
}

impl Eq for Builtin {}

impl Serialize for Builtin {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name)
    }
}

impl fmt::Display for Builtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(p: &Param) -> Value {
        match p {
            Param::Value(BaseType::Int) => Value::Int(3),
            Param::Value(BaseType::String) => Value::Str(" Ada ".into()),
            Param::Value(BaseType::Date) => Value::Date(Date(0)),
            Param::Value(BaseType::Bool) => Value::Bool(true),
            Param::Value(BaseType::Status) => Value::Status(crate::value::Status::Passed),
            Param::Step | Param::Pattern => Value::None,
        }
    }

    #[test]
    fn every_row_is_consistent() {
        let clock = Date(20_000);
        for (i, b) in BUILTINS.iter().enumerate() {
            assert_eq!(lookup(b.name), Some(b));
            assert!(
                BUILTINS.iter().skip(i + 1).all(|o| o.name != b.name),
                "{} twice",
                b.name
            );
            assert!(crate::lexer::Keyword::from_text(b.name).is_none());
            let args: Vec<Value> = b.params.iter().map(sample).collect();
            let v = match b.eval {
                Eval::StepEntries => {
                    assert_eq!(b.params, [Param::Step], "{}", b.name);
                    continue;
                }
                Eval::Pattern => {
                    assert_eq!(b.params.last(), Some(&Param::Pattern), "{}", b.name);
                    continue;
                }
                Eval::Pure(_, f) => f(&args),
                Eval::Clock(_, f) => f(&args, clock),
            };
            assert_eq!(v.unwrap().base_type(), Some(b.ret), "{}", b.name);
            let instr = b.instr().unwrap();
            assert_eq!(by_instr(instr), Some(b));
            // the wrong arguments are a type error, never a panic
            let wrong = match b.eval {
                Eval::Pure(_, f) => f(&[Value::None, Value::None]),
                Eval::Clock(_, f) => f(&[Value::None, Value::None], clock),
                Eval::StepEntries | Eval::Pattern => Err(OpError::Type),
            };
            assert_eq!(wrong, Err(OpError::Type), "{}", b.name);
        }
    }

    #[test]
    fn evaluations() {
        let call = |name: &str, args: &[Value]| match lookup(name).map(|b| b.eval) {
            Some(Eval::Pure(_, f)) => f(args),
            Some(Eval::Clock(_, f)) => f(args, Date::parse("2026-11-25").unwrap()),
            _ => Err(OpError::Type),
        };
        let s = |t: &str| Value::Str(t.to_string());
        assert_eq!(call("lower", &[s("ÀB")]), Ok(s("àb")));
        assert_eq!(call("upper", &[s("straße")]), Ok(s("STRASSE")));
        assert_eq!(call("trim", &[s("  a b \n")]), Ok(s("a b")));
        assert_eq!(call("len", &[s("né😀")]), Ok(Value::Int(3)));
        let yes = Ok(Value::Bool(true));
        let no = Ok(Value::Bool(false));
        assert_eq!(call("contains", &[s("Ada Lovelace"), s("Love")]), yes);
        assert_eq!(call("contains", &[s("Ada Lovelace"), s("love")]), no);
        assert_eq!(call("contains", &[s(""), s("")]), yes);
        assert_eq!(call("starts_with", &[s("GB123"), s("GB")]), yes);
        assert_eq!(call("starts_with", &[s("GB"), s("GB123")]), no);
        assert_eq!(call("ends_with", &[s("a@example.com"), s(".com")]), yes);
        assert_eq!(call("ends_with", &[s("a@example.com"), s(".COM")]), no);
        let birth = Value::Date(Date::parse("2000-11-26").unwrap());
        assert_eq!(call("age", &[birth]), Ok(Value::Int(25)));
        assert_eq!(
            call("today", &[]),
            Ok(Value::Date(Date::parse("2026-11-25").unwrap()))
        );
    }

    #[test]
    fn descriptions() {
        assert_eq!(
            listed(),
            "`attempts`, `age`, `lower`, `upper`, `trim`, `len`, `today`, `contains`, \
             `starts_with`, `ends_with` and `matches`"
        );
        assert_eq!(
            lookup("matches").unwrap().signature(),
            "matches(string, \"PATTERN\") -> bool"
        );
        let sig = |n: &str| lookup(n).unwrap().signature();
        assert_eq!(sig("age"), "age(date) -> int");
        assert_eq!(sig("attempts"), "attempts(STEP) -> int");
        assert_eq!(sig("today"), "today() -> date");
        let clock: Vec<&str> = BUILTINS
            .iter()
            .filter(|b| b.reads_clock())
            .map(|b| b.name)
            .collect();
        assert_eq!(clock, ["age", "today"]);
        assert!(!lookup("attempts").unwrap().is_pure());
    }

    #[test]
    fn patterns_match_the_whole_string() {
        let re = compile_pattern("[A-Z]{2}[0-9]+").unwrap();
        assert!(re.is_match("GB123"));
        assert!(!re.is_match("xGB123") && !re.is_match("GB123x"));
        // an alternation is anchored as a whole, not just its ends
        let re = compile_pattern("a|b").unwrap();
        assert!(re.is_match("a") && !re.is_match("ab"));
        let re = compile_pattern("(?m)^a$").unwrap();
        assert!(!re.is_match("a\nb"));
        assert!(compile_pattern("(").is_err());
        let huge = compile_pattern("[a-z]{1000}{1000}").unwrap_err();
        assert!(huge.contains("more than"), "{huge}");
    }

    #[test]
    fn the_documentation_names_every_function() {
        let explain = crate::diagnostics::Code::E0204.explanation();
        let reference = include_str!("../docs/language.md");
        for b in BUILTINS {
            let call = format!("`{}(", b.name);
            assert!(explain.contains(&call), "E0204.md lacks {call}");
            assert!(reference.contains(&call), "docs/language.md lacks {call}");
        }
    }
}
