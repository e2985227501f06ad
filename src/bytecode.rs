//! The module: what `codegen` produces, what the verifier checks and what
//! the `vm` runs.
//!
//! A module is plain data: a header, a constant pool, field, step and result
//! tables, a flat instruction array and a side table mapping every pc to the
//! source span it came from (spans stay out of the instructions, as in
//! loxido's `Chunk`). It serializes with postcard to the compact `.flowbc`
//! file (followed by a SHA-256 checksum of those bytes) and with serde_json
//! to JSON. A [`Module`] is raw data that may be anything; only the
//! verifier makes a [`VerifiedModule`], from bytes, JSON or a `Module`, and
//! only a verified module runs.

pub mod disasm;
pub mod opcode;
pub mod verify;

pub use disasm::{disasm, disasm_with_source};
pub use opcode::{Instr, Opcode};
pub use verify::VerifiedModule;

use crate::ast::HttpMethod;
use crate::diagnostics::Code;
use crate::span::Span;
use crate::types::{ChoiceTable, Type};
use crate::value::Value;
use serde::{Deserialize, Serialize};
use sha2::Digest;
use std::fmt;

/// The first four bytes of every module.
pub const MAGIC: [u8; 4] = *b"FLBC";
/// The module format this build reads and writes. Bump it with any change
/// to the encoding, and regenerate the format fixture (see
/// `docs/bytecode.md`).
pub const FORMAT_VERSION: u16 = 4;
/// Bytes of the SHA-256 checksum that ends a `.flowbc` file.
pub const CHECKSUM_LEN: usize = 32;

/// A SHA-256 digest.
pub type Sha256 = [u8; 32];

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
    /// SHA-256 of the source text (hex in JSON).
    #[serde(with = "digest_text")]
    pub source_hash: Sha256,
    /// The constant pool.
    pub consts: Vec<Value>,
    /// The sets of the choice types in the field tables.
    pub choices: ChoiceTable,
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
    /// The label declared with an inquiry or account field.
    pub label: Option<String>,
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
    /// Screens: the `title`, if any.
    pub title: Option<String>,
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
    /// What a successful answer must carry, when the call has a notion of
    /// success (verifications and `http` calls).
    pub promise: Option<Promise>,
}

/// What a successful answer promises (reference §8.3, §8.4): when field
/// `when` holds the value `is` (a verification's `status` is `passed`, an
/// `http` call's `ok` is `true`), every field in `present` holds a value.
/// The checker narrows those fields to non-optional where it knows the
/// call succeeded; the VM refuses an answer that breaks the promise as a
/// host error, so that no such read finds `none`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Promise {
    /// An index into the result's `fields`.
    pub when: u16,
    /// The value of that field that makes the answer a success.
    pub is: Value,
    /// Indices into the result's `fields`, ascending.
    pub present: Vec<u16>,
}

impl ResultInfo {
    /// Checks an answer's values against the result's fields: one value
    /// per field, each of its type (`none` only where optional, a choice's
    /// value one of its set in `choices`), and the promised fields present
    /// in a successful answer. The error says what is wrong, for a host
    /// error.
    pub fn check_answer(&self, choices: &ChoiceTable, values: &[Value]) -> Result<(), String> {
        check_answer(
            &self.name,
            &self.fields,
            self.promise.as_ref(),
            choices,
            values,
        )
    }
}

/// [`ResultInfo::check_answer`] for the parts of a result a host sees
/// (`crate::host::HostCall`).
pub fn check_answer(
    name: &str,
    fields: &[FieldInfo],
    promise: Option<&Promise>,
    choices: &ChoiceTable,
    values: &[Value],
) -> Result<(), String> {
    if values.len() != fields.len() {
        return Err(format!(
            "host returned {} values for `{}`, which has {} fields",
            values.len(),
            name,
            fields.len()
        ));
    }
    for (v, f) in values.iter().zip(fields) {
        match v.base_type() {
            None if !f.ty.optional => {
                return Err(format!("host returned no `{}.{}`", name, f.name));
            }
            Some(t) if t != f.ty.base => {
                return Err(format!(
                    "host returned {v} for `{}.{}`, expected {}",
                    name, f.name, f.ty
                ));
            }
            Some(_) if !v.in_range() => {
                return Err(format!(
                    "host returned a date outside {} for `{}.{}`",
                    crate::vm::RANGE,
                    name,
                    f.name
                ));
            }
            Some(_) if !choices.admits(f.ty, v) => {
                return Err(format!(
                    "host returned {v} for `{}.{}`, which is not one of {}",
                    name,
                    f.name,
                    choices.show(f.ty.with_optional(false))
                ));
            }
            _ => {}
        }
    }
    let Some(p) = promise else {
        return Ok(());
    };
    let (Some(flag), Some(field)) = (
        values.get(usize::from(p.when)),
        fields.get(usize::from(p.when)),
    ) else {
        return Ok(());
    };
    if *flag != p.is {
        return Ok(());
    }
    let missing: Vec<String> = p
        .present
        .iter()
        .filter(|&&i| values.get(usize::from(i)) == Some(&Value::None))
        .filter_map(|&i| fields.get(usize::from(i)))
        .map(|f| format!("`{}`", f.name))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(format!(
        "host answered `{}: {}` for `{}` without {}",
        field.name,
        p.is,
        name,
        missing.join(", ")
    ))
}

