//! The file, its items, steps and tests: everything printed as lines of a
//! block.

use super::doc::{Doc, concat, group, nest, text};
use super::expr::Condition;
use super::source::{is_lbrace, is_lbracket};
use super::{LIST, Printer, RECORD};
use crate::ast::{
    Arg, FieldDecl, File, Item, Name, Route, Step, StepKind, Stmt, Target, Test, TestItem,
    Transition,
};
use crate::span::{Span, Spanned};

/// One line of a block (a line with its own comments before and after it).
/// A construct added to the grammar that stands on its own line gets a
/// variant here, a span in [`Printer::line_span`] and a printer in
/// [`Printer::line`].
pub(super) enum Line<'a> {
    Item(&'a Item),
    Field(&'a FieldDecl),
    /// `title "TEXT"`, first in a screen (the span of the text).
    Title(&'a Spanned<String>),
    /// `collect a, b` or `capture a, b`: the names one keyword introduced.
    Names {
        keyword: &'static str,
        names: &'a [Name],
    },
    /// `-> STEP` or `-> end STATUS`
    Go(&'a Transition),
    /// `on error -> ...` (its span starts at `on`)
    OnError(&'a Transition),
    Route(&'a Route),
    Stmt(&'a Stmt),
    TestItem(&'a TestItem),
}

impl Line<'_> {
    /// `plan`, `version`, `start` and `use`: items that fit on one line.
    pub fn is_one_line_item(&self) -> bool {
        matches!(
            self,
            Line::Item(Item::Plan(_) | Item::Version(_) | Item::Start(_) | Item::UseSolution(_))
        )
    }

    /// Whether the layout puts an empty line between these two lines: around
    /// every block item (field blocks, steps, tests) of the flow.
    pub fn blank_between(prev: &Line<'_>, next: &Line<'_>) -> bool {
        matches!(prev, Line::Item(_))
            && matches!(next, Line::Item(_))
            && !(prev.is_one_line_item() && next.is_one_line_item())
    }
}

impl<'a> Printer<'a> {
    /// The whole file: comments before the flow, the flow, comments after it.
    pub(super) fn file(&mut self, file: &'a File) -> Doc {
        let flow = &file.flow;
        let open = self.src.next_token(flow.name.span.end, is_lbrace);
        let close = flow.span.end.saturating_sub(1);
        let mut parts = Vec::new();
        // Comments up to the `{` go before `flow`, so that none of them
        // moves in front of the first step (which would make it a doc).
        let head = self.src.take_before(open);
        let mut prev_end = None;
        for c in &head {
            if prev_end.is_some_and(|e| self.src.blank_between(e, c.span.start)) {
                parts.push(Doc::HardLine);
            }
            parts.push(text(super::comment_text(c)));
            parts.push(Doc::HardLine);
            prev_end = Some(c.span.end);
        }
        if prev_end.is_some_and(|e| self.src.blank_between(e, flow.span.start)) {
            parts.push(Doc::HardLine);
        }
        let lines: Vec<Line<'a>> = flow.items.iter().map(Line::Item).collect();
        parts.push(text("flow "));
        parts.push(Self::name(&flow.name));
        parts.push(text(" "));
        parts.push(self.block(&lines, open, close));
        let trailing: Vec<_> = self.src.take_trailing(flow.span.end).into_iter().collect();
        parts.push(Self::trail_doc(&trailing));
        let mut prev_end = trailing.last().map_or(flow.span.end, |c| c.span.end);
        for c in self.src.take_rest() {
            parts.push(Doc::HardLine);
            if self.src.blank_between(prev_end, c.span.start) {
                parts.push(Doc::HardLine);
            }
            parts.push(text(super::comment_text(c)));
            prev_end = c.span.end;
        }
        parts.push(Doc::HardLine);
        concat(parts)
    }

    /// Where a line starts and ends in the source (the keyword before a
    /// name included).
    pub(super) fn line_span(&self, line: &Line<'_>) -> Span {
        let from_keyword =
            |span: Span, n: usize| Span::new(self.src.token_before(span.start, n), span.end);
        match line {
            Line::Item(item) => match item {
                Item::Plan(n) | Item::Start(n) => from_keyword(n.span, 1),
                Item::Version(v) => from_keyword(v.span, 1),
                Item::Inquiry(b) | Item::Account(b) => b.span,
                Item::UseSolution(u) => u.span,
                Item::Step(s) => s.span,
                Item::Test(t) => t.span,
            },
            Line::Field(f) => f.span,
            Line::Title(t) => from_keyword(t.span, 1),
            Line::Names { names, .. } => match (names.first(), names.last()) {
                (Some(first), Some(last)) => from_keyword(first.span.to(last.span), 1),
                _ => Span::default(),
            },
            Line::Go(t) | Line::OnError(t) => t.span,
            Line::Route(r) => r.span,
            Line::Stmt(s) => match s {
                Stmt::Let(l) => l.span,
                Stmt::Set(s) => s.span,
                Stmt::If(i) => i.span,
                Stmt::Tag(t) | Stmt::Case(t) => from_keyword(t.span, 1),
            },
            Line::TestItem(t) => match t {
                TestItem::Clock(d) => from_keyword(d.span, 1),
                TestItem::Input { span, .. }
                | TestItem::Stub { span, .. }
                | TestItem::StubError { span, .. }
                | TestItem::ExpectVisits { span, .. }
                | TestItem::Account { span, .. }
                | TestItem::ExpectMark { span, .. }
                | TestItem::ExpectCalls { span, .. } => *span,
                TestItem::ExpectEnd(s) => from_keyword(s.span, 2),
                TestItem::Expect(e) => from_keyword(e.span, 1),
            },
        }
    }

    pub(super) fn line(&mut self, line: &Line<'a>) -> Doc {
        match line {
            Line::Item(item) => self.item(item),
            Line::Field(f) => self.field(f),
            Line::Title(t) => text(format!("title {}", self.src.literal(t.span.start))),
            Line::Names { keyword, names } => self.names(keyword, names),
            Line::Go(t) => Self::transition(t),
            Line::OnError(t) => concat(vec![text("on error "), Self::transition(t)]),
            Line::Route(r) => self.route(r),
            Line::Stmt(s) => self.stmt(s),
            Line::TestItem(t) => self.test_item(t),
        }
    }

    /// `NAME: TYPE "LABEL"`, a choice as `"a" | "b"` or `("a" | "b")?`,
    /// literals as written.
    pub(super) fn field(&self, f: &'a FieldDecl) -> Doc {
        let ty = match &f.choice {
            Some(values) => {
                let values: Vec<String> = values
                    .iter()
                    .map(|v| self.src.literal(v.span.start))
                    .collect();
                let values = values.join(" | ");
                if f.ty.node.optional {
                    format!("({values})?")
                } else {
                    values
                }
            }
            None => f.ty.node.to_string(),
        };
        let mut parts = vec![Self::name(&f.name), text(": "), text(ty)];
        if let Some(label) = &f.label {
            parts.push(text(format!(" {}", self.src.literal(label.span.start))));
        }
        concat(parts)
    }

    fn item(&mut self, item: &'a Item) -> Doc {
        match item {
            Item::Plan(n) => concat(vec![text("plan "), Self::name(n)]),
            Item::Version(v) => text(format!("version {}", self.src.literal(v.span.start))),
            Item::Start(n) => concat(vec![text("start "), Self::name(n)]),
            Item::Inquiry(b) | Item::Account(b) => {
                let keyword = if matches!(item, Item::Inquiry(_)) {
                    "inquiry "
                } else {
                    "account "
                };
                let open = self.src.next_token(b.span.start, is_lbrace);
                let lines: Vec<Line<'a>> = b.fields.iter().map(Line::Field).collect();
                let block = self.block(&lines, open, b.span.end.saturating_sub(1));
                concat(vec![text(keyword), block])
            }
            Item::UseSolution(u) => concat(vec![text("use solution "), Self::name(&u.name)]),
            Item::Step(s) => self.step(s),
            Item::Test(t) => self.test(t),
        }
    }

    fn step(&mut self, step: &'a Step) -> Doc {
        let lines = self.step_lines(&step.kind);
        let open = self.src.next_token(step.name.span.end, is_lbrace);
        let close = step.span.end.saturating_sub(1);
        // A connector only joins paths: `connector c { -> next }` stays on
        // one line when it fits.
        let block = if matches!(step.kind, StepKind::Connector(_)) {
            self.short_block(&lines, open, close)
        } else {
            self.block(&lines, open, close)
        };
        group(concat(vec![
            text(step.kind.keyword()),
            text(" "),
            Self::name(&step.name),
            text(" "),
            block,
        ]))
    }

    /// The lines of a step's body in source order. The tree groups a
    /// screen's names by kind, so the `collect`/`capture` lines are found
    /// again from the commas between names.
    fn step_lines(&self, kind: &'a StepKind) -> Vec<Line<'a>> {
        let mut lines = match kind {
            StepKind::Screen(s) => {
                let mut lines: Vec<Line<'a>> = s.title.iter().map(Line::Title).collect();
                lines.extend(self.name_lines("collect", &s.collects));
                lines.extend(self.name_lines("capture", &s.captures));
                lines.extend(s.transitions.iter().map(Line::Go));
                lines
            }
            StepKind::Action(a) => {
                let mut lines: Vec<Line<'a>> = a.body.iter().map(Line::Stmt).collect();
                lines.extend(a.transitions.iter().map(Line::Go));
                lines.extend(a.on_error.iter().map(Line::OnError));
                lines
            }
            StepKind::Branch(b) => b.routes.iter().map(Line::Route).collect(),
            StepKind::Connector(c) => c.transitions.iter().map(Line::Go).collect(),
            // Only in a file with a syntax error, which is never formatted.
            StepKind::Broken { .. } => Vec::new(),
        };
        lines.sort_by_key(|l| self.line_span(l).start);
        lines
    }

    /// Splits `names` into the lines that wrote them: a name not preceded
    /// by a comma starts a new `keyword` line.
    fn name_lines(&self, keyword: &'static str, names: &'a [Name]) -> Vec<Line<'a>> {
        let mut lines = Vec::new();
        let mut start = 0;
        for i in 1..=names.len() {
            let new_line = names
                .get(i)
                .is_none_or(|n| !self.src.comma_before(n.span.start));
            if new_line {
                if let Some(group) = names.get(start..i) {
                    lines.push(Line::Names {
                        keyword,
                        names: group,
                    });
                }
                start = i;
            }
        }
        lines
    }

    /// `collect a, b, c`, wrapped with as many names per line as fit.
    fn names(&mut self, keyword: &str, names: &'a [Name]) -> Doc {
        let last = names.len().saturating_sub(1);
        let entries: Vec<Doc> = names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let piece = self.piece(n.span, i < last, |_| Self::name(n));
                concat(vec![
                    Self::lead_doc(&piece.lead),
                    piece.doc,
                    if i < last { text(",") } else { Doc::Nil },
                    Self::trail_doc(&piece.trail),
                ])
            })
            .collect();
        concat(vec![text(keyword), text(" "), nest(Doc::Fill(entries))])
    }

    pub(super) fn transition(t: &Transition) -> Doc {
        match &t.target {
            Target::Step(n) => concat(vec![text("-> "), Self::name(n)]),
            Target::End(s) => text(format!("-> end {}", s.node.name())),
        }
    }

    /// `when COND -> T`: when it does not fit, the condition breaks before
    /// each top-level `and`/`or`, and the transition goes on its own line.
    fn route(&mut self, r: &'a Route) -> Doc {
        match &r.when {
            Some(cond) => match self.condition(cond) {
                Condition::Chain(cond) => group(concat(vec![
                    text("when "),
                    cond,
                    nest(concat(vec![Doc::Line, Self::transition(&r.target)])),
                ])),
                Condition::Other(cond) => concat(vec![
                    text("when "),
                    cond,
                    text(" "),
                    Self::transition(&r.target),
                ]),
            },
            None => concat(vec![text("else "), Self::transition(&r.target)]),
        }
    }

    fn test(&mut self, t: &'a Test) -> Doc {
        let open = self.src.next_token(t.name.span.end, is_lbrace);
        let lines: Vec<Line<'a>> = t.items.iter().map(Line::TestItem).collect();
        let block = self.block(&lines, open, t.span.end.saturating_sub(1));
        concat(vec![
            text(format!("test {} ", self.src.literal(t.name.span.start))),
            block,
        ])
    }

    fn test_item(&mut self, t: &'a TestItem) -> Doc {
        match t {
            TestItem::Clock(d) => text(format!("clock {}", self.src.literal(d.span.start))),
            TestItem::Input {
                screen,
                values,
                span,
            } => {
                let record = self.record(values, screen.span.end, span.end.saturating_sub(1));
                concat(vec![text("input "), Self::name(screen), text(" "), record])
            }
            TestItem::Stub {
                result,
                values,
                span,
            } => {
                let record = self.record(values, result.span.end, span.end.saturating_sub(1));
                concat(vec![text("stub "), Self::name(result), text(" "), record])
            }
            TestItem::StubError { result, .. } => {
                concat(vec![text("stub "), Self::name(result), text(" error")])
            }
            TestItem::ExpectEnd(s) => text(format!("expect end {}", s.node.name())),
            TestItem::Expect(e) => {
                let cond = self.condition(e).doc();
                group(concat(vec![text("expect "), cond]))
            }
            TestItem::ExpectVisits { steps, span } => {
                let open = self.src.next_token(span.start, is_lbracket);
                let list = self.bracketed(
                    LIST,
                    open,
                    span.end.saturating_sub(1),
                    steps,
                    |n| n.span,
                    |_, n| Self::name(n),
                );
                concat(vec![text("expect visits "), list])
            }
            TestItem::Account { values, span } => {
                let record = self.record(values, span.start, span.end.saturating_sub(1));
                concat(vec![text("account "), record])
            }
            TestItem::ExpectMark {
                mark,
                negated,
                text: t,
                ..
            } => text(format!(
                "expect {}{} {}",
                if *negated { "not " } else { "" },
                mark.keyword(),
                self.src.literal(t.span.start)
            )),
            TestItem::ExpectCalls {
                result, op, count, ..
            } => concat(vec![
                text("expect calls "),
                Self::name(result),
                text(format!(
                    " {} {}",
                    op.symbol(),
                    self.src.literal(count.span.start)
                )),
            ]),
        }
    }

    /// `{ NAME: EXPR, ... }` after a call, `input` or `stub`: the `{` is the
    /// first one after `after`, the `}` stands at `close`.
    pub(super) fn record(&mut self, args: &'a [Arg], after: u32, close: u32) -> Doc {
        let open = self.src.next_token(after, is_lbrace);
        self.bracketed(
            RECORD,
            open,
            close,
            args,
            |a| a.span,
            |p, a| concat(vec![Self::name(&a.name), text(": "), p.expr(&a.value, 0)]),
        )
    }
}
