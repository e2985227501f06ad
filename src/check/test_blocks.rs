//! The checker of the flow's `test` blocks (not of this crate's unit
//! tests): names resolved against the steps, fields and results, values
//! evaluated (`input`, `stub` and `account` take constants), expectations
//! typed, and the checks of §3 "Tests" and §8.6.
//!
//! The expression of an `expect PATH OP EXPR` is typed by the flow's own
//! expression checker ([`Cx`] with `in_expect` set, so that every path has
//! its optional type); only the top-level comparison is typed here, since
//! there an ordering may take an optional side (it does not hold when a
//! side is `none`).

use super::expr::{Cx, Ty};
use super::facts::Layout;
use super::names::{Env, ResultInfo};
use crate::ast::{self, BinaryOp, ExprKind, Record, StepKind, TestItem};
use crate::diagnostics::{Code, Diagnostic};
use crate::flowgraph::BitSet;
use crate::ops::OpKind;
use crate::span::Span;
use crate::typed::{self, Expect, Input, Path, Stub, StubAnswer};
use crate::types::{BaseType, ChoiceTable, Type};
use crate::value::Value;
use std::collections::HashSet;

pub(super) fn check(
    env: &Env,
    tests: &[&ast::Test],
    diags: &mut Vec<Diagnostic>,
) -> Vec<typed::Test> {
    let layout = Layout::new(env);
    let mut cx = Cx {
        env,
        layout: &layout,
        diags: Vec::new(),
        emit: true,
        muted: 0,
        unreachable: false,
        unwritten: HashSet::new(),
        in_expect: true,
    };
    // With `in_expect`, facts decide nothing: no path is narrowed, none is
    // unwritten.
    let facts = BitSet::empty(layout.bits());
    tests
        .iter()
        .map(|t| one(env, &mut cx, &facts, t, diags))
        .collect()
}

fn one(
    env: &Env,
    cx: &mut Cx<'_, '_>,
    facts: &BitSet,
    t: &ast::Test,
    diags: &mut Vec<Diagnostic>,
) -> typed::Test {
    let mut out = typed::Test {
        name: t.name.node.clone(),
        span: t.span,
        clock: None,
        inputs: Vec::new(),
        stubs: Vec::new(),
        account: Vec::new(),
        expects: Vec::new(),
    };
    let mut account: Vec<&ast::Arg> = Vec::new();
    for item in &t.items {
        match item {
            TestItem::Clock(d) => out.clock = Some(d.node),
            TestItem::Input {
                screen,
                values,
                span,
            } => {
                if let Some(i) = input(env, screen, values, *span, diags) {
                    out.inputs.push(i);
                }
            }
            TestItem::Stub {
                result,
                values,
                span,
            } => {
                if let Some(s) = stub(env, result, values, *span, diags) {
                    out.stubs.push(s);
                }
            }
            TestItem::StubError { result, span } => {
                if let Some(rid) = resolve_result(env, result, " in `stub`", diags) {
                    out.stubs.push(Stub {
                        result: rid,
                        answer: StubAnswer::Error,
                        span: *span,
                    });
                }
            }
            TestItem::ExpectEnd(s) => out.expects.push(Expect::End {
                status: s.node,
                span: s.span,
            }),
            TestItem::Account { values, .. } => account.extend(values),
            TestItem::ExpectMark {
                mark,
                negated,
                text,
                ..
            } => out.expects.push(Expect::Mark {
                mark: *mark,
                present: !negated,
                text: text.node.clone(),
                span: text.span,
            }),
            TestItem::ExpectCalls {
                result,
                op,
                count,
                span,
            } => {
                if let Some(rid) = resolve_result(env, result, " in `expect calls`", diags) {
                    out.expects.push(Expect::Calls {
                        result: rid,
                        op: *op,
                        count: count.node,
                        span: *span,
                    });
                }
            }
            TestItem::ExpectVisits { steps, span } => {
                let mut ids = Vec::new();
                for s in steps {
                    match env.step(&s.node) {
                        Some(id) => ids.push(id),
                        None => diags.push(env.unknown_step(s, "in `visits`")),
                    }
                }
                out.expects.push(Expect::Visits {
                    steps: ids,
                    span: *span,
                });
            }
            TestItem::Expect(e) => {
                let x = expect(env, cx, facts, e, diags);
                diags.append(&mut cx.diags);
                out.expects.extend(x);
            }
        }
    }
    out.account = account_values(env, &account, diags);
    out
}

