//! The state of one run, and its saved form.
//!
//! A suspended state can be saved with [`State::to_bytes`] and resumed in
//! another process with [`State::from_bytes`]; either refuses a saved form
//! over 1 MiB (R0008, `vm::limits`). The bytes are a postcard envelope:
//! magic, state format version, the SHA-256 of the module the state
//! belongs to, the payload, and a CRC-32 of the payload. The payload is
//! sparse: besides the pc, status, stack and fuel, only the inquiry fields
//! written, the results filled and the steps visited, by index. A state
//! from another module, or a corrupt one, is R0004 and never reaches the
//! VM. Saving and loading read the module's hash and per-pc stack depths
//! from the [`VerifiedModule`], where verification left them, and encode,
//! checksum and check only what the run holds, so their cost does not grow
//! with the module.

use super::limits::{MAX_STATE_BYTES, state_error};
use super::table::StateTable;
use crate::bytecode::{Instr, RuntimeError, Sha256, VerifiedModule};
use crate::diagnostics::Code;
use crate::value::{EndStatus, Value};
use serde::{Deserialize, Serialize};

/// The first bytes of a saved state.
pub const STATE_MAGIC: [u8; 4] = *b"FLST";
/// The saved-state format this build reads and writes.
pub const STATE_VERSION: u16 = 3;

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
/// changes it; the accessors are for reading. Its tables keep in memory
/// only the entries the run wrote ([`StateTable`]), so a state's cost
/// follows the run, not the module. Its serde form is the plain one, every
/// table whole; the saved form ([`State::to_bytes`]) is sparse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub(super) pc: u32,
    pub(super) status: RunStatus,
    /// The operand stack (empty at every suspension).
    pub(super) stack: Vec<Value>,
    /// One value per inquiry field, `none` until written.
    pub(super) inquiry: StateTable<Value>,
    /// One slot per result, `None` until its call succeeds.
    pub(super) results: StateTable<Option<Vec<Value>>>,
    /// Times each step was entered (what `attempts()` reads).
    pub(super) visits: StateTable<u32>,
    /// Instructions executed so far, over every `run` call.
    pub(super) fuel_used: u64,
}

/// The saved form around the payload, laid out as postcard lays out this
/// struct (the fields in order; arrays as their bytes; the version and the
/// payload's length as varints), written and read by hand because a
/// derived encoding handles the 32-byte hash a byte at a time.
#[derive(Debug, PartialEq)]
struct Envelope<'a> {
    magic: [u8; 4],
    version: u16,
    /// [`VerifiedModule::hash`] of the module the state belongs to.
    module_hash: Sha256,
    payload: &'a [u8],
    /// CRC-32 of `payload`, little-endian: it catches corruption; the
    /// binding to the module is `module_hash`.
    checksum: [u8; 4],
}

impl<'a> Envelope<'a> {
    fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.payload.len() + ENVELOPE_BYTES);
        out.extend_from_slice(&self.magic);
        push_varint(&mut out, u64::from(self.version));
        out.extend_from_slice(&self.module_hash);
        push_varint(&mut out, self.payload.len() as u64);
        out.extend_from_slice(self.payload);
        out.extend_from_slice(&self.checksum);
        out
    }

    /// The envelope `bytes` hold, and how many bytes follow it; `None`
    /// when they are cut short or a varint is malformed.
    fn decode(bytes: &'a [u8]) -> Option<(Envelope<'a>, usize)> {
        let (magic, rest) = bytes.split_first_chunk::<4>()?;
        let (version, rest) = take_varint(rest)?;
        let (module_hash, rest) = rest.split_first_chunk::<32>()?;
        let (len, rest) = take_varint(rest)?;
        let len = usize::try_from(len).ok()?;
        let payload = rest.get(..len)?;
        let (checksum, rest) = rest.get(len..)?.split_first_chunk::<4>()?;
        let env = Envelope {
            magic: *magic,
            version: u16::try_from(version).ok()?,
            module_hash: *module_hash,
            payload,
            checksum: *checksum,
        };
        Some((env, rest.len()))
    }
}

/// Appends `n` as postcard's varint: 7 bits a byte, low first, the top
/// bit set on every byte but the last.
fn push_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8 & 0x7f) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// A varint of at most 10 bytes off the front of `bytes`.
fn take_varint(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut n = 0u64;
    for (i, b) in bytes.iter().enumerate().take(10) {
        n |= u64::from(b & 0x7f).checked_shl(7 * i as u32)?;
        if b & 0x80 == 0 {
            return Some((n, bytes.get(i + 1..)?));
        }
    }
    None
}

