//! Helpers called from the grammar's actions (`grammar/flow.lalrpop`
//! imports this module as `h`): node constructors too long for an action,
//! and the range and name checks that report into the item's diagnostics
//! while keeping the node, so that one bad value is one diagnostic.

use crate::ast::{self, Action, Expr, ExprKind, Name, Step, StepKind, Transition};
use crate::diagnostics::{self, Code, Diagnostic};
use crate::span::{Span, Spanned};
use crate::types::{BaseType, Type};
use crate::value::EndStatus;

/// The grammar's user error type: the facade's token stream never fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Never {}

pub(crate) fn sp(l: u32, r: u32) -> Span {
    Span::new(l, r)
}

/// A string literal's value, owned by the AST (the token holds its source
/// text).
pub(crate) fn string(raw: &str) -> String {
    crate::lexer::decode(raw).into_owned()
}

pub(crate) fn push_opt<T>(mut v: Vec<T>, e: Option<T>) -> Vec<T> {
    v.extend(e);
    v
}

pub(crate) fn prepend<T>(first: T, rest: Vec<T>) -> Vec<T> {
    let mut v = Vec::with_capacity(rest.len() + 1);
    v.push(first);
    v.extend(rest);
    v
}

/// One line of a screen body.
pub(crate) enum ScreenPart {
    Collect(Vec<Name>),
    Capture(Vec<Name>),
    Go(Transition),
}

/// One transition at the end of an action body.
pub(crate) enum ActionTail {
    Go(Transition),
    OnError(Transition),
}

pub(crate) fn step(name: Name, kind: StepKind, span: Span) -> Step {
    Step {
        name,
        kind,
        doc: None,
        span,
    }
}

pub(crate) fn screen(
    name: Name,
    title: Option<Spanned<String>>,
    parts: Vec<ScreenPart>,
    span: Span,
) -> Step {
    let mut s = ast::Screen {
        title,
        collects: Vec::new(),
        captures: Vec::new(),
        transitions: Vec::new(),
    };
    for part in parts {
        match part {
            ScreenPart::Collect(names) => s.collects.extend(names),
            ScreenPart::Capture(names) => s.captures.extend(names),
            ScreenPart::Go(t) => s.transitions.push(t),
        }
    }
    step(name, StepKind::Screen(s), span)
}

pub(crate) fn action(name: Name, body: Vec<ast::Stmt>, tail: Vec<ActionTail>, span: Span) -> Step {
    let mut a = Action {
        body,
        transitions: Vec::new(),
        on_error: Vec::new(),
    };
    for t in tail {
        match t {
            ActionTail::Go(t) => a.transitions.push(t),
            ActionTail::OnError(t) => a.on_error.push(t),
        }
    }
    step(name, StepKind::Action(a), span)
}

pub(crate) fn widen(mut t: Transition, span: Span) -> Transition {
    t.span = span;
    t
}

pub(crate) fn version(
    diags: &mut Vec<Diagnostic>,
    negative: bool,
    n: i64,
    span: Span,
) -> Spanned<i64> {
    let value = if negative { n.saturating_neg() } else { n };
    if value < 1 {
        diags.push(
            Diagnostic::new(Code::E0003, span, format!("version {value} is below 1"))
                .label("template versions start at 1")
                .help("write `version 1` or higher, or leave the version out"),
        );
    }
    Spanned::new(value, span)
}

pub(crate) fn retry(diags: &mut Vec<Diagnostic>, n: Spanned<i64>) -> Spanned<i64> {
    if !(0..=5).contains(&n.node) {
        diags.push(
            Diagnostic::new(
                Code::E0003,
                n.span,
                format!("`retry {}` is out of range", n.node),
            )
            .label("must be between 0 and 5")
            .help("`retry N` makes up to N+1 calls; N may be 0 to 5"),
        );
    }
    n
}

pub(crate) fn timeout(diags: &mut Vec<Diagnostic>, d: Spanned<u64>) -> Spanned<u64> {
    // A malformed duration lexes as 0 and has already been reported.
    if d.node != 0 && !(1..=86_400).contains(&d.node) {
        diags.push(
            Diagnostic::new(Code::E0003, d.span, "timeout is out of range")
                .label(format!("{} seconds is more than 24h", d.node))
                .help("a timeout is between `1s` and `24h`"),
        );
    } else if d.node == 0 && !diags.iter().any(|x| x.primary.span == d.span) {
        diags.push(
            Diagnostic::new(Code::E0003, d.span, "timeout is out of range")
                .label("a timeout of zero never lets the call run")
                .help("a timeout is between `1s` and `24h`"),
        );
    }
    d
}

fn one_of(names: impl Iterator<Item = &'static str>) -> String {
    format!("expected one of {}", diagnostics::ticked(names))
}

pub(crate) fn type_ref(
    diags: &mut Vec<Diagnostic>,
    name: Name,
    optional: bool,
    span: Span,
) -> Spanned<Type> {
    let base = BaseType::from_name(&name.node).unwrap_or_else(|| {
        diags.push(
            Diagnostic::new(
                Code::E0001,
                name.span,
                format!("unknown type `{}`", name.node),
            )
            .label("not a type")
            .help(one_of(BaseType::ALL.into_iter().map(BaseType::name))),
        );
        BaseType::String
    });
    Spanned::new(
        Type {
            base,
            optional,
            choice: None,
        },
        span,
    )
}

