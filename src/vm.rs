//! The stack machine.
//!
//! A plain `match` loop over [`Instr`] (as in loxido), run against a
//! [`VerifiedModule`] (the only kind it accepts), with every table access
//! through `get()`. Each instruction costs one unit of fuel; a `run` that
//! spends its budget stops with R0001 and can be continued by another
//! `run`. At a screen the run
//! suspends and returns a [`ScreenRequest`]; [`Vm::resume`] checks the
//! user's input and moves past the screen. Errors leave the state at the
//! failing instruction, so the embedder can retry later; they carry that
//! pc and its source span.

pub(crate) mod fused;
pub mod limits;
mod screen;
pub mod state;
pub mod table;

pub use screen::{Screen, ScreenField, ScreenRequest, Stopped};
pub use state::{RunStatus, State};
pub use table::StateTable;

use crate::builtins::{self, Eval};
use crate::bytecode::{Instr, RuntimeError, VerifiedModule};
use crate::diagnostics::Code;
use crate::host::{CallArgs, Host, HostCall, HostError};
use crate::ops::{OpError, UnaryOp};
use crate::span::line_col;
use crate::value::{EndStatus, Value};
use serde::Serialize;

/// Where a `run` stopped without an error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Outcome {
    /// Waiting at a screen for [`Vm::resume`].
    Suspended(ScreenRequest),
    /// The run ended with this status.
    Ended(EndStatus),
}

/// The valid dates, as messages name them.
pub(crate) const RANGE: &str = "0001-01-01..=9999-12-31";

/// Default fuel for one `run` of `flowc run` and `flowc test`.
pub const DEFAULT_FUEL: u64 = 1_000_000;

/// The virtual machine: associated functions that start, run and resume
/// a [`State`] of a [`VerifiedModule`](crate::VerifiedModule).
pub struct Vm;

fn err(code: Code, pc: u32, message: impl std::fmt::Display) -> RuntimeError {
    RuntimeError::at(code, pc, message.to_string())
}

/// A named invariant that verification and the state checks guarantee:
/// broken, it stops debug builds (tests, fuzzing) at once, and is an R0005
/// error in release builds rather than a made-up value.
fn broken(pc: u32, name: &'static str) -> RuntimeError {
    debug_assert!(false, "invariant `{name}` broken at pc {pc}");
    RuntimeError {
        pc: Some(pc),
        ..RuntimeError::invariant(name)
    }
}

fn type_err(pc: u32, instr: Instr) -> RuntimeError {
    err(
        Code::R0005,
        pc,
        format!("operands of the wrong type for `{}`", instr.mnemonic()),
    )
}

impl Vm {
    /// A fresh run at the start step.
    pub fn start(module: &VerifiedModule) -> State {
        State::new(module)
    }

    /// Runs until the flow suspends at a screen or ends, spending at most
    /// `fuel` instructions. A suspended state returns its screen again; an
    /// ended one its status. An error carries the pc it stopped at and that
    /// instruction's source span.
    pub fn run(
        module: &VerifiedModule,
        state: &mut State,
        host: &mut dyn Host,
        fuel: u64,
    ) -> Result<Outcome, RuntimeError> {
        Vm::advance(module, state, host, fuel).map(|s| s.to_outcome())
    }

