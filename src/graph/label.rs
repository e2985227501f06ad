//! The text a graph shows for each construct of a checked flow.
//!
//! One function per construct, and nothing else in `graph` formats flow
//! syntax: a construct added to the language gets its label here, and the
//! DOT, Mermaid and SVG writers pick it up. Expressions are printed back in
//! source syntax from the typed tree (parentheses only where precedence
//! needs them), so the label reads like the `when` the user wrote, on one
//! line, whatever the source's layout and comments.

use crate::ast::BinaryOp;
use crate::typed::{CallKind, Expr, ExprKind, StepKind, Stmt, Target, TypedFlow};
use crate::value::EndStatus;

/// The caption under a step's name: the keyword of its kind.
pub fn step_caption(kind: &StepKind) -> &'static str {
    match kind {
        StepKind::Screen { .. } => "screen",
        StepKind::Action { .. } => "action",
        StepKind::Branch { .. } => "branch",
        StepKind::Connector { .. } => "connector",
    }
}

/// What a step does, one item per line before wrapping: a screen's title
/// (quoted), the fields it collects (each with its label, quoted, when it
/// has one) and what it captures, the host calls an action can make.
/// Branches and connectors say everything on their edges.
pub fn step_details(flow: &TypedFlow, kind: &StepKind) -> Vec<String> {
    match kind {
        StepKind::Screen {
            title,
            collects,
            captures,
            ..
        } => {
            let mut lines: Vec<String> = title.iter().map(|t| format!("{t:?}")).collect();
            if !collects.is_empty() {
                let names: Vec<String> = collects
                    .iter()
                    .filter_map(|&f| flow.inquiry.get(f as usize))
                    .map(|f| match &f.label {
                        Some(label) => format!("{} {label:?}", f.name),
                        None => f.name.clone(),
                    })
                    .collect();
                lines.push(format!("collect {}", names.join(", ")));
            }
            if !captures.is_empty() {
                lines.push(format!("capture {}", captures.join(", ")));
            }
            lines
        }
        StepKind::Action { body, .. } => {
            let mut lines = Vec::new();
            calls(flow, body, &mut lines);
            lines
        }
        StepKind::Branch { .. } | StepKind::Connector { .. } => Vec::new(),
    }
}

/// The calls of a statement list, in source order, `if` blocks included.
fn calls(flow: &TypedFlow, body: &[Stmt], out: &mut Vec<String>) {
    for stmt in body {
        match stmt {
            Stmt::Call { result, retry, .. } => {
                if let Some(slot) = flow.results.get(*result as usize) {
                    out.push(call(&slot.name, &slot.call, *retry));
                }
            }
            Stmt::If {
                then_body,
                else_body,
                ..
            } => {
                calls(flow, then_body, out);
                calls(flow, else_body, out);
            }
            Stmt::Set { .. } | Stmt::Tag { .. } | Stmt::Case { .. } => {}
        }
    }
}

/// `db = verify database`, `hook = http post URL`, with `retry N` when the
/// call is retried.
pub fn call(result: &str, call: &CallKind, retry: u8) -> String {
    let what = match call {
        CallKind::Verify(kind) => format!("verify {kind}"),
        CallKind::Report(kind) => format!("report {kind}"),
        CallKind::Http { method, url } => {
            let method = match method {
                crate::ast::HttpMethod::Get => "get",
                crate::ast::HttpMethod::Post => "post",
            };
            format!("http {method} {url}")
        }
    };
    if retry > 0 {
        format!("{result} = {what} retry {retry}")
    } else {
        format!("{result} = {what}")
    }
}

/// The name of an end node: `end approved`.
pub fn end(status: EndStatus) -> String {
    format!("end {status}")
}

/// The label of a `when` route: its condition, in parts that each begin at
/// a top-level `and` or `or` (`a and b or c` gives `a`, `and b`, `or c`),
/// so that a long condition breaks where a reader would break it.
pub fn when(flow: &TypedFlow, cond: &Expr) -> Vec<String> {
    let mut parts = Vec::new();
    chain(flow, cond, 0, &mut parts);
    parts
}

/// Writes `e` (bound at least as tightly as `min`) as parts: a chain of
/// `and` / `or` that needs no parentheses here is split before each of its
/// operators; joined with spaces, the parts are [`expr`]'s text.
fn chain(flow: &TypedFlow, e: &Expr, min: u8, parts: &mut Vec<String>) {
    if let ExprKind::Binary {
        op: op @ (BinaryOp::And | BinaryOp::Or),
        lhs,
        rhs,
    } = &e.kind
        && binary_prec(*op) >= min
    {
        let p = binary_prec(*op);
        chain(flow, lhs, p, parts);
        let mut right = String::new();
        write_expr(flow, rhs, p + 1, &mut right);
        parts.push(format!("{} {right}", op.symbol()));
        return;
    }
    let mut text = String::new();
    write_expr(flow, e, min, &mut text);
    parts.push(text);
}

/// The label of a branch's `else` route.
pub const ELSE: &str = "else";

