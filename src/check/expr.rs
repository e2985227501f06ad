//! Expression typing (§3), under the data-flow facts of the point where
//! the expression stands: literals, names, field and result reads,
//! conditions, and the facts a condition adds where it holds. Operators and
//! built-in calls are typed in `operators`.
//!
//! The facts decide two things here: whether a read is allowed at all
//! (E0303: an inquiry field not written on every path, a result not bound)
//! and what a read's type is after narrowing (a passed verification's
//! fields, a field or result field known `!= none`). An expression that
//! failed to resolve gets [`Ty::Err`], which silences every later
//! diagnostic about it.

use super::facts::Layout;
use super::names::{Env, builtin_constants};
use crate::ast::{self, BinaryOp, ExprKind, Record};
use crate::diagnostics::{Code, Diagnostic};
use crate::flowgraph::BitSet;
use crate::span::Span;
use crate::typed;
use crate::types::{BaseType, Type};
use crate::value::{Status, Value};

/// An expression's type as the checker sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    Known(Type),
    /// The `none` literal: fits any `T?`.
    NoneLit,
    /// Already reported: nothing more is said about it.
    Err,
}

pub struct TExpr {
    pub e: typed::Expr,
    pub ty: Ty,
}

pub(super) const PLACEHOLDER: Type = Type::opt(BaseType::String);

pub(super) fn mk(kind: typed::ExprKind, ty: Type, span: Span) -> typed::Expr {
    typed::Expr { kind, ty, span }
}

pub(super) fn err_expr(span: Span) -> TExpr {
    TExpr {
        e: mk(typed::ExprKind::Const(Value::None), PLACEHOLDER, span),
        ty: Ty::Err,
    }
}

/// The checking context shared by expressions, statements and steps.
pub struct Cx<'e, 'a> {
    pub env: &'e Env<'a>,
    pub layout: &'e Layout,
    pub diags: Vec<Diagnostic>,
    /// Off while iterating to the fixpoint: only the final pass reports.
    pub emit: bool,
    /// Diagnostics not reported because `emit` was off: a walk that would
    /// have reported nothing need not be repeated by the final pass.
    pub muted: usize,
    /// The step being typed cannot be reached: it gets W0301 and nothing
    /// from the data flow (no W0302).
    pub unreachable: bool,
    /// Fields (`false`) and results (`true`) already given an E0303: one
    /// fault, one diagnostic, however many reads.
    pub unwritten: std::collections::HashSet<(bool, u32)>,
    /// Typing the expression of a test's `expect`, read at the end of the
    /// run: every path has its optional type, whatever the facts.
    pub in_expect: bool,
}

impl Cx<'_, '_> {
    pub fn report(&mut self, d: Diagnostic) {
        if self.emit {
            self.diags.push(d);
        } else {
            self.muted += 1;
        }
    }

    /// True the first time an E0303 is due for this field or result in
    /// the reporting pass.
    fn first_e0303(&mut self, result: bool, id: u32) -> bool {
        !self.emit || self.unwritten.insert((result, id))
    }

