#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Strict host answers (reference §8.3, §8.4) and account narrowing
//! (§8.2) at run time: an answer that breaks what narrowing promised is a
//! host error (retried, then `on error`, else R0003), never a `none` where
//! the checker proved a value.

use flowc::unstable::bytecode::{Instr, VerifiedModule};
use flowc::unstable::catalog::Catalog;
use flowc::unstable::diagnostics::Code;
use flowc::unstable::host::{
    CallOutcome, Host, HostCall, HostError, Script, ScriptedHost, TraceEvent,
};
use flowc::unstable::testing::{RunEnd, drive};
use flowc::unstable::value::{Date, EndStatus, Status, Value};
use flowc::unstable::vm::{Outcome, Vm};
use std::process::Command;

fn compile(source: &str) -> VerifiedModule {
    let c = flowc::compile_source(source, &Catalog::builtin());
    let errors: Vec<_> = c.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    c.module.unwrap()
}

fn s(text: &str) -> Value {
    Value::Str(text.to_string())
}

/// The error message of every failed call in the trace, in order.
fn call_errors(host: &ScriptedHost) -> Vec<String> {
    host.trace
        .iter()
        .filter_map(|e| match e {
            TraceEvent::Call {
                outcome: CallOutcome::Error(m),
                ..
            } => Some(m.clone()),
            _ => None,
        })
        .collect()
}

const DB: &str = r#"
flow f {
  plan essential
  inquiry { a: string }
  account { name_first: string? }
  screen ask { collect a -> v }
  action v {
    let db = verify database { name_first: inquiry.a, name_last: inquiry.a, birthdate: @2000-01-01 } retry 1
    -> route
    on error -> end needs_review
  }
  branch route {
    when db.status == passed -> keep
    else -> end declined
  }
  action keep {
    set account.name_first = db.name_first
    -> end approved
  }
}
"#;

fn db_answer(first: Value, last: Value, birthdate: Value) -> Option<Vec<Value>> {
    Some(vec![Value::Status(Status::Passed), first, last, birthdate])
}

fn db_script(answers: Vec<Option<Vec<Value>>>) -> Script {
    let mut script = Script::default();
    script
        .inputs
        .insert("ask".into(), [vec![("a".to_string(), s("Ada"))]].into());
    script.stubs.insert("db".into(), answers.into());
    script
}

#[test]
fn a_passed_answer_without_a_field_is_a_host_error_that_is_retried() {
    let module = compile(DB);
    let day = Value::Date(Date::parse("2000-01-01").unwrap());
    let mut host = ScriptedHost::new(db_script(vec![
        db_answer(s("Ada"), Value::None, day.clone()),
        db_answer(s("Ada"), s("Lovelace"), day),
    ]));
    let (_, end) = drive(&module, &mut host, 10_000);
    assert_eq!(end, RunEnd::Ended(EndStatus::Approved), "{:?}", host.trace);
    assert_eq!(
        call_errors(&host),
        ["host answered `status: passed` for `db` without `name_last`"]
    );
    assert_eq!(host.script.account.get("name_first"), Some(&s("Ada")));
}

#[test]
fn a_passed_answer_that_stays_broken_takes_on_error() {
    let module = compile(DB);
    let broken = db_answer(Value::None, Value::None, Value::None);
    let mut host = ScriptedHost::new(db_script(vec![broken.clone(), broken]));
    let (_, end) = drive(&module, &mut host, 10_000);
    assert_eq!(end, RunEnd::Ended(EndStatus::NeedsReview));
    assert_eq!(call_errors(&host).len(), 2);
    assert!(call_errors(&host)[0].contains("without `name_first`, `name_last`, `birthdate`"));
    // A `failed` answer may leave every field out.
    let failed = Some(vec![
        Value::Status(Status::Failed),
        Value::None,
        Value::None,
        Value::None,
    ]);
    let mut host = ScriptedHost::new(db_script(vec![failed]));
    let (_, end) = drive(&module, &mut host, 10_000);
    assert_eq!(end, RunEnd::Ended(EndStatus::Declined));
}

/// A host other than the scripted one gets the same check from the VM.
struct Answers {
    answers: Vec<Vec<Value>>,
    calls: usize,
}

