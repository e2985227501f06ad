//! Constant evaluation and structural questions about expressions: what
//! W0303 (constant and repeated routes), W0302 (values the user entered)
//! and test values need.

use crate::ast::{self, ExprKind, Record};
use crate::value::{Status, Value};

/// True when `e` reads nothing that changes at run time: no field, result,
/// `attempts` or clock (`today`, `age`).
pub fn is_constant(e: &ast::Expr) -> bool {
    match &e.kind {
        ExprKind::Field(_) | ExprKind::ResultField { .. } => false,
        ExprKind::Call { func, args } => {
            crate::builtins::lookup(&func.node).is_none_or(|b| b.is_pure())
                && args.iter().all(is_constant)
        }
        ExprKind::Unary { operand, .. } => is_constant(operand),
        ExprKind::Binary { lhs, rhs, .. } => is_constant(lhs) && is_constant(rhs),
        ExprKind::In { value, list } => is_constant(value) && list.iter().all(is_constant),
        // An unknown name is already an error: not reported again as constant.
        ExprKind::Name(n) => Status::from_name(n).is_some(),
        _ => true,
    }
}

/// Evaluates a constant expression, when it can be done without the clock,
/// with the operators' one definition ([`crate::unstable::ops`]).
pub fn const_eval(e: &ast::Expr) -> Option<Value> {
    Some(match &e.kind {
        ExprKind::Str(s) => Value::Str(s.clone()),
        ExprKind::Int(i) => Value::Int(*i),
        ExprKind::Date(d) => Value::Date(*d),
        ExprKind::Bool(b) => Value::Bool(*b),
        ExprKind::None => Value::None,
        ExprKind::Name(n) => Value::Status(Status::from_name(n)?),
        ExprKind::Unary { op, operand } => const_eval(operand)?.unary(*op).ok()?,
        ExprKind::Binary { op, lhs, rhs } => {
            const_eval(lhs)?.binary(*op, &const_eval(rhs)?).ok()?
        }
        ExprKind::In { value, list } => {
            let v = const_eval(value)?;
            let items = list.iter().map(const_eval).collect::<Option<Vec<_>>>()?;
            Value::Bool(v.is_in(&items))
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
