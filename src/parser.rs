//! Tokens to the spanned [`ast`](crate::ast): the only module that knows
//! lalrpop's types.
//!
//! The facade does what an LR table does badly, and leaves the rest to the
//! generated parser (`grammar/flow.lalrpop`):
//!
//! 1. bounds the input ([`MAX_SOURCE_BYTES`]) before lexing;
//! 2. moves comments out of the token stream into [`ast::File::comments`],
//!    remembering which `///` lines stand directly above which token;
//! 3. reads `flow NAME {` itself, then splits the body into items at item
//!    keywords (`plan version start inquiry account use screen action branch
//!    connector test`) at brace depth 0. The token right after an item
//!    keyword is its name or argument and never starts an item, so
//!    `start screen` and `screen action { ... }` work;
//! 4. rejects, per item, nesting deeper than [`MAX_NESTING`] and expressions
//!    with more than [`MAX_EXPR_OPERATORS`] operators, so that no later
//!    recursive pass (nor the `Drop` of a deep tree) can overflow the stack;
//! 5. parses each item on its own: a syntax error in one item is reported
//!    and the next item is parsed normally.
//!
//! Everything is deterministic and linear in the input.

use crate::ast::{self, Action, Expr, ExprKind, Item, Name, Step, StepKind, Transition};
use crate::diagnostics::{self, Code, Diagnostic};
use crate::lexer::{self, Token, Triple};
use crate::span::{Span, Spanned};
use crate::types::{BaseType, Type};
use crate::value::EndStatus;
use lalrpop_util::{ParseError, lalrpop_mod};
use std::collections::HashMap;

lalrpop_mod!(
    // Generated code: lalrpop's tables index slices and its actions take many
    // arguments; the lints are for hand-written code.
    #[allow(
        clippy::all,
        clippy::pedantic,
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        unused_qualifications,
        unused_parens
    )]
    grammar,
    "/flow.rs"
);

/// Sources larger than this are refused before lexing.
pub const MAX_SOURCE_BYTES: usize = 2 * 1024 * 1024;
/// Most lexical and syntax diagnostics reported for one source; the rest
/// are counted in a note on the last one shown.
pub const MAX_DIAGNOSTICS: usize = 100;
/// Deepest nesting of `{ ( [` inside one item.
pub const MAX_NESTING: usize = 64;
/// Most operators and open brackets in one expression.
pub const MAX_EXPR_OPERATORS: usize = 256;

/// What the front end made of a source.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// `None` only when even `flow NAME {` could not be read.
    pub file: Option<ast::File>,
    /// Lexical and syntax diagnostics, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
    /// Names of steps whose item could not be parsed (and so are missing
    /// from `file`): a later stage should not report them as unknown.
    pub damaged_steps: Vec<Name>,
}