impl Host for Answers {
    fn call(&mut self, call: &HostCall<'_>) -> Result<Vec<Value>, HostError> {
        assert!(call.promise.is_some(), "verifications carry their promise");
        let answer = self.answers.get(self.calls).cloned();
        self.calls += 1;
        answer.ok_or_else(|| HostError::stop("no answer"))
    }
    fn read_account(&mut self, _: &str) -> Result<Value, HostError> {
        Ok(Value::None)
    }
    fn write_account(&mut self, _: &str, _: &Value) -> Result<(), HostError> {
        Ok(())
    }
    fn tag(&mut self, _: &str) -> Result<(), HostError> {
        Ok(())
    }
    fn case(&mut self, _: &str) -> Result<(), HostError> {
        Ok(())
    }
    fn today(&mut self) -> Date {
        Date::parse("2026-11-25").unwrap()
    }
}

#[test]
fn without_on_error_a_broken_passed_answer_is_r0003_from_any_host() {
    let module = compile(&DB.replace("    on error -> end needs_review\n", ""));
    let broken = vec![Value::Status(Status::Passed), s("A"), s("B"), Value::None];
    let mut host = Answers {
        answers: vec![broken.clone(), broken],
        calls: 0,
    };
    let mut state = Vm::start(&module);
    assert!(matches!(
        Vm::run(&module, &mut state, &mut host, 10_000),
        Ok(Outcome::Suspended(_))
    ));
    Vm::resume(&module, &mut state, &[("a".to_string(), s("Ada"))]).unwrap();
    let err = Vm::run(&module, &mut state, &mut host, 10_000).unwrap_err();
    assert_eq!(err.code, Code::R0003, "{err}");
    assert!(
        err.message.contains(
            "after 2 call(s): host answered `status: passed` for `db` without `birthdate`"
        ),
        "{err}"
    );
    assert_eq!(host.calls, 2);
}

const RISK: &str = r#"
flow risk {
  plan growth
  inquiry { email: string }
  screen ask { collect email -> score }
  action score {
    let risk = http post "https://risk.example/score" { email: inquiry.email }
      returns { score: int, reason: string? }
    -> route
    on error -> end needs_review
  }
  branch route {
    when risk.ok and risk.score < 30 -> end approved
    else -> end declined
  }
}
"#;

fn risk_script(answer: Vec<Value>) -> Script {
    let mut script = Script::default();
    script.inputs.insert(
        "ask".into(),
        [vec![("email".to_string(), s("ada@example.com"))]].into(),
    );
    script.stubs.insert("risk".into(), [Some(answer)].into());
    script
}

#[test]
fn an_ok_http_answer_needs_every_non_optional_declared_field() {
    let module = compile(RISK);
    let t = Value::Bool(true);
    let code = Value::Int(200);
    // Every declared field but the optional one: fine.
    let mut host = ScriptedHost::new(risk_script(vec![
        code.clone(),
        t.clone(),
        Value::Int(12),
        Value::None,
    ]));
    assert_eq!(
        drive(&module, &mut host, 10_000).1,
        RunEnd::Ended(EndStatus::Approved)
    );
    // `ok: true` without `score`: a host error, so `on error`.
    let mut host = ScriptedHost::new(risk_script(vec![code.clone(), t, Value::None, s("x")]));
    assert_eq!(
        drive(&module, &mut host, 10_000).1,
        RunEnd::Ended(EndStatus::NeedsReview)
    );
    assert_eq!(
        call_errors(&host),
        ["host answered `ok: true` for `risk` without `score`"]
    );
    // `ok: false` needs none of them.
    let mut host = ScriptedHost::new(risk_script(vec![
        Value::Int(503),
        Value::Bool(false),
        Value::None,
        Value::None,
    ]));
    assert_eq!(
        drive(&module, &mut host, 10_000).1,
        RunEnd::Ended(EndStatus::Declined)
    );
}

#[test]
fn the_verifier_refuses_a_promise_that_names_no_optional_field() {
    let module = compile(RISK).into_module();
    let promise = module.results[0].promise.clone().unwrap();
    assert_eq!((promise.when, promise.present.clone()), (1, vec![2]));
    for bad in [vec![9], vec![0]] {
        let mut m = module.clone();
        m.results[0].promise.as_mut().unwrap().present = bad.clone();
        let err = VerifiedModule::verify(m).unwrap_err();
        assert_eq!(err.code, Code::R0005, "{bad:?}: {err}");
    }
    let mut m = module.clone();
    m.results[0].promise.as_mut().unwrap().is = Value::Int(1);
    assert_eq!(VerifiedModule::verify(m).unwrap_err().code, Code::R0005);
}

