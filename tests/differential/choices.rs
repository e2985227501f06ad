//! A stream of choices that the generators read from.
//!
//! Proptest makes a `Vec<u32>`; every decision of the flow and scenario
//! generators takes the next number modulo its number of options. A missing
//! number reads as 0, and option 0 is always the simplest one (the first
//! literal, no more statements, the next step), so proptest's shrinking of
//! the vector (shorter, smaller numbers) shrinks the flow too.

pub struct Choices {
    data: Vec<u32>,
    pos: usize,
}

impl Choices {
    pub fn new(data: Vec<u32>) -> Choices {
        Choices { data, pos: 0 }
    }

    /// A number in `0..n` (0 when `n` is 0 or 1).
    pub fn below(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        let v = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        v as usize % n
    }

    /// True with about `percent` per cent; false when the stream is spent.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) >= 100 - percent.min(100)
    }

    /// One of `items` (the first when the stream is spent).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        let i = self.below(items.len());
        items.get(i)
    }

    /// A count in `0..=max` (`max` at least 1): 0 one time in twenty,
    /// else uniform in `1..=max`; 1 when the stream is spent.
    pub fn count(&mut self, max: usize) -> usize {
        if self.below(20) == 19 {
            0
        } else {
            1 + self.below(max)
        }
    }
}
