#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Hostile input never panics: random bytes and JSON for modules, saved
//! states with a valid envelope but a hostile payload, junk resume input,
//! and verified modules that misbehave at run time (endless loops end with
//! R0001, ill-typed operands with R0005).

use flowc::unstable::bytecode::{Instr, VerifiedModule};
use flowc::unstable::catalog::Catalog;
use flowc::unstable::diagnostics::Code;
use flowc::unstable::host::{Script, ScriptedHost};
use flowc::unstable::testing::drive;
use flowc::unstable::value::{EndStatus, Value};
use flowc::unstable::vm::{Outcome, RunStatus, State, Vm};
use proptest::prelude::*;

const FLOW: &str = r#"
flow robust {
  plan growth
  inquiry { name: string, birthdate: date, n: int?, s: string? }
  account { name: string }
  screen ask { collect name, birthdate capture selfie -> work }
  action work {
    let db = verify database { name_first: inquiry.name, name_last: upper(inquiry.name), birthdate: inquiry.birthdate } retry 1
    set inquiry.n = len(inquiry.name) + age(inquiry.birthdate)
    if db.status == passed { set account.name = trim(inquiry.name) }
    -> route
    on error -> ask
  }
  branch route {
    when inquiry.n != none and inquiry.n in [1, 2, 3] or account.name == "x" -> end approved
    else -> end declined
  }
}
"#;

fn module() -> VerifiedModule {
    let c = flowc::compile_source(FLOW, &Catalog::builtin());
    assert!(
        !c.diagnostics.iter().any(|d| d.is_error()),
        "{:#?}",
        c.diagnostics
    );
    c.module.unwrap()
}

fn suspended(m: &VerifiedModule) -> State {
    let mut state = Vm::start(m);
    let mut host = ScriptedHost::new(Script::default());
    let out = Vm::run(m, &mut state, &mut host, 1000).unwrap();
    assert!(matches!(out, Outcome::Suspended(_)));
    state
}

