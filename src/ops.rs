//! The operators of Flow (§3), each described once: its symbol, the
//! operand types it takes and what it computes.
//!
//! The checker types an operator from its [`BinaryOp::kind`] and
//! [`BinaryOp::signatures`]; the VM, the checker's constant evaluator and
//! the expectations of `flowc test` all compute it with [`Value::binary`],
//! [`Value::unary`] and [`Value::is_in`]. A result that does not fit is an
//! [`OpError`] that names its runtime code. Adding an operator is a variant
//! here with its symbol, kind, signatures and evaluation, plus its token
//! and grammar rule and its instruction.

use crate::diagnostics::Code;
use crate::types::BaseType;
use crate::value::Value;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

/// How the checker types an operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    /// `and`, `or`: two present `bool`s (E0202 otherwise, as for a
    /// condition).
    Logic,
    /// `==`, `!=`: two values of one type; either may be optional or `none`.
    Equality,
    /// `< <= > >=`: two present values matching one of the signatures;
    /// gives `bool`.
    Order,
    /// `+ - * / %`: two present values matching one of the signatures;
    /// gives the signature's type.
    Arithmetic,
}

/// One way to apply an operator: the operand types and the result's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    pub lhs: BaseType,
    pub rhs: BaseType,
    pub out: BaseType,
}

const fn sig(lhs: BaseType, rhs: BaseType, out: BaseType) -> Signature {
    Signature { lhs, rhs, out }
}

use BaseType::{Bool, Date, Int, String as Str};

/// Binding strength of `not`, loosest first, as in the grammar: `or` 1,
/// `and` 2, `not` 3, comparisons and `in` 4, `+ -` 5, `* / %` 6, unary `-` 7.
pub const NOT_PRECEDENCE: u8 = 3;
/// Binding strength of `in` (a comparison).
pub const IN_PRECEDENCE: u8 = 4;
/// Binding strength of unary `-`.
pub const NEG_PRECEDENCE: u8 = 7;

impl BinaryOp {
    /// How tightly the operator binds (see [`NOT_PRECEDENCE`] for the
    /// whole ladder); the printers of `flowc fmt` and `flowc graph` read it
    /// to place parentheses.
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::Or => 1,
            BinaryOp::And => 2,
            BinaryOp::Eq
            | BinaryOp::Ne
            | BinaryOp::Lt
            | BinaryOp::Le
            | BinaryOp::Gt
            | BinaryOp::Ge => 4,
            BinaryOp::Add | BinaryOp::Sub => 5,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => 6,
        }
    }

    pub const ALL: [BinaryOp; 13] = [
        BinaryOp::Or,
        BinaryOp::And,
        BinaryOp::Eq,
        BinaryOp::Ne,
        BinaryOp::Lt,
        BinaryOp::Le,
        BinaryOp::Gt,
        BinaryOp::Ge,
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::Rem,
    ];

    /// The operator as it is written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Rem => "%",
        }
    }

    pub fn kind(self) -> OpKind {
        match self {
            BinaryOp::Or | BinaryOp::And => OpKind::Logic,
            BinaryOp::Eq | BinaryOp::Ne => OpKind::Equality,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => OpKind::Order,
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => {
                OpKind::Arithmetic
            }
        }
    }

    /// The operand types of an [`OpKind::Order`] or [`OpKind::Arithmetic`]
    /// operator, in the order messages list them; empty for the others.
    pub fn signatures(self) -> &'static [Signature] {
        const ORDER: &[Signature] = &[sig(Int, Int, Bool), sig(Date, Date, Bool)];
        const ADD: &[Signature] = &[
            sig(Int, Int, Int),
            sig(Str, Str, Str),
            sig(Date, Int, Date),
            sig(Int, Date, Date),
        ];
        const SUB: &[Signature] = &[
            sig(Int, Int, Int),
            sig(Date, Int, Date),
            sig(Date, Date, Int),
        ];
        const INTS: &[Signature] = &[sig(Int, Int, Int)];
        match self {
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => ORDER,
            BinaryOp::Add => ADD,
            BinaryOp::Sub => SUB,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => INTS,
            BinaryOp::Or | BinaryOp::And | BinaryOp::Eq | BinaryOp::Ne => &[],
        }
    }

    /// The signature for operands of types `lhs` and `rhs`, if any.
    pub fn signature(self, lhs: BaseType, rhs: BaseType) -> Option<Signature> {
        self.signatures()
            .iter()
            .copied()
            .find(|s| s.lhs == lhs && s.rhs == rhs)
    }

    /// Every type some signature takes on either side, first seen first.
    pub fn operand_types(self) -> Vec<BaseType> {
        let mut out = Vec::new();
        for s in self.signatures() {
            for t in [s.lhs, s.rhs] {
                if !out.contains(&t) {
                    out.push(t);
                }
            }
        }
        out
    }

    /// What the operator needs, for a message after "`<` needs": "two
    /// `int`s or two `date`s", "operands of one type", or the signatures
    /// written out when they mix types.
    pub fn needs(self) -> String {
        let sigs = self.signatures();
        if self.kind() == OpKind::Equality || self.kind() == OpKind::Logic {
            return "operands of one type".to_string();
        }
        if sigs.iter().all(|s| s.lhs == s.rhs) {
            if self.kind() == OpKind::Arithmetic {
                return "operands of one type".to_string();
            }
            let two: Vec<String> = sigs.iter().map(|s| format!("two `{}`s", s.lhs)).collect();
            return or_list(&two);
        }
        let each: Vec<String> = sigs
            .iter()
            .map(|s| format!("`{} {} {}`", s.lhs, self.symbol(), s.rhs))
            .collect();
        or_list(&each)
    }

    /// Whether the operator compares (`== != < <= > >=`): what `expect`
    /// takes.
    pub fn is_comparison(self) -> bool {
        matches!(self.kind(), OpKind::Equality | OpKind::Order)
    }

    /// The operator that gives the same result with the operands swapped
    /// (`a < b` is `b > a`); itself for a symmetric one.
    pub fn flipped(self) -> BinaryOp {
        match self {
            BinaryOp::Lt => BinaryOp::Gt,
            BinaryOp::Le => BinaryOp::Ge,
            BinaryOp::Gt => BinaryOp::Lt,
            BinaryOp::Ge => BinaryOp::Le,
            other => other,
        }
    }
}

