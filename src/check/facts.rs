//! What one bit of the data-flow facts means.
//!
//! Facts at a program point are one [`BitSet`] laid out in segments: inquiry
//! fields written, inquiry fields known present, results bound, results
//! known to have succeeded (a verification `passed`, an `http` call `ok`),
//! result fields known present, captures taken, account fields known
//! present. Every fact is
//! a must-fact (true on every path), so paths meet by intersection.

use super::names::Env;
use crate::flowgraph::BitSet;
use crate::typed::{FieldId, ResultId};

#[derive(Debug, Clone)]
pub struct Layout {
    n_inq: usize,
    n_res: usize,
    field_base: Vec<usize>,
    n_rf: usize,
    n_cap: usize,
    n_acc: usize,
}

impl Layout {
    pub fn new(env: &Env) -> Layout {
        let mut field_base = Vec::with_capacity(env.results.len());
        let mut n_rf = 0;
        for r in &env.results {
            field_base.push(n_rf);
            n_rf += r.fields.len();
        }
        Layout {
            n_inq: env.inquiry.len(),
            n_res: env.results.len(),
            field_base,
            n_rf,
            n_cap: env.catalog.capture_kinds.len(),
            n_acc: env.account.len(),
        }
    }

    pub fn bits(&self) -> usize {
        2 * self.n_inq + 2 * self.n_res + self.n_rf + self.n_cap + self.n_acc
    }

    pub fn written(&self, f: FieldId) -> usize {
        f as usize
    }
    pub fn inq_present(&self, f: FieldId) -> usize {
        self.n_inq + f as usize
    }
    pub fn bound(&self, r: ResultId) -> usize {
        2 * self.n_inq + r as usize
    }
    /// The call that bound `r` succeeded: a verification `passed`, an
    /// `http` call answered `ok` true.
    pub fn passed(&self, r: ResultId) -> usize {
        2 * self.n_inq + self.n_res + r as usize
    }
    pub fn field_present(&self, r: ResultId, i: u32) -> usize {
        2 * self.n_inq
            + 2 * self.n_res
            // Past it, a bit beyond every set: it reads false, sets nothing.
            + crate::invariant::holds(self.field_base.get(r as usize).copied(), "layout-covers-results")
                .unwrap_or(usize::MAX / 4)
            + i as usize
    }
    pub fn capture(&self, c: usize) -> usize {
        2 * self.n_inq + 2 * self.n_res + self.n_rf + c
    }

    /// Account field `f` is known `!= none` (reference §8.2).
    pub fn acc_present(&self, f: FieldId) -> usize {
        2 * self.n_inq + 2 * self.n_res + self.n_rf + self.n_cap + f as usize
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
