//! The load-time verifier, and [`VerifiedModule`], which only it makes.
//!
//! Every module is verified before it runs (like rhai's check of
//! deserialized bytecode): header, table and operand bounds, jump targets,
//! and the operand stack by abstract interpretation over the control-flow
//! graph. Every instruction reachable from a step entry must be reached with
//! the same stack depth on every incoming edge, never above the declared
//! `max_stack`, and with an empty stack where its opcode says so. Operands,
//! stack effects and successors all come from [`Instr::shape`]. Any
//! violation is R0005, at the pc when there is one.
//!
//! What loading a saved state needs of its module (the module's hash, the
//! stack depth at each pc) is computed here once and kept in the
//! [`VerifiedModule`], so that saving and loading a state costs nothing
//! that grows with the module.

use super::opcode::{Flow, Operand};
use super::{
    CHECKSUM_LEN, FORMAT_VERSION, Instr, MAGIC, Module, RuntimeError, Sha256, StepKindTag, sha256,
};
use crate::diagnostics::Code;
use crate::value::Value;

fn bad(message: impl Into<String>) -> RuntimeError {
    RuntimeError::new(Code::R0005, message)
}

fn bad_at(m: &Module, pc: u32, message: impl Into<String>) -> RuntimeError {
    RuntimeError::at(Code::R0005, pc, message).with_span_from(m)
}

/// A module the verifier accepted, with the facts about it that running
/// it and loading its states need. Only this module's functions make one.
#[derive(Debug, Clone, PartialEq)]
pub struct VerifiedModule {
    module: Module,
    /// SHA-256 of the module's postcard encoding (the `.flowbc` checksum).
    hash: Sha256,
    /// The stack depth before each instruction (`None`: unreachable).
    depths: Vec<Option<u32>>,
    /// The pc a run starts at: the start step's entry.
    start_pc: u32,
    /// Each `matches` pattern compiled once, by its constant's index, in
    /// index order.
    patterns: Patterns,
    /// The code's superinstructions, grouped the first time the module
    /// runs.
    fused: crate::vm::fused::Lazy,
}

/// Compiled `matches` patterns by constant index. Two lists are equal
/// when they hold the same pattern texts (a module decides its patterns).
#[derive(Debug, Clone)]
struct Patterns(Vec<(u32, regex::Regex)>);

impl PartialEq for Patterns {
    fn eq(&self, other: &Patterns) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(&other.0)
                .all(|((i, a), (j, b))| i == j && a.as_str() == b.as_str())
    }
}

impl VerifiedModule {
    /// Reads and verifies a `.flowbc` file. Anything wrong (magic, format
    /// version, checksum, truncation, trailing bytes, out-of-range indices,
    /// bad stack discipline) is R0005.
    pub fn from_bytes(bytes: &[u8]) -> Result<VerifiedModule, RuntimeError> {
        if bytes.get(..MAGIC.len()) != Some(&MAGIC[..]) {
            return Err(bad("not a flow module: the magic bytes `FLBC` are missing"));
        }
        // The version comes before anything whose layout it decides.
        let (header, _): (([u8; 4], u16), _) =
            postcard::take_from_bytes(bytes).map_err(|e| bad(format!("malformed module: {e}")))?;
        check_version(header.1)?;
        let (body, checksum) = bytes
            .len()
            .checked_sub(CHECKSUM_LEN)
            .and_then(|at| bytes.split_at_checked(at))
            .ok_or_else(|| bad("malformed module: too short for its checksum"))?;
        let hash = sha256(body);
        if checksum != hash {
            return Err(bad("the module's checksum does not match its bytes"));
        }
        let (module, rest): (Module, &[u8]) =
            postcard::take_from_bytes(body).map_err(|e| bad(format!("malformed module: {e}")))?;
        if !rest.is_empty() {
            return Err(bad(format!(
                "malformed module: {} trailing bytes",
                rest.len()
            )));
        }
        VerifiedModule::with_hash(module, hash)
    }

    /// Reads and verifies a JSON module (R0005 on any fault).
    pub fn from_json(text: &str) -> Result<VerifiedModule, RuntimeError> {
        let module: Module =
            serde_json::from_str(text).map_err(|e| bad(format!("malformed module JSON: {e}")))?;
        VerifiedModule::verify(module)
    }

