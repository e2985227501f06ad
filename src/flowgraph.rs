//! The step graph and the one forward data-flow analysis over it.
//!
//! Steps are nodes; transitions (and branch routes, and `on error`) are
//! edges. This module knows nothing about what the facts mean: it offers
//! a [`BitSet`] lattice (meet is intersection, since every fact is a "must"
//! fact: known on every path), a worklist [`fixpoint`] that calls a transfer
//! function per step, and the plain graph questions the checker asks
//! (reachability, which steps can reach an `end`, cycles through no screen).
//!
//! Everything is iterative (no recursion), so a flow of any size cannot
//! overflow the stack, and linear in steps plus edges except for the
//! fixpoint, whose cost is bounded by the number of facts a step can lose.

use crate::typed::StepId;
use std::rc::Rc;

/// Words per shared chunk of a [`BitSet`] (1,024 bits).
const CHUNK: usize = 16;

/// A fixed-size set of facts; intersection is the meet.
///
/// The words are kept in reference-counted chunks shared copy-on-write:
/// a step's facts are mostly its predecessor's, so cloning a set copies
/// pointers, and a write copies only the chunk it touches. That keeps the
/// analysis close to linear in the number of steps although the number of
/// facts grows with them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BitSet {
    chunks: Vec<Rc<[u64; CHUNK]>>,
}

impl BitSet {
    pub fn empty(bits: usize) -> BitSet {
        let zero = Rc::new([0; CHUNK]);
        BitSet {
            // One chunk shared by all: copied when first written.
            chunks: vec![zero; bits.div_ceil(64 * CHUNK)],
        }
    }

    /// Every fact known: the top of the lattice.
    pub fn full(bits: usize) -> BitSet {
        let ones = Rc::new([u64::MAX; CHUNK]);
        let mut s = BitSet {
            chunks: vec![ones; bits.div_ceil(64 * CHUNK)],
        };
        // Bits past the end are never set.
        let used = bits % (64 * CHUNK);
        if used != 0
            && let Some(last) = s.chunks.last_mut()
        {
            let last = Rc::make_mut(last);
            for (i, w) in last.iter_mut().enumerate() {
                let lo = i * 64;
                *w = if lo >= used {
                    0
                } else if used - lo >= 64 {
                    u64::MAX
                } else {
                    (1u64 << (used - lo)) - 1
                };
            }
        }
        s
    }

    fn word(&self, bit: usize) -> Option<u64> {
        let c = self.chunks.get(bit / (64 * CHUNK))?;
        c.get(bit % (64 * CHUNK) / 64).copied()
    }

    fn word_mut(&mut self, bit: usize) -> Option<&mut u64> {
        let c = self.chunks.get_mut(bit / (64 * CHUNK))?;
        Rc::make_mut(c).get_mut(bit % (64 * CHUNK) / 64)
    }

    pub fn get(&self, bit: usize) -> bool {
        self.word(bit)
            .is_some_and(|w| w & (1u64 << (bit % 64)) != 0)
    }

    pub fn set(&mut self, bit: usize) {
        if self.word(bit).is_some()
            && !self.get(bit)
            && let Some(w) = self.word_mut(bit)
        {
            *w |= 1u64 << (bit % 64);
        }
    }

    pub fn clear(&mut self, bit: usize) {
        if self.get(bit)
            && let Some(w) = self.word_mut(bit)
        {
            *w &= !(1u64 << (bit % 64));
        }
    }

    /// `self &= other`; true if `self` changed.
    pub fn meet(&mut self, other: &BitSet) -> bool {
        let mut changed = false;
        for (a, b) in self.chunks.iter_mut().zip(&other.chunks) {
            if Rc::ptr_eq(a, b) {
                continue;
            }
            if a.iter().zip(b.iter()).all(|(x, y)| x & y == *x) {
                if a == b {
                    // Equal contents: share the chunk from now on.
                    *a = Rc::clone(b);
                }
                continue;
            }
            changed = true;
            for (x, y) in Rc::make_mut(a).iter_mut().zip(b.iter()) {
                *x &= *y;
            }
        }
        changed
    }
}