const ACCOUNT: &str = r#"
flow again {
  plan essential
  account { name_first: string? }
  screen start_here { -> known }
  branch known {
    when account.name_first != none -> welcome_back
    else -> end declined
  }
  action welcome_back {
    tag "returning-" + account.name_first
    -> end approved
  }
}
"#;

/// A host whose Account answers `name_first` from a list, one read each.
struct Changing {
    reads: Vec<Value>,
    tags: Vec<String>,
}

impl Host for Changing {
    fn call(&mut self, _: &HostCall<'_>) -> Result<Vec<Value>, HostError> {
        Err(HostError::stop("no calls here"))
    }
    fn read_account(&mut self, _: &str) -> Result<Value, HostError> {
        Ok(if self.reads.is_empty() {
            Value::None
        } else {
            self.reads.remove(0)
        })
    }
    fn write_account(&mut self, _: &str, _: &Value) -> Result<(), HostError> {
        Ok(())
    }
    fn tag(&mut self, text: &str) -> Result<(), HostError> {
        self.tags.push(text.to_string());
        Ok(())
    }
    fn case(&mut self, _: &str) -> Result<(), HostError> {
        Ok(())
    }
    fn today(&mut self) -> Date {
        Date::parse("2026-11-25").unwrap()
    }
}

fn run_account(
    reads: Vec<Value>,
) -> (
    Result<Outcome, flowc::unstable::bytecode::RuntimeError>,
    Changing,
) {
    let module = compile(ACCOUNT);
    let mut host = Changing {
        reads,
        tags: Vec::new(),
    };
    let mut state = Vm::start(&module);
    assert!(matches!(
        Vm::run(&module, &mut state, &mut host, 10_000),
        Ok(Outcome::Suspended(_))
    ));
    Vm::resume(&module, &mut state, &[]).unwrap();
    (Vm::run(&module, &mut state, &mut host, 10_000), host)
}

#[test]
fn a_narrowed_account_read_compiles_to_load_account_present() {
    let module = compile(ACCOUNT);
    let code = &module.module().code;
    assert_eq!(
        code.iter()
            .filter(|i| matches!(i, Instr::LoadAccount(_)))
            .count(),
        1,
        "the `!= none` test itself may read none"
    );
    assert_eq!(
        code.iter()
            .filter(|i| matches!(i, Instr::LoadAccountPresent(_)))
            .count(),
        1
    );
    let (end, host) = run_account(vec![s("Ada"), s("Ada")]);
    assert!(matches!(end, Ok(Outcome::Ended(EndStatus::Approved))));
    assert_eq!(host.tags, ["returning-Ada"]);
}

#[test]
fn an_account_value_gone_where_the_flow_knows_it_is_set_is_r0003() {
    let (end, host) = run_account(vec![s("Ada"), Value::None]);
    let err = end.unwrap_err();
    assert_eq!(err.code, Code::R0003, "{err}");
    assert!(
        err.message
            .contains("host returned no value for `account.name_first`"),
        "{err}"
    );
    assert!(host.tags.is_empty(), "nothing ran past the read");
}

fn flowc(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_flowc"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn a_scenario_passed_stub_without_its_fields_is_refused_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("db.flow");
    std::fs::write(&flow, DB).unwrap();
    let flow = flow.to_str().unwrap();
    let scenario = |stubs: &str| {
        let path = dir.path().join("s.json");
        std::fs::write(
            &path,
            format!(r#"{{"inputs": {{"ask": [{{"a": "Ada"}}]}}, "stubs": {{"db": {stubs}}}}}"#),
        )
        .unwrap();
        path.to_str().unwrap().to_string()
    };
    let s1 = scenario(r#"["error", {"status": "passed", "name_first": "Ada", "name_last": null}]"#);
    let (code, _, err) = flowc(&["run", flow, "--scenario", &s1]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`stubs.db[1]`: a `passed` answer carries every result field; missing or null: `name_last`, `birthdate`"),
        "{err}"
    );
    // A wrong type is a scenario error too; a `failed` stub needs nothing.
    let s2 = scenario(
        r#"[{"status": "passed", "name_first": 1, "name_last": "L", "birthdate": "2000-01-01"}]"#,
    );
    let (code, _, err) = flowc(&["run", flow, "--scenario", &s2]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("`stubs.db[0].name_first`"), "{err}");
    let s3 = scenario(r#"[{"status": "failed"}]"#);
    let (code, out, err) = flowc(&["run", flow, "--scenario", &s3]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("end declined"), "{out}");
}