/// The label of an action's `on error` transition.
pub const ON_ERROR: &str = "on error";

/// The name of a transition's target, for messages.
pub fn target(flow: &TypedFlow, t: Target) -> String {
    match t {
        Target::Step(s) => flow
            .steps
            .get(s as usize)
            .map_or_else(|| format!("step {s}"), |s| s.name.clone()),
        Target::End(status) => end(status),
    }
}

// ----- expressions -----------------------------------------------------------

/// Binding strength, loosest first, as the parser reads them.
fn prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary { op, .. } => binary_prec(*op),
        ExprKind::Not(_) => crate::ops::NOT_PRECEDENCE,
        ExprKind::In { .. } => crate::ops::IN_PRECEDENCE,
        ExprKind::Neg(_) => crate::ops::NEG_PRECEDENCE,
        ExprKind::Const(crate::value::Value::Int(i)) if *i < 0 => crate::ops::NEG_PRECEDENCE,
        _ => crate::ops::NEG_PRECEDENCE + 1,
    }
}

fn binary_prec(op: BinaryOp) -> u8 {
    op.precedence()
}

/// An expression in source syntax.
pub fn expr(flow: &TypedFlow, e: &Expr) -> String {
    let mut out = String::new();
    write_expr(flow, e, 0, &mut out);
    out
}

/// Writes `e`, in parentheses when it binds looser than `min`.
fn write_expr(flow: &TypedFlow, e: &Expr, min: u8, out: &mut String) {
    let p = prec(e);
    if p < min {
        out.push('(');
    }
    match &e.kind {
        ExprKind::Const(v) => out.push_str(&v.to_string()),
        ExprKind::Field { record, field } => {
            let name = flow
                .fields(*record)
                .get(*field as usize)
                .map_or("?", |f| f.name.as_str());
            let record = match record {
                crate::ast::Record::Inquiry => "inquiry",
                crate::ast::Record::Account => "account",
            };
            out.push_str(&format!("{record}.{name}"));
        }
        ExprKind::ResultField { result, field } => {
            let slot = flow.results.get(*result as usize);
            let r = slot.map_or("?", |s| s.name.as_str());
            let f = slot
                .and_then(|s| s.fields.get(*field as usize))
                .map_or("?", |f| f.name.as_str());
            out.push_str(&format!("{r}.{f}"));
        }
        ExprKind::Attempts(step) => {
            out.push_str(&format!("attempts({})", target(flow, Target::Step(*step))));
        }
        ExprKind::Builtin { func, args } => {
            out.push_str(func.name);
            out.push('(');
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(flow, a, 0, out);
            }
            out.push(')');
        }
        ExprKind::Matches { value, pattern } => {
            out.push_str("matches(");
            write_expr(flow, value, 0, out);
            out.push_str(&format!(", {pattern:?})"));
        }
        ExprKind::Not(inner) => {
            out.push_str("not ");
            write_expr(flow, inner, crate::ops::NOT_PRECEDENCE, out);
        }
        ExprKind::Neg(inner) => {
            out.push('-');
            // `- -x`, not `--x`
            if prec(inner) == crate::ops::NEG_PRECEDENCE {
                out.push(' ');
            }
            write_expr(flow, inner, crate::ops::NEG_PRECEDENCE, out);
        }
        ExprKind::Binary { op, lhs, rhs } => {
            let p = binary_prec(*op);
            // `and`, `or`, `+` and `-` group to the left; comparisons do
            // not chain, so both sides bind tighter.
            let (l, r) = if p == crate::ops::IN_PRECEDENCE {
                (p + 1, p + 1)
            } else {
                (p, p + 1)
            };
            write_expr(flow, lhs, l, out);
            out.push_str(&format!(" {} ", op.symbol()));
            write_expr(flow, rhs, r, out);
        }
        ExprKind::In { value, list } => {
            write_expr(flow, value, crate::ops::IN_PRECEDENCE + 1, out);
            out.push_str(" in [");
            for (i, item) in list.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(flow, item, 0, out);
            }
            out.push(']');
        }
    }
    if p < min {
        out.push(')');
    }
}

/// Splits `text` into lines of at most `width` characters, breaking at
/// spaces; a word longer than `width` is cut.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut len = 0;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let mut word: Vec<char> = word.chars().collect();
        if len > 0 && len + 1 + word.len() <= width {
            line.push(' ');
            line.extend(&word);
            len += 1 + word.len();
            continue;
        }
        if len > 0 {
            lines.push(std::mem::take(&mut line));
        }
        while word.len() > width {
            let rest = word.split_off(width);
            lines.push(word.iter().collect());
            word = rest;
        }
        len = word.len();
        line = word.into_iter().collect();
    }
    if len > 0 || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wrap_breaks_at_spaces_and_cuts_long_words() {
        assert_eq!(wrap("a bb ccc", 4), vec!["a bb", "ccc"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), vec![""]);
        assert_eq!(wrap("é é é", 3), vec!["é é", "é"]);
    }
}
