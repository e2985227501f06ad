//! Statements of `action` steps.

use super::Printer;
use super::doc::{Doc, concat, group, nest, text};
use super::expr::Condition;
use super::items::Line;
use super::source::{is_lbrace, is_rbrace};
use crate::ast::{Call, HttpMethod, If, Let, Record, Stmt};

impl<'a> Printer<'a> {
    pub(super) fn stmt(&mut self, s: &'a Stmt) -> Doc {
        match s {
            Stmt::Let(l) => self.let_stmt(l),
            Stmt::Set(s) => {
                let value = self.condition(&s.value).doc();
                concat(vec![
                    text("set "),
                    Self::field_ref(s.target.record, &s.target.field),
                    text(" = "),
                    group(value),
                ])
            }
            Stmt::Tag(e) => concat(vec![text("tag "), group(self.condition(e).doc())]),
            Stmt::Case(e) => concat(vec![text("case "), group(self.condition(e).doc())]),
            Stmt::If(i) => self.if_stmt(i),
        }
    }

    /// `let R = verify KIND { ... } retry N timeout D`, an `http` call's
    /// `returns { ... }` before `retry`
    fn let_stmt(&mut self, l: &'a Let) -> Doc {
        let (head, head_end) = match &l.call {
            Call::Verify(k) => (concat(vec![text("verify "), Self::name(k)]), k.span.end),
            Call::Report(k) => (concat(vec![text("report "), Self::name(k)]), k.span.end),
            Call::Http { method, url } => {
                let method = match method.node {
                    HttpMethod::Post => "post",
                    HttpMethod::Get => "get",
                };
                let url_text = self.src.literal(url.span.start);
                (text(format!("http {method} {url_text}")), url.span.end)
            }
        };
        let open = self.src.next_token(head_end, is_lbrace);
        let last = l.args.last().map_or(open + 1, |a| a.span.end);
        let close = self.src.next_token(last, is_rbrace);
        let record = self.record(&l.args, head_end, close);
        let mut parts = vec![
            text("let "),
            Self::name(&l.name),
            text(" = "),
            head,
            text(" "),
            record,
        ];
        let mut clauses = Vec::new();
        if let Some(r) = &l.returns {
            let open = self.src.next_token(r.span.start, is_lbrace);
            let close = r.span.end.saturating_sub(1);
            let fields = self.bracketed(
                super::RECORD,
                open,
                close,
                &r.fields,
                |f| f.span,
                |p, f| p.field(f),
            );
            clauses.push(concat(vec![text("returns "), fields]));
        }
        let mut limits = Vec::new();
        if let Some(r) = &l.retry {
            limits.push(format!("retry {}", self.src.literal(r.span.start)));
        }
        if let Some(t) = &l.timeout {
            limits.push(format!("timeout {}", self.src.literal(t.span.start)));
        }
        if l.returns.is_none() {
            // One line, as before `returns` existed.
            for limit in limits {
                parts.push(text(format!(" {limit}")));
            }
            return concat(parts);
        }
        // With `returns`, a statement too long for the line puts `returns`
        // and then `retry`/`timeout` on lines of their own.
        if !limits.is_empty() {
            clauses.push(text(limits.join(" ")));
        }
        let mut tail = Vec::new();
        for c in clauses {
            tail.push(Doc::Line);
            tail.push(c);
        }
        parts.push(nest(concat(tail)));
        group(concat(parts))
    }

    /// `if COND { ... } else { ... }`: a condition too long for the line
    /// breaks before each top-level `and`/`or`, and the `{` then goes on a
    /// line of its own.
    fn if_stmt(&mut self, i: &'a If) -> Doc {
        let head = match self.condition(&i.cond) {
            Condition::Chain(cond) => group(concat(vec![text("if "), cond, Doc::Line])),
            Condition::Other(cond) => concat(vec![text("if "), cond, text(" ")]),
        };
        let open = self.src.next_token(i.cond.span.end, is_lbrace);
        let last = i
            .then_body
            .last()
            .map_or(open + 1, |s| self.line_span(&Line::Stmt(s)).end);
        let close = self.src.next_token(last, is_rbrace);
        let lines: Vec<Line<'a>> = i.then_body.iter().map(Line::Stmt).collect();
        let Some(else_body) = &i.else_body else {
            // `if COND { tag "x" }`: one statement without a block of its
            // own stays on the `if` line when it fits.
            let simple = matches!(i.then_body.as_slice(), [s] if !matches!(s, Stmt::If(_)));
            let block = if simple {
                self.short_block(&lines, open, close)
            } else {
                self.block(&lines, open, close)
            };
            return group(concat(vec![head, block]));
        };
        let then_block = self.block(&lines, open, close);
        let open = self.src.next_token(close + 1, is_lbrace);
        let lines: Vec<Line<'a>> = else_body.iter().map(Line::Stmt).collect();
        let else_block = self.block(&lines, open, i.span.end.saturating_sub(1));
        concat(vec![head, then_block, text(" else "), else_block])
    }

    /// `inquiry.F` or `account.F`
    pub(super) fn field_ref(record: Record, field: &crate::ast::Name) -> Doc {
        let record = match record {
            Record::Inquiry => "inquiry.",
            Record::Account => "account.",
        };
        concat(vec![text(record), Self::name(field)])
    }
}
