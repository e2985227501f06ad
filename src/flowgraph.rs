//! The step graph and the one forward data-flow analysis over it.
//!
//! Steps are nodes; transitions (and branch routes, and `on error`) are
//! edges. This module knows nothing about what the facts mean: it offers
//! a [`BitSet`] lattice (meet is intersection, since every fact is a "must"
//! fact: known on every path), a worklist [`fixpoint`] that calls a transfer
//! function per step, and the plain graph questions the checker asks
//! (reachability, which steps can reach an `end`, cycles through no screen).
//!
//! Everything over steps is iterative (no recursion), so a flow of any size
//! cannot overflow the stack; only the bit set's tree walks recurse, as deep
//! as its tree is high (four levels hold a million facts). It is linear in
//! steps plus edges except for the fixpoint, whose cost is bounded by the
//! number of facts a step can lose.

use crate::typed::StepId;
use std::rc::Rc;

/// Words per leaf of a [`BitSet`] (1,024 bits).
const LEAF: usize = 16;
/// Bits per leaf.
const LEAF_BITS: usize = 64 * LEAF;
/// Children per inner node of a [`BitSet`].
const FAN: usize = 16;
const FAN_SHIFT: u32 = 4;

/// A fixed-size set of facts; intersection is the meet.
///
/// A persistent tree: leaves of 1,024 bits under inner nodes of 16
/// children, every node reference-counted and shared copy-on-write. A
/// step's facts are mostly its predecessor's, so a clone is one pointer, a
/// write copies only the path to the leaf it touches, and a meet skips
/// every subtree the two sets share. That keeps the analysis close to
/// linear in the number of steps, in time and in memory, although the
/// number of facts grows with them.
#[derive(Debug, Clone)]
pub struct BitSet {
    root: Rc<Node>,
    /// Levels of inner nodes above the leaves.
    depth: u32,
    /// Bits in the set: those past it read false and are never set.
    len: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Node {
    Leaf([u64; LEAF]),
    Inner([Rc<Node>; FAN]),
}

/// Bits under one node `level` levels above the leaves.
fn span(level: u32) -> usize {
    LEAF_BITS << (FAN_SHIFT * level)
}

impl BitSet {
    /// Levels needed for `bits` bits.
    fn depth_for(bits: usize) -> u32 {
        let mut depth = 0;
        while span(depth) < bits {
            depth += 1;
        }
        depth
    }

    pub fn empty(bits: usize) -> BitSet {
        let depth = Self::depth_for(bits);
        // One node per level, shared by all: copied when first written.
        let mut root = Rc::new(Node::Leaf([0; LEAF]));
        for _ in 0..depth {
            root = Rc::new(Node::Inner(std::array::from_fn(|_| Rc::clone(&root))));
        }
        BitSet {
            root,
            depth,
            len: bits,
        }
    }

    /// Every fact known: the top of the lattice. Bits past the end are
    /// never set.
    pub fn full(bits: usize) -> BitSet {
        let depth = Self::depth_for(bits);
        // Shared all-zero and all-one nodes, one of each per level.
        let mut zeros = vec![Rc::new(Node::Leaf([0; LEAF]))];
        let mut ones = vec![Rc::new(Node::Leaf([u64::MAX; LEAF]))];
        for level in 0..depth as usize {
            for v in [&mut zeros, &mut ones] {
                if let Some(below) = v.get(level).cloned() {
                    v.push(Rc::new(Node::Inner(std::array::from_fn(|_| {
                        Rc::clone(&below)
                    }))));
                }
            }
        }
        let root = Self::build_full(depth, 0, bits, &zeros, &ones);
        BitSet {
            root,
            depth,
            len: bits,
        }
    }

    /// The node at `level` covering bits from `lo`, with the bits below
    /// `bits` set.
    fn build_full(
        level: u32,
        lo: usize,
        bits: usize,
        zeros: &[Rc<Node>],
        ones: &[Rc<Node>],
    ) -> Rc<Node> {
        let shared = |v: &[Rc<Node>]| {
            crate::invariant::holds(v.get(level as usize).cloned(), "a-shared-node-per-level")
        };
        let hi = lo + span(level);
        if hi <= bits
            && let Some(n) = shared(ones)
        {
            return n;
        }
        if lo >= bits
            && let Some(n) = shared(zeros)
        {
            return n;
        }
        if level == 0 {
            let mut words = [0u64; LEAF];
            for (i, w) in words.iter_mut().enumerate() {
                let from = lo + i * 64;
                *w = if from >= bits {
                    0
                } else if bits - from >= 64 {
                    u64::MAX
                } else {
                    (1u64 << (bits - from)) - 1
                };
            }
            return Rc::new(Node::Leaf(words));
        }
        let child = span(level - 1);
        Rc::new(Node::Inner(std::array::from_fn(|i| {
            Self::build_full(level - 1, lo + i * child, bits, zeros, ones)
        })))
    }