/// A unary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum UnaryOp {
    Not,
    Neg,
}

impl UnaryOp {
    pub const ALL: [UnaryOp; 2] = [UnaryOp::Not, UnaryOp::Neg];

    pub fn symbol(self) -> &'static str {
        match self {
            UnaryOp::Not => "not",
            UnaryOp::Neg => "-",
        }
    }

    /// The type of the operand and of the result.
    pub fn operand(self) -> BaseType {
        match self {
            UnaryOp::Not => Bool,
            UnaryOp::Neg => Int,
        }
    }
}

/// Whether `text` is the symbol of an operator (`in` included): what the
/// parser counts to bound an expression's size.
pub fn is_operator(text: &str) -> bool {
    text == "in"
        || BinaryOp::ALL.iter().any(|o| o.symbol() == text)
        || UnaryOp::ALL.iter().any(|o| o.symbol() == text)
}

/// Why an operator (or a built-in function) gave no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpError {
    /// The result does not fit its type: integer overflow (R0006). The
    /// text says what overflowed.
    Overflow(String),
    /// Division or remainder by zero (R0007).
    DivisionByZero(String),
    /// Operands of types the operator does not take. The checker rules
    /// this out, so at run time it means a malformed module (R0005).
    Type,
}

impl OpError {
    /// The runtime code of this error.
    pub fn code(&self) -> Code {
        match self {
            OpError::Overflow(_) => Code::R0006,
            OpError::DivisionByZero(_) => Code::R0007,
            OpError::Type => Code::R0005,
        }
    }
}

impl fmt::Display for OpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpError::Overflow(what) | OpError::DivisionByZero(what) => f.write_str(what),
            OpError::Type => f.write_str("operands of the wrong type"),
        }
    }
}

