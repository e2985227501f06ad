//! ADAPTERS: every call the benches make into flowc's API is in this file,
//! so that a change of API (a verified-module type, a split host module, ...)
//! is absorbed here and nowhere else. The other bench files see flowc only
//! through these functions and re-exports.

use flowc::unstable::bytecode::Instr;
use flowc::unstable::catalog::Catalog;
use flowc::unstable::vm::{Stopped, Vm};
use logos::Logos;
use std::hint::black_box;

pub use flowc::unstable::bytecode::{CallTarget, FieldInfo, VerifiedModule as Module};
pub use flowc::unstable::host::{CallArgs, Host, HostCall, HostError};
pub use flowc::unstable::types::BaseType;
pub use flowc::unstable::value::{Date, EndStatus, Status, Value};
pub use flowc::unstable::vm::State;

/// A screen's answer: field or capture name and value, as `Vm::resume`
/// takes it.
pub type Input = Vec<(String, Value)>;

/// The bound on the source size the benches compile with: larger than any
/// generated flow (the command line keeps 2 MiB).
pub const MAX_SOURCE_BYTES: usize = 512 << 20;

/// Fuel for one `run` in the benches: more than any bench flow needs.
pub const FUEL: u64 = u64::MAX / 2;

pub fn catalog() -> Catalog {
    Catalog::builtin()
}

// ----- front end and compiler ------------------------------------------------------

/// flowc's lexer over a whole source: the number of tokens.
pub fn tokenize(source: &str) -> usize {
    flowc::unstable::lexer::tokenize(source).tokens.len()
}

/// The floor of our lexer: the logos-generated automaton over the same
/// token enum, with no collection of tokens, spans or diagnostics.
pub fn raw_logos(source: &str) -> usize {
    let mut n = 0;
    for t in flowc::unstable::lexer::Token::lexer(source) {
        black_box(&t);
        n += 1;
    }
    n
}

/// The whole pipeline (parse, check, codegen, verify): the module, or
/// `None` when anything was reported.
pub fn compile(source: &str, catalog: &Catalog) -> Option<Module> {
    flowc::compile_source_with_limit(source, catalog, MAX_SOURCE_BYTES).module
}

/// Compiles a generated flow and fails loudly when flowc reports anything
/// at all (warnings included): every bench input is a clean flow.
pub fn compile_clean(source: &str, catalog: &Catalog) -> Module {
    let c = flowc::compile_source_with_limit(source, catalog, MAX_SOURCE_BYTES);
    match (c.module, c.diagnostics.first()) {
        (Some(m), None) => m,
        (_, first) => {
            let line = first.map_or(0, |d| {
                flowc::unstable::span::line_col(source, d.primary.span.start).0
            });
            let text = source.lines().nth(line.saturating_sub(1)).unwrap_or("");
            panic!(
                "a bench flow does not compile cleanly: {} diagnostic(s), first: {:?}\n  at line {line}: {text}",
                c.diagnostics.len(),
                first.map(|d| (&d.code, &d.message))
            )
        }
    }
}

/// The names bound by `let`, in the module's result table.
pub fn result_names(m: &Module) -> Vec<String> {
    m.module().results.iter().map(|r| r.name.clone()).collect()
}

/// Instructions in a module (for per-instruction figures).
pub fn code_len(m: &Module) -> usize {
    m.module().code.len()
}

// ----- the VM --------------------------------------------------------------------

/// Where a run stopped.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    Screen(String),
    End(EndStatus),
}

pub fn start(m: &Module) -> State {
    Vm::start(m)
}

/// One `Vm::run`; a runtime error fails the bench.
pub fn run(m: &Module, state: &mut State, host: &mut dyn Host) -> Stop {
    match Vm::advance(m, state, host, FUEL) {
        Ok(Stopped::Suspended(screen)) => Stop::Screen(screen.name().to_string()),
        Ok(Stopped::Ended(s)) => Stop::End(s),
        Err(e) => panic!("bench flow failed at run time: {e}"),
    }
}

pub fn resume(m: &Module, state: &mut State, input: &[(String, Value)]) {
    if let Err(e) = Vm::resume(m, state, input) {
        panic!("bench input rejected: {e}");
    }
}

