//! Diagnostics as data.
//!
//! Every stage reports faults as [`Diagnostic`] values: a stable [`Code`], a
//! severity, a message, a primary label on the offending span, optional
//! secondary labels, a `help:` line and notes. Nothing here prints; turning
//! diagnostics into terminal text (ariadne) or JSON lines happens only at the
//! edge, in [`render`].
//!
//! Message style: lower case, no final period, user input in backticks.

pub mod codes;
pub mod render;
pub mod sarif;
pub mod suggest;

pub use codes::Code;

use crate::span::Span;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
/// How serious a diagnostic is.
pub enum Severity {
    /// The flow does not compile.
    Error,
    /// Worth a look; compilation goes on (`--deny warnings` makes it an error).
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
/// A span of the source with a message about it.
pub struct Label {
    /// The bytes labelled.
    pub span: Span,
    /// What is said about them (may be empty).
    pub message: String,
}

impl Label {
    /// A label on `span`.
    pub fn new(span: Span, message: impl Into<String>) -> Label {
        Label {
            span,
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
/// One finding about a source: a stable code, a message, a primary label,
/// optional secondary labels, a help line and notes.
pub struct Diagnostic {
    /// The stable code (`E0303`, `W0301`, ...); `flowc explain CODE` says more.
    pub code: Code,
    /// Error or warning, from the code.
    pub severity: Severity,
    /// The one-line message (lower case, no final period).
    pub message: String,
    /// Where the fault is.
    pub primary: Label,
    /// Related places (where a name was first declared, ...).
    pub secondary: Vec<Label>,
    /// How to fix it, when flowc can tell.
    pub help: Option<String>,
    /// Further facts.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// A diagnostic with the severity its code implies (E: error, W: warning).
    /// The primary label's message defaults to empty; set it with
    /// [`Diagnostic::label`].
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity: code.default_severity(),
            message: message.into(),
            primary: Label::new(span, ""),
            secondary: Vec::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    /// Sets the text of the primary label.
    pub fn label(mut self, message: impl Into<String>) -> Diagnostic {
        self.primary.message = message.into();
        self
    }

    /// Adds a secondary label.
    pub fn secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label::new(span, message));
        self
    }

    /// Sets the help line.
    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Adds a note.
    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// Whether this is an error (after `--deny warnings`, warnings are too).
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by position, then code, so that output is deterministic
/// whatever order the passes found them in.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (a.primary.span.start, a.primary.span.end, a.code).cmp(&(
            b.primary.span.start,
            b.primary.span.end,
            b.code,
        ))
    });
}

/// `--deny warnings`: every warning becomes an error (its code is kept).
pub fn deny_warnings(diags: &mut [Diagnostic]) {
    for d in diags {
        d.severity = Severity::Error;
    }
}

/// Names in backticks, joined with `, ` (`` `a`, `b` ``): how messages list
/// what would have been accepted.
pub fn ticked<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    names
        .into_iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
