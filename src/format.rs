//! `flowc fmt`: prints a parsed file in one canonical layout, keeping every
//! comment (docs/formatting.md describes the layout).
//!
//! The printer walks the [`ast`] with one function per node kind and builds
//! a [`doc::Doc`], which [`doc::render`] lays out in [`WIDTH`] columns.
//! Comments are not in the tree: they come from `ast::File::comments`, in
//! source order, and are taken by position (as gleam's formatter does):
//!
//! - before a child that starts after them, on their own lines ("leading");
//! - after a child that they follow on the same line, at the end of the
//!   line ("trailing");
//! - before the closing `}` of a block when nothing else came after them.
//!
//! The children that take comments this way are the lines of a block
//! (items, fields, steps' lines, statements, routes, test lines), the
//! entries of a record or list, and the operands of an `and`, `or` or
//! `+ -` chain. A comment anywhere else (between `tag` and its string, say)
//! goes before the next such child or at the end of the line that holds
//! it. Comments are printed in source order, each once, and none moves
//! across the start of an item, so a `///` line stays attached to the same
//! step.
//!
//! Literals (strings, numbers, dates, durations) are printed as written;
//! parentheses as written, plus any the precedence needs.

mod doc;
mod expr;
mod items;
mod source;
mod stmts;

use crate::ast::{self, Comment};
use crate::diagnostics::Diagnostic;
use crate::span::Span;
use doc::{Doc, concat, group, line_suffix, nest, text};
use items::Line;
use source::{Source, comment_text};

/// Lines are broken to fit in this many columns where the layout allows
/// (argument records, lists, conditions). Names, literals and comments are
/// never split, so a line can still be longer.
pub const WIDTH: usize = 100;

/// Formats a source, or returns its diagnostics when it has lexical or
/// syntax errors (a file that does not parse is never rewritten).
pub fn format_source(source: &str) -> Result<String, Vec<Diagnostic>> {
    let parsed = crate::parser::parse(source);
    match parsed.file {
        Some(file) if !parsed.has_errors() => Ok(format_file(&file, source)),
        _ => Err(parsed.diagnostics),
    }
}

/// Prints `file`, parsed from `source`, in the canonical layout. The source
/// supplies the comments' surroundings (blank lines, same-line position) and
/// the text of literals.
pub fn format_file(file: &ast::File, source: &str) -> String {
    let notes = with_attributes(file);
    let mut p = Printer {
        src: Source::new(source, &notes),
    };
    let doc = p.file(file);
    doc::render(&doc, WIDTH)
}

/// The file's comments with its attributes among them, in source order,
/// each attribute in its canonical form (`#[allow(W0301, W0302)]`): an
/// attribute takes its own line before what follows it, as a comment does.
fn with_attributes(file: &ast::File) -> Vec<Comment> {
    // A comment written inside an attribute's parentheses moves to its own
    // line just before the attribute, so that no comment is lost.
    let mut all: Vec<Comment> = file
        .comments
        .iter()
        .map(|c| {
            let inside = file
                .attributes
                .iter()
                .find(|a| a.span.start < c.span.start && c.span.end <= a.span.end);
            match inside {
                Some(a) => Comment {
                    span: Span::new(a.span.start, a.span.start),
                    ..c.clone()
                },
                None => c.clone(),
            }
        })
        .collect();
    all.extend(file.attributes.iter().map(|a| {
        let codes: Vec<&str> = a.codes.iter().map(|c| c.node.as_str()).collect();
        let bang = if a.inner { "!" } else { "" };
        Comment {
            span: a.span,
            text: format!("#{bang}[allow({})]", codes.join(", ")),
            doc: false,
            attribute: true,
        }
    }));
    all.sort_by_key(|c| (c.span.start, c.attribute));
    all
}

struct Printer<'a> {
    src: Source<'a>,
}

/// A child of a list with the comments found around it.
struct Piece<'a> {
    /// Comments on their own lines before the child.
    lead: Vec<&'a Comment>,
    doc: Doc,
    /// The comment on its line after it.
    trail: Vec<&'a Comment>,
}

impl Piece<'_> {
    fn has_comments(&self) -> bool {
        !self.lead.is_empty() || !self.trail.is_empty()
    }
}