impl Parsed {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses a whole source. Never panics; faults are diagnostics.
pub fn parse(source: &str) -> Parsed {
    parse_with_limit(source, MAX_SOURCE_BYTES)
}

/// [`parse`] with another bound on the source size than
/// [`MAX_SOURCE_BYTES`]: for embedders and benchmarks that compile larger
/// generated flows. The nesting and expression bounds still apply to every
/// item, so no recursive pass can overflow the stack whatever the size.
pub fn parse_with_limit(source: &str, max_source_bytes: usize) -> Parsed {
    if source.len() > max_source_bytes {
        let what = if max_source_bytes == MAX_SOURCE_BYTES {
            "2 MiB".to_string()
        } else {
            format!("{max_source_bytes} bytes")
        };
        return Parsed {
            file: None,
            diagnostics: vec![
                Diagnostic::new(
                    Code::E0001,
                    Span::new(0, 0),
                    format!("source is larger than {what}"),
                )
                .label("this file is too large")
                .help("split the flow, or check that this is the right file"),
            ],
            damaged_steps: Vec::new(),
        };
    }
    let lexed = lexer::tokenize(source);
    let mut diags = lexed.diagnostics;
    let stream = strip_comments(lexed.tokens);
    let mut parsed = Parsed::default();
    let eof = source.len();
    let mut p = FileParser {
        toks: &stream.tokens,
        docs: &stream.docs,
        eof,
        diags: &mut diags,
        damaged: Vec::new(),
        eof_reported: false,
    };
    let flow = p.flow();
    parsed.damaged_steps = p.damaged;
    parsed.file = flow.map(|flow| ast::File {
        flow,
        comments: stream.comments,
    });
    diagnostics::sort(&mut diags);
    if diags.len() > MAX_DIAGNOSTICS {
        let hidden = diags.len() - MAX_DIAGNOSTICS;
        diags.truncate(MAX_DIAGNOSTICS);
        if let Some(last) = diags.last_mut() {
            last.notes.push(format!(
                "{hidden} more lexical or syntax errors are not shown"
            ));
        }
    }
    parsed.diagnostics = diags;
    parsed
}

// ----- comments ----------------------------------------------------------------

struct Stream {
    tokens: Vec<Triple>,
    comments: Vec<ast::Comment>,
    /// Index into `tokens` → the doc comment lines directly above it.
    docs: HashMap<usize, String>,
}

fn strip_comments(all: Vec<Triple>) -> Stream {
    let mut tokens = Vec::with_capacity(all.len());
    let mut comments = Vec::new();
    let mut docs = HashMap::new();
    let mut pending: Vec<String> = Vec::new();
    for (l, tok, r) in all {
        match tok {
            Token::Comment(text) => {
                comments.push(ast::Comment {
                    span: lexer::span(l, r),
                    text,
                    doc: false,
                });
            }
            Token::DocComment(text) => {
                let line = text
                    .strip_prefix(' ')
                    .unwrap_or(&text)
                    .trim_end()
                    .to_string();
                pending.push(line);
                comments.push(ast::Comment {
                    span: lexer::span(l, r),
                    text,
                    doc: true,
                });
            }
            other => {
                if !pending.is_empty() {
                    docs.insert(tokens.len(), pending.join("\n"));
                    pending.clear();
                }
                tokens.push((l, other, r));
            }
        }
    }
    Stream {
        tokens,
        comments,
        docs,
    }
}

// ----- the file and its items ----------------------------------------------------

fn is_item_keyword(t: &Token) -> bool {
    matches!(
        t,
        Token::Plan
            | Token::Version
            | Token::Start
            | Token::Inquiry
            | Token::Account
            | Token::Use
            | Token::Screen
            | Token::Action
            | Token::Branch
            | Token::Connector
            | Token::Test
    )
}

struct FileParser<'a> {
    toks: &'a [Triple],
    docs: &'a HashMap<usize, String>,
    eof: usize,
    diags: &'a mut Vec<Diagnostic>,
    damaged: Vec<Name>,
    /// The last item already reported the end of file: the missing `}`
    /// of the flow is the same fault.
    eof_reported: bool,
}

