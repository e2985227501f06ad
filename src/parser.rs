//! Tokens to the spanned [`ast`](crate::ast): the only module that knows
//! lalrpop's types.
//!
//! The facade does what an LR table does badly, and leaves the rest to the
//! generated parser (`grammar/flow.lalrpop`):
//!
//! 1. bounds the input ([`MAX_SOURCE_BYTES`]) before lexing;
//! 2. moves `#[allow(...)]` attributes out of the token stream into
//!    [`ast::File::attributes`] (see `attributes`), then comments into
//!    [`ast::File::comments`], remembering which `///` lines stand directly
//!    above which token;
//! 3. reads `flow NAME {` itself, then splits the body into items at item
//!    keywords (those the keyword table gives [`Role::Item`]: `plan version
//!    start inquiry account screen action branch connector test use`) at
//!    brace depth 0. The token right after an item keyword is its name or
//!    argument and never starts an item, so `start screen` and
//!    `screen action { ... }` work;
//! 4. rejects, per item, nesting deeper than [`MAX_NESTING`] and expressions
//!    with more than [`MAX_EXPR_OPERATORS`] operators, so that no later
//!    recursive pass (nor the `Drop` of a deep tree) can overflow the stack;
//! 5. parses each item on its own: a syntax error in one item is reported
//!    and the next item is parsed normally.
//!
//! Everything is deterministic and linear in the input.

pub(crate) mod actions;
mod attributes;

use crate::ast::{self, BinaryOp, Item, Name};
use crate::diagnostics::{self, Code, Diagnostic};
use crate::lexer::{self, Keyword, Role, Token, Triple};
use crate::span::{Span, Spanned};
use crate::types::Type;
use actions::Never;
use lalrpop_util::{ParseError, lalrpop_mod};
use std::collections::HashMap;