    /// Verifies a module built in memory (the code generator's output).
    pub fn verify(module: Module) -> Result<VerifiedModule, RuntimeError> {
        let hash = sha256(&super::encode(&module));
        VerifiedModule::with_hash(module, hash)
    }

    fn with_hash(module: Module, hash: Sha256) -> Result<VerifiedModule, RuntimeError> {
        if module.magic != MAGIC {
            return Err(bad("wrong magic bytes"));
        }
        check_version(module.format_version)?;
        // No source can write a date outside 0001-01-01..=9999-12-31.
        if let Some(i) = module.consts.iter().position(|c| !c.in_range()) {
            return Err(bad(format!(
                "constant {i} is a date outside 0001-01-01..=9999-12-31"
            )));
        }
        // Each instruction pushes at most one value, so no honest module
        // needs more stack than it has instructions; a larger claim would
        // only make the VM reserve memory it never uses.
        if module.max_stack as usize > module.code.len() {
            return Err(bad(format!(
                "max_stack {} above the {} instructions",
                module.max_stack,
                module.code.len()
            )));
        }
        let analysis = analyse(&module, Some(module.max_stack))?;
        let start_pc = module
            .step(module.start)
            .map(|s| s.entry)
            .ok_or_else(|| RuntimeError::invariant("analyse_checks_the_start_step"))?;
        let patterns = compile_patterns(&module)?;
        Ok(VerifiedModule {
            module,
            hash,
            depths: analysis.depths,
            start_pc,
            patterns,
            fused: crate::vm::fused::Lazy::default(),
        })
    }

    /// The superinstructions the VM runs (`src/vm/fused.rs`).
    pub(crate) fn fused(&self) -> &crate::vm::fused::Program {
        self.fused.get(&self.module)
    }

    /// The module, to read.
    pub fn module(&self) -> &Module {
        &self.module
    }

    /// The raw module back (to change it and verify it again).
    pub fn into_module(self) -> Module {
        self.module
    }

    /// The `.flowbc` file.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.module.to_bytes()
    }

    /// The module as pretty JSON.
    pub fn to_json(&self) -> String {
        self.module.to_json()
    }

    /// The template name (`flow NAME`).
    pub fn name(&self) -> &str {
        &self.module.name
    }

    /// The template version.
    pub fn version(&self) -> i64 {
        self.module.version
    }

    /// SHA-256 of the source it was compiled from.
    pub fn source_hash(&self) -> &Sha256 {
        &self.module.source_hash
    }

    /// SHA-256 of the module's binary form, which saved states carry.
    pub fn hash(&self) -> &Sha256 {
        &self.hash
    }

    /// The operand stack depth before the instruction at `pc`, or `None`
    /// when no step entry reaches it.
    pub fn stack_depth(&self, pc: u32) -> Option<u32> {
        self.depths.get(pc as usize).copied().flatten()
    }

    /// The pc a run starts at.
    pub fn start_pc(&self) -> u32 {
        self.start_pc
    }

    /// The compiled pattern of the instruction `matches c`.
    pub fn pattern(&self, c: u32) -> Option<&regex::Regex> {
        self.patterns
            .0
            .binary_search_by_key(&c, |(i, _)| *i)
            .ok()
            .and_then(|i| self.patterns.0.get(i))
            .map(|(_, re)| re)
    }
}

/// Compiles the pattern of every `matches` instruction (R0005 for one
/// that does not compile: the checker lets none through).
fn compile_patterns(m: &Module) -> Result<Patterns, RuntimeError> {
    let mut out: Vec<(u32, regex::Regex)> = Vec::new();
    for (pc, instr) in m.code.iter().enumerate() {
        let Instr::Matches(c) = *instr else { continue };
        if out.iter().any(|(i, _)| *i == c) {
            continue;
        }
        let pc = u32::try_from(pc).unwrap_or(u32::MAX);
        let Some(Value::Str(text)) = m.consts.get(c as usize) else {
            return Err(bad_at(
                m,
                pc,
                "`matches` names a constant that is not a string",
            ));
        };
        let re = crate::builtins::compile_pattern(text)
            .map_err(|e| bad_at(m, pc, format!("`matches` pattern does not compile: {e}")))?;
        out.push((c, re));
    }
    out.sort_by_key(|(i, _)| *i);
    Ok(Patterns(out))
}