impl FileParser<'_> {
    fn tok_span(&self, i: usize) -> Span {
        match self.toks.get(i) {
            Some((l, _, r)) => lexer::span(*l, *r),
            None => lexer::span(self.eof, self.eof),
        }
    }

    fn describe(&self, i: usize) -> String {
        match self.toks.get(i) {
            Some((_, t, _)) => t.describe(),
            None => "end of file".to_string(),
        }
    }

    fn unexpected(&mut self, i: usize, expected: &str) {
        let msg = format!("unexpected {}, expected {expected}", self.describe(i));
        let label = if i >= self.toks.len() {
            "the file ends here"
        } else {
            "unexpected here"
        };
        self.diags
            .push(Diagnostic::new(Code::E0001, self.tok_span(i), msg).label(label));
    }

    /// `flow NAME { ITEM* }`
    fn flow(&mut self) -> Option<ast::Flow> {
        let toks = self.toks;
        if !matches!(toks.first(), Some((_, Token::Flow, _))) {
            self.unexpected(0, "`flow`");
            if let Some(d) = self.diags.last_mut() {
                d.help = Some("a file holds one flow: `flow NAME { ... }`".to_string());
            }
            return None;
        }
        let name = match toks.get(1) {
            Some((l, Token::Ident(n), r)) => Spanned::new(n.clone(), lexer::span(*l, *r)),
            _ => {
                self.unexpected(1, "a name");
                return None;
            }
        };
        let open = match toks.get(2) {
            Some((l, Token::LBrace, r)) => lexer::span(*l, *r),
            _ => {
                self.unexpected(2, "`{`");
                return None;
            }
        };
        let start = toks.first().map_or(0, |t| t.0);
        let mut items = Vec::new();
        let mut i = 3;
        let mut depth = 0usize;
        let mut item_start: Option<usize> = None;
        let mut junk_start: Option<usize> = None;
        let mut close: Option<usize> = None;
        while let Some((_, tok, _)) = toks.get(i) {
            if depth == 0 {
                let after_keyword = item_start == Some(i.wrapping_sub(1));
                if matches!(tok, Token::RBrace) {
                    close = Some(i);
                    break;
                }
                if is_item_keyword(tok) && !after_keyword {
                    self.flush_junk(&mut junk_start, i);
                    if let Some(s) = item_start.take() {
                        self.item(s, i, &mut items);
                    }
                    item_start = Some(i);
                } else if item_start.is_none() && junk_start.is_none() {
                    junk_start = Some(i);
                }
            }
            match tok {
                Token::LBrace => depth += 1,
                Token::RBrace => depth = depth.saturating_sub(1),
                _ => {}
            }
            i += 1;
        }
        let end = close.unwrap_or(toks.len());
        self.flush_junk(&mut junk_start, end);
        if let Some(s) = item_start.take() {
            self.item(s, end, &mut items);
        }
        let span_end = match close {
            Some(c) => {
                if let Some((l, t, r)) = toks.get(c + 1) {
                    self.diags.push(
                        Diagnostic::new(
                            Code::E0001,
                            lexer::span(*l, *r),
                            format!("unexpected {} after the end of the flow", t.describe()),
                        )
                        .label("nothing may follow the flow's closing `}`")
                        .secondary(self.tok_span(c), "the flow ends here"),
                    );
                }
                self.tok_span(c).end
            }
            None if self.eof_reported => u32::try_from(self.eof).unwrap_or(u32::MAX),
            None => {
                self.diags.push(
                    Diagnostic::new(
                        Code::E0001,
                        lexer::span(self.eof, self.eof),
                        format!("expected `}}` to close flow `{}`", name.node),
                    )
                    .label("the file ends here")
                    .secondary(open, "this `{` is never closed"),
                );
                u32::try_from(self.eof).unwrap_or(u32::MAX)
            }
        };
        Some(ast::Flow {
            name,
            items,
            span: Span::new(u32::try_from(start).unwrap_or(0), span_end),
        })
    }

    fn flush_junk(&mut self, junk_start: &mut Option<usize>, end: usize) {
        if let Some(s) = junk_start.take() {
            // Labelled on its first token: a run of junk can be megabytes.
            let _ = end;
            let first = self.tok_span(s);
            let msg = format!(
                "unexpected {}, expected a header item, a step or a test",
                self.describe(s)
            );
            self.diags.push(
                Diagnostic::new(Code::E0001, first, msg)
                    .label("not part of any item")
                    .help("items start with `plan`, `version`, `start`, `inquiry`, `account`, `use`, `screen`, `action`, `branch`, `connector` or `test`"),
            );
        }
    }

    /// Parses `toks[start..end]` as one item.
    fn item(&mut self, start: usize, end: usize, items: &mut Vec<Item>) {
        let slice = self.toks.get(start..end).unwrap_or(&[]);
        if let Some(diag) = check_limits(slice) {
            self.diags.push(diag);
            self.mark_damaged(slice);
            return;
        }
        let mut local = Vec::new();
        let result = grammar::ItemParser::new()
            .parse(&mut local, slice.iter().cloned().map(Ok::<Triple, Never>));
        self.diags.append(&mut local);
        match result {
            Ok(mut item) => {
                if let Item::Step(step) = &mut item {
                    step.doc = self.docs.get(&start).cloned();
                }
                items.push(item);
            }
            Err(err) => {
                self.eof_reported =
                    end >= self.toks.len() && matches!(err, ParseError::UnrecognizedEof { .. });
                let diag = self.syntax_error(err, end);
                self.diags.push(diag);
                self.mark_damaged(slice);
            }
        }
    }

    fn mark_damaged(&mut self, slice: &[Triple]) {
        if let [(_, kw, _), (l, name, r), ..] = slice
            && matches!(
                kw,
                Token::Screen | Token::Action | Token::Branch | Token::Connector
            )
        {
            let text = match name {
                Token::Ident(n) => Some(n.clone()),
                t if t.is_keyword() => t.fixed_text().map(str::to_string),
                _ => None,
            };
            if let Some(text) = text {
                self.damaged.push(Spanned::new(text, lexer::span(*l, *r)));
            }
        }
    }

    /// An E0001 for a lalrpop error. `end` is the index of the token after
    /// the item (the next item's keyword, the flow's `}`, or end of file):
    /// an item that ends too early is reported on that token.
    fn syntax_error(&self, err: ParseError<usize, Token, Never>, end: usize) -> Diagnostic {
        let (span, found, expected) = match err {
            ParseError::UnrecognizedToken {
                token: (l, t, r),
                expected,
            } => (lexer::span(l, r), t.describe(), expected),
            ParseError::UnrecognizedEof { expected, .. } => {
                (self.tok_span(end), self.describe(end), expected)
            }
            ParseError::ExtraToken { token: (l, t, r) } => (
                lexer::span(l, r),
                t.describe(),
                vec!["a header item, a step or a test".to_string()],
            ),
            ParseError::InvalidToken { location } => (
                lexer::span(location, location),
                "a token".to_string(),
                Vec::new(),
            ),
            ParseError::User { error } => match error {},
        };
        let expected = if expected.is_empty() {
            // Only the end of the item would do: the item is complete.
            "a header item, a step or a test".to_string()
        } else {
            describe_expected(&expected)
        };
        let msg = if expected.is_empty() {
            format!("unexpected {found}")
        } else {
            format!("unexpected {found}, expected {expected}")
        };
        let label = if found == "end of file" {
            "the file ends here".to_string()
        } else {
            "unexpected here".to_string()
        };
        Diagnostic::new(Code::E0001, span, msg).label(label)
    }
}