/// Runs from the start to the end, answering each screen with
/// `input(screen)`: the end status and the instructions executed.
pub fn run_to_end<'a>(
    m: &Module,
    host: &mut dyn Host,
    mut input: impl FnMut(&str) -> &'a [(String, Value)],
) -> (EndStatus, u64) {
    let mut state = start(m);
    loop {
        match run(m, &mut state, host) {
            Stop::End(s) => return (s, state.fuel_used()),
            Stop::Screen(screen) => resume(m, &mut state, input(&screen)),
        }
    }
}

/// An inquiry field of a state, by name.
pub fn inquiry_value(m: &Module, state: &State, field: &str) -> Option<Value> {
    let i = m.module().inquiry.iter().position(|f| f.name == field)?;
    state.inquiry().get(i).cloned()
}

/// Runs to the first stop and returns the state there.
pub fn run_to_first_screen(m: &Module, host: &mut dyn Host) -> (State, Stop) {
    let mut state = start(m);
    let stop = run(m, &mut state, host);
    (state, stop)
}

pub fn fuel_used(state: &State) -> u64 {
    state.fuel_used()
}

// ----- saved states ----------------------------------------------------------------

pub fn save(m: &Module, state: &State) -> Vec<u8> {
    match state.to_bytes(m) {
        Ok(b) => b,
        Err(e) => panic!("bench state does not save: {e}"),
    }
}

pub fn load(m: &Module, bytes: &[u8]) -> State {
    match State::from_bytes(m, bytes) {
        Ok(s) => s,
        Err(e) => panic!("bench state does not load: {e}"),
    }
}

/// Bytes the saved form adds around the bare state: the envelope (magic,
/// version, hashes, checksum, length prefixes).
pub fn envelope_overhead(m: &Module, state: &State) -> (usize, usize) {
    let total = save(m, state).len();
    let bare = state.to_payload().len();
    (total - bare, bare)
}

// ----- host calls made by the native and Rhai contenders ---------------------------------

/// One `let R = ...` as the module's tables describe it: the native and
/// Rhai contenders make exactly the calls the VM makes, with the same
/// target, argument names, result fields, retry and timeout.
#[derive(Debug, Clone)]
pub struct CallSite {
    pub result: String,
    pub target: CallTarget,
    pub arg_names: Vec<String>,
    pub fields: Vec<FieldInfo>,
    pub retry: u8,
    pub timeout_secs: Option<u32>,
}

impl CallSite {
    /// The call binding `result` in `m`.
    pub fn of(m: &Module, result: &str) -> CallSite {
        let m = m.module();
        let Some(idx) = m.results.iter().position(|r| r.name == result) else {
            panic!("no result `{result}` in the module")
        };
        let info = &m.results[idx];
        let (retry, timeout_secs) = m
            .code
            .iter()
            .find_map(|i| match *i {
                Instr::Call {
                    result,
                    retry,
                    timeout_secs,
                    ..
                } if result as usize == idx => Some((retry, timeout_secs)),
                _ => None,
            })
            .unwrap_or((0, None));
        CallSite {
            result: info.name.clone(),
            target: info.call.clone(),
            arg_names: info.args.clone(),
            fields: info.fields.clone(),
            retry,
            timeout_secs,
        }
    }

    /// The index of a result field, for reading answers.
    pub fn field(&self, name: &str) -> usize {
        match self.fields.iter().position(|f| f.name == name) {
            Some(i) => i,
            None => panic!("`{}` has no field `{name}`", self.result),
        }
    }
}

/// The hand-written flows declare no choice types.
static NO_CHOICES: flowc::ChoiceTable = flowc::ChoiceTable::new();

/// Makes a call the way the VM does: up to `retry + 1` attempts; `Err`
/// when all failed (the caller takes its `on error` route).
pub fn call(
    host: &mut dyn Host,
    site: &CallSite,
    args: &[(String, Value)],
) -> Result<Vec<Value>, HostError> {
    let mut last = HostError::new("no call made");
    for attempt in 0..=u32::from(site.retry) {
        let c = HostCall {
            result: &site.result,
            target: &site.target,
            args: CallArgs::from_pairs(args),
            fields: &site.fields,
            promise: None,
            choices: &NO_CHOICES,
            timeout_secs: site.timeout_secs,
            attempt,
        };
        match host.call(&c) {
            Ok(v) => return Ok(v),
            Err(e) => last = e,
        }
    }
    Err(last)
}