    /// Which child of a node `level` levels up holds `bit`.
    fn child_index(bit: usize, level: u32) -> usize {
        (bit / span(level - 1)) % FAN
    }

    pub fn get(&self, bit: usize) -> bool {
        if bit >= self.len {
            return false;
        }
        let mut node = &self.root;
        let mut level = self.depth;
        loop {
            match &**node {
                Node::Inner(children) if level > 0 => {
                    let Some(c) = children.get(Self::child_index(bit, level)) else {
                        return false;
                    };
                    node = c;
                    level -= 1;
                }
                Node::Leaf(words) => {
                    return words
                        .get(bit % LEAF_BITS / 64)
                        .is_some_and(|w| w & (1u64 << (bit % 64)) != 0);
                }
                Node::Inner(_) => return false,
            }
        }
    }

    /// Sets `bit` to `value`, copying the nodes on its path that are shared.
    fn put(&mut self, bit: usize, value: bool) {
        if bit >= self.len || self.get(bit) == value {
            return;
        }
        let mut node = &mut self.root;
        let mut level = self.depth;
        loop {
            match Rc::make_mut(node) {
                Node::Inner(children) if level > 0 => {
                    let Some(c) = children.get_mut(Self::child_index(bit, level)) else {
                        return;
                    };
                    node = c;
                    level -= 1;
                }
                Node::Leaf(words) => {
                    if let Some(w) = words.get_mut(bit % LEAF_BITS / 64) {
                        let mask = 1u64 << (bit % 64);
                        if value {
                            *w |= mask;
                        } else {
                            *w &= !mask;
                        }
                    }
                    return;
                }
                Node::Inner(_) => return,
            }
        }
    }

    pub fn set(&mut self, bit: usize) {
        self.put(bit, true);
    }

    pub fn clear(&mut self, bit: usize) {
        self.put(bit, false);
    }

    /// `self &= other`; true if `self` changed.
    pub fn meet(&mut self, other: &BitSet) -> bool {
        if self.len != other.len {
            // Sets of one analysis all have the same size.
            return false;
        }
        meet_node(&mut self.root, &other.root)
    }
}

impl PartialEq for BitSet {
    fn eq(&self, other: &BitSet) -> bool {
        self.len == other.len && (Rc::ptr_eq(&self.root, &other.root) || self.root == other.root)
    }
}

impl Eq for BitSet {}

/// Every bit of `a` is in `b`.
fn subset(a: &Rc<Node>, b: &Rc<Node>) -> bool {
    if Rc::ptr_eq(a, b) {
        return true;
    }
    match (&**a, &**b) {
        (Node::Leaf(x), Node::Leaf(y)) => x.iter().zip(y).all(|(x, y)| x & y == *x),
        (Node::Inner(x), Node::Inner(y)) => x.iter().zip(y).all(|(x, y)| subset(x, y)),
        _ => false,
    }
}

/// `a &= b` on two nodes of the same level; true if `a` changed. Where the
/// contents turn out equal, `a` shares `b`'s node from then on, so later
/// meets skip it at once.
fn meet_node(a: &mut Rc<Node>, b: &Rc<Node>) -> bool {
    if subset(a, b) {
        if let (Node::Leaf(x), Node::Leaf(y)) = (&**a, &**b)
            && x == y
        {
            *a = Rc::clone(b);
        }
        return false;
    }
    match (Rc::make_mut(a), &**b) {
        (Node::Leaf(x), Node::Leaf(y)) => {
            for (x, y) in x.iter_mut().zip(y) {
                *x &= *y;
            }
        }
        (Node::Inner(x), Node::Inner(y)) => {
            for (x, y) in x.iter_mut().zip(y) {
                meet_node(x, y);
            }
        }
        _ => return false,
    }
    if let (Node::Inner(x), Node::Inner(y)) = (&**a, &**b)
        && x.iter().zip(y).all(|(x, y)| Rc::ptr_eq(x, y))
    {
        *a = Rc::clone(b);
    }
    true
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
///
/// The worklist takes steps in reverse post-order of `graph` from `start`,
/// so on the parts of the flow without cycles every step is walked once,
/// after all its predecessors. Edges `transfer` gives that `graph` lacks
/// are followed too; their targets come after every ordered step.
pub fn fixpoint(
    graph: &Graph,
    start: StepId,
    start_facts: BitSet,
    mut transfer: impl FnMut(StepId, &BitSet) -> Vec<(StepId, BitSet)>,
) -> Vec<Option<BitSet>> {
    let n = graph.len();
    let mut entry: Vec<Option<BitSet>> = vec![None; n];
    if (start as usize) >= n {
        return entry;
    }
    let rank = graph.reverse_post_order(start);
    set(&mut entry, start as usize, Some(start_facts));
    let mut queued = vec![false; n];
    let mut work = std::collections::BinaryHeap::new();
    work.push(std::cmp::Reverse((at(&rank, start as usize), start)));
    set(&mut queued, start as usize, true);
    while let Some(std::cmp::Reverse((_, s))) = work.pop() {
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
                work.push(std::cmp::Reverse((at(&rank, t as usize), t)));
            }
        }
    }
    entry
}

