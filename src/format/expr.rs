//! Expressions. Parentheses are printed where the source has them and
//! wherever the precedence needs them; `and`/`or` chains break before
//! their operators when they do not fit.

use super::doc::{Doc, concat, group, nest, text};
use super::source::{is_lbracket, is_lparen, is_rbracket, is_rparen};
use super::{ARGS, LIST, Printer};
use crate::ast::{BinaryOp, Expr, ExprKind, UnaryOp};

/// Binding strength, loosest first, as in the grammar: `or`, `and`, `not`,
/// comparisons and `in`, `+ -`, `* / %`, unary `-`, primaries.
fn prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary { op, .. } => op_prec(*op),
        ExprKind::Unary {
            op: UnaryOp::Not, ..
        } => crate::ops::NOT_PRECEDENCE,
        ExprKind::In { .. } => crate::ops::IN_PRECEDENCE,
        ExprKind::Unary {
            op: UnaryOp::Neg, ..
        } => crate::ops::NEG_PRECEDENCE,
        _ => 8,
    }
}

fn op_prec(op: BinaryOp) -> u8 {
    op.precedence()
}

impl<'a> Printer<'a> {
    /// Whether the source wraps `e` in parentheses (the parser widens a
    /// parenthesised node's span over them).
    fn written_parens(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Binary { lhs: first, .. } | ExprKind::In { value: first, .. } => {
                e.span.start != first.span.start
            }
            _ => self.src.paren_at(e.span.start),
        }
    }

    /// A condition on its own line (`when`, `if`, `set`, `expect`). A
    /// top-level chain is left ungrouped, for the caller to group it with
    /// what follows it.
    pub(super) fn condition(&mut self, e: &'a Expr) -> Condition {
        match &e.kind {
            ExprKind::Binary { op, .. } if is_chain(*op) && !self.written_parens(e) => {
                Condition::Chain(self.chain(e, *op))
            }
            _ => Condition::Other(self.expr(e, 0)),
        }
    }

    /// `e`, in parentheses when written so or when its precedence is below
    /// `min`.
    pub(super) fn expr(&mut self, e: &'a Expr, min: u8) -> Doc {
        let inner = match &e.kind {
            ExprKind::Str(_) | ExprKind::Int(_) | ExprKind::Date(_) => {
                text(self.src.literal(e.span.start))
            }
            ExprKind::Bool(b) => text(if *b { "true" } else { "false" }),
            ExprKind::None => text("none"),
            ExprKind::Name(n) => text(n.clone()),
            ExprKind::Field(f) => Self::field_ref(f.record, &f.field),
            ExprKind::ResultField { result, field } => {
                concat(vec![Self::name(result), text("."), Self::name(field)])
            }
            ExprKind::Call { func, args } => {
                let open = self.src.next_token(func.span.end, is_lparen);
                let last = args.last().map_or(open + 1, |a| a.span.end);
                let close = self.src.next_token(last, is_rparen);
                let list = self.bracketed(ARGS, open, close, args, |a| a.span, |p, a| p.expr(a, 0));
                concat(vec![Self::name(func), list])
            }
            ExprKind::Unary { op, operand } => match op {
                UnaryOp::Not => concat(vec![text("not "), self.expr(operand, 3)]),
                UnaryOp::Neg => concat(vec![text("-"), self.expr(operand, 7)]),
            },
            ExprKind::Binary { op, .. } if is_chain(*op) => group(self.chain(e, *op)),
            ExprKind::Binary { op, lhs, rhs } => {
                // A comparison, whose operands do not chain, or `* / %`,
                // which lean left: `a * b / c` is `(a * b) / c`.
                let p = op_prec(*op);
                let left = if op.is_comparison() { p + 1 } else { p };
                let lhs = self.expr(lhs, left);
                let rhs = self.expr(rhs, p + 1);
                concat(vec![lhs, text(format!(" {} ", op.symbol())), rhs])
            }
            ExprKind::In { value, list } => {
                let value_doc = self.expr(value, 5);
                let open = self.src.next_token(value.span.end, is_lbracket);
                let last = list.last().map_or(open + 1, |a| a.span.end);
                let close = self.src.next_token(last, is_rbracket);
                let list = self.bracketed(LIST, open, close, list, |a| a.span, |p, a| p.expr(a, 0));
                concat(vec![value_doc, text(" in "), list])
            }
        };
        if self.written_parens(e) || prec(e) < min {
            concat(vec![text("("), inner, text(")")])
        } else {
            inner
        }
    }

    /// `a and b and c`, `a + b - c` (ungrouped): each operand with its
    /// comments, a line before each operator.
    fn chain(&mut self, e: &'a Expr, op: BinaryOp) -> Doc {
        let (first, rest) = self.operands(e, op);
        let p = op_prec(op);
        let last = rest.len();
        let first = self.piece(first.span, last > 0, |this| this.expr(first, p));
        let mut parts = vec![
            Self::lead_doc(&first.lead),
            first.doc,
            Self::trail_doc(&first.trail),
        ];
        let mut tail = Vec::new();
        for (i, (op, operand)) in rest.into_iter().enumerate() {
            let piece = self.piece(operand.span, i + 1 < last, |this| this.expr(operand, p + 1));
            tail.extend([
                Doc::Line,
                Self::lead_doc(&piece.lead),
                text(format!("{} ", op.symbol())),
                piece.doc,
                Self::trail_doc(&piece.trail),
            ]);
        }
        parts.push(nest(concat(tail)));
        concat(parts)
    }

    /// The operands of a left-leaning chain of operators of `op`'s family
    /// (`and`; `or`; `+ -`), each after its operator. `(a and b) and c`
    /// keeps its written parentheses, so it is two operands.
    fn operands(&self, e: &'a Expr, op: BinaryOp) -> (&'a Expr, Vec<(BinaryOp, &'a Expr)>) {
        let mut rest = Vec::new();
        let mut cur = e;
        while let ExprKind::Binary { op: o, lhs, rhs } = &cur.kind {
            // Only the chain's own top may be in (its own) parentheses.
            let parenthesised = !std::ptr::eq(cur, e) && self.written_parens(cur);
            if op_prec(*o) != op_prec(op) || parenthesised {
                break;
            }
            rest.push((*o, &**rhs));
            cur = lhs;
        }
        rest.reverse();
        (cur, rest)
    }
}

/// Operators whose chains break before each operator when too long.
fn is_chain(op: BinaryOp) -> bool {
    matches!(
        op,
        BinaryOp::Or | BinaryOp::And | BinaryOp::Add | BinaryOp::Sub
    )
}

/// A condition as [`Printer::condition`] prints it.
pub(super) enum Condition {
    /// An ungrouped chain of `and`, `or` or `+ -`.
    Chain(Doc),
    Other(Doc),
}

impl Condition {
    /// The condition grouped on its own.
    pub fn doc(self) -> Doc {
        match self {
            Condition::Chain(d) => group(d),
            Condition::Other(d) => d,
        }
    }
}