/// Runs whatever loaded; only errors may come out.
fn smoke(m: &VerifiedModule, state: &mut State) {
    let mut host = ScriptedHost::new(Script::default());
    let _ = Vm::run(m, state, &mut host, 10_000);
    let _ = Vm::resume_json(m, state, r#"{"name": "a"}"#);
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::json!(f)),
        ".{0,12}".prop_map(serde_json::Value::from),
        Just(serde_json::json!("2000-02-29")),
        Just(serde_json::json!("2001-02-29")),
        Just(serde_json::json!("Ada")),
        Just(serde_json::json!(true)),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("name".to_string()),
                    Just("birthdate".to_string()),
                    Just("selfie".to_string()),
                    Just("n".to_string()),
                    "[a-z]{1,5}",
                ],
                inner,
                0..5
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_bytes_are_not_modules_or_states(bytes in proptest::collection::vec(any::<u8>(), 0..512), magic in any::<bool>()) {
        let m = module();
        let mut b = bytes.clone();
        if magic && b.len() >= 4 { b[..4].copy_from_slice(b"FLBC"); }
        if let Err(e) = VerifiedModule::from_bytes(&b) { prop_assert_eq!(e.code, Code::R0005); }
        if magic && b.len() >= 4 { b[..4].copy_from_slice(b"FLST"); }
        let e = State::from_bytes(&m, &b).unwrap_err();
        prop_assert_eq!(e.code, Code::R0004);
        let text = String::from_utf8_lossy(&bytes);
        prop_assert_eq!(VerifiedModule::from_json(&text).unwrap_err().code, Code::R0005);
    }

    #[test]
    fn mutated_module_json_never_panics(edits in proptest::collection::vec((any::<prop::sample::Index>(), "[0-9\\[\\]{}\",:a-z-]{0,3}", 0u8..3), 1..6)) {
        let text = module().to_json();
        let mut chars: Vec<char> = text.chars().collect();
        for (at, s, op) in edits {
            let i = at.index(chars.len().max(1)).min(chars.len());
            match op {
                0 if i < chars.len() => { chars.remove(i); }
                1 => { for (k, c) in s.chars().enumerate() { chars.insert(i + k, c); } }
                _ => { chars.truncate(chars.len().saturating_sub(i % 7)); }
            }
        }
        let text: String = chars.into_iter().collect();
        match VerifiedModule::from_json(&text) {
            Err(e) => prop_assert_eq!(e.code, Code::R0005),
            Ok(m) => { let mut s = Vm::start(&m); smoke(&m, &mut s); }
        }
    }

    #[test]
    fn junk_resume_input_is_r0002_and_changes_nothing(input in json_value()) {
        let m = module();
        let mut state = suspended(&m);
        let before = state.clone();
        match Vm::resume_json(&m, &mut state, &input.to_string()) {
            Err(e) => {
                prop_assert_eq!(e.code, Code::R0002);
                prop_assert_eq!(&state, &before);
            }
            Ok(()) => prop_assert_eq!(state.status(), RunStatus::Running),
        }
    }

    /// A saved state whose payload is hostile but whose envelope is valid
    /// (a checksum is not a signature): R0004, or a state the VM runs
    /// without panicking.
    #[test]
    fn hostile_state_payloads_never_panic(
        pc in prop_oneof![any::<u32>(), 0u32..64],
        status in 0u8..4,
        stack in proptest::collection::vec(json_value(), 0..4),
        visits in any::<u32>(),
        fuel in any::<u64>(),
        field in json_value(),
    ) {
        let m = module();
        let s = edited(&suspended(&m), |s| {
            s["pc"] = json(&pc);
            s["status"] = json(&match status {
                0 => RunStatus::Running,
                1 => RunStatus::Suspended,
                2 => RunStatus::Ended(EndStatus::Approved),
                _ => RunStatus::Ended(EndStatus::Failed),
            });
            s["stack"] = json(&stack.iter().map(junk_value).collect::<Vec<_>>());
            s["visits"][0] = json(&visits);
            s["fuel_used"] = json(&fuel);
            s["inquiry"][2] = json(&junk_value(&field));
            s["results"][0] = json(&Some(vec![junk_value(&field); 4]));
        });
        match State::from_bytes(&m, &s.to_bytes(&m).unwrap()) {
            Err(e) => prop_assert_eq!(e.code, Code::R0004),
            Ok(mut loaded) => {
                let mut host = ScriptedHost::new(Script::default());
                let _ = flowc::unstable::testing::drive_from(&m, &mut loaded, &mut host, 10_000);
            }
        }
    }
}

/// The serde JSON of anything (a field of a `State`).
fn json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap()
}

/// `state` with some fields changed through its serde form: the VM is the
/// only code that changes a state, so a hostile one (as a saved state with
/// a valid envelope could hold) is made the way a decoder would make it.
fn edited(state: &State, edit: impl FnOnce(&mut serde_json::Value)) -> State {
    let mut j = json(state);
    edit(&mut j);
    serde_json::from_value(j).unwrap()
}

/// Any JSON made into a `Value` of some type (or `none`).
fn junk_value(j: &serde_json::Value) -> Value {
    match j {
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Int(n.as_i64().unwrap_or(i64::MIN)),
        serde_json::Value::String(s) => Value::Str(s.clone()),
        _ => Value::None,
    }
}

/// A one-step module built by hand around `code` (the step is an action at
/// pc 0), with a few constants of every type.
fn handmade(
    code: Vec<Instr>,
    max_stack: u32,
) -> Result<VerifiedModule, flowc::unstable::bytecode::RuntimeError> {
    let mut m = module().into_module();
    m.steps.truncate(1);
    m.steps[0].kind = flowc::unstable::bytecode::StepKindTag::Action;
    m.steps[0].collects.clear();
    m.steps[0].captures.clear();
    m.steps[0].entry = 0;
    m.start = 0;
    m.consts = vec![
        Value::Bool(true),
        Value::Int(i64::MAX),
        Value::Str("x".into()),
        Value::None,
    ];
    m.spans = vec![m.spans[0]; code.len()];
    m.code = code;
    m.max_stack = max_stack;
    VerifiedModule::from_bytes(&m.to_bytes())
}

