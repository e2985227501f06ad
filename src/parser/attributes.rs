//! `#[allow(CODE, ...)]` and `#![allow(...)]` taken out of the token
//! stream before anything else reads it, as comments are: the grammar never
//! sees them, and [`crate::unstable::lint`] finds what each one covers by position.

use crate::ast::{self, Name};
use crate::diagnostics::{Code, Diagnostic};
use crate::lexer::{Token, Triple};
use crate::span::{Span, Spanned};

/// Splits the attributes off `all` (comments kept in place), reporting a
/// malformed one, or an inner one that is not first in the flow's body, as
/// E0001. `eof` is the source length.
pub(super) fn strip<'s>(
    all: Vec<Triple<'s>>,
    eof: u32,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Triple<'s>>, Vec<ast::Attribute>) {
    // Most flows have no attribute: nothing to take out, nothing to copy.
    if !all.iter().any(|(_, t, _)| matches!(t, Token::Hash)) {
        return (all, Vec::new());
    }
    let mut out: Vec<Triple<'s>> = Vec::with_capacity(all.len());
    let mut attrs = Vec::new();
    // Tokens other than comments kept so far: `flow NAME {` is three.
    let mut kept = 0usize;
    let mut iter = all.into_iter().peekable();
    while let Some((l, tok, r)) = iter.next() {
        if tok != Token::Hash {
            if !matches!(tok, Token::Comment(_) | Token::DocComment(_)) {
                kept += 1;
            }
            out.push((l, tok, r));
            continue;
        }
        // Comments inside an attribute go on to the formatter.
        let mut body = Vec::new();
        while let Some((tl, t, tr)) = iter.next_if(|(_, t, _)| {
            body.last()
                .is_none_or(|(_, last, _)| *last != Token::RBracket)
                && !matches!(
                    t,
                    Token::LBrace | Token::RBrace | Token::Hash | Token::Kw(_)
                )
        }) {
            match t {
                Token::Comment(_) | Token::DocComment(_) => out.push((tl, t, tr)),
                t => body.push((tl, t, tr)),
            }
        }
        let end = body.last().map_or(r, |(_, _, e)| *e);
        match read(&body) {
            Ok((inner, codes)) => {
                let first = kept == 3 && out.iter().rev().find(|(_, t, _)| !is_comment(t)).is_some_and(|(_, t, _)| *t == Token::LBrace);
                if inner && !first {
                    diags.push(
                        Diagnostic::new(
                            Code::E0001,
                            Span::new(l, end),
                            "`#![allow(...)]` must come first in the body of the flow",
                        )
                        .label("after another item")
                        .help("move it right after `flow NAME {`, or write `#[allow(...)]` before one step"),
                    );
                    continue;
                }
                let next = iter
                    .clone()
                    .find(|(_, t, _)| !is_comment(t))
                    .map_or(Span::new(eof, eof), |(s, _, e)| Span::new(s, e));
                attrs.push(ast::Attribute {
                    inner,
                    codes,
                    span: Span::new(l, end),
                    next,
                });
            }
            Err((at, what)) => diags.push(
                Diagnostic::new(Code::E0001, at.unwrap_or(Span::new(l, end)), format!("malformed attribute: {what}"))
                    .label("here")
                    .help("write `#[allow(W0302)]` before a step, statement or route, or `#![allow(W0302)]` first in the flow"),
            ),
        }
    }
    (out, attrs)
}

fn is_comment(t: &Token<'_>) -> bool {
    matches!(t, Token::Comment(_) | Token::DocComment(_))
}

type Fault = (Option<Span>, &'static str);

/// Reads `[allow(A, B)]` or `![allow(A, B)]` (the tokens after `#`).
fn read(body: &[Triple<'_>]) -> Result<(bool, Vec<Name>), Fault> {
    let inner = matches!(body.first(), Some((_, Token::Bang, _)));
    let mut toks = body.iter().skip(usize::from(inner));
    let mut next =
        |what: &'static str| -> Result<&Triple<'_>, Fault> { toks.next().ok_or((None, what)) };
    let fault = |t: &Triple<'_>, what| Err((Some(Span::new(t.0, t.2)), what));
    let t = next("expected `[` after `#`")?;
    if t.1 != Token::LBracket {
        return fault(t, "expected `[` after `#`");
    }
    let t = next("expected `allow`")?;
    if t.1 != Token::Ident("allow") {
        return fault(t, "expected `allow`, the only attribute");
    }
    let t = next("expected `(` after `allow`")?;
    if t.1 != Token::LParen {
        return fault(t, "expected `(` after `allow`");
    }
    let mut codes = Vec::new();
    loop {
        let t = next("expected a code such as `W0302`")?;
        match &t.1 {
            Token::Ident(code) => {
                codes.push(Spanned::new((*code).to_string(), Span::new(t.0, t.2)))
            }
            Token::RParen if !codes.is_empty() => break,
            _ => return fault(t, "expected a code such as `W0302`"),
        }
        let t = next("expected `,` or `)`")?;
        match t.1 {
            Token::Comma => {}
            Token::RParen => break,
            _ => return fault(t, "expected `,` or `)`"),
        }
    }
    let t = next("expected `]`")?;
    if t.1 != Token::RBracket {
        return fault(t, "expected `]`");
    }
    if let Ok(t) = next("") {
        return fault(t, "unexpected token after `]`");
    }
    Ok((inner, codes))
}
