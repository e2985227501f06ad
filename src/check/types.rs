//! Expression typing (§3), under the data-flow facts of the point where
//! the expression stands.
//!
//! The facts decide two things here: whether a read is allowed at all
//! (E0303: an inquiry field not written on every path, a result not bound)
//! and what a read's type is after narrowing (a passed verification's
//! fields, a field or result field known `!= none`). An expression that
//! failed to resolve gets [`Ty::Err`], which silences every later
//! diagnostic about it.

use super::facts::Layout;
use super::names::{Env, builtin_constants, builtin_functions, with_suggestion};
use crate::ast::{self, BinaryOp, ExprKind, Record, UnaryOp};
use crate::diagnostics::{Code, Diagnostic};
use crate::flowgraph::BitSet;
use crate::span::Span;
use crate::typed::{self, Builtin};
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

const PLACEHOLDER: Type = Type::opt(BaseType::String);

fn mk(kind: typed::ExprKind, ty: Type, span: Span) -> typed::Expr {
    typed::Expr { kind, ty, span }
}

fn err_expr(span: Span) -> TExpr {
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
    /// The step being typed cannot be reached: it gets W0301 and nothing
    /// from the data flow (no W0302).
    pub unreachable: bool,
    /// Fields (`false`) and results (`true`) already given an E0303: one
    /// fault, one diagnostic, however many reads.
    pub unwritten: std::collections::HashSet<(bool, u32)>,
}

impl Cx<'_, '_> {
    pub fn report(&mut self, d: Diagnostic) {
        if self.emit {
            self.diags.push(d);
        }
    }

    /// True the first time an E0303 is due for this field or result in
    /// the reporting pass.
    fn first_e0303(&mut self, result: bool, id: u32) -> bool {
        !self.emit || self.unwritten.insert((result, id))
    }