/// E0106 for a name that no `let` binds; `context` follows the name in
/// the message (`" in `stub`"`).
fn unknown_result(env: &Env, name: &ast::Name, context: &str) -> Diagnostic {
    Diagnostic::new(
        Code::E0106,
        name.span,
        format!("unknown result `{}`{context}", name.node),
    )
    .label("no `let` binds this name")
    .did_you_mean(&name.node, env.result_names())
}

fn resolve_result(
    env: &Env,
    name: &ast::Name,
    context: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<u32> {
    let found = env.result(&name.node).map(|(rid, _)| rid);
    if found.is_none() {
        diags.push(unknown_result(env, name, context));
    }
    found
}

/// The `account { ... }` blocks of a test, together: each field once
/// (E0108), a declared account field (E0103), a constant of its type.
fn account_values(
    env: &Env,
    values: &[&ast::Arg],
    diags: &mut Vec<Diagnostic>,
) -> Vec<(String, Value)> {
    let (given, _) = named_values(
        &env.choices,
        values.iter().copied(),
        |name| {
            env.field(Record::Account, name)
                .map(|(id, f)| (id as usize, f.ty))
        },
        |a| {
            let name = a.name.node.as_str();
            Diagnostic::new(
                Code::E0103,
                a.name.span,
                format!("unknown account field `{name}`"),
            )
            .label("no account field has this name")
            .did_you_mean(name, env.account.iter().map(|f| f.name.as_str()))
        },
        |name| format!("for `account.{name}`"),
        diags,
    );
    given
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, v)| *v != Value::None)
        .filter_map(|(i, v)| Some((env.account.get(i)?.name.clone(), v)))
        .collect()
}

/// Evaluates `e` as a value of type `ty` (E0201, E0203; E0201 for a string
/// outside a choice's set).
fn value_of(
    choices: &ChoiceTable,
    e: &ast::Expr,
    ty: Type,
    what: &str,
    diags: &mut Vec<Diagnostic>,
) -> Option<Value> {
    // A constant expression: literals, `-N`, statuses, `none`, and
    // operators over them (`"a" + "b"`, `-1 + 2`).
    let Some(v) = super::consts::const_eval(e) else {
        diags.push(
            Diagnostic::new(
                Code::E0201,
                e.span,
                format!("expected a constant `{ty}` {what}"),
            )
            .label("not a constant")
            .help("test values are literals, `-N`, `passed`/`failed`/`requires_retry` or `none`"),
        );
        return None;
    };
    match v.base_type() {
        None if !ty.optional => {
            diags.push(
                Diagnostic::new(
                    Code::E0203,
                    e.span,
                    format!("`none` where `{ty}` is needed {what}"),
                )
                .label("this is `none`")
                .help(format!("`{ty}` is not optional")),
            );
            None
        }
        Some(b) if b != ty.base => {
            diags.push(
                Diagnostic::new(
                    Code::E0201,
                    e.span,
                    format!("expected `{ty}` {what}, found `{b}`"),
                )
                .label(format!("this is `{b}`")),
            );
            None
        }
        Some(_) => match (ty.choice, &v) {
            (Some(c), Value::Str(s)) if !choices.contains(c, s) => {
                diags.push(super::choice::outside(
                    choices,
                    c,
                    s,
                    e.span,
                    &format!("`{}` {what}", choices.show(ty)),
                ));
                None
            }
            _ => Some(v),
        },
        None => Some(v),
    }
}