/// The saved form of a [`State`] (the envelope's payload): the pc, the
/// status, the stack and the fuel used, and of each table only the entries
/// that differ from a fresh run's (the fields written, the results filled,
/// the steps visited), by index, in increasing index order. Its size, and
/// the cost of encoding, decoding and checking it, follow what the run did,
/// not the size of the module.
#[derive(Serialize)]
struct WireOut<'a> {
    pc: u32,
    status: RunStatus,
    stack: &'a [Value],
    inquiry: Entries<'a, Value>,
    results: Entries<'a, Option<Vec<Value>>>,
    visits: Entries<'a, u32>,
    fuel_used: u64,
}

/// [`WireOut`] as it is read back.
#[derive(Deserialize)]
struct WireIn {
    pc: u32,
    status: RunStatus,
    stack: Vec<Value>,
    inquiry: Vec<(u32, Value)>,
    results: Vec<(u32, Vec<Value>)>,
    visits: Vec<(u32, u32)>,
    fuel_used: u64,
}

/// The entries of a table that are not at their fresh value, as a
/// sequence of `(index, value)` pairs (the `Option` of a result slot is
/// written as its values).
struct Entries<'a, T>(&'a [T]);

/// What a table entry is in a fresh run, and what is saved of one that
/// is not.
trait Entry: Sized {
    type Saved: Serialize + ?Sized;
    fn saved(&self) -> Option<&Self::Saved>;
    /// Whether every entry of `chunk` is at its fresh value.
    fn all_fresh(chunk: &[Self]) -> bool {
        chunk.iter().all(|e| e.saved().is_none())
    }
}

impl Entry for Value {
    type Saved = Value;
    fn saved(&self) -> Option<&Value> {
        (!matches!(self, Value::None)).then_some(self)
    }
}

impl Entry for Option<Vec<Value>> {
    type Saved = [Value];
    fn saved(&self) -> Option<&[Value]> {
        self.as_deref()
    }
}

impl Entry for u32 {
    type Saved = u32;
    fn saved(&self) -> Option<&u32> {
        (*self != 0).then_some(self)
    }
    fn all_fresh(chunk: &[u32]) -> bool {
        chunk.iter().fold(0, |a, b| a | b) == 0
    }
}

/// Table entries are looked at this many at a time, and a run of fresh
/// ones skipped with one test (which vectorizes for visit counts).
const CHUNK: usize = 64;

/// The `(index, saved value)` of every entry of `table` not at its fresh
/// value, in index order.
fn entries<T: Entry>(table: &[T]) -> impl Iterator<Item = (u32, &T::Saved)> {
    (0u32..)
        .step_by(CHUNK)
        .zip(table.chunks(CHUNK))
        .filter(|(_, chunk)| !T::all_fresh(chunk))
        .flat_map(|(base, chunk)| {
            (base..)
                .zip(chunk)
                .filter_map(|(i, e)| e.saved().map(|v| (i, v)))
        })
}

impl<T: Entry> Serialize for Entries<'_, T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        if self.0.len() > CHUNK {
            // Gathered first (one scan of a long table, not two), since
            // the count comes before them.
            let list: Vec<_> = entries(self.0).collect();
            return serializer.collect_seq(list);
        }
        let small = || {
            (0u32..)
                .zip(self.0)
                .filter_map(|(i, e)| e.saved().map(|v| (i, v)))
        };
        let mut seq = serializer.serialize_seq(Some(small().count()))?;
        for e in small() {
            seq.serialize_element(&e)?;
        }
        seq.end()
    }
}

/// Room for the envelope around a payload: magic, version, hash, length,
/// checksum (43 to 45 bytes).
const ENVELOPE_BYTES: usize = 48;

/// The room a payload's encoding starts with: enough for a state at a
/// screen of a small flow, so that encoding it does not grow the vector a
/// byte at a time.
const PAYLOAD_BYTES: usize = 128;

