//! The tables of a run's [`State`](super::State): one entry per inquiry
//! field, result or step of the module, stored only as far as the run has
//! written them.
//!
//! A table has the module's length, but keeps in memory only the entries
//! up to the highest one written; every entry past them reads as its fresh
//! value (`none`, no result, no visits). A fresh state allocates nothing,
//! and creating, loading, saving and dropping a state cost what the run
//! touched, not what the module declares.

use crate::value::Value;
use serde::{Deserialize, Serialize};
use std::fmt;

/// An entry of a [`StateTable`], and the value it holds in a fresh run.
pub trait Fresh: Clone + 'static {
    /// The entry a fresh run has.
    fn fresh() -> &'static Self;
}

impl Fresh for Value {
    fn fresh() -> &'static Value {
        static NONE: Value = Value::None;
        &NONE
    }
}

impl Fresh for Option<Vec<Value>> {
    fn fresh() -> &'static Option<Vec<Value>> {
        static NO_RESULT: Option<Vec<Value>> = None;
        &NO_RESULT
    }
}

impl Fresh for u32 {
    fn fresh() -> &'static u32 {
        &0
    }
}

/// A table stores its entries by blocks of this many (the last one cut at
/// the table's end).
pub const BLOCK: usize = 64;

/// One entry per inquiry field, result or step of a module, of which only
/// the written ones take memory (see the module's documentation). Reading
/// it is like reading a slice of [`StateTable::len`] entries.
#[derive(Clone)]
pub struct StateTable<T> {
    /// The entries up to the end of the block of the highest one written;
    /// the rest are fresh.
    stored: Vec<T>,
    /// The number of entries: the module's count.
    len: usize,
}

impl<T: Fresh> StateTable<T> {
    /// `len` fresh entries, allocating nothing.
    pub(crate) fn new(len: usize) -> StateTable<T> {
        StateTable {
            stored: Vec::new(),
            len,
        }
    }

    /// The number of entries (the module's number of fields, results or
    /// steps), whether written or not.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the table has no entries at all (the module declares none).
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Entry `i`: its fresh value when the run has not written it, `None`
    /// past the end.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&T> {
        match self.stored.get(i) {
            Some(e) => Some(e),
            None => (i < self.len).then(T::fresh),
        }
    }

    /// Entry `i` to write, storing the entries up to it; `None` past the
    /// end.
    #[inline]
    pub(crate) fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        if i >= self.stored.len() && i < self.len {
            self.grow(i);
        }
        self.stored.get_mut(i)
    }

    /// Stores the entries up to `i` (inside the table), and the rest of
    /// its block of [`BLOCK`]: a table grows once per block written, and a
    /// table of a small module once in all, however the run writes it.
    #[cold]
    fn grow(&mut self, i: usize) {
        let to = (i / BLOCK + 1).saturating_mul(BLOCK).min(self.len);
        self.stored.resize(to, T::fresh().clone());
    }

    /// The entries in memory: a prefix of the table, past which every
    /// entry is fresh. Its length follows what the run wrote (up to the
    /// end of the highest block written), not the module.
    pub fn stored(&self) -> &[T] {
        &self.stored
    }

    /// Every entry, in order, the fresh ones included.
    pub fn iter(&self) -> Iter<'_, T> {
        let fresh = self.len.saturating_sub(self.stored.len());
        Iter {
            stored: self.stored.iter(),
            fresh,
        }
    }

    /// Every entry, copied into a vector of [`StateTable::len`] entries.
    pub fn to_vec(&self) -> Vec<T> {
        self.iter().cloned().collect()
    }
}

/// [`StateTable::iter`]: the stored entries, then the fresh ones.
#[derive(Clone, Debug)]
pub struct Iter<'a, T> {
    stored: std::slice::Iter<'a, T>,
    fresh: usize,
}

impl<'a, T: Fresh> Iterator for Iter<'a, T> {
    type Item = &'a T;
    fn next(&mut self) -> Option<&'a T> {
        if let Some(e) = self.stored.next() {
            return Some(e);
        }
        self.fresh = self.fresh.checked_sub(1)?;
        Some(T::fresh())
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.stored.len().saturating_add(self.fresh);
        (n, Some(n))
    }
}

impl<T: Fresh> ExactSizeIterator for Iter<'_, T> {}

impl<'a, T: Fresh> IntoIterator for &'a StateTable<T> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

/// Equal when every entry is, however much of each is stored.
impl<T: Fresh + PartialEq> PartialEq for StateTable<T> {
    fn eq(&self, other: &StateTable<T>) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

/// Shown as the list of every entry, as a slice would be.
impl<T: Fresh + fmt::Debug> fmt::Debug for StateTable<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Serialized as the sequence of every entry, as a vector would be.
impl<T: Fresh + Serialize> Serialize for StateTable<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

impl<'de, T: Fresh + Deserialize<'de>> Deserialize<'de> for StateTable<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let stored = Vec::<T>::deserialize(deserializer)?;
        Ok(StateTable {
            len: stored.len(),
            stored,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn entries_past_the_stored_ones_read_fresh() {
        let mut t = StateTable::<u32>::new(5);
        assert!(t.stored().is_empty());
        assert_eq!(t.get(4), Some(&0));
        assert_eq!(t.get(5), None);
        *t.get_mut(2).unwrap() = 7;
        assert_eq!(t.stored(), [0, 0, 7, 0, 0], "a short table is one block");
        assert_eq!(t.get(2), Some(&7));
        assert_eq!(t.get(3), Some(&0));
        assert!(t.get_mut(5).is_none());
        assert_eq!(t.stored().len(), 5, "a write past the end stores nothing");
        assert_eq!(t.to_vec(), [0, 0, 7, 0, 0]);
        assert_eq!(t.iter().len(), 5);
        assert_eq!((&t).into_iter().count(), 5);
        assert_eq!(format!("{t:?}"), "[0, 0, 7, 0, 0]");
    }

    #[test]
    fn a_long_table_stores_the_blocks_up_to_the_highest_written() {
        let mut t = StateTable::<Value>::new(10 * BLOCK + 3);
        *t.get_mut(BLOCK + 1).unwrap() = Value::Int(1);
        assert_eq!(t.stored().len(), 2 * BLOCK);
        *t.get_mut(3).unwrap() = Value::Int(2);
        assert_eq!(t.stored().len(), 2 * BLOCK, "a write inside stores nothing");
        *t.get_mut(10 * BLOCK + 2).unwrap() = Value::Int(3);
        assert_eq!(
            t.stored().len(),
            t.len(),
            "the last block is cut at the end"
        );
        let written: Vec<_> = t.iter().filter(|v| **v != Value::None).collect();
        assert_eq!(written, [&Value::Int(2), &Value::Int(1), &Value::Int(3)]);
    }

    #[test]
    fn equality_and_serde_see_every_entry() {
        let mut a = StateTable::<Value>::new(3);
        let b = StateTable::<Value>::new(3);
        *a.get_mut(1).unwrap() = Value::None;
        assert_eq!(a, b, "a fresh value written is still fresh");
        *a.get_mut(0).unwrap() = Value::Int(1);
        assert_ne!(a, b);
        assert_ne!(b, StateTable::new(4));
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(json, serde_json::to_string(&a.to_vec()).unwrap());
        let back: StateTable<Value> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
        assert_eq!(back.len(), 3);
    }
}