    pub(super) fn optional_help(&self, e: &ast::Expr) -> &'static str {
        if self.in_expect {
            return "in `expect`, a path may be `none` at the end of the run: compare the path itself (`==`, `!=` or an ordering) rather than computing with it";
        }
        match &e.kind {
            ExprKind::ResultField { result, field }
                if field.node != "status"
                    && self
                        .env
                        .result(&result.node)
                        .is_some_and(|(_, r)| r.verification) =>
            {
                "read it where the result is known `passed` (`when R.status == passed`) or known `!= none`"
            }
            ExprKind::ResultField { result, field }
                if self.env.result(&result.node).is_some_and(|(_, r)| {
                    r.http && r.field(&field.node).is_some_and(|(i, _)| r.promised(i))
                }) =>
            {
                "read it where the call is known to have succeeded (`when R.ok`) or known `!= none`"
            }
            ExprKind::Field(f) if f.record == Record::Account => {
                "account fields may predate this run; read it where it is known `!= none` (`when account.F != none`)"
            }
            _ => "check it with `!= none` first (in a `when`, an `if`, or an `and` chain)",
        }
    }

    /// Checks `te` against an expected type (assignment, argument): `T` fits
    /// `T?`, `none` fits `T?`; gives the typed expression.
    /// `what` says where, for the messages (formatted only if one is due).
    pub fn fit(
        &mut self,
        src: &ast::Expr,
        mut te: TExpr,
        want: Type,
        what: &dyn std::fmt::Display,
    ) -> typed::Expr {
        match te.ty {
            Ty::Err => {}
            Ty::NoneLit if want.optional => te.e.ty = want,
            Ty::NoneLit => self.report(
                Diagnostic::new(
                    Code::E0203,
                    src.span,
                    format!("`none` where `{want}` is needed {what}"),
                )
                .label("this is `none`")
                .help(format!(
                    "the target is not optional; declare it `{want}?` to allow `none`"
                )),
            ),
            Ty::Known(t) if t.base != want.base => self.report(
                Diagnostic::new(
                    Code::E0201,
                    src.span,
                    format!("expected `{want}` {what}, found `{t}`"),
                )
                .label(format!("this is `{t}`")),
            ),
            Ty::Known(t) if t.optional && !want.optional => {
                let help = self.optional_help(src);
                self.report(
                    Diagnostic::new(
                        Code::E0203,
                        src.span,
                        format!("optional value of type `{t}` where `{want}` is needed {what}"),
                    )
                    .label(format!("this is `{t}`: it may be `none`"))
                    .help(help),
                )
            }
            Ty::Known(_) => self.fit_choice(src, &te, want, what),
        }
        te.e
    }

    /// The text of `tag E` or `case E`: a present `string` (E0201, E0203).
    pub fn text_arg(&mut self, e: &ast::Expr, facts: &BitSet, keyword: &str) -> typed::Expr {
        let te = self.expr(e, facts);
        self.need(
            e,
            &te,
            &[BaseType::String],
            &format_args!("after `{keyword}`"),
        );
        te.e
    }

    /// A `when`/`if` condition: a present `bool` (E0202, E0203).
    pub fn condition(&mut self, e: &ast::Expr, facts: &BitSet, what: &'static str) -> typed::Expr {
        let te = self.expr(e, facts);
        match te.ty {
            Ty::Known(t) if t.base == BaseType::Bool && t.optional => {
                self.need(e, &te, &[BaseType::Bool], &what);
            }
            Ty::Known(t) if t.base != BaseType::Bool => {
                self.report(
                    Diagnostic::new(Code::E0202, e.span, format!("{what} is not `bool`"))
                        .label(format!("this is `{t}`")),
                );
            }
            Ty::NoneLit => self.report(
                Diagnostic::new(Code::E0202, e.span, format!("{what} is not `bool`"))
                    .label("this is `none`"),
            ),
            _ => {}
        }
        te.e
    }

    /// Adds the facts that hold where `e` is true: each conjunct of its
    /// `and` chain that is `R.status == passed` or `PATH != none`.
    pub fn cond_facts(&self, e: &ast::Expr, facts: &mut BitSet) {
        if let Some(id) = self.http_ok(e) {
            facts.set(self.layout.passed(id));
        }
        let ExprKind::Binary { op, lhs, rhs } = &e.kind else {
            return;
        };
        match op {
            BinaryOp::And => {
                self.cond_facts(lhs, facts);
                self.cond_facts(rhs, facts);
            }
            BinaryOp::Eq => {
                for (a, b) in [(lhs, rhs), (rhs, lhs)] {
                    if let (ExprKind::ResultField { result, field }, ExprKind::Name(n)) =
                        (&a.kind, &b.kind)
                        && field.node == "status"
                        && n == Status::Passed.name()
                        && let Some((id, r)) = self.env.result(&result.node)
                        && r.verification
                    {
                        facts.set(self.layout.passed(id));
                    }
                    if matches!(b.kind, ExprKind::Bool(true))
                        && let Some(id) = self.http_ok(a)
                    {
                        facts.set(self.layout.passed(id));
                    }
                }
            }
            BinaryOp::Ne => {
                for (a, b) in [(lhs, rhs), (rhs, lhs)] {
                    if !matches!(b.kind, ExprKind::None) {
                        continue;
                    }
                    match &a.kind {
                        ExprKind::Field(f) => {
                            if let Some((id, _)) = self.env.field(f.record, &f.field.node) {
                                facts.set(match f.record {
                                    Record::Inquiry => self.layout.inq_present(id),
                                    Record::Account => self.layout.acc_present(id),
                                });
                            }
                        }
                        ExprKind::ResultField { result, field } => {
                            if let Some((id, r)) = self.env.result(&result.node)
                                && let Some((fi, _)) = r.field(&field.node)
                            {
                                facts.set(self.layout.field_present(id, fi));
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    /// The result `R` when `e` is `R.ok` of an `http` call (reference §8.3).
    fn http_ok(&self, e: &ast::Expr) -> Option<typed::ResultId> {
        let ExprKind::ResultField { result, field } = &e.kind else {
            return None;
        };
        let (id, r) = self.env.result(&result.node)?;
        (r.http && field.node == "ok").then_some(id)
    }

    pub fn expr(&mut self, e: &ast::Expr, facts: &BitSet) -> TExpr {
        let span = e.span;
        let konst = |v: Value, b: BaseType| TExpr {
            e: mk(typed::ExprKind::Const(v), Type::new(b), span),
            ty: Ty::Known(Type::new(b)),
        };
        match &e.kind {
            ExprKind::Str(s) => konst(Value::Str(s.clone()), BaseType::String),
            ExprKind::Int(i) => konst(Value::Int(*i), BaseType::Int),
            ExprKind::Date(d) => konst(Value::Date(*d), BaseType::Date),
            ExprKind::Bool(b) => konst(Value::Bool(*b), BaseType::Bool),
            ExprKind::None => TExpr {
                e: mk(typed::ExprKind::Const(Value::None), PLACEHOLDER, span),
                ty: Ty::NoneLit,
            },
            ExprKind::Name(n) => match Status::from_name(n) {
                Some(s) => konst(Value::Status(s), BaseType::Status),
                None => {
                    let mut d = Diagnostic::new(Code::E0106, span, format!("unknown name `{n}`"))
                        .label("not a constant, and names must be read through a record or result");
                    if self.env.result(n).is_some() {
                        d = d.help(format!(
                            "`{n}` is a result; read one of its fields, e.g. `{n}.status`"
                        ));
                    } else if self.env.field(Record::Inquiry, n).is_some() {
                        d = d.help(format!("read the field as `inquiry.{n}`"));
                    } else if self.env.field(Record::Account, n).is_some() {
                        d = d.help(format!("read the field as `account.{n}`"));
                    } else {
                        d = d.did_you_mean(n, builtin_constants().chain(std::iter::once("none")));
                    }
                    self.report(d);
                    err_expr(span)
                }
            },
            ExprKind::Field(f) => self.field(f, facts, span),
            ExprKind::ResultField { result, field } => {
                self.result_field(result, field, facts, span)
            }
            ExprKind::Call { func, args } => self.call(func, args, facts, span),
            ExprKind::Unary { op, operand } => self.unary(*op, operand, facts, span),
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, facts, span),
            ExprKind::In { value, list } => self.in_list(value, list, facts, span),
        }
    }

    fn field(&mut self, f: &ast::FieldRef, facts: &BitSet, span: Span) -> TExpr {
        let rec = match f.record {
            Record::Inquiry => "inquiry",
            Record::Account => "account",
        };
        let Some((id, info)) = self.env.field(f.record, &f.field.node) else {
            let d = Diagnostic::new(
                Code::E0103,
                f.field.span,
                format!("unknown {rec} field `{}`", f.field.node),
            )
            .label(format!("no {rec} field has this name"));
            let d = d.did_you_mean(
                &f.field.node,
                self.env.fields(f.record).iter().map(|x| x.name.as_str()),
            );
            let d = if d.help.is_none() {
                d.help(format!("declare it in the `{rec} {{ ... }}` block"))
            } else {
                d
            };
            self.report(d);
            return err_expr(span);
        };
        let ty = match f.record {
            Record::Account | Record::Inquiry if self.in_expect => info.ty.with_optional(true),
            // Optional unless known `!= none` here (reference §8.2).
            Record::Account => info
                .ty
                .with_optional(!facts.get(self.layout.acc_present(id))),
            Record::Inquiry => {
                if !info.ty.optional
                    && !facts.get(self.layout.written(id))
                    && self.first_e0303(false, id)
                {
                    let d = Diagnostic::new(Code::E0303, span, format!("inquiry field `{}` may be read before it is written", info.name))
                        .label("not written on every path that reaches this read")
                        .secondary(info.span, format!("declared `{}` (not optional) here", info.ty))
                        .help(format!("collect it on a screen or `set inquiry.{}` on every path before this step, or declare it `{}?`", info.name, info.ty));
                    self.report(d);
                }
                if info.ty.optional && facts.get(self.layout.inq_present(id)) {
                    info.ty.with_optional(false)
                } else {
                    info.ty
                }
            }
        };
        TExpr {
            e: mk(
                typed::ExprKind::Field {
                    record: f.record,
                    field: id,
                },
                ty,
                span,
            ),
            ty: Ty::Known(ty),
        }
    }

    fn result_field(
        &mut self,
        result: &ast::Name,
        field: &ast::Name,
        facts: &BitSet,
        span: Span,
    ) -> TExpr {
        let Some((rid, info)) = self.env.result(&result.node) else {
            let mut d = Diagnostic::new(
                Code::E0106,
                result.span,
                format!("unknown result `{}`", result.node),
            )
            .label("no `let` binds this name");
            if matches!(result.node.as_str(), "inquiry" | "account") {
                d = d.help("fields are read as `inquiry.F` or `account.F`");
            } else {
                d = d.did_you_mean(&result.node, self.env.result_names());
            }
            self.report(d);
            return err_expr(span);
        };
        if info.error {
            return err_expr(span);
        }
        let Some((fi, declared)) = info.field(&field.node) else {
            let what = match &info.call {
                typed::CallKind::Verify(k) => format!("verification `{k}`"),
                typed::CallKind::Report(k) => format!("report `{k}`"),
                typed::CallKind::Http { .. } => "an `http` call".to_string(),
            };
            let fields = crate::diagnostics::ticked(info.fields.iter().map(|f| f.name.as_str()));
            let d = Diagnostic::new(
                Code::E0108,
                field.span,
                format!("result `{}` has no field `{}`", info.name, field.node),
            )
            .label(format!("not a result field of {what}"))
            .note(format!("its fields are {fields}"));
            let d = d.did_you_mean(&field.node, info.fields.iter().map(|f| f.name.as_str()));
            self.report(d);
            return err_expr(span);
        };
        if self.in_expect {
            let ty = declared.with_optional(true);
            let kind = typed::ExprKind::ResultField {
                result: rid,
                field: fi,
            };
            return TExpr {
                e: mk(kind, ty, span),
                ty: Ty::Known(ty),
            };
        }
        if !facts.get(self.layout.bound(rid)) && self.first_e0303(true, rid) {
            let d = Diagnostic::new(
                Code::E0303,
                result.span,
                format!("result `{}` may be read before it is bound", info.name),
            )
            .label("not bound on every path that reaches this read")
            .secondary(info.span, "bound here")
            .help("read it only in steps reached after the `let` on every path");
            self.report(d);
        }
        let narrowed = declared.optional
            && ((info.promised(fi) && facts.get(self.layout.passed(rid)))
                || facts.get(self.layout.field_present(rid, fi)));
        let ty = declared.with_optional(declared.optional && !narrowed);
        TExpr {
            e: mk(
                typed::ExprKind::ResultField {
                    result: rid,
                    field: fi,
                },
                ty,
                span,
            ),
            ty: Ty::Known(ty),
        }
    }
}
