//! Lint control: what `#[allow(...)]` and `#![allow(...)]` silence.
//!
//! [`apply`] runs once, on every diagnostic of a file (lexer, parser and
//! checker alike), after they are all collected. An outer attribute covers
//! the step, statement or `when`/`else` route that starts at the token
//! after it, from that token to the node's end; an inner one covers the
//! whole file. A warning whose span lies inside a covered range and whose
//! code the attribute names is dropped. Then:
//!
//! - a code that is unknown or not a warning is E0109 (the valid codes
//!   beside it still work);
//! - an attribute with valid codes that dropped nothing is W0304;
//! - an outer attribute before anything else is E0001.

use crate::ast::{self, Item, StepKind, Stmt};
use crate::diagnostics::{self, Code, Diagnostic, Severity};
use crate::span::Span;

/// Filters `diags` by the attributes of `file` (read from `source`) and
/// adds the attributes' own diagnostics.
pub fn apply(file: &ast::File, source: &str, diags: &mut Vec<Diagnostic>) {
    if file.attributes.is_empty() {
        return;
    }
    let nodes = nodes(file);
    let mut scopes: Vec<(Span, Vec<Code>, &ast::Attribute)> = Vec::new();
    let mut own = Vec::new();
    for attr in &file.attributes {
        let codes = valid_codes(attr, &mut own);
        let cover = if attr.inner {
            Some(Span::new(
                0,
                u32::try_from(source.len()).unwrap_or(u32::MAX),
            ))
        } else {
            target(attr, &nodes, source)
        };
        match cover {
            Some(cover) => scopes.push((cover, codes, attr)),
            None => own.push(
                Diagnostic::new(
                    Code::E0001,
                    attr.span,
                    "`#[allow(...)]` must come before a step, a statement or a `when` or `else` route",
                )
                .label("nothing here for it to cover")
                .help("move it onto the line above the step, statement or route whose warnings it silences"),
            ),
        }
    }
    let mut used = vec![false; scopes.len()];
    diags.retain(|d| !silenced(d, &scopes, &mut used));
    // W0304 for each attribute that silenced nothing, unless an enclosing
    // `allow(W0304)` silences that; the one that does is then used too, so
    // this runs until nothing changes.
    let unused = loop {
        let before = used.clone();
        let mut unused: Vec<Diagnostic> = scopes
            .iter()
            .zip(&before)
            .filter(|((_, codes, _), used)| !codes.is_empty() && !**used)
            .map(|((_, codes, attr), _)| {
                let names: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
                Diagnostic::new(Code::W0304, attr.span, "this `allow` silences nothing")
                    .label(format!("no {} warning here", names.join(" or ")))
                    .help("remove the attribute, or move it to where the warning is reported")
            })
            .collect();
        unused.retain(|d| !silenced(d, &scopes, &mut used));
        if used == before {
            break unused;
        }
    };
    diags.extend(own);
    diags.extend(unused);
    diagnostics::sort(diags);
}

/// Whether a scope silences `d`; marks every scope that does.
fn silenced(
    d: &Diagnostic,
    scopes: &[(Span, Vec<Code>, &ast::Attribute)],
    used: &mut [bool],
) -> bool {
    if d.severity != Severity::Warning {
        return false;
    }
    let mut hit = false;
    for ((cover, codes, attr), used) in scopes.iter().zip(used.iter_mut()) {
        let inside = cover.start <= d.primary.span.start && d.primary.span.end <= cover.end;
        // An attribute does not silence the W0304 about itself.
        if inside && codes.contains(&d.code) && attr.span != d.primary.span {
            *used = true;
            hit = true;
        }
    }
    hit
}

/// The codes of `attr` that name warnings; E0109 for each other one.
fn valid_codes(attr: &ast::Attribute, out: &mut Vec<Diagnostic>) -> Vec<Code> {
    let mut codes = Vec::new();
    for name in &attr.codes {
        match Code::parse(&name.node) {
            Some(code) if code.default_severity() == Severity::Warning => codes.push(code),
            Some(code) => out.push(
                Diagnostic::new(
                    Code::E0109,
                    name.span,
                    format!("`{code}` is not a warning, so it cannot be allowed"),
                )
                .label("an error code")
                .help("fix the error; only W codes can be silenced"),
            ),
            None => {
                let mut d = Diagnostic::new(
                    Code::E0109,
                    name.span,
                    format!("unknown code `{}` in `allow`", name.node),
                )
                .label("no such code");
                let warnings: Vec<&str> = Code::ALL
                    .iter()
                    .filter(|c| c.default_severity() == Severity::Warning)
                    .map(|c| c.as_str())
                    .collect();
                d = d.help(format!("the warnings are {}", warnings.join(", ")));
                out.push(d);
            }
        }
    }
    codes
}

/// Where a node starts, and where it ends; `keyword` for a node whose span
/// starts after its keyword (`tag "x"`, `case "x"`).
struct Node {
    span: Span,
    keyword: Option<&'static str>,
}

/// Every step, statement and route of the file.
fn nodes(file: &ast::File) -> Vec<Node> {
    let mut out = Vec::new();
    for item in &file.flow.items {
        let Item::Step(step) = item else { continue };
        out.push(Node {
            span: step.span,
            keyword: None,
        });
        match &step.kind {
            StepKind::Action(a) => stmts(&a.body, &mut out),
            StepKind::Branch(b) => out.extend(b.routes.iter().map(|r| Node {
                span: r.span,
                keyword: None,
            })),
            StepKind::Screen(_) | StepKind::Connector(_) | StepKind::Broken { .. } => {}
        }
    }
    out
}

fn stmts(body: &[Stmt], out: &mut Vec<Node>) {
    for stmt in body {
        let (span, keyword) = match stmt {
            Stmt::Let(l) => (l.span, None),
            Stmt::Set(s) => (s.span, None),
            Stmt::Tag(t) => (t.span, Some("tag")),
            Stmt::Case(c) => (c.span, Some("case")),
            Stmt::If(i) => {
                stmts(&i.then_body, out);
                if let Some(e) = &i.else_body {
                    stmts(e, out);
                }
                (i.span, None)
            }
        };
        out.push(Node { span, keyword });
    }
}

/// What an outer attribute covers: from the token after it to the end of
/// the node that starts there.
/// Whether `gap` holds only white space and `//` comments (each running
/// to the end of its line), so that the tokens on either side are adjacent.
fn only_trivia(gap: &str) -> bool {
    gap.lines().all(|line| {
        let line = line.trim_start();
        line.is_empty() || line.starts_with("//")
    })
}

fn target(attr: &ast::Attribute, nodes: &[Node], source: &str) -> Option<Span> {
    let next = attr.next;
    let text = |a: u32, b: u32| source.get(a as usize..b as usize);
    nodes
        .iter()
        .filter(|n| match n.keyword {
            None => n.span.start == next.start,
            Some(kw) => {
                text(next.start, next.end) == Some(kw)
                    && text(next.end, n.span.start).is_some_and(only_trivia)
            }
        })
        .map(|n| Span::new(next.start, n.span.end))
        .max_by_key(|s| s.end)
}
