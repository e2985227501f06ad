//! Superinstructions: the verified code regrouped once, the first time a
//! verified module runs, into instructions that do the work of several.
//!
//! For every pc a run can arrive at (going on from the group before, by a
//! jump, or at a step's entry), [`Program::build`] looks at the
//! instructions that start there and, when they form a group it knows (loads that an operator, a
//! one-value built-in function, `not` or `in` consumes, optionally followed
//! by the `set_inquiry` or conditional jump that consumes the result),
//! records that group as one [`Op`]. The dispatch loop runs the group in
//! one step, reading loaded values in place (a string load allocates
//! nothing) and computing `int` operators without going through
//! [`Value::binary`]'s `Result`.
//!
//! The module's code is not changed: pcs, spans, the disassembly and the
//! module format stay what they are, and a jump into the middle of a group
//! simply starts at the op recorded for that pc. Running a group never
//! changes what a run observes: it spends one unit of fuel per instruction
//! of the group, calls the host exactly as the plain instructions would
//! (`inquiry_written` for a fused `set_inquiry`), and leaves the stack as
//! they would. Whenever anything could differ (fuel for less than the
//! whole group, an operator that fails, a string over the limit, a value
//! of an unexpected type from a hostile saved state) the group declines
//! before touching anything, and the first instruction runs alone through
//! the plain dispatch, which reports any fault at its own pc with its own
//! stack.

use super::limits;
use super::state::State;
use super::table::StateTable;
use crate::ast::BinaryOp;
use crate::builtins::{self, Eval};
use crate::bytecode::{Instr, Module};
use crate::host::Host;
use crate::ops::{self, OpError};
use crate::types::BaseType;
use crate::value::Value;

/// The most loads one `in` group reads (a value and up to this many items
/// less one); longer lists run instruction by instruction.
const MAX_LOADS: usize = 17;

/// A load read in place.
///
/// The enums of a group are `repr(u8)`: each has a tag byte of its own, so
/// that matching one on every dispatch needs no niche decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Load {
    Const(u32),
    Inquiry(u32),
    Result(u32, u16),
}

/// The operands of a binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Args {
    /// Both on the stack (the plain operator).
    Stack,
    /// The left one on top of the stack, the right one loaded.
    Top(Load),
    /// Both loaded.
    Loads(Load, Load),
}

/// What happens to a group's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Then {
    /// Pushed.
    Push,
    /// `set_inquiry f` of a field of this base type and no choice set.
    Set(u32, BaseType),
    /// `jump_if_false pc`.
    JumpIfFalse(u32),
    /// `jump_if_false_or_pop pc`.
    JumpIfFalseOrPop(u32),
    /// `jump_if_true_or_pop pc`.
    JumpIfTrueOrPop(u32),
}

type Pure = fn(&[Value]) -> Result<Value, OpError>;

/// What runs at one pc.
#[derive(Debug, Clone, Copy)]
#[repr(u8)]
enum Op {
    /// The plain instruction, through the VM's own dispatch.
    Plain,
    /// One load, pushed (a copy).
    Load(Load),
    /// `jump pc`.
    Jump(u32),
    /// A bool on top of the stack, consumed by a conditional jump.
    Test(Then),
    /// A loaded bool, consumed by a conditional jump.
    TestLoad(Load, Then),
    /// `set_inquiry f` of the value on top of the stack.
    Set(u32, BaseType),
    /// A binary operator.
    Binary {
        op: BinaryOp,
        args: Args,
        then: Then,
    },
    /// `not` of the value on top (`None`) or of a load.
    Not { arg: Option<Load>, then: Then },
    /// A pure built-in function of one value (`len`, `lower`, ...).
    Call {
        f: Pure,
        arg: Option<Load>,
        then: Then,
    },
    /// `in n`: the value on top of the stack (`value` `None`) or loaded,
    /// against `n` loaded items, `items[first..first+n]`.
    In {
        value: Option<Load>,
        first: u32,
        n: u32,
        then: Then,
    },
}