fn input(
    env: &Env,
    screen: &ast::Name,
    values: &[ast::Arg],
    span: Span,
    diags: &mut Vec<Diagnostic>,
) -> Option<Input> {
    let Some(sid) = env.step(&screen.node) else {
        diags.push(env.unknown_step(screen, "in `input`"));
        return None;
    };
    let step = env.steps.get(sid as usize)?;
    // A screen that did not parse takes unknown fields: nothing to check.
    if matches!(step.kind, StepKind::Broken { keyword: "screen" }) {
        return None;
    }
    let StepKind::Screen(s) = &step.kind else {
        diags.push(
            Diagnostic::new(
                Code::E0101,
                screen.span,
                format!("`input` for `{}`, which is not a screen", screen.node),
            )
            .label(format!(
                "`{}` is {} {}",
                screen.node,
                if step.kind.keyword() == "action" {
                    "an"
                } else {
                    "a"
                },
                step.kind.keyword()
            ))
            .help("only screens take input"),
        );
        return None;
    };
    // What the screen takes, by name, in order, with types.
    let mut takes: Vec<(&str, Type)> = Vec::new();
    for c in &s.collects {
        if let Some((_, f)) = env.field(Record::Inquiry, &c.node)
            && !takes.iter().any(|(n, _)| *n == c.node)
        {
            takes.push((c.node.as_str(), f.ty));
        }
    }
    for c in &s.captures {
        if env.capture_index(&c.node).is_some() && !takes.iter().any(|(n, _)| *n == c.node) {
            takes.push((c.node.as_str(), Type::new(BaseType::Bool)));
        }
    }
    let (given, seen) = named_values(
        &env.choices,
        values,
        |name| {
            takes
                .iter()
                .position(|(n, _)| *n == name)
                .and_then(|i| Some((i, takes.get(i)?.1)))
        },
        |a| {
            let name = a.name.node.as_str();
            let d = Diagnostic::new(
                Code::E0108,
                a.name.span,
                format!("screen `{}` does not take `{name}`", screen.node),
            )
            .label("not collected or captured by this screen")
            .secondary(step.name.span, "the screen");
            d.did_you_mean(name, takes.iter().map(|(n, _)| *n))
        },
        |name| format!("for `{name}`"),
        diags,
    );
    let mut ok = given.is_some();
    let out: Vec<(String, Value)> = given
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(i, v)| Some((takes.get(i)?.0.to_string(), v)))
        .collect();
    let missing: Vec<String> = takes
        .iter()
        .filter(|(n, _)| !seen.contains(n))
        .map(|(n, _)| format!("`{n}`"))
        .collect();
    if !missing.is_empty() {
        ok = false;
        diags.push(
            Diagnostic::new(
                Code::E0108,
                screen.span,
                format!(
                    "`input` for `{}` is missing {}",
                    screen.node,
                    missing.join(", ")
                ),
            )
            .label("every collected field and capture must be given")
            .help("give `none` for an optional field, `true` for a capture"),
        );
    }
    ok.then_some(Input {
        screen: sid,
        values: out,
        span,
    })
}

fn stub(
    env: &Env,
    result: &ast::Name,
    values: &[ast::Arg],
    span: Span,
    diags: &mut Vec<Diagnostic>,
) -> Option<Stub> {
    let rid = resolve_result(env, result, " in `stub`", diags)?;
    let info = env.results.get(rid as usize)?;
    if info.error {
        return None;
    }
    let (given, seen) = named_values(
        &env.choices,
        values,
        |name| info.field(name).map(|(i, ty)| (i as usize, ty)),
        |a| {
            let name = a.name.node.as_str();
            let d = Diagnostic::new(
                Code::E0108,
                a.name.span,
                format!("result `{}` has no field `{name}`", info.name),
            )
            .label("not a field of this result");
            d.did_you_mean(name, info.fields.iter().map(|f| f.name.as_str()))
        },
        |name| format!("for `{}.{name}`", info.name),
        diags,
    );
    let mut ok = given.is_some();
    let mut answer = vec![Value::None; info.fields.len()];
    for (i, v) in given.unwrap_or_default() {
        if let Some(slot) = answer.get_mut(i) {
            *slot = v;
        }
    }
    let missing: Vec<String> = info
        .fields
        .iter()
        .filter(|f| !f.ty.optional && !seen.contains(f.name.as_str()))
        .map(|f| format!("`{}`", f.name))
        .collect();
    if !missing.is_empty() {
        ok = false;
        diags.push(
            Diagnostic::new(
                Code::E0108,
                result.span,
                format!(
                    "`stub` for `{}` is missing {}",
                    info.name,
                    missing.join(", ")
                ),
            )
            .label("fields that are not optional must be given"),
        );
    }
    if ok {
        ok = passed_carries_every_field(info, &answer, result, diags);
    }
    ok.then_some(Stub {
        result: rid,
        answer: StubAnswer::Values(answer),
        span,
    })
}