    /// [`Vm::run`], returning the screen it stopped at borrowed from the
    /// module rather than copied into a [`ScreenRequest`] (what an embedder
    /// that only needs some of it, or none, saves at every suspension).
    pub fn advance<'m>(
        module: &'m VerifiedModule,
        state: &mut State,
        host: &mut dyn Host,
        fuel: u64,
    ) -> Result<Stopped<'m>, RuntimeError> {
        Vm::run_loop(module, state, host, fuel).map_err(|e| e.with_span_from(module.module()))
    }

    fn run_loop<'m>(
        verified: &'m VerifiedModule,
        state: &mut State,
        host: &mut dyn Host,
        fuel: u64,
    ) -> Result<Stopped<'m>, RuntimeError> {
        match state.status {
            RunStatus::Ended(s) => return Ok(Stopped::Ended(s)),
            RunStatus::Suspended => {
                return Vm::screen(verified, state)
                    .map(Stopped::Suspended)
                    .ok_or_else(|| {
                        RuntimeError::new(Code::R0004, "suspended state not at a screen")
                    });
            }
            RunStatus::Running => {}
        }
        // A loaded state's stack has no spare capacity: reserve it once, so
        // that pushes in the loop below never allocate.
        let want = state::stack_capacity(verified);
        if state.stack.capacity() < want {
            state.stack.reserve(want.saturating_sub(state.stack.len()));
        }
        // The pc and the fuel left live in locals while the loop runs (in
        // registers once `execute` is inlined), not in `state`: writing
        // them back on every instruction was most of what metering cost.
        // Every exit leaves the pc at the instruction it stopped at.
        let mut cursor = state.pc;
        let mut budget = fuel;
        let outcome = Vm::execute(verified, state, host, &mut cursor, &mut budget, fuel);
        state.pc = cursor;
        state.fuel_used = state.fuel_used.saturating_add(fuel - budget);
        outcome
    }

    /// The dispatch loop of [`Vm::run`], from `*cursor` with `*budget`
    /// instructions left of `fuel`; it leaves both where it stopped.
    #[inline(always)]
    #[cfg_attr(flowc_unmetered, allow(unused_variables))]
    fn execute<'m>(
        verified: &'m VerifiedModule,
        state: &mut State,
        host: &mut dyn Host,
        cursor: &mut u32,
        budget: &mut u64,
        fuel: u64,
    ) -> Result<Stopped<'m>, RuntimeError> {
        let module = verified.module();
        let program = verified.fused();
        loop {
            let pc = *cursor;
            // A superinstruction when one starts here and applies; the
            // plain instruction below otherwise.
            if let Some(next) = fused::run(program, module, state, host, pc, budget) {
                *cursor = next;
                continue;
            }
            let instr = *module
                .code
                .get(pc as usize)
                .ok_or_else(|| err(Code::R0005, pc, "pc out of range"))?;
            // Fuel metering. Building with `--cfg flowc_unmetered` drops it,
            // only so that `benches/fuel-overhead` can count what it costs.
            #[cfg(not(flowc_unmetered))]
            {
                if *budget == 0 {
                    return Err(err(
                        Code::R0001,
                        pc,
                        format!("fuel exhausted after {fuel} instructions"),
                    ));
                }
                *budget -= 1;
            }
            let mut next = pc.wrapping_add(1);
            let stack = &mut state.stack;
            match instr {
                Instr::Const(i) => {
                    let v = module
                        .consts
                        .get(i as usize)
                        .ok_or_else(|| err(Code::R0005, pc, "constant out of range"))?;
                    stack.push(v.clone());
                }
                Instr::LoadInquiry(f) => {
                    let v = state
                        .inquiry
                        .get(f as usize)
                        .ok_or_else(|| err(Code::R0005, pc, "field out of range"))?;
                    stack.push(v.clone());
                }
                Instr::LoadResult(r, f) => {
                    stack.push(load_result(pc, r, f, &state.results)?.clone());
                }
                Instr::LoadAccount(f) => {
                    stack.push(read_account(module, host, pc, f, false)?);
                }
                Instr::LoadAccountPresent(f) => {
                    stack.push(read_account(module, host, pc, f, true)?);
                }
                Instr::Attempts(s) => {
                    let n = state
                        .visits
                        .get(s as usize)
                        .ok_or_else(|| err(Code::R0005, pc, "step out of range"))?;
                    stack.push(Value::Int(i64::from(*n)));
                }
                Instr::Today
                | Instr::Age
                | Instr::Lower
                | Instr::Upper
                | Instr::Trim
                | Instr::Len
                | Instr::Contains
                | Instr::StartsWith
                | Instr::EndsWith => call_builtin(pc, instr, stack, host)?,
                Instr::Matches(c) => {
                    let re = verified
                        .pattern(c)
                        .ok_or_else(|| broken(pc, "verifier_compiles_every_pattern"))?;
                    let Some(Value::Str(s)) = stack.last() else {
                        return Err(type_err(pc, instr));
                    };
                    let v = Value::Bool(re.is_match(s));
                    set_top(stack, v);
                }
                Instr::Not | Instr::Neg => {
                    let op = if instr == Instr::Not {
                        UnaryOp::Not
                    } else {
                        UnaryOp::Neg
                    };
                    let top = stack.last().ok_or_else(|| type_err(pc, instr))?;
                    let v = top.unary(op).map_err(|e| op_err(pc, instr, e))?;
                    set_top(stack, v);
                }
                Instr::Add
                | Instr::Sub
                | Instr::Mul
                | Instr::Div
                | Instr::Rem
                | Instr::Eq
                | Instr::Ne
                | Instr::Lt
                | Instr::Le
                | Instr::Gt
                | Instr::Ge => {
                    let v = binary(pc, instr, stack)?;
                    if let Some(len) = limits::oversized([&v]) {
                        return Err(limits::string_error(Some(pc), len, "made by `+`"));
                    }
                    stack.truncate(stack.len().saturating_sub(2));
                    stack.push(v);
                }
                Instr::In(n) => {
                    let n = n as usize;
                    let base = stack
                        .len()
                        .checked_sub(n.saturating_add(1))
                        .ok_or_else(|| err(Code::R0005, pc, "stack underflow"))?;
                    let (value, list) = stack
                        .get(base..)
                        .and_then(|s| s.split_first())
                        .ok_or_else(|| err(Code::R0005, pc, "stack underflow"))?;
                    let found = value.is_in(list);
                    stack.truncate(base);
                    stack.push(Value::Bool(found));
                }
                Instr::Jump(t) => next = t,
                Instr::JumpIfFalse(t) => {
                    // Look before popping: an error leaves the state at
                    // this instruction with its operand, as every error does.
                    let Some(&Value::Bool(b)) = stack.last() else {
                        return Err(type_err(pc, instr));
                    };
                    stack.pop();
                    if !b {
                        next = t;
                    }
                }
                Instr::JumpIfFalseOrPop(t) | Instr::JumpIfTrueOrPop(t) => {
                    let Some(Value::Bool(b)) = stack.last() else {
                        return Err(type_err(pc, instr));
                    };
                    let jump_on = matches!(instr, Instr::JumpIfTrueOrPop(_));
                    if *b == jump_on {
                        next = t;
                    } else {
                        stack.pop();
                    }
                }
                Instr::Enter(s) => {
                    let count = state
                        .visits
                        .get_mut(s as usize)
                        .ok_or_else(|| err(Code::R0005, pc, "step out of range"))?;
                    *count = count.saturating_add(1);
                    host.step_entered(module.step_name(s));
                }
                Instr::Suspend(_) => {
                    state.pc = pc;
                    state.status = RunStatus::Suspended;
                    let screen = Vm::screen(verified, state).ok_or_else(|| {
                        err(Code::R0005, pc, "suspend at a step that is not a screen")
                    })?;
                    return Ok(Stopped::Suspended(screen));
                }
                Instr::End(status) => {
                    state.status = RunStatus::Ended(status);
                    return Ok(Stopped::Ended(status));
                }
                Instr::Call {
                    result,
                    argc,
                    retry,
                    timeout_secs,
                    on_error,
                } => {
                    let info = module
                        .results
                        .get(result as usize)
                        .ok_or_else(|| err(Code::R0005, pc, "result out of range"))?;
                    let base = stack
                        .len()
                        .checked_sub(argc as usize)
                        .ok_or_else(|| err(Code::R0005, pc, "stack underflow"))?;
                    let values = stack
                        .get(base..)
                        .ok_or_else(|| broken(pc, "call_arguments_on_the_stack"))?;
                    let args = CallArgs::new(&info.args, values);
                    let mut last = None;
                    let mut answer = None;
                    for attempt in 0..=u32::from(retry) {
                        let call = HostCall {
                            result: &info.name,
                            target: &info.call,
                            args,
                            fields: &info.fields,
                            promise: info.promise.as_ref(),
                            choices: &module.choices,
                            timeout_secs,
                            attempt,
                        };
                        let answered = host.call(&call);
                        if let Some(len) = answered.as_ref().ok().and_then(limits::oversized) {
                            let what = format!("returned by the host for `{}`", info.name);
                            return Err(limits::string_error(Some(pc), len, &what));
                        }
                        match answered.and_then(|v| check_result(&module.choices, info, v)) {
                            Ok(v) => {
                                answer = Some(v);
                                break;
                            }
                            Err(e) if e.stop => {
                                return Err(err(
                                    Code::R0003,
                                    pc,
                                    format!("host error in `{}` ({}): {e}", info.name, info.call),
                                ));
                            }
                            Err(e) => last = Some(e),
                        }
                    }
                    match (answer, on_error) {
                        (Some(v), _) => {
                            let slot = state
                                .results
                                .get_mut(result as usize)
                                .ok_or_else(|| broken(pc, "state_tables_match_module"))?;
                            stack.truncate(base);
                            *slot = Some(v);
                        }
                        (None, Some(t)) => {
                            stack.truncate(base);
                            next = t;
                        }
                        (None, None) => {
                            let tries = u32::from(retry) + 1;
                            let last =
                                last.ok_or_else(|| broken(pc, "a_failed_call_has_an_error"))?;
                            return Err(err(
                                Code::R0003,
                                pc,
                                format!(
                                    "host error in `{}` ({}) after {tries} call(s): {last}",
                                    info.name, info.call
                                ),
                            ));
                        }
                    }
                }
                Instr::SetInquiry(f) => {
                    let field = module
                        .inquiry
                        .get(f as usize)
                        .ok_or_else(|| err(Code::R0005, pc, "field out of range"))?;
                    // The checker guarantees the type; a hostile saved
                    // state could break it, and must not leave a state that
                    // no longer loads.
                    let fits = match stack.last() {
                        Some(Value::None) => true,
                        Some(v) => {
                            v.base_type() == Some(field.ty.base)
                                && module.choices.admits(field.ty, v)
                        }
                        None => false,
                    };
                    if !fits {
                        return Err(type_err(pc, instr));
                    }
                    let slot = state
                        .inquiry
                        .get_mut(f as usize)
                        .ok_or_else(|| broken(pc, "state_tables_match_module"))?;
                    let v = stack
                        .pop()
                        .ok_or_else(|| err(Code::R0005, pc, "stack underflow"))?;
                    host.inquiry_written(&field.name, &v);
                    *slot = v;
                }
                Instr::SetAccount(f) => {
                    let field = module
                        .account
                        .get(f as usize)
                        .ok_or_else(|| err(Code::R0005, pc, "field out of range"))?;
                    let v = stack
                        .last()
                        .ok_or_else(|| err(Code::R0005, pc, "stack underflow"))?;
                    host.write_account(&field.name, v).map_err(|e| {
                        err(
                            Code::R0003,
                            pc,
                            format!("host error writing `account.{}`: {e}", field.name),
                        )
                    })?;
                    stack.pop();
                }
                Instr::Tag | Instr::Case => {
                    let Some(Value::Str(text)) = stack.last() else {
                        return Err(type_err(pc, instr));
                    };
                    let r = if instr == Instr::Tag {
                        host.tag(text)
                    } else {
                        host.case(text)
                    };
                    r.map_err(|e| {
                        err(
                            Code::R0003,
                            pc,
                            format!("host error in `{} {text:?}`: {e}", instr.mnemonic()),
                        )
                    })?;
                    stack.pop();
                }
            }
            *cursor = next;
        }
    }

    /// The source line and column of the instruction a state is at, for
    /// error messages.
    pub fn location(
        module: &VerifiedModule,
        state: &State,
        source: &str,
    ) -> Option<(usize, usize)> {
        module
            .module()
            .spans
            .get(state.pc as usize)
            .map(|s| line_col(source, s.start))
    }
}