impl Value {
    /// `self OP rhs`. `and` and `or` here take both operands (the VM
    /// short-circuits them with jumps before they get here).
    pub fn binary(&self, op: BinaryOp, rhs: &Value) -> Result<Value, OpError> {
        use Value as V;
        if let (V::Int(a), V::Int(b)) = (self, rhs) {
            return int_binary(op, *a, *b).ok_or_else(|| int_error(op, *a, *b));
        }
        let order = |o: Ordering| {
            Ok(V::Bool(match op {
                BinaryOp::Lt => o.is_lt(),
                BinaryOp::Le => o.is_le(),
                BinaryOp::Gt => o.is_gt(),
                _ => o.is_ge(),
            }))
        };
        match (op, self, rhs) {
            (BinaryOp::And, V::Bool(a), V::Bool(b)) => Ok(V::Bool(*a && *b)),
            (BinaryOp::Or, V::Bool(a), V::Bool(b)) => Ok(V::Bool(*a || *b)),
            (BinaryOp::Eq, a, b) => Ok(V::Bool(a == b)),
            (BinaryOp::Ne, a, b) => Ok(V::Bool(a != b)),
            (BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge, V::Date(a), V::Date(b)) => {
                order(a.cmp(b))
            }
            (BinaryOp::Add, V::Str(a), V::Str(b)) => {
                let mut s = String::with_capacity(a.len() + b.len());
                s.push_str(a);
                s.push_str(b);
                Ok(V::Str(s))
            }
            (BinaryOp::Add, V::Date(d), V::Int(n)) | (BinaryOp::Add, V::Int(n), V::Date(d)) => {
                move_date(*d, Some(*n), *n, "+")
            }
            (BinaryOp::Sub, V::Date(d), V::Int(n)) => move_date(*d, n.checked_neg(), *n, "-"),
            (BinaryOp::Sub, V::Date(a), V::Date(b)) => Ok(V::Int(a.days_since(*b))),
            _ => Err(OpError::Type),
        }
    }

    /// `OP self`.
    pub fn unary(&self, op: UnaryOp) -> Result<Value, OpError> {
        match (op, self) {
            (UnaryOp::Not, Value::Bool(b)) => Ok(Value::Bool(!b)),
            (UnaryOp::Neg, Value::Int(i)) => i
                .checked_neg()
                .map(Value::Int)
                .ok_or_else(|| OpError::Overflow(format!("integer overflow in `-{i}`"))),
            _ => Err(OpError::Type),
        }
    }

    /// `self in [list]`: whether some item equals the value.
    pub fn is_in(&self, list: &[Value]) -> bool {
        list.iter().any(|item| item == self)
    }
}

/// `a OP b` on two `int`s, when it has a value: `None` for an overflow,
/// a division by zero, or `and`/`or` (which take `bool`s).
/// [`Value::binary`] says why (`int_error`); the VM's fused groups
/// (src/vm/fused.rs) call this directly, to skip the `Result`.
#[inline]
pub fn int_binary(op: BinaryOp, a: i64, b: i64) -> Option<Value> {
    match op {
        BinaryOp::Add => a.checked_add(b).map(Value::Int),
        BinaryOp::Sub => a.checked_sub(b).map(Value::Int),
        BinaryOp::Mul => a.checked_mul(b).map(Value::Int),
        BinaryOp::Div | BinaryOp::Rem => divide(op, a, b).ok(),
        BinaryOp::Eq => Some(Value::Bool(a == b)),
        BinaryOp::Ne => Some(Value::Bool(a != b)),
        BinaryOp::Lt => Some(Value::Bool(a < b)),
        BinaryOp::Le => Some(Value::Bool(a <= b)),
        BinaryOp::Gt => Some(Value::Bool(a > b)),
        BinaryOp::Ge => Some(Value::Bool(a >= b)),
        BinaryOp::And | BinaryOp::Or => None,
    }
}

/// Why [`int_binary`] has no value for `a OP b`.
fn int_error(op: BinaryOp, a: i64, b: i64) -> OpError {
    match op {
        BinaryOp::Div | BinaryOp::Rem => divide(op, a, b).err().unwrap_or(OpError::Type),
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul => {
            OpError::Overflow(format!("integer overflow in `{a} {} {b}`", op.symbol()))
        }
        _ => OpError::Type,
    }
}

/// `a / b` or `a % b`: the quotient truncated toward zero, the remainder
/// with the sign of the dividend. The smallest `int` divided by `-1`
/// overflows; its remainder is `0`.
fn divide(op: BinaryOp, a: i64, b: i64) -> Result<Value, OpError> {
    let sym = op.symbol();
    if b == 0 {
        let what = if op == BinaryOp::Div {
            "division"
        } else {
            "remainder"
        };
        return Err(OpError::DivisionByZero(format!(
            "{what} by zero in `{a} {sym} 0`"
        )));
    }
    let out = if op == BinaryOp::Div {
        a.checked_div(b)
    } else {
        Some(a.wrapping_rem(b))
    };
    out.map(Value::Int)
        .ok_or_else(|| OpError::Overflow(format!("integer overflow in `{a} {sym} {b}`")))
}

