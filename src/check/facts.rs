//! What one bit of the data-flow facts means.
//!
//! Facts at a program point are one [`BitSet`] laid out in segments: inquiry
//! fields written, inquiry fields known present, then one block per result
//! (bound; known to have succeeded, a verification `passed` or an `http`
//! call `ok`; each of its fields known present), captures taken, account
//! fields known present. A result's bits are together, and the results of
//! one action are next to each other, so binding them touches one leaf of
//! the set. Every fact is a must-fact (true on every path), so paths meet
//! by intersection.

use super::names::Env;
use crate::flowgraph::BitSet;
use crate::typed::{FieldId, ResultId};

/// Bits of a result's block before its fields: bound, passed.
const RESULT_HEAD: usize = 2;

#[derive(Debug, Clone)]
pub struct Layout {
    n_inq: usize,
    /// Where each result's block starts, counted from the first block.
    result_base: Vec<usize>,
    /// Bits of every result block together.
    n_results_bits: usize,
    n_cap: usize,
    n_acc: usize,
}

impl Layout {
    pub fn new(env: &Env) -> Layout {
        let mut result_base = Vec::with_capacity(env.results.len());
        let mut n_results_bits = 0;
        for r in &env.results {
            result_base.push(n_results_bits);
            n_results_bits += RESULT_HEAD + r.fields.len();
        }
        Layout {
            n_inq: env.inquiry.len(),
            result_base,
            n_results_bits,
            n_cap: env.catalog.capture_kinds.len(),
            n_acc: env.account.len(),
        }
    }

    pub fn bits(&self) -> usize {
        2 * self.n_inq + self.n_results_bits + self.n_cap + self.n_acc
    }

    pub fn written(&self, f: FieldId) -> usize {
        f as usize
    }
    pub fn inq_present(&self, f: FieldId) -> usize {
        self.n_inq + f as usize
    }
    /// The first bit of `r`'s block.
    fn result(&self, r: ResultId) -> usize {
        2 * self.n_inq
            // Past it, a bit beyond every set: it reads false, sets nothing.
            + crate::invariant::holds(self.result_base.get(r as usize).copied(), "layout-covers-results")
                .unwrap_or(usize::MAX / 4)
    }
    pub fn bound(&self, r: ResultId) -> usize {
        self.result(r)
    }
    /// The call that bound `r` succeeded: a verification `passed`, an
    /// `http` call answered `ok` true.
    pub fn passed(&self, r: ResultId) -> usize {
        self.result(r) + 1
    }
    pub fn field_present(&self, r: ResultId, i: u32) -> usize {
        self.result(r) + RESULT_HEAD + i as usize
    }
    pub fn capture(&self, c: usize) -> usize {
        2 * self.n_inq + self.n_results_bits + c
    }

    /// Account field `f` is known `!= none` (reference §8.2).
    pub fn acc_present(&self, f: FieldId) -> usize {
        2 * self.n_inq + self.n_results_bits + self.n_cap + f as usize
    }

    /// A new binding of `r`: bound, and nothing known about its outcome.
    pub fn bind(&self, facts: &mut BitSet, r: ResultId, n_fields: usize) {
        facts.set(self.bound(r));
        facts.clear(self.passed(r));
        for i in 0..n_fields {
            facts.clear(self.field_present(r, i as u32));
        }
    }

    /// A write of inquiry field `f`: written; any presence known before ends.
    pub fn write(&self, facts: &mut BitSet, f: FieldId) {
        facts.set(self.written(f));
        facts.clear(self.inq_present(f));
    }

    /// A write of account field `f` (`set account.F`): what was known of it
    /// ends, whatever was written.
    pub fn write_account(&self, facts: &mut BitSet, f: FieldId) {
        facts.clear(self.acc_present(f));
    }
}
