//! The state of one run: small, plain serde data.
//!
//! A suspended state can be saved with [`State::to_bytes`] and resumed in
//! another process with [`State::from_bytes`]. The bytes wrap the postcard
//! encoding of the state with the module's source hash, a hash of the module
//! itself and a SHA-256 checksum of the payload, so a state from another
//! module, or a corrupt one, is R0004 and never reaches the VM.

use crate::bytecode::{Instr, Module, RuntimeError, sha256_hex};
use crate::diagnostics::Code;
use crate::value::{EndStatus, Value};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The first bytes of a saved state.
pub const STATE_MAGIC: [u8; 4] = *b"FLST";
/// The saved-state format this build reads and writes.
pub const STATE_VERSION: u16 = 1;

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    /// Ready to run from `pc`.
    Running,
    /// Stopped at the `suspend` at `pc`, waiting for `resume`.
    Suspended,
    /// Ended at the `end` at `pc`.
    Ended(EndStatus),
}

/// Everything a run needs besides the module and the host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub pc: u32,
    pub status: RunStatus,
    /// The operand stack (empty at every suspension).
    pub stack: Vec<Value>,
    /// One value per inquiry field, `none` until written.
    pub inquiry: Vec<Value>,
    /// One slot per result, `None` until its call succeeds.
    pub results: Vec<Option<Vec<Value>>>,
    /// Times each step was entered (what `attempts()` reads).
    pub visits: Vec<u32>,
    /// Instructions executed so far, over every `run` call.
    pub fuel_used: u64,
}

#[derive(Serialize, Deserialize)]
struct Envelope {
    magic: [u8; 4],
    version: u16,
    source_hash: String,
    module_hash: String,
    payload: Vec<u8>,
    checksum: [u8; 32],
}

/// The operand stack a run of `module` reserves up front, so that the
/// dispatch loop never grows it: the verified `max_stack`, bounded for
/// modules that were built in memory and never verified.
pub(crate) fn stack_capacity(module: &Module) -> usize {
    (module.max_stack as usize)
        .min(module.code.len())
        .min(1 << 16)
}

fn corrupt(message: impl Into<String>) -> RuntimeError {
    RuntimeError::new(Code::R0004, message)
}

fn module_hash(module: &Module) -> String {
    sha256_hex(&module.to_bytes())
}

impl State {
    /// A fresh run of `module`, at the start step's entry.
    pub fn new(module: &Module) -> State {
        State {
            pc: module.step(module.start).map_or(0, |s| s.entry),
            status: RunStatus::Running,
            stack: Vec::with_capacity(stack_capacity(module)),
            inquiry: vec![Value::None; module.inquiry.len()],
            results: vec![None; module.results.len()],
            visits: vec![0; module.steps.len()],
            fuel_used: 0,
        }
    }

    /// The saved form, bound to `module`.
    pub fn to_bytes(&self, module: &Module) -> Vec<u8> {
        let payload = postcard::to_stdvec(self).unwrap_or_default();
        let checksum: [u8; 32] = Sha256::digest(&payload).into();
        let env = Envelope {
            magic: STATE_MAGIC,
            version: STATE_VERSION,
            source_hash: module.source_hash.clone(),
            module_hash: module_hash(module),
            payload,
            checksum,
        };
        postcard::to_stdvec(&env).unwrap_or_default()
    }

    /// Loads a saved state for `module` (which must already be verified,
    /// as every loaded or compiled module is). R0004 when the bytes are
    /// corrupt, belong to another module, or describe a state the module
    /// could not be in.
    pub fn from_bytes(module: &Module, bytes: &[u8]) -> Result<State, RuntimeError> {
        if bytes.get(..4) != Some(&STATE_MAGIC[..]) {
            return Err(corrupt(
                "not a saved flow state: the magic bytes `FLST` are missing",
            ));
        }
        let (env, rest): (Envelope, &[u8]) =
            postcard::take_from_bytes(bytes).map_err(|e| corrupt(format!("corrupt state: {e}")))?;
        if !rest.is_empty() {
            return Err(corrupt(format!(
                "corrupt state: {} trailing bytes",
                rest.len()
            )));
        }
        if env.version != STATE_VERSION {
            return Err(corrupt(format!("unsupported state format {}", env.version)));
        }
        if env.source_hash != module.source_hash || env.module_hash != module_hash(module) {
            return Err(corrupt(format!(
                "the state belongs to another module (not `{}` version {})",
                module.name, module.version
            )));
        }
        let checksum: [u8; 32] = Sha256::digest(&env.payload).into();
        if checksum != env.checksum {
            return Err(corrupt("corrupt state: checksum mismatch"));
        }
        let (state, rest): (State, &[u8]) = postcard::take_from_bytes(&env.payload)
            .map_err(|e| corrupt(format!("corrupt state: {e}")))?;
        if !rest.is_empty() {
            return Err(corrupt("corrupt state: trailing bytes in the payload"));
        }
        state.check(module)?;
        Ok(state)
    }

    /// Checks that this state fits `module` (R0004 otherwise).
    pub fn check(&self, module: &Module) -> Result<(), RuntimeError> {
        let pc = self.pc as usize;
        let instr = module
            .code
            .get(pc)
            .ok_or_else(|| corrupt(format!("pc {pc} out of range")))?;
        if self.inquiry.len() != module.inquiry.len()
            || self.results.len() != module.results.len()
            || self.visits.len() != module.steps.len()
        {
            return Err(corrupt("the state's tables do not match the module"));
        }
        for (v, f) in self.inquiry.iter().zip(&module.inquiry) {
            if v.base_type().is_some_and(|t| t != f.ty.base) {
                return Err(corrupt(format!(
                    "inquiry field `{}` holds a value of the wrong type",
                    f.name
                )));
            }
        }
        let mut values = (self.inquiry.iter())
            .chain(&self.stack)
            .chain(self.results.iter().flatten().flatten());
        if values.any(|v| !v.in_range()) {
            return Err(corrupt(
                "the state holds a date outside 0001-01-01..=9999-12-31",
            ));
        }
        for (slot, r) in self.results.iter().zip(&module.results) {
            if let Some(values) = slot
                && values.len() != r.fields.len()
            {
                return Err(corrupt(format!(
                    "result `{}` has the wrong number of fields",
                    r.name
                )));
            }
        }
        let depths = crate::verify::stack_depths(module)
            .map_err(|e| corrupt(format!("the module is invalid: {}", e.message)))?;
        let depth = depths.get(pc).copied().flatten();
        if depth != Some(self.stack.len() as u32) {
            return Err(corrupt(format!(
                "stack of {} values does not fit pc {pc}",
                self.stack.len()
            )));
        }
        let ok = match self.status {
            RunStatus::Running => true,
            RunStatus::Suspended => matches!(instr, Instr::Suspend(_)),
            RunStatus::Ended(s) => *instr == Instr::End(s),
        };
        if !ok {
            return Err(corrupt(format!(
                "status {:?} does not fit pc {pc}",
                self.status
            )));
        }
        Ok(())
    }
}