/// A failure to load, verify or run a module, or to load a state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeError {
    pub code: Code,
    /// What went wrong, without the pc.
    pub message: String,
    /// The instruction it happened at, when there is one.
    pub pc: Option<u32>,
    /// The source span of that instruction, when known.
    pub span: Option<Span>,
}

impl RuntimeError {
    /// An error not tied to an instruction.
    pub fn new(code: Code, message: impl Into<String>) -> RuntimeError {
        RuntimeError {
            code,
            message: message.into(),
            pc: None,
            span: None,
        }
    }

    /// An error at the instruction `pc`.
    pub fn at(code: Code, pc: u32, message: impl Into<String>) -> RuntimeError {
        RuntimeError {
            pc: Some(pc),
            ..RuntimeError::new(code, message)
        }
    }

    /// A broken internal invariant, named: a bug in flowc, never the fault
    /// of the input (R0005, since the module or state cannot be run).
    pub fn invariant(name: &'static str) -> RuntimeError {
        RuntimeError::new(
            Code::R0005,
            format!("internal error: invariant `{name}` does not hold"),
        )
    }

    /// Fills in the span of the instruction the error is at from `module`.
    pub fn with_span_from(mut self, module: &Module) -> RuntimeError {
        if self.span.is_none() {
            self.span = self
                .pc
                .and_then(|pc| module.spans.get(pc as usize))
                .copied();
        }
        self
    }

    /// The message as printed: `pc N: ` (when at an instruction), then the
    /// message.
    pub fn detail(&self) -> String {
        match self.pc {
            Some(pc) => format!("pc {pc}: {}", self.message),
            None => self.message.clone(),
        }
    }
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "error[{}]: {}", self.code, self.detail())
    }
}

impl std::error::Error for RuntimeError {}

/// The SHA-256 of some bytes.
pub fn sha256(bytes: &[u8]) -> Sha256 {
    sha2::Sha256::digest(bytes).into()
}

/// Postcard bytes of plain owned data. Encoding into a `Vec` fails only
/// when a `Serialize` impl does, which none of ours do: a failure is the
/// broken invariant `postcard_encodes_plain_data`, loud in tests.
pub(crate) fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    match postcard::to_stdvec(value) {
        Ok(bytes) => bytes,
        Err(e) => {
            debug_assert!(false, "invariant `postcard_encodes_plain_data`: {e}");
            Vec::new()
        }
    }
}

/// A digest as raw bytes in binary encodings (postcard) and as lower-case
/// hex text in human-readable ones (JSON).
mod digest_text {
    use super::Sha256;
    use serde::de::Error;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(digest: &Sha256, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&hex::encode(digest))
        } else {
            digest.serialize(s)
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Sha256, D::Error> {
        if d.is_human_readable() {
            let text = String::deserialize(d)?;
            let mut out = [0; 32];
            hex::decode_to_slice(&text, &mut out)
                .map_err(|e| D::Error::custom(format!("a SHA-256 in hex: {e}")))?;
            Ok(out)
        } else {
            Sha256::deserialize(d)
        }
    }
}

impl Module {
    /// The `.flowbc` file: the postcard encoding followed by its SHA-256.
    /// Any `Module` encodes, verified or not (tests build hostile ones).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = encode(self);
        let checksum = sha256(&bytes);
        bytes.extend_from_slice(&checksum);
        bytes
    }

    /// The module as pretty JSON (no checksum: JSON is for reading).
    pub fn to_json(&self) -> String {
        match serde_json::to_string_pretty(self) {
            Ok(text) => text,
            Err(e) => {
                debug_assert!(false, "invariant `json_encodes_plain_data`: {e}");
                String::new()
            }
        }
    }

    pub fn step(&self, id: u32) -> Option<&StepInfo> {
        self.steps.get(id as usize)
    }

    /// A step's name, `?` for an id out of range (raw modules may hold
    /// any id; verified ones hold none out of range).
    pub fn step_name(&self, id: u32) -> &str {
        self.step(id).map_or("?", |s| s.name.as_str())
    }
}