/// A field's type as written: a type name, or a choice of string
/// literals (`"a" | "b"`, `("a" | "b")?`) whose literals the checker
/// interns.
pub(crate) type FieldType = (Spanned<Type>, Option<Vec<Spanned<String>>>);

pub(crate) fn choice_type(
    diags: &mut Vec<Diagnostic>,
    values: Vec<Spanned<String>>,
    optional: bool,
    span: Span,
) -> FieldType {
    let max = crate::parser::MAX_CHOICE_VALUES;
    if values.len() > max {
        diags.push(
            Diagnostic::new(
                Code::E0001,
                span,
                format!(
                    "a choice of {} values; at most {max} are allowed",
                    values.len()
                ),
            )
            .label("too many values")
            .help("use a `string` field and check its value in the flow"),
        );
    }
    let ty = if optional {
        Type::opt(BaseType::String)
    } else {
        Type::new(BaseType::String)
    };
    (Spanned::new(ty, span), Some(values))
}

pub(crate) fn field_decl(
    name: Name,
    (ty, choice): FieldType,
    label: Option<Spanned<String>>,
    span: Span,
) -> ast::FieldDecl {
    ast::FieldDecl {
        name,
        ty,
        choice,
        label,
        span,
    }
}

/// `title "TEXT"` first in a screen: the word must be `title` (it is a
/// keyword only there).
pub(crate) fn title(
    diags: &mut Vec<Diagnostic>,
    word: Name,
    text: Spanned<String>,
) -> Spanned<String> {
    if word.node != "title" {
        diags.push(
            Diagnostic::new(
                Code::E0001,
                word.span,
                format!("unexpected `{}` in a screen", word.node),
            )
            .label("expected `title`, `collect`, `capture` or `->`")
            .help("a screen may begin with `title \"TEXT\"`"),
        );
    }
    text
}

pub(crate) fn end_status(diags: &mut Vec<Diagnostic>, name: Name) -> Spanned<EndStatus> {
    let status = EndStatus::from_name(&name.node).unwrap_or_else(|| {
        diags.push(
            Diagnostic::new(
                Code::E0001,
                name.span,
                format!("unknown end status `{}`", name.node),
            )
            .label("not an end status")
            .help(one_of(EndStatus::ALL.into_iter().map(EndStatus::name))),
        );
        EndStatus::Failed
    });
    Spanned::new(status, name.span)
}

/// `expect WORD R OP N`: WORD must be the contextual word `calls` (E0001
/// otherwise; the item is kept, as for an unknown end status).
pub(crate) fn expect_calls(
    diags: &mut Vec<Diagnostic>,
    word: Name,
    result: Name,
    op: ast::BinaryOp,
    count: Spanned<i64>,
    span: Span,
) -> ast::TestItem {
    if word.node != "calls" {
        diags.push(
            Diagnostic::new(
                Code::E0001,
                word.span,
                format!("unexpected identifier `{}` after `expect`", word.node),
            )
            .label("expected `calls`, `end`, `visits`, `tag`, `case`, `not` or a comparison")
            .help("count a result's host calls with `expect calls R == N`"),
        );
    }
    ast::TestItem::ExpectCalls {
        result,
        op,
        count,
        span,
    }
}

pub(crate) fn binary(op: ast::BinaryOp, lhs: Expr, rhs: Expr, span: Span) -> Expr {
    Expr {
        kind: ExprKind::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        },
        span,
    }
}

pub(crate) fn unary(op: ast::UnaryOp, operand: Expr, span: Span) -> Expr {
    Expr {
        kind: ExprKind::Unary {
            op,
            operand: Box::new(operand),
        },
        span,
    }
}

pub(crate) fn in_list(value: Expr, list: Vec<Expr>, span: Span) -> Expr {
    Expr {
        kind: ExprKind::In {
            value: Box::new(value),
            list,
        },
        span,
    }
}

pub(crate) fn paren(mut e: Expr, span: Span) -> Expr {
    e.span = span;
    e
}

/// `f(args)`.
pub(crate) fn call(func: Name, args: Vec<Expr>, span: Span) -> Expr {
    Expr {
        kind: ExprKind::Call { func, args },
        span,
    }
}

/// `f(KEYWORD)`: a keyword as the one argument is a step name (`attempts(screen)`),
/// kept as a bare name for the checker, which resolves step arguments.
pub(crate) fn call_keyword(func: Name, step: Name, span: Span) -> Expr {
    let arg = Expr {
        kind: ExprKind::Name(step.node),
        span: step.span,
    };
    call(func, vec![arg], span)
}

/// `returns { F: T, ... }` after an `http` call's arguments; `word` is the
/// identifier that stood for `returns` (a contextual word): any other one
/// is E0001, and the block is kept.
pub(crate) fn returns(
    diags: &mut Vec<Diagnostic>,
    word: Name,
    fields: Vec<ast::FieldDecl>,
    span: Span,
) -> ast::Returns {
    if word.node != "returns" {
        diags.push(
            Diagnostic::new(
                Code::E0001,
                word.span,
                format!("unexpected `{}` after the arguments", word.node),
            )
            .label("expected `returns`, `retry` or `timeout`")
            .help("declare the response's fields with `returns { FIELD: TYPE, ... }`"),
        );
    }
    ast::Returns { fields, span }
}