/// An op with the number of the module's instructions it stands for.
#[derive(Debug, Clone, Copy)]
struct Fused {
    op: Op,
    cost: u32,
}

/// The superinstructions of a verified module, one per pc.
#[derive(Debug, Clone, Default)]
pub(crate) struct Program {
    ops: Vec<Fused>,
    /// The loads of the `in` lists, in order.
    items: Vec<Load>,
}

/// A module's [`Program`], built the first time it is asked for (so that
/// compiling a module that never runs does not pay for it).
#[derive(Debug, Clone, Default)]
pub(crate) struct Lazy(std::sync::OnceLock<Program>);

impl Lazy {
    pub(crate) fn get(&self, module: &Module) -> &Program {
        self.0.get_or_init(|| Program::build(module))
    }
}

/// A program is made from its module alone, built or not: comparing the
/// modules compares them.
impl PartialEq for Lazy {
    fn eq(&self, _: &Lazy) -> bool {
        true
    }
}

fn as_load(instr: Instr) -> Option<Load> {
    match instr {
        Instr::Const(c) => Some(Load::Const(c)),
        Instr::LoadInquiry(f) => Some(Load::Inquiry(f)),
        Instr::LoadResult(r, f) => Some(Load::Result(r, f)),
        _ => None,
    }
}

/// The one-value pure built-in function `instr` computes, if it is one.
fn pure_call(instr: Instr) -> Option<Pure> {
    let b = builtins::by_instr(instr)?;
    match b.eval {
        Eval::Pure(_, f) if b.params.len() == 1 => Some(f),
        _ => None,
    }
}

impl Program {
    /// Groups the code of a verified module.
    pub(crate) fn build(module: &Module) -> Program {
        let code = &module.code;
        // How many loads follow each pc (itself included), counted once
        // from the end.
        let mut loads = vec![0u8; code.len()];
        let mut run = 0u8;
        for (n, instr) in loads.iter_mut().zip(code).rev() {
            run = if as_load(*instr).is_some() {
                run.saturating_add(1)
            } else {
                0
            };
            *n = run;
        }
        // Where a run can arrive other than by going on from the group
        // before: step entries and jump targets. A pc inside a group is
        // reached only after that group declined, or when a run stopped
        // there (fuel, an error) goes on; its plain instruction is right
        // there too, so it is left plain rather than grouped.
        let mut entered = vec![false; code.len()];
        let targets = code.iter().filter_map(|i| match *i {
            Instr::Jump(t)
            | Instr::JumpIfFalse(t)
            | Instr::JumpIfFalseOrPop(t)
            | Instr::JumpIfTrueOrPop(t)
            | Instr::Call {
                on_error: Some(t), ..
            } => Some(t),
            _ => None,
        });
        for t in targets.chain(module.steps.iter().map(|s| s.entry)) {
            if let Some(e) = entered.get_mut(t as usize) {
                *e = true;
            }
        }
        let mut program = Program {
            ops: Vec::with_capacity(code.len()),
            items: Vec::new(),
        };
        let plain = Fused {
            op: Op::Plain,
            cost: 1,
        };
        let mut on = 0;
        for (pc, (k, entered)) in loads.iter().zip(&entered).enumerate() {
            if pc != on && !entered {
                program.ops.push(plain);
                continue;
            }
            let rest = code.get(pc..).unwrap_or(&[]);
            let k = usize::from(*k).min(MAX_LOADS);
            let f = program.group(module, rest, k).unwrap_or(plain);
            if pc == on {
                on = pc.saturating_add(f.cost as usize);
            }
            program.ops.push(f);
        }
        program
    }

