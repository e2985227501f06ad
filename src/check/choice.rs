//! The rules of choice types (SPEC §8.2): where a choice meets a string
//! literal, a plain `string` or another choice. Everything else treats a
//! choice as the `string` it is, by its base type.
//!
//! - assigned: a literal of its set, or a choice whose set is contained in
//!   its own; a plain `string` is E0201;
//! - compared (`==`, `!=`, `in`): a literal outside its set, or a choice of
//!   a disjoint set, is E0201; a non-literal `string` is allowed.

use super::expr::{Cx, TExpr, Ty};
use crate::ast;
use crate::diagnostics::{Code, Diagnostic};
use crate::span::Span;
use crate::typed::ExprKind;
use crate::types::{ChoiceId, ChoiceTable, Type};
use crate::value::Value;

/// E0201 for the string `value` outside the choice `id`, naming the
/// allowed values.
pub(super) fn outside(
    table: &ChoiceTable,
    id: ChoiceId,
    value: &str,
    span: Span,
    what: &dyn std::fmt::Display,
) -> Diagnostic {
    Diagnostic::new(
        Code::E0201,
        span,
        format!("{value:?} is not a value of the choice {what}"),
    )
    .label("not one of the choice's values")
    .note(format!("allowed values: {}", table.show_values(id)))
}

/// The string literal a typed expression is, if it is one.
fn literal(te: &TExpr) -> Option<&str> {
    match &te.e.kind {
        ExprKind::Const(Value::Str(s)) => Some(s),
        _ => None,
    }
}

/// The choice a typed expression has, if it is a (possibly optional) choice.
fn choice_of(te: &TExpr) -> Option<ChoiceId> {
    match te.ty {
        Ty::Known(t) => t.choice,
        _ => None,
    }
}

impl Cx<'_, '_> {
    /// `te` assigned where `want` is needed: the choice rules when `want`
    /// is a choice (its base already matched).
    pub(super) fn fit_choice(
        &mut self,
        src: &ast::Expr,
        te: &TExpr,
        want: Type,
        what: &dyn std::fmt::Display,
    ) {
        let (Some(c), Ty::Known(t)) = (want.choice, te.ty) else {
            return;
        };
        let table = &self.env.choices;
        let d = match (t.choice, literal(te)) {
            (Some(d), _) if !table.subset(d, c) => Diagnostic::new(
                Code::E0201,
                src.span,
                format!(
                    "expected `{}` {what}, found `{}`",
                    table.show(want),
                    table.show(t)
                ),
            )
            .label("some of these values are not in the target's set")
            .note(format!("allowed values: {}", table.show_values(c))),
            (Some(_), _) => return,
            (None, Some(s)) if !table.contains(c, s) => outside(
                table,
                c,
                s,
                src.span,
                &format!("`{}` {what}", table.show(want)),
            ),
            (None, Some(_)) => return,
            (None, None) => Diagnostic::new(
                Code::E0201,
                src.span,
                format!("expected `{}` {what}, found `{t}`", table.show(want)),
            )
            .label("any string could stand here")
            .note(format!("allowed values: {}", table.show_values(c)))
            .help("assign one of the values as a literal, or a field of a choice within this set"),
        };
        self.report(d);
    }

    /// `==`/`!=` between two strings: a literal outside a choice's set, or
    /// two disjoint choices, is E0201.
    pub(super) fn compare_choices(
        &mut self,
        (lhs, l): (&ast::Expr, &TExpr),
        (rhs, r): (&ast::Expr, &TExpr),
        span: Span,
    ) {
        let table = &self.env.choices;
        let d = match (choice_of(l), choice_of(r)) {
            (Some(a), Some(b)) if table.disjoint(a, b) => Diagnostic::new(
                Code::E0201,
                span,
                format!(
                    "cannot compare `{}` with `{}`: they share no value",
                    table.show_values(a),
                    table.show_values(b)
                ),
            )
            .label("this comparison is never true")
            .secondary(lhs.span, format!("this is `{}`", table.show_values(a)))
            .secondary(rhs.span, format!("this is `{}`", table.show_values(b))),
            (Some(c), None) => match literal(r) {
                Some(s) if !table.contains(c, s) => {
                    outside(table, c, s, rhs.span, &"it is compared with")
                        .secondary(lhs.span, format!("this is `{}`", table.show_values(c)))
                }
                _ => return,
            },
            (None, Some(c)) => match literal(l) {
                Some(s) if !table.contains(c, s) => {
                    outside(table, c, s, lhs.span, &"it is compared with")
                        .secondary(rhs.span, format!("this is `{}`", table.show_values(c)))
                }
                _ => return,
            },
            _ => return,
        };
        self.report(d);
    }

    /// One element of `VALUE in [...]` when VALUE is a choice: as for `==`.
    pub(super) fn in_choice(
        &mut self,
        (value, v): (&ast::Expr, &TExpr),
        (item, te): (&ast::Expr, &TExpr),
    ) {
        if choice_of(v).is_some() {
            self.compare_choices((value, v), (item, te), item.span);
        }
    }
}