    fn optional_help(&self, e: &ast::Expr) -> &'static str {
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
            ExprKind::Field(f) if f.record == Record::Account => {
                "account fields may predate this run and are always optional; compare with `!= none` in `==`/`!=` only"
            }
            _ => "check it with `!= none` first (in a `when`, an `if`, or an `and` chain)",
        }
    }

    /// Checks that `te` is a present value of one of `accept`; reports
    /// E0203 or E0201 otherwise. `None` when it is not (or was an error).
    fn need(
        &mut self,
        src: &ast::Expr,
        te: &TExpr,
        accept: &[BaseType],
        what: &str,
    ) -> Option<BaseType> {
        match te.ty {
            Ty::Err => None,
            Ty::NoneLit => {
                self.report(
                    Diagnostic::new(
                        Code::E0203,
                        src.span,
                        format!("`none` where a value is needed {what}"),
                    )
                    .label("this is `none`"),
                );
                None
            }
            Ty::Known(t) => {
                if !accept.contains(&t.base) {
                    let want = either(accept);
                    self.report(
                        Diagnostic::new(
                            Code::E0201,
                            src.span,
                            format!("expected {want} {what}, found `{t}`"),
                        )
                        .label(format!("this is `{t}`")),
                    );
                    None
                } else if t.optional {
                    let help = self.optional_help(src);
                    self.report(
                        Diagnostic::new(
                            Code::E0203,
                            src.span,
                            format!(
                                "optional value of type `{t}` where `{}` is needed {what}",
                                t.base
                            ),
                        )
                        .label(format!("this is `{t}`: it may be `none`"))
                        .help(help),
                    );
                    None
                } else {
                    Some(t.base)
                }
            }
        }
    }

    /// Like [`Self::need`] for the two operands of `sym`; when neither has
    /// an accepted type, one E0201 on the whole expression (one fault).
    #[allow(clippy::too_many_arguments)]
    fn need_both(
        &mut self,
        (lhs, l): (&ast::Expr, &TExpr),
        (rhs, r): (&ast::Expr, &TExpr),
        accept: &[BaseType],
        sym: &str,
        span: Span,
    ) -> (Option<BaseType>, Option<BaseType>) {
        if let (Ty::Known(a), Ty::Known(b)) = (l.ty, r.ty)
            && !accept.contains(&a.base)
            && !accept.contains(&b.base)
        {
            let want = either(accept);
            self.report(
                Diagnostic::new(
                    Code::E0201,
                    span,
                    format!("cannot apply `{sym}` to `{a}` and `{b}`"),
                )
                .label(format!("`{sym}` takes {want}"))
                .secondary(lhs.span, format!("this is `{a}`"))
                .secondary(rhs.span, format!("this is `{b}`")),
            );
            return (None, None);
        }
        let ctx = format!("for `{sym}`");
        (
            self.need(lhs, l, accept, &ctx),
            self.need(rhs, r, accept, &ctx),
        )
    }

    /// An operand of `and`, `or` or `not`: a `bool` (E0202, as for a
    /// condition), present (E0203).
    fn need_bool(&mut self, src: &ast::Expr, te: &TExpr, sym: &str) -> bool {
        if let Ty::Known(t) = te.ty
            && t.base != BaseType::Bool
        {
            self.report(
                Diagnostic::new(
                    Code::E0202,
                    src.span,
                    format!("operand of `{sym}` is not `bool`"),
                )
                .label(format!("this is `{t}`")),
            );
            return false;
        }
        self.need(src, te, &[BaseType::Bool], &format!("for `{sym}`"))
            .is_some()
    }

    /// Checks `te` against an expected type (assignment, argument): `T` fits
    /// `T?`, `none` fits `T?`; gives the typed expression.
    pub fn fit(&mut self, src: &ast::Expr, mut te: TExpr, want: Type, what: &str) -> typed::Expr {
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
            Ty::Known(_) => {}
        }
        te.e
    }

    /// A `when`/`if` condition: a present `bool` (E0202, E0203).
    pub fn condition(&mut self, e: &ast::Expr, facts: &BitSet, what: &str) -> typed::Expr {
        let te = self.expr(e, facts);
        match te.ty {
            Ty::Known(t) if t.base == BaseType::Bool && t.optional => {
                self.need(e, &te, &[BaseType::Bool], what);
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
                }
            }
            BinaryOp::Ne => {
                for (a, b) in [(lhs, rhs), (rhs, lhs)] {
                    if !matches!(b.kind, ExprKind::None) {
                        continue;
                    }
                    match &a.kind {
                        ExprKind::Field(f) if f.record == Record::Inquiry => {
                            if let Some((id, _)) = self.env.field(Record::Inquiry, &f.field.node) {
                                facts.set(self.layout.inq_present(id));
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
                        d = with_suggestion(
                            d,
                            n,
                            builtin_constants().chain(std::iter::once("none")),
                        );
                    }
                    self.report(d);
                    err_expr(span)
                }
            },
            ExprKind::Field(f) => self.field(f, facts, span),
            ExprKind::ResultField { result, field } => {
                self.result_field(result, field, facts, span)
            }
            ExprKind::Attempts(step) => {
                let id = match self.env.step(&step.node) {
                    Some(id) => id,
                    None => {
                        let d = self.env.unknown_step(step, "in `attempts()`");
                        self.report(d);
                        0
                    }
                };
                TExpr {
                    e: mk(
                        typed::ExprKind::Attempts(id),
                        Type::new(BaseType::Int),
                        span,
                    ),
                    ty: Ty::Known(Type::new(BaseType::Int)),
                }
            }
            ExprKind::Call { func, args } => self.call(func, args, facts, span),
            ExprKind::Unary { op, operand } => {
                let inner = self.expr(operand, facts);
                let base = match op {
                    UnaryOp::Not => BaseType::Bool,
                    UnaryOp::Neg => BaseType::Int,
                };
                let ok = match op {
                    UnaryOp::Not => self.need_bool(operand, &inner, "not"),
                    UnaryOp::Neg => self
                        .need(operand, &inner, &[base], "for unary `-`")
                        .is_some(),
                };
                let kind = match op {
                    UnaryOp::Not => typed::ExprKind::Not(Box::new(inner.e)),
                    UnaryOp::Neg => typed::ExprKind::Neg(Box::new(inner.e)),
                };
                let t = Type::new(base);
                TExpr {
                    e: mk(kind, t, span),
                    ty: if ok || matches!(inner.ty, Ty::Known(i) if i.base == base) {
                        Ty::Known(t)
                    } else {
                        Ty::Err
                    },
                }
            }
            ExprKind::Binary { op, lhs, rhs } => self.binary(*op, lhs, rhs, facts, span),
            ExprKind::In { value, list } => {
                let v = self.expr(value, facts);
                let base = self.need(value, &v, &BaseType::ALL, "on the left of `in`");
                if list.is_empty() {
                    self.report(
                        Diagnostic::new(Code::E0201, span, "`in` needs a non-empty list")
                            .label("the list is empty"),
                    );
                }
                let mut items = Vec::with_capacity(list.len());
                // One fault, one diagnostic: only the first bad element.
                let mut want = base;
                for item in list {
                    let te = self.expr(item, facts);
                    if let Some(b) = want {
                        let ctx = format!("in a list of `{b}`");
                        if self.need(item, &te, &[b], &ctx).is_none() && te.ty != Ty::Err {
                            want = None;
                        }
                    }
                    items.push(te.e);
                }
                let t = Type::new(BaseType::Bool);
                TExpr {
                    e: mk(
                        typed::ExprKind::In {
                            value: Box::new(v.e),
                            list: items,
                        },
                        t,
                        span,
                    ),
                    ty: Ty::Known(t),
                }
            }
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
            let d = with_suggestion(
                d,
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
            Record::Account => info.ty.with_optional(true),
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
                d = with_suggestion(d, &result.node, self.env.result_names());
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
            let d = with_suggestion(d, &field.node, info.fields.iter().map(|f| f.name.as_str()));
            self.report(d);
            return err_expr(span);
        };
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
            && ((info.verification && facts.get(self.layout.passed(rid)))
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

    fn call(&mut self, func: &ast::Name, args: &[ast::Expr], facts: &BitSet, span: Span) -> TExpr {
        let typed_args: Vec<(TExpr, &ast::Expr)> =
            args.iter().map(|a| (self.expr(a, facts), a)).collect();
        let Some(b) = Builtin::from_name(&func.node) else {
            let d = Diagnostic::new(
                Code::E0204,
                func.span,
                format!("unknown function `{}`", func.node),
            )
            .label("not a built-in function");
            let d = with_suggestion(d, &func.node, builtin_functions());
            self.report(d.note("the built-in functions are `attempts`, `age`, `lower`, `upper`, `trim`, `len` and `today`"));
            return err_expr(span);
        };
        let (params, ret): (&[BaseType], BaseType) = match b {
            Builtin::Age => (&[BaseType::Date], BaseType::Int),
            Builtin::Lower | Builtin::Upper | Builtin::Trim => {
                (&[BaseType::String], BaseType::String)
            }
            Builtin::Len => (&[BaseType::String], BaseType::Int),
            Builtin::Today => (&[], BaseType::Date),
        };
        if params.len() != args.len() {
            let sig = params
                .iter()
                .map(|p| p.name())
                .collect::<Vec<_>>()
                .join(", ");
            self.report(
                Diagnostic::new(
                    Code::E0204,
                    span,
                    format!(
                        "`{}` takes {} argument{}, found {}",
                        b.name(),
                        params.len(),
                        if params.len() == 1 { "" } else { "s" },
                        args.len()
                    ),
                )
                .label("wrong number of arguments")
                .note(format!("signature: `{}({sig}) -> {ret}`", b.name())),
            );
        } else {
            for ((te, src), p) in typed_args.iter().zip(params) {
                let ctx = format!("as the argument of `{}`", b.name());
                self.need(src, te, &[*p], &ctx);
            }
        }
        let t = Type::new(ret);
        TExpr {
            e: mk(
                typed::ExprKind::Builtin {
                    func: b,
                    args: typed_args.into_iter().map(|(te, _)| te.e).collect(),
                },
                t,
                span,
            ),
            ty: Ty::Known(t),
        }
    }

    fn binary(
        &mut self,
        op: BinaryOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        facts: &BitSet,
        span: Span,
    ) -> TExpr {
        let l = self.expr(lhs, facts);
        let r = if op == BinaryOp::And {
            let mut inner = facts.clone();
            self.cond_facts(lhs, &mut inner);
            self.expr(rhs, &inner)
        } else {
            self.expr(rhs, facts)
        };
        let sym = op.symbol();
        let bool_t = Type::new(BaseType::Bool);
        let (ty, mut le, mut re) = (l.ty, l.e, r.e);
        let out = match op {
            BinaryOp::And | BinaryOp::Or => {
                self.need_bool(
                    lhs,
                    &TExpr {
                        e: le.clone(),
                        ty: l.ty,
                    },
                    sym,
                );
                self.need_bool(
                    rhs,
                    &TExpr {
                        e: re.clone(),
                        ty: r.ty,
                    },
                    sym,
                );
                Ty::Known(bool_t)
            }
            BinaryOp::Eq | BinaryOp::Ne => {
                match (ty, r.ty) {
                    (Ty::NoneLit, Ty::Known(t)) => le.ty = t.with_optional(true),
                    (Ty::Known(t), Ty::NoneLit) => re.ty = t.with_optional(true),
                    (Ty::Known(a), Ty::Known(b)) if a.base != b.base => self.report(
                        Diagnostic::new(
                            Code::E0201,
                            span,
                            format!("cannot compare `{a}` with `{b}`"),
                        )
                        .label(format!("`{sym}` needs operands of one type"))
                        .secondary(lhs.span, format!("this is `{a}`"))
                        .secondary(rhs.span, format!("this is `{b}`")),
                    ),
                    _ => {}
                }
                Ty::Known(bool_t)
            }
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let accept = [BaseType::Int, BaseType::Date];
                let (a, b) = self.need_both(
                    (lhs, &TExpr { e: le.clone(), ty }),
                    (
                        rhs,
                        &TExpr {
                            e: re.clone(),
                            ty: r.ty,
                        },
                    ),
                    &accept,
                    sym,
                    span,
                );
                if let (Some(a), Some(b)) = (a, b)
                    && a != b
                {
                    self.report(
                        Diagnostic::new(
                            Code::E0201,
                            span,
                            format!("cannot compare `{a}` with `{b}`"),
                        )
                        .label(format!("`{sym}` needs two `int`s or two `date`s")),
                    );
                }
                Ty::Known(bool_t)
            }
            BinaryOp::Add | BinaryOp::Sub => {
                let accept: &[BaseType] = if op == BinaryOp::Add {
                    &[BaseType::Int, BaseType::String]
                } else {
                    &[BaseType::Int]
                };
                let (a, b) = self.need_both(
                    (lhs, &TExpr { e: le.clone(), ty }),
                    (
                        rhs,
                        &TExpr {
                            e: re.clone(),
                            ty: r.ty,
                        },
                    ),
                    accept,
                    sym,
                    span,
                );
                match (a, b) {
                    (Some(a), Some(b)) if a == b => Ty::Known(Type::new(a)),
                    (Some(a), Some(b)) => {
                        self.report(
                            Diagnostic::new(
                                Code::E0201,
                                span,
                                format!("cannot apply `{sym}` to `{a}` and `{b}`"),
                            )
                            .label(format!("`{sym}` needs operands of one type")),
                        );
                        Ty::Err
                    }
                    // The other operand was only optional (E0203): the
                    // result's type is still known. A wrong type (E0201)
                    // leaves it unknown, so nothing cascades from it.
                    (Some(a), None) | (None, Some(a))
                        if [ty, r.ty]
                            .iter()
                            .all(|t| matches!(t, Ty::Known(t) if t.base == a)) =>
                    {
                        Ty::Known(Type::new(a))
                    }
                    _ => Ty::Err,
                }
            }
        };
        let t = match out {
            Ty::Known(t) => t,
            _ => PLACEHOLDER,
        };
        TExpr {
            e: mk(
                typed::ExprKind::Binary {
                    op,
                    lhs: Box::new(le),
                    rhs: Box::new(re),
                },
                t,
                span,
            ),
            ty: out,
        }
    }
}

/// True when `e` reads nothing that changes at run time: no field, result,
/// `attempts` or clock (`today`, `age`).
pub fn is_constant(e: &ast::Expr) -> bool {
    match &e.kind {
        ExprKind::Field(_) | ExprKind::ResultField { .. } | ExprKind::Attempts(_) => false,
        ExprKind::Call { func, args } => {
            !matches!(func.node.as_str(), "today" | "age") && args.iter().all(is_constant)
        }
        ExprKind::Unary { operand, .. } => is_constant(operand),
        ExprKind::Binary { lhs, rhs, .. } => is_constant(lhs) && is_constant(rhs),
        ExprKind::In { value, list } => is_constant(value) && list.iter().all(is_constant),
        // An unknown name is already an error: not reported again as constant.
        ExprKind::Name(n) => Status::from_name(n).is_some(),
        _ => true,
    }
}

/// Evaluates a constant expression, when it can be done without the clock.
pub fn const_eval(e: &ast::Expr) -> Option<Value> {
    Some(match &e.kind {
        ExprKind::Str(s) => Value::Str(s.clone()),
        ExprKind::Int(i) => Value::Int(*i),
        ExprKind::Date(d) => Value::Date(*d),
        ExprKind::Bool(b) => Value::Bool(*b),
        ExprKind::None => Value::None,
        ExprKind::Name(n) => Value::Status(Status::from_name(n)?),
        ExprKind::Unary {
            op: UnaryOp::Not,
            operand,
        } => match const_eval(operand)? {
            Value::Bool(b) => Value::Bool(!b),
            _ => return None,
        },
        ExprKind::Unary {
            op: UnaryOp::Neg,
            operand,
        } => match const_eval(operand)? {
            Value::Int(i) => Value::Int(i.checked_neg()?),
            _ => return None,
        },
        ExprKind::Binary { op, lhs, rhs } => {
            let (a, b) = (const_eval(lhs)?, const_eval(rhs)?);
            match (op, a, b) {
                (BinaryOp::And, Value::Bool(a), Value::Bool(b)) => Value::Bool(a && b),
                (BinaryOp::Or, Value::Bool(a), Value::Bool(b)) => Value::Bool(a || b),
                (BinaryOp::Eq, a, b) => Value::Bool(a == b),
                (BinaryOp::Ne, a, b) => Value::Bool(a != b),
                (BinaryOp::Lt, Value::Int(a), Value::Int(b)) => Value::Bool(a < b),
                (BinaryOp::Le, Value::Int(a), Value::Int(b)) => Value::Bool(a <= b),
                (BinaryOp::Gt, Value::Int(a), Value::Int(b)) => Value::Bool(a > b),
                (BinaryOp::Ge, Value::Int(a), Value::Int(b)) => Value::Bool(a >= b),
                (BinaryOp::Lt, Value::Date(a), Value::Date(b)) => Value::Bool(a < b),
                (BinaryOp::Le, Value::Date(a), Value::Date(b)) => Value::Bool(a <= b),
                (BinaryOp::Gt, Value::Date(a), Value::Date(b)) => Value::Bool(a > b),
                (BinaryOp::Ge, Value::Date(a), Value::Date(b)) => Value::Bool(a >= b),
                (BinaryOp::Add, Value::Int(a), Value::Int(b)) => Value::Int(a.checked_add(b)?),
                (BinaryOp::Sub, Value::Int(a), Value::Int(b)) => Value::Int(a.checked_sub(b)?),
                (BinaryOp::Add, Value::Str(a), Value::Str(b)) => Value::Str(a + &b),
                _ => return None,
            }
        }
        ExprKind::In { value, list } => {
            let v = const_eval(value)?;
            let mut found = false;
            for item in list {
                found |= const_eval(item)? == v;
            }
            Value::Bool(found)
        }
        _ => return None,
    })
}

/// Structural equality of two expressions, spans ignored.
pub fn same_expr(a: &ast::Expr, b: &ast::Expr) -> bool {
    use ExprKind as K;
    match (&a.kind, &b.kind) {
        (K::Str(x), K::Str(y)) => x == y,
        (K::Int(x), K::Int(y)) => x == y,
        (K::Date(x), K::Date(y)) => x == y,
        (K::Bool(x), K::Bool(y)) => x == y,
        (K::None, K::None) => true,
        (K::Name(x), K::Name(y)) => x == y,
        (K::Field(x), K::Field(y)) => x.record == y.record && x.field.node == y.field.node,
        (
            K::ResultField {
                result: r1,
                field: f1,
            },
            K::ResultField {
                result: r2,
                field: f2,
            },
        ) => r1.node == r2.node && f1.node == f2.node,
        (K::Call { func: f1, args: a1 }, K::Call { func: f2, args: a2 }) => {
            f1.node == f2.node
                && a1.len() == a2.len()
                && a1.iter().zip(a2).all(|(x, y)| same_expr(x, y))
        }
        (K::Attempts(x), K::Attempts(y)) => x.node == y.node,
        (K::Unary { op: o1, operand: x }, K::Unary { op: o2, operand: y }) => {
            o1 == o2 && same_expr(x, y)
        }
        (
            K::Binary {
                op: o1,
                lhs: l1,
                rhs: r1,
            },
            K::Binary {
                op: o2,
                lhs: l2,
                rhs: r2,
            },
        ) => o1 == o2 && same_expr(l1, l2) && same_expr(r1, r2),
        (
            K::In {
                value: v1,
                list: l1,
            },
            K::In {
                value: v2,
                list: l2,
            },
        ) => {
            same_expr(v1, v2)
                && l1.len() == l2.len()
                && l1.iter().zip(l2).all(|(x, y)| same_expr(x, y))
        }
        _ => false,
    }
}

/// True when `e` reads an inquiry field anywhere.
pub fn reads_inquiry(e: &ast::Expr) -> bool {
    match &e.kind {
        ExprKind::Field(f) => f.record == Record::Inquiry,
        ExprKind::Call { args, .. } => args.iter().any(reads_inquiry),
        ExprKind::Unary { operand, .. } => reads_inquiry(operand),
        ExprKind::Binary { lhs, rhs, .. } => reads_inquiry(lhs) || reads_inquiry(rhs),
        ExprKind::In { value, list } => reads_inquiry(value) || list.iter().any(reads_inquiry),
        _ => false,
    }
}

/// Accepted types in a message: `` `int` or `date` ``.
fn either(accept: &[BaseType]) -> String {
    accept
        .iter()
        .map(|b| format!("`{b}`"))
        .collect::<Vec<_>>()
        .join(" or ")
}
