#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! R0008: strings past 65,536 bytes made by `+` or brought in from outside
//! (host answers, Account reads, screen input) stop the run, and a saved
//! state past 1 MiB neither saves nor loads. See docs/reliability.md.

use flowc::unstable::bytecode::{Instr, VerifiedModule};
use flowc::unstable::catalog::Catalog;
use flowc::unstable::diagnostics::Code;
use flowc::unstable::host::{CallOutcome, Script, ScriptedHost, TraceEvent};
use flowc::unstable::testing::{RunEnd, drive};
use flowc::unstable::value::{Status, Value};
use flowc::unstable::vm::limits::{MAX_STATE_BYTES, MAX_STRING_BYTES};
use flowc::unstable::vm::{Outcome, RunStatus, State, Vm};
use std::process::{Command, Stdio};

/// Issue 9's flow: it checks cleanly, then doubles a 16-byte string forty
/// times (16 TiB in the end). The thirteenth doubling makes 131,072 bytes.
fn doubling_flow() -> String {
    let mut s = String::from(
        "flow doubling {\n  plan growth\n  inquiry { s: string }\n\n  action grow {\n    set inquiry.s = \"0123456789abcdef\"\n",
    );
    for _ in 0..40 {
        s.push_str("    set inquiry.s = inquiry.s + inquiry.s\n");
    }
    s.push_str("    -> end approved\n  }\n}\n");
    s
}

fn compile(source: &str) -> VerifiedModule {
    let c = flowc::compile_source(source, &Catalog::builtin());
    assert!(
        c.diagnostics.is_empty(),
        "the flow should check cleanly: {:#?}",
        c.diagnostics
    );
    c.module.unwrap()
}

#[test]
fn doubling_a_string_forty_times_is_r0008_through_the_library() {
    let source = doubling_flow();
    assert!((1_700..1_900).contains(&source.len()), "{}", source.len());
    let module = compile(&source);
    // The fuel stops a VM without the limit at about the twentieth doubling
    // (16 MiB) with R0001, rather than letting it take the machine's memory;
    // with the limit the run stops at the thirteenth, well inside it.
    let mut host = ScriptedHost::new(Script::default());
    let (state, end) = drive(&module, &mut host, 80);
    let RunEnd::Error(e) = end else {
        panic!("expected R0008, got {end:?}")
    };
    assert_eq!(e.code, Code::R0008, "{e}");
    assert!(
        e.message
            .contains("a string of 131072 bytes made by `+` is over the limit of 65536 bytes"),
        "{e}"
    );
    // The run stops at the `add`, the twelfth doubling's result kept.
    let pc = e.pc.unwrap();
    assert_eq!(state.pc(), pc);
    assert_eq!(module.module().code[pc as usize], Instr::Add);
    assert_eq!(
        state.inquiry().to_vec()[0],
        Value::Str("0123456789abcdef".repeat(4096))
    );
    let line = source[..e.span.unwrap().start as usize].lines().count();
    assert_eq!(line, 19, "the thirteenth doubling is on line 19");
}