/// Brackets of a record or list.
#[derive(Clone, Copy)]
struct Brackets {
    open: &'static str,
    close: &'static str,
    /// `{ a: 1 }` (a space inside when flat) rather than `[a, b]`.
    spaced: bool,
    /// As many entries per line as fit, rather than one per line, when the
    /// list breaks and holds no comment.
    fill: bool,
}

const RECORD: Brackets = Brackets {
    open: "{",
    close: "}",
    spaced: true,
    fill: false,
};
const LIST: Brackets = Brackets {
    open: "[",
    close: "]",
    spaced: false,
    fill: true,
};
const ARGS: Brackets = Brackets {
    open: "(",
    close: ")",
    spaced: false,
    fill: false,
};

impl<'a> Printer<'a> {
    // ----- comments -------------------------------------------------------

    /// Prints the child at `span` with `print`, and collects the comments
    /// before it and, when `trailing`, the one after it on its line.
    ///
    /// A child takes a trailing comment only where the layout puts a line
    /// break right after it (an entry of a record or list, an operand
    /// before an operator): printed at the end of the line, the comment
    /// then still follows this child the next time. The last operand of a
    /// chain leaves it to what holds the chain (so `expect a and b // c`
    /// keeps its chain on one line).
    ///
    /// A comment inside the child that nothing inside it took stays where
    /// it is, for the next child (as a leading comment) or the end of the
    /// line, for the same reason.
    fn piece(
        &mut self,
        span: Span,
        trailing: bool,
        print: impl FnOnce(&mut Self) -> Doc,
    ) -> Piece<'a> {
        let lead = self.src.take_before(span.start);
        let doc = print(self);
        let trail = if trailing {
            self.src.take_trailing(span.end).into_iter().collect()
        } else {
            Vec::new()
        };
        Piece { lead, doc, trail }
    }

    /// Leading comments, each on its own line.
    fn lead_doc(lead: &[&Comment]) -> Doc {
        concat(
            lead.iter()
                .flat_map(|c| [text(comment_text(c)), Doc::HardLine])
                .collect(),
        )
    }

    /// Trailing comments: the first at the end of the line, any others on
    /// their own lines after it.
    fn trail_doc(trail: &[&Comment]) -> Doc {
        let mut parts = Vec::new();
        for (i, c) in trail.iter().enumerate() {
            if i == 0 {
                parts.push(line_suffix(format!(" {}", comment_text(c))));
            } else {
                parts.push(Doc::HardLine);
                parts.push(text(comment_text(c)));
            }
        }
        concat(parts)
    }

    // ----- blocks -----------------------------------------------------------

    /// A `{ ... }` block of lines, broken (`{}` when empty): `open` and
    /// `close` are where its braces stand.
    fn block(&mut self, lines: &[Line<'a>], open: u32, close: u32) -> Doc {
        self.block_with(lines, open, close, Doc::HardLine)
    }

    /// A block that stays on one line (`{ -> next }`) when it holds one line
    /// and no comment and fits; it is not grouped here, so that the caller
    /// can group it with what comes before it.
    fn short_block(&mut self, lines: &[Line<'a>], open: u32, close: u32) -> Doc {
        let line = if lines.len() == 1 {
            Doc::Line
        } else {
            Doc::HardLine
        };
        self.block_with(lines, open, close, line)
    }

    fn block_with(&mut self, lines: &[Line<'a>], open: u32, close: u32, line: Doc) -> Doc {
        let open_trail: Vec<&Comment> = self.src.take_trailing(open + 1).into_iter().collect();
        let body = self.lines(lines, open + 1, close);
        if body.is_empty() && open_trail.is_empty() {
            return text("{}");
        }
        let mut parts = vec![text("{"), Self::trail_doc(&open_trail)];
        if !body.is_empty() {
            let mut inner = vec![line.clone()];
            inner.extend(body);
            parts.push(nest(concat(inner)));
        }
        parts.push(line);
        parts.push(text("}"));
        concat(parts)
    }

    /// The lines of a block, separated by newlines (none before the first),
    /// with their comments and the comments before `close`. One empty line
    /// of the source is kept between lines; [`Line::blank_between`] adds
    /// the ones the layout wants.
    fn lines(&mut self, lines: &[Line<'a>], open_end: u32, close: u32) -> Vec<Doc> {
        let mut out: Vec<Doc> = Vec::new();
        let mut prev: Option<&Line<'a>> = None;
        let mut prev_end = open_end;
        for line in lines {
            let span = self.line_span(line);
            // A header item's own comments go before it, not after it.
            let lead_until = if line.is_one_line_item() {
                span.end
            } else {
                span.start
            };
            let lead = self.src.take_before(lead_until);
            if let Some(prev) = prev {
                out.push(Doc::HardLine);
                let next = lead.first().map_or(span.start, |c| c.span.start);
                if Line::blank_between(prev, line) || self.src.blank_between(prev_end, next) {
                    out.push(Doc::HardLine);
                }
            }
            let mut after: Option<u32> = None;
            for c in &lead {
                if after.is_some_and(|end| self.src.blank_between(end, c.span.start)) {
                    out.push(Doc::HardLine);
                }
                out.push(text(comment_text(c)));
                out.push(Doc::HardLine);
                after = Some(c.span.end);
            }
            if let Some(c) = lead.last()
                && self.src.blank_between(c.span.end, span.start)
            {
                out.push(Doc::HardLine);
            }
            out.push(self.line(line));
            let mut trail = self.src.take_before(span.end);
            trail.extend(self.src.take_trailing(span.end));
            prev_end = trail.last().map_or(span.end, |c| c.span.end.max(span.end));
            out.push(Self::trail_doc(&trail));
            prev = Some(line);
        }
        for c in self.src.take_before(close) {
            if !out.is_empty() {
                out.push(Doc::HardLine);
                if self.src.blank_between(prev_end, c.span.start) {
                    out.push(Doc::HardLine);
                }
            }
            out.push(text(comment_text(c)));
            prev_end = c.span.end;
        }
        out
    }

    // ----- records and lists --------------------------------------------

    /// `{ a: 1, b: 2 }`, `[a, b]` or `(a, b)`: flat when it fits, else one
    /// entry per line (or filled, for lists) with a trailing comma. `open`
    /// and `close` are where the brackets stand.
    fn bracketed<T>(
        &mut self,
        b: Brackets,
        open: u32,
        close: u32,
        items: &'a [T],
        span: impl Fn(&T) -> Span,
        print: impl Fn(&mut Self, &'a T) -> Doc,
    ) -> Doc {
        let open_trail: Vec<&Comment> = self.src.take_trailing(open + 1).into_iter().collect();
        let pieces: Vec<Piece<'a>> = items
            .iter()
            .map(|it| self.piece(span(it), true, |p| print(p, it)))
            .collect();
        let tail = self.src.take_before(close);
        let comments =
            !open_trail.is_empty() || !tail.is_empty() || pieces.iter().any(Piece::has_comments);
        if pieces.is_empty() && !comments {
            return text(format!("{}{}", b.open, b.close));
        }
        let sep = if b.spaced { Doc::Line } else { Doc::SoftLine };
        let last = pieces.len().saturating_sub(1);
        let entries: Vec<Doc> = pieces
            .into_iter()
            .enumerate()
            .map(|(i, piece)| {
                concat(vec![
                    Self::lead_doc(&piece.lead),
                    piece.doc,
                    if i < last { text(",") } else { Doc::Nil },
                    Self::trail_doc(&piece.trail),
                ])
            })
            .collect();
        let has_entries = !entries.is_empty();
        let body = if b.fill && !comments {
            Doc::Fill(entries)
        } else {
            let mut parts = Vec::new();
            for (i, e) in entries.into_iter().enumerate() {
                if i > 0 {
                    parts.push(Doc::Line);
                }
                parts.push(e);
            }
            concat(parts)
        };
        let mut inner = Vec::new();
        if has_entries {
            inner.push(sep.clone());
            inner.push(body);
            // The grammar takes no trailing comma in a call's arguments.
            if b.open != ARGS.open {
                inner.push(Doc::IfBreak(","));
            }
        }
        for c in tail {
            inner.push(Doc::HardLine);
            inner.push(text(comment_text(c)));
        }
        group(concat(vec![
            text(b.open),
            Self::trail_doc(&open_trail),
            nest(concat(inner)),
            sep,
            text(b.close),
        ]))
    }

    /// A name as written.
    fn name(n: &ast::Name) -> Doc {
        text(n.node.clone())
    }
}

#[cfg(test)]
mod tests;