lalrpop_mod!(
    // Generated code: lalrpop's tables index slices and its actions take many
    // arguments, and it copies the grammar's imports into modules that use
    // only some of them; the lints are for hand-written code.
    #[allow(
        clippy::all,
        clippy::pedantic,
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        unused_qualifications,
        unused_parens,
        unused_imports
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
/// Most values in one choice type, so that every check of a value against
/// a choice stays cheap.
pub const MAX_CHOICE_VALUES: usize = 256;

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
/// Offsets are `u32` ([`Span`]), so no bound reaches past 4 GiB.
pub fn parse_with_limit(source: &str, max_source_bytes: usize) -> Parsed {
    let max_source_bytes = max_source_bytes.min(u32::MAX as usize);
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
    let unterminated = lexed.unterminated_string;
    let mut diags = lexed.diagnostics;
    // Within the bound checked above, so it fits.
    let eof = u32::try_from(source.len()).unwrap_or(u32::MAX);
    let (tokens, attributes) = attributes::strip(lexed.tokens, eof, &mut diags);
    let stream = strip_comments(tokens);
    let mut parsed = Parsed::default();
    let mut p = FileParser {
        toks: &stream.tokens,
        docs: &stream.docs,
        eof,
        diags: &mut diags,
        damaged: Vec::new(),
        eof_reported: unterminated,
        unterminated,
        recovery: ast::Recovery::default(),
    };
    let flow = p.flow();
    parsed.damaged_steps = p.damaged;
    parsed.file = flow.map(|flow| ast::File {
        flow,
        comments: stream.comments,
        attributes,
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

struct Stream<'s> {
    tokens: Vec<Triple<'s>>,
    comments: Vec<ast::Comment>,
    /// Index into `tokens` → the doc comment lines directly above it.
    docs: HashMap<usize, String>,
}

/// Takes the comments out of `all` in place (no second token vector).
fn strip_comments(mut tokens: Vec<Triple<'_>>) -> Stream<'_> {
    let mut comments = Vec::new();
    let mut docs = HashMap::new();
    let mut pending: Vec<&str> = Vec::new();
    let mut kept = 0usize;
    tokens.retain(|(l, tok, r)| match tok {
        Token::Comment(text) => {
            comments.push(ast::Comment {
                span: Span::new(*l, *r),
                text: (*text).to_string(),
                doc: false,
                attribute: false,
            });
            false
        }
        Token::DocComment(text) => {
            pending.push(text.strip_prefix(' ').unwrap_or(text).trim_end());
            comments.push(ast::Comment {
                span: Span::new(*l, *r),
                text: (*text).to_string(),
                doc: true,
                attribute: false,
            });
            false
        }
        _ => {
            if !pending.is_empty() {
                docs.insert(kept, pending.join("\n"));
                pending.clear();
            }
            kept += 1;
            true
        }
    });
    Stream {
        tokens,
        comments,
        docs,
    }
}

// ----- the file and its items ----------------------------------------------------

fn is_item_keyword(t: &Token<'_>) -> bool {
    t.keyword().is_some_and(|k| k.is(Role::Item))
}

struct FileParser<'a, 's> {
    toks: &'a [Triple<'s>],
    docs: &'a HashMap<usize, String>,
    eof: u32,
    diags: &'a mut Vec<Diagnostic>,
    damaged: Vec<Name>,
    /// The last item already reported the end of file: the missing `}`
    /// of the flow is the same fault.
    eof_reported: bool,
    /// A string ran to the end of the file (already E0002): an item cut
    /// short by it is that fault, not a second one.
    unterminated: bool,
    /// What the broken items hid (see [`ast::Recovery`]).
    recovery: ast::Recovery,
}

impl<'s> FileParser<'_, 's> {
    fn tok_span(&self, i: usize) -> Span {
        match self.toks.get(i) {
            Some((l, _, r)) => Span::new(*l, *r),
            None => Span::new(self.eof, self.eof),
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
        if !matches!(toks.first(), Some((_, Token::Kw(Keyword::Flow), _))) {
            self.unexpected(0, "`flow`");
            if let Some(d) = self.diags.last_mut() {
                d.help = Some("a file holds one flow: `flow NAME { ... }`".to_string());
            }
            return None;
        }
        let name = match toks.get(1) {
            Some((l, Token::Ident(n), r)) => Spanned::new((*n).to_string(), Span::new(*l, *r)),
            _ => {
                self.unexpected(1, "a name");
                return None;
            }
        };
        let open = match toks.get(2) {
            Some((l, Token::LBrace, r)) => Span::new(*l, *r),
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
                            Span::new(*l, *r),
                            format!("unexpected {} after the end of the flow", t.describe()),
                        )
                        .label("nothing may follow the flow's closing `}`")
                        .secondary(self.tok_span(c), "the flow ends here"),
                    );
                }
                self.tok_span(c).end
            }
            None if self.eof_reported => self.eof,
            None => {
                self.diags.push(
                    Diagnostic::new(
                        Code::E0001,
                        Span::new(self.eof, self.eof),
                        format!("expected `}}` to close flow `{}`", name.node),
                    )
                    .label("the file ends here")
                    .secondary(open, "this `{` is never closed"),
                );
                self.eof
            }
        };
        Some(ast::Flow {
            name,
            items,
            span: Span::new(start, span_end),
            recovery: self.recovery,
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
            let starts: Vec<String> = Keyword::with_role(Role::Item)
                .map(|k| format!("`{}`", k.text()))
                .collect();
            self.diags.push(
                Diagnostic::new(Code::E0001, first, msg)
                    .label("not part of any item")
                    .help(format!("items start with {}", or_list(&starts))),
            );
        }
    }

    /// Parses `toks[start..end]` as one item.
    fn item(&mut self, start: usize, end: usize, items: &mut Vec<Item>) {
        let slice = self.toks.get(start..end).unwrap_or(&[]);
        if let Some(diag) = check_limits(slice) {
            self.diags.push(diag);
            self.salvage(start, slice, items);
            return;
        }
        let mut local = Vec::new();
        let mut result = grammar::ItemParser::new()
            .parse(&mut local, slice.iter().copied().map(Ok::<Triple, Never>));
        // Junk after a complete item is a fault between items: keep the
        // item and report the junk on its own.
        let mut end = end;
        if let Err(err) = &result
            && let Some(at) = error_offset(err)
            && let Some((k, item, diags)) = complete_prefix(slice, at)
        {
            result = Ok(item);
            local = diags;
            let mut junk = Some(start + k);
            self.flush_junk(&mut junk, end);
            end = start + k;
        }
        let slice = self.toks.get(start..end).unwrap_or(&[]);
        if let Ok(Item::Inquiry(block) | Item::Account(block)) = &mut result {
            // A field whose type is unknown (E0001) is dropped and its
            // record left open, so that no use of it is reported again.
            let before = block.fields.len();
            block.fields.retain(|f| {
                !local.iter().any(|d| {
                    f.ty.span.start <= d.primary.span.start && d.primary.span.end <= f.ty.span.end
                })
            });
            if block.fields.len() != before {
                if matches!(result, Ok(Item::Inquiry(_))) {
                    self.recovery.inquiry_open = true;
                } else {
                    self.recovery.account_open = true;
                }
            }
        }
        // A test block with a syntax error that the grammar reports and
        // reads past (an unknown end status, a word other than `calls`
        // after `expect`) is skipped after its diagnostic, as a test that
        // did not parse is (SPEC §8.1).
        let broken_test =
            matches!(result, Ok(Item::Test(_))) && local.iter().any(|d| d.code == Code::E0001);
        self.diags.append(&mut local);
        if broken_test {
            return;
        }
        match result {
            Ok(mut item) => {
                if let Item::Step(step) = &mut item {
                    step.doc = self.docs.get(&start).cloned();
                }
                items.push(item);
            }
            Err(err) => {
                let last = self.toks.last().map(|t| t.0);
                let at_eof = end >= self.toks.len()
                    && match &err {
                        ParseError::UnrecognizedEof { .. } => true,
                        ParseError::UnrecognizedToken { token, .. } => Some(token.0) == last,
                        _ => false,
                    };
                if !(at_eof && self.unterminated) {
                    let diag = self.syntax_error(err, end);
                    self.diags.push(diag);
                }
                // An item left open to the end of the file took the
                // flow's `}` with it: one fault.
                self.eof_reported |= at_eof || (end >= self.toks.len() && !balanced(slice));
                self.salvage(start, slice, items);
            }
        }
    }

    /// Keeps what a broken item still tells the checker (SPEC §8.1): a step
    /// whose `KIND NAME {` parsed becomes [`ast::StepKind::Broken`]; a
    /// record block keeps the fields before the fault; the rest is noted in
    /// [`ast::Recovery`]. A broken test block is dropped.
    fn salvage(&mut self, start: usize, slice: &[Triple<'s>], items: &mut Vec<Item>) {
        let Some((l0, first, _)) = slice.first() else {
            return;
        };
        let end = slice.last().map_or(*l0, |t| t.2);
        let span = Span::new(*l0, end);
        let Some(kw) = first.keyword() else { return };
        match kw {
            Keyword::Plan => self.recovery.lost_plan = true,
            Keyword::Start => self.recovery.lost_start = true,
            Keyword::Inquiry | Keyword::Account => {
                let fields = field_prefix(slice.get(1..).unwrap_or(&[]));
                let block = ast::FieldBlock { fields, span };
                if kw == Keyword::Inquiry {
                    self.recovery.inquiry_open = true;
                    items.push(Item::Inquiry(block));
                } else {
                    self.recovery.account_open = true;
                    items.push(Item::Account(block));
                }
            }
            _ if kw.is(Role::Step) => {
                let header = match slice.get(1..3) {
                    Some([(l, name, r), (_, Token::LBrace, _)]) => {
                        step_name(name).map(|n| Spanned::new(n, Span::new(*l, *r)))
                    }
                    _ => None,
                };
                match header {
                    Some(name) => {
                        self.damaged.push(name.clone());
                        items.push(Item::Step(ast::Step {
                            name,
                            kind: ast::StepKind::Broken { keyword: kw.text() },
                            doc: self.docs.get(&start).cloned(),
                            span,
                        }));
                    }
                    None => self.recovery.lost_step_name = true,
                }
            }
            _ => {}
        }
    }

    /// An E0001 for a lalrpop error. `end` is the index of the token after
    /// the item (the next item's keyword, the flow's `}`, or end of file):
    /// an item that ends too early is reported on that token.
    fn syntax_error(&self, err: ParseError<u32, Token<'s>, Never>, end: usize) -> Diagnostic {
        let (span, found, expected) = match err {
            ParseError::UnrecognizedToken {
                token: (l, t, r),
                expected,
            } => (Span::new(l, r), t.describe(), expected),
            ParseError::UnrecognizedEof { expected, .. } => {
                (self.tok_span(end), self.describe(end), expected)
            }
            ParseError::ExtraToken { token: (l, t, r) } => (
                Span::new(l, r),
                t.describe(),
                vec!["a header item, a step or a test".to_string()],
            ),
            ParseError::InvalidToken { location } => (
                Span::new(location, location),
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

/// Where a parse error stands, in bytes (`None` at the end of the input).
fn error_offset(err: &ParseError<u32, Token<'_>, Never>) -> Option<u32> {
    match err {
        ParseError::UnrecognizedToken { token, .. } | ParseError::ExtraToken { token } => {
            Some(token.0)
        }
        _ => None,
    }
}

/// Whether every `{` of an item is closed.
fn balanced(toks: &[Triple<'_>]) -> bool {
    let mut depth = 0i64;
    for (_, t, _) in toks {
        match t {
            Token::LBrace => depth += 1,
            Token::RBrace => depth -= 1,
            _ => {}
        }
    }
    depth <= 0
}

/// A complete item at the start of `toks` that ends before byte `at` (where
/// parsing the whole failed): its length in tokens, the item and the
/// diagnostics of its actions. Tried where an item can end: after the
/// `}` that closes its first `{`, or, for an item without braces, after
/// two to four tokens (`plan NAME`, `version -1`, `use solution NAME`).
fn complete_prefix(toks: &[Triple<'_>], at: u32) -> Option<(usize, Item, Vec<Diagnostic>)> {
    let mut depth = 0usize;
    let mut close = None;
    for (k, (_, t, _)) in toks.iter().enumerate() {
        match t {
            Token::LBrace => depth += 1,
            Token::RBrace => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    close = Some(k + 1);
                    break;
                }
            }
            _ => {}
        }
    }
    let candidates: Vec<usize> = match close {
        Some(k) => vec![k],
        None if !toks.iter().any(|t| matches!(t.1, Token::LBrace)) => (2..=4).collect(),
        None => Vec::new(),
    };
    candidates.into_iter().find_map(|k| {
        let (next, _, _) = toks.get(k)?;
        if *next > at {
            return None;
        }
        let prefix = toks.get(..k)?;
        let mut diags = Vec::new();
        grammar::ItemParser::new()
            .parse(&mut diags, prefix.iter().copied().map(Ok::<Triple, Never>))
            .ok()
            .map(|item| (k, item, diags))
    })
}

/// The text of a token standing as a step name.
fn step_name(tok: &Token<'_>) -> Option<String> {
    match tok {
        Token::Ident(n) => Some((*n).to_string()),
        t if t.is_keyword() => t.fixed_text().map(str::to_string),
        _ => None,
    }
}

/// The `NAME: TYPE "LABEL"` declarations at the start of a broken record
/// block (`{` first), up to the first one that does not read.
fn field_prefix(toks: &[Triple<'_>]) -> Vec<ast::FieldDecl> {
    let mut fields = Vec::new();
    let Some((_, Token::LBrace, _)) = toks.first() else {
        return fields;
    };
    let mut i = 1;
    while let Some([(l, Token::Ident(name), nr), (_, Token::Colon, _)]) = toks.get(i..i + 2) {
        let Some((ty, choice, mut next)) = field_type(toks, i + 2) else {
            break;
        };
        let label = match toks.get(next) {
            Some((sl, Token::Str(text), sr)) => {
                next += 1;
                Some(Spanned::new(actions::string(text), Span::new(*sl, *sr)))
            }
            _ => None,
        };
        let end = label.as_ref().map_or(ty.span.end, |t| t.span.end);
        fields.push(ast::FieldDecl {
            name: Spanned::new((*name).to_string(), Span::new(*l, *nr)),
            ty,
            choice,
            label,
            span: Span::new(Span::new(*l, *nr).start, end),
        });
        i = next;
        if matches!(toks.get(i), Some((_, Token::Comma, _))) {
            i += 1;
        }
    }
    fields
}

/// A field's type starting at `toks[i]`, as [`field_prefix`] reads it: a
/// type name with an optional `?`, or a choice of at most
/// [`MAX_CHOICE_VALUES`] literals (in parentheses and then `?` when
/// optional). Gives the type, the choice's literals and the index after.
fn field_type(toks: &[Triple<'_>], i: usize) -> Option<(Spanned<Type>, Choice, usize)> {
    let question = |j: usize| matches!(toks.get(j), Some((_, Token::Question, _)));
    let end_of = |j: usize| toks.get(j).map(|t| t.2);
    let (first, _, _) = toks.get(i)?;
    let (ty, choice, next) = match toks.get(i)? {
        (_, Token::Ident(name), _) => {
            let optional = question(i + 1);
            let ty = Type::new(crate::types::BaseType::from_name(name)?);
            (
                ty.with_optional(optional),
                None,
                i + 1 + usize::from(optional),
            )
        }
        (_, Token::Str(_), _) => {
            let (values, next) = choice_literals(toks, i)?;
            (
                Type::new(crate::types::BaseType::String),
                Some(values),
                next,
            )
        }
        (_, Token::LParen, _) => {
            let (values, close) = choice_literals(toks, i + 1)?;
            let Some((_, Token::RParen, _)) = toks.get(close) else {
                return None;
            };
            let optional = question(close + 1);
            let ty = Type::new(crate::types::BaseType::String).with_optional(optional);
            (ty, Some(values), close + 1 + usize::from(optional))
        }
        _ => return None,
    };
    let end = end_of(next.checked_sub(1)?)?;
    Some((Spanned::new(ty, Span::new(*first, end)), choice, next))
}

/// A choice's literals as [`field_prefix`] reads them.
type Choice = Option<Vec<Spanned<String>>>;

/// `STRING ("|" STRING)*` from `toks[i]`: the literals and the index after.
fn choice_literals(toks: &[Triple<'_>], mut i: usize) -> Option<(Vec<Spanned<String>>, usize)> {
    let mut values = Vec::new();
    loop {
        let (l, Token::Str(text), r) = toks.get(i)? else {
            return None;
        };
        values.push(Spanned::new(actions::string(text), Span::new(*l, *r)));
        if values.len() > MAX_CHOICE_VALUES {
            return None;
        }
        match toks.get(i + 1) {
            Some((_, Token::Pipe, _)) => i += 2,
            _ => return Some((values, i + 1)),
        }
    }
}

// ----- limits ------------------------------------------------------------------

/// The first limit one item breaks, if any: nesting deeper than
/// [`MAX_NESTING`] or an expression with more than [`MAX_EXPR_OPERATORS`]
/// operators. Iterative, so it is safe on any input.
fn check_limits(toks: &[Triple<'_>]) -> Option<Diagnostic> {
    let mut depth = 0usize;
    let mut ops = 0usize;
    for (l, t, r) in toks {
        let span = Span::new(*l, *r);
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
        let counts = matches!(t, Token::LParen | Token::LBracket) || t.is_operator();
        let resets = matches!(t, Token::LBrace | Token::RBrace | Token::Arrow)
            || t.keyword().is_some_and(Keyword::begins_clause);
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
            .filter(|n| Keyword::from_text(n).is_some())
            .count()
            > 10;
    let expr_position = has("IDENT") && has("STRING") && has("INT");
    let is_operator = |n: &str| n == "in" || BinaryOp::ALL.iter().any(|o| o.symbol() == n);
    let op_position = names.iter().filter(|n| is_operator(n)).count() >= 6;
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
        } else if op_position && is_operator(n) {
            push("an operator".to_string());
        } else if step_position
            && (n == "IDENT" || Keyword::from_text(n).is_some_and(Keyword::is_step_name))
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
    or_list(&out)
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[String]) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests;