pub fn age(birthdate: Date, today: Date) -> i64 {
    birthdate.age_at(today)
}

pub fn date(text: &str) -> Date {
    match Date::parse(text) {
        Some(d) => d,
        None => panic!("bad date {text}"),
    }
}

// ----- the host every contender runs against --------------------------------------------

/// What a run did through its host; the contenders must agree on it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    pub calls: u32,
    pub enters: u32,
    pub tags: u32,
    pub cases: u32,
    pub account_writes: u32,
}

/// A host that answers every call at once: verifications pass (echoing
/// arguments where a field has the same name), reports do not match, HTTP
/// calls answer 200. No I/O, no allocation beyond the answer itself.
#[derive(Debug, Clone)]
pub struct BenchHost {
    pub counts: Counters,
    pub today: Date,
    birthdate: Date,
    expires: Date,
}

impl Default for BenchHost {
    fn default() -> Self {
        BenchHost {
            counts: Counters::default(),
            today: date("2026-11-25"),
            birthdate: date("1990-05-17"),
            expires: date("2030-01-01"),
        }
    }
}

impl Host for BenchHost {
    fn call(&mut self, call: &HostCall<'_>) -> Result<Vec<Value>, HostError> {
        self.counts.calls += 1;
        let answer = call
            .fields
            .iter()
            .map(|f| match (f.name.as_str(), f.ty.base) {
                (_, BaseType::Status) => Value::Status(Status::Passed),
                ("ok", _) => Value::Bool(true),
                (_, BaseType::Bool) => Value::Bool(false),
                ("status_code", _) => Value::Int(200),
                (_, BaseType::Int) => Value::Int(90),
                ("expiration_date", _) => Value::Date(self.expires),
                (_, BaseType::Date) => Value::Date(self.birthdate),
                (name, BaseType::String) => call
                    .args
                    .get(name)
                    .map_or_else(|| Value::Str("TK0042".to_string()), Value::clone),
            })
            .collect();
        Ok(answer)
    }
    fn read_account(&mut self, _field: &str) -> Result<Value, HostError> {
        Ok(Value::None)
    }
    fn write_account(&mut self, _field: &str, value: &Value) -> Result<(), HostError> {
        black_box(value);
        self.counts.account_writes += 1;
        Ok(())
    }
    fn tag(&mut self, text: &str) -> Result<(), HostError> {
        black_box(text);
        self.counts.tags += 1;
        Ok(())
    }
    fn case(&mut self, queue: &str) -> Result<(), HostError> {
        black_box(queue);
        self.counts.cases += 1;
        Ok(())
    }
    fn today(&mut self) -> Date {
        self.today
    }
    fn step_entered(&mut self, step: &str) {
        black_box(step);
        self.counts.enters += 1;
    }
}

// ----- the tree-walking reference interpreter ------------------------------------------
//
// Issue 11 compares the VM with a tree-walking interpreter over the typed
// flow: `flowc::unstable::reference`, the interpreter the differential
// tests hold the VM to. It runs the same host and inputs as `run_to_end`.

/// What the tree-walker runs: the checked flow.
pub type TreeWalkFlow = flowc::TypedFlow;

/// Checks `source`; `None` when it does not check.
pub fn treewalk_prepare(source: &str, catalog: &Catalog) -> Option<TreeWalkFlow> {
    flowc::check_source(source, catalog).flow
}

/// Runs a prepared flow to its end: the end status, like [`run_to_end`];
/// `None` when it stops with a runtime error.
pub fn treewalk_run<'a>(
    flow: &TreeWalkFlow,
    host: &mut dyn Host,
    mut input: impl FnMut(&str) -> &'a [(String, Value)],
) -> Option<EndStatus> {
    use flowc::unstable::reference::{RefOutcome, Reference};
    let interpreter = Reference::new(flow);
    let mut state = interpreter.start();
    loop {
        match interpreter.run(&mut state, host, u64::MAX).ok()? {
            RefOutcome::Ended(s) => return Some(s),
            RefOutcome::Suspended(screen) => {
                let name = interpreter.step_name(screen).to_string();
                interpreter.resume(&mut state, input(&name)).ok()?;
            }
        }
    }
}