/// A date moved by `days` whole days (`None` when the count itself
/// overflowed); R0006 outside the date range.
fn move_date(
    d: crate::value::Date,
    days: Option<i64>,
    n: i64,
    sym: &str,
) -> Result<Value, OpError> {
    days.and_then(|days| d.add_days(days))
        .map(Value::Date)
        .ok_or_else(|| {
            OpError::Overflow(format!(
                "date out of range in `@{d} {sym} {n}` (dates run from 0001-01-01 to 9999-12-31)"
            ))
        })
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[String]) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Date;

    fn bin(a: Value, op: BinaryOp, b: Value) -> Result<Value, OpError> {
        a.binary(op, &b)
    }

    #[test]
    fn comparisons_order_ints_and_dates_only() {
        let (d1, d2) = (Value::Date(Date(1)), Value::Date(Date(2)));
        assert_eq!(
            bin(d1.clone(), BinaryOp::Lt, d2.clone()),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            bin(d2.clone(), BinaryOp::Le, d1.clone()),
            Ok(Value::Bool(false))
        );
        assert_eq!(
            bin(Value::Int(3), BinaryOp::Ge, Value::Int(3)),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            bin(Value::Int(3), BinaryOp::Gt, Value::None),
            Err(OpError::Type)
        );
        let (a, b) = (Value::Str("a".into()), Value::Str("b".into()));
        assert_eq!(bin(a.clone(), BinaryOp::Lt, b.clone()), Err(OpError::Type));
        // equality takes any two values, `none` included
        assert_eq!(
            bin(a.clone(), BinaryOp::Eq, Value::None),
            Ok(Value::Bool(false))
        );
        assert_eq!(
            bin(Value::None, BinaryOp::Ne, Value::None),
            Ok(Value::Bool(false))
        );
        assert_eq!(bin(Value::Int(1), BinaryOp::Eq, d1), Ok(Value::Bool(false)));
        for op in BinaryOp::ALL
            .into_iter()
            .filter(|o| o.kind() == OpKind::Order)
        {
            for s in op.signatures() {
                assert_eq!(s.out, BaseType::Bool);
            }
            let (x, y) = (Value::Int(1), Value::Int(2));
            assert_eq!(
                bin(x.clone(), op, y.clone()),
                bin(y, op.flipped(), x),
                "{op:?} and its flip"
            );
        }
    }

    #[test]
    fn arithmetic_overflow_is_r0006() {
        let e = bin(Value::Int(i64::MAX), BinaryOp::Add, Value::Int(1)).unwrap_err();
        assert_eq!(e.code(), Code::R0006);
        assert_eq!(
            e.to_string(),
            format!("integer overflow in `{} + 1`", i64::MAX)
        );
        assert!(bin(Value::Int(i64::MIN), BinaryOp::Sub, Value::Int(1)).is_err());
        let e = Value::Int(i64::MIN).unary(UnaryOp::Neg).unwrap_err();
        assert_eq!(e.code(), Code::R0006);
        assert_eq!(Value::Int(5).unary(UnaryOp::Neg), Ok(Value::Int(-5)));
        assert_eq!(
            bin(
                Value::Str("ab".into()),
                BinaryOp::Add,
                Value::Str("c".into())
            ),
            Ok(Value::Str("abc".into()))
        );
        assert_eq!(
            bin(
                Value::Str("a".into()),
                BinaryOp::Sub,
                Value::Str("a".into())
            ),
            Err(OpError::Type)
        );
        assert_eq!(Value::Int(1).unary(UnaryOp::Not), Err(OpError::Type));
        assert_eq!(OpError::Type.code(), Code::R0005);
    }

    #[test]
    fn division_truncates_and_remainder_follows_the_dividend() {
        let i = Value::Int;
        for (a, b, q, r) in [
            (7, 2, 3, 1),
            (-7, 2, -3, -1),
            (7, -2, -3, 1),
            (-7, -2, 3, -1),
        ] {
            assert_eq!(bin(i(a), BinaryOp::Div, i(b)), Ok(i(q)), "{a} / {b}");
            assert_eq!(bin(i(a), BinaryOp::Rem, i(b)), Ok(i(r)), "{a} % {b}");
        }
        assert_eq!(bin(i(6), BinaryOp::Mul, i(-7)), Ok(i(-42)));
        for op in [BinaryOp::Div, BinaryOp::Rem] {
            let e = bin(i(5), op, i(0)).unwrap_err();
            assert_eq!(e.code(), Code::R0007, "{op:?}");
        }
        assert_eq!(
            bin(i(5), BinaryOp::Div, i(0)).unwrap_err().to_string(),
            "division by zero in `5 / 0`"
        );
        let e = bin(i(i64::MIN), BinaryOp::Div, i(-1)).unwrap_err();
        assert_eq!(e.code(), Code::R0006);
        assert_eq!(bin(i(i64::MIN), BinaryOp::Rem, i(-1)), Ok(i(0)));
        let e = bin(i(i64::MAX), BinaryOp::Mul, i(2)).unwrap_err();
        assert_eq!(e.code(), Code::R0006);
    }

    #[test]
    fn dates_move_by_days_and_subtract_to_days() {
        let d = |t: &str| Value::Date(Date::parse(t).unwrap());
        let i = Value::Int;
        assert_eq!(
            bin(d("2024-02-28"), BinaryOp::Add, i(2)),
            Ok(d("2024-03-01"))
        );
        assert_eq!(
            bin(i(2), BinaryOp::Add, d("2024-02-28")),
            Ok(d("2024-03-01"))
        );
        assert_eq!(
            bin(d("2024-03-01"), BinaryOp::Sub, i(1)),
            Ok(d("2024-02-29"))
        );
        assert_eq!(
            bin(d("2024-03-01"), BinaryOp::Sub, d("2023-03-01")),
            Ok(i(366))
        );
        assert_eq!(
            bin(d("2023-03-01"), BinaryOp::Sub, d("2024-03-01")),
            Ok(i(-366))
        );
        let e = bin(d("9999-12-31"), BinaryOp::Add, i(1)).unwrap_err();
        assert_eq!(e.code(), Code::R0006);
        assert_eq!(
            e.to_string(),
            "date out of range in `@9999-12-31 + 1` (dates run from 0001-01-01 to 9999-12-31)"
        );
        for n in [i64::MIN, i64::MAX] {
            assert_eq!(
                bin(d("2000-01-01"), BinaryOp::Sub, i(n))
                    .unwrap_err()
                    .code(),
                Code::R0006
            );
            assert_eq!(
                bin(d("2000-01-01"), BinaryOp::Add, i(n))
                    .unwrap_err()
                    .code(),
                Code::R0006
            );
        }
        assert_eq!(
            bin(d("0001-01-01"), BinaryOp::Sub, i(1))
                .unwrap_err()
                .code(),
            Code::R0006
        );
        assert_eq!(
            bin(i(1), BinaryOp::Sub, d("2000-01-01")),
            Err(OpError::Type)
        );
        assert_eq!(
            bin(d("2000-01-01"), BinaryOp::Mul, i(1)),
            Err(OpError::Type)
        );
    }

    #[test]
    fn logic_and_in() {
        let (t, f) = (Value::Bool(true), Value::Bool(false));
        assert_eq!(bin(t.clone(), BinaryOp::And, f.clone()), Ok(f.clone()));
        assert_eq!(bin(t.clone(), BinaryOp::Or, f.clone()), Ok(t.clone()));
        assert_eq!(
            bin(t.clone(), BinaryOp::And, Value::Int(1)),
            Err(OpError::Type)
        );
        assert!(Value::Int(2).is_in(&[Value::Int(1), Value::Int(2)]));
        assert!(!Value::Int(2).is_in(&[]));
    }

    #[test]
    fn every_typed_signature_evaluates() {
        let sample = |t: BaseType| match t {
            BaseType::Int => Value::Int(2),
            BaseType::String => Value::Str("x".into()),
            BaseType::Date => Value::Date(Date(10)),
            BaseType::Bool => Value::Bool(true),
            BaseType::Status => Value::Status(crate::value::Status::Passed),
        };
        for op in BinaryOp::ALL {
            for s in op.signatures() {
                let v = bin(sample(s.lhs), op, sample(s.rhs)).unwrap();
                assert_eq!(v.base_type(), Some(s.out), "{op:?} {s:?}");
            }
        }
    }

    #[test]
    fn messages_describe_the_signatures() {
        assert_eq!(BinaryOp::Lt.needs(), "two `int`s or two `date`s");
        assert_eq!(
            BinaryOp::Add.needs(),
            "`int + int`, `string + string`, `date + int` or `int + date`"
        );
        assert_eq!(BinaryOp::Mul.needs(), "operands of one type");
        assert_eq!(
            BinaryOp::Add.operand_types(),
            [BaseType::Int, BaseType::String, BaseType::Date]
        );
        assert!(is_operator("in") && is_operator("not") && is_operator(">="));
        assert!(is_operator("*") && is_operator("/") && is_operator("%"));
        assert!(!is_operator("->"));
    }
}
