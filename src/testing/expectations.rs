//! Whether a test's expectations hold on the state a run ended in, and
//! the failure message when one does not: what was expected and what
//! happened.
//!
//! The expression of `expect PATH OP EXPR` is evaluated here over the end
//! state with the operators' and built-ins' one definition
//! ([`Value::binary`], [`Value::unary`], [`Value::is_in`], the rows of
//! [`crate::unstable::builtins`]); this file only walks the tree and reads
//! paths.

use crate::ast::{BinaryOp, Mark, Record};
use crate::builtins::{self, Eval};
use crate::bytecode::{FieldInfo, Module};
use crate::host::ScriptedHost;
use crate::invariant;
use crate::ops::OpError;
use crate::span::{LineIndex, Span};
use crate::typed::{Expect, Expr, ExprKind, Path};
use crate::value::{Date, EndStatus, Value};
use crate::vm::State;

/// A test's paths index the tables of the module compiled from the same
/// flow (invariant `test-paths-index-module`); the module and its state
/// agree on table sizes ([`State`] is checked against its module).
const PATHS: &str = "test-paths-index-module";

/// What a run left behind, as expectations read it.
pub(super) struct EndState<'a> {
    pub module: &'a Module,
    pub state: &'a State,
    pub host: &'a ScriptedHost,
    /// How the run ended (`None`: it did not reach an `end`).
    pub status: Option<EndStatus>,
    /// The run's clock, for `today()` and `age()`.
    pub clock: Date,
}

fn name(field: Option<&FieldInfo>) -> &str {
    invariant::holds(field, PATHS).map_or("?", |f| f.name.as_str())
}

fn path_name(module: &Module, path: Path) -> String {
    match path {
        Path::Field {
            record: Record::Inquiry,
            field,
        } => format!("inquiry.{}", name(module.inquiry.get(field as usize))),
        Path::Field {
            record: Record::Account,
            field,
        } => format!("account.{}", name(module.account.get(field as usize))),
        Path::Result { result, field } => {
            let r = invariant::holds(module.results.get(result as usize), PATHS);
            let rn = r.map_or("?", |r| r.name.as_str());
            format!(
                "{rn}.{}",
                name(r.and_then(|r| r.fields.get(field as usize)))
            )
        }
    }
}