    /// The group that starts at `code[0]`, which begins with `k` loads,
    /// if any.
    fn group(&mut self, module: &Module, code: &[Instr], k: usize) -> Option<Fused> {
        let first = *code.first()?;
        let loads = code.get(..k)?;
        let consumer = *code.get(k)?;
        let load = |i: usize| loads.get(i).copied().and_then(as_load);
        let core = match consumer {
            Instr::In(n) if k == n as usize || k == n as usize + 1 => {
                let start = u32::try_from(self.items.len()).ok()?;
                let (value, items) = match loads.split_first() {
                    Some((v, items)) if k > n as usize => (as_load(*v), items),
                    _ => (None, loads),
                };
                self.items.extend(items.iter().filter_map(|i| as_load(*i)));
                Some(Op::In {
                    value,
                    first: start,
                    n,
                    then: Then::Push,
                })
            }
            _ if k > 2 => None,
            _ => {
                let args = match (load(0), load(1)) {
                    (Some(a), Some(b)) => Args::Loads(a, b),
                    (Some(b), None) => Args::Top(b),
                    _ => Args::Stack,
                };
                let arg = match args {
                    Args::Stack => Some(None),
                    Args::Top(l) => Some(Some(l)),
                    Args::Loads(..) => None,
                };
                match (consumer.binary_op(), consumer, arg) {
                    (Some(op), _, _) => Some(Op::Binary {
                        op,
                        args,
                        then: Then::Push,
                    }),
                    (None, Instr::Not, Some(arg)) => Some(Op::Not {
                        arg,
                        then: Then::Push,
                    }),
                    (None, Instr::Len | Instr::Lower | Instr::Upper | Instr::Trim, Some(arg)) => {
                        pure_call(consumer).map(|f| Op::Call {
                            f,
                            arg,
                            then: Then::Push,
                        })
                    }
                    _ => None,
                }
            }
        };
        let Some(mut op) = core else {
            let jump = match consumer {
                Instr::JumpIfFalse(t) => Some(Then::JumpIfFalse(t)),
                Instr::JumpIfFalseOrPop(t) => Some(Then::JumpIfFalseOrPop(t)),
                Instr::JumpIfTrueOrPop(t) => Some(Then::JumpIfTrueOrPop(t)),
                _ => None,
            };
            if let (1, Some(l), Some(then)) = (k, load(0), jump) {
                return Some(Fused {
                    op: Op::TestLoad(l, then),
                    cost: 2,
                });
            }
            // No group: a single instruction the loop runs quickly itself.
            let op = match (first, load(0)) {
                (_, Some(l)) => Op::Load(l),
                (Instr::Jump(t), _) => Op::Jump(t),
                (Instr::JumpIfFalse(t), _) => Op::Test(Then::JumpIfFalse(t)),
                (Instr::JumpIfFalseOrPop(t), _) => Op::Test(Then::JumpIfFalseOrPop(t)),
                (Instr::JumpIfTrueOrPop(t), _) => Op::Test(Then::JumpIfTrueOrPop(t)),
                (Instr::SetInquiry(f), _) => {
                    let Then::Set(f, base) = settable(module, f)? else {
                        return None;
                    };
                    Op::Set(f, base)
                }
                _ => return None,
            };
            return Some(Fused { op, cost: 1 });
        };
        let mut cost = u32::try_from(k).ok()?.checked_add(1)?;
        let then = match code.get(k + 1) {
            Some(Instr::SetInquiry(f)) => settable(module, *f),
            Some(Instr::JumpIfFalse(t)) => Some(Then::JumpIfFalse(*t)),
            Some(Instr::JumpIfFalseOrPop(t)) => Some(Then::JumpIfFalseOrPop(*t)),
            Some(Instr::JumpIfTrueOrPop(t)) => Some(Then::JumpIfTrueOrPop(*t)),
            _ => None,
        };
        if let Some(t) = then {
            cost = cost.checked_add(1)?;
            match &mut op {
                Op::Binary { then, .. }
                | Op::Not { then, .. }
                | Op::Call { then, .. }
                | Op::In { then, .. } => *then = t,
                Op::Plain
                | Op::Load(_)
                | Op::Jump(_)
                | Op::Test(_)
                | Op::TestLoad(..)
                | Op::Set(..) => {}
            }
        }
        Some(Fused { op, cost })
    }
}

