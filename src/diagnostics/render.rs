//! Rendering diagnostics for people (ariadne) and programs (JSON lines).
//!
//! Spans are byte offsets everywhere in flowc; ariadne is told so
//! (`IndexType::Byte`), which keeps labels right on non-ASCII lines.

use crate::diagnostics::{Diagnostic, Severity};
use crate::span::LineIndex;
use ariadne::{Color, Config, IndexType, Label, Report, ReportKind, Source};
use std::io::IsTerminal;

/// Whether human output should be coloured: stderr is a terminal and
/// `NO_COLOR` is unset or empty.
pub fn use_color() -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    !no_color && std::io::stderr().is_terminal()
}

/// Renders diagnostics the way rustc does: a header
/// `error[E0001]: message`, the source lines with labels, then `help:` and
/// notes. `file_name` is shown as given.
pub fn render_human(diags: &[Diagnostic], file_name: &str, source: &str, color: bool) -> String {
    let mut out = String::new();
    let src = Source::from(source);
    let index = LineIndex::new(source);
    for d in diags {
        if longest_label_line(d, &index) > MAX_DRAWN_LINE {
            out.push_str(&render_unframed(d, file_name, &index));
            continue;
        }
        let (kind_word, kind, col) = match d.severity {
            Severity::Error => ("error", ReportKind::Error, Color::Red),
            Severity::Warning => ("warning", ReportKind::Warning, Color::Yellow),
        };
        let clamp = |s: crate::span::Span| {
            let start = (s.start as usize).min(source.len());
            let end = (s.end as usize).clamp(start, source.len());
            start..end
        };
        let mut report = Report::build(kind, (file_name, clamp(d.primary.span)))
            .with_config(
                Config::default()
                    .with_index_type(IndexType::Byte)
                    .with_color(color),
            )
            .with_message(&d.message);
        let mut primary = Label::new((file_name, clamp(d.primary.span))).with_order(0);
        if !d.primary.message.is_empty() {
            primary = primary.with_message(&d.primary.message);
        }
        if color {
            primary = primary.with_color(col);
        }
        report = report.with_label(primary);
        for (i, s) in d.secondary.iter().enumerate() {
            let mut label = Label::new((file_name, clamp(s.span)))
                .with_message(&s.message)
                .with_order(i32::try_from(i + 1).unwrap_or(i32::MAX));
            if color {
                label = label.with_color(Color::Blue);
            }
            report = report.with_label(label);
        }
        if let Some(help) = &d.help {
            report = report.with_help(help);
        }
        for note in &d.notes {
            report = report.with_note(note);
        }
        let mut buf = Vec::new();
        if report.finish().write((file_name, &src), &mut buf).is_err() {
            continue;
        }
        let text = String::from_utf8_lossy(&buf);
        // ariadne writes `Error: message`; replace its header with rustc's
        // `error[E0001]: message`.
        let body = text.split_once('\n').map_or("", |(_, rest)| rest);
        let header = format!("{kind_word}[{}]", d.code);
        if color {
            let paint = if d.severity == Severity::Error {
                "\x1b[31;1m"
            } else {
                "\x1b[33;1m"
            };
            out.push_str(&format!(
                "{paint}{header}\x1b[0m\x1b[1m: {}\x1b[0m\n",
                d.message
            ));
        } else {
            out.push_str(&format!("{header}: {}\n", d.message));
        }
        // rustc's lower-case `help:` and `note:`.
        for line in body.split_inclusive('\n') {
            out.push_str(
                &line
                    .replacen("Help: ", "help: ", 1)
                    .replacen("Note: ", "note: ", 1),
            );
        }
    }
    out
}

/// Lines longer than this (in bytes) are not drawn: ariadne's layout is
/// slow on megabyte lines, and nobody reads them.
const MAX_DRAWN_LINE: usize = 1000;

/// The length of the longest source line a label of `d` starts on.
fn longest_label_line(d: &Diagnostic, index: &LineIndex<'_>) -> usize {
    std::iter::once(&d.primary)
        .chain(&d.secondary)
        .map(|l| index.line_range(l.span.start).len())
        .max()
        .unwrap_or(0)
}

/// A rustc-like report without source lines, for labels on huge lines.
fn render_unframed(d: &Diagnostic, file_name: &str, index: &LineIndex<'_>) -> String {
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let (line, col) = index.line_col(d.primary.span.start);
    let mut out = format!(
        "{kind}[{}]: {}\n  --> {file_name}:{line}:{col}\n",
        d.code, d.message
    );
    if !d.primary.message.is_empty() {
        out.push_str(&format!("   = {}\n", d.primary.message));
    }
    for l in &d.secondary {
        let (line, col) = index.line_col(l.span.start);
        out.push_str(&format!("   = {file_name}:{line}:{col}: {}\n", l.message));
    }
    if let Some(help) = &d.help {
        out.push_str(&format!("   = help: {help}\n"));
    }
    for note in &d.notes {
        out.push_str(&format!("   = note: {note}\n"));
    }
    out
}

/// [`render_human`] without colour: the text a person reads, stable
/// enough for snapshot tests.
pub fn render_plain(diags: &[Diagnostic], file_name: &str, source: &str) -> String {
    render_human(diags, file_name, source, false)
}

/// One JSON object per diagnostic, one per line.
pub fn render_json(diags: &[Diagnostic], file_name: &str, source: &str) -> String {
    let mut out = String::new();
    let index = LineIndex::new(source);
    for d in diags {
        let (line, column) = index.line_col(d.primary.span.start);
        let mut labels = vec![serde_json::json!({
            "message": d.primary.message, "start": d.primary.span.start, "end": d.primary.span.end, "primary": true,
        })];
        labels.extend(d.secondary.iter().map(|l| {
            serde_json::json!({ "message": l.message, "start": l.span.start, "end": l.span.end, "primary": false })
        }));
        let obj = serde_json::json!({
            "code": d.code.as_str(),
            "severity": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
            "message": d.message,
            "file": file_name,
            "line": line,
            "column": column,
            "start": d.primary.span.start,
            "end": d.primary.span.end,
            "labels": labels,
            "help": d.help,
            "notes": d.notes,
        });
        out.push_str(&obj.to_string());
        out.push('\n');
    }
    out
}