/// Successor lists, one per step, in a fixed order.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    pub succ: Vec<Vec<StepId>>,
}

impl Graph {
    pub fn new(n: usize) -> Graph {
        Graph {
            succ: vec![Vec::new(); n],
        }
    }

    pub fn len(&self) -> usize {
        self.succ.len()
    }

    pub fn is_empty(&self) -> bool {
        self.succ.is_empty()
    }

    pub fn add_edge(&mut self, from: StepId, to: StepId) {
        if let Some(s) = self.succ.get_mut(from as usize) {
            s.push(to);
        }
    }

    fn succs(&self, s: usize) -> &[StepId] {
        self.succ.get(s).map_or(&[], |v| v.as_slice())
    }

    /// Steps reachable from `roots` along edges.
    pub fn reachable(&self, roots: &[StepId]) -> Vec<bool> {
        let mut seen = vec![false; self.len()];
        let mut stack: Vec<usize> = Vec::new();
        for &r in roots {
            if let Some(b) = seen.get_mut(r as usize)
                && !*b
            {
                *b = true;
                stack.push(r as usize);
            }
        }
        while let Some(s) = stack.pop() {
            for &t in self.succs(s) {
                if let Some(b) = seen.get_mut(t as usize)
                    && !*b
                {
                    *b = true;
                    stack.push(t as usize);
                }
            }
        }
        seen
    }

    /// The graph with every edge turned around.
    pub fn reversed(&self) -> Graph {
        let mut r = Graph::new(self.len());
        for (s, ts) in self.succ.iter().enumerate() {
            for &t in ts {
                r.add_edge(t, s as StepId);
            }
        }
        r
    }

    /// Strongly connected components (Tarjan, iterative), each a list of
    /// steps; only components with a cycle (two or more steps, or a step
    /// with an edge to itself) among the steps where `keep` holds, using
    /// only edges between such steps.
    pub fn cycles(&self, keep: &[bool]) -> Vec<Vec<StepId>> {
        let n = self.len();
        let kept = |s: usize| keep.get(s).copied().unwrap_or(false);
        let mut index = vec![usize::MAX; n];
        let mut low = vec![0usize; n];
        let mut on_stack = vec![false; n];
        let mut stack: Vec<usize> = Vec::new();
        let mut next = 0usize;
        let mut out = Vec::new();
        // (node, next successor position)
        let mut call: Vec<(usize, usize)> = Vec::new();
        for root in 0..n {
            if !kept(root) || index.get(root).is_none_or(|&i| i != usize::MAX) {
                continue;
            }
            call.push((root, 0));
            while let Some(&mut (v, ref mut pos)) = call.last_mut() {
                if *pos == 0 && index.get(v) == Some(&usize::MAX) {
                    set(&mut index, v, next);
                    set(&mut low, v, next);
                    next += 1;
                    stack.push(v);
                    set(&mut on_stack, v, true);
                }
                let succs = self.succs(v);
                if let Some(&w) = succs.get(*pos) {
                    *pos += 1;
                    let w = w as usize;
                    if !kept(w) {
                        continue;
                    }
                    if at(&index, w) == usize::MAX {
                        call.push((w, 0));
                    } else if at(&on_stack, w) {
                        let l = at(&low, v).min(at(&index, w));
                        set(&mut low, v, l);
                    }
                    continue;
                }
                call.pop();
                if let Some(&(parent, _)) = call.last() {
                    let l = at(&low, parent).min(at(&low, v));
                    set(&mut low, parent, l);
                }
                if at(&low, v) == at(&index, v) {
                    let mut comp = Vec::new();
                    while let Some(w) = stack.pop() {
                        set(&mut on_stack, w, false);
                        comp.push(w as StepId);
                        if w == v {
                            break;
                        }
                    }
                    let cyclic = comp.len() > 1 || self.succs(v).contains(&(v as StepId));
                    if cyclic {
                        comp.sort_unstable();
                        out.push(comp);
                    }
                }
            }
        }
        out.sort();
        out
    }
}