#[test]
fn doubling_a_string_forty_times_is_r0008_through_flowc_run() {
    let dir = std::env::temp_dir().join(format!("flowc-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("doubling.flow");
    std::fs::write(&file, doubling_flow()).unwrap();
    // 1 GiB of address space: without the limit flowc aborts on memory
    // here instead of taking the machine's.
    let out = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 1048576 && exec \"$0\" run \"$1\"")
        .arg(env!("CARGO_BIN_EXE_flowc"))
        .arg(&file)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    let last = stdout.lines().last().unwrap();
    assert!(
        last.starts_with("error[R0008]: pc ")
            && last.contains("a string of 131072 bytes made by `+`")
            && last.ends_with("doubling.flow:19:21)"),
        "{stdout}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

const FLOW: &str = r#"
flow limits {
  plan growth
  inquiry { a: string, b: string? }
  account { name: string }
  screen ask { collect a -> work }
  action work {
    let db = verify database { name_first: inquiry.a, name_last: inquiry.a, birthdate: @2000-01-01 } retry 2
    set inquiry.b = account.name
    -> end approved
    on error -> end failed
  }
}
"#;

fn ask(a: &str) -> Vec<(String, Value)> {
    vec![("a".to_string(), Value::Str(a.to_string()))]
}

fn db(name: &str) -> Option<Vec<Value>> {
    Some(vec![
        Value::Status(Status::Passed),
        Value::Str(name.to_string()),
        Value::Str("Lovelace".to_string()),
        Value::Date(flowc::unstable::value::Date::parse("2000-01-01").unwrap()),
    ])
}

fn script(input: &str, answer: Option<Vec<Value>>, account: &str) -> Script {
    let mut s = Script::default();
    s.inputs.insert("ask".into(), [ask(input)].into());
    s.stubs.insert("db".into(), [answer].into());
    s.account
        .insert("name".into(), Value::Str(account.to_string()));
    s
}

#[test]
fn a_host_answer_past_the_limit_is_r0008_at_the_call_not_a_host_error() {
    let module = compile(FLOW);
    let at_limit = "x".repeat(MAX_STRING_BYTES);
    let past = "x".repeat(MAX_STRING_BYTES + 1);

    // Exactly at the limit is fine, everywhere.
    let mut host = ScriptedHost::new(script(&at_limit, db(&at_limit), &at_limit));
    let (_, end) = drive(&module, &mut host, 1_000);
    assert_eq!(
        end,
        RunEnd::Ended(flowc::unstable::value::EndStatus::Approved),
        "{:?}",
        host.trace
    );

    // One byte more from the verification: R0008 on the first attempt;
    // neither retried nor routed to `on error`.
    let mut host = ScriptedHost::new(script("Ada", db(&past), "Ada"));
    let (state, end) = drive(&module, &mut host, 1_000);
    let RunEnd::Error(e) = end else {
        panic!("{end:?}")
    };
    assert_eq!(e.code, Code::R0008, "{e}");
    assert!(
        e.message
            .contains("65537 bytes returned by the host for `db`")
    );
    let calls = host
        .trace
        .iter()
        .filter(|t| matches!(t, TraceEvent::Call { .. }))
        .count();
    assert_eq!(calls, 1);
    assert!(matches!(
        module.module().code[state.pc() as usize],
        Instr::Call { .. }
    ));
    assert_eq!(state.results().to_vec()[0], None, "the answer is not kept");
}

#[test]
fn an_account_read_past_the_limit_is_r0008() {
    let module = compile(FLOW);
    let past = "y".repeat(MAX_STRING_BYTES + 1);
    let mut host = ScriptedHost::new(script("Ada", db("Ada"), &past));
    let (state, end) = drive(&module, &mut host, 1_000);
    let RunEnd::Error(e) = end else {
        panic!("{end:?}")
    };
    assert_eq!(e.code, Code::R0008, "{e}");
    assert!(e.message.contains("read from `account.name`"), "{e}");
    assert!(matches!(
        module.module().code[state.pc() as usize],
        Instr::LoadAccount(_)
    ));
    assert!(matches!(host.trace.last(), Some(TraceEvent::Error { .. })));
    assert!(host.trace.iter().any(|t| matches!(
        t,
        TraceEvent::Call {
            outcome: CallOutcome::Ok(_),
            ..
        }
    )));
}

#[test]
fn screen_input_past_the_limit_is_r0008_and_changes_nothing() {
    let module = compile(FLOW);
    let mut state = Vm::start(&module);
    let mut host = ScriptedHost::new(Script::default());
    assert!(matches!(
        Vm::run(&module, &mut state, &mut host, 1_000).unwrap(),
        Outcome::Suspended(_)
    ));
    let before = state.clone();
    let e = Vm::resume(&module, &mut state, &ask(&"z".repeat(MAX_STRING_BYTES + 1))).unwrap_err();
    assert_eq!(e.code, Code::R0008, "{e}");
    assert!(e.message.contains("given for `a` on screen `ask`"), "{e}");
    assert_eq!(state, before);
    let json = format!(r#"{{"a": "{}"}}"#, "z".repeat(MAX_STRING_BYTES + 1));
    assert_eq!(
        Vm::resume_json(&module, &mut state, &json)
            .unwrap_err()
            .code,
        Code::R0008
    );
    assert_eq!(state, before);
    Vm::resume(&module, &mut state, &ask(&"z".repeat(MAX_STRING_BYTES))).unwrap();
    assert_eq!(state.status(), RunStatus::Running);
}

/// Twenty string fields of 60,000 bytes each: every string is under its
/// limit, the state (about 1.2 MB) is not.
const WIDE: &str = r#"
flow wide {
  plan growth
  inquiry { f0: string, f1: string, f2: string, f3: string, f4: string,
            f5: string, f6: string, f7: string, f8: string, f9: string,
            f10: string, f11: string, f12: string, f13: string, f14: string,
            f15: string, f16: string, f17: string, f18: string, f19: string }
  screen one { collect f0, f1, f2, f3, f4, f5, f6, f7, f8, f9 -> two }
  screen two { collect f10, f11, f12, f13, f14, f15, f16, f17, f18, f19 -> done }
  action done { -> end approved }
}
"#;

#[test]
fn a_state_past_one_mib_neither_saves_nor_loads() {
    let module = compile(WIDE);
    let mut state = Vm::start(&module);
    let mut host = ScriptedHost::new(Script::default());
    let big = "w".repeat(60_000);
    let answer = |from: usize| -> Vec<(String, Value)> {
        (from..from + 10)
            .map(|i| (format!("f{i}"), Value::Str(big.clone())))
            .collect()
    };
    Vm::run(&module, &mut state, &mut host, 1_000).unwrap();
    Vm::resume(&module, &mut state, &answer(0)).unwrap();
    Vm::run(&module, &mut state, &mut host, 1_000).unwrap();
    // Half full (600 KB): saves and loads.
    let saved = state.to_bytes(&module).unwrap();
    assert!(saved.len() > 600_000 && saved.len() <= MAX_STATE_BYTES);
    assert_eq!(State::from_bytes(&module, &saved).unwrap(), state);
    Vm::resume(&module, &mut state, &answer(10)).unwrap();
    let e = state.to_bytes(&module).unwrap_err();
    assert_eq!(e.code, Code::R0008, "{e}");
    assert!(e.message.contains("over the limit of 1048576 bytes"), "{e}");

    // Loading looks at the length before anything else.
    let mut long = saved.clone();
    long.resize(MAX_STATE_BYTES + 1, 0);
    let e = State::from_bytes(&module, &long).unwrap_err();
    assert_eq!(e.code, Code::R0008, "{e}");
    long.truncate(MAX_STATE_BYTES);
    assert_eq!(
        State::from_bytes(&module, &long).unwrap_err().code,
        Code::R0004
    );
}

#[test]
fn flowc_run_reports_r0008_for_a_scenario_answer_past_the_limit() {
    let dir = std::env::temp_dir().join(format!("flowc-limits-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let flow = dir.join("limits.flow");
    let scenario = dir.join("s.json");
    std::fs::write(&flow, FLOW).unwrap();
    let past = "x".repeat(MAX_STRING_BYTES + 1);
    std::fs::write(
        &scenario,
        serde_json::json!({
            "inputs": {"ask": [{"a": "Ada"}]},
            "stubs": {"db": [{"status": "passed", "name_first": past, "name_last": "L", "birthdate": "2000-01-01"}]},
        })
        .to_string(),
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_flowc"))
        .args(["run", "--format", "json"])
        .arg(&flow)
        .arg("--scenario")
        .arg(&scenario)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let last: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["event"], "error");
    assert_eq!(last["code"], "R0008");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn flowc_explain_knows_r0008() {
    let out = Command::new(env!("CARGO_BIN_EXE_flowc"))
        .args(["explain", "r0008"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("# R0008: string or saved state over its size limit"));
}