/// `set_inquiry f` as a group's end, for a field whose check is its base
/// type alone (no choice set).
fn settable(module: &Module, f: u32) -> Option<Then> {
    let field = module.inquiry.get(f as usize)?;
    (field.ty.choice.is_none()).then_some(Then::Set(f, field.ty.base))
}

/// The tables loads read.
struct Tables<'a> {
    consts: &'a [Value],
    inquiry: &'a StateTable<Value>,
    results: &'a StateTable<Option<Vec<Value>>>,
}

/// `none`, for a result whose call has not succeeded.
const NONE: &Value = &Value::None;

impl<'a> Tables<'a> {
    #[inline(always)]
    fn get(&self, load: Load) -> Option<&'a Value> {
        match load {
            Load::Const(c) => self.consts.get(c as usize),
            Load::Inquiry(f) => self.inquiry.get(f as usize),
            Load::Result(r, f) => match self.results.get(r as usize)? {
                Some(values) => values.get(usize::from(f)),
                None => Some(NONE),
            },
        }
    }
}

/// `a op b`, or `None` when the plain instruction must run instead (an
/// error, a string over the limit). Two ints take the short way
/// ([`ops::int_binary`]), and so do two strings compared for equality.
#[inline(always)]
fn binary(op: BinaryOp, a: &Value, b: &Value) -> Option<Value> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => ops::int_binary(op, *x, *y),
        (Value::Str(x), Value::Str(y)) if matches!(op, BinaryOp::Eq | BinaryOp::Ne) => {
            Some(Value::Bool((x == y) == (op == BinaryOp::Eq)))
        }
        _ => checked(a.binary(op, b).ok()?),
    }
}

/// The value, unless it is a string over the limit.
fn checked(v: Value) -> Option<Value> {
    limits::oversized([&v]).is_none().then_some(v)
}

/// Runs the op at `pc` when it applies, spending its fuel from `budget`
/// (left alone when the run is unmetered), and returns the pc to go on
/// at; `None` to run the instruction at `pc` alone instead, with nothing
/// changed.
///
/// Each arm finishes on its own (`finish` is inlined into every one), so
/// that an arm decodes only the operands it has.
#[inline(always)]
#[cfg_attr(flowc_unmetered, allow(unused_variables))]
pub(super) fn run(
    program: &Program,
    module: &Module,
    state: &mut State,
    host: &mut dyn Host,
    pc: u32,
    budget: &mut u64,
) -> Option<u32> {
    let fused = program.ops.get(pc as usize)?;
    let cost = fused.cost;
    #[cfg(not(flowc_unmetered))]
    if *budget < u64::from(cost) {
        return None;
    }
    let next = pc.wrapping_add(cost);
    let stack = &mut state.stack;
    let tables = Tables {
        consts: &module.consts,
        inquiry: &state.inquiry,
        results: &state.results,
    };
    // Ends an arm: its result goes where the group's end says (written
    // out in each arm, so that each finishes in its own code).
    macro_rules! finish {
        ($then:expr, $v:expr, $pops:expr) => {{
            let mut sink = Sink {
                module,
                inquiry: &mut state.inquiry,
                host,
                next,
            };
            sink.finish($then, $v, $pops, stack)?
        }};
    }
    let to = match fused.op {
        Op::Plain => return None,
        Op::Load(l) => {
            let v = tables.get(l)?.clone();
            stack.push(v);
            next
        }
        Op::Jump(t) => t,
        Op::Test(then) => {
            let Some(&Value::Bool(b)) = stack.last() else {
                return None;
            };
            finish!(then, Value::Bool(b), 1)
        }
        Op::TestLoad(l, then) => {
            let &Value::Bool(b) = tables.get(l)? else {
                return None;
            };
            finish!(then, Value::Bool(b), 0)
        }
        Op::Set(f, base) => {
            if stack.last()?.base_type() != Some(base) {
                return None;
            }
            // Moved, not copied: a string goes into its field as it is.
            let v = stack.pop()?;
            let mut sink = Sink {
                module,
                inquiry: &mut state.inquiry,
                host,
                next,
            };
            sink.set(f, v)?
        }
        Op::Binary {
            op,
            args: Args::Loads(a, b),
            then,
        } => {
            let v = binary(op, tables.get(a)?, tables.get(b)?)?;
            finish!(then, v, 0)
        }
        Op::Binary {
            op,
            args: Args::Top(b),
            then,
        } => {
            let v = binary(op, stack.last()?, tables.get(b)?)?;
            finish!(then, v, 1)
        }
        Op::Binary {
            op,
            args: Args::Stack,
            then,
        } => {
            let n = stack.len();
            let a = stack.get(n.checked_sub(2)?)?;
            let b = stack.get(n.checked_sub(1)?)?;
            let v = binary(op, a, b)?;
            finish!(then, v, 2)
        }
        Op::Not { arg, then } => {
            let (x, pops) = match arg {
                None => (stack.last()?, 1),
                Some(l) => (tables.get(l)?, 0),
            };
            let Value::Bool(b) = x else {
                return None;
            };
            let v = Value::Bool(!b);
            finish!(then, v, pops)
        }
        Op::Call { f, arg, then } => {
            let (x, pops) = match arg {
                None => (stack.last()?, 1),
                Some(l) => (tables.get(l)?, 0),
            };
            let v = checked(f(std::slice::from_ref(x)).ok()?)?;
            finish!(then, v, pops)
        }
        Op::In {
            value,
            first,
            n,
            then,
        } => {
            let (x, pops) = match value {
                None => (stack.last()?, 1),
                Some(l) => (tables.get(l)?, 0),
            };
            let end = first.checked_add(n)?;
            let items = program.items.get(first as usize..end as usize)?;
            let mut found = false;
            for item in items {
                if tables.get(*item)? == x {
                    found = true;
                    break;
                }
            }
            finish!(then, Value::Bool(found), pops)
        }
    };
    #[cfg(not(flowc_unmetered))]
    {
        *budget -= u64::from(cost);
    }
    Some(to)
}

