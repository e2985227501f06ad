//! Typing of operators, `in` lists and built-in function calls (§3): what
//! each operand must be, and the type the whole gives.

use super::expr::{Cx, PLACEHOLDER, TExpr, Ty, err_expr, mk};
use crate::ast::{self, BinaryOp, ExprKind, UnaryOp};
use crate::builtins::{self, Builtin, Eval, Param};
use crate::diagnostics::{Code, Diagnostic};
use crate::flowgraph::BitSet;
use crate::ops::OpKind;
use crate::span::{Span, Spanned};
use crate::typed::{self, StepId};
use crate::types::{BaseType, Type};

impl Cx<'_, '_> {
    /// Checks that `te` is a present value of one of `accept`; reports
    /// E0203 or E0201 otherwise. `None` when it is not (or was an error).
    pub(super) fn need(
        &mut self,
        src: &ast::Expr,
        te: &TExpr,
        accept: &[BaseType],
        what: &dyn std::fmt::Display,
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
    pub(super) fn need_both(
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
        let ctx = format_args!("for `{sym}`");
        (
            self.need(lhs, l, accept, &ctx),
            self.need(rhs, r, accept, &ctx),
        )
    }

    /// An operand of `and`, `or` or `not`: a `bool` (E0202, as for a
    /// condition), present (E0203).
    pub(super) fn need_bool(&mut self, src: &ast::Expr, te: &TExpr, sym: &str) -> bool {
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
        self.need(src, te, &[BaseType::Bool], &format_args!("for `{sym}`"))
            .is_some()
    }

    pub(super) fn unary(
        &mut self,
        op: UnaryOp,
        operand: &ast::Expr,
        facts: &BitSet,
        span: Span,
    ) -> TExpr {
        let inner = self.expr(operand, facts);
        let base = op.operand();
        let ok = match op {
            UnaryOp::Not => self.need_bool(operand, &inner, op.symbol()),
            UnaryOp::Neg => self
                .need(
                    operand,
                    &inner,
                    &[base],
                    &format_args!("for unary `{}`", op.symbol()),
                )
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

    /// `VALUE in [ITEM, ...]`: a present value on the left, a non-empty list
    /// of present values of its type on the right.
    pub(super) fn in_list(
        &mut self,
        value: &ast::Expr,
        list: &[ast::Expr],
        facts: &BitSet,
        span: Span,
    ) -> TExpr {
        let v = self.expr(value, facts);
        let base = self.need(value, &v, &BaseType::ALL, &"on the left of `in`");
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
                let ctx = format_args!("in a list of `{b}`");
                if self.need(item, &te, &[b], &ctx).is_none() && te.ty != Ty::Err {
                    want = None;
                } else {
                    self.in_choice((value, &v), (item, &te));
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

    /// A call of a built-in function ([`crate::unstable::builtins`]): a known name
    /// (E0204), the right number of arguments (E0204), each of its
    /// parameter's type, or a step name for a step parameter (E0101).
    pub(super) fn call(
        &mut self,
        func: &ast::Name,
        args: &[ast::Expr],
        facts: &BitSet,
        span: Span,
    ) -> TExpr {
        let Some(b) = builtins::lookup(&func.node) else {
            // The arguments still get their own diagnostics.
            for a in args {
                self.expr(a, facts);
            }
            let d = Diagnostic::new(
                Code::E0204,
                func.span,
                format!("unknown function `{}`", func.node),
            )
            .label("not a built-in function")
            .did_you_mean(&func.node, builtins::names())
            .note(format!("the built-in functions are {}", builtins::listed()));
            self.report(d);
            return err_expr(span);
        };
        let t = Type::new(b.ret);
        let known = |e: typed::ExprKind| TExpr {
            e: mk(e, t, span),
            ty: Ty::Known(t),
        };
        if b.params.len() != args.len() {
            // A step name is not an expression: arguments are typed only
            // for a function that takes none.
            if !b.params.contains(&Param::Step) {
                for a in args {
                    self.expr(a, facts);
                }
            }
            let n = b.params.len();
            self.report(
                Diagnostic::new(
                    Code::E0204,
                    span,
                    format!(
                        "`{}` takes {n} argument{}, found {}",
                        b.name,
                        if n == 1 { "" } else { "s" },
                        args.len()
                    ),
                )
                .label("wrong number of arguments")
                .note(format!("signature: `{}`", b.signature())),
            );
            return known(typed::ExprKind::Builtin {
                func: b,
                args: Vec::new(),
            });
        }
        let mut typed_args = Vec::with_capacity(args.len());
        let mut step = None;
        let mut pattern = None;
        for (a, p) in args.iter().zip(b.params) {
            match p {
                Param::Value(want) => {
                    let te = self.expr(a, facts);
                    self.need(
                        a,
                        &te,
                        &[*want],
                        &format_args!("as the argument of `{}`", b.name),
                    );
                    typed_args.push(te.e);
                }
                Param::Step => step = Some(self.step_arg(b, a)),
                Param::Pattern => pattern = self.pattern_arg(b, a, facts),
            }
        }
        match (b.eval, step, pattern, typed_args.pop()) {
            (Eval::StepEntries, Some(id), ..) => known(typed::ExprKind::Attempts(id)),
            (Eval::Pattern, _, Some(pattern), Some(value)) => known(typed::ExprKind::Matches {
                value: Box::new(value),
                pattern,
            }),
            (.., last) => known(typed::ExprKind::Builtin {
                func: b,
                args: typed_args.into_iter().chain(last).collect(),
            }),
        }
    }

    /// The pattern a pattern parameter takes: a string literal that
    /// compiles ([`builtins::compile_pattern`]); E0205 otherwise, after the
    /// expression's own diagnostics.
    fn pattern_arg(&mut self, b: &Builtin, a: &ast::Expr, facts: &BitSet) -> Option<String> {
        let ExprKind::Str(text) = &a.kind else {
            self.expr(a, facts);
            self.report(
                Diagnostic::new(
                    Code::E0205,
                    a.span,
                    format!("the pattern of `{}` must be a string literal", b.name),
                )
                .label("not a string literal")
                .help(
                    "patterns are compiled once, before the flow runs: write the pattern in quotes",
                ),
            );
            return None;
        };
        match builtins::compile_pattern(text) {
            Ok(_) => Some(text.clone()),
            Err(e) => {
                self.report(
                    Diagnostic::new(Code::E0205, a.span, "invalid pattern")
                        .label("this pattern does not compile")
                        .note(e)
                        .help("the syntax is that of Rust's `regex` crate; `matches` compares the whole string"),
                );
                None
            }
        }
    }

    /// The step a step parameter names: a bare step name (E0201 for any
    /// other expression, E0101 for an unknown step; either gives step 0).
    fn step_arg(&mut self, b: &Builtin, a: &ast::Expr) -> StepId {
        let ExprKind::Name(name) = &a.kind else {
            self.report(
                Diagnostic::new(
                    Code::E0201,
                    a.span,
                    format!("expected a step name as the argument of `{}`", b.name),
                )
                .label("not a step name")
                .help(format!("write the name of a step: `{}(STEP)`", b.name)),
            );
            return 0;
        };
        match self.env.step(name) {
            Some(id) => id,
            None => {
                let d = self.env.unknown_step(
                    &Spanned::new(name.clone(), a.span),
                    &format!("in `{}()`", b.name),
                );
                self.report(d);
                0
            }
        }
    }

    pub(super) fn binary(
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
        let out = match op.kind() {
            OpKind::Logic => {
                self.need_bool(lhs, &l, sym);
                self.need_bool(rhs, &r, sym);
                Ty::Known(bool_t)
            }
            OpKind::Equality => {
                if let (Ty::Known(a), Ty::Known(b)) = (l.ty, r.ty)
                    && a.base != b.base
                {
                    self.report(
                        Diagnostic::new(
                            Code::E0201,
                            span,
                            format!("cannot compare `{a}` with `{b}`"),
                        )
                        .label(format!("`{sym}` needs {}", op.needs()))
                        .secondary(lhs.span, format!("this is `{a}`"))
                        .secondary(rhs.span, format!("this is `{b}`")),
                    );
                } else {
                    self.compare_choices((lhs, &l), (rhs, &r), span);
                }
                Ty::Known(bool_t)
            }
            OpKind::Order | OpKind::Arithmetic => self.by_signature(op, (lhs, &l), (rhs, &r), span),
        };
        let (mut le, mut re) = (l.e, r.e);
        // `none` beside a `T` is a `T?`.
        match (l.ty, r.ty) {
            (Ty::NoneLit, Ty::Known(t)) => le.ty = t.with_optional(true),
            (Ty::Known(t), Ty::NoneLit) => re.ty = t.with_optional(true),
            _ => {}
        }
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

    /// An operator typed by its signatures ([`BinaryOp::signatures`]): each
    /// operand a present value of a type some signature takes, and the pair
    /// one signature's. The type is the signature's result. When an operand
    /// was wrong, a comparison is still `bool`, and arithmetic has the type
    /// the operands' types pick (an optional operand is E0203 but leaves
    /// its type known), else an unknown type, so nothing cascades.
    fn by_signature(
        &mut self,
        op: BinaryOp,
        (lhs, l): (&ast::Expr, &TExpr),
        (rhs, r): (&ast::Expr, &TExpr),
        span: Span,
    ) -> Ty {
        let sym = op.symbol();
        let accept = op.operand_types();
        let (a, b) = self.need_both((lhs, l), (rhs, r), &accept, sym, span);
        if let (Some(a), Some(b)) = (a, b) {
            if let Some(sig) = op.signature(a, b) {
                return Ty::Known(Type::new(sig.out));
            }
            let message = if op.kind() == OpKind::Order {
                format!("cannot compare `{a}` with `{b}`")
            } else {
                format!("cannot apply `{sym}` to `{a}` and `{b}`")
            };
            self.report(
                Diagnostic::new(Code::E0201, span, message)
                    .label(format!("`{sym}` needs {}", op.needs())),
            );
        }
        if op.kind() == OpKind::Order {
            return Ty::Known(Type::new(BaseType::Bool));
        }
        match (l.ty, r.ty) {
            (Ty::Known(x), Ty::Known(y)) => op
                .signature(x.base, y.base)
                .map_or(Ty::Err, |s| Ty::Known(Type::new(s.out))),
            _ => Ty::Err,
        }
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