/// `v[i]` for a step index `i` below the graph's length.
fn at<T: Copy + Default>(v: &[T], i: usize) -> T {
    crate::invariant::holds(v.get(i).copied(), "step-indices-in-graph").unwrap_or_default()
}

fn set<T>(v: &mut [T], i: usize, x: T) {
    if let Some(slot) = v.get_mut(i) {
        *slot = x;
    }
}

/// The forward must-analysis: the facts known on entry to every step.
///
/// `start` enters with `start_facts`; `transfer(step, entry)` returns the
/// facts each outgoing edge carries. Facts meet by intersection. Steps that
/// are never reached stay `None`.
pub fn fixpoint(
    n: usize,
    start: StepId,
    start_facts: BitSet,
    mut transfer: impl FnMut(StepId, &BitSet) -> Vec<(StepId, BitSet)>,
) -> Vec<Option<BitSet>> {
    let mut entry: Vec<Option<BitSet>> = vec![None; n];
    if (start as usize) >= n {
        return entry;
    }
    set(&mut entry, start as usize, Some(start_facts));
    let mut queued = vec![false; n];
    let mut work = std::collections::VecDeque::new();
    work.push_back(start);
    set(&mut queued, start as usize, true);
    while let Some(s) = work.pop_front() {
        set(&mut queued, s as usize, false);
        let Some(Some(facts)) = entry.get(s as usize).cloned() else {
            continue;
        };
        for (t, out) in transfer(s, &facts) {
            let Some(slot) = entry.get_mut(t as usize) else {
                continue;
            };
            let changed = match slot {
                None => {
                    *slot = Some(out);
                    true
                }
                Some(old) => old.meet(&out),
            };
            if changed && !at(&queued, t as usize) {
                set(&mut queued, t as usize, true);
                work.push_back(t);
            }
        }
    }
    entry
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn bitset_meet_and_full() {
        let mut a = BitSet::full(70);
        assert!(a.get(69) && !a.get(70));
        let mut b = BitSet::empty(70);
        b.set(3);
        assert!(a.meet(&b));
        assert!(a.get(3) && !a.get(4));
        assert!(!a.meet(&b));
    }

    #[test]
    fn bitset_chunks_are_copied_on_write() {
        let a = BitSet::full(2_100);
        assert!(a.get(0) && a.get(1_024) && a.get(2_099) && !a.get(2_100));
        let mut b = a.clone();
        b.clear(1_500);
        assert!(a.get(1_500) && !b.get(1_500));
        let mut c = a.clone();
        assert!(c.meet(&b));
        assert!(!c.get(1_500) && c.get(1_499));
        assert!(!c.meet(&b));
        assert_eq!(c, b);
        let mut e = BitSet::empty(2_100);
        e.set(2_099);
        e.set(5_000);
        assert!(e.get(2_099) && !e.get(5_000) && !e.get(0));
    }

    #[test]
    fn cycles_find_loops_and_self_loops() {
        let mut g = Graph::new(4);
        g.add_edge(0, 1);
        g.add_edge(1, 0);
        g.add_edge(2, 2);
        g.add_edge(2, 3);
        assert_eq!(g.cycles(&[true; 4]), vec![vec![0, 1], vec![2]]);
        assert_eq!(
            g.cycles(&[true, false, false, true]),
            Vec::<Vec<StepId>>::new()
        );
    }

    #[test]
    fn fixpoint_intersects_paths() {
        // 0 -> 1 -> 2, 0 -> 2; bit 0 set only on 0 -> 1
        let mut g = Graph::new(3);
        g.add_edge(0, 1);
        g.add_edge(1, 2);
        g.add_edge(0, 2);
        let r = fixpoint(3, 0, BitSet::empty(1), |s, f| {
            g.succ[s as usize]
                .iter()
                .map(|&t| {
                    let mut o = f.clone();
                    if s == 0 && t == 1 {
                        o.set(0);
                    }
                    (t, o)
                })
                .collect()
        });
        assert!(r[1].as_ref().unwrap().get(0));
        assert!(!r[2].as_ref().unwrap().get(0));
    }
}