/// Where a group's result goes.
struct Sink<'a, 'h> {
    module: &'a Module,
    inquiry: &'a mut StateTable<Value>,
    host: &'h mut dyn Host,
    next: u32,
}

impl Sink<'_, '_> {
    /// Ends a group: its result `v` replaces the `pops` values on top of
    /// the stack as `then` says. `None`, with nothing changed, when `v` is
    /// not what `then` takes.
    #[inline(always)]
    fn finish(&mut self, then: Then, v: Value, pops: usize, stack: &mut Vec<Value>) -> Option<u32> {
        let base = stack.len().checked_sub(pops)?;
        match then {
            Then::Push => {
                if pops == 0 {
                    stack.push(v);
                } else {
                    stack.truncate(base + 1);
                    *stack.last_mut()? = v;
                }
                Some(self.next)
            }
            Then::Set(f, base_type) => {
                if v.base_type() != Some(base_type) {
                    return None;
                }
                // The fields exist (verified module, checked state): the
                // check below cannot decline after the stack changed.
                let to = self.set(f, v)?;
                stack.truncate(base);
                Some(to)
            }
            Then::JumpIfFalse(t) => {
                let Value::Bool(b) = v else {
                    return None;
                };
                stack.truncate(base);
                Some(if b { self.next } else { t })
            }
            Then::JumpIfFalseOrPop(t) | Then::JumpIfTrueOrPop(t) => {
                let Value::Bool(b) = v else {
                    return None;
                };
                let jump_on = matches!(then, Then::JumpIfTrueOrPop(_));
                stack.truncate(base);
                if b == jump_on {
                    stack.push(v);
                    Some(t)
                } else {
                    Some(self.next)
                }
            }
        }
    }

    /// `set_inquiry f` of `v`, already checked against the field's type.
    #[inline(always)]
    fn set(&mut self, f: u32, v: Value) -> Option<u32> {
        let field = self.module.inquiry.get(f as usize)?;
        let slot = self.inquiry.get_mut(f as usize)?;
        self.host.inquiry_written(&field.name, &v);
        *slot = v;
        Some(self.next)
    }
}
