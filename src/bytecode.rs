//! The module: what `codegen` produces, what `verify` checks and what the
//! `vm` runs.
//!
//! A module is plain data: a header, a constant pool, field, step and result
//! tables, a flat instruction array and a side table mapping every pc to the
//! source span it came from (spans stay out of the instructions, as in
//! loxido's `Chunk`). It serializes with postcard to the compact `.flowbc`
//! file and with serde_json to JSON. Loading either form runs the verifier,
//! so a `Module` obtained from [`Module::from_bytes`] or
//! [`Module::from_json`] is safe to run.

pub mod disasm;
pub mod verify;

pub use disasm::{disasm, disasm_with_source};

use crate::ast::HttpMethod;
use crate::diagnostics::Code;
use crate::span::Span;
use crate::types::Type;
use crate::value::{EndStatus, Value};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// The first four bytes of every module.
pub const MAGIC: [u8; 4] = *b"FLBC";
/// The module format this build reads and writes.
pub const FORMAT_VERSION: u16 = 1;

/// A compiled flow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Module {
    /// Always [`MAGIC`].
    pub magic: [u8; 4],
    /// Always [`FORMAT_VERSION`].
    pub format_version: u16,
    /// The template name (`flow NAME`).
    pub name: String,
    /// The template version (`version N`, 1 when absent).
    pub version: i64,
    /// SHA-256 of the source text, lower-case hex.
    pub source_hash: String,
    /// The constant pool.
    pub consts: Vec<Value>,
    pub inquiry: Vec<FieldInfo>,
    pub account: Vec<FieldInfo>,
    pub steps: Vec<StepInfo>,
    /// The step a run starts at.
    pub start: u32,
    pub results: Vec<ResultInfo>,
    pub code: Vec<Instr>,
    /// `spans[pc]` is the source span of `code[pc]`.
    pub spans: Vec<Span>,
    /// The deepest the operand stack gets, computed at compile time.
    pub max_stack: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldInfo {
    pub name: String,
    pub ty: Type,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKindTag {
    Screen,
    Action,
    Branch,
    Connector,
}

impl StepKindTag {
    pub fn name(self) -> &'static str {
        match self {
            StepKindTag::Screen => "screen",
            StepKindTag::Action => "action",
            StepKindTag::Branch => "branch",
            StepKindTag::Connector => "connector",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepInfo {
    pub name: String,
    pub kind: StepKindTag,
    /// The pc of the step's `enter` instruction.
    pub entry: u32,
    /// Screens: the inquiry fields collected, in order.
    pub collects: Vec<u32>,
    /// Screens: the capture kinds taken, in order.
    pub captures: Vec<String>,
}

/// What a host call calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallTarget {
    Verify(String),
    Report(String),
    Http { method: HttpMethod, url: String },
}

impl fmt::Display for CallTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallTarget::Verify(k) => write!(f, "verify {k}"),
            CallTarget::Report(k) => write!(f, "report {k}"),
            CallTarget::Http { method, url } => {
                let m = match method {
                    HttpMethod::Get => "get",
                    HttpMethod::Post => "post",
                };
                write!(f, "http {m} {url:?}")
            }
        }
    }
}

/// One `let R = ...` of the flow: the call it makes and what it returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResultInfo {
    pub name: String,
    pub call: CallTarget,
    /// The argument names, in the order the call instruction pops them
    /// (source order).
    pub args: Vec<String>,
    /// The result fields with their declared types, in catalogue order.
    pub fields: Vec<FieldInfo>,
}

/// One instruction. Operands are indices into the module's tables or pcs.
///
/// Stack effects are listed as `pops -> pushes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Instr {
    /// `0 -> 1`: push `consts[i]`.
    Const(u32),
    /// `0 -> 1`: push an inquiry field.
    LoadInquiry(u32),
    /// `0 -> 1`: read an account field from the host (`none` when unset).
    LoadAccount(u32),
    /// `0 -> 1`: push a field of a bound result.
    LoadResult(u32, u16),
    /// `0 -> 1`: push how many times a step was entered.
    Attempts(u32),
    /// `0 -> 1`: push the host's date.
    Today,
    /// `1 -> 1`: whole years from a date to the host's date.
    Age,
    Lower,
    Upper,
    Trim,
    /// `1 -> 1`: length in Unicode scalar values.
    Len,
    Not,
    /// `1 -> 1`: checked negation.
    Neg,
    /// `2 -> 1`: checked `int` addition or string join.
    Add,
    /// `2 -> 1`: checked `int` subtraction.
    Sub,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// `n+1 -> 1`: is the value below the `n` list items equal to one of them.
    In(u32),
    /// `0 -> 0`: go to pc.
    Jump(u32),
    /// `1 -> 0`: pop a bool, go to pc when false.
    JumpIfFalse(u32),
    /// `and`: when the top is false go to pc keeping it (`1 -> 1`), else pop
    /// it and go on (`1 -> 0`).
    JumpIfFalseOrPop(u32),
    /// `or`: when the top is true go to pc keeping it, else pop it.
    JumpIfTrueOrPop(u32),
    /// `0 -> 0`: a step is entered: count the visit, tell the host.
    Enter(u32),
    /// `0 -> 0`: suspend at a screen step until resumed with its input.
    Suspend(u32),
    /// `0 -> 0`: the run ends.
    End(EndStatus),
    /// `argc -> 0`: host call binding `result`. Host errors are retried
    /// `retry` times; then execution goes to `on_error`, or the run stops
    /// with R0003 at this instruction when there is none.
    Call {
        result: u32,
        argc: u32,
        retry: u8,
        timeout_secs: Option<u32>,
        on_error: Option<u32>,
    },
    /// `1 -> 0`: write an inquiry field.
    SetInquiry(u32),
    /// `1 -> 0`: write an account field through the host.
    SetAccount(u32),
    /// `0 -> 0`: tag the inquiry with the string constant.
    Tag(u32),
    /// `0 -> 0`: open a case in the queue named by the string constant.
    Case(u32),
}

