#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! The VM end to end: every example run straight through equals the same
//! run suspended, saved, reloaded from bytes and resumed at every screen;
//! corrupt modules and states are errors, never panics; disassembly
//! snapshots; determinism.

use flowc::unstable::bytecode::{Instr, Module, VerifiedModule, disasm_with_source, sha256};
use flowc::unstable::catalog::Catalog;
use flowc::unstable::diagnostics::Code;
use flowc::unstable::host::{Script, ScriptedHost, TraceEvent};
use flowc::unstable::testing::{RunEnd, drive};
use flowc::unstable::typed::TypedFlow;
use flowc::unstable::value::Value;
use flowc::unstable::vm::{Outcome, State, Vm};
use proptest::prelude::*;
use std::path::PathBuf;

fn examples() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "flow"))
        .map(|p| {
            (
                p.file_stem().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no examples in {}", dir.display());
    out
}

fn compile(source: &str) -> (TypedFlow, VerifiedModule) {
    let c = flowc::compile_source(source, &Catalog::builtin());
    let errors: Vec<_> = c.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    (c.flow.unwrap(), c.module.unwrap())
}

/// Runs one test's script suspending at every screen: the state is saved to
/// bytes, everything but the host is dropped, the module is reloaded from
/// bytes and the state from its bytes, then resumed.
fn run_with_reloads(module_bytes: &[u8], host: &mut ScriptedHost) -> (State, RunEnd) {
    let module = VerifiedModule::from_bytes(module_bytes).unwrap();
    let mut state = Vm::start(&module);
    let mut saved: Vec<u8> = Vec::new();
    drop(module);
    let mut first = true;
    loop {
        let module = VerifiedModule::from_bytes(module_bytes).unwrap();
        if !first {
            state = State::from_bytes(&module, &saved).unwrap();
        }
        first = false;
        match Vm::run(&module, &mut state, host, 1_000_000) {
            Ok(Outcome::Ended(s)) => {
                host.trace.push(TraceEvent::End { status: s });
                return (state, RunEnd::Ended(s));
            }
            Ok(Outcome::Suspended(req)) => {
                host.trace.push(TraceEvent::Suspend {
                    screen: req.screen.clone(),
                });
                saved = state.to_bytes(&module).unwrap();
                drop(module);
                let module = VerifiedModule::from_bytes(module_bytes).unwrap();
                let mut reloaded = State::from_bytes(&module, &saved).unwrap();
                assert_eq!(reloaded, state);
                let Some(input) = host.next_input(&req.screen) else {
                    return (reloaded, RunEnd::NoInput(req.screen));
                };
                Vm::resume(&module, &mut reloaded, &input).unwrap();
                host.trace.push(TraceEvent::Resume {
                    screen: req.screen,
                    input,
                });
                saved = reloaded.to_bytes(&module).unwrap();
                state = reloaded;
            }
            Err(e) => {
                host.trace.push(TraceEvent::Error {
                    code: e.code,
                    message: e.detail(),
                    at: None,
                });
                return (state, RunEnd::Error(e));
            }
        }
    }
}

#[test]
fn suspending_and_reloading_at_every_screen_changes_nothing() {
    let mut runs = 0;
    for (name, source) in examples() {
        let (flow, module) = compile(&source);
        let bytes = module.to_bytes();
        for test in &flow.tests {
            let mut straight = ScriptedHost::new(Script::from_test(module.module(), test));
            let (s1, e1) = drive(&module, &mut straight, 1_000_000);
            let mut reloaded = ScriptedHost::new(Script::from_test(module.module(), test));
            let (s2, e2) = run_with_reloads(&bytes, &mut reloaded);
            assert_eq!(e1, e2, "{name}: {}", test.name);
            assert_eq!(s1, s2, "{name}: {}", test.name);
            assert_eq!(straight.trace, reloaded.trace, "{name}: {}", test.name);
            assert_eq!(straight.script, reloaded.script, "{name}: {}", test.name);
            runs += 1;
        }
    }
    assert!(runs > 0);
}

#[test]
fn every_example_test_passes() {
    for (name, source) in examples() {
        let (flow, module) = compile(&source);
        for outcome in flowc::unstable::testing::run_tests(&module, &flow, &source, "test.flow") {
            assert!(
                outcome.passed(),
                "{name}: {}: {:?}",
                outcome.name,
                outcome.failures
            );
        }
    }
}

#[test]
fn disassembly_snapshots() {
    for (name, source) in examples() {
        let (_, module) = compile(&source);
        insta::assert_snapshot!(name.clone(), disasm_with_source(module.module(), &source));
    }
}

#[test]
fn compiling_twice_gives_identical_bytes() {
    for (_, source) in examples() {
        let (_, a) = compile(&source);
        let (_, b) = compile(&source);
        assert_eq!(a.to_bytes(), b.to_bytes());
        assert_eq!(a.to_json(), b.to_json());
        assert_eq!(VerifiedModule::from_bytes(&a.to_bytes()).unwrap(), a);
        assert_eq!(VerifiedModule::from_json(&a.to_json()).unwrap(), a);
    }
}

fn sample() -> (String, VerifiedModule) {
    let (_, source) = examples()
        .into_iter()
        .find(|(n, _)| n == "database_kyc")
        .unwrap();
    let (_, module) = compile(&source);
    (source, module)
}

/// Runs a module that loaded with an empty script: it must not panic.
fn smoke(module: &VerifiedModule) {
    let mut host = ScriptedHost::new(Script::default());
    let _ = drive(module, &mut host, 10_000);
}

/// A `.flowbc` file for `body` (a module's postcard bytes, damaged or not)
/// with a checksum that matches, so loading reaches the decoder and the
/// verifier.
fn sealed(body: &[u8]) -> Vec<u8> {
    let mut bytes = body.to_vec();
    bytes.extend_from_slice(&sha256(body));
    bytes
}

fn body(module: &VerifiedModule) -> Vec<u8> {
    let bytes = module.to_bytes();
    bytes[..bytes.len() - 32].to_vec()
}

#[test]
fn truncated_modules_are_r0005() {
    let (_, module) = sample();
    let bytes = module.to_bytes();
    let body = body(&module);
    for len in 0..bytes.len() {
        let err = VerifiedModule::from_bytes(&bytes[..len]).unwrap_err();
        assert_eq!(err.code, Code::R0005, "len {len}: {err}");
        if len < body.len() {
            let err = VerifiedModule::from_bytes(&sealed(&body[..len])).unwrap_err();
            assert_eq!(err.code, Code::R0005, "sealed len {len}: {err}");
        }
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(
        VerifiedModule::from_bytes(&longer).unwrap_err().code,
        Code::R0005
    );
    let mut longer = body.clone();
    longer.push(0);
    let err = VerifiedModule::from_bytes(&sealed(&longer)).unwrap_err();
    assert!(err.message.contains("trailing"), "{err}");
}

#[test]
fn the_checksum_catches_every_single_byte_flip() {
    let (_, module) = sample();
    let bytes = module.to_bytes();
    for i in 0..bytes.len() {
        for mask in [0x01u8, 0x80, 0xff] {
            let mut b = bytes.clone();
            b[i] ^= mask;
            let err = VerifiedModule::from_bytes(&b).unwrap_err();
            assert_eq!(err.code, Code::R0005, "byte {i}: {err}");
        }
    }
    let mut b = bytes.clone();
    let mid = b.len() / 2;
    b[mid] ^= 1;
    let err = VerifiedModule::from_bytes(&b).unwrap_err();
    assert!(err.message.contains("checksum"), "{err}");
}

/// Past the checksum (a checksum is not a signature), every flipped byte
/// is rejected by the decoder or the verifier, or loads a module that runs
/// without panicking.
#[test]
fn every_single_byte_flip_past_the_checksum_is_rejected_or_harmless() {
    let (_, module) = sample();
    let body = body(&module);
    for i in 0..body.len() {
        for mask in [0x01u8, 0x80, 0xff] {
            let mut b = body.clone();
            b[i] ^= mask;
            match VerifiedModule::from_bytes(&sealed(&b)) {
                Err(e) => assert_eq!(e.code, Code::R0005, "byte {i}: {e}"),
                Ok(m) => smoke(&m),
            }
        }
    }
}

#[test]
fn wrong_magic_and_version_are_r0005() {
    let (_, module) = sample();
    let mut m = module.module().clone();
    m.magic = *b"FLBX";
    assert_eq!(
        VerifiedModule::from_bytes(&m.to_bytes()).unwrap_err().code,
        Code::R0005
    );
    assert_eq!(VerifiedModule::verify(m).unwrap_err().code, Code::R0005);
    let mut m = module.module().clone();
    m.format_version = 99;
    let err = VerifiedModule::from_bytes(&m.to_bytes()).unwrap_err();
    assert_eq!(err.code, Code::R0005);
    assert!(err.message.contains("format 99"), "{err}");
    // An older format is named as such, not as a damaged file.
    let mut old = module.to_bytes();
    old[4] = 1;
    let err = VerifiedModule::from_bytes(&old).unwrap_err();
    assert!(err.message.contains("unsupported module format 1"), "{err}");
    assert_eq!(
        VerifiedModule::from_json("{}").unwrap_err().code,
        Code::R0005
    );
}

fn expect_r0005(m: &Module, needle: &str) {
    let err = VerifiedModule::from_bytes(&m.to_bytes()).unwrap_err();
    assert_eq!(err.code, Code::R0005);
    assert!(
        err.to_string().contains(needle),
        "expected `{needle}` in `{err}`"
    );
    let err = VerifiedModule::from_json(&m.to_json()).unwrap_err();
    assert_eq!(err.code, Code::R0005);
    let err = VerifiedModule::verify(m.clone()).unwrap_err();
    assert_eq!(err.code, Code::R0005);
}

#[test]
fn handcrafted_bad_modules_are_r0005_naming_the_pc() {
    let (_, verified) = sample();
    let module = verified.module();
    let pc_of = |f: &dyn Fn(&Instr) -> bool| module.code.iter().position(f).unwrap();

    let mut m = module.clone();
    let j = pc_of(&|i| matches!(i, Instr::Jump(_)));
    m.code[j] = Instr::Jump(10_000);
    expect_r0005(&m, &format!("pc {j}: jump target 10000"));
    // the pc and its source span are fields of the error
    let err = VerifiedModule::verify(m).unwrap_err();
    assert_eq!(err.pc, Some(j as u32));
    assert_eq!(err.span, Some(module.spans[j]));
    assert_eq!(err.message, "jump target 10000 out of range in `jump`");

    let mut m = module.clone();
    let c = pc_of(&|i| matches!(i, Instr::Const(_)));
    m.code[c] = Instr::Const(999);
    expect_r0005(&m, &format!("pc {c}: constant 999"));

    let mut m = module.clone();
    let f = pc_of(&|i| matches!(i, Instr::LoadInquiry(_)));
    m.code[f] = Instr::LoadInquiry(77);
    expect_r0005(&m, &format!("pc {f}: inquiry field 77"));

    // an extra push before a `set` leaves a value behind at the next step
    let mut m = module.clone();
    let s = pc_of(&|i| matches!(i, Instr::SetInquiry(_)));
    m.code[s] = Instr::Const(0);
    expect_r0005(&m, "pc ");

    // two paths reaching one pc with different depths
    let mut m = module.clone();
    let jf = pc_of(&|i| matches!(i, Instr::JumpIfFalse(_)));
    let target = match m.code[jf] {
        Instr::JumpIfFalse(t) => t,
        _ => unreachable!(),
    };
    m.code[jf] = Instr::JumpIfFalseOrPop(target);
    expect_r0005(&m, "pc ");

    // max_stack lower than the real depth
    let mut m = module.clone();
    m.max_stack = 1;
    expect_r0005(&m, "max_stack");

    // falling off the end
    let mut m = module.clone();
    let last = m.code.len() - 1;
    m.code[last] = Instr::Today;
    expect_r0005(&m, &format!("pc {last}"));

    // a step table entry out of range
    let mut m = module.clone();
    m.steps[1].entry = 5_000;
    expect_r0005(&m, "entry pc 5000");

    // `call` with the wrong argument count
    let mut m = module.clone();
    let k = pc_of(&|i| matches!(i, Instr::Call { .. }));
    if let Instr::Call { argc, .. } = &mut m.code[k] {
        *argc = 1;
    }
    expect_r0005(&m, &format!("pc {k}"));

    // `tag` with nothing to pop
    let mut m = module.clone();
    let t = pc_of(&|i| matches!(i, Instr::Tag));
    m.code[t - 1] = Instr::Jump(t as u32);
    expect_r0005(&m, &format!("pc {t}"));

    // `suspend` at a step that is not a screen
    let mut m = module.clone();
    let p = pc_of(&|i| matches!(i, Instr::Suspend(_)));
    m.code[p] = Instr::Suspend(1);
    expect_r0005(&m, &format!("pc {p}: `suspend` at step 1, not a screen"));
}

fn suspended_state(module: &VerifiedModule) -> State {
    let mut state = Vm::start(module);
    let mut host = ScriptedHost::new(Script::default());
    assert!(matches!(
        Vm::run(module, &mut state, &mut host, 1000),
        Ok(Outcome::Suspended(_))
    ));
    state
}

#[test]
fn corrupt_and_foreign_states_are_r0004() {
    let all = examples();
    let (_, module) = sample();
    let state = suspended_state(&module);
    let bytes = state.to_bytes(&module).unwrap();
    assert_eq!(State::from_bytes(&module, &bytes).unwrap(), state);
    for len in 0..bytes.len() {
        assert_eq!(
            State::from_bytes(&module, &bytes[..len]).unwrap_err().code,
            Code::R0004
        );
    }
    for i in 0..bytes.len() {
        for mask in [0x01u8, 0x80, 0xff] {
            let mut b = bytes.clone();
            b[i] ^= mask;
            assert_eq!(
                State::from_bytes(&module, &b).unwrap_err().code,
                Code::R0004,
                "byte {i}"
            );
        }
    }
    for (name, source) in &all {
        if name == "database_kyc" {
            continue;
        }
        let (_, other) = compile(source);
        let err = State::from_bytes(&other, &bytes).unwrap_err();
        assert_eq!(err.code, Code::R0004, "{name}");
        // and a state of the other module is foreign here
        let theirs = Vm::start(&other).to_bytes(&other).unwrap();
        assert_eq!(
            State::from_bytes(&module, &theirs).unwrap_err().code,
            Code::R0004
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn random_module_mutations_never_panic(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8)) {
        let (_, module) = sample();
        let mut bytes = body(&module);
        for (at, byte, op) in edits {
            if bytes.is_empty() { break; }
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = byte,
                1 => { bytes.remove(i); }
                _ => bytes.insert(i, byte),
            }
        }
        match VerifiedModule::from_bytes(&sealed(&bytes)) {
            Err(e) => prop_assert_eq!(e.code, Code::R0005),
            Ok(m) => smoke(&m),
        }
    }

    #[test]
    fn random_state_mutations_never_panic(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6)) {
        let (_, module) = sample();
        let mut bytes = suspended_state(&module).to_bytes(&module).unwrap();
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        if let Err(e) = State::from_bytes(&module, &bytes) {
            prop_assert_eq!(e.code, Code::R0004);
        }
    }
}

// ----- run-time behaviour ----------------------------------------------------

const RETRY_FLOW: &str = r#"
flow retrying {
  plan growth
  inquiry { name_first: string, name_last: string, birthdate: date, nickname: string?, n: int? }
  screen collect {
    collect name_first, name_last, birthdate, nickname
    capture selfie
    -> check
  }
  action check {
    let db = verify database { name_first: inquiry.name_first, name_last: inquiry.name_last, birthdate: inquiry.birthdate } retry 1 timeout 5s
    set inquiry.n = len(inquiry.name_first) + age(inquiry.birthdate)
    -> route
  }
  branch route {
    when db.status == passed -> end approved
    else -> end declined
  }
}
"#;

fn ada() -> Vec<(String, Value)> {
    let d = flowc::unstable::value::Date::parse("1815-12-10").unwrap();
    vec![
        ("name_first".into(), Value::Str("Adà".into())),
        ("name_last".into(), Value::Str("Lovelace".into())),
        ("birthdate".into(), Value::Date(d)),
        ("nickname".into(), Value::None),
        ("selfie".into(), Value::Bool(true)),
    ]
}

fn passed_db() -> Vec<Value> {
    vec![
        Value::Status(flowc::unstable::value::Status::Passed),
        Value::Str("Ada".into()),
        Value::Str("Lovelace".into()),
        Value::Date(flowc::unstable::value::Date::parse("1815-12-10").unwrap()),
    ]
}

#[test]
fn bad_resume_input_is_r0002_and_leaves_the_state_alone() {
    let (_, module) = compile(RETRY_FLOW);
    let state = suspended_state(&module);
    let cases: Vec<Vec<(String, Value)>> = vec![
        ada()[1..].to_vec(), // missing field
        ada()[..4].to_vec(), // missing capture
        {
            let mut v = ada();
            v[0].1 = Value::Int(1);
            v
        }, // wrong type
        {
            let mut v = ada();
            v[1].1 = Value::None;
            v
        }, // null for non-optional
        {
            let mut v = ada();
            v[4].1 = Value::Bool(false);
            v
        }, // capture not true
        {
            let mut v = ada();
            v.push(("extra".into(), Value::Int(1)));
            v
        }, // unknown key
        {
            let mut v = ada();
            v.push(("name_first".into(), Value::Str("x".into())));
            v
        }, // duplicate
    ];
    for input in cases {
        let mut s = state.clone();
        let err = Vm::resume(&module, &mut s, &input).unwrap_err();
        assert_eq!(err.code, Code::R0002, "{input:?}");
        assert_eq!(s, state);
    }
    let mut s = state.clone();
    let err = Vm::resume_json(&module, &mut s, r#"{"name_first": "Ada"}"#).unwrap_err();
    assert_eq!(err.code, Code::R0002);
    assert_eq!(s, state);
    let json = r#"{"name_first": "Ada", "name_last": "L", "birthdate": "1815-12-10", "nickname": null, "selfie": true}"#;
    // A key given twice is refused, even with the same value, and even when
    // serde_json would have kept a valid last one.
    for twice in [
        json.replace("\"selfie\": true", "\"selfie\": true, \"selfie\": true"),
        json.replace(
            "\"name_first\": \"Ada\",",
            "\"name_first\": 5, \"name_first\": \"Ada\",",
        ),
    ] {
        let err = Vm::resume_json(&module, &mut s, &twice).unwrap_err();
        assert_eq!(err.code, Code::R0002);
        assert!(err.message.contains("duplicate key `"), "{}", err.message);
        assert_eq!(s, state);
    }
    let err = Vm::resume_json(&module, &mut s, "{\"name_first\": ").unwrap_err();
    assert_eq!(err.code, Code::R0002);
    assert!(err.message.contains("not JSON"), "{}", err.message);
    assert_eq!(s, state);
    Vm::resume_json(&module, &mut s, json).unwrap();
    assert_eq!(s.status(), flowc::unstable::vm::RunStatus::Running);
}

#[test]
fn host_errors_retry_then_stop_at_the_call_and_can_be_reissued() {
    let (_, module) = compile(RETRY_FLOW);
    let mut state = suspended_state(&module);
    Vm::resume(&module, &mut state, &ada()).unwrap();
    let mut script = Script {
        clock: flowc::unstable::value::Date::parse("2026-11-25"),
        ..Script::default()
    };
    script.stubs.insert(
        "db".into(),
        [None, None, None, Some(passed_db())].into_iter().collect(),
    );
    let mut host = ScriptedHost::new(script);
    let err = Vm::run(&module, &mut state, &mut host, 1000).unwrap_err();
    assert_eq!(err.code, Code::R0003);
    assert!(matches!(
        module.module().code[state.pc() as usize],
        Instr::Call { .. }
    ));
    // retry 1: two calls; retries are not step entries
    assert_eq!(
        host.trace
            .iter()
            .filter(|e| matches!(e, TraceEvent::Call { .. }))
            .count(),
        2
    );
    assert_eq!(host.visits(), ["check"]);
    let saved = state.clone();
    // running again re-issues the call: one more error, then success
    let out = Vm::run(&module, &mut state, &mut host, 1000).unwrap();
    assert_eq!(
        out,
        Outcome::Ended(flowc::unstable::value::EndStatus::Approved)
    );
    assert_eq!(host.visits(), ["check", "route"]);
    // len counts chars (3 for "Adà"), age from the host clock (210)
    assert_eq!(state.inquiry().to_vec()[4], Value::Int(3 + 210));
    assert_ne!(saved, state);
}

#[test]
fn fuel_exhaustion_is_r0001_and_resumable() {
    let (_, module) = compile(RETRY_FLOW);
    let mut state = suspended_state(&module);
    Vm::resume(&module, &mut state, &ada()).unwrap();
    let mut script = Script {
        clock: flowc::unstable::value::Date::parse("2026-11-25"),
        ..Script::default()
    };
    script
        .stubs
        .insert("db".into(), [Some(passed_db())].into_iter().collect());
    let mut host = ScriptedHost::new(script);
    let mut spent = 0;
    loop {
        match Vm::run(&module, &mut state, &mut host, 2) {
            Err(e) => {
                assert_eq!(e.code, Code::R0001);
                spent += 1;
                assert!(spent < 100);
            }
            Ok(out) => {
                assert_eq!(
                    out,
                    Outcome::Ended(flowc::unstable::value::EndStatus::Approved)
                );
                break;
            }
        }
    }
    assert!(spent > 2);
}

#[test]
fn integer_overflow_is_r0006() {
    let src = r#"
flow overflow {
  plan essential
  inquiry { n: int, m: int? }
  screen ask { collect n -> add }
  action add { set inquiry.m = inquiry.n + 1  -> end completed }
}
"#;
    let (_, module) = compile(src);
    let mut state = suspended_state(&module);
    Vm::resume(&module, &mut state, &[("n".into(), Value::Int(i64::MAX))]).unwrap();
    let before = state.clone();
    let mut host = ScriptedHost::new(Script::default());
    let err = Vm::run(&module, &mut state, &mut host, 1000).unwrap_err();
    assert_eq!(err.code, Code::R0006);
    // the operands are still there: the state is at the failing `add`
    assert_eq!(module.module().code[state.pc() as usize], Instr::Add);
    assert_eq!(state.stack().len(), 2);
    // the error names that instruction and its source
    assert_eq!(err.pc, Some(state.pc()));
    let span = err.span.unwrap();
    assert_eq!(
        &src[span.start as usize..span.end as usize],
        "inquiry.n + 1"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "error[R0006]: pc {}: integer overflow in `9223372036854775807 + 1`",
            state.pc()
        )
    );
    // running again fails the same way, from the same state
    let mut again = before.clone();
    let mut host = ScriptedHost::new(Script::default());
    Vm::run(&module, &mut again, &mut host, 1000).unwrap_err();
    assert_eq!(again, state);
}

/// A `matches` pattern is compiled when the module is verified: a
/// handcrafted module whose pattern does not compile, or whose pattern
/// constant is not a string, is refused.
#[test]
fn matches_patterns_compile_at_load_or_the_module_is_r0005() {
    let src = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cases/test_cmd/strings.flow"),
    )
    .unwrap();
    let (_, verified) = compile(&src);
    let module = verified.module();
    let c = module
        .code
        .iter()
        .find_map(|i| match i {
            Instr::Matches(c) => Some(*c as usize),
            _ => None,
        })
        .unwrap();
    assert!(verified.pattern(c as u32).unwrap().is_match("GB123"));
    let mut m = module.clone();
    m.consts[c] = Value::Str("[A-Z".into());
    expect_r0005(&m, "pattern does not compile");
    let mut m = module.clone();
    m.consts[c] = Value::Int(1);
    expect_r0005(&m, "not a string");
}