/// The value `load_result R F` loads: field F of result R, `none` while
/// R's call has not succeeded.
fn load_result(
    pc: u32,
    r: u32,
    f: u16,
    results: &StateTable<Option<Vec<Value>>>,
) -> Result<&Value, RuntimeError> {
    const NONE: &Value = &Value::None;
    match results.get(r as usize) {
        Some(Some(values)) => values
            .get(usize::from(f))
            .ok_or_else(|| broken(pc, "result_values_match_fields")),
        Some(None) => Ok(NONE),
        None => Err(err(Code::R0005, pc, "result out of range")),
    }
}

fn set_top(stack: &mut [Value], v: Value) {
    if let Some(top) = stack.last_mut() {
        *top = v;
    }
}

/// Reads account field `f` from the host (`load_account`), checking the
/// answer's type, range and size; with `present`, `none` is a host error
/// too (`load_account_present`: the checker proved a value here).
fn read_account(
    module: &crate::bytecode::Module,
    host: &mut dyn Host,
    pc: u32,
    f: u32,
    present: bool,
) -> Result<Value, RuntimeError> {
    let field = module
        .account
        .get(f as usize)
        .ok_or_else(|| err(Code::R0005, pc, "field out of range"))?;
    let v = host.read_account(&field.name).map_err(|e| {
        err(
            Code::R0003,
            pc,
            format!("host error reading `account.{}`: {e}", field.name),
        )
    })?;
    if v.base_type().is_some_and(|t| t != field.ty.base) {
        return Err(err(
            Code::R0003,
            pc,
            format!(
                "host returned a value of the wrong type for `account.{}`",
                field.name
            ),
        ));
    }
    if !v.in_range() {
        return Err(err(
            Code::R0003,
            pc,
            format!(
                "host returned a date outside {RANGE} for `account.{}`",
                field.name
            ),
        ));
    }
    if let Some(len) = limits::oversized([&v]) {
        let what = format!("read from `account.{}`", field.name);
        return Err(limits::string_error(Some(pc), len, &what));
    }
    if !module.choices.admits(field.ty.with_optional(true), &v) {
        return Err(err(
            Code::R0003,
            pc,
            format!(
                "host returned {v} for `account.{}`, which is not one of {}",
                field.name,
                module.choices.show(field.ty.with_optional(false))
            ),
        ));
    }
    if present && v == Value::None {
        return Err(err(
            Code::R0003,
            pc,
            format!(
                "host returned no value for `account.{}`, which this flow reads where it is known to be set",
                field.name
            ),
        ));
    }
    Ok(v)
}