/// A verification stub that says `passed` gives every result field, none
/// of them `none` (reference §8.4): one E0108 naming what is missing.
fn passed_carries_every_field(
    info: &ResultInfo,
    answer: &[Value],
    result: &ast::Name,
    diags: &mut Vec<Diagnostic>,
) -> bool {
    let passed = Value::Status(crate::value::Status::Passed);
    let says_passed = info
        .field("status")
        .is_some_and(|(i, _)| answer.get(i as usize) == Some(&passed));
    if !info.verification || !says_passed {
        return true;
    }
    let missing: Vec<String> = (info.fields.iter().zip(answer))
        .filter(|(f, v)| f.promised && **v == Value::None)
        .map(|(f, _)| format!("`{}`", f.name))
        .collect();
    if missing.is_empty() {
        return true;
    }
    diags.push(
        Diagnostic::new(
            Code::E0108,
            result.span,
            format!(
                "`stub` for `{}` says `passed` but is missing {}",
                info.name,
                missing.join(", ")
            ),
        )
        .label("a `passed` answer carries every result field")
        .help("give each field a value; to simulate a broken service, use `stub R error`"),
    );
    false
}

/// A test value with the slot (field or capture index) it answers.
type Slotted = (usize, Value);

/// The `NAME: VALUE` list of an `input` or a `stub`. `lookup` gives a
/// name's slot and type (`unknown` builds the E0108 for a name it does not
/// know); a name given twice is E0108; each value must be a constant of its
/// type. Returns the values with their slots in source order (`None` when
/// any entry was rejected) and the names given, for the caller's check of
/// what is missing.
fn named_values<'a>(
    choices: &ChoiceTable,
    values: impl IntoIterator<Item = &'a ast::Arg>,
    lookup: impl Fn(&str) -> Option<(usize, Type)>,
    unknown: impl Fn(&ast::Arg) -> Diagnostic,
    what: impl Fn(&str) -> String,
    diags: &mut Vec<Diagnostic>,
) -> (Option<Vec<Slotted>>, HashSet<&'a str>) {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut ok = true;
    for a in values {
        let name = a.name.node.as_str();
        let Some((slot, ty)) = lookup(name) else {
            ok = false;
            diags.push(unknown(a));
            continue;
        };
        if !seen.insert(name) {
            ok = false;
            diags.push(
                Diagnostic::new(Code::E0108, a.name.span, format!("`{name}` is given twice"))
                    .label("duplicate"),
            );
            continue;
        }
        match value_of(choices, &a.value, ty, &what(name), diags) {
            Some(v) => out.push((slot, v)),
            None => ok = false,
        }
    }
    (ok.then_some(out), seen)
}

/// A path an `expect` may compare: its declared type, as optional.
fn path(env: &Env, e: &ast::Expr, diags: &mut Vec<Diagnostic>) -> Result<Option<(Path, Type)>, ()> {
    match &e.kind {
        ExprKind::Field(f) => {
            let rec = if f.record == Record::Inquiry {
                "inquiry"
            } else {
                "account"
            };
            match env.field(f.record, &f.field.node) {
                Some((id, info)) => Ok(Some((
                    Path::Field {
                        record: f.record,
                        field: id,
                    },
                    info.ty,
                ))),
                None => {
                    let d = Diagnostic::new(
                        Code::E0103,
                        f.field.span,
                        format!("unknown {rec} field `{}`", f.field.node),
                    )
                    .label(format!("no {rec} field has this name"));
                    diags.push(d.did_you_mean(
                        &f.field.node,
                        env.fields(f.record).iter().map(|x| x.name.as_str()),
                    ));
                    Err(())
                }
            }
        }
        ExprKind::ResultField { result, field } => {
            let Some((rid, info)) = env.result(&result.node) else {
                diags.push(unknown_result(env, result, ""));
                return Err(());
            };
            if info.error {
                return Err(());
            }
            match info.field(&field.node) {
                Some((fi, ty)) => Ok(Some((
                    Path::Result {
                        result: rid,
                        field: fi,
                    },
                    ty,
                ))),
                None => {
                    let d = Diagnostic::new(
                        Code::E0108,
                        field.span,
                        format!("result `{}` has no field `{}`", info.name, field.node),
                    )
                    .label("not a field of this result");
                    diags.push(
                        d.did_you_mean(&field.node, info.fields.iter().map(|f| f.name.as_str())),
                    );
                    Err(())
                }
            }
        }
        _ => Ok(None),
    }
}

