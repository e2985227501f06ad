//! The stack machine.
//!
//! A plain `match` loop over [`Instr`] (as in loxido), run against a
//! verified module, with every table access through `get()`. Each
//! instruction costs one unit of fuel; a `run` that spends its budget stops
//! with R0001 and can be continued by another `run`. At a screen the run
//! suspends and returns a [`ScreenRequest`]; [`Vm::resume`] checks the
//! user's input and moves past the screen. Errors leave the state at the
//! failing instruction, so the embedder can retry later.

pub mod state;

pub use state::{RunStatus, State};

use crate::bytecode::{Instr, Module, RuntimeError};
use crate::diagnostics::Code;
use crate::host::{Host, HostCall, HostError};
use crate::span::line_col;
use crate::types::{BaseType, Type};
use crate::value::{EndStatus, Value};
use serde::Serialize;

/// What a screen needs from the user.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScreenRequest {
    pub screen: String,
    /// The inquiry fields to fill in, with their types.
    pub fields: Vec<(String, Type)>,
    /// The capture kinds to take (each answered `true`).
    pub captures: Vec<String>,
}

/// Where a `run` stopped without an error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Outcome {
    Suspended(ScreenRequest),
    Ended(EndStatus),
}

/// Default fuel for one `run` of `flowc run` and `flowc test`.
pub const DEFAULT_FUEL: u64 = 1_000_000;

pub struct Vm;