/// Checks a host's answer against the result table.
fn check_result(
    choices: &crate::types::ChoiceTable,
    info: &crate::bytecode::ResultInfo,
    values: Vec<Value>,
) -> Result<Vec<Value>, HostError> {
    info.check_answer(choices, &values)
        .map_err(HostError::new)?;
    Ok(values)
}

/// A built-in function's instruction: the row of [`crate::unstable::builtins`] that
/// `instr` computes, applied to its arguments on top of the stack (and the
/// host's clock, for one that reads it), which it replaces.
fn call_builtin(
    pc: u32,
    instr: Instr,
    stack: &mut Vec<Value>,
    host: &mut dyn Host,
) -> Result<(), RuntimeError> {
    let b = builtins::by_instr(instr).ok_or_else(|| type_err(pc, instr))?;
    let base = stack
        .len()
        .checked_sub(b.params.len())
        .ok_or_else(|| err(Code::R0005, pc, "stack underflow"))?;
    let args = stack.get(base..).unwrap_or(&[]);
    let v = match b.eval {
        Eval::Pure(_, f) => f(args),
        Eval::Clock(_, f) => {
            let today = host.today();
            if !today.in_range() {
                return Err(err(
                    Code::R0003,
                    pc,
                    format!("host clock is outside {RANGE}"),
                ));
            }
            f(args, today)
        }
        Eval::StepEntries | Eval::Pattern => Err(OpError::Type),
    }
    .map_err(|e| op_err(pc, instr, e))?;
    stack.truncate(base);
    stack.push(v);
    Ok(())
}

/// The runtime error for an operator's [`OpError`] at `pc`.
fn op_err(pc: u32, instr: Instr, e: OpError) -> RuntimeError {
    match e {
        OpError::Type => type_err(pc, instr),
        other => err(other.code(), pc, other),
    }
}

/// The two operands on top of the stack, combined by the operator
/// ([`crate::unstable::ops`]) that `instr` computes.
fn binary(pc: u32, instr: Instr, stack: &[Value]) -> Result<Value, RuntimeError> {
    let n = stack.len();
    let (Some(a), Some(b)) = (
        n.checked_sub(2).and_then(|i| stack.get(i)),
        n.checked_sub(1).and_then(|i| stack.get(i)),
    ) else {
        return Err(err(Code::R0005, pc, "stack underflow"));
    };
    let op = instr.binary_op().ok_or_else(|| type_err(pc, instr))?;
    a.binary(op, b).map_err(|e| op_err(pc, instr, e))
}
