//! The state of one run: small, plain serde data.
//!
//! A suspended state can be saved with [`State::to_bytes`] and resumed in
//! another process with [`State::from_bytes`]; either refuses a saved form
//! over 1 MiB (R0008, `vm::limits`). The bytes are a postcard
//! envelope: magic, state format version, the SHA-256 of the module the
//! state belongs to, the postcard encoding of the state, and a SHA-256
//! checksum of that payload. A state from another module, or a corrupt
//! one, is R0004 and never reaches the VM. Saving and loading read the
//! module's hash and per-pc stack depths from the [`VerifiedModule`],
//! where verification left them, so they cost nothing that grows with the
//! module.

use super::limits::{MAX_STATE_BYTES, state_error};
use crate::bytecode::{Instr, RuntimeError, Sha256, VerifiedModule, sha256};
use crate::diagnostics::Code;
use crate::value::{EndStatus, Value};
use serde::{Deserialize, Serialize};

/// The first bytes of a saved state.
pub const STATE_MAGIC: [u8; 4] = *b"FLST";
/// The saved-state format this build reads and writes.
pub const STATE_VERSION: u16 = 2;

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

/// Everything a run needs besides the module and the host. Only the VM
/// changes it; the accessors are for reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub(super) pc: u32,
    pub(super) status: RunStatus,
    /// The operand stack (empty at every suspension).
    pub(super) stack: Vec<Value>,
    /// One value per inquiry field, `none` until written.
    pub(super) inquiry: Vec<Value>,
    /// One slot per result, `None` until its call succeeds.
    pub(super) results: Vec<Option<Vec<Value>>>,
    /// Times each step was entered (what `attempts()` reads).
    pub(super) visits: Vec<u32>,
    /// Instructions executed so far, over every `run` call.
    pub(super) fuel_used: u64,
}

#[derive(Serialize, Deserialize)]
struct Envelope<'a> {
    magic: [u8; 4],
    version: u16,
    /// [`VerifiedModule::hash`] of the module the state belongs to.
    module_hash: Sha256,
    payload: &'a [u8],
    /// SHA-256 of `payload`.
    checksum: Sha256,
}

/// The operand stack a run of `module` reserves up front, so that the
/// dispatch loop never grows it: the verified `max_stack` (at most the
/// number of instructions).
pub(crate) fn stack_capacity(module: &VerifiedModule) -> usize {
    module.module().max_stack as usize
}

fn corrupt(message: impl Into<String>) -> RuntimeError {
    RuntimeError::new(Code::R0004, message)
}

impl State {
    /// A fresh run of `module`, at the start step's entry.
    pub fn new(module: &VerifiedModule) -> State {
        let m = module.module();
        State {
            pc: module.start_pc(),
            status: RunStatus::Running,
            stack: Vec::with_capacity(stack_capacity(module)),
            inquiry: vec![Value::None; m.inquiry.len()],
            results: vec![None; m.results.len()],
            visits: vec![0; m.steps.len()],
            fuel_used: 0,
        }
    }

    /// The pc of the next instruction (or of the `suspend`/`end` it
    /// stopped at).
    pub fn pc(&self) -> u32 {
        self.pc
    }

    /// Running, suspended at a screen, or ended.
    pub fn status(&self) -> RunStatus {
        self.status
    }

    /// The operand stack, bottom first.
    pub fn stack(&self) -> &[Value] {
        &self.stack
    }

    /// One value per inquiry field, in the module's order.
    pub fn inquiry(&self) -> &[Value] {
        &self.inquiry
    }

    /// One slot per result: its field values once its call succeeded.
    pub fn results(&self) -> &[Option<Vec<Value>>] {
        &self.results
    }

    /// Times each step was entered, in the module's order.
    pub fn visits(&self) -> &[u32] {
        &self.visits
    }

    /// Instructions executed so far, over every `run`.
    pub fn fuel_used(&self) -> u64 {
        self.fuel_used
    }

    /// The saved form, bound to `module`; R0008 when it would be larger
    /// than [`MAX_STATE_BYTES`] (no such state could be loaded).
    pub fn to_bytes(&self, module: &VerifiedModule) -> Result<Vec<u8>, RuntimeError> {
        let payload = crate::bytecode::encode(self);
        let env = Envelope {
            magic: STATE_MAGIC,
            version: STATE_VERSION,
            module_hash: *module.hash(),
            payload: &payload,
            checksum: sha256(&payload),
        };
        let bytes = crate::bytecode::encode(&env);
        if bytes.len() > MAX_STATE_BYTES {
            return Err(state_error(bytes.len()));
        }
        Ok(bytes)
    }

    /// Loads a saved state for `module`. R0008 when there are more than
    /// [`MAX_STATE_BYTES`] (before anything is decoded); R0004 when the
    /// bytes are corrupt, belong to another module, or describe a state the
    /// module could not be in.
    pub fn from_bytes(module: &VerifiedModule, bytes: &[u8]) -> Result<State, RuntimeError> {
        if bytes.len() > MAX_STATE_BYTES {
            return Err(state_error(bytes.len()));
        }
        if bytes.get(..4) != Some(&STATE_MAGIC[..]) {
            return Err(corrupt(
                "not a saved flow state: the magic bytes `FLST` are missing",
            ));
        }
        let (env, rest): (Envelope<'_>, &[u8]) =
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
        if env.module_hash != *module.hash() {
            return Err(corrupt(format!(
                "the state belongs to another module (not `{}` version {})",
                module.name(),
                module.version()
            )));
        }
        if sha256(env.payload) != env.checksum {
            return Err(corrupt("corrupt state: checksum mismatch"));
        }
        let (state, rest): (State, &[u8]) = postcard::take_from_bytes(env.payload)
            .map_err(|e| corrupt(format!("corrupt state: {e}")))?;
        if !rest.is_empty() {
            return Err(corrupt("corrupt state: trailing bytes in the payload"));
        }
        state.check(module)?;
        Ok(state)
    }

    /// Checks that this state fits `module` (R0004 otherwise): the pc, the
    /// table sizes, the types of inquiry values, result arity, the stack
    /// depth the verifier found at the pc, and a status that fits the
    /// instruction there.
    pub fn check(&self, module: &VerifiedModule) -> Result<(), RuntimeError> {
        let m = module.module();
        let pc = self.pc;
        let instr = m
            .code
            .get(pc as usize)
            .ok_or_else(|| corrupt(format!("pc {pc} out of range")))?;
        if self.inquiry.len() != m.inquiry.len()
            || self.results.len() != m.results.len()
            || self.visits.len() != m.steps.len()
        {
            return Err(corrupt("the state's tables do not match the module"));
        }
        for (v, f) in self.inquiry.iter().zip(&m.inquiry) {
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
        for (slot, r) in self.results.iter().zip(&m.results) {
            if let Some(values) = slot
                && values.len() != r.fields.len()
            {
                return Err(corrupt(format!(
                    "result `{}` has the wrong number of fields",
                    r.name
                )));
            }
        }
        let depth = module.stack_depth(pc);
        if depth.is_none_or(|d| d as usize != self.stack.len()) {
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