/// Postcard bytes of `value` appended to `out`. It fails only when a
/// `Serialize` impl does, which none of ours do: a failure is the broken
/// invariant `postcard_encodes_plain_data`, loud in tests.
fn encode_into<T: Serialize>(value: &T, out: Vec<u8>) -> Result<Vec<u8>, RuntimeError> {
    postcard::to_extend(value, out).map_err(|e| {
        debug_assert!(false, "invariant `postcard_encodes_plain_data`: {e}");
        RuntimeError::invariant("postcard_encodes_plain_data")
    })
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
            inquiry: StateTable::new(m.inquiry.len()),
            results: StateTable::new(m.results.len()),
            visits: StateTable::new(m.steps.len()),
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

    /// One value per inquiry field, in the module's order (`none` until
    /// written).
    pub fn inquiry(&self) -> &StateTable<Value> {
        &self.inquiry
    }

    /// One slot per result: its field values once its call succeeded.
    pub fn results(&self) -> &StateTable<Option<Vec<Value>>> {
        &self.results
    }

    /// Times each step was entered, in the module's order.
    pub fn visits(&self) -> &StateTable<u32> {
        &self.visits
    }

    /// Instructions executed so far, over every `run`.
    pub fn fuel_used(&self) -> u64 {
        self.fuel_used
    }

    /// The saved form, bound to `module`; R0008 when it would be larger
    /// than [`MAX_STATE_BYTES`] (no such state could be loaded).
    pub fn to_bytes(&self, module: &VerifiedModule) -> Result<Vec<u8>, RuntimeError> {
        let payload = self.encode_payload()?;
        let env = Envelope {
            magic: STATE_MAGIC,
            version: STATE_VERSION,
            module_hash: *module.hash(),
            payload: &payload,
            checksum: crc32fast::hash(&payload).to_le_bytes(),
        };
        let bytes = env.encode();
        if bytes.len() > MAX_STATE_BYTES {
            return Err(state_error(bytes.len()));
        }
        Ok(bytes)
    }

    /// The payload of the saved form, which [`State::from_payload`] reads:
    /// the pc, status, stack and fuel used, and the table entries that are
    /// not at their fresh value (fields written, results filled, steps
    /// visited) by index.
    pub fn to_payload(&self) -> Vec<u8> {
        self.encode_payload().unwrap_or_default()
    }

    fn encode_payload(&self) -> Result<Vec<u8>, RuntimeError> {
        let wire = WireOut {
            pc: self.pc,
            status: self.status,
            stack: &self.stack,
            inquiry: Entries(self.inquiry.stored()),
            results: Entries(self.results.stored()),
            visits: Entries(self.visits.stored()),
            fuel_used: self.fuel_used,
        };
        encode_into(&wire, Vec::with_capacity(PAYLOAD_BYTES))
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
        let (env, rest) = Envelope::decode(bytes)
            .ok_or_else(|| corrupt("corrupt state: the envelope is cut short or malformed"))?;
        if rest != 0 {
            return Err(corrupt(format!("corrupt state: {rest} trailing bytes")));
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
        if crc32fast::hash(env.payload).to_le_bytes() != env.checksum {
            return Err(corrupt("corrupt state: checksum mismatch"));
        }
        State::from_payload(module, env.payload)
    }

    /// Reads the payload of a saved state ([`State::to_payload`]) for
    /// `module`, with every check of [`State::from_bytes`] but those of
    /// the envelope: R0004 when it is not one, or describes a state the
    /// module could not be in. The work is proportional to the payload.
    pub fn from_payload(module: &VerifiedModule, payload: &[u8]) -> Result<State, RuntimeError> {
        let (wire, rest): (WireIn, &[u8]) = postcard::take_from_bytes(payload)
            .map_err(|e| corrupt(format!("corrupt state: {e}")))?;
        if !rest.is_empty() {
            return Err(corrupt("corrupt state: trailing bytes in the payload"));
        }
        let m = module.module();
        let mut state = State {
            pc: wire.pc,
            status: wire.status,
            stack: wire.stack,
            inquiry: StateTable::new(m.inquiry.len()),
            results: StateTable::new(m.results.len()),
            visits: StateTable::new(m.steps.len()),
            fuel_used: wire.fuel_used,
        };
        let tables = || corrupt("the state's tables do not match the module");
        let mut next = 0;
        for (i, v) in wire.inquiry {
            let (slot, f) = (state.inquiry.get_mut(i as usize))
                .zip(m.inquiry.get(i as usize))
                .filter(|_| i >= next && v != Value::None)
                .ok_or_else(tables)?;
            if v.base_type().is_some_and(|t| t != f.ty.base) {
                return Err(corrupt(format!(
                    "inquiry field `{}` holds a value of the wrong type",
                    f.name
                )));
            }
            in_range([&v])?;
            *slot = v;
            next = i.saturating_add(1);
        }
        next = 0;
        for (i, values) in wire.results {
            let (slot, r) = (state.results.get_mut(i as usize))
                .zip(m.results.get(i as usize))
                .filter(|_| i >= next)
                .ok_or_else(tables)?;
            if values.len() != r.fields.len() {
                return Err(corrupt(format!(
                    "result `{}` has the wrong number of fields",
                    r.name
                )));
            }
            in_range(&values)?;
            *slot = Some(values);
            next = i.saturating_add(1);
        }
        next = 0;
        for (i, n) in wire.visits {
            let slot = (state.visits.get_mut(i as usize))
                .filter(|_| i >= next && n != 0)
                .ok_or_else(tables)?;
            *slot = n;
            next = i.saturating_add(1);
        }
        state.check_position(module)?;
        Ok(state)
    }

    /// Checks that this state fits `module` (R0004 otherwise): the pc, the
    /// table sizes, the types of inquiry values, result arity, the stack
    /// depth the verifier found at the pc, and a status that fits the
    /// instruction there. (Loading a saved state checks the same, on what
    /// the saved form holds.)
    pub fn check(&self, module: &VerifiedModule) -> Result<(), RuntimeError> {
        let m = module.module();
        if self.inquiry.len() != m.inquiry.len()
            || self.results.len() != m.results.len()
            || self.visits.len() != m.steps.len()
        {
            return Err(corrupt("the state's tables do not match the module"));
        }
        // Entries past the stored ones are fresh, and pass every check.
        for (v, f) in self.inquiry.stored().iter().zip(&m.inquiry) {
            if v.base_type().is_some_and(|t| t != f.ty.base) {
                return Err(corrupt(format!(
                    "inquiry field `{}` holds a value of the wrong type",
                    f.name
                )));
            }
        }
        in_range(
            (self.inquiry.stored().iter()).chain(self.results.stored().iter().flatten().flatten()),
        )?;
        for (slot, r) in self.results.stored().iter().zip(&m.results) {
            if let Some(values) = slot
                && values.len() != r.fields.len()
            {
                return Err(corrupt(format!(
                    "result `{}` has the wrong number of fields",
                    r.name
                )));
            }
        }
        self.check_position(module)
    }

    /// The checks of [`State::check`] that do not read the tables: the pc,
    /// the stack (its depth and its dates) and the status.
    fn check_position(&self, module: &VerifiedModule) -> Result<(), RuntimeError> {
        let pc = self.pc;
        let instr = (module.module().code.get(pc as usize))
            .ok_or_else(|| corrupt(format!("pc {pc} out of range")))?;
        in_range(&self.stack)?;
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

/// R0004 when one of `values` is a date outside the valid range.
fn in_range<'a>(values: impl IntoIterator<Item = &'a Value>) -> Result<(), RuntimeError> {
    if values.into_iter().all(Value::in_range) {
        Ok(())
    } else {
        Err(corrupt(
            "the state holds a date outside 0001-01-01..=9999-12-31",
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    /// The envelope as postcard derives it: what the hand-written one
    /// must match byte for byte.
    #[derive(Serialize, Deserialize, Debug, PartialEq)]
    struct Derived<'a> {
        magic: [u8; 4],
        version: u16,
        module_hash: Sha256,
        payload: &'a [u8],
        checksum: [u8; 4],
    }

    #[test]
    fn the_envelope_is_laid_out_as_postcard_would() {
        let payload: Vec<u8> = (0..300u32).map(|i| i as u8).collect();
        for (version, len) in [(3u16, 0usize), (200, 5), (u16::MAX, 300)] {
            let mut hash = [0u8; 32];
            hash[1] = 9;
            let env = Envelope {
                magic: STATE_MAGIC,
                version,
                module_hash: hash,
                payload: &payload[..len],
                checksum: [1, 2, 3, 4],
            };
            let derived = Derived {
                magic: STATE_MAGIC,
                version,
                module_hash: hash,
                payload: &payload[..len],
                checksum: [1, 2, 3, 4],
            };
            let bytes = env.encode();
            assert_eq!(bytes, postcard::to_stdvec(&derived).unwrap());
            assert_eq!(Envelope::decode(&bytes), Some((env, 0)));
            for cut in 0..bytes.len() {
                assert_eq!(Envelope::decode(&bytes[..cut]), None, "cut at {cut}");
            }
        }
        assert_eq!(take_varint(&[0xff; 11]), None);
        assert_eq!(take_varint(&[0x80, 0x01]), Some((128, &[][..])));
    }

    #[test]
    fn entries_skip_fresh_chunks_and_keep_index_order() {
        let mut visits = vec![0u32; 3 * CHUNK + 5];
        for i in [0, CHUNK - 1, CHUNK, 3 * CHUNK + 4] {
            if let Some(v) = visits.get_mut(i) {
                *v = 7;
            }
        }
        let got: Vec<(u32, u32)> = entries(&visits).map(|(i, v)| (i, *v)).collect();
        let want = [0, CHUNK - 1, CHUNK, 3 * CHUNK + 4].map(|i| (i as u32, 7));
        assert_eq!(got, want);
        let mut inquiry = vec![Value::None; CHUNK + 1];
        if let Some(v) = inquiry.last_mut() {
            *v = Value::Int(1);
        }
        let got: Vec<u32> = entries(&inquiry).map(|(i, _)| i).collect();
        assert_eq!(got, [CHUNK as u32]);
        assert_eq!(entries::<u32>(&[]).count(), 0);
    }
}
