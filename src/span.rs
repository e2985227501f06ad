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
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub const fn new(start: u32, end: u32) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    pub fn len(self) -> u32 {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

/// A value with the span of the source text it came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

/// Line and column (both 1-based, column counted in Unicode scalar values)
/// of a byte offset. Offsets past the end or inside a character are clamped.
pub fn line_col(source: &str, offset: u32) -> (usize, usize) {
    let mut off = (offset as usize).min(source.len());
    while !source.is_char_boundary(off) {
        off -= 1;
    }
    let before = source.get(..off).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).unwrap_or("").chars().count() + 1;
    (line, column)
}

/// The starts of a source's lines, for many [`line_col`] lookups in one
/// source: each is a binary search, not a scan from the start (rendering
/// thousands of diagnostics stays linear).
pub struct LineIndex<'s> {
    source: &'s str,
    /// Byte offset of the first byte of each line.
    starts: Vec<usize>,
}

impl<'s> LineIndex<'s> {
    pub fn new(source: &'s str) -> LineIndex<'s> {
        let mut starts = vec![0];
        starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { source, starts }
    }

    /// The same as [`line_col`] on this index's source.
    pub fn line_col(&self, offset: u32) -> (usize, usize) {
        let mut off = (offset as usize).min(self.source.len());
        while !self.source.is_char_boundary(off) {
            off -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= off);
        let start = line
            .checked_sub(1)
            .and_then(|l| self.starts.get(l))
            .copied()
            .unwrap_or(0);
        let column = self.source.get(start..off).unwrap_or("").chars().count() + 1;
        (line, column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