fn check_version(version: u16) -> Result<(), RuntimeError> {
    if version == FORMAT_VERSION {
        Ok(())
    } else {
        Err(bad(format!(
            "unsupported module format {version} (this flowc reads {FORMAT_VERSION})"
        )))
    }
}

/// The operand stack a module needs: the deepest point of the analysis,
/// whatever `max_stack` says. The code generator fills `max_stack` with it.
pub fn required_stack(m: &Module) -> Result<u32, RuntimeError> {
    analyse(m, None).map(|a| a.deepest)
}

struct Analysis {
    depths: Vec<Option<u32>>,
    /// The deepest the stack gets, before or after any instruction.
    deepest: u32,
}

/// Checks everything but the header fields the caller checks, with the
/// stack bounded by `limit` when one is given.
fn analyse(m: &Module, limit: Option<u32>) -> Result<Analysis, RuntimeError> {
    tables(m)?;
    for (pc, instr) in m.code.iter().enumerate() {
        // Every pc must fit the `u32` operands that name it.
        let pc = u32::try_from(pc).map_err(|_| bad("more instructions than pcs"))?;
        for operand in instr.shape().operands() {
            check_operand(m, pc, *instr, operand)?;
        }
    }
    stack_depths(m, limit)
}

fn tables(m: &Module) -> Result<(), RuntimeError> {
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
    for (i, s) in m.steps.iter().enumerate() {
        if s.entry as usize >= m.code.len() {
            return Err(bad(format!(
                "step {i} `{}`: entry pc {} out of range",
                s.name, s.entry
            )));
        }
        let enter = u32::try_from(i).map(Instr::Enter).ok();
        if m.code.get(s.entry as usize).copied() != enter {
            return Err(bad_at(
                m,
                s.entry,
                format!("step {i} `{}` does not start with `enter {i}`", s.name),
            ));
        }
        if let Some(f) = s.collects.iter().find(|f| **f as usize >= m.inquiry.len()) {
            return Err(bad(format!(
                "step {i} `{}`: collected field {f} out of range",
                s.name
            )));
        }
        if s.kind != StepKindTag::Screen
            && (!s.collects.is_empty() || !s.captures.is_empty() || s.title.is_some())
        {
            return Err(bad(format!(
                "step {i} `{}` collects but is not a screen",
                s.name
            )));
        }
    }
    for (i, r) in m.results.iter().enumerate() {
        if let Some(p) = &r.promise {
            let flag = r.fields.get(usize::from(p.when));
            let fits = flag.is_some_and(|f| p.is.base_type() == Some(f.ty.base));
            let present_ok = p
                .present
                .iter()
                .all(|f| r.fields.get(usize::from(*f)).is_some_and(|x| x.ty.optional));
            if !fits || !present_ok {
                return Err(bad(format!(
                    "result {i} `{}`: its promise names a field out of range or of another type",
                    r.name
                )));
            }
        }
    }
    choice_tables(m)
}

/// Every choice set non-empty without repeats, and every field type's
/// choice (records and results) a set of the module, over `string`.
fn choice_tables(m: &Module) -> Result<(), RuntimeError> {
    for i in 0..m.choices.len() {
        let values = m.choices.values(crate::types::ChoiceId(i as u32));
        let mut seen = std::collections::HashSet::with_capacity(values.len());
        let repeated = !values.iter().all(|v| seen.insert(v));
        if values.is_empty() || repeated {
            return Err(bad(format!("choice {i} is empty or repeats a value")));
        }
    }
    let fields = m
        .inquiry
        .iter()
        .chain(&m.account)
        .chain(m.results.iter().flat_map(|r| &r.fields));
    for f in fields {
        if let Some(c) = f.ty.choice
            && (c.0 as usize >= m.choices.len() || f.ty.base != crate::types::BaseType::String)
        {
            return Err(bad(format!(
                "field `{}`: choice {} out of range or not over `string`",
                f.name, c.0
            )));
        }
    }
    Ok(())
}

