//! The load-time verifier.
//!
//! Every module is verified before it runs (like rhai's check of
//! deserialized bytecode): header, table and operand bounds, jump targets,
//! and the operand stack by abstract interpretation over the control-flow
//! graph. Every instruction reachable from a step entry must be reached with
//! the same stack depth on every incoming edge, never above the declared
//! `max_stack`, and with an empty stack at `enter`, `suspend` and `end`.
//! Any violation is R0005 with a message naming the pc.

use crate::bytecode::{FORMAT_VERSION, Instr, MAGIC, Module, RuntimeError, StepKindTag};
use crate::diagnostics::Code;
use crate::value::Value;

fn bad(message: impl Into<String>) -> RuntimeError {
    RuntimeError::new(Code::R0005, message)
}

/// Checks a module; `Ok` means the VM may run it.
pub fn verify(m: &Module) -> Result<(), RuntimeError> {
    stack_depths(m)?;
    // No source can write a date outside 0001-01-01..=9999-12-31.
    if let Some(i) = m.consts.iter().position(|c| !c.in_range()) {
        return Err(bad(format!(
            "constant {i} is a date outside 0001-01-01..=9999-12-31"
        )));
    }
    // Each instruction pushes at most one value, so no honest module needs
    // more stack than it has instructions; a larger claim would only make
    // the VM reserve memory it never uses.
    if m.max_stack as usize > m.code.len() {
        return Err(bad(format!(
            "max_stack {} above the {} instructions",
            m.max_stack,
            m.code.len()
        )));
    }
    Ok(())
}

/// Verifies a module and returns the stack depth before each instruction
/// (`None` for instructions no step entry reaches).
pub fn stack_depths(m: &Module) -> Result<Vec<Option<u32>>, RuntimeError> {
    if m.magic != MAGIC {
        return Err(bad("wrong magic bytes"));
    }
    if m.format_version != FORMAT_VERSION {
        return Err(bad(format!(
            "unsupported module format {} (this flowc reads {FORMAT_VERSION})",
            m.format_version
        )));
    }
    if m.source_hash.len() != 64 || !m.source_hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad("the source hash is not 64 hex digits"));
    }
    if m.steps.is_empty() {
        return Err(bad("the module has no steps"));
    }
    if m.start as usize >= m.steps.len() {
        return Err(bad(format!("start step {} out of range", m.start)));
    }
    if m.spans.len() != m.code.len() {
        return Err(bad(format!(
            "{} spans for {} instructions",
            m.spans.len(),
            m.code.len()
        )));
    }
    let len = m.code.len();
    for (i, s) in m.steps.iter().enumerate() {
        if s.entry as usize >= len {
            return Err(bad(format!(
                "step {i} `{}`: entry pc {} out of range",
                s.name, s.entry
            )));
        }
        if m.code.get(s.entry as usize) != Some(&Instr::Enter(i as u32)) {
            return Err(bad(format!(
                "pc {}: step {i} `{}` does not start with `enter {i}`",
                s.entry, s.name
            )));
        }
        if let Some(f) = s.collects.iter().find(|f| **f as usize >= m.inquiry.len()) {
            return Err(bad(format!(
                "step {i} `{}`: collected field {f} out of range",
                s.name
            )));
        }
        if s.kind != StepKindTag::Screen && (!s.collects.is_empty() || !s.captures.is_empty()) {
            return Err(bad(format!(
                "step {i} `{}` collects but is not a screen",
                s.name
            )));
        }
    }
    for (pc, instr) in m.code.iter().enumerate() {
        check_operands(m, pc, *instr)?;
    }

    // Abstract interpretation: the stack depth before each instruction.
    let mut depth: Vec<Option<u32>> = vec![None; len];
    let mut work: Vec<(usize, u32)> = m.steps.iter().map(|s| (s.entry as usize, 0)).collect();
    while let Some((pc, d)) = work.pop() {
        let slot = depth
            .get_mut(pc)
            .ok_or_else(|| bad(format!("pc {pc} out of range")))?;
        match *slot {
            Some(seen) if seen == d => continue,
            Some(seen) => {
                return Err(bad(format!(
                    "pc {pc}: stack depth {d} on one edge, {seen} on another"
                )));
            }
            None => *slot = Some(d),
        }
        if d > m.max_stack {
            return Err(bad(format!(
                "pc {pc}: stack depth {d} above max_stack {}",
                m.max_stack
            )));
        }
        let instr = *m
            .code
            .get(pc)
            .ok_or_else(|| bad(format!("pc {pc} out of range")))?;
        let (pops, pushes) = instr.stack_effect();
        if d < pops {
            return Err(bad(format!(
                "pc {pc}: `{}` pops {pops} values from a stack of {d}",
                instr.mnemonic()
            )));
        }
        let after = d - pops + pushes;
        if after > m.max_stack {
            return Err(bad(format!(
                "pc {pc}: stack depth {after} above max_stack {}",
                m.max_stack
            )));
        }
        if matches!(instr, Instr::Enter(_) | Instr::Suspend(_) | Instr::End(_)) && d != 0 {
            return Err(bad(format!(
                "pc {pc}: stack not empty ({d}) at `{}`",
                instr.mnemonic()
            )));
        }
        let next = pc + 1;
        let fall = |work: &mut Vec<(usize, u32)>, d: u32| -> Result<(), RuntimeError> {
            if next >= len {
                return Err(bad(format!(
                    "pc {pc}: execution falls off the end of the code"
                )));
            }
            work.push((next, d));
            Ok(())
        };
        match instr {
            Instr::Jump(t) => work.push((t as usize, after)),
            Instr::End(_) => {}
            Instr::JumpIfFalse(t) => {
                work.push((t as usize, after));
                fall(&mut work, after)?;
            }
            Instr::JumpIfFalseOrPop(t) | Instr::JumpIfTrueOrPop(t) => {
                work.push((t as usize, d));
                fall(&mut work, after)?;
            }
            Instr::Call { on_error, .. } => {
                if let Some(t) = on_error {
                    work.push((t as usize, after));
                }
                fall(&mut work, after)?;
            }
            _ => fall(&mut work, after)?,
        }
    }
    Ok(depth)
}

