//! Byte-offset source spans.
//!
//! Every token, syntax node and diagnostic label carries a [`Span`]: a
//! half-open range of byte offsets into the source text. Offsets are `u32`
//! because sources are bounded far below 4 GiB (see `parser::MAX_SOURCE_BYTES`).

use serde::{Deserialize, Serialize};

/// A half-open byte range `start..end` in one source file.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub struct Span {
    /// Offset of the first byte.
    pub start: u32,
    /// Offset one past the last byte.
    pub end: u32,
}

impl Span {
    /// The bytes `start..end`.
    pub const fn new(start: u32, end: u32) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// The span as a `usize` range, for slicing the source.
    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Its length in bytes.
    pub fn len(self) -> u32 {
        self.end.saturating_sub(self.start)
    }

    /// Whether it covers no byte.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

/// A value with the span of the source text it came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Spanned<T> {
    /// The value.
    pub node: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// `node` written at `span`.
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

/// Line and column (both 1-based, column counted in Unicode scalar values)
/// of a byte offset. Offsets past the end or inside a character are clamped.
/// `\n`, `\r\n` and a lone `\r` each end a line.
///
/// This builds a [`LineIndex`] for one lookup; to place many offsets in the
/// same source, build the index once.
pub fn line_col(source: &str, offset: u32) -> (usize, usize) {
    LineIndex::new(source).line_col(offset)
}

/// Bytes per block of [`LineIndex::chars_before_block`]: a column is
/// counted from the block its offset falls in, so a lookup reads at most
/// this many bytes, however long the line.
const BLOCK: usize = 1024;

/// Where each line of one source starts, to turn byte offsets into line and
/// column in `O(log lines)`. Lines end at `\n`, `\r\n` or a lone `\r`, as
/// the lexer counts them.
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    source: &'a str,
    /// Byte offset of the first byte of each line; `line_starts[0] == 0`.
    line_starts: Vec<usize>,
    /// Characters before byte `i * BLOCK`, for each block `i`.
    chars_before_block: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes the line starts of `source` (one pass).
    pub fn new(source: &'a str) -> LineIndex<'a> {
        let bytes = source.as_bytes();
        let mut line_starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            let ends_line = b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
            if ends_line {
                line_starts.push(i + 1);
            }
        }
        let mut chars_before_block = Vec::with_capacity(bytes.len() / BLOCK + 1);
        let mut chars = 0;
        for block in bytes.chunks(BLOCK) {
            chars_before_block.push(chars);
            chars += count_chars(block);
        }
        chars_before_block.push(chars);
        LineIndex {
            source,
            line_starts,
            chars_before_block,
        }
    }

    /// The source text a span covers, with each run of whitespace
    /// (line breaks included) shown as one space; empty for a span that is
    /// not in the source.
    pub fn text(&self, span: Span) -> String {
        let text = self.source.get(span.range()).unwrap_or_default();
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// Line and column (1-based, column in characters) of a byte offset,
    /// clamped as [`line_col`] does.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let mut off = (offset as usize).min(self.source.len());
        while !self.source.is_char_boundary(off) {
            off -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= off).max(1);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = self.chars_before(off) - self.chars_before(start) + 1;
        (line, column)
    }

    /// The byte range of the line that holds `offset`, without its line
    /// ending.
    pub fn line_range(&self, offset: u32) -> std::ops::Range<usize> {
        let off = (offset as usize).min(self.source.len());
        let line = self.line_starts.partition_point(|&s| s <= off).max(1);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let next = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.source.len());
        let text = self.source.get(start..next).unwrap_or("");
        let body = text.trim_end_matches(['\n', '\r']);
        start..start + body.len()
    }

    /// Characters in `source[..off]`; `off` is a character boundary.
    fn chars_before(&self, off: usize) -> usize {
        let block = off / BLOCK;
        let base = self.chars_before_block.get(block).copied().unwrap_or(0);
        let from = block * BLOCK;
        base + count_chars(self.source.as_bytes().get(from..off).unwrap_or(&[]))
    }
}

/// Characters in UTF-8 bytes: every byte that does not continue one.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_shows_whitespace_runs_as_one_space() {
        let src = "expect a ==\n    b  + 1 // x";
        let index = LineIndex::new(src);
        assert_eq!(index.text(Span::new(7, 23)), "a == b + 1");
        assert_eq!(index.text(Span::new(7, 8)), "a");
        assert_eq!(index.text(Span::new(40, 50)), "");
    }

    #[test]
    fn the_index_agrees_with_line_col() {
        for src in ["", "a", "ab\né x\r\ny", "\n\n", "x\n", "é\n\u{1F600}z\n"] {
            let index = LineIndex::new(src);
            for off in 0..=src.len() as u32 + 2 {
                assert_eq!(index.line_col(off), line_col(src, off), "{src:?} at {off}");
            }
        }
    }

    #[test]
    fn line_col_counts_chars_not_bytes() {
        let src = "ab\né x\r\ny";
        assert_eq!(line_col(src, 0), (1, 1));
        assert_eq!(line_col(src, 3), (2, 1));
        // 'é' is two bytes; 'x' is the third character of line 2.
        assert_eq!(line_col(src, 6), (2, 3));
        assert_eq!(line_col(src, 9), (3, 1));
        // inside the two-byte 'é': clamped back to its start
        assert_eq!(line_col(src, 4), (2, 1));
        assert_eq!(line_col(src, 1000), (3, 2));
    }

    #[test]
    fn cr_lf_and_crlf_each_end_one_line() {
        let src = "a\rb\nc\r\nd\r\re";
        let at = |c: char| line_col(src, u32::try_from(src.find(c).unwrap()).unwrap());
        assert_eq!(at('a'), (1, 1));
        assert_eq!(at('b'), (2, 1));
        assert_eq!(at('c'), (3, 1));
        assert_eq!(at('d'), (4, 1));
        // `\r\r`: two line endings, an empty line between them
        assert_eq!(at('e'), (6, 1));
        // the `\n` of a `\r\n` is still on the line it ends
        assert_eq!(line_col(src, 5), (3, 2));
        assert_eq!(line_col(src, 6), (3, 3));
    }

    #[test]
    fn index_agrees_with_a_plain_count_on_long_lines() {
        // Columns are counted across block boundaries, with multi-byte
        // characters straddling them.
        let line: String = "aé€😀".repeat(400);
        let src = format!("{line}\n{line}");
        let index = LineIndex::new(&src);
        for (off, _) in src.char_indices().step_by(7) {
            let before = &src[..off];
            let line_no = before.matches('\n').count() + 1;
            let start = before.rfind('\n').map_or(0, |i| i + 1);
            let col = before[start..].chars().count() + 1;
            assert_eq!(index.line_col(off as u32), (line_no, col), "at {off}");
        }
        assert_eq!(index.line_range(5), 0..line.len());
        assert_eq!(index.line_range(u32::MAX), line.len() + 1..src.len());
    }
}