/// Abstract interpretation: the stack depth before each instruction.
fn stack_depths(m: &Module, limit: Option<u32>) -> Result<Analysis, RuntimeError> {
    let len = m.code.len();
    let max = limit.unwrap_or(u32::MAX);
    let mut deepest = 0;
    let mut depth: Vec<Option<u32>> = vec![None; len];
    // (pc, stack depth before it)
    let mut work: Vec<(u32, u32)> = m.steps.iter().map(|s| (s.entry, 0)).collect();
    while let Some((pc, d)) = work.pop() {
        let slot = depth
            .get_mut(pc as usize)
            .ok_or_else(|| bad(format!("jump to pc {pc}, out of range")))?;
        match *slot {
            Some(seen) if seen == d => continue,
            Some(seen) => {
                return Err(bad_at(
                    m,
                    pc,
                    format!("stack depth {d} on one edge, {seen} on another"),
                ));
            }
            None => *slot = Some(d),
        }
        let instr = *m
            .code
            .get(pc as usize)
            .ok_or_else(|| bad(format!("pc {pc} out of range")))?;
        let shape = instr.shape();
        let pops = shape.pops.total();
        if d < pops {
            return Err(bad_at(
                m,
                pc,
                format!("`{}` pops {pops} values from a stack of {d}", shape.name),
            ));
        }
        let after = d - pops + shape.pushes;
        deepest = deepest.max(d).max(after);
        if deepest > max {
            return Err(bad_at(
                m,
                pc,
                format!("stack depth {deepest} above max_stack {max}"),
            ));
        }
        if shape.empty_stack && d != 0 {
            return Err(bad_at(
                m,
                pc,
                format!("stack not empty ({d}) at `{}`", shape.name),
            ));
        }
        let fall = |work: &mut Vec<(u32, u32)>| -> Result<(), RuntimeError> {
            match pc.checked_add(1) {
                Some(next) if (next as usize) < len => {
                    work.push((next, after));
                    Ok(())
                }
                _ => Err(bad_at(m, pc, "execution falls off the end of the code")),
            }
        };
        match shape.flow {
            Flow::Next => fall(&mut work)?,
            Flow::Jump(t) => work.push((t, after)),
            Flow::Branch(t) => {
                work.push((t, after));
                fall(&mut work)?;
            }
            Flow::BranchKeeping(t) => {
                work.push((t, d));
                fall(&mut work)?;
            }
            Flow::Stop => {}
        }
    }
    Ok(Analysis {
        depths: depth,
        deepest,
    })
}

fn check_operand(m: &Module, pc: u32, instr: Instr, operand: Operand) -> Result<(), RuntimeError> {
    let oob = |what: &str, i: u64| {
        Err(bad_at(
            m,
            pc,
            format!("{what} {i} out of range in `{}`", instr.mnemonic()),
        ))
    };
    let within = |what: &str, i: u32, len: usize| {
        if (i as usize) < len {
            Ok(())
        } else {
            oob(what, i.into())
        }
    };
    match operand {
        Operand::Const(i) => within("constant", i, m.consts.len()),
        Operand::Text(i) => match m.consts.get(i as usize) {
            Some(Value::Str(_)) => Ok(()),
            Some(_) => Err(bad_at(
                m,
                pc,
                format!("constant {i} is not a string in `{}`", instr.mnemonic()),
            )),
            None => oob("constant", i.into()),
        },
        Operand::Inquiry(i) => within("inquiry field", i, m.inquiry.len()),
        Operand::Account(i) => within("account field", i, m.account.len()),
        Operand::ResultField(r, f) => match m.results.get(r as usize) {
            None => oob("result", r.into()),
            Some(res) if usize::from(f) >= res.fields.len() => oob("result field", f.into()),
            Some(_) => Ok(()),
        },
        Operand::Call { result, argc } => match m.results.get(result as usize) {
            None => oob("result", result.into()),
            Some(res) if res.args.len() != argc as usize => Err(bad_at(
                m,
                pc,
                format!(
                    "`call` passes {argc} arguments, `{}` takes {}",
                    res.name,
                    res.args.len()
                ),
            )),
            Some(_) => Ok(()),
        },
        Operand::Step(s) => within("step", s, m.steps.len()),
        Operand::Screen(s) => match m.steps.get(s as usize) {
            None => oob("step", s.into()),
            Some(st) if st.kind != StepKindTag::Screen => Err(bad_at(
                m,
                pc,
                format!("`{}` at step {s}, not a screen", instr.mnemonic()),
            )),
            Some(_) => Ok(()),
        },
        Operand::Target(t) => within("jump target", t, m.code.len()),
        Operand::OnError(Some(t)) => within("on_error target", t, m.code.len()),
        Operand::OnError(None)
        | Operand::Count(_)
        | Operand::Retry(_)
        | Operand::Timeout(_)
        | Operand::Status(_) => Ok(()),
    }
}