fn err(code: Code, pc: u32, message: impl std::fmt::Display) -> RuntimeError {
    RuntimeError::new(code, format!("pc {pc}: {message}"))
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
    pub fn start(module: &Module) -> State {
        State::new(module)
    }

    /// What the screen a state is suspended at needs, if it is suspended.
    pub fn screen_request(module: &Module, state: &State) -> Option<ScreenRequest> {
        if state.status != RunStatus::Suspended {
            return None;
        }
        let Some(Instr::Suspend(s)) = module.code.get(state.pc as usize) else {
            return None;
        };
        let step = module.step(*s)?;
        Some(ScreenRequest {
            screen: step.name.clone(),
            fields: step
                .collects
                .iter()
                .filter_map(|f| module.inquiry.get(*f as usize))
                .map(|f| (f.name.clone(), f.ty))
                .collect(),
            captures: step.captures.clone(),
        })
    }

    /// Runs until the flow suspends at a screen or ends, spending at most
    /// `fuel` instructions. A suspended state returns its screen again; an
    /// ended one its status.
    pub fn run(
        module: &Module,
        state: &mut State,
        host: &mut dyn Host,
        fuel: u64,
    ) -> Result<Outcome, RuntimeError> {
        match state.status {
            RunStatus::Ended(s) => return Ok(Outcome::Ended(s)),
            RunStatus::Suspended => {
                return Vm::screen_request(module, state)
                    .map(Outcome::Suspended)
                    .ok_or_else(|| {
                        RuntimeError::new(Code::R0004, "suspended state not at a screen")
                    });
            }
            RunStatus::Running => {}
        }
        // A loaded state's stack has no spare capacity: reserve it once, so
        // that pushes in the loop below never allocate.
        let want = state::stack_capacity(module);
        if state.stack.capacity() < want {
            state.stack.reserve(want.saturating_sub(state.stack.len()));
        }
        let mut budget = fuel;
        loop {
            let pc = state.pc;
            let instr = *module
                .code
                .get(pc as usize)
                .ok_or_else(|| err(Code::R0005, pc, "pc out of range"))?;
            // Fuel metering. Building with `--cfg flowc_unmetered` drops it,
            // only so that `benches/fuel-overhead` can count what it costs.
            #[cfg(not(flowc_unmetered))]
            {
                if budget == 0 {
                    return Err(err(
                        Code::R0001,
                        pc,
                        format!("fuel exhausted after {fuel} instructions"),
                    ));
                }
                budget -= 1;
                state.fuel_used = state.fuel_used.saturating_add(1);
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
                Instr::LoadAccount(f) => {
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
                    stack.push(v);
                }
                Instr::LoadResult(r, f) => {
                    let v = match state.results.get(r as usize) {
                        Some(Some(values)) => {
                            values.get(usize::from(f)).cloned().unwrap_or(Value::None)
                        }
                        Some(None) => Value::None,
                        None => return Err(err(Code::R0005, pc, "result out of range")),
                    };
                    stack.push(v);
                }
                Instr::Attempts(s) => {
                    let n = state
                        .visits
                        .get(s as usize)
                        .ok_or_else(|| err(Code::R0005, pc, "step out of range"))?;
                    stack.push(Value::Int(i64::from(*n)));
                }
                Instr::Today => stack.push(Value::Date(host.today())),
                Instr::Age => {
                    let Some(Value::Date(d)) = stack.last() else {
                        return Err(type_err(pc, instr));
                    };
                    let d = *d;
                    let age = d.age_at(host.today());
                    set_top(stack, Value::Int(age));
                }
                Instr::Lower | Instr::Upper | Instr::Trim | Instr::Len => {
                    let Some(Value::Str(s)) = stack.last() else {
                        return Err(type_err(pc, instr));
                    };
                    let v = match instr {
                        Instr::Lower => Value::Str(s.to_lowercase()),
                        Instr::Upper => Value::Str(s.to_uppercase()),
                        Instr::Trim => Value::Str(s.trim().to_string()),
                        _ => Value::Int(i64::try_from(s.chars().count()).unwrap_or(i64::MAX)),
                    };
                    set_top(stack, v);
                }
                Instr::Not => {
                    let Some(Value::Bool(b)) = stack.last() else {
                        return Err(type_err(pc, instr));
                    };
                    let b = !*b;
                    set_top(stack, Value::Bool(b));
                }
                Instr::Neg => {
                    let Some(Value::Int(i)) = stack.last() else {
                        return Err(type_err(pc, instr));
                    };
                    let v = i.checked_neg().ok_or_else(|| {
                        err(Code::R0006, pc, format!("integer overflow in `-{i}`"))
                    })?;
                    set_top(stack, Value::Int(v));
                }
                Instr::Add
                | Instr::Sub
                | Instr::Eq
                | Instr::Ne
                | Instr::Lt
                | Instr::Le
                | Instr::Gt
                | Instr::Ge => {
                    let v = binary(pc, instr, stack)?;
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
                    let found = list.iter().any(|item| item == value);
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
                    state.status = RunStatus::Suspended;
                    let req = Vm::screen_request(module, state).ok_or_else(|| {
                        err(Code::R0005, pc, "suspend at a step that is not a screen")
                    })?;
                    return Ok(Outcome::Suspended(req));
                }
                Instr::End(status) => {
                    state.status = RunStatus::Ended(status);
                    return Ok(Outcome::Ended(status));
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
                    let values = stack.get(base..).unwrap_or(&[]);
                    let args: Vec<(String, Value)> = info
                        .args
                        .iter()
                        .cloned()
                        .zip(values.iter().cloned())
                        .collect();
                    let mut last = HostError::new("no call made");
                    let mut answer = None;
                    for attempt in 0..=u32::from(retry) {
                        let call = HostCall {
                            result: &info.name,
                            target: &info.call,
                            args: &args,
                            fields: &info.fields,
                            timeout_secs,
                            attempt,
                        };
                        match host.call(&call).and_then(|v| check_result(info, v)) {
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
                            Err(e) => last = e,
                        }
                    }
                    match (answer, on_error) {
                        (Some(v), _) => {
                            stack.truncate(base);
                            if let Some(slot) = state.results.get_mut(result as usize) {
                                *slot = Some(v);
                            }
                        }
                        (None, Some(t)) => {
                            stack.truncate(base);
                            next = t;
                        }
                        (None, None) => {
                            let tries = u32::from(retry) + 1;
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
                        Some(v) => v.base_type() == Some(field.ty.base),
                        None => false,
                    };
                    if !fits {
                        return Err(type_err(pc, instr));
                    }
                    let v = stack
                        .pop()
                        .ok_or_else(|| err(Code::R0005, pc, "stack underflow"))?;
                    host.inquiry_written(&field.name, &v);
                    if let Some(slot) = state.inquiry.get_mut(f as usize) {
                        *slot = v;
                    }
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
                Instr::Tag(c) | Instr::Case(c) => {
                    let Some(Value::Str(text)) = module.consts.get(c as usize) else {
                        return Err(type_err(pc, instr));
                    };
                    let r = if matches!(instr, Instr::Tag(_)) {
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
                }
            }
            state.pc = next;
        }
    }

    /// Answers the screen a state is suspended at and moves past it. The
    /// input must give every collected field (with its type; `none` only for
    /// an optional field) and every capture (`true`), and nothing else;
    /// otherwise R0002 and the state is left exactly as it was.
    pub fn resume(
        module: &Module,
        state: &mut State,
        input: &[(String, Value)],
    ) -> Result<(), RuntimeError> {
        let (step, writes) = Vm::check_input(module, state, input)?;
        for (f, v) in writes {
            if let Some(slot) = state.inquiry.get_mut(f as usize) {
                *slot = v;
            }
        }
        let _ = step;
        state.status = RunStatus::Running;
        state.pc = state.pc.wrapping_add(1);
        Ok(())
    }

    /// [`Vm::resume`] with a JSON object (`{"name_first": "Ada",
    /// "birthdate": "1815-12-10", "selfie": true}`).
    pub fn resume_json(
        module: &Module,
        state: &mut State,
        input: &serde_json::Value,
    ) -> Result<(), RuntimeError> {
        let values = Vm::input_from_json(module, state, input)?;
        Vm::resume(module, state, &values)
    }

    /// Types a JSON input object by the screen the state is suspended at.
    pub fn input_from_json(
        module: &Module,
        state: &State,
        input: &serde_json::Value,
    ) -> Result<Vec<(String, Value)>, RuntimeError> {
        let bad = |m: String| RuntimeError::new(Code::R0002, m);
        let req = Vm::screen_request(module, state)
            .ok_or_else(|| bad("the run is not suspended at a screen".into()))?;
        let obj = input.as_object().ok_or_else(|| {
            bad(format!(
                "input for screen `{}` must be a JSON object",
                req.screen
            ))
        })?;
        let mut out = Vec::with_capacity(obj.len());
        for (k, v) in obj {
            let ty = match req.fields.iter().find(|(n, _)| n == k) {
                Some((_, t)) => t.base,
                None if req.captures.contains(k) => BaseType::Bool,
                None => return Err(bad(format!("screen `{}` takes no `{k}`", req.screen))),
            };
            let value = Value::from_json(v, ty)
                .map_err(|e| bad(format!("`{k}` on screen `{}`: expected {e}", req.screen)))?;
            out.push((k.clone(), value));
        }
        Ok(out)
    }

    fn check_input(
        module: &Module,
        state: &State,
        input: &[(String, Value)],
    ) -> Result<(u32, Vec<(u32, Value)>), RuntimeError> {
        let bad = |m: String| RuntimeError::new(Code::R0002, m);
        if state.status != RunStatus::Suspended {
            return Err(bad("the run is not suspended at a screen".into()));
        }
        let Some(Instr::Suspend(s)) = module.code.get(state.pc as usize) else {
            return Err(bad("the run is not suspended at a screen".into()));
        };
        let step = module
            .step(*s)
            .ok_or_else(|| bad("the run is not suspended at a screen".into()))?;
        let screen = &step.name;
        let mut writes: Vec<(u32, Value)> = Vec::with_capacity(step.collects.len());
        let mut captured: Vec<&str> = Vec::new();
        for (k, v) in input {
            if let Some(&f) = step.collects.iter().find(|f| {
                module
                    .inquiry
                    .get(**f as usize)
                    .is_some_and(|fi| &fi.name == k)
            }) {
                let field = module
                    .inquiry
                    .get(f as usize)
                    .ok_or_else(|| bad(format!("unknown field `{k}`")))?;
                if writes.iter().any(|(g, _)| *g == f) {
                    return Err(bad(format!("`{k}` given twice for screen `{screen}`")));
                }
                match v.base_type() {
                    None if !field.ty.optional => {
                        return Err(bad(format!(
                            "`{k}` on screen `{screen}` is `{}` and may not be null",
                            field.ty
                        )));
                    }
                    Some(t) if t != field.ty.base => {
                        return Err(bad(format!(
                            "`{k}` on screen `{screen}` expects {}, got {v}",
                            field.ty
                        )));
                    }
                    _ => {}
                }
                writes.push((f, v.clone()));
            } else if step.captures.iter().any(|c| c == k) {
                if captured.contains(&k.as_str()) {
                    return Err(bad(format!("`{k}` given twice for screen `{screen}`")));
                }
                if *v != Value::Bool(true) {
                    return Err(bad(format!(
                        "capture `{k}` on screen `{screen}` must be `true`, got {v}"
                    )));
                }
                captured.push(k);
            } else {
                return Err(bad(format!("screen `{screen}` takes no `{k}`")));
            }
        }
        for f in &step.collects {
            if !writes.iter().any(|(g, _)| g == f) {
                let name = module
                    .inquiry
                    .get(*f as usize)
                    .map_or("?", |f| f.name.as_str());
                return Err(bad(format!("screen `{screen}` is missing `{name}`")));
            }
        }
        if let Some(c) = step
            .captures
            .iter()
            .find(|c| !captured.contains(&c.as_str()))
        {
            return Err(bad(format!("screen `{screen}` is missing capture `{c}`")));
        }
        Ok((*s, writes))
    }

    /// The source line and column of the instruction a state is at, for
    /// error messages.
    pub fn location(module: &Module, state: &State, source: &str) -> Option<(usize, usize)> {
        module
            .spans
            .get(state.pc as usize)
            .map(|s| line_col(source, s.start))
    }
}

fn set_top(stack: &mut [Value], v: Value) {
    if let Some(top) = stack.last_mut() {
        *top = v;
    }
}

/// Checks a host's answer against the result table.
fn check_result(
    info: &crate::bytecode::ResultInfo,
    values: Vec<Value>,
) -> Result<Vec<Value>, HostError> {
    if values.len() != info.fields.len() {
        return Err(HostError::new(format!(
            "host returned {} values for `{}`, which has {} fields",
            values.len(),
            info.name,
            info.fields.len()
        )));
    }
    for (v, f) in values.iter().zip(&info.fields) {
        match v.base_type() {
            None if !f.ty.optional => {
                return Err(HostError::new(format!(
                    "host returned no `{}.{}`",
                    info.name, f.name
                )));
            }
            Some(t) if t != f.ty.base => {
                return Err(HostError::new(format!(
                    "host returned {v} for `{}.{}`, expected {}",
                    info.name, f.name, f.ty
                )));
            }
            _ => {}
        }
    }
    Ok(values)
}

fn binary(pc: u32, instr: Instr, stack: &[Value]) -> Result<Value, RuntimeError> {
    let n = stack.len();
    let (Some(a), Some(b)) = (
        n.checked_sub(2).and_then(|i| stack.get(i)),
        n.checked_sub(1).and_then(|i| stack.get(i)),
    ) else {
        return Err(err(Code::R0005, pc, "stack underflow"));
    };
    use std::cmp::Ordering;
    let order = |a: &Value, b: &Value| -> Option<Ordering> {
        match (a, b) {
            (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
            (Value::Date(x), Value::Date(y)) => Some(x.cmp(y)),
            _ => None,
        }
    };
    Ok(match instr {
        Instr::Eq => Value::Bool(a == b),
        Instr::Ne => Value::Bool(a != b),
        Instr::Add => match (a, b) {
            (Value::Int(x), Value::Int(y)) => {
                Value::Int(x.checked_add(*y).ok_or_else(|| {
                    err(Code::R0006, pc, format!("integer overflow in `{x} + {y}`"))
                })?)
            }
            (Value::Str(x), Value::Str(y)) => {
                let mut s = String::with_capacity(x.len() + y.len());
                s.push_str(x);
                s.push_str(y);
                Value::Str(s)
            }
            _ => return Err(type_err(pc, instr)),
        },
        Instr::Sub => match (a, b) {
            (Value::Int(x), Value::Int(y)) => {
                Value::Int(x.checked_sub(*y).ok_or_else(|| {
                    err(Code::R0006, pc, format!("integer overflow in `{x} - {y}`"))
                })?)
            }
            _ => return Err(type_err(pc, instr)),
        },
        _ => {
            let o = order(a, b).ok_or_else(|| type_err(pc, instr))?;
            Value::Bool(match instr {
                Instr::Lt => o.is_lt(),
                Instr::Le => o.is_le(),
                Instr::Gt => o.is_gt(),
                _ => o.is_ge(),
            })
        }
    })
}