// ----- limits ------------------------------------------------------------------

/// The first limit one item breaks, if any: nesting deeper than
/// [`MAX_NESTING`] or an expression with more than [`MAX_EXPR_OPERATORS`]
/// operators. Iterative, so it is safe on any input.
fn check_limits(toks: &[Triple]) -> Option<Diagnostic> {
    let mut depth = 0usize;
    let mut ops = 0usize;
    for (l, t, r) in toks {
        let span = lexer::span(*l, *r);
        match t {
            Token::LBrace | Token::LParen | Token::LBracket => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(
                        Diagnostic::new(Code::E0001, span, "nesting too deep")
                            .label(format!("more than {MAX_NESTING} levels of brackets"))
                            .help("flatten the flow: split deep conditions into branch steps"),
                    );
                }
            }
            Token::RBrace | Token::RParen | Token::RBracket => depth = depth.saturating_sub(1),
            _ => {}
        }
        let counts = matches!(
            t,
            Token::LParen
                | Token::LBracket
                | Token::Not
                | Token::Minus
                | Token::Plus
                | Token::And
                | Token::Or
                | Token::EqEq
                | Token::NotEq
                | Token::Lt
                | Token::Le
                | Token::Gt
                | Token::Ge
                | Token::In
        );
        let resets = matches!(
            t,
            Token::LBrace
                | Token::RBrace
                | Token::Arrow
                | Token::Let
                | Token::Set
                | Token::Tag
                | Token::Case
                | Token::If
                | Token::Else
                | Token::When
                | Token::Expect
                | Token::Input
                | Token::Stub
                | Token::Clock
                | Token::On
        ) || is_item_keyword(t);
        if resets {
            ops = 0;
        } else if counts {
            ops += 1;
            if ops > MAX_EXPR_OPERATORS {
                return Some(
                    Diagnostic::new(Code::E0001, span, "expression too complex")
                        .label(format!(
                            "more than {MAX_EXPR_OPERATORS} operators in one expression"
                        ))
                        .help("split the expression, e.g. across branch routes or `if` statements"),
                );
            }
        }
    }
    None
}

