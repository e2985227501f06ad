//! Loads read in place: a run of loads (`const`, `load_inquiry`,
//! `load_result`) that an operator or a one-argument built-in function
//! consumes at once is executed together
//! with that operator, reading the loaded values where they are instead of
//! copying them onto the stack. A string load then allocates nothing.
//!
//! Fusing never changes what a run observes: the same fuel is spent (one
//! unit per instruction of the window), no host is called, and the result
//! lands on the stack as the plain instructions would leave it. Whenever
//! anything could differ (too little fuel for the whole window, an operator
//! that fails, a string over the limit, a table index out of range) the
//! window is not fused and the load runs alone, so that the plain path
//! reports the fault at its own pc with its own stack.

use super::limits;
use crate::builtins::{self, Eval};
use crate::bytecode::{Instr, Module};
use crate::value::Value;

/// `none`, for a result whose call has not succeeded.
const NONE: &Value = &Value::None;

/// The most loads one window reads in place (a value and an `in` list of
/// up to this many items less one).
const MAX_WINDOW: usize = 16;

/// The tables loads read from.
pub(super) struct Sources<'a> {
    pub module: &'a Module,
    pub inquiry: &'a [Value],
    pub results: &'a [Option<Vec<Value>>],
}

impl<'a> Sources<'a> {
    /// The value a load instruction would push, borrowed; `None` for any
    /// other instruction or an index out of range.
    fn load(&self, instr: Instr) -> Option<&'a Value> {
        match instr {
            Instr::Const(i) => self.module.consts.get(i as usize),
            Instr::LoadInquiry(f) => self.inquiry.get(f as usize),
            Instr::LoadResult(r, f) => match self.results.get(r as usize)? {
                Some(values) => values.get(usize::from(f)),
                None => Some(NONE),
            },
            _ => None,
        }
    }
}

fn is_load(instr: Instr) -> bool {
    matches!(
        instr,
        Instr::Const(_) | Instr::LoadInquiry(_) | Instr::LoadResult(..)
    )
}

/// Pushes what the load at `pc` loaded (`value`), or runs its whole
/// window: the number of instructions after `pc` executed with it.
pub(super) fn load(
    src: &Sources<'_>,
    stack: &mut Vec<Value>,
    pc: u32,
    value: &Value,
    budget: Option<u64>,
) -> u32 {
    match window(src, stack, pc, budget) {
        Some(extra) => extra,
        None => {
            stack.push(value.clone());
            0
        }
    }
}

/// Runs the window that starts with the load at `pc` (its fuel already
/// spent) when an operator consumes every value it loads; `budget` is the
/// fuel left, `None` when the run is unmetered. Returns how many
/// instructions after `pc` were executed with it (the caller spends their
/// fuel and continues after them), or `None` to run the load alone.
fn window(src: &Sources<'_>, stack: &mut Vec<Value>, pc: u32, budget: Option<u64>) -> Option<u32> {
    // First the shape alone (cheap, and most loads do not fuse): how many
    // loads lead the window, and whether what follows consumes exactly
    // those values.
    let code = src.module.code.get(pc as usize..)?;
    let k = match (code.get(1), code.get(2)) {
        (Some(next), _) if !is_load(*next) => 1,
        (Some(_), Some(after)) if !is_load(*after) => 2,
        _ => code
            .iter()
            .take(MAX_WINDOW + 1)
            .position(|i| !is_load(*i))?,
    };
    let consumer = *code.get(k)?;
    let fits = match consumer {
        Instr::In(n) => k == n as usize || k == n as usize + 1,
        Instr::Len | Instr::Lower | Instr::Upper | Instr::Trim => k == 1,
        _ => consumer.binary_op().is_some() && (k == 1 || k == 2),
    };
    if !fits {
        return None;
    }
    let loads = code.get(..k)?;
    // Every instruction of the window but the first still needs its fuel.
    let extra = u32::try_from(k).ok()?;
    if budget.is_some_and(|b| b < u64::from(extra)) {
        return None;
    }
    let v = match (consumer, loads) {
        (Instr::In(n), _) => {
            // The value tested comes first: loaded, or already on the stack.
            let (value, list) = if k > n as usize {
                let (first, list) = loads.split_first()?;
                (src.load(*first)?, list)
            } else {
                (stack.last()?, loads)
            };
            let found = list
                .iter()
                .try_fold(false, |found, i| Some(found || src.load(*i)? == value))?;
            Value::Bool(found)
        }
        (_, [a, b]) => src
            .load(*a)?
            .binary(consumer.binary_op()?, src.load(*b)?)
            .ok()?,
        (_, [b]) => match consumer.binary_op() {
            Some(op) => stack.last()?.binary(op, src.load(*b)?).ok()?,
            // A pure built-in function of one value (`len`, `upper`, ...).
            None => match builtins::by_instr(consumer)?.eval {
                Eval::Pure(_, f) => f(std::slice::from_ref(src.load(*b)?)).ok()?,
                _ => return None,
            },
        },
        _ => return None,
    };
    if limits::oversized([&v]).is_some() {
        return None;
    }
    // The window leaves one value where its operands were: the loaded
    // ones were never pushed; one taken from the stack is replaced.
    let from_stack = match consumer {
        Instr::In(n) => k == n as usize,
        Instr::Len | Instr::Lower | Instr::Upper | Instr::Trim => false,
        _ => k == 1,
    };
    if from_stack {
        *stack.last_mut()? = v;
    } else {
        stack.push(v);
    }
    Some(extra)
}