/// `expect PATH OP EXPR` (the path on either side), or `expect PATH` for
/// a `bool` path.
fn expect(
    env: &Env,
    cx: &mut Cx<'_, '_>,
    facts: &BitSet,
    e: &ast::Expr,
    diags: &mut Vec<Diagnostic>,
) -> Option<Expect> {
    let not_bool = |diags: &mut Vec<Diagnostic>| {
        diags.push(
            Diagnostic::new(Code::E0202, e.span, "`expect` is not a `bool` comparison of a path with a value")
                .label("expected `PATH OP EXPR`")
                .help("compare `inquiry.F`, `account.F` or `R.F` with an expression, e.g. `expect account.name_first == \"Ada\"`"),
        )
    };
    let is_path =
        |e: &ast::Expr| matches!(e.kind, ExprKind::Field(_) | ExprKind::ResultField { .. });
    let (op, lhs, rhs) = match &e.kind {
        ExprKind::Binary { op, lhs, rhs } if op.is_comparison() => (*op, &**lhs, &**rhs),
        _ => {
            return match path(env, e, diags) {
                Ok(Some((p, ty))) if ty.base == BaseType::Bool => Some(Expect::Compare {
                    path: p,
                    op: BinaryOp::Eq,
                    value: constant(Value::Bool(true), BaseType::Bool, e.span),
                    span: e.span,
                }),
                Ok(_) => {
                    not_bool(diags);
                    None
                }
                Err(()) => None,
            };
        }
    };
    let (side, other, op) = if is_path(lhs) {
        (lhs, rhs, op)
    } else if is_path(rhs) {
        (rhs, lhs, op.flipped())
    } else {
        not_bool(diags);
        return None;
    };
    let found = path(env, side, diags);
    let value = cx.expr(other, facts);
    let (p, ty) = found.ok()??;
    // In `expect` the path is taken as optional: a `none` makes the
    // expectation fail at run time, ordering comparisons included.
    let ty = ty.with_optional(true);
    if op.kind() == OpKind::Order && op.signature(ty.base, ty.base).is_none() {
        diags.push(
            Diagnostic::new(
                Code::E0201,
                e.span,
                format!(
                    "`{}` needs {}, found `{}`",
                    op.symbol(),
                    op.needs(),
                    ty.base
                ),
            )
            .label("cannot be ordered")
            .help("use `==` or `!=`"),
        );
        return None;
    }
    match value.ty {
        Ty::Err => return None,
        Ty::NoneLit if op.kind() == OpKind::Order => {
            let want = ty.with_optional(false);
            diags.push(
                Diagnostic::new(
                    Code::E0203,
                    other.span,
                    format!("`none` where `{want}` is needed in `expect`"),
                )
                .label("this is `none`")
                .help("an ordering needs a value on both sides; compare with `== none`"),
            );
            return None;
        }
        Ty::NoneLit => {}
        Ty::Known(t) if t.base != ty.base => {
            let want = if op.kind() == OpKind::Order {
                ty.with_optional(false)
            } else {
                ty
            };
            diags.push(
                Diagnostic::new(
                    Code::E0201,
                    other.span,
                    format!("expected `{want}` in `expect`, found `{t}`"),
                )
                .label(format!("this is `{t}`")),
            );
            return None;
        }
        Ty::Known(_) => {}
    }
    // A string literal outside a choice's set is E0201 here as anywhere in
    // a test (reference §8.2).
    if let (Some(c), typed::ExprKind::Const(Value::Str(s))) = (ty.choice, &value.e.kind)
        && !env.choices.contains(c, s)
    {
        diags.push(super::choice::outside(
            &env.choices,
            c,
            s,
            other.span,
            &format!("`{}` in `expect`", env.choices.show(ty)),
        ));
        return None;
    }
    Some(Expect::Compare {
        path: p,
        op,
        value: value.e,
        span: e.span,
    })
}

/// A typed constant.
fn constant(v: Value, base: BaseType, span: Span) -> typed::Expr {
    typed::Expr {
        kind: typed::ExprKind::Const(v),
        ty: Type::new(base),
        span,
    }
}