// ----- expected tokens in the user's terms ----------------------------------------

const OPERATORS: &[&str] = &[
    "or", "and", "==", "!=", "<", "<=", ">", ">=", "in", "+", "-",
];
const NOT_STEP_NAMES: &[&str] = &["end", "true", "false", "none", "not"];
const EXPR_STARTS: &[&str] = &[
    "IDENT", "STRING", "INT", "DATE", "true", "false", "none", "not", "-", "(", "inquiry",
    "account",
];

/// Turns lalrpop's expected terminals into "`->` or `end`", "a name",
/// "an expression"...
fn describe_expected(expected: &[String]) -> String {
    let names: Vec<String> = expected
        .iter()
        .map(|e| e.trim_matches('"').replace("\\\"", "\""))
        .collect();
    let has = |s: &str| names.iter().any(|n| n == s);
    let step_position = has("IDENT")
        && names
            .iter()
            .filter(|n| lexer::KEYWORDS.contains(&n.as_str()))
            .count()
            > 10;
    let expr_position = has("IDENT") && has("STRING") && has("INT");
    let op_position = OPERATORS.iter().filter(|o| has(o)).count() >= 6;
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        if !out.contains(&s) {
            out.push(s);
        }
    };
    for n in &names {
        let n = n.as_str();
        if expr_position && EXPR_STARTS.contains(&n) && !(op_position && n == "-") {
            push("an expression".to_string());
        } else if op_position && OPERATORS.contains(&n) {
            push("an operator".to_string());
        } else if step_position
            && (n == "IDENT" || lexer::KEYWORDS.contains(&n) && !NOT_STEP_NAMES.contains(&n))
        {
            push("a step name".to_string());
        } else {
            push(match n {
                "IDENT" => "a name".to_string(),
                "STRING" => "a string".to_string(),
                "INT" => "an integer".to_string(),
                "DATE" => "a date".to_string(),
                "DURATION" => "a duration".to_string(),
                other => format!("`{other}`"),
            });
        }
    }
    match out.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

// ----- helpers called from the grammar's actions -----------------------------------

/// The grammar's user error type: the facade's token stream never fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Never {}

pub(crate) fn sp(l: usize, r: usize) -> Span {
    lexer::span(l, r)
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

pub(crate) fn screen(name: Name, parts: Vec<ScreenPart>, span: Span) -> Step {
    let mut s = ast::Screen {
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
    Spanned::new(Type { base, optional }, span)
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

/// `f(args)`; `attempts(NAME)` becomes [`ExprKind::Attempts`]. Any other
/// use of `attempts` stays a call for the checker to judge (E0204).
pub(crate) fn call(func: Name, mut args: Vec<Expr>, span: Span) -> Expr {
    if func.node == "attempts"
        && let [
            Expr {
                kind: ExprKind::Name(step),
                span: step_span,
            },
        ] = args.as_mut_slice()
    {
        let step = Spanned::new(std::mem::take(step), *step_span);
        return Expr {
            kind: ExprKind::Attempts(step),
            span,
        };
    }
    Expr {
        kind: ExprKind::Call { func, args },
        span,
    }
}

/// `f(KEYWORD)`: `attempts(screen)` names a step; for any other function the
/// keyword is kept as a name for the checker to report.
pub(crate) fn call_keyword(func: Name, step: Name, span: Span) -> Expr {
    if func.node == "attempts" {
        return Expr {
            kind: ExprKind::Attempts(step),
            span,
        };
    }
    let arg = Expr {
        kind: ExprKind::Name(step.node),
        span: step.span,
    };
    Expr {
        kind: ExprKind::Call {
            func,
            args: vec![arg],
        },
        span,
    }
}

#[cfg(test)]
mod tests;