#[test]
fn an_endless_jump_loop_ends_with_r0001() {
    let m = handmade(vec![Instr::Enter(0), Instr::Jump(1)], 0).unwrap();
    let mut host = ScriptedHost::new(Script::default());
    let (_, end) = drive(&m, &mut host, 100_000);
    let flowc::unstable::testing::RunEnd::Error(e) = end else {
        panic!("{end:?}")
    };
    assert_eq!(e.code, Code::R0001);
    // A jump back to the step's `enter` counts visits until the fuel runs out.
    let m = handmade(vec![Instr::Enter(0), Instr::Jump(0)], 0).unwrap();
    let mut state = Vm::start(&m);
    let mut host = ScriptedHost::new(Script::default());
    let e = Vm::run(&m, &mut state, &mut host, 1_000).unwrap_err();
    assert_eq!(e.code, Code::R0001);
    assert_eq!(state.visits().to_vec()[0], 500);
}

#[test]
fn ill_typed_verified_modules_stop_with_r0005() {
    use Instr::*;
    let cases: Vec<Vec<Instr>> = vec![
        vec![
            Enter(0),
            Const(0),
            Const(2),
            Add,
            JumpIfFalse(5),
            End(EndStatus::Approved),
        ],
        vec![Enter(0), Const(2), JumpIfFalse(3), End(EndStatus::Approved)],
        vec![
            Enter(0),
            Const(0),
            Neg,
            JumpIfFalse(4),
            End(EndStatus::Approved),
        ],
        vec![
            Enter(0),
            Const(3),
            Age,
            JumpIfFalse(4),
            End(EndStatus::Approved),
        ],
        vec![
            Enter(0),
            Const(1),
            Len,
            JumpIfFalse(4),
            End(EndStatus::Approved),
        ],
        vec![
            Enter(0),
            Const(2),
            Const(1),
            Lt,
            JumpIfFalse(5),
            End(EndStatus::Approved),
        ],
        vec![
            Enter(0),
            Const(3),
            Not,
            JumpIfFalse(4),
            End(EndStatus::Approved),
        ],
        vec![
            Enter(0),
            Const(2),
            JumpIfTrueOrPop(4),
            Const(0),
            JumpIfFalse(5),
            End(EndStatus::Approved),
        ],
    ];
    for code in cases {
        let m = handmade(code.clone(), 4).unwrap_or_else(|e| panic!("{code:?}: {e}"));
        let mut state = Vm::start(&m);
        let mut host = ScriptedHost::new(Script::default());
        let e = Vm::run(&m, &mut state, &mut host, 1_000).unwrap_err();
        assert_eq!(e.code, Code::R0005, "{code:?}: {e}");
    }
    // checked arithmetic on the largest int
    let m = handmade(
        vec![
            Instr::Enter(0),
            Instr::Const(1),
            Instr::Const(1),
            Instr::Add,
            Instr::JumpIfFalse(5),
            Instr::End(EndStatus::Approved),
        ],
        4,
    )
    .unwrap();
    let mut state = Vm::start(&m);
    let mut host = ScriptedHost::new(Script::default());
    assert_eq!(
        Vm::run(&m, &mut state, &mut host, 1_000).unwrap_err().code,
        Code::R0006
    );
}

#[test]
fn a_huge_max_stack_is_refused_not_reserved() {
    let e = handmade(
        vec![Instr::Enter(0), Instr::End(EndStatus::Approved)],
        u32::MAX,
    )
    .unwrap_err();
    assert_eq!(e.code, Code::R0005);
    assert!(e.message.contains("max_stack"), "{e}");
    // A module built in memory is refused the same way: the VM only takes
    // verified modules, so no unverified claim is ever reserved.
    let mut m = module().into_module();
    m.max_stack = u32::MAX;
    let e = VerifiedModule::verify(m).unwrap_err();
    assert!(e.message.contains("max_stack"), "{e}");
}