fn check_operands(m: &Module, pc: usize, instr: Instr) -> Result<(), RuntimeError> {
    let len = m.code.len();
    let oob = |what: &str, i: u64| {
        Err(bad(format!(
            "pc {pc}: {what} {i} out of range in `{}`",
            instr.mnemonic()
        )))
    };
    let string_const = |i: u32| -> Result<(), RuntimeError> {
        match m.consts.get(i as usize) {
            Some(Value::Str(_)) => Ok(()),
            Some(_) => Err(bad(format!(
                "pc {pc}: constant {i} is not a string in `{}`",
                instr.mnemonic()
            ))),
            None => oob("constant", u64::from(i)),
        }
    };
    match instr {
        Instr::Const(i) if i as usize >= m.consts.len() => oob("constant", i.into()),
        Instr::LoadInquiry(i) | Instr::SetInquiry(i) if i as usize >= m.inquiry.len() => {
            oob("inquiry field", i.into())
        }
        Instr::LoadAccount(i) | Instr::SetAccount(i) if i as usize >= m.account.len() => {
            oob("account field", i.into())
        }
        Instr::LoadResult(r, f) => match m.results.get(r as usize) {
            None => oob("result", r.into()),
            Some(res) if usize::from(f) >= res.fields.len() => oob("result field", f.into()),
            Some(_) => Ok(()),
        },
        Instr::Attempts(s) | Instr::Enter(s) if s as usize >= m.steps.len() => {
            oob("step", s.into())
        }
        Instr::Suspend(s) => match m.steps.get(s as usize) {
            None => oob("step", s.into()),
            Some(st) if st.kind != StepKindTag::Screen => {
                Err(bad(format!("pc {pc}: `suspend` at step {s}, not a screen")))
            }
            Some(_) => Ok(()),
        },
        Instr::Jump(t)
        | Instr::JumpIfFalse(t)
        | Instr::JumpIfFalseOrPop(t)
        | Instr::JumpIfTrueOrPop(t)
            if t as usize >= len =>
        {
            oob("jump target", t.into())
        }
        Instr::Call {
            result,
            argc,
            on_error,
            ..
        } => {
            let Some(res) = m.results.get(result as usize) else {
                return oob("result", result.into());
            };
            if res.args.len() != argc as usize {
                return Err(bad(format!(
                    "pc {pc}: `call` passes {argc} arguments, `{}` takes {}",
                    res.name,
                    res.args.len()
                )));
            }
            match on_error {
                Some(t) if t as usize >= len => oob("on_error target", t.into()),
                _ => Ok(()),
            }
        }
        Instr::Tag(i) | Instr::Case(i) => string_const(i),
        _ => Ok(()),
    }
}
