//! What several targets share: the examples and their scenarios, compiled
//! once, and [`Answers`], a host that answers every screen and call with
//! values made from the fuzzer's bytes, so that a run goes past its first
//! screen.
#![allow(dead_code)]

use flowc::unstable::bytecode::VerifiedModule;
use flowc::unstable::catalog::Catalog;
use flowc::unstable::host::{Host, HostCall, HostError};
use flowc::unstable::types::{BaseType, Type};
use flowc::unstable::value::{Date, Status, Value};
use flowc::unstable::vm::{Outcome, ScreenRequest, State, Vm};
use std::sync::OnceLock;

/// Every example flow.
pub const EXAMPLES: &[&str] = &[
    include_str!("../../../examples/database_kyc.flow"),
    include_str!("../../../examples/gov_id_selfie.flow"),
    include_str!("../../../examples/growth_watchlist_case.flow"),
    include_str!("../../../examples/phone_email.flow"),
    include_str!("../../../examples/startup_solution.flow"),
];

/// Every example scenario, with the index of its flow in [`EXAMPLES`].
pub const SCENARIOS: &[(usize, &str)] = &[
    (
        0,
        include_str!("../../../examples/scenarios/database_kyc_pass.json"),
    ),
    (
        0,
        include_str!("../../../examples/scenarios/database_kyc_retry.json"),
    ),
    (
        0,
        include_str!("../../../examples/scenarios/database_kyc_unavailable.json"),
    ),
    (
        1,
        include_str!("../../../examples/scenarios/gov_id_selfie_pass.json"),
    ),
    (
        2,
        include_str!("../../../examples/scenarios/growth_watchlist_case_hit.json"),
    ),
    (
        3,
        include_str!("../../../examples/scenarios/phone_email_pass.json"),
    ),
];

/// The examples compiled, in [`EXAMPLES`] order (one that no longer
/// compiles is left out rather than fuzzed).
pub fn modules() -> &'static [Option<VerifiedModule>] {
    static MODULES: OnceLock<Vec<Option<VerifiedModule>>> = OnceLock::new();
    MODULES.get_or_init(|| {
        let catalog = Catalog::builtin();
        EXAMPLES
            .iter()
            .map(|source| flowc::compile_source(source, &catalog).module)
            .collect()
    })
}

/// The first byte picks one of `count` things; the rest is the input.
pub fn pick(data: &[u8], count: usize) -> Option<(usize, &[u8])> {
    let (first, rest) = data.split_first()?;
    (count > 0).then(|| (usize::from(*first) % count, rest))
}

/// A host whose every answer is read from bytes: call results (or host
/// errors), Account values, screen answers. Past the end of the bytes it
/// answers with zeros, so every run can go on.
pub struct Answers<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Answers<'a> {
    pub fn new(bytes: &'a [u8]) -> Answers<'a> {
        Answers { bytes, at: 0 }
    }

    fn byte(&mut self) -> u8 {
        let b = self.bytes.get(self.at).copied().unwrap_or(0);
        self.at = self.at.saturating_add(1);
        b
    }

    /// A value of type `ty`, now and then of another type or `none`, so
    /// that the VM's checks of host answers are reached too.
    pub fn value(&mut self, ty: Type) -> Value {
        let b = self.byte();
        let base = match b % 16 {
            0 if ty.optional => return Value::None,
            1 => return Value::None,
            2 => BaseType::ALL[usize::from(self.byte()) % BaseType::ALL.len()],
            _ => ty.base,
        };
        let n = self.byte();
        match base {
            BaseType::String => {
                let len = usize::from(n % 8);
                Value::Str(
                    (0..len)
                        .map(|_| char::from(b'a' + self.byte() % 26))
                        .collect(),
                )
            }
            BaseType::Int => Value::Int(i64::from(n as i8) * i64::from(self.byte())),
            BaseType::Bool => Value::Bool(n % 2 == 0),
            BaseType::Date => Value::Date(Date(i32::from(n) * 200 - 10_000)),
            BaseType::Status => Value::Status(Status::ALL[usize::from(n) % Status::ALL.len()]),
        }
    }

    /// An answer to a screen: every field with a value of its type and
    /// every capture `true`, now and then with a field left out, given
    /// twice or of the wrong type (which `resume` must refuse).
    pub fn screen(&mut self, req: &ScreenRequest) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        for f in &req.fields {
            let (name, ty) = (&f.name, &f.ty);
            match self.byte() % 32 {
                0 => {}
                1 => {
                    out.push((name.clone(), self.value(*ty)));
                    out.push((name.clone(), self.value(*ty)));
                }
                _ => out.push((name.clone(), self.value(*ty))),
            }
        }
        for capture in &req.captures {
            out.push((capture.clone(), Value::Bool(self.byte() % 32 != 0)));
        }
        out
    }
}

impl Host for Answers<'_> {
    fn call(&mut self, call: &HostCall<'_>) -> Result<Vec<Value>, HostError> {
        match self.byte() % 16 {
            0 => Err(HostError::new("generated failure")),
            1 => Err(HostError::stop("generated stop")),
            _ => Ok(call.fields.iter().map(|f| self.value(f.ty)).collect()),
        }
    }

    fn read_account(&mut self, _field: &str) -> Result<Value, HostError> {
        match self.byte() % 8 {
            0 => Err(HostError::new("generated failure")),
            1 => Ok(Value::None),
            b => {
                let base = BaseType::ALL[usize::from(b) % BaseType::ALL.len()];
                Ok(self.value(Type::new(base)))
            }
        }
    }

    fn write_account(&mut self, _field: &str, _value: &Value) -> Result<(), HostError> {
        self.ok_mostly()
    }

    fn tag(&mut self, _text: &str) -> Result<(), HostError> {
        self.ok_mostly()
    }

    fn case(&mut self, _queue: &str) -> Result<(), HostError> {
        self.ok_mostly()
    }

    fn today(&mut self) -> Date {
        Date(20_000)
    }
}

impl Answers<'_> {
    fn ok_mostly(&mut self) -> Result<(), HostError> {
        if self.byte() % 16 == 0 {
            Err(HostError::new("generated failure"))
        } else {
            Ok(())
        }
    }
}

/// Runs `state` on, answering up to `screens` screens from `answers`. A
/// refused answer leaves the state as it was (checked); a run error stops.
/// Every state it stops at must save and load again.
pub fn run_on(
    module: &VerifiedModule,
    state: &mut State,
    answers: &mut Answers<'_>,
    screens: usize,
) {
    for _ in 0..screens {
        match Vm::run(module, state, answers, 5_000) {
            Ok(Outcome::Suspended(req)) => {
                let input = answers.screen(&req);
                let before = state.clone();
                if Vm::resume(module, state, &input).is_err() {
                    assert_eq!(*state, before, "a refused answer changed the state");
                }
            }
            Ok(Outcome::Ended(_)) | Err(_) => break,
        }
    }
    saves_and_loads(module, state);
}

/// A state the VM made saves (or is refused as too large, R0008) and loads
/// back unchanged.
pub fn saves_and_loads(module: &VerifiedModule, state: &State) {
    match state.to_bytes(module) {
        Ok(bytes) => match State::from_bytes(module, &bytes) {
            Ok(loaded) => assert_eq!(&loaded, state, "a saved state loads as another"),
            Err(e) => panic!("a state the VM produced does not load: {e}"),
        },
        Err(e) => assert_eq!(
            e.code,
            flowc::unstable::diagnostics::Code::R0008,
            "saving failed: {e}"
        ),
    }
}
