//! What the printer reads from the source text besides the tree: the
//! comments (taken in order, each exactly once), where blank lines were,
//! the literal text of tokens, and where the punctuation that the tree does
//! not record (`{`, `}`, `]`, `)`, keywords before a name) stands.

use crate::ast::Comment;
use crate::lexer::{self, Token, Triple};

pub(super) struct Source<'a> {
    text: &'a str,
    /// Every token but comments, in order.
    tokens: Vec<Triple<'a>>,
    comments: &'a [Comment],
    /// Index of the first comment not yet printed.
    next: usize,
}

impl<'a> Source<'a> {
    pub fn new(text: &'a str, comments: &'a [Comment]) -> Source<'a> {
        let tokens = lexer::tokenize(text)
            .tokens
            .into_iter()
            .filter(|(_, t, _)| !matches!(t, Token::Comment(_) | Token::DocComment(_)))
            // an attribute's tokens are printed with it, as a comment's are
            .filter(|(l, _, _)| {
                !comments
                    .iter()
                    .any(|c| c.attribute && c.span.start <= *l && *l < c.span.end)
            })
            .collect();
        Source {
            text,
            tokens,
            comments,
            next: 0,
        }
    }

    // ----- comments -----------------------------------------------------

    /// The comments not yet printed that start before `pos`.
    pub fn take_before(&mut self, pos: u32) -> Vec<&'a Comment> {
        let mut out = Vec::new();
        while let Some(c) = self.comments.get(self.next) {
            if c.span.start >= pos {
                break;
            }
            out.push(c);
            self.next += 1;
        }
        out
    }

    /// The next comment, when it stands on the same line after `end` with
    /// only blanks and commas before it: a trailing comment of whatever
    /// ends at `end`.
    pub fn take_trailing(&mut self, end: u32) -> Option<&'a Comment> {
        // An attribute always takes its own line before what it covers.
        let c = self.comments.get(self.next).filter(|c| !c.attribute)?;
        let gap = self.slice(end, c.span.start)?;
        if gap
            .bytes()
            .all(|b| b == b',' || (b.is_ascii_whitespace() && b != b'\n'))
        {
            self.next += 1;
            Some(c)
        } else {
            None
        }
    }

    /// Every comment not yet printed.
    pub fn take_rest(&mut self) -> Vec<&'a Comment> {
        self.take_before(u32::MAX)
    }

    /// Whether the source has an empty line between `a` and `b` (a line
    /// holding only whitespace, between two newlines).
    pub fn blank_between(&self, a: u32, b: u32) -> bool {
        let Some(gap) = self.slice(a, b) else {
            return false;
        };
        let mut lines = gap.split('\n');
        lines.next();
        let mut middle: Vec<&str> = lines.collect();
        middle.pop();
        middle.iter().any(|l| l.trim().is_empty())
    }

    // ----- tokens ---------------------------------------------------------

    fn slice(&self, a: u32, b: u32) -> Option<&'a str> {
        self.text.get(a as usize..b as usize)
    }

    /// Index of the first token starting at or after `pos`.
    fn index_at(&self, pos: u32) -> usize {
        self.tokens.partition_point(|(l, _, _)| *l < pos)
    }

    /// The source text of the literal that starts a node at `pos`: the first
    /// token there that is not an opening parenthesis, so that `(1)` gives
    /// `1`.
    pub fn literal(&self, pos: u32) -> String {
        let i = self.index_at(pos);
        self.tokens
            .get(i..)
            .unwrap_or(&[])
            .iter()
            .find(|(_, t, _)| !matches!(t, Token::LParen))
            .and_then(|(l, _, r)| self.slice(*l, *r))
            .unwrap_or("")
            .to_string()
    }

    /// Start of the first token at or after `pos` that `is` accepts (the
    /// closing `}` of a block whose last child ends at `pos`).
    pub fn next_token(&self, pos: u32, is: fn(&Token) -> bool) -> u32 {
        let i = self.index_at(pos);
        self.tokens
            .get(i..)
            .unwrap_or(&[])
            .iter()
            .find(|(_, t, _)| is(t))
            .map_or(pos, |(l, _, _)| *l)
    }

    /// Start of the `n`th token before `pos` (the keyword before a name).
    pub fn token_before(&self, pos: u32, n: usize) -> u32 {
        let i = self.index_at(pos);
        i.checked_sub(n)
            .and_then(|k| self.tokens.get(k))
            .map_or(pos, |(l, _, _)| *l)
    }

    /// Whether the token just before `pos` is a comma.
    pub fn comma_before(&self, pos: u32) -> bool {
        let i = self.index_at(pos);
        i.checked_sub(1)
            .and_then(|k| self.tokens.get(k))
            .is_some_and(|(_, t, _)| matches!(t, Token::Comma))
    }

    /// Whether the token at `pos` is an opening parenthesis.
    pub fn paren_at(&self, pos: u32) -> bool {
        self.text.as_bytes().get(pos as usize) == Some(&b'(')
    }
}

/// How a comment is printed: `//` or `///` and its text, without the
/// trailing whitespace.
pub(super) fn comment_text(c: &Comment) -> String {
    if c.attribute {
        return c.text.clone();
    }
    let slashes = if c.doc { "///" } else { "//" };
    format!("{slashes}{}", c.text.trim_end())
}

pub(super) fn is_lbrace(t: &Token) -> bool {
    matches!(t, Token::LBrace)
}

pub(super) fn is_rbrace(t: &Token) -> bool {
    matches!(t, Token::RBrace)
}

pub(super) fn is_rbracket(t: &Token) -> bool {
    matches!(t, Token::RBracket)
}

pub(super) fn is_lparen(t: &Token) -> bool {
    matches!(t, Token::LParen)
}

pub(super) fn is_rparen(t: &Token) -> bool {
    matches!(t, Token::RParen)
}

pub(super) fn is_lbracket(t: &Token) -> bool {
    matches!(t, Token::LBracket)
}