impl Graph {
    /// Each step's position in a reverse post-order of a depth-first walk
    /// from `start` (iterative); steps it does not reach get `usize::MAX`.
    fn reverse_post_order(&self, start: StepId) -> Vec<usize> {
        let n = self.len();
        let mut seen = vec![false; n];
        let mut post: Vec<usize> = Vec::with_capacity(n);
        // (node, next successor position)
        let mut call: Vec<(usize, usize)> = Vec::new();
        if (start as usize) < n {
            set(&mut seen, start as usize, true);
            call.push((start as usize, 0));
        }
        while let Some(&mut (v, ref mut pos)) = call.last_mut() {
            if let Some(&w) = self.succs(v).get(*pos) {
                *pos += 1;
                let w = w as usize;
                if w < n && !at(&seen, w) {
                    set(&mut seen, w, true);
                    call.push((w, 0));
                }
                continue;
            }
            call.pop();
            post.push(v);
        }
        let mut rank = vec![usize::MAX; n];
        for (i, &v) in post.iter().rev().enumerate() {
            set(&mut rank, v, i);
        }
        rank
    }
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
    fn bitset_nodes_are_copied_on_write() {
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
    fn bitset_deep_trees_meet_and_compare() {
        // Three levels: 16 * 16 * 1,024 bits and more.
        let bits = 300_000;
        let full = BitSet::full(bits);
        assert!(full.get(0) && full.get(bits - 1) && !full.get(bits) && !full.get(usize::MAX));
        let empty = BitSet::empty(bits);
        assert!(!empty.get(123_456));
        let mut a = empty.clone();
        for bit in [0, 1_023, 1_024, 65_537, 299_999] {
            a.set(bit);
        }
        a.set(bits + 5);
        let mut b = a.clone();
        b.clear(65_537);
        b.set(200_000);
        assert!(a.get(65_537) && !b.get(65_537) && !a.get(200_000));
        let mut m = a.clone();
        assert!(m.meet(&b));
        assert!(m.get(0) && m.get(299_999) && !m.get(65_537) && !m.get(200_000));
        assert!(!m.meet(&b));
        assert!(!m.meet(&full));
        let mut f = full.clone();
        assert!(f.meet(&m));
        assert_eq!(f, m);
        assert_ne!(a, b);
        let mut e = full;
        assert!(e.meet(&empty));
        assert_eq!(e, empty);
    }

    #[test]
    fn fixpoint_walks_acyclic_steps_once_in_order() {
        // 0 -> 2 -> 3, 0 -> 1 -> 3: 3 is walked after both 1 and 2.
        let mut g = Graph::new(4);
        g.add_edge(0, 2);
        g.add_edge(0, 1);
        g.add_edge(2, 3);
        g.add_edge(1, 3);
        let mut walked = Vec::new();
        let r = fixpoint(&g, 0, BitSet::empty(4), |s, f| {
            walked.push(s);
            g.succ[s as usize]
                .iter()
                .map(|&t| {
                    let mut o = f.clone();
                    o.set(t as usize);
                    (t, o)
                })
                .collect()
        });
        assert_eq!(walked.len(), 4);
        assert_eq!(walked.last(), Some(&3));
        let at3 = r[3].as_ref().unwrap();
        assert!(at3.get(3) && !at3.get(1) && !at3.get(2));
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
        let r = fixpoint(&g, 0, BitSet::empty(1), |s, f| {
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