impl Instr {
    /// Values popped and pushed on the fall-through edge.
    pub fn stack_effect(self) -> (u32, u32) {
        use Instr::*;
        match self {
            Const(_) | LoadInquiry(_) | LoadAccount(_) | LoadResult(..) | Attempts(_) | Today => {
                (0, 1)
            }
            Age | Lower | Upper | Trim | Len | Not | Neg => (1, 1),
            Add | Sub | Eq | Ne | Lt | Le | Gt | Ge => (2, 1),
            In(n) => (n.saturating_add(1), 1),
            Jump(_) | Enter(_) | Suspend(_) | End(_) | Tag(_) | Case(_) => (0, 0),
            JumpIfFalse(_) | JumpIfFalseOrPop(_) | JumpIfTrueOrPop(_) | SetInquiry(_)
            | SetAccount(_) => (1, 0),
            Call { argc, .. } => (argc, 0),
        }
    }

    /// The mnemonic used by the disassembler.
    pub fn mnemonic(self) -> &'static str {
        use Instr::*;
        match self {
            Const(_) => "const",
            LoadInquiry(_) => "load_inquiry",
            LoadAccount(_) => "load_account",
            LoadResult(..) => "load_result",
            Attempts(_) => "attempts",
            Today => "today",
            Age => "age",
            Lower => "lower",
            Upper => "upper",
            Trim => "trim",
            Len => "len",
            Not => "not",
            Neg => "neg",
            Add => "add",
            Sub => "sub",
            Eq => "eq",
            Ne => "ne",
            Lt => "lt",
            Le => "le",
            Gt => "gt",
            Ge => "ge",
            In(_) => "in",
            Jump(_) => "jump",
            JumpIfFalse(_) => "jump_if_false",
            JumpIfFalseOrPop(_) => "jump_if_false_or_pop",
            JumpIfTrueOrPop(_) => "jump_if_true_or_pop",
            Enter(_) => "enter",
            Suspend(_) => "suspend",
            End(_) => "end",
            Call { .. } => "call",
            SetInquiry(_) => "set_inquiry",
            SetAccount(_) => "set_account",
            Tag(_) => "tag",
            Case(_) => "case",
        }
    }
}

/// A failure to load, verify or run a module, or to load a state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeError {
    pub code: Code,
    pub message: String,
}

impl RuntimeError {
    pub fn new(code: Code, message: impl Into<String>) -> RuntimeError {
        RuntimeError {
            code,
            message: message.into(),
        }
    }
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error[{}]: {}", self.code, self.message)
    }
}

impl std::error::Error for RuntimeError {}

/// Lower-case hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

impl Module {
    /// The compact binary form (`.flowbc`).
    pub fn to_bytes(&self) -> Vec<u8> {
        // Serializing plain owned data into a Vec cannot fail.
        postcard::to_stdvec(self).unwrap_or_default()
    }

    /// Reads and verifies a binary module. Any garbage (wrong magic or
    /// version, truncation, trailing bytes, out-of-range indices, bad stack
    /// discipline) is R0005.
    pub fn from_bytes(bytes: &[u8]) -> Result<Module, RuntimeError> {
        if bytes.get(..4) != Some(&MAGIC[..]) {
            return Err(RuntimeError::new(
                Code::R0005,
                "not a flow module: the magic bytes `FLBC` are missing",
            ));
        }
        let (module, rest): (Module, &[u8]) = postcard::take_from_bytes(bytes)
            .map_err(|e| RuntimeError::new(Code::R0005, format!("malformed module: {e}")))?;
        if !rest.is_empty() {
            return Err(RuntimeError::new(
                Code::R0005,
                format!("malformed module: {} trailing bytes", rest.len()),
            ));
        }
        crate::bytecode::verify::verify(&module)?;
        Ok(module)
    }

    /// The module as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads and verifies a JSON module (R0005 on any fault).
    pub fn from_json(text: &str) -> Result<Module, RuntimeError> {
        let module: Module = serde_json::from_str(text)
            .map_err(|e| RuntimeError::new(Code::R0005, format!("malformed module JSON: {e}")))?;
        crate::bytecode::verify::verify(&module)?;
        Ok(module)
    }

    pub fn step(&self, id: u32) -> Option<&StepInfo> {
        self.steps.get(id as usize)
    }

    pub fn step_name(&self, id: u32) -> &str {
        self.step(id).map_or("?", |s| s.name.as_str())
    }

    /// The step whose code contains `pc` (steps are laid out in order).
    pub fn step_at(&self, pc: u32) -> Option<u32> {
        let mut best: Option<(u32, u32)> = None;
        for (i, s) in self.steps.iter().enumerate() {
            if s.entry <= pc && best.is_none_or(|(e, _)| s.entry >= e) {
                best = Some((s.entry, i as u32));
            }
        }
        best.map(|(_, i)| i)
    }
}