impl EndState<'_> {
    /// The value a path has at the end of the run: `none` for a field never
    /// written, an Account field the host has no value for, or a result
    /// never bound.
    fn path_value(&self, path: Path) -> Value {
        let found = match path {
            Path::Field {
                record: Record::Inquiry,
                field,
            } => invariant::holds(self.state.inquiry().get(field as usize), PATHS).cloned(),
            Path::Field {
                record: Record::Account,
                field,
            } => invariant::holds(self.module.account.get(field as usize), PATHS)
                .and_then(|f| self.host.script.account.get(&f.name))
                .cloned(),
            Path::Result { result, field } => {
                match invariant::holds(self.state.results().get(result as usize), PATHS) {
                    Some(Some(values)) => {
                        invariant::holds(values.get(field as usize), PATHS).cloned()
                    }
                    _ => None,
                }
            }
        };
        found.unwrap_or(Value::None)
    }

    /// The value of an expectation's expression at the end of the run. The
    /// checker typed it (paths optional, none of them under arithmetic or
    /// a function), so an error here is an overflow or a division by zero.
    fn eval(&self, e: &Expr) -> Result<Value, OpError> {
        Ok(match &e.kind {
            ExprKind::Const(v) => v.clone(),
            ExprKind::Field { record, field } => self.path_value(Path::Field {
                record: *record,
                field: *field,
            }),
            ExprKind::ResultField { result, field } => self.path_value(Path::Result {
                result: *result,
                field: *field,
            }),
            ExprKind::Attempts(step) => {
                let step = self.module.step_name(*step);
                let n = self.host.visits().iter().filter(|s| **s == step).count();
                Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
            }
            ExprKind::Builtin { func, args } => {
                let args = args
                    .iter()
                    .map(|a| self.eval(a))
                    .collect::<Result<Vec<_>, _>>()?;
                match func.eval {
                    Eval::Pure(_, f) => f(&args)?,
                    Eval::Clock(_, f) => f(&args, self.clock)?,
                    Eval::StepEntries | Eval::Pattern => return Err(OpError::Type),
                }
            }
            ExprKind::Matches { value, pattern } => {
                let re = builtins::compile_pattern(pattern).map_err(|_| OpError::Type)?;
                match self.eval(value)? {
                    Value::Str(s) => Value::Bool(re.is_match(&s)),
                    _ => return Err(OpError::Type),
                }
            }
            ExprKind::Not(x) => self.eval(x)?.unary(crate::ops::UnaryOp::Not)?,
            ExprKind::Neg(x) => self.eval(x)?.unary(crate::ops::UnaryOp::Neg)?,
            ExprKind::Binary { op, lhs, rhs } => {
                let l = self.eval(lhs)?;
                // `and` and `or` short-circuit, as in the VM.
                match (op, &l) {
                    (BinaryOp::And, Value::Bool(false)) | (BinaryOp::Or, Value::Bool(true)) => l,
                    _ => l.binary(*op, &self.eval(rhs)?)?,
                }
            }
            ExprKind::In { value, list } => {
                let v = self.eval(value)?;
                let items = list
                    .iter()
                    .map(|i| self.eval(i))
                    .collect::<Result<Vec<_>, _>>()?;
                Value::Bool(v.is_in(&items))
            }
        })
    }

    /// Why `expect` does not hold, or `None` when it does.
    pub(super) fn check(
        &self,
        expect: &Expect,
        lines: &LineIndex<'_>,
        file: &str,
    ) -> Option<String> {
        let at = |span: Span| {
            let (l, c) = lines.line_col(span.start);
            format!("{file}:{l}:{c}")
        };
        let fails = |what: String, span: Span, why: String| {
            format!(
                "expectation `expect {what}` at {} does not hold: {why}",
                at(span)
            )
        };
        match expect {
            Expect::End { status: want, span } => (self.status != Some(*want)).then(|| {
                let got = self
                    .status
                    .map_or("no end".to_string(), |s| format!("end {s}"));
                fails(
                    format!("end {want}"),
                    *span,
                    format!("the run ended with `{got}`"),
                )
            }),
            Expect::Compare {
                path,
                op,
                value,
                span,
            } => {
                let actual = self.path_value(*path);
                let text = lines.text(*span);
                match self.eval(value) {
                    Err(e) => Some(fails(
                        text,
                        *span,
                        format!(
                            "`{}` gives no value: {e} ({})",
                            lines.text(value.span),
                            e.code()
                        ),
                    )),
                    // An ordering with a `none` side does not hold.
                    Ok(v) if actual.binary(*op, &v) == Ok(Value::Bool(true)) => None,
                    Ok(_) if matches!(value.kind, ExprKind::Const(_)) => {
                        Some(fails(text, *span, format!("actual value `{actual}`")))
                    }
                    Ok(v) => Some(fails(
                        text,
                        *span,
                        format!(
                            "`{}` is `{actual}` and `{}` is `{v}`",
                            path_name(self.module, *path),
                            lines.text(value.span)
                        ),
                    )),
                }
            }
            Expect::Visits { steps, span } => {
                let want: Vec<&str> = steps.iter().map(|s| self.module.step_name(*s)).collect();
                let got = self.host.visits();
                (want != got).then(|| {
                    fails(
                        format!("visits [{}]", want.join(", ")),
                        *span,
                        format!("actual visits [{}]", got.join(", ")),
                    )
                })
            }
            Expect::Mark {
                mark,
                present,
                text,
                span,
            } => {
                let (marks, none) = match mark {
                    Mark::Tag => (self.host.tags(), "the run tagged nothing"),
                    Mark::Case => (self.host.cases(), "the run opened no case"),
                };
                let n = marks.iter().filter(|m| **m == text.as_str()).count();
                let what = format!(
                    "{}{} {text:?}",
                    if *present { "" } else { "not " },
                    mark.keyword()
                );
                let quoted: Vec<String> = marks.iter().map(|m| format!("{m:?}")).collect();
                let why = match (mark, *present) {
                    (_, true) if marks.is_empty() => none.to_string(),
                    (Mark::Tag, true) => format!("tags were [{}]", quoted.join(", ")),
                    (Mark::Case, true) => format!("cases were opened in [{}]", quoted.join(", ")),
                    (Mark::Tag, false) => format!("the run tagged {text:?} {}", times(n)),
                    (Mark::Case, false) => {
                        format!("the run opened a case in {text:?} {}", times(n))
                    }
                };
                ((n > 0) != *present).then(|| fails(what, *span, why))
            }
            Expect::Calls {
                result,
                op,
                count,
                span,
            } => {
                let r = invariant::holds(self.module.results.get(*result as usize), PATHS);
                let r = r.map_or("?", |r| r.name.as_str());
                let made = self.host.calls(r);
                let made_v = Value::Int(i64::try_from(made).unwrap_or(i64::MAX));
                (made_v.binary(*op, &Value::Int(*count)) != Ok(Value::Bool(true))).then(|| {
                    fails(
                        format!("calls {r} {} {count}", op.symbol()),
                        *span,
                        match made {
                            0 => format!("the run made no call for `{r}`"),
                            1 => format!("the run made 1 call for `{r}`"),
                            n => format!("the run made {n} calls for `{r}`"),
                        },
                    )
                })
            }
        }
    }
}

/// `once`, `2 times`, ...
fn times(n: usize) -> String {
    if n == 1 {
        "once".to_string()
    } else {
        format!("{n} times")
    }
}