#[test]
fn a_state_at_every_pc_loads_or_is_r0004_and_runs_without_panic() {
    let m = module();
    let base = suspended(&m);
    // Operands of every type: a state that loads may hold the wrong one
    // for its pc (the checksum only proves the bytes were not damaged).
    let operands = [
        Value::Str("x".into()),
        Value::None,
        Value::Bool(true),
        Value::Int(7),
        Value::Date(flowc::unstable::value::Date(0)),
        Value::Status(flowc::unstable::value::Status::Passed),
    ];
    for pc in 0..m.module().code.len() as u32 + 2 {
        for depth in 0..3 {
            for operand in &operands {
                let s = edited(&base, |s| {
                    s["pc"] = json(&pc);
                    s["status"] = json(&RunStatus::Running);
                    s["stack"] = json(&vec![operand.clone(); depth]);
                });
                if let Ok(mut loaded) = State::from_bytes(&m, &s.to_bytes(&m).unwrap()) {
                    let mut host = ScriptedHost::new(Script::default());
                    let _ =
                        flowc::unstable::testing::drive_from(&m, &mut loaded, &mut host, 10_000);
                    // Whatever happened, the VM never leaves a state that
                    // does not load again (found by fuzzing: a failed
                    // `jump_if_false` popped its operand; `set_inquiry`
                    // stored a value of the wrong type).
                    let again = State::from_bytes(&m, &loaded.to_bytes(&m).unwrap());
                    assert!(again.is_ok(), "pc {pc}, {operand:?} x{depth}: {again:?}");
                }
            }
        }
    }
}

/// `in` over more than 65,535 items once compiled to `in 65535` and a
/// module the verifier would reject, which `compile_source` returned
/// unverified: the last items were never compared.
#[test]
fn a_very_long_in_list_compiles_and_runs() {
    let items: Vec<String> = (0..70_000).map(|i| i.to_string()).collect();
    let src = format!(
        "flow big {{ plan essential inquiry {{ n: int }} screen ask {{ collect n -> b }} \
         branch b {{ when inquiry.n in [{}] -> end approved else -> end declined }} }}",
        items.join(", ")
    );
    let c = flowc::compile_source(&src, &Catalog::builtin());
    let m = c.module.unwrap();
    // what `compile_source` returns is verified; so is its file
    VerifiedModule::from_bytes(&m.to_bytes()).unwrap();
    for (n, want) in [(69_999, EndStatus::Approved), (70_000, EndStatus::Declined)] {
        let mut state = suspended(&m);
        Vm::resume(&m, &mut state, &[("n".into(), Value::Int(n))]).unwrap();
        let mut host = ScriptedHost::new(Script::default());
        let out = Vm::run(&m, &mut state, &mut host, 1_000_000).unwrap();
        assert_eq!(out, Outcome::Ended(want), "{n}");
    }
}

/// `HostError::stop` (the scripted host's answer when no stub is left):
/// R0003 at once, without retries or `on error`, the state at the call.
#[test]
fn a_stop_error_skips_retries_and_on_error() {
    let m = module();
    let mut state = suspended(&m);
    let input = [
        ("name".to_string(), Value::Str("Ada".into())),
        (
            "birthdate".to_string(),
            Value::Date(flowc::unstable::value::Date::parse("1815-12-10").unwrap()),
        ),
        ("selfie".to_string(), Value::Bool(true)),
    ];
    Vm::resume(&m, &mut state, &input).unwrap();
    let mut host = ScriptedHost::new(Script::default());
    let e = Vm::run(&m, &mut state, &mut host, 1000).unwrap_err();
    assert_eq!(e.code, Code::R0003);
    assert!(e.message.contains("no stub left for `db`"), "{e}");
    assert!(matches!(
        m.module().code[state.pc() as usize],
        Instr::Call { .. }
    ));
    assert_eq!(state.stack().len(), 3, "the arguments are still there");
    assert_eq!(host.missing_stubs, ["db"], "one call, no retry");
    assert_eq!(host.visits(), ["work"], "no `on error -> ask`");
}
